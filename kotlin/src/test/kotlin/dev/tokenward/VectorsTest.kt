package dev.tokenward

import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.fail
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.TestFactory

/** Runs the shared conformance vectors of tests/vectors/ (directory: TestVectors). */
class VectorsTest {
    private fun load(name: String): JSONObject = TestVectors.json(name)

    @TestFactory
    fun errorCodeVectors(): List<DynamicTest> = listOf(
        DynamicTest.dynamicTest("error_codes.json: errorCodes() in order") {
            val codes = load("error_codes.json").getJSONArray("codes")
            val expected = (0 until codes.length()).map { codes.getJSONObject(it).getString("code") }
            assertEquals(expected, errorCodes())
        },
        DynamicTest.dynamicTest("error_codes.json: ErrorCode.entries in order, with categories") {
            val codes = load("error_codes.json").getJSONArray("codes")
            val expected = (0 until codes.length()).map { codes.getJSONObject(it) }
            assertEquals(expected.map { it.getString("code") }, ErrorCode.entries.map { it.asString() })
            assertEquals(expected.map { it.getString("code") }, ErrorCode.entries.map { it.toString() })
            assertEquals(expected.map { it.getString("category") }, ErrorCode.entries.map { it.category().asString() })
        },
    )

    @TestFactory
    fun secretVectors(): List<DynamicTest> {
        val doc = load("secrets.json")
        val cases = doc.getJSONArray("cases")
        val tests = (0 until cases.length()).map { i ->
            val case = cases.getJSONObject(i)
            val input = case.getString("input")
            DynamicTest.dynamicTest("secrets.json: ${case.getString("name")}") {
                when {
                    case.has("fingerprint") -> {
                        val expected = case.getString("fingerprint")
                        Secret(input).use { secret ->
                            assertEquals(expected, secret.fingerprint())
                            assertFalse(secret.toString().contains(input))
                            assertFalse(secret.redacted().contains(input))
                        }
                        assertEquals(expected, fingerprint(input))
                    }
                    case.has("error") -> {
                        try {
                            Secret(input).close()
                            fail<Unit>("expected error ${case.getString("error")}")
                        } catch (e: TokenwardException.Failed) {
                            assertEquals(case.getString("error"), e.code.asString())
                        }
                    }
                    else -> fail<Unit>("case has neither fingerprint nor error")
                }
            }
        }
        val extra = if (doc.has("fingerprint_of_empty")) {
            listOf(
                DynamicTest.dynamicTest("secrets.json: fingerprint_of_empty") {
                    assertEquals(doc.getString("fingerprint_of_empty"), fingerprint(""))
                },
            )
        } else {
            emptyList()
        }
        return tests + extra
    }
}
