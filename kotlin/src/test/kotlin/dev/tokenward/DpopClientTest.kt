package dev.tokenward

import kotlinx.coroutines.runBlocking
import okhttp3.MediaType.Companion.toMediaType
import okhttp3.OkHttpClient
import okhttp3.Request
import okhttp3.RequestBody.Companion.toRequestBody
import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import java.net.HttpURLConnection
import java.net.URI
import java.util.Base64

/**
 * The DPoP client (RFC 9449) against the real oauth2-mock-server, whose token endpoint and
 * protected resource `/__dpop_api` verify proofs with `jose` (tests/oauth/dpop.mjs): proofs on
 * token requests, the nonce challenge answered once and not twice, DPoP-bound tokens sent by
 * the OkHttp hook, bearer tokens unchanged, refusal codes, `dpop_jkt` in the flow.
 */
class DpopClientTest {
    @BeforeEach
    fun reset() {
        OAuthMock.control("/__reset")
    }

    private suspend fun client(key: DpopKey?): OAuthClient =
        OAuthClient.discover(OAuthMock.issuer, "kt-client", OAuthClientOptions(clientSecret = Secret("kt-secret"), dpopKey = key))

    private fun claims(jwt: String) = JSONObject(String(Base64.getUrlDecoder().decode(jwt.split(".")[1])))

    private fun last(): JSONObject {
        val conn = URI(OAuthMock.issuer + "/__dpop_last").toURL().openConnection() as HttpURLConnection
        return conn.inputStream.use { JSONObject(it.readBytes().toString(Charsets.UTF_8)) }
    }

    private suspend fun codeOf(block: suspend () -> Unit): String? =
        try {
            block()
            null
        } catch (e: TokenwardException.Failed) {
            e.code.asString()
        }

    @Test
    fun tokenRequestsCarryProofsAndDpopTokensAreBound() = runBlocking {
        for (alg in listOf(Algorithm.ES256, Algorithm.ED_DSA)) {
            val key = DpopKey.generate(alg)
            val c = client(key)
            val token = c.clientCredentials(listOf("read")).accessToken()
            assertTrue(token.isDpop())
            assertEquals("DPoP", token.tokenType())
            assertEquals(key.thumbprint(), claims(token.expose()).getJSONObject("cnf").getString("jkt"))
            assertEquals(OAuthMock.issuer + "/token", last().getJSONObject("token").getString("htu"))
            val headers = token.requestHeaders("GET", "https://api.example/x?q=1")
            assertEquals("DPoP ${token.expose()}", headers["Authorization"])
            assertEquals("https://api.example/x", claims(headers["DPoP"]!!).getString("htu"))
            assertTrue(claims(headers["DPoP"]!!).has("ath"))
            assertTrue(c.refresh(Secret("some-refresh")).accessToken().isDpop())
        }
    }

    @Test
    fun nonceChallengeIsAnsweredOnceAndNotTwice() = runBlocking {
        val c = client(DpopKey.generate(Algorithm.ES256))
        OAuthMock.control("/__dpop_nonce?token=require")
        val t0 = OAuthMock.count("token")
        assertTrue(c.clientCredentials(listOf()).accessToken().isDpop())
        assertEquals(t0 + 2, OAuthMock.count("token"))
        c.clientCredentials(listOf())
        assertEquals(t0 + 3, OAuthMock.count("token"))
        OAuthMock.control("/__dpop_nonce?token=always")
        assertEquals("use_dpop_nonce", codeOf { c.clientCredentials(listOf()) })
        assertEquals(t0 + 5, OAuthMock.count("token"))
    }

    @Test
    fun retryActionIsTheCoreRule() {
        val nonce = "DPoP error=\"use_dpop_nonce\""
        assertEquals(RetryAction.RetryWithNonce("n-1"), retryAction(401, nonce, "n-1"))
        assertEquals(RetryAction.NoRetry, retryAction(401, nonce, null))
        assertEquals(RetryAction.RefreshAndRetry, retryAction(401, null, null))
        assertEquals(RetryAction.NoRetry, retryAction(200, nonce, "n"))
    }

