package dev.tokenward

import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.time.Duration
import java.time.Instant

/** DPoP (RFC 9449): the shared vectors tests/vectors/dpop.json, keys, proofs and the gateway. */
class DpopTest {
    private val url = "https://api.example/orders"

    private fun codeOf(block: () -> Unit): String =
        try {
            block()
            "ok"
        } catch (e: TokenwardException.Failed) {
            e.code.asString()
        }

    @Test
    fun proofVectors() {
        val v = TestVectors.json("dpop.json")
        val conf = v.getJSONObject("verifier")
        val algs = conf.getJSONArray("algorithms").let { a -> (0 until a.length()).map { algorithmFromString(a.getString(it)) } }
        val cases = v.getJSONArray("cases")
        assertTrue(cases.length() >= 40)
        for (i in 0 until cases.length()) {
            val c = cases.getJSONObject(i)
            val verifier = DpopVerifier(
                DpopVerifierOptions(
                    algorithms = algs,
                    maxAge = Duration.ofSeconds(conf.getLong("max_age")),
                    leeway = Duration.ofSeconds(conf.getLong("leeway")),
                    clock = ManualClock(Instant.ofEpochSecond(v.getLong("now"))),
                ),
            )
            val checks = DpopChecks(
                accessToken = c.optString("access_token").takeIf { c.has("access_token") },
                jkt = c.optString("jkt").takeIf { c.has("jkt") },
            )
            val run = { verifier.verify(c.getString("proof"), c.getString("method"), c.getString("url"), checks) }
            assertEquals(c.getString("expect"), codeOf { run() }, c.getString("name"))
            if (c.has("expect_again")) assertEquals(c.getString("expect_again"), codeOf { run() }, c.getString("name"))
        }
    }

    @Test
    fun vectorKeysImportWithTheirThumbprints() {
        val keys = TestVectors.json("dpop.json").getJSONArray("keys")
        for (i in 0 until keys.length()) {
            val k = keys.getJSONObject(i)
            val key = DpopKey.fromPrivateKey(k.getString("private_key"))
            assertEquals(k.getString("jkt"), key.thumbprint())
            assertEquals(k.getString("algorithm"), key.algorithm().asString())
            assertEquals(k.getJSONObject("jwk").toMap(), JSONObject(key.publicJwk()).toMap())
        }
    }

    @Test
    fun keysRoundTripAndNeverPrintThePrivateKey() {
        for (alg in listOf(Algorithm.ES256, Algorithm.ED_DSA)) {
            val key = DpopKey.generate(alg)
            val pem = key.exportPrivateKey()
            val body = pem.expose().lines().filterNot { it.startsWith("-----") }.joinToString("")
            assertEquals(key.thumbprint(), DpopKey.fromPrivateKey(pem.expose()).thumbprint())
            val printed = "$key $pem ${key.publicJwk()}"
            assertTrue(printed.contains(key.thumbprint()))
            for (j in 0 until body.length - 12 step 6) assertFalse(printed.contains(body.substring(j, j + 12)), printed)
            val err = runCatching { DpopKey.fromPrivateKey(pem.expose().replace('A', '*')) }.exceptionOrNull()
            assertNotNull(err)
            assertFalse("$err ${err!!.message}".contains(body.substring(10, 22)))
        }
        assertEquals("invalid_input", codeOf { DpopKey.generate(Algorithm.RS256) })
    }

    @Test
    fun gatewayAcceptsBoundTokensWithProofsAndRefusesThemAsBearer() {
        val clock = ManualClock(Instant.ofEpochSecond(1_700_000_000))
        val hmac = JwtKey.hmac("gateway-dpop-kotlin-secret-0123456789abcdef".toByteArray(), Algorithm.HS256)
        val key = DpopKey.generate(Algorithm.ES256)
        val token = JwtIssuer(hmac, JwtIssuerOptions())
            .issue("""{"cnf":{"jkt":"${key.thumbprint()}"}}""", JwtIssueOptions(subject = "u1"))
        val auth = Authenticator(
            AuthenticatorOptions(
                jwt = JwtVerifier.withKey(hmac, JwtVerifierOptions(algorithms = listOf(Algorithm.HS256))),
                dpop = DpopVerifier(DpopVerifierOptions(nonceLifetime = Duration.ofSeconds(300), clock = clock)),
                clock = clock,
            ),
        )
        fun run(vararg headers: Pair<String, String>) = auth.authenticate(
            AuthRequest(method = "GET", path = "/orders", headers = headers.map { HttpHeader(it.first, it.second) }, clientIp = "203.0.113.9"),
        )
        val proof = key.proof("GET", url, DpopProofOptions(accessToken = token, clock = clock))
        val first = run("Authorization" to "DPoP $token", "Host" to "api.example", "DPoP" to proof) as AuthDecision.Refused
        assertEquals(ErrorCode.USE_DPOP_NONCE, first.refusal.code)
        assertEquals(auth.dpopNonce(), first.refusal.dpopNonce)
        assertTrue(first.refusal.wwwAuthenticate!!.startsWith("DPoP realm=\"api\", error=\"use_dpop_nonce\""))
        val retry = key.proof("GET", url, DpopProofOptions(accessToken = token, nonce = first.refusal.dpopNonce, clock = clock))
        val ok = run("Authorization" to "DPoP $token", "Host" to "api.example", "DPoP" to retry)
        assertTrue(ok is AuthDecision.Allowed, "$ok")
        val bearer = run("Authorization" to "Bearer $token", "Host" to "api.example") as AuthDecision.Refused
        assertEquals(ErrorCode.INVALID_DPOP_PROOF, bearer.refusal.code)
    }
}
