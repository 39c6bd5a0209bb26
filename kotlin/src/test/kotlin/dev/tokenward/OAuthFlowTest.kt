package dev.tokenward

import kotlinx.coroutines.runBlocking
import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import java.net.HttpURLConnection
import java.net.URI
import java.net.URLDecoder
import java.util.Base64

/**
 * The app login flow (AuthorizationFlow) against the real oauth2-mock-server: its /authorize
 * signs the user in at once and redirects with a code (and RFC 9207 `iss`); the test follows the
 * authorization URL with HttpURLConnection, as the browser would, and hands the redirect over.
 */
class OAuthFlowTest {
    private val redirect = "http://127.0.0.1:9/callback"

    @BeforeEach
    fun reset() {
        OAuthMock.control("/__reset")
    }

    private suspend fun client(): OAuthClient =
        OAuthClient.discover(OAuthMock.issuer, "kt-app", OAuthClientOptions(authMethod = AuthMethod.PUBLIC_CLIENT))

    private fun newFlow(client: OAuthClient) =
        AuthorizationFlow(client, redirect, AuthorizationFlowOptions(scopes = listOf("openid", "profile")))

    /** GETs the authorization URL without following its redirect; returns the Location. */
    private fun follow(url: String): String {
        val conn = URI(url).toURL().openConnection() as HttpURLConnection
        conn.instanceFollowRedirects = false
        assertEquals(302, conn.responseCode)
        return conn.getHeaderField("Location")!!
    }

    private fun query(url: String): Map<String, String> =
        URI(url).rawQuery.split("&").map { it.split("=", limit = 2) }
            .associate { (k, v) -> k to URLDecoder.decode(v, Charsets.UTF_8) }

    private suspend fun codeOf(block: suspend () -> Unit): String? =
        try {
            block()
            null
        } catch (e: TokenwardException.Failed) {
            e.code.asString()
        }

    @Test
    fun loginFlowGetsTokens() = runBlocking {
        val flow = newFlow(client())
        val q = query(flow.authorizationUrl())
        assertEquals(flow.state(), q["state"])
        assertEquals(flow.nonce(), q["nonce"])
        assertEquals("S256", q["code_challenge_method"])
        assertEquals("openid profile", q["scope"])
        val location = follow(flow.authorizationUrl())
        assertTrue(location.contains("iss="))
        val tokens = flow.complete(location)
        assertNotNull(tokens.refreshToken())
        val idToken = tokens.idToken()!!.expose()
        val claims = JSONObject(String(Base64.getUrlDecoder().decode(idToken.split(".")[1])))
        assertEquals(flow.nonce(), claims.getString("nonce"))
        assertEquals(1, OAuthMock.count("token"))
        assertFalse(flow.toString().contains(flow.state()))
    }

    @Test
    fun refusalsComeWithCodes() = runBlocking {
        val client = client()
        val first = newFlow(client)
        val second = newFlow(client)
        assertEquals("invalid_state", codeOf { first.complete(follow(second.authorizationUrl())) })

        OAuthMock.control("/__authorize_error?error=access_denied")
        val denied = newFlow(client)
        assertEquals("access_denied", codeOf { denied.complete(follow(denied.authorizationUrl())) })
        assertEquals(ErrorCode.ACCESS_DENIED.asString(), "access_denied")

        OAuthMock.control("/__authorize_iss?value=https%3A%2F%2Fevil.example")
        val mixed = newFlow(client)
        assertEquals("invalid_issuer", codeOf { mixed.complete(follow(mixed.authorizationUrl())) })

        assertEquals(0, OAuthMock.count("token"))
    }

    @Test
    fun needsAnAuthorizationEndpoint() {
        val bare = OAuthClient("https://as.example/token", "app", OAuthClientOptions(authMethod = AuthMethod.PUBLIC_CLIENT))
        val e = runCatching { AuthorizationFlow(bare, redirect) }.exceptionOrNull() as TokenwardException.Failed
        assertEquals(ErrorCode.INVALID_INPUT, e.code)
    }
}
