package dev.tokenward

import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.io.File
import java.nio.file.Files
import java.nio.file.attribute.PosixFilePermission
import java.time.Duration
import java.time.Instant
import java.util.concurrent.CopyOnWriteArrayList

/**
 * tests/vectors/abuse.json through the Kotlin binding (the same expectations as
 * core/tests/integration/abuse_vectors.rs), and the ECS audit log.
 */
class AbuseTest {
    private class Collector : AuditListener {
        val events = CopyOnWriteArrayList<AuditEvent>()
        override fun onEvent(event: AuditEvent) {
            events.add(event)
        }
    }

    private fun threshold(o: JSONObject?): Threshold? =
        o?.let { Threshold(it.getInt("count").toUInt(), Duration.ofSeconds(it.getLong("window_seconds"))) }

    private fun abuse(v: JSONObject): AbuseDetection {
        val lockout = v.optJSONObject("lockout")?.let {
            Lockout(
                Threshold(it.getInt("failures").toUInt(), Duration.ofSeconds(it.getLong("window_seconds"))),
                Duration.ofSeconds(it.getLong("duration_seconds")),
            )
        }
        return AbuseDetection()
            .withLockout(lockout)
            .withEnumeration(threshold(v.optJSONObject("enumeration")))
            .withDistributedFailures(threshold(v.optJSONObject("distributed_failures")))
            .withKeySpread(threshold(v.optJSONObject("key_spread")))
            .withScopeEscalation(threshold(v.optJSONObject("scope_escalation")))
    }

    @Test
    fun abuseDetectionMatchesVectors() {
        val v = TestVectors.json("abuse.json")
        val prefix = v.getJSONObject("api_keys").getString("prefix")
        val collector = Collector()
        val subscription = onAudit(collector)
        var checked = 0
        try {
            val scenarios = v.getJSONArray("scenarios")
            for (index in 0 until scenarios.length()) {
                val scenario = scenarios.getJSONObject(index)
                val name = scenario.getString("name")
                val clock = ManualClock(Instant.ofEpochSecond(v.getLong("now")))
                val keys = ApiKeys(prefix, ApiKeysOptions(clock = clock))
                val subs = mutableMapOf<String, String>()
                val specs = v.getJSONObject("api_keys").getJSONObject("keys")
                for (k in specs.keySet()) {
                    val spec = specs.getJSONObject(k)
                    val scopes = spec.getJSONArray("scopes").let { a -> (0 until a.length()).map { a.getString(it) } }
                    val issued = keys.create(spec.getString("owner"), scopes)
                    subs["{key:$k}"] = issued.secret.expose()
                    subs["{key_head:$k}"] = "${prefix}_${issued.record.id}"
                }
                val auth = Authenticator(
                    AuthenticatorOptions(
                        apiKeys = keys,
                        clock = clock,
                        requestIdHeader = "x-request-id",
                        abuseDetection = abuse(scenario.getJSONObject("abuse")),
                    ),
                )
                val requestId = "abuse-vectors-$index"
                val steps = scenario.getJSONArray("steps")
                for (s in 0 until steps.length()) {
                    val step = steps.getJSONObject(s)
                    if (step.has("advance_seconds")) {
                        clock.advance(Duration.ofSeconds(step.getLong("advance_seconds")))
                        continue
                    }
                    for (i in 0 until step.getInt("repeat")) {
                        fun fill(t: String): String =
                            subs.entries.fold(t.replace("{i}", i.toString())) { out, (k, value) -> out.replace(k, value) }
                        val headers = mutableListOf(HttpHeader("x-request-id", requestId))
                        if (!step.isNull("credential")) headers.add(HttpHeader("X-API-Key", fill(step.getString("credential"))))
                        val scopes = step.getJSONArray("required_scopes").let { a -> (0 until a.length()).map { a.getString(it) } }
                        val d = auth.authenticate(
                            AuthRequest(
                                method = "GET",
                                path = "/v1/things",
                                headers = headers,
                                clientIp = fill(step.getString("client_ip")),
                                requiredScopes = scopes,
                            ),
                        )
                        val got = when (d) {
                            is AuthDecision.Allowed -> Triple(200, null, null)
                            is AuthDecision.Refused -> Triple(
                                d.refusal.status.toInt(),
                                d.refusal.code.asString(),
                                d.refusal.retryAfter?.seconds,
                            )
                        }
                        val e = step.getJSONObject("expect")
                        val want = Triple(
                            e.getInt("status"),
                            if (e.isNull("code")) null else e.getString("code"),
                            if (e.isNull("retry_after")) null else e.getLong("retry_after"),
                        )
                        assertEquals(want, got, "$name: step $s, repetition $i")
                        checked++
                    }
                }
                val counts = collector.events.filter { it.requestId == requestId }.groupingBy { it.action }.eachCount()
                val expected = scenario.getJSONObject("events")
                for (action in expected.keySet()) {
                    assertEquals(expected.getInt(action), counts[action] ?: 0, "$name: $action $counts")
                }
            }
        } finally {
            subscription.cancel()
        }
        assertEquals(55, checked)
    }

