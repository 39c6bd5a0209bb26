package dev.tokenward

import kotlinx.coroutines.runBlocking
import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import java.time.Duration
import java.util.Base64

/** The gateway on rotating keys: `AuthenticatorOptions(remoteJwt = …)` against the real mock server. */
class GatewayRemoteJwtTest {
    private val issuer get() = OAuthMock.issuer

    @BeforeEach
    fun reset() {
        OAuthMock.control("/__reset")
    }

    private fun kid(token: String): String =
        JSONObject(String(Base64.getUrlDecoder().decode(token.substringBefore('.')))).getString("kid")

    private fun request(token: String) = AuthRequest(
        method = "GET",
        path = "/",
        headers = listOf(HttpHeader("Authorization", "Bearer $token")),
        clientIp = null,
        requiredScopes = emptyList(),
    )

    private fun outcome(d: AuthDecision): String = when (d) {
        is AuthDecision.Allowed -> "ok".also { assertEquals(CredentialKind.JWT, d.principal.kind) }
        is AuthDecision.Refused -> "${d.refusal.code.asString()}/${d.refusal.status}"
    }

    @Test
    fun aKeyRotatedAtTheProviderIsPickedUpThroughAuthenticateAsync() = runBlocking {
        val client = OAuthClient.discover(issuer, "kt-client", OAuthClientOptions(clientSecret = Secret("kt-secret")))
        suspend fun token() = client.clientCredentials(listOf("read")).accessToken().expose()
        val keys = RemoteKeySet.discover(issuer, RemoteKeySetOptions(cooldown = Duration.ZERO))
        assertEquals(issuer, keys.issuer())
        // No issuer named: the discovered one is enforced.
        val verifier = RemoteJwtVerifier(keys, JwtVerifierOptions(algorithms = listOf(Algorithm.RS256)))
        val auth = Authenticator(AuthenticatorOptions(remoteJwt = verifier))
        assertTrue(auth.hasRemoteJwt())
        assertFalse(auth.hasIntrospection())
        fun sync(t: String) = outcome(auth.authenticate(request(t)))
        suspend fun later(t: String) = outcome(auth.authenticateAsync(request(t)))

        val first = token()
        // The synchronous path never fetches: nothing is cached yet.
        assertEquals("invalid_input/500", sync(first))
        assertEquals(0uL, keys.fetchCount())
        assertEquals("ok", later(first))
        assertEquals(1uL, keys.fetchCount())
        assertEquals("ok", sync(first))

        OAuthMock.control("/__rotate_keys")
        val second = token()
        assertNotEquals(kid(first), kid(second))
        assertEquals("invalid_input/500", sync(second))
        assertEquals(1uL, keys.fetchCount(), "the synchronous path made a request")
        assertEquals("ok", later(second))
        assertEquals(2uL, keys.fetchCount())
        assertEquals("ok", sync(second))
        assertEquals("ok", sync(first))

        OAuthMock.control("/__token_iss?value=https://other.example")
        assertEquals("invalid_issuer/401", later(token()))
    }

    @Test
    fun aVerifierNamingAnotherIssuerThanDiscoveryIsRefused() = runBlocking {
        val keys = RemoteKeySet.discover(issuer)
        val e = runCatching {
            RemoteJwtVerifier(keys, JwtVerifierOptions(algorithms = listOf(Algorithm.RS256), issuers = listOf("https://other.example")))
        }.exceptionOrNull() as? TokenwardException.Failed
        assertEquals("invalid_input", e?.code?.asString())
        RemoteJwtVerifier(keys, JwtVerifierOptions(algorithms = listOf(Algorithm.RS256), issuers = listOf(issuer)))
        Unit
    }
}
