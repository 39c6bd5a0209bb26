package dev.tokenward.jmh;

import dev.tokenward.AuthDecision;
import dev.tokenward.TokenwardFast;
import dev.tokenward.bench.GatewayFixture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * `ApiKeys.verify` and `Authenticator.authenticate` (API key, HS256 JWT; the policy of
 * core/benches/gateway.rs), uniffi path against JNI path.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GatewayBench {
    private GatewayFixture f;

    @Setup
    public void setup() throws Exception {
        f = new GatewayFixture();
        if (!(authenticate_api_key_uniffi() instanceof AuthDecision.Allowed)
                || !(authenticate_api_key_jni() instanceof AuthDecision.Allowed)
                || !(authenticate_jwt_uniffi() instanceof AuthDecision.Allowed)
                || !(authenticate_jwt_jni() instanceof AuthDecision.Allowed)) {
            throw new IllegalStateException("the benchmark requests are refused");
        }
    }

    @Benchmark
    public Object api_key_verify_uniffi() throws Exception {
        return f.getKeys().verify(f.getApiKey());
    }

    @Benchmark
    public Object api_key_verify_jni() throws Exception {
        return TokenwardFast.verifyFast(f.getKeys(), f.getApiKey());
    }

    @Benchmark
    public Object authenticate_api_key_uniffi() throws Exception {
        return f.getKeyAuthenticator().authenticate(f.getKeyRequest());
    }

    @Benchmark
    public Object authenticate_api_key_jni() throws Exception {
        return TokenwardFast.authenticateFast(f.getKeyAuthenticator(), f.getKeyRequest());
    }

    @Benchmark
    public Object authenticate_jwt_uniffi() throws Exception {
        return f.getJwtAuthenticator().authenticate(f.getJwtRequest());
    }

    @Benchmark
    public Object authenticate_jwt_jni() throws Exception {
        return TokenwardFast.authenticateFast(f.getJwtAuthenticator(), f.getJwtRequest());
    }
}
