package dev.tokenward

import org.json.JSONArray
import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assertions.fail
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.TestFactory
import java.time.Duration
import java.time.Instant

/**
 * Runs tests/vectors/gateway.json with the expectations of core/tests/integration/gateway_vectors.rs: the
 * cases in order against one Authenticator built from `setup`, on a ManualClock at `now`.
 */
class GatewayVectorsTest {
    private val doc: JSONObject = TestVectors.json("gateway.json")

    private fun strings(array: JSONArray): List<String> = (0 until array.length()).map { array.getString(it) }

    private fun JSONObject.str(name: String): String? = if (!has(name) || isNull(name)) null else getString(name)

    private fun JSONObject.num(name: String): Long? = if (!has(name) || isNull(name)) null else getLong(name)

    private fun limit(o: JSONObject) = RateLimit(
        rate = o.getInt("rate").toUInt(),
        burst = o.getInt("burst").toUInt(),
        period = Duration.ofSeconds(o.getLong("period_seconds")),
    )

    private fun limits(o: JSONObject): Map<String, RateLimit> = o.keySet().associateWith { limit(o.getJSONObject(it)) }

    private class Fixture(val auth: Authenticator, val secrets: Map<String, String>)

    private fun build(setup: JSONObject): Fixture {
        val clock = ManualClock(Instant.ofEpochSecond(setup.getLong("now")))
        val prefix = setup.getJSONObject("api_keys").getString("prefix")
        val keys = ApiKeys(prefix, ApiKeysOptions(clock = clock))
        val list = RevocationList(RevocationListOptions(maxEntries = 1000uL, clock = clock))
        val secrets = mutableMapOf<String, String>()
        val ids = mutableMapOf<String, String>()
        val specs = setup.getJSONObject("api_keys").getJSONObject("keys")
        for (name in specs.keySet()) {
            val spec = specs.getJSONObject(name)
            val metadata = spec.optJSONObject("metadata")?.let { m -> m.keySet().associateWith { m.getString(it) } }
            val issued = keys.create(spec.getString("owner"), strings(spec.getJSONArray("scopes")), metadata = metadata)
            if (spec.optBoolean("revoke_in_store")) keys.revoke(issued.record.id)
            secrets[name] = issued.secret.expose()
            ids[name] = issued.record.id
        }
        // A well-formed key that was never stored here.
        secrets["unknown"] = ApiKeys(prefix).use { it.create("nobody").secret.expose() }

        val revocations = setup.getJSONArray("revocations")
        for (i in 0 until revocations.length()) {
            val r = revocations.getJSONObject(i)
            val kind = when (r.getString("kind")) {
                "jti" -> RevocationKind.JTI
                "subject" -> RevocationKind.SUBJECT
                "key_id" -> RevocationKind.KEY_ID
                else -> fail("unknown revocation kind ${r.getString("kind")}")
            }
            val raw = r.getString("id")
            val id = if (raw.startsWith("{key_id:")) ids.getValue(raw.removeSurrounding("{key_id:", "}")) else raw
            list.revoke(kind, id, Instant.ofEpochSecond(r.getLong("until")))
        }

        val j = setup.getJSONObject("jwt")
        val algorithms = strings(j.getJSONArray("algorithms")).map { algorithmFromString(it) }
        val verifier = JwtVerifier.withKey(
            JwtKey.hmac(j.getString("hmac_secret").toByteArray(), algorithms[0]),
            JwtVerifierOptions(algorithms = algorithms, clock = clock),
        )
        val tp = setup.getJSONObject("trusted_proxies")
        val auth = Authenticator(
            AuthenticatorOptions(
                apiKeys = keys,
                jwt = verifier,
                ipDeny = strings(setup.getJSONArray("ip_deny")),
                trustedProxies = strings(tp.getJSONArray("networks")),
                forwardedHeader = if (tp.getString("header") == "x-forwarded-for") {
                    ForwardedHeader.X_FORWARDED_FOR
                } else {
                    ForwardedHeader.FORWARDED
                },
                rateLimit = limit(setup.getJSONObject("rate_limit")),
                failureRateLimit = limit(setup.getJSONObject("failure_rate_limit")),
                plans = limits(setup.getJSONObject("plans")),
                rateLimitOverrides = limits(setup.getJSONObject("rate_limit_overrides")),
                revocations = list,
                realm = setup.getString("realm"),
                clock = clock,
            ),
        )
        return Fixture(auth, secrets)
    }

    private fun substitute(s: String, f: Fixture): String {
        var out = s
        for ((name, secret) in f.secrets) {
            out = out.replace("{key:$name}", secret)
            val typo = secret.dropLast(1) + (if (secret.last() == 'a') 'b' else 'a')
            out = out.replace("{key_typo:$name}", typo)
        }
        return out
    }

    @TestFactory
    fun vectors(): List<DynamicTest> = cases("gateway.json") { auth, request -> auth.authenticate(request) }

    /** The same cases through the JNI path (FastPath.kt), on a fixture of its own. */
    @TestFactory
    fun vectorsFast(): List<DynamicTest> = cases("gateway.json fast") { auth, request -> auth.authenticateFast(request) }

    private fun cases(label: String, authenticate: (Authenticator, AuthRequest) -> AuthDecision): List<DynamicTest> {
        val f = build(doc.getJSONObject("setup"))
        val cases = doc.getJSONArray("cases")
        assertTrue(cases.length() >= 40)
        // DynamicTests run in list order: the rate-limit cases depend on it.
        return (0 until cases.length()).map { i ->
            val case = cases.getJSONObject(i)
            val name = case.getString("name")
            DynamicTest.dynamicTest("$label: $name") {
                val r = case.getJSONObject("request")
                val headers = r.getJSONArray("headers").let { hs ->
                    (0 until hs.length()).map {
                        val h = hs.getJSONArray(it)
                        HttpHeader(h.getString(0), substitute(h.getString(1), f))
                    }
                }
                val request = AuthRequest(
                    method = r.getString("method"),
                    path = substitute(r.getString("path"), f),
                    headers = headers,
                    clientIp = r.str("client_ip"),
                    requiredScopes = strings(r.getJSONArray("required_scopes")),
                )
                val e = case.getJSONObject("expect")
                when (val d = authenticate(f.auth, request)) {
                    is AuthDecision.Allowed -> {
                        assertEquals(200, e.getInt("status"), "$name: got a principal")
                        e.str("subject")?.let { assertEquals(it, d.principal.subject, name) }
                        e.num("remaining")?.let { assertEquals(it.toULong(), d.principal.rateLimitRemaining, name) }
                    }
                    is AuthDecision.Refused -> {
                        assertEquals(
                            e.getInt("status") to (e.str("code") ?: "-"),
                            d.refusal.status.toInt() to d.refusal.code.asString(),
                            name,
                        )
                        assertEquals(e.str("www_authenticate"), d.refusal.wwwAuthenticate, name)
                        assertEquals(e.num("retry_after")?.let { Duration.ofSeconds(it) }, d.refusal.retryAfter, name)
                    }
                }
            }
        }
    }
}
