package dev.tokenward.jmh;

import com.auth0.jwt.JWT;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.tokenward.TokenwardFast;
import dev.tokenward.bench.JwtFixture;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JWT verify of one token, a verifier reused for every call, in tokenward (uniffi path and JNI
 * path) and in the three Java libraries: signature, algorithm, `exp`/`nbf`, issuer and audience
 * checked by each. Every library returns its claims (tokenward: the JSON text; the others: their
 * parsed claims objects).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class JwtVerifyBench {
    @Param({"HS256", "RS256"})
    public String alg;

    private String token;
    private dev.tokenward.JwtVerifier tokenward;
    private com.auth0.jwt.interfaces.JWTVerifier auth0;
    private DefaultJWTProcessor<SecurityContext> nimbus;
    private JwtParser jjwt;

    @Setup
    public void setup() throws Exception {
        JwtFixture f = new JwtFixture(alg);
        token = f.getToken();
        tokenward = f.getVerifier();
        boolean hs = alg.equals("HS256");

        com.auth0.jwt.algorithms.Algorithm a = hs
                ? com.auth0.jwt.algorithms.Algorithm.HMAC256(f.getSecret())
                : com.auth0.jwt.algorithms.Algorithm.RSA256(f.getRsaPublicKey(), null);
        auth0 = JWT.require(a).withIssuer(JwtFixture.ISSUER).withAudience(JwtFixture.AUDIENCE).build();

        nimbus = new DefaultJWTProcessor<>();
        nimbus.setJWSKeySelector(hs
                ? new JWSVerificationKeySelector<>(JWSAlgorithm.HS256, new ImmutableSecret<>(f.getSecret()))
                : new JWSVerificationKeySelector<>(JWSAlgorithm.RS256,
                        new ImmutableJWKSet<>(new JWKSet(new RSAKey.Builder(f.getRsaPublicKey()).build()))));
        nimbus.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(
                JwtFixture.AUDIENCE,
                new JWTClaimsSet.Builder().issuer(JwtFixture.ISSUER).build(),
                Set.of("exp")));

        jjwt = (hs ? Jwts.parser().verifyWith(Keys.hmacShaKeyFor(f.getSecret()))
                   : Jwts.parser().verifyWith(f.getRsaPublicKey()))
                .requireIssuer(JwtFixture.ISSUER)
                .requireAudience(JwtFixture.AUDIENCE)
                .build();

        // Every verifier accepts the token before anything is timed.
        check(tokenward_uniffi() instanceof String);
        check(tokenward_jni().equals(tokenward_uniffi()));
        check(java_jwt() != null);
        check(nimbus_jose_jwt() != null);
        check(jjwt() != null);
    }

    private static void check(boolean ok) {
        if (!ok) throw new IllegalStateException("a verifier refused the benchmark token");
    }

    @Benchmark
    public Object tokenward_uniffi() throws Exception {
        return tokenward.verify(token);
    }

    @Benchmark
    public Object tokenward_jni() throws Exception {
        return TokenwardFast.verifyFast(tokenward, token);
    }

    @Benchmark
    public Object java_jwt() {
        return auth0.verify(token);
    }

    @Benchmark
    public Object nimbus_jose_jwt() throws Exception {
        return nimbus.process(token, null);
    }

    @Benchmark
    public Object jjwt() {
        return jjwt.parseSignedClaims(token).getPayload();
    }
}
