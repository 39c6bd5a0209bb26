// The JVM's hot path: JNI calls for JwtVerifier.verify, ApiKeys.verify and
// Authenticator.authenticate. Hand-written: not touched by gen-bindings.sh.
@file:JvmName("TokenwardFast")

package dev.tokenward

import com.sun.jna.NativeLibrary
import java.lang.reflect.Field
import java.nio.ByteBuffer
import java.util.concurrent.atomic.AtomicLong

/**
 * [JwtVerifier.verify] through JNI: the same claims JSON and the same [TokenwardException.Failed]
 * (code and detail) as `verify`, at a fraction of its cost (docs/performance.md, "JVM"). The same
 * object serves both calls. Java: `TokenwardFast.verifyFast(verifier, token)`.
 *
 * Falls back to `verify` where the JNI functions cannot be loaded (see [fastPathAvailable]).
 * One difference: a string that is not valid UTF-16 (a lone surrogate) fails here as a malformed
 * token, where the uniffi call throws a `java.nio.charset.CharacterCodingException` before Rust
 * sees it. The same holds for `ApiKeys.verifyFast`.
 */
@Throws(TokenwardException::class)
fun JwtVerifier.verifyFast(token: String): String {
    if (!TokenwardJni.available) return verify(token)
    val answer = Handles.jwtVerifier.call(this) { TokenwardJni.jwtVerifyUtf8(it, token.toByteArray(Charsets.UTF_8)) }
    return TokenwardJni.text(answer)
}

/**
 * [ApiKeys.verify] through JNI: the same [KeyRecord] and the same exceptions. Java:
 * `TokenwardFast.verifyFast(keys, key)`. Falls back to `verify` where JNI is unavailable.
 */
@Throws(TokenwardException::class)
fun ApiKeys.verifyFast(key: String): KeyRecord {
    if (!TokenwardJni.available) return verify(key)
    val answer = Handles.apiKeys.call(this) { TokenwardJni.apiKeysVerifyUtf8(it, key.toByteArray(Charsets.UTF_8)) }
    return TokenwardJni.read(answer, FfiConverterTypeKeyRecord)
}

/**
 * [Authenticator.authenticate] through JNI: the same [AuthDecision] (a refusal is returned, not
 * thrown) and the same exceptions. Java: `TokenwardFast.authenticateFast(authenticator, request)`.
 * Falls back to `authenticate` where JNI is unavailable.
 */
@Throws(TokenwardException::class)
fun Authenticator.authenticateFast(request: AuthRequest): AuthDecision {
    if (!TokenwardJni.available) return authenticate(request)
    val buf = ByteBuffer.allocate(FfiConverterTypeAuthRequest.allocationSize(request).toInt())
    FfiConverterTypeAuthRequest.write(request, buf)
    val answer = Handles.authenticator.call(this) { TokenwardJni.authenticate(it, buf.array(), buf.position()) }
    return TokenwardJni.read(answer, FfiConverterTypeAuthDecision)
}

/** Whether the `*Fast` calls go through JNI (otherwise they are the uniffi calls). */
val fastPathAvailable: Boolean
    get() = TokenwardJni.available

/**
 * The JNI functions of libtokenward_ffi (bindings/src/jvm/). JNA has loaded the library for the
 * uniffi calls; `System.load` of the same file registers it with the JVM too (the same mapping:
 * one copy of the Rust state). Each function returns a status byte, then the answer in uniffi's
 * serialization, read here with the generated converters (bindings/src/jvm/wire.rs).
 */
internal object TokenwardJni {
    private const val OK: Byte = 0
    private const val FAILED: Byte = 1

    // Text goes in as UTF-8 bytes: cheaper to hand over than a String (bindings/src/jvm/mod.rs).
    @JvmStatic external fun jwtVerifyUtf8(handle: Long, token: ByteArray): ByteArray

    @JvmStatic external fun apiKeysVerifyUtf8(handle: Long, key: ByteArray): ByteArray

    @JvmStatic external fun authenticate(handle: Long, request: ByteArray, length: Int): ByteArray

    @JvmField val available: Boolean = load()

    private fun load(): Boolean = try {
        // The name the generated code loads (its private findLibraryName) and the same
        // NativeLibrary instance (same name, same class loader option).
        val name = System.getProperty("uniffi.component.tokenward.libraryOverride") ?: "tokenward_ffi"
        val file = NativeLibrary.getInstance(name, UniffiLib::class.java.classLoader).file
        if (file == null || System.getProperty("tokenward.jni") == "false") {
            false
        } else {
            System.load(file.absolutePath)
            // A library without the JNI functions (an older build) fails here, not on first use.
            jwtVerifyUtf8(0L, ByteArray(0))[0] != OK
        }
    } catch (e: UnsatisfiedLinkError) {
        false
    } catch (e: SecurityException) {
        false
    }

    /** The payload of an answer: the claims JSON of `jwtVerifyUtf8`. */
    fun text(answer: ByteArray): String {
        check(answer)
        return String(answer, 1, answer.size - 1, Charsets.UTF_8)
    }

    /** The payload of an answer, read by a generated converter. */
    fun <T> read(answer: ByteArray, converter: FfiConverterRustBuffer<T>): T {
        check(answer)
        val buf = ByteBuffer.wrap(answer, 1, answer.size - 1)
        val value = converter.read(buf)
        if (buf.hasRemaining()) throw InternalException("junk remaining in buffer after lifting")
        return value
    }

    /** Throws what the uniffi call throws for a failed answer. */
    private fun check(answer: ByteArray) {
        when (answer[0]) {
            OK -> return
            FAILED -> throw FfiConverterTypeTokenwardError.read(ByteBuffer.wrap(answer, 1, answer.size - 1))
            else -> throw InternalException(String(answer, 1, answer.size - 1, Charsets.UTF_8))
        }
    }
}

/**
 * The handle of a generated object and its call counter, as the generated `callWithHandle` uses
 * them (the fields are not visible outside the class): the counter keeps the Rust object alive
 * during the call, so a concurrent `close()` frees it only afterwards. No handle clone: the call
 * borrows the object's own reference.
 */
internal class HandleAccess(type: Class<*>) {
    private val handle: Field = type.getDeclaredField("handle").apply { isAccessible = true }
    private val counter: Field = type.getDeclaredField("callCounter").apply { isAccessible = true }
    private val cleanable: Field = type.getDeclaredField("cleanable").apply { isAccessible = true }

    fun call(obj: Any, block: (Long) -> ByteArray): ByteArray {
        val calls = counter.get(obj) as AtomicLong
        do {
            val c = calls.get()
            if (c == 0L) throw IllegalStateException("${obj.javaClass.simpleName} object has already been destroyed")
            if (c == Long.MAX_VALUE) throw IllegalStateException("${obj.javaClass.simpleName} call counter would overflow")
        } while (!calls.compareAndSet(c, c + 1L))
        try {
            val h = handle.getLong(obj)
            if (h == 0L) throw InternalException("uniffiCloneHandle() called on NoHandle object")
            return block(h)
        } finally {
            if (calls.decrementAndGet() == 0L) (cleanable.get(obj) as UniffiCleaner.Cleanable?)?.clean()
        }
    }
}

internal object Handles {
    val jwtVerifier = HandleAccess(JwtVerifier::class.java)
    val apiKeys = HandleAccess(ApiKeys::class.java)
    val authenticator = HandleAccess(Authenticator::class.java)
}
