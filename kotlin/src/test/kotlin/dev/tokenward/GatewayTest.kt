package dev.tokenward

import com.sun.net.httpserver.HttpExchange
import com.sun.net.httpserver.HttpServer
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.runBlocking
import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.net.InetSocketAddress
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration
import java.time.Instant
import java.util.concurrent.Callable
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

/** The Authenticator through the Kotlin binding: an embedded local API, rate limits, revocation, concurrency. */
class GatewayTest {
    private val now = 1_700_000_000uL

    private fun allowed(d: AuthDecision): Principal = when (d) {
        is AuthDecision.Allowed -> d.principal
        is AuthDecision.Refused -> throw AssertionError("refused: ${d.refusal}")
    }

    private fun refused(d: AuthDecision): Refusal = when (d) {
        is AuthDecision.Allowed -> throw AssertionError("allowed: ${d.principal}")
        is AuthDecision.Refused -> d.refusal
    }

    private fun keyRequest(key: String, ip: String = "198.51.100.1", scopes: List<String> = emptyList()) =
        AuthRequest(
            method = "GET",
            path = "/v1/things",
            headers = listOf(HttpHeader("X-API-Key", key)),
            clientIp = ip,
            requiredScopes = scopes,
        )

    /** The handler an app embedding a local API would write: authenticate, then answer or refuse. */
    private class AuthenticatingHandler(private val auth: Authenticator, private val scopes: List<String>) {
        fun handle(exchange: HttpExchange) {
            exchange.use { ex ->
                val headers = ex.requestHeaders.flatMap { (name, values) -> values.map { HttpHeader(name, it) } }
                val decision = auth.authenticate(
                    AuthRequest(
                        method = ex.requestMethod,
                        path = ex.requestURI.rawPath + (ex.requestURI.rawQuery?.let { "?$it" } ?: ""),
                        headers = headers,
                        clientIp = ex.remoteAddress.address.hostAddress,
                        requiredScopes = scopes,
                    ),
                )
                when (decision) {
                    is AuthDecision.Allowed -> {
                        val p = decision.principal
                        p.rateLimitRemaining?.let { ex.responseHeaders.add("RateLimit-Remaining", it.toString()) }
                        val body = JSONObject().put("subject", p.subject).put("kind", p.kind.name).toString().toByteArray()
                        ex.responseHeaders.add("Content-Type", "application/json")
                        ex.sendResponseHeaders(200, body.size.toLong())
                        ex.responseBody.write(body)
                    }
                    is AuthDecision.Refused -> {
                        val r = decision.refusal
                        r.wwwAuthenticate?.let { ex.responseHeaders.add("WWW-Authenticate", it) }
                        r.retryAfter?.let { ex.responseHeaders.add("Retry-After", it.seconds.toString()) }
                        // The code stays in the server's logs; the client sees RFC 6750 only.
                        ex.sendResponseHeaders(r.status.toInt(), -1)
                    }
                }
            }
        }
    }