    @Test
    fun okHttpSendsDpopTokensAndAnswersTheNonceChallenge() = runBlocking {
        val source = TokenSource.clientCredentials(client(DpopKey.generate(Algorithm.ES256)), listOf("read"))
        val http = OkHttpClient.Builder().tokenSource(source).build()
        val api = OAuthMock.issuer + "/__dpop_api?page=2"
        fun post(body: String) = http.newCall(
            Request.Builder().url(api).post(body.toRequestBody("text/plain".toMediaType())).build(),
        ).execute().use { it.code to it.body.string() }
        val a0 = OAuthMock.count("__dpop_api")
        assertEquals(200, post("a").first)
        OAuthMock.control("/__dpop_nonce?api=require")
        val (status, body) = post("b")
        assertEquals(200, status)
        assertEquals("b", JSONObject(body).getString("body"))
        assertEquals(a0 + 3, OAuthMock.count("__dpop_api"))
        assertEquals(200, post("c").first)
        assertEquals(a0 + 4, OAuthMock.count("__dpop_api"))
        OAuthMock.control("/__dpop_nonce?api=always")
        assertEquals(401, post("d").first)
        assertEquals(a0 + 6, OAuthMock.count("__dpop_api"))
        source.close()
    }

    @Test
    fun bearerStaysBearerAndRefusalsHaveCodes() = runBlocking {
        val plain = client(null)
        val token = plain.clientCredentials(listOf()).accessToken()
        assertFalse(token.isDpop())
        assertEquals(mapOf("Authorization" to "Bearer ${token.expose()}"), token.requestHeaders("GET", "https://api.example/"))
        OAuthMock.control("/__dpop_token_type")
        assertEquals("invalid_response", codeOf { plain.clientCredentials(listOf()) })
        val c = client(DpopKey.generate(Algorithm.ES256))
        for (error in listOf("invalid_dpop_proof", "use_dpop_nonce")) {
            OAuthMock.control("/__next_error?error=$error&status=400")
            assertEquals(error, codeOf { c.clientCredentials(listOf()) })
        }
        val bound = c.clientCredentials(listOf()).accessToken()
        assertEquals("invalid_input", codeOf { bound.requestHeaders("GET", "/relative") })
    }

    @Test
    fun authorizationFlowSendsDpopJkt() = runBlocking {
        val key = DpopKey.generate(Algorithm.ES256)
        val c = OAuthClient.discover(OAuthMock.issuer, "kt-app", OAuthClientOptions(authMethod = AuthMethod.PUBLIC_CLIENT, dpopKey = key))
        val flow = AuthorizationFlow(c, "http://127.0.0.1:9/callback", AuthorizationFlowOptions(scopes = listOf("profile")))
        assertTrue(flow.authorizationUrl().contains("dpop_jkt=${key.thumbprint()}"))
        val conn = URI(flow.authorizationUrl()).toURL().openConnection() as HttpURLConnection
        conn.instanceFollowRedirects = false
        assertEquals(302, conn.responseCode)
        assertTrue(flow.complete(conn.getHeaderField("Location")!!).accessToken().isDpop())
    }

    /** RFC 9449 section 8.2: a `DPoP-Nonce` on a 200 (token endpoint or resource) goes into the next proof. */
    @Test
    fun noncesSentOnSuccessfulAnswersAreUsedNext() = runBlocking {
        val c = client(DpopKey.generate(Algorithm.ES256))
        OAuthMock.control("/__dpop_nonce?token=advertise&api=advertise")
        c.clientCredentials(listOf())
        var sent = last().getJSONObject("advertised").getString("token")
        c.clientCredentials(listOf())
        assertEquals(sent, last().getJSONObject("token").getString("nonce"))
        val http = OkHttpClient.Builder().tokenSource(TokenSource.clientCredentials(c, listOf())).build()
        fun get() = http.newCall(Request.Builder().url(OAuthMock.issuer + "/__dpop_api").build()).execute().use { it.code }
        val a0 = OAuthMock.count("__dpop_api")
        assertEquals(200, get())
        sent = last().getJSONObject("advertised").getString("api")
        assertEquals(200, get())
        assertEquals(sent, last().getJSONObject("api").getString("nonce"))
        assertEquals(a0 + 2, OAuthMock.count("__dpop_api"))
    }
}
