package dev.tokenward

import org.json.JSONObject
import java.io.File

/**
 * The shared test data of every language: tests/vectors/ (and its sibling tests/redaction/).
 * The directory comes from -Dtokenward.vectors, else $TOKENWARD_VECTORS, else ../tests/vectors
 * (Maven runs the tests in kotlin/). One lookup for every suite, so they cannot drift apart.
 */
internal object TestVectors {
    val dir: File = File(
        listOf(System.getProperty("tokenward.vectors"), System.getenv("TOKENWARD_VECTORS"))
            .firstOrNull { !it.isNullOrEmpty() } ?: "../tests/vectors",
    ).absoluteFile

    /** A file of tests/vectors/, which must exist. */
    fun file(name: String): File = existing(File(dir, name))

    /** A vector file parsed as a JSON object. */
    fun json(name: String): JSONObject = JSONObject(file(name).readText(Charsets.UTF_8))

    /** A file under tests/, beside vectors/ (tests/redaction/corpus.json). */
    fun testsFile(relative: String): File = existing(File(dir.parentFile, relative))

    private fun existing(file: File): File = file.also { check(it.isFile) { "test data not found: ${it.path}" } }
}
