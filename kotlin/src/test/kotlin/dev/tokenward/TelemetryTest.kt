package dev.tokenward

import com.sun.net.httpserver.HttpServer
import kotlinx.coroutines.runBlocking
import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.net.InetSocketAddress
import java.util.concurrent.CopyOnWriteArrayList

/**
 * OpenTelemetry: enableTelemetry exports tokenward's metrics and spans over OTLP/HTTP (JSON here)
 * to a receiver on loopback; spans of outbound requests against the real OAuth mock server.
 */
class TelemetryTest {
    private class Collector : AutoCloseable {
        val requests = CopyOnWriteArrayList<Pair<String, String>>()
        private val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0).apply {
            createContext("/") { ex ->
                requests.add(ex.requestURI.path to ex.requestBody.readBytes().toString(Charsets.UTF_8))
                ex.sendResponseHeaders(200, -1)
                ex.close()
            }
            start()
        }
        val endpoint = "http://127.0.0.1:${server.address.port}"

        /** The last exported value of each data point: "name|k=v,..." -> sum. */
        fun sums(): Map<String, Long> {
            val out = mutableMapOf<String, Long>()
            for ((path, body) in requests) {
                if (path != "/v1/metrics") continue
                val rms = JSONObject(body).getJSONArray("resourceMetrics")
                for (i in 0 until rms.length()) {
                    val sms = rms.getJSONObject(i).getJSONArray("scopeMetrics")
                    for (j in 0 until sms.length()) {
                        val ms = sms.getJSONObject(j).getJSONArray("metrics")
                        for (k in 0 until ms.length()) {
                            val m = ms.getJSONObject(k)
                            val sum = m.optJSONObject("sum") ?: continue
                            val points = sum.getJSONArray("dataPoints")
                            for (p in 0 until points.length()) {
                                val point = points.getJSONObject(p)
                                val attrs = point.optJSONArray("attributes")
                                val keys = (0 until (attrs?.length() ?: 0)).map {
                                    val a = attrs!!.getJSONObject(it)
                                    "${a.getString("key")}=${a.getJSONObject("value").getString("stringValue")}"
                                }.sorted().joinToString(",")
                                out["${m.getString("name")}|$keys"] = point.get("asInt").toString().toLong()
                            }
                        }
                    }
                }
            }
            return out
        }

        /** Every exported span as (name, attributes as strings). */
        fun spans(): List<Pair<String, Map<String, String>>> = requests.filter { it.first == "/v1/traces" }.flatMap { (_, body) ->
            val out = mutableListOf<Pair<String, Map<String, String>>>()
            val rss = JSONObject(body).getJSONArray("resourceSpans")
            for (i in 0 until rss.length()) {
                val sss = rss.getJSONObject(i).getJSONArray("scopeSpans")
                for (j in 0 until sss.length()) {
                    val spans = sss.getJSONObject(j).getJSONArray("spans")
                    for (k in 0 until spans.length()) {
                        val s = spans.getJSONObject(k)
                        val attrs = s.getJSONArray("attributes")
                        val map = (0 until attrs.length()).associate {
                            val a = attrs.getJSONObject(it)
                            val v = a.getJSONObject("value")
                            a.getString("key") to (v.opt("stringValue") ?: v.opt("intValue")).toString()
                        }
                        out.add(s.getString("name") to map)
                    }
                }
            }
            out
        }

        override fun close() = server.stop(0)
    }

    private fun request(headers: List<HttpHeader>) =
        AuthRequest(method = "GET", path = "/orders", headers = headers, clientIp = "198.51.100.1")

    @Test
    fun decisionsAreCountedByOutcomeAndCode() {
        Collector().use { c ->
            val keys = ApiKeys("tw_test")
            val secret = keys.create("acct").secret.expose()
            val typo = secret.dropLast(1) + (if (secret.endsWith("a")) "b" else "a")
            val auth = Authenticator(AuthenticatorOptions(apiKeys = keys))
            val telemetry = enableTelemetry(TelemetryOptions(endpoint = c.endpoint, protocol = "http/json", serviceName = "kt-app"))
            try {
                repeat(3) { assertTrue(auth.authenticate(request(listOf(HttpHeader("X-API-Key", secret)))) is AuthDecision.Allowed) }
                repeat(2) { auth.authenticate(request(listOf(HttpHeader("X-API-Key", typo)))) }
                auth.authenticate(request(emptyList()))
                telemetry.flush()
            } finally {
                telemetry.shutdown()
            }
            val sums = c.sums()
            assertEquals(3L, sums["tokenward.gateway.decisions|outcome=allowed"])
            assertEquals(2L, sums["tokenward.gateway.decisions|code=checksum_mismatch,outcome=refused"])
            assertEquals(1L, sums["tokenward.gateway.decisions|code=missing_credentials,outcome=refused"])
            assertTrue(c.requests.isNotEmpty())
            for ((_, body) in c.requests) {
                assertFalse(body.contains(secret) || body.contains(typo), "an export holds a credential")
            }
        }
    }

    @Test
    fun outboundRequestsAreSpansWithTheCodeOfAFailure() = runBlocking {
        Collector().use { c ->
            val telemetry = enableTelemetry(TelemetryOptions(endpoint = c.endpoint, protocol = "http/json"))
            val secret = "kt-secret-0cc175b9c0f1b6a8"
            try {
                val client = OAuthClient.discover(OAuthMock.issuer, "kt-client", OAuthClientOptions(clientSecret = Secret(secret)))
                client.clientCredentials(listOf("read"))
                val down = OAuthClient("http://127.0.0.1:9/token", "kt-client", OAuthClientOptions(clientSecret = Secret(secret)))
                val failed = runCatching { down.clientCredentials(emptyList()) }.exceptionOrNull() as TokenwardException.Failed
                assertEquals("network", failed.code.asString())
                telemetry.flush()
            } finally {
                telemetry.shutdown()
            }
            val tokens = c.spans().filter { it.first == "POST token" }
            assertEquals(2, tokens.size, c.spans().toString())
            val ok = tokens.single { "error.type" !in it.second }.second
            assertEquals(listOf("POST", "200", "token"), listOf(ok["http.request.method"], ok["http.response.status_code"], ok["tokenward.operation"]))
            assertEquals("network", tokens.single { "error.type" in it.second }.second["error.type"])
            assertTrue(c.spans().any { it.first == "GET discovery" })
            for ((_, body) in c.requests) assertFalse(body.contains(secret))
        }
    }

    @Test
    fun badOptionsAreInvalidInput() {
        for (options in listOf(
            TelemetryOptions(endpoint = "ftp://127.0.0.1:4318"),
            TelemetryOptions(endpoint = "http://127.0.0.1:4318", protocol = "grpc"),
        )) {
            val e = runCatching { enableTelemetry(options) }.exceptionOrNull() as TokenwardException.Failed
            assertEquals(ErrorCode.INVALID_INPUT, e.code)
        }
    }
}
