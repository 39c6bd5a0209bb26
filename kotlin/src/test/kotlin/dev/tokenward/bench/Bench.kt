package dev.tokenward.bench

import dev.tokenward.Algorithm
import dev.tokenward.ApiKeys
import dev.tokenward.AuthDecision
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
import dev.tokenward.OAuthClient
import dev.tokenward.OAuthClientOptions
import dev.tokenward.RateLimit
import dev.tokenward.Secret
import dev.tokenward.TokenSource
import dev.tokenward.authenticateFast
import dev.tokenward.verifyFast
import kotlinx.coroutines.runBlocking

/**
 * Hot-path benchmarks of the Kotlin binding (issues #5, #7 and #20): cached `TokenSource.token()`,
 * `Authenticator.authenticate` (API key, HS256 JWT), `ApiKeys.verify` and `JwtVerifier.verify`
 * (HS256), each through uniffi (JNA) and through the JNI path (`*Fast`, FastPath.kt), set up like
 * the criterion benches core/benches/{oauth,gateway,jwt}.rs. Not a test (surefire runs `*Test`
 * classes only): run with scripts/bench-kotlin.sh, which starts the OAuth mock server and passes
 * TOKENWARD_OAUTH_ISSUER. Plain loops with warm-up and repetitions; prints ns per op.
 */
private var sink = 0L

private fun report(name: String, samples: List<Double>) {
    val s = samples.sorted()
    println(
        String.format(
            "%-58s median %9.1f ns/op   min %9.1f   max %9.1f   (%d reps)",
            name, s[s.size / 2], s.first(), s.last(), s.size,
        ),
    )
}

/** Runs [op] [iters] times per repetition after [warmupIters] calls; ns per op per repetition. */
private inline fun measure(name: String, iters: Int, reps: Int = 7, warmupIters: Int = iters, op: () -> Long) {
    repeat(warmupIters) { sink += op() }
    val samples = (0 until reps).map {
        val t0 = System.nanoTime()
        repeat(iters) { sink += op() }
        (System.nanoTime() - t0).toDouble() / iters
    }
    report(name, samples)
}

private fun ok(d: AuthDecision): Long = when (d) {
    is AuthDecision.Allowed -> 1L
    is AuthDecision.Refused -> throw IllegalStateException("refused: ${d.refusal}")
}

private fun request(headerName: String, value: String) = AuthRequest(
    method = "GET",
    path = "/v1/things",
    headers = listOf(
        HttpHeader("host", "api.example.com"),
        HttpHeader("accept", "application/json"),
        HttpHeader(headerName, value),
    ),
    clientIp = "198.51.100.7",
    requiredScopes = listOf("read"),
)

// The policy of core/benches/gateway.rs: one IP rule, one (never reached) rate limit.
private val limit = RateLimit(rate = 1_000_000_000u, burst = 1_000_000_000u)

fun main(args: Array<String>) {
    val iters = args.firstOrNull()?.toInt() ?: 20_000
    // Each suspend call waits for the Rust future's completion callback: far slower per call.
    val asyncIters = args.getOrNull(1)?.toInt() ?: (iters / 5)
    // The uniffi (JNA) rows cost 50-100x the JNI rows: a third argument gives them fewer calls.
    val jnaIters = args.getOrNull(2)?.toInt() ?: iters
    println(
        "tokenward Kotlin binding benchmarks, Java ${Runtime.version()}; 7 reps of $iters iterations " +
            "($asyncIters for suspend calls, $jnaIters for uniffi's sync calls), each after as many warm-up calls",
    )

    // (1) cached TokenSource.token() against the OAuth mock server (one token request, then cache hits).
    val issuer = System.getenv("TOKENWARD_OAUTH_ISSUER")?.takeIf { it.isNotEmpty() }
    if (issuer == null) {
        println("TOKENWARD_OAUTH_ISSUER unset: skipping TokenSource.token() (run scripts/bench-kotlin.sh)")
    } else {
        runBlocking {
            val client = OAuthClient.discover(issuer, "kt-bench", OAuthClientOptions(clientSecret = Secret("kt-bench-secret")))
            val src = TokenSource.clientCredentials(client, listOf("read"))
            src.token() // the one token request
            measure("TokenSource.token() cached (suspend, in runBlocking)", asyncIters) {
                src.token().hashCode().toLong()
            }
            measure("TokenSource.token().use { it.expose() } cached", asyncIters) {
                src.token().use { it.expose().length.toLong() }
            }
            check(src.requestCount() == 1uL) { "expected one token request, got ${src.requestCount()}" }
            src.close()
        }
    }

    // (2) Authenticator.authenticate: API key and HS256 JWT, same policy as the Rust bench.
    val keys = ApiKeys("tw_bench")
    val apiKey = keys.create("acct_bench", listOf("read")).secret.expose()
    val keyAuth = Authenticator(AuthenticatorOptions(apiKeys = keys, ipDeny = listOf("192.0.2.0/24"), rateLimit = limit))
    val keyReq = request("x-api-key", apiKey)
    measure("Authenticator.authenticate API key", jnaIters) { ok(keyAuth.authenticate(keyReq)) }
    measure("Authenticator.authenticateFast API key (JNI)", iters) { ok(keyAuth.authenticateFast(keyReq)) }
    measure("ApiKeys.verify", jnaIters) { keys.verify(apiKey).owner.length.toLong() }
    measure("ApiKeys.verifyFast (JNI)", iters) { keys.verifyFast(apiKey).owner.length.toLong() }

    val gwKey = JwtKey.hmac("bench-secret-bench-secret-bench-secret!!".toByteArray(), Algorithm.HS256)
    val gwToken = JwtIssuer(gwKey, JwtIssuerOptions()).issue("""{"scope":"read write"}""", JwtIssueOptions(subject = "alice"))
    val jwtAuth = Authenticator(
        AuthenticatorOptions(
            jwt = JwtVerifier.withKey(gwKey, JwtVerifierOptions(algorithms = listOf(Algorithm.HS256))),
            ipDeny = listOf("192.0.2.0/24"),
            rateLimit = limit,
        ),
    )
    val jwtReq = request("authorization", "Bearer $gwToken")
    measure("Authenticator.authenticate HS256 JWT", jnaIters) { ok(jwtAuth.authenticate(jwtReq)) }
    measure("Authenticator.authenticateFast HS256 JWT (JNI)", iters) { ok(jwtAuth.authenticateFast(jwtReq)) }

    // (3) JwtVerifier.verify HS256, the token of core/benches/jwt.rs.
    val key = JwtKey.hmac(ByteArray(32) { 7 }, Algorithm.HS256)
    val token = JwtIssuer(key, JwtIssuerOptions(issuer = "iss", audience = listOf("aud")))
        .issue("""{"scope":"read write","tenant":"acme"}""", JwtIssueOptions(subject = "u1"))
    val verifier = JwtVerifier.withKey(key, JwtVerifierOptions(algorithms = listOf(Algorithm.HS256), issuers = listOf("iss"), audiences = listOf("aud")))
    measure("JwtVerifier.verify HS256 (returns claims JSON)", jnaIters) { verifier.verify(token).length.toLong() }
    measure("JwtVerifier.verifyFast HS256 (JNI, claims JSON)", iters) { verifier.verifyFast(token).length.toLong() }

    println("(checksum $sink)")
}