    @Test
    fun embeddedLocalApiAnswersWithTheRefusal() {
        val clock = ManualClock(Instant.ofEpochSecond(now.toLong()))
        val keys = ApiKeys("tw_test", ApiKeysOptions(clock = clock))
        val reader = keys.create("acct_reader", listOf("read")).secret.expose()
        val tiny = keys.create("acct_tiny", listOf("read"), metadata = mapOf("plan" to "tiny")).secret.expose()
        val jwtKey = JwtKey.hmac("local-api-secret-0123456789abcdef".toByteArray(), Algorithm.HS256)
        val token = JwtIssuer(jwtKey, JwtIssuerOptions())
            .issue("""{"scope":"read write"}""", JwtIssueOptions(subject = "alice"))
        val auth = Authenticator(
            AuthenticatorOptions(
                apiKeys = keys,
                jwt = JwtVerifier.withKey(jwtKey, JwtVerifierOptions(algorithms = listOf(Algorithm.HS256))),
                ipAllow = listOf("127.0.0.0/8", "::1"),
                plans = mapOf("tiny" to RateLimit(rate = 1u, burst = 1u, period = Duration.ofSeconds(60))),
                realm = "local",
                clock = clock,
            ),
        )
        val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
        val handler = AuthenticatingHandler(auth, listOf("read"))
        server.createContext("/v1/things") { handler.handle(it) }
        server.start()
        try {
            val client = HttpClient.newHttpClient()
            val base = "http://127.0.0.1:${server.address.port}/v1/things"
            fun get(vararg headers: Pair<String, String>): HttpResponse<String> {
                val b = HttpRequest.newBuilder(URI.create(base)).GET()
                headers.forEach { (n, v) -> b.header(n, v) }
                return client.send(b.build(), HttpResponse.BodyHandlers.ofString())
            }

            get().let {
                assertEquals(401, it.statusCode())
                assertEquals("Bearer realm=\"local\"", it.headers().firstValue("WWW-Authenticate").orElse(null))
            }
            get("X-API-Key" to reader).let {
                assertEquals(200, it.statusCode())
                assertEquals("acct_reader", JSONObject(it.body()).getString("subject"))
                assertEquals("API_KEY", JSONObject(it.body()).getString("kind"))
            }
            get("Authorization" to "Bearer $token").let {
                assertEquals(200, it.statusCode())
                assertEquals("alice", JSONObject(it.body()).getString("subject"))
                assertEquals("JWT", JSONObject(it.body()).getString("kind"))
            }
            val typo = reader.dropLast(1) + (if (reader.last() == 'a') 'b' else 'a')
            get("X-API-Key" to typo).let {
                assertEquals(401, it.statusCode())
                val challenge = it.headers().firstValue("WWW-Authenticate").orElse("")
                assertTrue(challenge.contains("error=\"invalid_token\""), challenge)
                assertFalse(challenge.contains("checksum"), "the internal code leaked: $challenge")
            }
            get("Authorization" to "Bearer $token", "X-API-Key" to reader).let {
                assertEquals(400, it.statusCode())
            }
            get("X-API-Key" to tiny).let {
                assertEquals(200, it.statusCode())
                assertEquals("0", it.headers().firstValue("RateLimit-Remaining").orElse(null))
            }
            get("X-API-Key" to tiny).let {
                assertEquals(429, it.statusCode())
                assertEquals("60", it.headers().firstValue("Retry-After").orElse(null))
                assertFalse(it.headers().firstValue("WWW-Authenticate").isPresent)
            }
        } finally {
            server.stop(0)
        }
    }

    @Test
    fun insufficientScopeNamesTheScopes() {
        val keys = ApiKeys("tw_test")
        val key = keys.create("acct", listOf("read")).secret.expose()
        val auth = Authenticator(AuthenticatorOptions(apiKeys = keys))
        val r = refused(auth.authenticate(keyRequest(key, scopes = listOf("read", "write"))))
        assertEquals(403, r.status.toInt())
        assertEquals(ErrorCode.INSUFFICIENT_SCOPE, r.code)
        assertEquals("insufficient_scope", r.code.asString())
        assertEquals(
            "Bearer realm=\"api\", error=\"insufficient_scope\", error_description=\"the access token lacks a required scope\", scope=\"read write\"",
            r.wwwAuthenticate,
        )
        val p = allowed(auth.authenticate(keyRequest(key, scopes = listOf("read"))))
        assertEquals(CredentialKind.API_KEY, p.kind)
        assertEquals(listOf("read"), p.scopes)
        assertEquals("{}", p.claimsJson)
        assertNull(p.rateLimitRemaining)
    }

    @Test
    fun jwtPrincipalCarriesClaims() {
        val clock = ManualClock(Instant.ofEpochSecond(now.toLong()))
        val key = JwtKey.hmac("gateway-kotlin-secret-0123456789ab".toByteArray(), Algorithm.HS256)
        val token = JwtIssuer(key, JwtIssuerOptions(issuer = "https://issuer.example"))
            .issue("""{"scp":["read","admin"],"tenant":"t-1"}""", JwtIssueOptions(subject = "bob"))
        val verifier = JwtVerifier.withKey(
            key,
            JwtVerifierOptions(algorithms = listOf(Algorithm.HS256), issuers = listOf("https://issuer.example"), clock = clock),
        )
        val auth = Authenticator(AuthenticatorOptions(jwt = verifier))
        // The token was issued on the system clock; the verifier's clock is years earlier.
        val early = refused(auth.authenticate(AuthRequest(headers = listOf(HttpHeader("Authorization", "Bearer $token")))))
        assertEquals(401, early.status.toInt())
        assertEquals(ErrorCode.NOT_YET_VALID, early.code)

        clock.set(Instant.now())
        val p = allowed(
            auth.authenticate(
                AuthRequest(
                    headers = listOf(HttpHeader("authorization", "Bearer $token")),
                    requiredScopes = listOf("admin"),
                ),
            ),
        )
        assertEquals(CredentialKind.JWT, p.kind)
        assertEquals("bob", p.subject)
        assertEquals(listOf("read", "admin"), p.scopes)
        val claims = JSONObject(p.claimsJson)
        assertEquals("t-1", claims.getString("tenant"))
        assertEquals(claims.getString("jti"), p.keyId)
    }

