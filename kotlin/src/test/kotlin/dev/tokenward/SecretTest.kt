package dev.tokenward

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class SecretTest {
    private val value = "tw_live_super_secret_value_123"

    @Test
    fun `printed form is redacted and never contains the secret`() {
        Secret(value).use { secret ->
            val printed = secret.toString()
            assertFalse(printed.contains(value), "toString leaked the secret: $printed")
            assertEquals("[REDACTED:${secret.fingerprint()}]", printed)
            assertEquals(printed, secret.redacted())
            assertFalse("$secret".contains(value))
            assertFalse(listOf(secret).toString().contains(value))
        }
    }

    @Test
    fun `expose returns the value explicitly`() {
        Secret(value).use { assertEquals(value, it.expose()) }
    }

    @Test
    fun `fingerprint of the object matches the free function`() {
        Secret(value).use { secret ->
            assertEquals(fingerprint(value), secret.fingerprint())
            assertEquals(8, secret.fingerprint().length)
        }
    }

    @Test
    fun `an error raised in Rust reaches Kotlin with its code`() {
        val err = assertThrows(TokenwardException.Failed::class.java) { Secret("") }
        assertEquals(ErrorCode.INVALID_INPUT, err.code)
        assertEquals("invalid_input", err.code.asString())
        assertEquals("invalid_input", "${err.code}")
        assertEquals(ErrorCategory.INPUT, err.code.category())
        // The Rust field `message` is `detail` in Kotlin (it would clash with Throwable.message).
        assertTrue(err.detail.isNotEmpty())
        assertTrue(err.message.orEmpty().contains("invalid_input"))
        // The common base type is catchable too.
        val base: TokenwardException = assertThrows(TokenwardException::class.java) { Secret("") }
        assertTrue(base is TokenwardException.Failed)
    }

    @Test
    fun `a refusal is matched by its enum value`() {
        val err = assertThrows(TokenwardException.Failed::class.java) { Secret("") }
        val matched = when (err.code) {
            ErrorCode.INVALID_INPUT -> "input"
            ErrorCode.EXPIRED, ErrorCode.REVOKED -> "credential"
            else -> "other"
        }
        assertEquals("input", matched)
    }

    @Test
    fun `version is the core version`() {
        assertTrue(version().matches(Regex("""\d+\.\d+\.\d+.*""")), version())
    }
}
