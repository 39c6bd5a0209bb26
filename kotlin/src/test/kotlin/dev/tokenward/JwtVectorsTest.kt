package dev.tokenward

import org.json.JSONArray
import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assertions.fail
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory

/** Runs tests/vectors/jwt_attacks.json (same expected codes as every other language) and JWT round trips. */
class JwtVectorsTest {
    private fun load(name: String): JSONObject = TestVectors.json(name)

    private fun strings(array: JSONArray): List<String> = (0 until array.length()).map { array.getString(it) }

    /** Vector options (snake_case) over the defaults, as the record. */
    private fun options(defaults: JSONObject, overrides: JSONObject?): JwtVerifierOptions {
        fun get(name: String): Any? = when {
            overrides != null && overrides.has(name) -> overrides.get(name)
            defaults.has(name) -> defaults.get(name)
            else -> null
        }
        for (name in overrides?.keySet() ?: emptySet()) {
            check(name in KNOWN_OPTIONS) { "unknown vector option $name" }
        }
        return JwtVerifierOptions(
            algorithms = strings(get("algorithms") as JSONArray),
            issuer = (get("issuer") as String?)?.let { listOf(it) } ?: emptyList(),
            audience = (get("audience") as JSONArray?)?.let { strings(it) } ?: emptyList(),
            leeway = ((get("leeway") as Number?)?.toLong() ?: 60L).toULong(),
            requiredClaims = (get("required_claims") as JSONArray?)?.let { strings(it) } ?: emptyList(),
            requireExp = (get("require_exp") as Boolean?) ?: true,
            typ = get("typ") as String?,
            maxAge = (get("max_age") as Number?)?.toLong()?.toULong(),
            maxTokenSize = ((get("max_token_size") as Number?)?.toInt() ?: 16384).toUInt(),
        )
    }

    private fun codeOf(block: () -> Unit): String = try {
        block()
        "ok"
    } catch (e: TokenwardException.Failed) {
        e.code.asString()
    }

    @TestFactory
    fun attackVectors(): List<DynamicTest> {
        val keys = load("jwt_keys.json")
        val doc = load("jwt_attacks.json")
        val set = KeySet.fromJwks(keys.getJSONObject("verification_jwks").toString())
        val cases = doc.getJSONArray("cases")
        assertTrue(cases.length() >= 40)
        return (0 until cases.length()).map { i ->
            val case = cases.getJSONObject(i)
            DynamicTest.dynamicTest("jwt_attacks.json: ${case.getString("name")}") {
                val opts = options(doc.getJSONObject("defaults"), case.optJSONObject("options"))
                JwtVerifier(set, opts).use { verifier ->
                    val token = case.getString("token")
                    val got = try {
                        verifier.verify(token)
                        "ok"
                    } catch (e: TokenwardException.Failed) {
                        assertFalse(e.message.orEmpty().contains("eyJ"), "error message echoes token material")
                        e.code.asString()
                    }
                    assertEquals(case.getString("expect"), got)
                }
            }
        }
    }

    @TestFactory
    fun roundTrips(): List<DynamicTest> = ALGORITHMS.map { alg ->
        DynamicTest.dynamicTest("issue and verify: $alg") {
            val signing = JwtKey.generate(alg).withKid("kid-$alg")
            // Asymmetric keys verify from the published JWKS only (public part).
            val verifier = if (alg.startsWith("HS")) {
                JwtVerifier.withKey(signing, JwtVerifierOptions(algorithms = listOf(alg), issuer = listOf(ISS), audience = listOf(AUD)))
            } else {
                val set = KeySet()
                set.add(signing)
                JwtVerifier.withJwks(set.toJwksJson(), JwtVerifierOptions(algorithms = listOf(alg), issuer = listOf(ISS), audience = listOf(AUD)))
            }
            val issuer = JwtIssuer(signing, JwtIssuerOptions(issuer = ISS, audience = listOf(AUD), ttl = 300uL, algorithm = alg))
            val token = issuer.issue("""{"role":"admin","n":[1,2,3]}""", JwtIssueOptions(subject = "user-1"))
            val claims = JSONObject(verifier.verify(token))
            assertEquals("admin", claims.getString("role"))
            assertEquals(ISS, claims.getString("iss"))
            assertEquals(300L, claims.getLong("exp") - claims.getLong("iat"))
            val typed = verifier.verifyClaims(token)
            assertEquals("user-1", typed.subject)
            assertEquals(listOf(AUD), typed.audience)
            assertEquals(ISS, typed.issuer)
            assertEquals(300L, typed.expiresAt!! - typed.issuedAt!!)
            assertEquals(3, JSONObject(typed.json).getJSONArray("n").length())
            // A changed payload character breaks the signature. The first character is changed,
            // not the last: the last one carries padding bits, and changing it can make the
            // segment non-canonical base64url (malformed), which would test base64, not forgery.
            val parts = token.split(".")
            val payload = (if (parts[1][0] == 'e') "f" else "e") + parts[1].substring(1)
            val tampered = parts[0] + "." + payload + "." + parts[2]
            assertEquals("invalid_signature", codeOf { verifier.verify(tampered) })
            verifier.close()
            issuer.close()
        }
    }

