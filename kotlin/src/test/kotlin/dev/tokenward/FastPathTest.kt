package dev.tokenward

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.time.Duration

/**
 * The JNI path of FastPath.kt (bindings/src/jvm/) against the uniffi path: the same results, the
 * same exceptions (type, code, detail), the object's life cycle kept. The shared vectors run
 * through it in JwtVectorsTest, ApiKeysTest and GatewayVectorsTest.
 */
class FastPathTest {
    private val key = JwtKey.hmac(ByteArray(32) { 7 }, Algorithm.HS256)
    private val issuer = JwtIssuer(key, JwtIssuerOptions(issuer = "iss", audience = listOf("aud")))
    private val verifier = JwtVerifier.withKey(
        key,
        JwtVerifierOptions(algorithms = listOf(Algorithm.HS256), issuers = listOf("iss"), audiences = listOf("aud")),
    )

    /** A token signed by hand over `payload` exactly as written, with the test's HS256 key. */
    private fun hs256(payload: String): String {
        val b64 = java.util.Base64.getUrlEncoder().withoutPadding()
        val input = b64.encodeToString("""{"alg":"HS256"}""".toByteArray()) + "." + b64.encodeToString(payload.toByteArray())
        val mac = javax.crypto.Mac.getInstance("HmacSHA256").apply { init(javax.crypto.spec.SecretKeySpec(ByteArray(32) { 7 }, "HmacSHA256")) }
        return input + "." + b64.encodeToString(mac.doFinal(input.toByteArray()))
    }

    /** The value, or the exception's class, code and message. */
    private fun <T> outcome(block: () -> T): String = try {
        "ok ${block()}"
    } catch (e: TokenwardException.Failed) {
        "failed ${e.code} ${e.detail} / ${e.message}"
    } catch (e: Exception) {
        "${e.javaClass.name} ${e.message}"
    }

    @Test
    fun theJniFunctionsAreLoaded() {
        // The library of the tests has them: a silent fallback would test the uniffi path twice.
        assertTrue(fastPathAvailable)
    }

    @Test
    fun verifyFastReturnsTheSameClaimsAndErrors() {
        // Non-ASCII claims (a supplementary character too) come back as the same text.
        val token = issuer.issue("""{"name":"Zoë 名前 😀","n":[1,2.5,null],"nested":{"a":"\u0000b"}}""", JwtIssueOptions(subject = "u1"))
        assertEquals(verifier.verify(token), verifier.verifyFast(token))
        assertTrue(verifier.verifyFast(token).contains("Zoë 名前 😀"))
        // The claims JSON is the token's own payload text (member order, spacing, number
        // spelling), not a re-serialization, on both paths.
        val payload = """{ "sub": "u1", "iss": "iss", "aud": "aud", "exp": 99999999999, "big": 12345678901234567890123, "f": 1.50 }"""
        val handMade = hs256(payload)
        assertEquals(payload, verifier.verifyFast(handMade))
        assertEquals(payload, verifier.verify(handMade))

        val parts = token.split(".")
        val tampered = parts[0] + "." + (if (parts[1][0] == 'e') "f" else "e") + parts[1].substring(1) + "." + parts[2]
        val inputs = listOf(
            tampered, "", "not a token", "a.b.c", "ü.ö.ä", "$token\u0000", token.replace('.', '\u00e9'),
            "x".repeat(20_000),
        )
        for (input in inputs) {
            val fast = outcome { verifier.verifyFast(input) }
            assertEquals(outcome { verifier.verify(input) }, fast, input.take(40))
            assertTrue(fast.startsWith("failed "), fast)
        }
        // Not UTF-16 (lone surrogates): a TokenwardException from the fast path, where uniffi's
        // string conversion throws a CharacterCodingException.
        for (input in listOf("\uD800.\uDC00.x", "$token\uD800")) {
            assertTrue(outcome { verifier.verifyFast(input) }.startsWith("failed malformed "), input)
            assertTrue(outcome { verifier.verify(input) }.startsWith("java.nio.charset.MalformedInputException"))
        }
        val other = JwtVerifier.withKey(key, JwtVerifierOptions(algorithms = listOf(Algorithm.HS256), issuers = listOf("other")))
        assertTrue(outcome { other.verifyFast(token) }.startsWith("failed invalid_issuer "))
        assertEquals(outcome { other.verify(token) }, outcome { other.verifyFast(token) })
    }

