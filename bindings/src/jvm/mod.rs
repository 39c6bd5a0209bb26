//! The JVM's hot path: JNI functions for `JwtVerifier.verify`, `ApiKeys.verify` and
//! `Authenticator.authenticate`, called by `kotlin/src/main/kotlin/dev/tokenward/FastPath.kt`
//! (`verifyFast`, `authenticateFast`).
//!
//! uniffi's Kotlin reaches Rust through JNA: every call allocates a `RustCallStatus` structure,
//! passes its arguments and result as by-value `RustBuffer` structures, and clones the object's
//! handle with one more JNA call first (docs/performance.md, "JVM", has the figures). These
//! functions are plain JNI exports of the same library (Kotlin loads it a second time with
//! `System.load`, which returns the same mapping): they take the object's uniffi handle (the
//! `Arc` pointer its Kotlin object holds, kept alive by the Kotlin caller's call counter) and the
//! arguments as JNI values, call the same method of this crate as the uniffi path does, and return
//! one byte array: a status byte, then the answer in uniffi's own serialization, which Kotlin reads
//! with the generated `FfiConverter*` objects. So results, error codes and messages are those of
//! the uniffi path, by construction.
//!
//! No panic crosses the boundary: the method call runs under `catch_unwind` ([`wire::answer`]),
//! and the JNI glue around it under `EnvUnowned::with_env`, which catches too.

mod wire;

use jni::errors::ThrowRuntimeExAndDefault;
use jni::objects::{JByteArray, JClass};
use jni::sys::{jint, jlong};
use jni::{Env, EnvUnowned};

use crate::jwt::JwtVerifier;
use crate::{ApiKeys, AuthRequest, Authenticator};

/// Runs `f` with the JNI environment and returns its bytes as a Java `byte[]`. A JNI failure
/// (out of memory, a null argument) or a panic in the glue throws a `RuntimeException` (or lets
/// the pending Java exception through) and returns `null`.
fn respond<'l>(
    env: &mut EnvUnowned<'l>,
    f: impl FnOnce(&mut Env<'l>) -> jni::errors::Result<Vec<u8>>,
) -> JByteArray<'l> {
    env.with_env(|env| -> jni::errors::Result<JByteArray<'l>> {
        let bytes = f(env)?;
        env.byte_array_from_slice(&bytes)
    })
    .resolve::<ThrowRuntimeExAndDefault>()
}

/// The text Kotlin encoded with `toByteArray(Charsets.UTF_8)`: a copy of a byte array costs less
/// than `GetStringUTFChars` (a conversion to modified UTF-8 into a buffer the JVM allocates, then
/// one back). Bytes that are not UTF-8 cannot come from that encoder; if they came, each bad
/// sequence becomes U+FFFD, which no token or key contains, so the call fails as on any bad one.
fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The object behind a uniffi handle, or `None` for the null handle of a fake object.
///
/// # Safety
/// A non-zero `handle` must be the uniffi handle (`Arc::into_raw`) of a live `T`: the Kotlin
/// caller holds the object's call counter for the duration of the call, as uniffi's own
/// `callWithHandle` does, so the `Arc` cannot be released meanwhile.
unsafe fn object<'a, T>(handle: jlong) -> Option<&'a T> {
    // SAFETY: the caller's contract above.
    unsafe { (handle as u64 as *const T).as_ref() }
}

/// `JwtVerifier.verify(token)`, the token as UTF-8 bytes: `OK` + the claims JSON (UTF-8), or an
/// error.
#[no_mangle]
pub extern "system" fn Java_dev_tokenward_TokenwardJni_jwtVerifyUtf8<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
    token: JByteArray<'l>,
) -> JByteArray<'l> {
    respond(&mut env, |env| {
        let token = text(env.convert_byte_array(&token)?);
        // SAFETY: FastPath.kt passes the handle of a `JwtVerifier` under its call counter.
        let verifier = unsafe { object::<JwtVerifier>(handle) };
        Ok(wire::answer(
            || Ok(wire::live(verifier)?.verify(token)),
            |claims, out| out.extend_from_slice(claims.as_bytes()),
        ))
    })
}

/// `ApiKeys.verify(key)`, the key as UTF-8 bytes: `OK` + the `KeyRecord` (uniffi serialization),
/// or an error.
#[no_mangle]
pub extern "system" fn Java_dev_tokenward_TokenwardJni_apiKeysVerifyUtf8<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
    key: JByteArray<'l>,
) -> JByteArray<'l> {
    respond(&mut env, |env| {
        let key = text(env.convert_byte_array(&key)?);
        // SAFETY: FastPath.kt passes the handle of an `ApiKeys` under its call counter.
        let keys = unsafe { object::<ApiKeys>(handle) };
        Ok(wire::answer(
            || Ok(wire::live(keys)?.verify(key)),
            wire::write,
        ))
    })
}

/// `Authenticator.authenticate(request)`, the request in uniffi serialization (Kotlin's
/// `FfiConverterTypeAuthRequest`) in the first `length` bytes of `request`: `OK` + the
/// `AuthDecision`, or an error.
#[no_mangle]
pub extern "system" fn Java_dev_tokenward_TokenwardJni_authenticate<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
    request: JByteArray<'l>,
    length: jint,
) -> JByteArray<'l> {
    respond(&mut env, |env| {
        let mut request = env.convert_byte_array(&request)?;
        request.truncate(usize::try_from(length).unwrap_or(0));
        // SAFETY: FastPath.kt passes the handle of an `Authenticator` under its call counter.
        let authenticator = unsafe { object::<Authenticator>(handle) };
        Ok(wire::answer(
            || {
                let request: AuthRequest = wire::read(&request)?;
                Ok(wire::live(authenticator)?.authenticate(request))
            },
            wire::write,
        ))
    })
}
