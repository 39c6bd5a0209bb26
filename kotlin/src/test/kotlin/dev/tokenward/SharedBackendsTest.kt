package dev.tokenward

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assertions.fail
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import java.time.Instant
import java.util.UUID

/**
 * Shared backends from Kotlin (docs/distributed.md): API keys in PostgreSQL, rate limits and
 * revocations in Redis. The servers come from scripts/servers.sh; under CI a missing server
 * fails the test, elsewhere it is skipped.
 */
class SharedBackendsTest {
    private fun url(name: String): String {
        val value = System.getenv(name)
        if (value.isNullOrEmpty()) {
            if (!System.getenv("CI").isNullOrEmpty()) fail<Unit>("$name is not set: run the tests through scripts/servers.sh")
            assumeTrue(false, "$name is not set (scripts/servers.sh)")
        }
        return value!!
    }

    private fun request(key: String) = AuthRequest(headers = listOf(HttpHeader("X-API-Key", key)))

    @Test
    fun `keys in postgres are shared by instances`() {
        val pg = url("TOKENWARD_TEST_POSTGRES_URL")
        val owner = "kt-" + UUID.randomUUID().toString().take(12)
        val a = ApiKeys("tw_pg", ApiKeysOptions(store = pg))
        val b = ApiKeys("tw_pg", ApiKeysOptions(store = pg))
        val issued = a.create(owner, listOf("read"))
        assertEquals(owner, b.verify(issued.secret.expose()).owner)
        a.revoke(issued.record.id)
        val e = runCatching { ApiKeys("tw_pg", ApiKeysOptions(store = pg)).verify(issued.secret.expose()) }
            .exceptionOrNull() as TokenwardException.Failed
        assertEquals("revoked", e.code.asString())
    }

    @Test
    fun `rate limits and revocations in redis are shared by instances`() {
        val redis = url("TOKENWARD_TEST_REDIS_URL")
        val keys = ApiKeys("tw_rd", ApiKeysOptions())
        val issued = keys.create("kara", emptyList())
        val key = issued.secret.expose()
        val options = {
            AuthenticatorOptions(
                apiKeys = keys,
                rateLimit = RateLimit(rate = 1u, burst = 5u, period = java.time.Duration.ofSeconds(60)),
                rateLimitStore = redis,
                revocations = RevocationList.withStore(redis),
            )
        }
        val instances = listOf(Authenticator(options()), Authenticator(options()))
        assertTrue(instances[0].hasSharedStores())
        assertFalse(Authenticator(AuthenticatorOptions(apiKeys = keys)).hasSharedStores())
        val admitted = (0 until 12).count { instances[it % 2].authenticate(request(key)) is AuthDecision.Allowed }
        assertEquals(5, admitted)

        val keys2 = ApiKeys("tw_rd", ApiKeysOptions())
        val other = keys2.create("kim", emptyList())
        val here = RevocationList.withStore(redis)
        val auth = Authenticator(AuthenticatorOptions(apiKeys = keys2, revocations = RevocationList.withStore(redis)))
        assertTrue(auth.authenticate(request(other.secret.expose())) is AuthDecision.Allowed)
        here.revoke(RevocationKind.KEY_ID, other.record.id, Instant.now().plusSeconds(60))
        val refused = auth.authenticate(request(other.secret.expose())) as AuthDecision.Refused
        assertEquals("revoked", refused.refusal.code.asString())
        assertTrue(here.unrevoke(RevocationKind.KEY_ID, other.record.id))
    }
}