    @Test
    fun apiKeyVerifyFastReturnsTheSameRecordAndErrors() {
        val clock = ManualClock(java.time.Instant.ofEpochSecond(1_700_000_000))
        ApiKeys("tw_fast", ApiKeysOptions(clock = clock)).use { keys ->
            val issued = keys.create("ünïcode owner", listOf("read", "write"), Duration.ofDays(1), mapOf("plan" to "pro", "ключ" to "значение"))
            val secret = issued.secret.expose()
            assertEquals(keys.verify(secret), keys.verifyFast(secret))
            assertEquals("ünïcode owner", keys.verifyFast(secret).owner)
            val typo = secret.dropLast(1) + (if (secret.last() == 'a') 'b' else 'a')
            for (input in listOf(typo, "", "tw_fast_nope", "sk_live_x", "ü".repeat(100))) {
                assertEquals(outcome { keys.verify(input) }, outcome { keys.verifyFast(input) }, input)
            }
            // Not UTF-16: refused like any key that is not one (see verifyFastReturnsTheSameClaimsAndErrors).
            assertTrue(outcome { keys.verifyFast(secret + "\uD800") }.startsWith("failed "))
            assertTrue(outcome { keys.verify(secret + "\uD800") }.startsWith("java.nio.charset.MalformedInputException"))
            keys.revoke(issued.record.id)
            assertEquals(outcome { keys.verify(secret) }, outcome { keys.verifyFast(secret) })
            assertTrue(outcome { keys.verifyFast(secret) }.startsWith("failed revoked "))
        }
    }

    @Test
    fun authenticateFastReturnsTheSameDecisions() {
        val keys = ApiKeys("tw_gw")
        val apiKey = keys.create("acct", listOf("read")).secret.expose()
        val auth = Authenticator(AuthenticatorOptions(apiKeys = keys, jwt = verifier, ipDeny = listOf("192.0.2.0/24")))
        val token = issuer.issue("""{"scope":"read write","x":"ÿ"}""", JwtIssueOptions(subject = "alice"))
        fun request(vararg headers: Pair<String, String>, ip: String? = "198.51.100.7", scopes: List<String> = listOf("read")) =
            AuthRequest(
                method = "GET",
                path = "/v1/things?q=ü",
                headers = headers.map { HttpHeader(it.first, it.second) },
                clientIp = ip,
                requiredScopes = scopes,
                clientCertificate = null,
            )
        val requests = listOf(
            request("x-api-key" to apiKey),
            request("authorization" to "Bearer $token"),
            request("authorization" to "Bearer $token", scopes = listOf("admin")),
            request("x-api-key" to apiKey, ip = "192.0.2.9"),
            request("x-api-key" to apiKey, ip = null),
            request(),
            request("authorization" to "Bearer not.a.token"),
            request("x-api-key" to apiKey, "authorization" to "Bearer $token"),
            request("x-api-key" to apiKey, ip = "not an ip"),
            request("x-api-key" to apiKey, ip = "[2001:db8::1]"),
        )
        for (r in requests) {
            assertEquals(outcome { auth.authenticate(r) }, outcome { auth.authenticateFast(r) }, r.headers.toString())
        }
        val allowed = auth.authenticateFast(request("authorization" to "Bearer $token")) as AuthDecision.Allowed
        assertEquals("alice", allowed.principal.subject)
        assertEquals(CredentialKind.JWT, allowed.principal.kind)
        val refused = auth.authenticateFast(request("x-api-key" to apiKey, ip = "192.0.2.9")) as AuthDecision.Refused
        assertEquals(ErrorCode.IP_DENIED, refused.refusal.code)
        val bad = assertThrows(TokenwardException.Failed::class.java) { auth.authenticateFast(request("x-api-key" to apiKey, ip = "nope")) }
        assertEquals(ErrorCode.INVALID_INPUT, bad.code)
    }

    @Test
    fun aClosedObjectRefusesTheCallAsUniffiDoes() {
        val v = JwtVerifier.withKey(key, JwtVerifierOptions(algorithms = listOf(Algorithm.HS256)))
        v.close()
        assertEquals(outcome { v.verify("a.b.c") }, outcome { v.verifyFast("a.b.c") })
        assertTrue(outcome { v.verifyFast("a.b.c") }.contains("already been destroyed"))
        val fake = JwtVerifier(NoHandle)
        assertEquals(outcome { fake.verify("a.b.c") }, outcome { fake.verifyFast("a.b.c") })
    }

    @Test
    fun unexpectedAnswersBecomeInternalExceptions() {
        // A null handle reaches Rust only here (Kotlin refuses it first): uniffi's
        // InternalException, not a TokenwardException.
        val e = assertThrows(InternalException::class.java) { TokenwardJni.text(TokenwardJni.jwtVerifyUtf8(0L, "a.b.c".toByteArray())) }
        assertEquals("null handle", e.message)
        // A request that does not deserialize is refused, not read past its end.
        val a = assertThrows(InternalException::class.java) {
            TokenwardJni.read(TokenwardJni.authenticate(0L, ByteArray(0), 0), FfiConverterTypeAuthDecision)
        }
        assertTrue(a.message!!.startsWith("Failed to convert arg 'request'"), a.message)
    }
}
