package dev.tokenward

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import java.util.concurrent.CopyOnWriteArrayList

/**
 * Kept tokens: the shared vectors tests/vectors/stored_tokens.json, and a Kotlin `TokenStore`
 * (the uniffi foreign trait) against the real OAuth mock server: every rotation saved with the
 * new refresh token, a restore with a fresh token makes no request, a restore with an expired
 * token refreshes, `invalid_grant` clears the store, a throwing store reaches the listener as
 * STORAGE, no secret in any printed form.
 */
class KeptTokensTest {
    @BeforeEach
    fun reset() {
        OAuthMock.control("/__reset")
    }

    private fun code(block: () -> Unit): String? =
        (runCatching(block).exceptionOrNull() as? TokenwardException.Failed)?.code?.asString()

    @Test
    fun storedTokensVectors() {
        val v = TestVectors.json("stored_tokens.json")
        val valid = v.getJSONArray("valid")
        for (i in 0 until valid.length()) {
            val c = valid.getJSONObject(i)
            val e = c.getJSONObject("expect")
            val t = StoredTokens.fromJson(c.getString("json"))
            val name = c.getString("name")
            assertEquals(e.getString("access_token"), t.accessToken().expose(), name)
            assertEquals(e.getString("token_type"), t.tokenType(), name)
            assertEquals(e.getLong("expires_at").toULong(), t.expiresAt(), name)
            assertEquals(e.optString("refresh_token").ifEmpty { null }, t.refreshToken()?.expose(), name)
            assertEquals(e.optString("id_token").ifEmpty { null }, t.idToken()?.expose(), name)
            val scopes = e.getJSONArray("scopes").let { a -> (0 until a.length()).map { a.getString(it) } }
            assertEquals(scopes, t.scopes(), name)
            assertEquals(t.toJson(), StoredTokens.fromJson(t.toJson()).toJson(), name)
            assertFalse(t.toString().contains(e.getString("access_token")), name)
        }
        val invalid = v.getJSONArray("invalid")
        for (i in 0 until invalid.length()) {
            val c = invalid.getJSONObject(i)
            val input = c.optJSONObject("input_repeat")?.let {
                it.getString("prefix") + it.getString("fill").repeat(it.getInt("count")) + it.getString("suffix")
            } ?: c.getString("json")
            assertEquals(c.getString("code"), code { StoredTokens.fromJson(input) }, c.getString("name"))
        }
    }

    /** A store keeping the JSON form, as an application's would. */
    private class Kept : TokenStore {
        @Volatile var json: String? = null
        val log = CopyOnWriteArrayList<String>()
        @Volatile var fail = false

        override fun save(tokens: StoredTokens) {
            log.add("save")
            if (fail) throw IllegalStateException("disk full RT-leak")
            json = tokens.toJson()
        }

        override fun load(): StoredTokens? {
            log.add("load")
            return json?.let { StoredTokens.fromJson(it) }
        }

        override fun clear() {
            log.add("clear")
            json = null
        }

        fun tokens(): StoredTokens = StoredTokens.fromJson(json!!)
    }

    private class Errors : TokenSourceListener {
        val seen = CopyOnWriteArrayList<String>()
        override fun onRefresh(tokens: TokenResponse) {}
        override fun onError(code: ErrorCode, message: String) {
            seen.add("${code.asString()}: $message")
        }
    }

    @Test
    fun keptTokensAgainstTheRealServer() = runBlocking {
        val client = OAuthClient.discover(OAuthMock.issuer, "kt-client", OAuthClientOptions(clientSecret = Secret("kt-secret")))
        val options = TokenSourceOptions(background = false)
        val store = Kept()

        // Every rotation is saved with the new refresh token.
        val src = TokenSource.fromRefreshToken(client, Secret("initial-refresh"), options = options)
        src.keepTokens(store)
        val at = src.token()
        val first = store.tokens()
        assertEquals(at.expose(), first.accessToken().expose())
        assertNotEquals("initial-refresh", first.refreshToken()!!.expose())
        src.forceRefresh()
        val second = store.tokens()
        assertNotEquals(first.refreshToken()!!.expose(), second.refreshToken()!!.expose())
        assertEquals(listOf("save", "save"), store.log.toList())
        src.close()

        // A fresh kept token: restore makes no request.
        OAuthMock.control("/__reset")
        val restored = TokenSource.restore(client, store, options)
        assertEquals(second.accessToken().expose(), restored.token().expose())
        assertEquals(0, OAuthMock.count("token"))
        restored.close()

        // An expired kept token: the first token() refreshes with the kept refresh token.
        val past = (System.currentTimeMillis() / 1000 - 60).toULong()
        store.json = StoredTokens(second.accessToken(), "Bearer", past, second.refreshToken()).toJson()
        val again = TokenSource.restore(client, store, options)
        assertEquals(0, OAuthMock.count("token"))
        val fresh = again.token()
        assertNotEquals(second.accessToken().expose(), fresh.expose())
        assertEquals(1, OAuthMock.count("token"))
        assertEquals(fresh.expose(), store.tokens().accessToken().expose())

        // A throwing save reaches the listener as STORAGE (never its message); token() works.
        val errors = Errors()
        again.addListener(errors)
        store.fail = true
        again.forceRefresh()
        assertEquals(1, errors.seen.size)
        assertTrue(errors.seen[0].startsWith("storage: "), errors.seen[0])
        assertFalse(errors.seen[0].contains("RT-leak"), errors.seen[0])
        store.fail = false

        // invalid_grant clears the store; nothing is left to restore.
        OAuthMock.control("/__next_error?error=invalid_grant")
        val refused = runCatching { again.forceRefresh() }.exceptionOrNull() as TokenwardException.Failed
        assertEquals("invalid_grant", refused.code.asString())
        assertEquals("clear", store.log.last())
        assertNull(store.json)
        assertEquals("invalid_input", code { TokenSource.restore(client, store, options) })
        val printed = "$second $again"
        assertFalse(printed.contains(second.accessToken().expose()) || printed.contains(fresh.expose()), printed)
    }
}
