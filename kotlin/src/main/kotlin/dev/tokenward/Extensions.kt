// Idiomatic additions to the generated bindings. Hand-written: not touched by gen-bindings.sh.

package dev.tokenward

/** The number of keys (Kotlin's collection idiom for the core's `len`). */
val KeySet.size: Int
    get() = len().toInt()
