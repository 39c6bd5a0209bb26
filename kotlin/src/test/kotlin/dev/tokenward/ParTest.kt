package dev.tokenward

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import java.net.HttpURLConnection
import java.net.URI

/**
 * Pushed authorization requests (RFC 9126) against the real oauth2-mock-server, whose PAR
 * endpoint comes from tests/oauth/par.mjs: `AuthorizationFlow.start` pushes the parameters with
 * client authentication, the authorization URL carries client_id and request_uri only, the
 * login goes through it, and refusals carry their codes.
 */
class ParTest {
    private val redirect = "http://127.0.0.1:9/callback"

    @BeforeEach
    fun reset() {
        OAuthMock.control("/__reset")
    }

    private fun follow(url: String): String {
        val conn = URI(url).toURL().openConnection() as HttpURLConnection
        conn.instanceFollowRedirects = false
        assertEquals(302, conn.responseCode)
        return conn.getHeaderField("Location")!!
    }

    private suspend fun codeOf(block: suspend () -> Unit): String? =
        try {
            block()
            null
        } catch (e: TokenwardException.Failed) {
            e.code.asString()
        }

    @Test
    fun pushedLoginWithClientAuthenticationAndDpopJkt() = runBlocking {
        val key = DpopKey.generate(Algorithm.ES256)
        val client = OAuthClient.discover(
            OAuthMock.issuer, "kt-app", OAuthClientOptions(clientSecret = Secret("kt-secret"), dpopKey = key),
        )
        val flow = AuthorizationFlow.start(client, redirect, AuthorizationFlowOptions(scopes = listOf("openid")))
        assertTrue(flow.requestUri()!!.startsWith("urn:ietf:params:oauth:request_uri:"))
        val names = URI(flow.authorizationUrl()).rawQuery.split("&").map { it.substringBefore("=") }
        assertEquals(listOf("client_id", "request_uri"), names)
        val last = OAuthMock.control("/__par_last")
        assertEquals("basic", last.getString("auth"))
        val params = last.getJSONObject("params")
        assertEquals(flow.state(), params.getString("state"))
        assertEquals(flow.nonce(), params.getString("nonce"))
        assertEquals(key.thumbprint(), params.getString("dpop_jkt"))
        val tokens = flow.complete(follow(flow.authorizationUrl()))
        assertTrue(tokens.accessToken().isDpop())
        assertNull(AuthorizationFlow(client, redirect).requestUri())
    }

    @Test
    fun requiredPushingAndRefusals() = runBlocking {
        OAuthMock.control("/__par?mode=require")
        val client = OAuthClient.discover(
            OAuthMock.issuer, "kt-app", OAuthClientOptions(authMethod = AuthMethod.PUBLIC_CLIENT),
        )
        assertEquals("invalid_input", codeOf { AuthorizationFlow(client, redirect) })
        val flow = AuthorizationFlow.start(client, redirect)
        assertEquals("none", OAuthMock.control("/__par_last").getString("auth"))
        assertNotNull(flow.complete(follow(flow.authorizationUrl())).accessToken())

        val plain = OAuthClient(
            "${OAuthMock.issuer}/token", "kt-app",
            OAuthClientOptions(authMethod = AuthMethod.PUBLIC_CLIENT, authorizationUrl = "${OAuthMock.issuer}/authorize"),
        )
        assertEquals(
            "invalid_input",
            codeOf { AuthorizationFlow.start(plain, redirect, AuthorizationFlowOptions(requirePushedAuthorization = true)) },
        )
        OAuthMock.control("/__par?mode=error")
        assertEquals("invalid_input", codeOf { AuthorizationFlow.start(client, redirect) })
        OAuthMock.control("/__par?mode=no_request_uri")
        assertEquals("invalid_response", codeOf { AuthorizationFlow.start(client, redirect) })
        OAuthMock.control("/__par?mode=ok")
        assertEquals(
            "invalid_input",
            codeOf {
                AuthorizationFlow.start(client, redirect, AuthorizationFlowOptions(pushedAuthorizationUrl = "http://as.example/par"))
            },
        )
        assertFalse(flow.authorizationUrl().contains("code_challenge"))
    }

    /** FAPI 2.0 / RFC 7523bis: a known issuer (discovered or configured) is the assertion's sole audience. */
    @Test
    fun privateKeyJwtAssertionsNameTheIssuer() = runBlocking {
        val key = JwtKey.generate(Algorithm.ES256)
        val discovered = OAuthClient.discover(OAuthMock.issuer, "kt-app", OAuthClientOptions(privateKey = key))
        assertEquals(AuthMethod.PRIVATE_KEY_JWT, discovered.authMethod())
        assertEquals(OAuthMock.issuer, discovered.issuer())
        AuthorizationFlow.start(discovered, redirect, AuthorizationFlowOptions())
        assertEquals(OAuthMock.issuer, OAuthMock.control("/__par_last").getString("assertion_aud"))
        val par = OAuthMock.issuer + "/par"
        val configured = OAuthClient(
            OAuthMock.issuer + "/token", "kt-app",
            OAuthClientOptions(privateKey = key, authorizationUrl = OAuthMock.issuer + "/authorize", issuer = "https://as.example"),
        )
        assertEquals("https://as.example", configured.issuer())
        AuthorizationFlow.start(configured, redirect, AuthorizationFlowOptions(pushedAuthorizationUrl = par))
        assertEquals("https://as.example", OAuthMock.control("/__par_last").getString("assertion_aud"))
        val plain = OAuthClient(
            OAuthMock.issuer + "/token", "kt-app",
            OAuthClientOptions(privateKey = key, authorizationUrl = OAuthMock.issuer + "/authorize"),
        )
        assertNull(plain.issuer())
        AuthorizationFlow.start(plain, redirect, AuthorizationFlowOptions(pushedAuthorizationUrl = par))
        assertEquals(OAuthMock.issuer + "/token", OAuthMock.control("/__par_last").getString("assertion_aud"))
    }
}
