package dev.tokenward

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.runBlocking
import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import java.time.Duration

/** RemoteKeySet / RemoteJwtVerifier: tokens of the mock server verified through its JWKS. */
class RemoteJwksTest {
    private val issuer get() = OAuthMock.issuer

    @BeforeEach
    fun reset() {
        OAuthMock.control("/__reset")
    }

    private suspend fun codeOf(block: suspend () -> Unit): String? =
        try {
            block()
            null
        } catch (e: TokenwardException.Failed) {
            e.code.asString()
        }

    @Test
    fun serverTokensVerifyThroughDiscoveredJwks() = runBlocking {
        val client = OAuthClient.discover(issuer, "kt-client", OAuthClientOptions(clientSecret = Secret("kt-secret")))
        val remote = RemoteKeySet.discover(issuer)
        assertEquals(issuer, remote.issuer())
        assertEquals(client.jwksUri(), remote.url())
        val verifier = RemoteJwtVerifier(remote, JwtVerifierOptions(algorithms = listOf(Algorithm.RS256), issuers = listOf(issuer)))
        val tok = client.clientCredentials(listOf("read")).accessToken()
        val claims = JSONObject(verifier.verify(tok.expose()))
        assertEquals("read", claims.getString("scope"))
        val typed = verifier.verifyClaims(tok.expose())
        assertEquals(issuer, typed.issuer)
        assertTrue(typed.expiresAt!! > 0)
        // Cached: one fetch for both verifications.
        assertEquals(1uL, remote.fetchCount())
        assertEquals(1, OAuthMock.count("jwks"))
        assertTrue(JSONObject(remote.keys().toJwksJson()).getJSONArray("keys").length() >= 1)
        assertFalse(verifier.toString().contains(tok.expose()))

        val parts = tok.expose().split(".")
        val sig = parts[2].toCharArray().also { it[10] = if (it[10] == 'A') 'B' else 'A' }
        val tampered = parts[0] + "." + parts[1] + "." + String(sig)
        assertEquals("invalid_signature", codeOf { verifier.verify(tampered) })
        // A verifier naming another issuer than discovery found is refused at construction.
        assertEquals(
            "invalid_input",
            codeOf { RemoteJwtVerifier(remote, JwtVerifierOptions(algorithms = listOf(Algorithm.RS256), issuers = listOf("https://other.example"))) },
        )
        val es = RemoteJwtVerifier(remote, JwtVerifierOptions(algorithms = listOf(Algorithm.ES256)))
        assertEquals("algorithm_not_allowed", codeOf { es.verify(tok.expose()) })
    }

    @Test
    fun concurrentFirstUseFetchesOnceAndUnknownKidRespectsCooldown() = runBlocking {
        val client = OAuthClient.discover(issuer, "kt-client", OAuthClientOptions(clientSecret = Secret("kt-secret")))
        val remote = RemoteKeySet(client.jwksUri()!!, RemoteKeySetOptions(ttl = Duration.ofMinutes(5), timeout = Duration.ofSeconds(3)))
        val verifier = RemoteJwtVerifier(remote, JwtVerifierOptions(algorithms = listOf(Algorithm.RS256)))
        val tok = client.clientCredentials(listOf("read")).accessToken().expose()
        val subjects = (1..200).map { async(Dispatchers.Default) { verifier.verifyClaims(tok).subject } }.awaitAll()
        assertEquals(200, subjects.size)
        assertEquals(1uL, remote.fetchCount())
        assertEquals(1, OAuthMock.count("jwks"))

        // A token signed by a key the server never published: key_not_found, and no refetch
        // within the cooldown (forged kids cannot hammer the server).
        val stranger = JwtKey.generate(Algorithm.RS256).withKid("not-on-the-server")
        val forged = JwtIssuer(stranger, JwtIssuerOptions()).issue(null, JwtIssueOptions())
        assertEquals("key_not_found", codeOf { verifier.verify(forged) })
        assertEquals("key_not_found", codeOf { verifier.verify(forged) })
        assertEquals(1uL, remote.fetchCount())
    }

    @Test
    fun urlPolicyAndOptionsAreChecked() = runBlocking {
        fun code(block: () -> Unit) = (runCatching(block).exceptionOrNull() as? TokenwardException.Failed)?.code?.asString()
        assertEquals("invalid_input", code { RemoteKeySet("http://keys.example/jwks.json") })
        RemoteKeySet("http://keys.example/jwks.json", RemoteKeySetOptions(dangerousAllowHttp = true))
        assertEquals("invalid_input", code { RemoteKeySet("$issuer/jwks", RemoteKeySetOptions(timeout = Duration.ZERO)) })
        val remote = RemoteKeySet("$issuer/jwks")
        assertEquals("invalid_input", code { RemoteJwtVerifier(remote, JwtVerifierOptions(algorithms = listOf())) })
        val down = RemoteKeySet("http://127.0.0.1:9/jwks", RemoteKeySetOptions(timeout = Duration.ofMillis(500)))
        val v = RemoteJwtVerifier(down, JwtVerifierOptions(algorithms = listOf(Algorithm.RS256)))
        assertTrue(codeOf { v.verify("a.b.c") } in setOf("network", "timeout"))
        assertEquals("RemoteKeySet(url: $issuer/jwks)", remote.toString())
    }
}
