package dev.tokenward

import kotlinx.coroutines.runBlocking
import org.json.JSONArray
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.net.URLEncoder
import java.time.Duration

/**
 * tests/vectors/rotation.json: the gateway on rotating keys as sequences of served key sets and
 * authentications (sync / async path), with their outcomes and the key set's fetch counts. The
 * JWKS is served by the OAuth mock server (`/__jwks_doc?id=...`).
 */
class RotationVectorsTest {
    private fun strings(a: JSONArray) = (0 until a.length()).map { a.getString(it) }

    private fun outcome(d: AuthDecision): String = when (d) {
        is AuthDecision.Allowed -> "ok"
        is AuthDecision.Refused -> "${d.refusal.code.asString()}/${d.refusal.status}"
    }

    @Test
    fun rotationVectors() = runBlocking {
        val v = TestVectors.json("rotation.json")
        val algorithms = strings(v.getJSONArray("algorithms")).map { algorithmFromString(it) }
        val cases = v.getJSONArray("cases")
        var checked = 0
        for (n in 0 until cases.length()) {
            val case = cases.getJSONObject(n)
            val name = case.getString("name")
            val id = "kt-$n"
            val cooldown = Duration.ofSeconds(v.getLong("cooldown_seconds"))
            val keys = RemoteKeySet("${OAuthMock.issuer}/__jwks_doc?id=$id", RemoteKeySetOptions(cooldown = cooldown))
            val verifier = RemoteJwtVerifier(
                keys,
                JwtVerifierOptions(
                    algorithms = algorithms,
                    issuers = listOf(v.getString("issuer")),
                    audiences = listOf(v.getString("audience")),
                ),
            )
            val auth = Authenticator(AuthenticatorOptions(remoteJwt = verifier))
            val steps = case.getJSONArray("steps")
            for (i in 0 until steps.length()) {
                val step = steps.getJSONObject(i)
                if (step.has("serve")) {
                    val doc = v.getJSONObject("key_sets").getJSONObject(step.getString("serve")).toString()
                    OAuthMock.control("/__jwks_doc?id=$id&doc=${URLEncoder.encode(doc, Charsets.UTF_8)}")
                    continue
                }
                val token = v.getJSONObject("tokens").getString(step.getString("token"))
                val request = AuthRequest(
                    method = "GET",
                    path = "/",
                    headers = listOf(HttpHeader("Authorization", "Bearer $token")),
                    clientIp = null,
                    requiredScopes = emptyList(),
                )
                val got = if (step.getString("path") == "sync") {
                    outcome(auth.authenticate(request))
                } else {
                    outcome(auth.authenticateAsync(request))
                }
                assertEquals(step.getString("expect"), got, "$name: step $i")
                assertEquals(step.getLong("fetches").toULong(), keys.fetchCount(), "$name: step $i fetches")
                checked++
            }
        }
        assertTrue(checked >= 25, "$checked")
    }
}
