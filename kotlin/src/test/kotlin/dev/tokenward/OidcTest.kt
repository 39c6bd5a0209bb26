package dev.tokenward

import kotlinx.coroutines.runBlocking
import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import java.net.HttpURLConnection
import java.net.URI
import java.time.Duration

/**
 * OpenID Connect ID tokens: the shared vectors tests/vectors/oidc.json (local keys), and ID
 * tokens minted by the real oauth2-mock-server, verified through the login flow.
 */
class OidcTest {
    private val redirect = "http://127.0.0.1:9/callback"

    @BeforeEach
    fun reset() {
        OAuthMock.control("/__reset")
    }

    private suspend fun codeOf(block: suspend () -> Unit): String =
        try {
            block()
            "ok"
        } catch (e: TokenwardException.Failed) {
            e.code.asString()
        }

    private fun follow(url: String): String {
        val conn = URI(url).toURL().openConnection() as HttpURLConnection
        conn.instanceFollowRedirects = false
        return conn.getHeaderField("Location")!!
    }

    @Test
    fun idTokenVectors() = runBlocking {
        val v = TestVectors.json("oidc.json")
        val keys = KeySet.fromJwks(v.getJSONObject("jwks").toString())
        val cases = v.getJSONArray("cases")
        assertTrue(cases.length() >= 30)
        for (i in 0 until cases.length()) {
            val c = cases.getJSONObject(i)
            val opts = c.optJSONObject("options") ?: JSONObject()
            val algs = opts.optJSONArray("algorithms")?.let { a ->
                (0 until a.length()).mapNotNull { runCatching { algorithmFromString(a.getString(it)) }.getOrNull() }
            }
            val verifier = IdTokenVerifier(
                v.getString("issuer"),
                opts.optString("client_id", v.getString("client_id")),
                keys,
                IdTokenVerifierOptions(algorithms = algs),
            )
            val ch = c.optJSONObject("checks") ?: JSONObject()
            val checks = IdTokenChecks(
                nonce = ch.optString("nonce").takeIf { ch.has("nonce") },
                maxAge = if (ch.has("max_age")) Duration.ofSeconds(ch.getLong("max_age")) else null,
                accessToken = if (ch.has("access_token")) Secret(ch.getString("access_token")) else null,
                code = if (ch.has("code")) Secret(ch.getString("code")) else null,
            )
            assertEquals(c.getString("expect"), codeOf { verifier.verify(c.getString("token"), checks) }, c.getString("name"))
        }
    }

    @Test
    fun realIdTokensVerifyAndRefusalsHaveCodes() = runBlocking {
        val client = OAuthClient.discover(OAuthMock.issuer, "kt-app", OAuthClientOptions(authMethod = AuthMethod.PUBLIC_CLIENT))
        val verifier = IdTokenVerifier.forClient(client)
        assertEquals(listOf(Algorithm.RS256), verifier.algorithms())
        val flow = AuthorizationFlow(client, redirect, AuthorizationFlowOptions(scopes = listOf("openid")))
        val tokens = flow.complete(follow(flow.authorizationUrl()))
        val claims = JSONObject(tokens.idTokenClaimsJson()!!)
        assertEquals("johndoe", claims.getString("sub"))
        assertEquals(flow.nonce(), claims.getString("nonce"))

        val idToken = tokens.idToken()!!.expose()
        assertEquals("ok", codeOf { verifier.verify(idToken, IdTokenChecks(nonce = flow.nonce())) })
        assertEquals("invalid_nonce", codeOf { verifier.verify(idToken, IdTokenChecks(nonce = "not-the-nonce")) })
        val other = IdTokenVerifier.forClient(
            OAuthClient.discover(OAuthMock.issuer, "other-app", OAuthClientOptions(authMethod = AuthMethod.PUBLIC_CLIENT)),
        )
        assertEquals("invalid_audience", codeOf { other.verify(idToken) })

        OAuthMock.control("/__id_token_ttl?seconds=-600")
        val late = AuthorizationFlow(client, redirect, AuthorizationFlowOptions(scopes = listOf("openid")))
        assertEquals("expired", codeOf { late.complete(follow(late.authorizationUrl())) })
    }
}