    @Test
    fun rateLimitFollowsTheManualClock() {
        val clock = ManualClock(Instant.ofEpochSecond(now.toLong()))
        val keys = ApiKeys("tw_test", ApiKeysOptions(clock = clock))
        val key = keys.create("acct").secret.expose()
        val auth = Authenticator(
            AuthenticatorOptions(
                apiKeys = keys,
                rateLimit = RateLimit(rate = 2u, burst = 3u, period = Duration.ofSeconds(1)), // one per 500 ms, bursts of 3
                clock = clock,
            ),
        )
        val remaining = (0 until 3).map { allowed(auth.authenticate(keyRequest(key))).rateLimitRemaining }
        assertEquals(listOf(2uL, 1uL, 0uL), remaining)
        val r = refused(auth.authenticate(keyRequest(key)))
        assertEquals(Triple(429, ErrorCode.RATE_LIMITED, Duration.ofSeconds(1)), Triple(r.status.toInt(), r.code, r.retryAfter))
        assertNull(r.wwwAuthenticate)
        clock.advance(Duration.ofMillis(499))
        refused(auth.authenticate(keyRequest(key)))
        clock.advance(Duration.ofMillis(1))
        assertEquals(0uL, allowed(auth.authenticate(keyRequest(key))).rateLimitRemaining)
        clock.advance(Duration.ofSeconds(10))
        assertEquals(2uL, allowed(auth.authenticate(keyRequest(key))).rateLimitRemaining)
    }

    @Test
    fun ipRateLimitCountsIpv6Per64() {
        val clock = ManualClock(Instant.ofEpochSecond(now.toLong()))
        val keys = ApiKeys("tw_test", ApiKeysOptions(clock = clock))
        val key = keys.create("acct").secret.expose()
        val auth = Authenticator(
            AuthenticatorOptions(
                apiKeys = keys,
                ipRateLimit = RateLimit(rate = 1u, burst = 1u, period = Duration.ofSeconds(60)),
                clock = clock,
            ),
        )
        allowed(auth.authenticate(keyRequest(key, "2001:db8:1:2::1")))
        assertEquals(ErrorCode.RATE_LIMITED, refused(auth.authenticate(keyRequest(key, "[2001:db8:1:2:ffff::9]"))).code)
        allowed(auth.authenticate(keyRequest(key, "2001:db8:1:3::1%eth0")))
        allowed(auth.authenticate(keyRequest(key, "192.0.2.1")))
        assertEquals(ErrorCode.RATE_LIMITED, refused(auth.authenticate(keyRequest(key, "::ffff:192.0.2.1"))).code)
    }

