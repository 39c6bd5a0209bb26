package dev.tokenward

import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory
import java.io.File
import java.nio.file.Files
import java.time.Duration
import java.time.Instant

/** API keys: tests/vectors/apikeys.json plus the lifecycle through the Kotlin binding. */
class ApiKeysTest {
    private val doc: JSONObject = TestVectors.json("apikeys.json")

    private fun expand(case: JSONObject): String =
        if (case.has("key")) {
            case.getString("key")
        } else {
            val rep = case.getJSONObject("key_repeat")
            rep.getString("unit").repeat(rep.getInt("count"))
        }

    private fun codeOf(block: () -> Unit): String? =
        try {
            block()
            null
        } catch (e: TokenwardException.Failed) {
            e.code.asString()
        }

    @TestFactory
    fun formatVectors(): List<DynamicTest> {
        val pattern = Regex(API_KEY_PATTERN)
        val cases = doc.getJSONArray("format")
        return (0 until cases.length()).map { i ->
            val case = cases.getJSONObject(i)
            DynamicTest.dynamicTest("apikeys.json format: ${case.getString("name")}") {
                val key = expand(case)
                assertEquals(case.getBoolean("matches_pattern"), pattern.matches(key))
                if (case.has("error")) {
                    assertEquals(case.getString("error"), codeOf { ApiKeys.checkFormat(key) })
                } else {
                    val info = ApiKeys.checkFormat(key)
                    assertEquals(case.getString("prefix"), info.prefix)
                    assertEquals(case.getString("id"), info.id)
                    assertEquals(case.getString("display"), info.display)
                    assertTrue(key.endsWith(case.getString("checksum")))
                }
            }
        }
    }

    @TestFactory
    fun verifyVectors(): List<DynamicTest> {
        val verify = doc.getJSONObject("verify")
        val cases = verify.getJSONArray("cases")
        return (0 until cases.length()).map { i ->
            val case = cases.getJSONObject(i)
            DynamicTest.dynamicTest("apikeys.json verify: ${case.getString("name")}") {
                ApiKeys(verify.getString("prefix")).use { keys ->
                    assertEquals(case.getString("error"), codeOf { keys.verify(expand(case)) })
                    // The JNI path (FastPath.kt) fails with the same code.
                    assertEquals(case.getString("error"), codeOf { keys.verifyFast(expand(case)) })
                }
            }
        }
    }

    @Test
    fun patternIsPublished() {
        assertEquals(doc.getString("pattern"), API_KEY_PATTERN)
    }

    @Test
    fun createVerifyRevokeRotate() {
        ApiKeys("tw_live").use { keys ->
            val issued = keys.create("alice", listOf("read"), Duration.ofHours(1), mapOf("plan" to "pro"))
            val key = issued.secret.expose()
            assertTrue(Regex(keys.pattern()).matches(key))
            val secretPart = key.substring("tw_live_".length + 12)
            assertFalse(issued.secret.toString().contains(secretPart))
            assertFalse(issued.record.toString().contains(secretPart))
            val record = keys.verify(key)
            assertEquals(issued.record.id, record.id)
            assertEquals("alice", record.owner)
            assertEquals(listOf("read"), record.scopes)
            assertEquals(mapOf("plan" to "pro"), record.metadata)
            assertEquals(record.createdAt.plusSeconds(3600), record.expiresAt)
            assertTrue(Duration.between(record.createdAt, Instant.now()).abs() < Duration.ofMinutes(1))
            assertEquals(record.id, keys.verify(issued.secret).id)
            assertEquals(record.id, ApiKeys.checkFormat(key).id)

            val next = keys.rotate(record.id, Duration.ofHours(1))
            assertNotEquals(record.id, next.record.id)
            assertEquals(next.record.id, keys.get(record.id).replacedBy)
            assertEquals(record.id, keys.verify(key).id) // inside the overlap
            val newer = keys.rotate(next.record.id, Duration.ZERO)
            assertEquals("expired", codeOf { keys.verify(next.secret) })
            assertNotNull(keys.revoke(newer.record.id).revokedAt)
            assertEquals("revoked", codeOf { keys.verify(newer.secret) })
            assertEquals(3, keys.list("alice").size)
            assertEquals("unknown_key", codeOf { keys.revoke("nope") })
        }
        assertEquals("invalid_input", codeOf { ApiKeys("TW").close() })
        assertEquals("invalid_input", codeOf { ApiKeys("tw", ApiKeysOptions(pepper = Secret("short"))).close() })
    }

    @Test
    fun sqliteStoreHoldsNoPlaintext() {
        val dir = Files.createTempDirectory("tw-kotlin").toFile()
        try {
            val path = File(dir, "keys.db").absolutePath
            val pepper = Secret("a-long-server-side-pepper-value!")
            val secrets = ApiKeys("tw_live", ApiKeysOptions(store = "sqlite://$path", pepper = pepper)).use { keys ->
                (0 until 5).map { keys.create("user$it").secret.expose() }
            }
            ApiKeys("tw_live", ApiKeysOptions(store = path, pepper = pepper)).use { again ->
                assertEquals("user0", again.verify(secrets[0]).owner)
                assertNull(again.get(again.verify(secrets[1]).id).revokedAt)
            }
            val blob = dir.listFiles()!!.joinToString("") { String(it.readBytes(), Charsets.ISO_8859_1) }
            for (key in secrets) {
                assertFalse(blob.contains(key))
                assertFalse(blob.contains(key.substring("tw_live_".length + 12, key.length - 6)))
            }
        } finally {
            dir.deleteRecursively()
        }
    }
}