    @Test
    fun keysPrintWithoutMaterial() {
        val secret = "SuperSecretHmacKeyMaterial-0123456789"
        val key = JwtKey.hmac(secret.toByteArray(), "HS256").withKid("hs")
        assertEquals("hs", key.kid())
        assertEquals("HS256", key.algorithm())
        assertFalse(key.toString().contains(secret))
        assertTrue(key.toString().contains("hs"))
        val rsa = JwtKey.generate("RS256")
        val pem = rsa.toPrivatePem()
        assertFalse(pem.toString().contains("PRIVATE KEY"))
        assertTrue(pem.expose().contains("PRIVATE KEY"))
        val set = KeySet()
        set.add(key)
        assertFalse(set.toString().contains(secret))
        assertEquals(1u, set.size())
        // HMAC keys are never published.
        assertEquals(0, JSONObject(set.toJwksJson()).getJSONArray("keys").length())
        assertEquals("invalid_key", codeOf { key.toJwkJson() })
    }

    @Test
    fun invalidInputsFailWithCodes() {
        assertEquals("invalid_key", codeOf { JwtKey.hmac("short".toByteArray(), "HS256") })
        assertEquals("algorithm_not_allowed", codeOf { JwtKey.generate("none") })
        assertEquals("invalid_key", codeOf { JwtKey.fromPem("not a pem", null) })
        assertEquals("invalid_input", codeOf { JwtVerifier.withKey(JwtKey.generate("HS256"), JwtVerifierOptions(algorithms = emptyList())) })
        // Issue 14: durations beyond the core's maximum are invalid_input, never a panic.
        assertEquals("invalid_input", codeOf { JwtVerifier.withKey(JwtKey.generate("HS256"), JwtVerifierOptions(algorithms = listOf("HS256"), leeway = ULong.MAX_VALUE)) })
        val clock = ManualClock(ULong.MAX_VALUE)
        clock.setUnixSeconds(ULong.MAX_VALUE)
        assertEquals(253402300799L, clock.unixSeconds())
        val ec = JwtKey.generate("ES256").withKid("ec")
        val again = JwtKey.fromPem(ec.toPrivatePem().expose(), null).withKid("ec")
        assertEquals(JSONObject(ec.toJwkJson()).toMap(), JSONObject(again.toJwkJson()).toMap())
        assertEquals("ec", JwtKey.fromJwk(ec.toJwkJson()).kid())
        assertFalse(JwtKey.fromPem(ec.toPublicPem(), null).canSign())
        try {
            JwtIssuer(JwtKey.fromPem(ec.toPublicPem(), null), JwtIssuerOptions())
            fail<Unit>("a public key cannot sign")
        } catch (e: TokenwardException.Failed) {
            assertEquals(ErrorCode.INVALID_KEY, e.code)
        }
    }

    companion object {
        private const val ISS = "https://issuer.example"
        private const val AUD = "api://tokenward-tests"
        private val ALGORITHMS = listOf("HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA")
        private val KNOWN_OPTIONS = setOf("algorithms", "issuer", "audience", "leeway", "require_exp", "max_age", "required_claims", "typ", "max_token_size")
    }
}