    @Test
    fun revocationListAppliesAtOnceAndExpires() {
        val clock = ManualClock(Instant.ofEpochSecond(now.toLong()))
        val keys = ApiKeys("tw_test", ApiKeysOptions(clock = clock))
        val issued = keys.create("acct_rev", listOf("read"))
        val key = issued.secret.expose()
        val list = RevocationList(RevocationListOptions(clock = clock))
        val auth = Authenticator(AuthenticatorOptions(apiKeys = keys, revocations = list))
        allowed(auth.authenticate(keyRequest(key)))

        list.revoke(RevocationKind.KEY_ID, issued.record.id, Instant.ofEpochSecond(now.toLong() + 60))
        assertEquals("key_id", RevocationKind.KEY_ID.toString())
        assertTrue(list.isRevoked(RevocationKind.KEY_ID, issued.record.id))
        val r = refused(auth.authenticate(keyRequest(key)))
        assertEquals(401 to ErrorCode.REVOKED, r.status.toInt() to r.code)
        clock.advance(Duration.ofSeconds(60))
        allowed(auth.authenticate(keyRequest(key)))
        assertEquals(0uL, list.purge())

        list.revoke(RevocationKind.SUBJECT, "acct_rev", Instant.ofEpochSecond(now.toLong() + 3600))
        assertEquals(ErrorCode.REVOKED, refused(auth.authenticate(keyRequest(key))).code)
        assertTrue(list.unrevoke(RevocationKind.SUBJECT, "acct_rev"))
        allowed(auth.authenticate(keyRequest(key)))

        val e = assertThrows<TokenwardException.Failed> { list.revoke(RevocationKind.JTI, "j-1", Instant.ofEpochSecond(now.toLong())) }
        assertEquals(ErrorCode.INVALID_INPUT, e.code)
        val full = RevocationList(RevocationListOptions(maxEntries = 1uL, clock = clock))
        assertEquals(ErrorCode.INVALID_INPUT, assertThrows<TokenwardException.Failed> { RevocationList(RevocationListOptions(maxEntries = 0uL)) }.code)
        val later = clock.now().plusSeconds(10)
        full.revoke(RevocationKind.JTI, "a", later)
        assertEquals(ErrorCode.INVALID_INPUT, assertThrows<TokenwardException.Failed> { full.revoke(RevocationKind.JTI, "b", later) }.code)
        assertEquals(1uL, full.size())
    }

    @Test
    fun invalidConfigurationAndInputThrow() {
        fun code(block: () -> Unit): String =
            assertThrows<TokenwardException.Failed> { block() }.code.asString()
        assertEquals("invalid_input", code { Authenticator(AuthenticatorOptions()) })
        val keys = ApiKeys("tw_test")
        assertEquals("invalid_input", code { Authenticator(AuthenticatorOptions(apiKeys = keys, ipDeny = listOf("10.0.0.0/33"))) })
        assertEquals(
            "invalid_input",
            code { Authenticator(AuthenticatorOptions(apiKeys = keys, rateLimit = RateLimit(rate = 0u, burst = 1u, period = Duration.ofSeconds(1)))) },
        )
        assertEquals("invalid_input", code { Authenticator(AuthenticatorOptions(apiKeys = keys, realm = "a\nb")) })
        val auth = Authenticator(AuthenticatorOptions(apiKeys = keys))
        assertEquals("invalid_input", code { auth.authenticate(AuthRequest(clientIp = "not-an-ip")) })
        // No client address and no IP rules: only the credential matters.
        assertEquals(ErrorCode.MISSING_CREDENTIALS, refused(auth.authenticate(AuthRequest())).code)
    }

    @Test
    fun optInSources() {
        val keys = ApiKeys("tw_test")
        val key = keys.create("acct").secret.expose()
        val auth = Authenticator(AuthenticatorOptions(apiKeys = keys, queryParam = "api_key", cookie = "session"))
        assertEquals("acct", allowed(auth.authenticate(AuthRequest(path = "/x?api_key=$key"))).subject)
        assertEquals(
            "acct",
            allowed(auth.authenticate(AuthRequest(headers = listOf(HttpHeader("Cookie", "theme=dark; session=$key"))))).subject,
        )
        assertEquals(listOf("authorization", "x-api-key", "cookie"), auth.headerNames())
        val off = Authenticator(AuthenticatorOptions(apiKeys = keys))
        assertFalse(off.hasIntrospection())
        assertEquals(ErrorCode.MISSING_CREDENTIALS, refused(off.authenticate(AuthRequest(path = "/x?api_key=$key"))).code)
    }

