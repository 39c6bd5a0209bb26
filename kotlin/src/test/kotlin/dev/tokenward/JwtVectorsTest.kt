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
import java.time.Duration
import java.time.Instant

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
            algorithms = strings(get("algorithms") as JSONArray).map { algorithmFromString(it) },
            issuers = (get("issuer") as String?)?.let { listOf(it) } ?: emptyList(),
            audiences = (get("audience") as JSONArray?)?.let { strings(it) } ?: emptyList(),
            leeway = (get("leeway") as Number?)?.let { Duration.ofSeconds(it.toLong()) },
            requiredClaims = (get("required_claims") as JSONArray?)?.let { strings(it) } ?: emptyList(),
            requireExp = (get("require_exp") as Boolean?) ?: true,
            typ = get("typ") as String?,
            maxAge = (get("max_age") as Number?)?.let { Duration.ofSeconds(it.toLong()) },
            maxTokenSize = (get("max_token_size") as Number?)?.toInt()?.toUInt(),
        )
    }

    /** The claims, or the code and detail of the failure. */
    private fun outcome(block: () -> String): String = try {
        "ok " + block()
    } catch (e: TokenwardException.Failed) {
        "${e.code} ${e.detail}"
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
                    // The JNI path (FastPath.kt) answers as the uniffi path: claims, code, detail.
                    assertEquals(outcome { verifier.verify(token) }, outcome { verifier.verifyFast(token) })
                    if (case.has("claims_json")) {
                        assertEquals(case.getString("claims_json"), verifier.verify(token))
                        assertEquals(case.getString("claims_json"), verifier.verifyFast(token))
                    }
                }
            }
        }
    }

    @TestFactory
    fun roundTrips(): List<DynamicTest> = ALGORITHMS.map { alg ->
        DynamicTest.dynamicTest("issue and verify: $alg") {
            val signing = JwtKey.generate(alg).withKid("kid-$alg")
            // Asymmetric keys verify from the published JWKS only (public part).
            val verifier = if (alg.asString().startsWith("HS")) {
                JwtVerifier.withKey(signing, JwtVerifierOptions(algorithms = listOf(alg), issuers = listOf(ISS), audiences = listOf(AUD)))
            } else {
                val set = KeySet()
                set.insert(signing)
                JwtVerifier.withJwks(set.toJwksJson(), JwtVerifierOptions(algorithms = listOf(alg), issuers = listOf(ISS), audiences = listOf(AUD)))
            }
            val issuer = JwtIssuer(signing, JwtIssuerOptions(algorithm = alg, issuer = ISS, audience = listOf(AUD), ttl = Duration.ofSeconds(300)))
            val token = issuer.issue("""{"role":"admin","n":[1,2,3]}""", JwtIssueOptions(subject = "user-1"))
            val claims = JSONObject(verifier.verify(token))
            assertEquals(verifier.verify(token), verifier.verifyFast(token))
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
            assertEquals(outcome { verifier.verify(tampered) }, outcome { verifier.verifyFast(tampered) })
            verifier.close()
            issuer.close()
        }
    }

    @Test
    fun algorithmEnumRoundTripsThroughTheCore() {
        // Every variant: its RFC name, parsed back, is the same variant, and a key generated for
        // it reports it (checked by mapping EdDSA to ES384 in bindings/src/jwt/alg.rs: this fails).
        assertEquals(12, Algorithm.values().size)
        for (alg in Algorithm.values()) {
            assertEquals(alg, algorithmFromString(alg.asString()))
            assertEquals(alg.asString(), alg.toString())
        }
        assertEquals("EdDSA", Algorithm.ED_DSA.asString())
        assertEquals(Algorithm.ES256, JwtKey.generate(Algorithm.ES256).algorithm())
        assertEquals("algorithm_not_allowed", codeOf { algorithmFromString("none") })
        assertEquals("algorithm_not_allowed", codeOf { algorithmFromString("hs256") })
    }

    @Test
    fun durationsAreJavaDurations() {
        val key = JwtKey.hmac(ByteArray(32) { 7 }, Algorithm.HS256)
        val clock = ManualClock(Instant.ofEpochSecond(1_000_000))
        val token = JwtIssuer(key, JwtIssuerOptions(ttl = Duration.ofSeconds(10), clock = clock)).issue(null, JwtIssueOptions())
        clock.advance(Duration.ofSeconds(40))
        val lenient = JwtVerifier.withKey(key, JwtVerifierOptions(algorithms = listOf(Algorithm.HS256), leeway = Duration.ofMinutes(1), clock = clock))
        assertEquals(1_000_010L, JSONObject(lenient.verify(token)).getLong("exp"))
        val strict = JwtVerifier.withKey(key, JwtVerifierOptions(algorithms = listOf(Algorithm.HS256), leeway = Duration.ofSeconds(10), clock = clock))
        assertEquals("expired", codeOf { strict.verify(token) })
        val perCall = JwtIssuer(key, JwtIssuerOptions()).issue(null, JwtIssueOptions(ttl = Duration.ofSeconds(30)))
        val claims = JSONObject(JwtVerifier.withKey(key, JwtVerifierOptions(algorithms = listOf(Algorithm.HS256))).verify(perCall))
        assertEquals(30L, claims.getLong("exp") - claims.getLong("iat"))
    }

    @Test
    fun keysPrintWithoutMaterial() {
        val secret = "SuperSecretHmacKeyMaterial-0123456789"
        val key = JwtKey.hmac(secret.toByteArray(), Algorithm.HS256).withKid("hs")
        assertEquals("hs", key.kid())
        assertEquals(Algorithm.HS256, key.algorithm())
        assertFalse(key.toString().contains(secret))
        assertTrue(key.toString().contains("hs"))
        val rsa = JwtKey.generate(Algorithm.RS256)
        val pem = rsa.toPrivatePem()
        assertFalse(pem.toString().contains("PRIVATE KEY"))
        assertTrue(pem.expose().contains("PRIVATE KEY"))
        val set = KeySet()
        set.insert(key)
        assertFalse(set.toString().contains(secret))
        assertEquals(1, set.size)
        assertEquals(1u, set.len())
        // HMAC keys are never published.
        assertEquals(0, JSONObject(set.toJwksJson()).getJSONArray("keys").length())
        assertEquals("invalid_key", codeOf { key.toJwkJson() })
    }

    @Test
    fun invalidInputsFailWithCodes() {
        assertEquals("invalid_key", codeOf { JwtKey.hmac("short".toByteArray(), Algorithm.HS256) })
        assertEquals("algorithm_not_allowed", codeOf { algorithmFromString("none") })
        assertEquals("invalid_key", codeOf { JwtKey.fromPem("not a pem", null) })
        assertEquals("invalid_input", codeOf { JwtVerifier.withKey(JwtKey.generate(Algorithm.HS256), JwtVerifierOptions(algorithms = emptyList())) })
        // Issue 14: durations beyond the core's maximum are invalid_input, never a panic.
        assertEquals("invalid_input", codeOf { JwtVerifier.withKey(JwtKey.generate(Algorithm.HS256), JwtVerifierOptions(algorithms = listOf(Algorithm.HS256), leeway = Duration.ofSeconds(Long.MAX_VALUE))) })
        val clock = ManualClock(Instant.MAX)
        assertEquals(253402300799L, clock.now().epochSecond)
        clock.set(Instant.EPOCH)
        clock.set(Instant.MAX)
        assertEquals(253402300799L, clock.now().epochSecond)
        val ec = JwtKey.generate(Algorithm.ES256).withKid("ec")
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
        private val ALGORITHMS = Algorithm.values().toList()
        private val KNOWN_OPTIONS = setOf("algorithms", "issuer", "audience", "leeway", "require_exp", "max_age", "required_claims", "typ", "max_token_size")
    }
}
