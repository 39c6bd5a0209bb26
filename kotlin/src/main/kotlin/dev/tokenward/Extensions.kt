// Idiomatic additions to the generated bindings. Hand-written: not touched by gen-bindings.sh.

package dev.tokenward

/** The number of keys (Kotlin's collection idiom for the core's `len`). */
val KeySet.size: Int
    get() = len().toInt()

/**
 * Checks the shape and checksum of any tokenward API key offline (no store); throws
 * [TokenwardException.Failed] with `INVALID_FORMAT` or `CHECKSUM_MISMATCH`. The core's
 * `ApiKeys::check_format` (uniffi exports no static methods: this calls the generated
 * [checkApiKeyFormat]).
 */
fun ApiKeys.Companion.checkFormat(key: String): KeyInfo = checkApiKeyFormat(key)