    @Test
    fun concurrentRequestsGetExactlyTheBudget() {
        val clock = ManualClock(Instant.ofEpochSecond(now.toLong()))
        val keys = ApiKeys("tw_test", ApiKeysOptions(clock = clock))
        val key = keys.create("acct").secret.expose()
        val auth = Authenticator(
            AuthenticatorOptions(
                apiKeys = keys,
                rateLimit = RateLimit(rate = 1u, burst = 100u, period = Duration.ofSeconds(60)),
                clock = clock,
            ),
        )
        val threads = 8
        val perThread = 50
        val pool = Executors.newFixedThreadPool(threads)
        val start = CountDownLatch(1)
        try {
            val results = (0 until threads).map {
                pool.submit(
                    Callable {
                        start.await()
                        (0 until perThread).map { auth.authenticate(keyRequest(key)) }
                    },
                )
            }
            start.countDown()
            val decisions = results.flatMap { it.get(60, TimeUnit.SECONDS) }
            assertEquals(threads * perThread, decisions.size)
            assertEquals(100, decisions.count { it is AuthDecision.Allowed })
            assertTrue(decisions.filterIsInstance<AuthDecision.Refused>().all { it.refusal.code == ErrorCode.RATE_LIMITED })
        } finally {
            pool.shutdownNow()
        }
    }

    @Test
    fun authenticateAsyncWithoutIntrospection() = runBlocking {
        val clock = ManualClock(Instant.ofEpochSecond(now.toLong()))
        val keys = ApiKeys("tw_test", ApiKeysOptions(clock = clock))
        val key = keys.create("acct", listOf("read")).secret.expose()
        val auth = Authenticator(
            AuthenticatorOptions(
                apiKeys = keys,
                rateLimit = RateLimit(rate = 1u, burst = 20u, period = Duration.ofSeconds(60)),
                clock = clock,
            ),
        )
        assertEquals("acct", allowed(auth.authenticateAsync(keyRequest(key, scopes = listOf("read")))).subject)
        assertEquals(ErrorCode.MISSING_CREDENTIALS, refused(auth.authenticateAsync(AuthRequest())).code)
        // Many coroutines against one budget: exactly the rest of the burst gets through.
        val decisions = (0 until 60).map { async { auth.authenticateAsync(keyRequest(key)) } }.awaitAll()
        assertEquals(19, decisions.count { it is AuthDecision.Allowed })
    }

    @Test
    fun opaqueTokensThroughIntrospection() = runBlocking {
        val client = OAuthClient.discover(OAuthMock.issuer, "kt-client", OAuthClientOptions(clientSecret = Secret("kt-secret")))
        val keys = ApiKeys("tw_test")
        val auth = Authenticator(AuthenticatorOptions(apiKeys = keys, introspection = client))
        assertTrue(auth.hasIntrospection())
        fun bearer(token: String, scopes: List<String> = emptyList()) =
            AuthRequest(headers = listOf(HttpHeader("Authorization", "Bearer $token")), requiredScopes = scopes)

        val p = allowed(auth.authenticateAsync(bearer("opaque-kt-gw-1", listOf("read"))))
        assertEquals(CredentialKind.INTROSPECTED, p.kind)
        assertEquals("mock-client", p.subject)
        assertEquals(listOf("read", "write"), p.scopes)
        assertEquals(true, JSONObject(p.claimsJson).getBoolean("active"))
        assertEquals(1uL, auth.introspectionCacheLen())
        // The synchronous call serves the cached answer, and introspects (blocking) otherwise.
        assertEquals("mock-client", allowed(auth.authenticate(bearer("opaque-kt-gw-1"))).subject)
        assertEquals("mock-client", allowed(auth.authenticate(bearer("opaque-kt-gw-2"))).subject)
        assertEquals(2uL, auth.introspectionCacheLen())
        val scope = refused(auth.authenticateAsync(bearer("opaque-kt-gw-1", listOf("admin"))))
        assertEquals(403 to ErrorCode.INSUFFICIENT_SCOPE, scope.status.toInt() to scope.code)
        // Revoked at the server: introspects as inactive.
        client.revoke(Secret("opaque-kt-gw-3"))
        val inactive = refused(auth.authenticateAsync(bearer("opaque-kt-gw-3")))
        assertEquals(401 to ErrorCode.UNKNOWN_KEY, inactive.status.toInt() to inactive.code)
        assertTrue(inactive.wwwAuthenticate!!.contains("error=\"invalid_token\""))
        // API keys still go to ApiKeys, not to introspection.
        val key = keys.create("acct").secret.expose()
        assertEquals(CredentialKind.API_KEY, allowed(auth.authenticateAsync(bearer(key))).kind)
    }
}
