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

/** The published API-key pattern (the core's `KEY_PATTERN`), under its name in Python and Node. */
val API_KEY_PATTERN: String
    get() = apiKeyPattern()

/**
 * Calls [hook] after every refresh with the new response (persist a rotated refresh token from
 * here): the `on_refresh` of the other languages, over [TokenSource.addListener]. The hook runs
 * on a library thread, inline with the refresh.
 */
fun TokenSource.onRefresh(hook: (TokenResponse) -> Unit) =
    addListener(object : TokenSourceListener {
        override fun onRefresh(tokens: TokenResponse) = hook(tokens)
        override fun onError(code: ErrorCode, message: String) {}
    })

/** Calls [hook] with the code and message of every failed token request (never secret material). */
fun TokenSource.onError(hook: (ErrorCode, String) -> Unit) =
    addListener(object : TokenSourceListener {
        override fun onRefresh(tokens: TokenResponse) {}
        override fun onError(code: ErrorCode, message: String) = hook(code, message)
    })
