package dev.tokenward

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assertions.fail
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test

/**
 * The DPoP `jti` replay cache on Redis (`DpopVerifierOptions(replayCacheStore = "redis://…")`):
 * a proof accepted by one verifier is a replay at another; an unreachable Redis fails closed.
 * The server comes from scripts/servers.sh; under CI a missing server fails the test.
 */
class DpopRedisTest {
    private val url = "https://api.example/orders"

    private fun codeOf(block: () -> Unit): String? =
        try {
            block()
            null
        } catch (e: TokenwardException.Failed) {
            e.code.asString()
        }

    @Test
    fun `a proof accepted by one verifier is a replay at every other`() {
        val redis = System.getenv("TOKENWARD_TEST_REDIS_URL")
        if (redis.isNullOrEmpty()) {
            if (!System.getenv("CI").isNullOrEmpty()) fail<Unit>("TOKENWARD_TEST_REDIS_URL is not set")
            assumeTrue(false, "TOKENWARD_TEST_REDIS_URL is not set (scripts/servers.sh)")
        }
        val a = DpopVerifier(DpopVerifierOptions(replayCacheStore = redis))
        val b = DpopVerifier(DpopVerifierOptions(replayCacheStore = redis))
        val key = DpopKey.generate(Algorithm.ES256)
        val proof = key.proof("GET", url, null)
        assertEquals(key.thumbprint(), a.verify(proof, "GET", url, DpopChecks()).jkt)
        assertEquals("invalid_dpop_proof", codeOf { b.verify(proof, "GET", url, DpopChecks()) })
        assertEquals(0uL, a.replayCacheLen())
        b.verify(key.proof("GET", url, null), "GET", url, DpopChecks())
    }

    @Test
    fun `an unreachable redis fails closed`() {
        val v = DpopVerifier(DpopVerifierOptions(replayCacheStore = "redis://127.0.0.1:1/"))
        val proof = DpopKey.generate(Algorithm.ED_DSA).proof("GET", url, null)
        val code = codeOf { v.verify(proof, "GET", url, DpopChecks()) }
        assertTrue(code == "network" || code == "timeout", code)
        assertEquals("invalid_input", codeOf { DpopVerifier(DpopVerifierOptions(replayCacheStore = "postgres://x/y")) })
    }
}
