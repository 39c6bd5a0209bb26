package dev.tokenward

import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.util.concurrent.CopyOnWriteArrayList

/** Redaction: the shared corpus (tests/redaction/corpus.json), options and audit listeners. */
class RedactTest {
    private val corpus: JSONObject = JSONObject(TestVectors.testsFile("redaction/corpus.json").readText(Charsets.UTF_8))

    @Test
    fun corpusRecallAndFalsePositives() {
        val secret = corpus.getJSONArray("secret")
        val clean = corpus.getJSONArray("clean")
        val missed = mutableListOf<String>()
        for (i in 0 until secret.length()) {
            val case = secret.getJSONObject(i)
            val out = redact(case.getString("text"))
            val secrets = case.getJSONArray("secrets")
            val keep = case.getJSONArray("keep")
            val leaked = (0 until secrets.length()).any { out.contains(secrets.getString(it)) }
            val lost = (0 until keep.length()).any { !out.contains(keep.getString(it)) }
            if (leaked || lost || !out.contains("[REDACTED:")) missed.add("${case.getString("text")} -> $out")
        }
        val fps = (0 until clean.length()).map { clean.getString(it) }.filter { redact(it) != it }
        val n = secret.length()
        val m = clean.length()
        println("redaction corpus: recall ${100.0 * (n - missed.size) / n}% of $n, false positives ${100.0 * fps.size / m}% of $m")
        assertTrue(n >= 60 && m >= 40)
        assertEquals(emptyList<String>(), missed)
        assertEquals(emptyList<String>(), fps)
    }

    @Test
    fun redactorOptions() {
        val r = Redactor(RedactorOptions(patterns = mapOf("order" to "order#([0-9]{6})"), names = listOf("ssn"), replacement = "kind"))
        assertEquals(
            "ssn=[REDACTED:ssn] order#[REDACTED:order] password=[REDACTED:password]",
            r.redact("ssn=123-45-6789 order#123456 password=x1"),
        )
        val key = "tw_live_3xK9pQ2mZ7vR4tY8wB1nC5dF6gH0jL2kM4"
        assertEquals("key=[REDACTED:api_key:${fingerprint(key)}]", redact("key=$key"))
        val err = runCatching { Redactor(RedactorOptions(patterns = mapOf("x" to "("))) }.exceptionOrNull()
        assertEquals(ErrorCode.INVALID_INPUT, (err as TokenwardException.Failed).code)
        // The line limit is checked by the core (at least 1 KiB), not silently raised.
        val short = runCatching { Redactor(RedactorOptions(maxLine = 1023uL)) }.exceptionOrNull()
        assertEquals(ErrorCode.INVALID_INPUT, (short as TokenwardException.Failed).code)
        assertEquals("password=[REDACTED:password] ok", String(Redactor().redactBytes("password=hunter2 ok".toByteArray())))
    }
}
