package dev.tokenward

import kotlinx.coroutines.runBlocking
import okhttp3.MediaType.Companion.toMediaType
import okhttp3.OkHttpClient
import okhttp3.Request
import okhttp3.RequestBody.Companion.toRequestBody
import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/**
 * The OkHttp hook with the real OkHttp against the real oauth2-mock-server and its protected
 * resource `/__api`, which accepts only the access tokens issued since the last `/__api_revoke`
 * (tests/oauth/mock-server.mjs).
 */
class HttpHooksTest {
    private fun source(): TokenSource = runBlocking {
        val client = OAuthClient.discover(OAuthMock.issuer, "kt-client", OAuthClientOptions(clientSecret = Secret("kt-secret")))
        TokenSource.clientCredentials(client, listOf("read"))
    }

    @Test
    fun tokenRejectedIsTheCoreRule() {
        assertTrue(tokenRejected(401, "Bearer realm=\"api\", error=\"invalid_token\""))
        assertTrue(tokenRejected(401, null))
        assertFalse(tokenRejected(401, "Bearer error=\"insufficient_scope\""))
        assertFalse(tokenRejected(401, "Basic realm=\"x\""))
        assertFalse(tokenRejected(403, "Bearer error=\"invalid_token\""))
        assertFalse(tokenRejected(70000, null))
    }

    @Test
    fun okHttpAuthorizesAndRetriesOnceAfterARejection() = runBlocking {
        OAuthMock.control("/__reset")
        val source = source()
        val http = OkHttpClient.Builder().tokenSource(source).build()
        val api = OAuthMock.issuer + "/__api"
        fun post(body: String) = http.newCall(
            Request.Builder().url(api).post(body.toRequestBody("text/plain".toMediaType())).build(),
        ).execute().use { it.code to it.body.string() }
        val tokens0 = OAuthMock.count("token")
        val api0 = OAuthMock.count("__api")

        val (status, body) = post("payload")
        assertEquals(200, status)
        assertEquals("payload", JSONObject(body).getString("body"))
        val used = source.token()
        assertEquals("Bearer ${used.expose()}", used.authorizationHeader())

        OAuthMock.control("/__api_revoke")
        val (status2, body2) = post("again")
        assertEquals(200, status2)
        assertEquals("again", JSONObject(body2).getString("body"))
        assertEquals(tokens0 + 2, OAuthMock.count("token"))
        assertEquals(api0 + 3, OAuthMock.count("__api"))
        assertNotEquals(used.fingerprint(), source.token().fingerprint())

        OAuthMock.control("/__api_error?all=1")
        assertEquals(401, post("x").first)
        assertEquals(tokens0 + 3, OAuthMock.count("token"))
        assertEquals(api0 + 5, OAuthMock.count("__api"))

        OAuthMock.control("/__api_error?error=insufficient_scope&all=1")
        assertEquals(401, post("x").first)
        OAuthMock.control("/__api_error?error=basic&all=1")
        assertEquals(401, post("x").first)
        assertEquals(tokens0 + 3, OAuthMock.count("token"))
        assertEquals(api0 + 7, OAuthMock.count("__api"))
        OAuthMock.control("/__reset")

        val hook = TokenSourceInterceptor(source)
        assertFalse(hook.toString().contains(source.token().expose()))
        source.close()
    }
}