    @Test
    fun invalidNumbersThrowInvalidInput() {
        for (f in listOf(
            { Threshold(0u, Duration.ofSeconds(60)) },
            { Threshold(1u, Duration.ZERO) },
            { Lockout(Threshold(1u, Duration.ofSeconds(60)), Duration.ZERO) },
        )) {
            val e = assertThrows<TokenwardException.Failed> { f() }
            assertEquals(ErrorCode.INVALID_INPUT, e.code)
        }
        val t = Threshold(3u, Duration.ofSeconds(60))
        assertEquals(3u, t.count())
        assertEquals(Duration.ofSeconds(30), Lockout(t, Duration.ofSeconds(30)).duration())
    }

    @Test
    fun auditLogWritesEcsLinesWithoutSecrets() {
        val dir = Files.createTempDirectory("tw-audit-kt").toFile()
        val file = File(dir, "audit.jsonl")
        assertThrows<TokenwardException.Failed> { AuditLog.open("file://relative.log") }
        val log = AuditLog.open("file://${file.absolutePath}")
        val keys = ApiKeys("tw_ktecs")
        val secret = keys.create("acct_ktecs").secret.expose()
        val auth = Authenticator(
            AuthenticatorOptions(
                apiKeys = keys,
                requestIdHeader = "X-Request-Id",
                abuseDetection = AbuseDetection().withLockout(Lockout(Threshold(1u, Duration.ofSeconds(60)), Duration.ofSeconds(60))),
            ),
        )
        for ((value, rid) in listOf(secret to "kt-ecs-ok", secret.dropLast(1) + (if (secret.endsWith("x")) "y" else "x") to "kt-ecs-bad")) {
            auth.authenticate(
                AuthRequest(
                    path = "/v1/x?api_key=$value",
                    headers = listOf(HttpHeader("x-api-key", value), HttpHeader("x-request-id", rid)),
                    clientIp = "192.0.2.9",
                ),
            )
        }
        log.cancel()
        assertTrue(log.written() >= 4uL)
        val text = file.readText()
        assertFalse(text.contains(secret) || text.contains(secret.substring(12, secret.length - 1)))
        assertEquals(
            setOf(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
            Files.getPosixFilePermissions(file.toPath()),
        )
        val mine = text.trim().lines().map { JSONObject(it) }.filter {
            it.optJSONObject("http")?.optJSONObject("request")?.optString("id")?.startsWith("kt-ecs-") == true
        }
        assertEquals(
            listOf(
                "kt-ecs-ok" to "gateway.authenticate",
                "kt-ecs-bad" to "abuse.lockout",
                "kt-ecs-bad" to "abuse.lockout",
                "kt-ecs-bad" to "gateway.authenticate",
            ),
            mine.map { it.getJSONObject("http").getJSONObject("request").getString("id") to it.getJSONObject("event").getString("action") },
        )
        assertEquals("success", mine[0].getJSONObject("event").getString("outcome"))
        assertEquals("/v1/x", mine[0].getJSONObject("url").getString("path"))
        assertEquals(4, mine[1].getJSONObject("event").getInt("severity"))
        assertEquals("checksum_mismatch", mine[3].getJSONObject("error").getString("code"))
        dir.deleteRecursively()
    }
}
