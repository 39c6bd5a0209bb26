package dev.tokenward

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assertions.fail
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import java.time.Duration
import java.util.UUID
import kotlin.random.Random

/**
 * Sessions and abuse counters on the shared backends from Kotlin (docs/sessions.md,
 * docs/abuse.md): two instances opened from one Redis or PostgreSQL URL share sessions,
 * rotations and revocations; two Authenticators on one Redis share a lockout. The servers come
 * from scripts/servers.sh; under CI a missing server fails the test, elsewhere it is skipped.
 */
class SharedSessionsTest {
    private fun url(name: String): String {
        val value = System.getenv(name)
        if (value.isNullOrEmpty()) {
            if (!System.getenv("CI").isNullOrEmpty()) fail<Unit>("$name is not set: run the tests through scripts/servers.sh")
            assumeTrue(false, "$name is not set (scripts/servers.sh)")
        }
        return value!!
    }

    private fun codeOf(block: () -> Unit): String =
        try {
            block()
            "ok"
        } catch (e: TokenwardException.Failed) {
            e.code.asString()
        }

    private fun shared(store: String) {
        val a = Sessions(SessionsOptions(store = store))
        val b = Sessions(SessionsOptions(store = store))
        val subject = "kt-" + UUID.randomUUID().toString().take(12)
        val issued = a.create(subject, mapOf("scope" to "read"))
        assertEquals(subject, b.verify(issued.id.expose()).subject)
        val rotated = b.rotate(issued.id.expose(), null, mapOf("scope" to "read admin"))
        assertEquals("revoked", codeOf { a.verify(issued.id.expose()) })
        assertEquals(mapOf("scope" to "read admin"), a.verify(rotated.id.expose()).data)
        a.create(subject, null)
        assertEquals(2uL, b.revokeSubject(subject))
        assertEquals("revoked", codeOf { a.verify(rotated.id.expose()) })
    }

    @Test
    fun `a session created through one instance is found through another on redis`() = shared(url("TOKENWARD_TEST_REDIS_URL"))

    @Test
    fun `a session created through one instance is found through another on postgres`() = shared(url("TOKENWARD_TEST_POSTGRES_URL"))

    @Test
    fun `a redis that is down is an error code and the password is never shown`() {
        val sessions = Sessions(SessionsOptions(store = "redis://user:hunter2secret@127.0.0.1:1/"))
        val e = runCatching { sessions.create("alice", null) }.exceptionOrNull() as TokenwardException.Failed
        assertTrue(e.code.asString() in listOf("network", "timeout"), e.code.asString())
        assertFalse("$sessions ${e.message}".contains("hunter2secret"))
    }

    @Test
    fun `two authenticators on one redis share the lockout`() {
        val redis = url("TOKENWARD_TEST_REDIS_URL")
        val keys = ApiKeys("tw_ab", ApiKeysOptions())
        val good = keys.create("acct", emptyList()).secret.expose()
        fun instance() = Authenticator(
            AuthenticatorOptions(
                apiKeys = keys,
                abuseDetection = AbuseDetection()
                    .withLockout(Lockout(Threshold(3u, Duration.ofSeconds(60)), Duration.ofSeconds(30)))
                    .withStore(redis)
                    .withStoreFailOpen(false),
            ),
        )
        val (a, b) = instance() to instance()
        // An address no earlier run used (the counters outlive a run in the shared Redis).
        fun hex() = Random.nextInt(0x10000).toString(16)
        val ip = "2001:db8:${hex()}:${hex()}:${hex()}::1"
        fun call(auth: Authenticator, key: String, from: String) =
            auth.authenticate(AuthRequest(headers = listOf(HttpHeader("X-API-Key", key)), clientIp = from))
        listOf(a, a, b).forEachIndexed { i, auth ->
            val d = call(auth, "bad-$i-$ip", ip) as AuthDecision.Refused
            assertEquals(401, d.refusal.status.toInt())
        }
        val locked = call(a, good, ip) as AuthDecision.Refused
        assertEquals(429 to "rate_limited", locked.refusal.status.toInt() to locked.refusal.code.asString())
        assertTrue(locked.refusal.retryAfter!!.seconds in 29L..30L)
        assertTrue(call(b, good, "192.0.2.77") is AuthDecision.Allowed)
    }
}
