package dev.tokenward

import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.time.Duration
import java.time.Instant

/**
 * Sessions: the shared vectors tests/vectors/sessions.json, the session cookie as an
 * Authenticator credential, and the id never in toString or an error.
 */
class SessionsTest {
    private val v = TestVectors.json("sessions.json")

    private fun codeOf(block: () -> Unit): String =
        try {
            block()
            "ok"
        } catch (e: TokenwardException.Failed) {
            e.code.asString()
        }

    private fun make(clock: ManualClock, cookie: SessionCookie? = null): Sessions =
        Sessions(
            SessionsOptions(
                idleTimeout = Duration.ofSeconds(v.getJSONObject("options").getLong("idle_timeout")),
                absoluteTimeout = Duration.ofSeconds(v.getJSONObject("options").getLong("absolute_timeout")),
                csrfSecret = Secret(v.getString("csrf_secret")),
                cookie = cookie,
                clock = clock,
            ),
        )

    private fun clock() = ManualClock(Instant.ofEpochSecond(v.getLong("start")))

    private fun data(o: JSONObject?): Map<String, String>? = o?.let { j -> j.keySet().associateWith { j.getString(it) } }

    private fun sameSite(s: String): SameSite? =
        when (s) {
            "lax" -> SameSite.LAX
            "strict" -> SameSite.STRICT
            "none" -> SameSite.NONE
            else -> null
        }

    @Test
    fun idsCsrfAndCookieVectors() {
        val s = make(clock())
        val ids = v.getJSONArray("ids")
        for (i in 0 until ids.length()) {
            val c = ids.getJSONObject(i)
            assertEquals(c.getString("error"), codeOf { s.verify(c.getString("id")) }, c.getString("name"))
        }
        val csrf = v.getJSONArray("csrf")
        for (i in 0 until csrf.length()) {
            val c = csrf.getJSONObject(i)
            assertEquals(c.getString("token"), s.csrfToken(c.getString("session_id")), c.getString("name"))
            s.verifyCsrf(c.getString("session_id"), c.getString("token"))
        }
        val refusals = v.getJSONArray("csrf_refusals")
        for (i in 0 until refusals.length()) {
            val c = refusals.getJSONObject(i)
            assertEquals(c.getString("error"), codeOf { s.verifyCsrf(c.getString("session_id"), c.getString("token")) }, c.getString("name"))
        }
        val firstId = ids.getJSONObject(0).getString("id")
        val cookies = v.getJSONArray("cookies")
        var built = 0
        for (i in 0 until cookies.length()) {
            val c = cookies.getJSONObject(i)
            val o = c.getJSONObject("cookie")
            val name = c.getString("name")
            if (o.has("same_site") && sameSite(o.getString("same_site")) == null) {
                // An unknown SameSite cannot be written in Kotlin: the enum has three cases.
                assertEquals("invalid_input", c.getString("error"), name)
                continue
            }
            val cookie = SessionCookie(
                name = o.optString("name", "__Host-tw_session"),
                secure = o.optBoolean("secure", true),
                httpOnly = o.optBoolean("http_only", true),
                sameSite = if (o.has("same_site")) sameSite(o.getString("same_site")) else null,
                path = o.optString("path", "/"),
                domain = if (o.has("domain")) o.getString("domain") else null,
                dangerousAllowInsecure = o.optBoolean("dangerous_allow_insecure", false),
            )
            var made: Sessions? = null
            val got = codeOf { made = make(clock(), cookie) }
            if (c.has("error")) {
                assertEquals(c.getString("error"), got, name)
            } else {
                assertEquals("ok", got, name)
                assertEquals(c.getString("set_cookie"), made!!.setCookie(firstId), name)
                assertEquals(c.getString("clear_cookie"), made!!.clearCookie(), name)
                built++
            }
        }
        assertTrue(built >= 5)
    }

    @Test
    fun scenarioVectors() {
        val scenarios = v.getJSONArray("scenarios")
        for (n in 0 until scenarios.length()) {
            val sc = scenarios.getJSONObject(n)
            val clock = clock()
            val s = make(clock)
            val saved = mutableMapOf<String, IssuedSession>()
            val steps = sc.getJSONArray("steps")
            for (i in 0 until steps.length()) {
                val step = steps.getJSONObject(i)
                val at = "${sc.getString("name")} step $i"
                val want = step.optString("error", "ok")
                val id = if (step.has("session")) saved.getValue(step.getString("session")).id.expose() else ""
                var out: IssuedSession? = null
                when (step.getString("op")) {
                    "advance" -> clock.advance(Duration.ofSeconds(step.getLong("seconds")))
                    "revoke" -> assertEquals(step.getBoolean("result"), s.revoke(id), at)
                    "revoke_subject" -> assertEquals(step.getLong("count").toULong(), s.revokeSubject(step.getString("subject")), at)
                    "create" -> assertEquals(want, codeOf { out = s.create(step.getString("subject"), data(step.optJSONObject("data"))) }, at)
                    "rotate" -> assertEquals(
                        want,
                        codeOf { out = s.rotate(id, if (step.has("subject")) step.getString("subject") else null, data(step.optJSONObject("data"))) },
                        at,
                    )
                    "verify" -> {
                        var rec: SessionRecord? = null
                        assertEquals(want, codeOf { rec = s.verify(id) }, at)
                        if (step.has("subject")) assertEquals(step.getString("subject"), rec!!.subject, at)
                        if (step.has("data")) assertEquals(data(step.getJSONObject("data")), rec!!.data, at)
                    }
                    "csrf" -> {
                        val token = s.csrfToken(saved.getValue(step.getString("token_of")).id.expose())
                        assertEquals(want, codeOf { s.verifyCsrf(id, token) }, at)
                    }
                    else -> throw AssertionError("unknown op ${step.getString("op")}")
                }
                if (out != null && step.has("save")) saved[step.getString("save")] = out!!
            }
        }
    }

    @Test
    fun theAuthenticatorAcceptsASessionCookie() {
        val clock = ManualClock(Instant.ofEpochSecond(1_700_000_000))
        val sessions = Sessions(SessionsOptions(clock = clock))
        val auth = Authenticator(AuthenticatorOptions(sessions = sessions, clock = clock))
        val issued = sessions.create("alice", mapOf("scope" to "read"))
        val cookie = HttpHeader("Cookie", "${sessions.cookieName()}=${issued.id.expose()}")
        val p = (auth.authenticate(AuthRequest(headers = listOf(cookie))) as AuthDecision.Allowed).principal
        assertEquals(CredentialKind.SESSION, p.kind)
        assertEquals("alice", p.subject)
        assertEquals(listOf("read"), p.scopes)
        val r = (auth.authenticate(AuthRequest(method = "POST", headers = listOf(cookie))) as AuthDecision.Refused).refusal
        assertEquals(403, r.status.toInt())
        assertEquals("invalid_csrf_token", r.code.asString())
        val csrf = HttpHeader("X-CSRF-Token", sessions.csrfToken(issued.id.expose()))
        assertTrue(auth.authenticate(AuthRequest(method = "POST", headers = listOf(cookie, csrf))) is AuthDecision.Allowed)
        val printed = listOf(issued.toString(), issued.id.toString(), sessions.toString(), issued.record.toString())
        for (text in printed) assertFalse(text.contains(issued.id.expose().substring(4)), text)
    }
}
