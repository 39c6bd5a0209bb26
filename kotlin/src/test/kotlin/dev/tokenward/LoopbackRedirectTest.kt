package dev.tokenward

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import java.io.IOException
import java.net.HttpURLConnection
import java.net.URI
import java.time.Duration

/**
 * The loopback redirect of a desktop or command-line login (RFC 8252 §7.3) against the real
 * oauth2-mock-server: the test plays the browser, following the authorization URL (the mock's
 * /authorize redirects with a code) to the loopback listener, which completes the flow.
 */
class LoopbackRedirectTest {
    @BeforeEach
    fun reset() {
        OAuthMock.control("/__reset")
    }

    private suspend fun client(): OAuthClient =
        OAuthClient.discover(OAuthMock.issuer, "kt-cli", OAuthClientOptions(authMethod = AuthMethod.PUBLIC_CLIENT))

    private fun get(url: String, follow: Boolean = true): HttpURLConnection =
        (URI(url).toURL().openConnection() as HttpURLConnection).apply {
            instanceFollowRedirects = follow
            connectTimeout = 5000
            readTimeout = 5000
        }

    private suspend fun codeOf(block: suspend () -> Unit): String? =
        try {
            block()
            null
        } catch (e: TokenwardException.Failed) {
            e.code.asString()
        }

    @Test
    fun aCliLoginCompletesThroughTheLoopbackListener() = runBlocking {
        val redirect = LoopbackRedirect()
        assertEquals("http://127.0.0.1:${redirect.port()}/callback", redirect.redirectUri())
        val flow = AuthorizationFlow(client(), redirect.redirectUri(), AuthorizationFlowOptions(scopes = listOf("openid")))
        val waiting = async { redirect.complete(flow, Duration.ofSeconds(10)) }
        val (favicon, page) = withContext(Dispatchers.IO) {
            val favicon = get("http://127.0.0.1:${redirect.port()}/favicon.ico").responseCode
            val authorize = get(flow.authorizationUrl(), follow = false)
            assertEquals(302, authorize.responseCode)
            val location = authorize.getHeaderField("Location")!!
            assertTrue(location.startsWith(redirect.redirectUri() + "?"))
            val callback = get(location)
            assertEquals(200, callback.responseCode)
            favicon to callback.inputStream.use { it.readBytes().toString(Charsets.UTF_8) }
        }
        val tokens = waiting.await()
        assertTrue(tokens.accessToken().expose().isNotEmpty())
        assertNotNull(tokens.idToken())
        assertEquals(404, favicon)
        assertTrue(page.contains("close this window"))
        assertFalse(redirect.toString().contains(flow.state()))
        // The listener is closed: a second request is refused, a second wait too.
        withContext(Dispatchers.IO) {
            assertThrows(IOException::class.java) { get(redirect.redirectUri() + "?code=again").responseCode }
        }
        assertEquals("invalid_input", codeOf { redirect.complete(flow, Duration.ofMillis(100)) })
    }

    @Test
    fun noRedirectInTimeIsATimeout() = runBlocking {
        val redirect = LoopbackRedirect()
        val flow = AuthorizationFlow(client(), redirect.redirectUri(), AuthorizationFlowOptions())
        assertEquals("timeout", codeOf { redirect.complete(flow, Duration.ofMillis(200)) })
    }
}
