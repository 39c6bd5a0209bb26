package dev.tokenward.bench

import dev.tokenward.Algorithm
import dev.tokenward.ApiKeys
import dev.tokenward.AuthRequest
import dev.tokenward.Authenticator
import dev.tokenward.AuthenticatorOptions
import dev.tokenward.HttpHeader
import dev.tokenward.JwtIssueOptions
import dev.tokenward.JwtIssuer
import dev.tokenward.JwtIssuerOptions
import dev.tokenward.JwtKey
import dev.tokenward.JwtVerifier
import dev.tokenward.JwtVerifierOptions
import dev.tokenward.RateLimit
import java.math.BigInteger
import java.security.KeyFactory
import java.security.interfaces.RSAPublicKey
import java.security.spec.RSAPublicKeySpec
import java.time.Duration
import java.util.Base64

/**
 * The tokenward side of the JMH benchmarks (kotlin/bench-jmh, scripts/bench-jvm-jmh.sh), built in
 * Kotlin because Java cannot call constructors with default or unsigned arguments. One token per
 * algorithm with the claims of core/benches/jwt.rs, issuer and audience checked by every library;
 * a day of lifetime so that no run outlives it.
 */
class JwtFixture(alg: String) {
    private val algorithm = if (alg == "RS256") Algorithm.RS256 else Algorithm.HS256
    private val signing: JwtKey =
        if (algorithm == Algorithm.HS256) JwtKey.hmac(HMAC_SECRET, algorithm) else JwtKey.generate(algorithm)

    /** The HMAC secret (HS256) shared with the Java libraries. */
    val secret: ByteArray get() = HMAC_SECRET.copyOf()

    val token: String = JwtIssuer(
        signing,
        JwtIssuerOptions(algorithm = algorithm, issuer = ISSUER, audience = listOf(AUDIENCE), ttl = Duration.ofDays(1)),
    ).issue("""{"scope":"read write","tenant":"acme"}""", JwtIssueOptions(subject = "u1"))

    /** A verifier reused for every call, as an application keeps one. */
    val verifier: JwtVerifier = JwtVerifier.withKey(
        if (algorithm == Algorithm.HS256) signing else JwtKey.fromPem(signing.toPublicPem(), null),
        JwtVerifierOptions(algorithms = listOf(algorithm), issuers = listOf(ISSUER), audiences = listOf(AUDIENCE)),
    )

    /** The RSA public key (RS256) as a JCA key, from the JWK. */
    val rsaPublicKey: RSAPublicKey
        get() {
            val jwk = signing.toJwkJson()
            fun part(name: String) = BigInteger(1, Base64.getUrlDecoder().decode(Regex("\"$name\"\\s*:\\s*\"([^\"]+)\"").find(jwk)!!.groupValues[1]))
            return KeyFactory.getInstance("RSA").generatePublic(RSAPublicKeySpec(part("n"), part("e"))) as RSAPublicKey
        }

    companion object {
        const val ISSUER = "https://issuer.example"
        const val AUDIENCE = "api://bench"
        private val HMAC_SECRET = ByteArray(32) { (it * 7 + 3).toByte() }
    }
}

/** The policy of core/benches/gateway.rs and Bench.kt: one IP rule, one (never reached) rate limit. */
class GatewayFixture {
    private val limit = RateLimit(rate = 1_000_000_000u, burst = 1_000_000_000u)
    val keys = ApiKeys("tw_bench")
    val apiKey: String = keys.create("acct_bench", listOf("read")).secret.expose()
    val keyAuthenticator = Authenticator(AuthenticatorOptions(apiKeys = keys, ipDeny = listOf("192.0.2.0/24"), rateLimit = limit))
    val keyRequest = request("x-api-key", apiKey)

    private val jwt = JwtFixture("HS256")
    val jwtAuthenticator = Authenticator(AuthenticatorOptions(jwt = jwt.verifier, ipDeny = listOf("192.0.2.0/24"), rateLimit = limit))
    val jwtRequest = request("authorization", "Bearer ${jwt.token}")

    private fun request(headerName: String, value: String) = AuthRequest(
        method = "GET",
        path = "/v1/things",
        headers = listOf(HttpHeader("host", "api.example.com"), HttpHeader("accept", "application/json"), HttpHeader(headerName, value)),
        clientIp = "198.51.100.7",
        requiredScopes = listOf("read"),
    )
}
