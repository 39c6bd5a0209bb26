package dev.tokenward

import kotlinx.coroutines.runBlocking
import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.net.URLEncoder
import java.time.Duration
import java.time.Instant

/** The verified-token cache (`JwtVerifierOptions.cacheSize`): expiry, rotation, revocation, bound. */
class JwtCacheTest {
    private val now = 1_900_000_000L

    private inline fun codeOf(block: () -> Unit): String? =
        try {
            block()
            null
        } catch (e: TokenwardException.Failed) {
            e.code.asString()
        }

    private suspend fun codeOfSuspend(block: suspend () -> Unit): String? =
        try {
            block()
            null
        } catch (e: TokenwardException.Failed) {
            e.code.asString()
        }

    private fun key(alg: Algorithm): JwtKey =
        if (alg == Algorithm.HS256) JwtKey.hmac("cache-kotlin-secret-0123456789abcdef".toByteArray(), alg) else JwtKey.generate(alg)

    @Test
    fun aCachedTokenIsRefusedAfterExpWithTheSameLeeway() {
        for (alg in listOf(Algorithm.ES256, Algorithm.ED_DSA, Algorithm.RS256, Algorithm.HS256)) {
            val clock = ManualClock(Instant.ofEpochSecond(now))
            val k = key(alg)
            val token = JwtIssuer(k, JwtIssuerOptions(ttl = Duration.ofSeconds(60), clock = clock))
                .issue("""{"n":1}""", JwtIssueOptions(subject = "u1"))
            val cached = JwtVerifier.withKey(k, JwtVerifierOptions(algorithms = listOf(alg), leeway = Duration.ofSeconds(5), clock = clock, cacheSize = 8u))
            val uncached = JwtVerifier.withKey(k, JwtVerifierOptions(algorithms = listOf(alg), leeway = Duration.ofSeconds(5), clock = clock))
            assertEquals(JSONObject(uncached.verify(token)).toString(), JSONObject(cached.verify(token)).toString())
            assertEquals(1, JSONObject(cached.verify(token)).getInt("n"))
            assertEquals(1uL, cached.cacheLen())
            assertEquals(0uL, uncached.cacheLen())
            clock.advance(Duration.ofSeconds(64))
            assertEquals("u1", cached.verifyClaims(token).subject)
            clock.advance(Duration.ofSeconds(1))
            assertEquals("expired", codeOf { cached.verify(token) }, "$alg")
            assertEquals("expired", codeOf { uncached.verify(token) })
            assertEquals(0uL, cached.cacheLen())
        }
    }

    @Test
    fun failuresAreNeverCachedAndTheBoundHolds() {
        val clock = ManualClock(Instant.ofEpochSecond(now))
        val k = key(Algorithm.ES256)
        val issuer = JwtIssuer(k, JwtIssuerOptions(clock = clock))
        val verifier = JwtVerifier.withKey(k, JwtVerifierOptions(algorithms = listOf(Algorithm.ES256), clock = clock, cacheSize = 5u))
        val token = issuer.issue("{}", JwtIssueOptions())
        val tampered = token.dropLast(10) + (if (token[token.length - 10] == 'A') 'B' else 'A') + token.takeLast(9)
        repeat(2) { assertEquals("invalid_signature", codeOf { verifier.verify(tampered) }) }
        assertEquals(0uL, verifier.cacheLen())
        for (i in 0 until 50) {
            val t = issuer.issue("""{"n":$i}""", JwtIssueOptions())
            assertEquals(i, JSONObject(verifier.verify(t)).getInt("n"))
            assertEquals(i, JSONObject(verifier.verify(t)).getInt("n"))
            assertTrue(verifier.cacheLen() <= 5uL)
        }
        assertEquals(5uL, verifier.cacheLen())
    }

    @Test
    fun aJwksRotationDropsTheCachedTokens() = runBlocking {
        val a = JwtKey.generate(Algorithm.ES256).withKid("a")
        val b = JwtKey.generate(Algorithm.ES256).withKid("b")
        fun publish(key: JwtKey) {
            val set = KeySet()
            set.insert(key)
            OAuthMock.control("/__jwks_doc?doc=" + URLEncoder.encode(set.toJwksJson(), Charsets.UTF_8))
        }
        publish(a)
        val remote = RemoteKeySet(OAuthMock.issuer + "/__jwks_doc", RemoteKeySetOptions(cooldown = Duration.ZERO))
        val verifier = RemoteJwtVerifier(remote, JwtVerifierOptions(algorithms = listOf(Algorithm.ES256), cacheSize = 8u))
        val tokenA = JwtIssuer(a, JwtIssuerOptions()).issue("{}", JwtIssueOptions())
        verifier.verify(tokenA)
        verifier.verify(tokenA)
        // The set rotates to b: b's token refetches it, and a's cached token is refused after.
        publish(b)
        verifier.verify(JwtIssuer(b, JwtIssuerOptions()).issue("{}", JwtIssueOptions()))
        assertEquals(2uL, remote.fetchCount())
        assertEquals("key_not_found", codeOfSuspend { verifier.verify(tokenA) })
    }

    @Test
    fun revocationAndScopesStillRunForACachedTokenAtTheAuthenticator() {
        val clock = ManualClock(Instant.ofEpochSecond(now))
        val k = JwtKey.generate(Algorithm.ED_DSA)
        val token = JwtIssuer(k, JwtIssuerOptions(clock = clock))
            .issue("""{"jti":"tok-1","scope":"read"}""", JwtIssueOptions(subject = "alice"))
        val verifier = JwtVerifier.withKey(k, JwtVerifierOptions(algorithms = listOf(Algorithm.ED_DSA), clock = clock, cacheSize = 16u))
        val revocations = RevocationList(RevocationListOptions(clock = clock))
        val auth = Authenticator(AuthenticatorOptions(jwt = verifier, revocations = revocations, clock = clock))
        fun request(vararg scopes: String) =
            auth.authenticate(AuthRequest(headers = listOf(HttpHeader("authorization", "Bearer $token")), requiredScopes = scopes.toList()))
        assertTrue(request("read") is AuthDecision.Allowed)
        assertEquals(1uL, verifier.cacheLen())
        assertEquals(ErrorCode.INSUFFICIENT_SCOPE, (request("write") as AuthDecision.Refused).refusal.code)
        revocations.revoke(RevocationKind.JTI, "tok-1", Instant.ofEpochSecond(now + 600))
        val refused = (request("read") as AuthDecision.Refused).refusal
        assertEquals(ErrorCode.REVOKED, refused.code)
        assertEquals(401, refused.status.toInt())
        assertEquals(1uL, verifier.cacheLen())
        assertTrue(revocations.unrevoke(RevocationKind.JTI, "tok-1"))
        assertTrue(request("read") is AuthDecision.Allowed)
        clock.advance(Duration.ofSeconds(3600))
        val expired = request()
        assertFalse(expired is AuthDecision.Allowed)
        assertEquals(ErrorCode.EXPIRED, (expired as AuthDecision.Refused).refusal.code)
    }
}
