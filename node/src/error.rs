//! Maps core errors to JS errors: instances of the classes of `errors.js` (`InvalidTokenError`,
//! …, all `TokenwardError`s) whose `.code` is the stable tokenward code.
//!
//! `index.js` hands the native side one factory function at module load (a hidden,
//! non-enumerable property of the exports, deleted right after use; see [`install`]). Every
//! error this addon creates goes through [`create_error`], which calls that factory; only the
//! error path pays for it. Without a registered factory (the addon loaded without `index.js`)
//! the error is a plain `Error` with `.code`, as napi makes it.
//!
//! The `#[napi]` expansions throw a function's `Err` through
//! `napi::bindgen_prelude::JsError::from(err).throw_into(env)`; the shim module of `lib.rs`
//! resolves that path to [`JsError`] below, so exports need no change.

use std::cell::Cell;
use std::ffi::c_void;
use std::ptr;

use crate::napi::{self, sys};

/// The JS-visible error code (napi-rs copies it to `err.code`).
pub struct Code(&'static str);

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.0
    }
}

/// Result type of every fallible exported function.
pub type JsResult<T> = napi::Result<T, Code>;

/// Converts a core error into a JS error with `.code`.
pub fn to_js(err: tokenward::Error) -> napi::Error<Code> {
    napi::Error::new(Code(err.code().as_str()), err.message().to_owned())
}

/// Extension trait: `core_result.js()?` inside binding functions.
pub trait IntoJsResult<T> {
    /// Maps the error to a JS error with `.code`.
    fn js(self) -> JsResult<T>;
}

impl<T> IntoJsResult<T> for tokenward::Result<T> {
    fn js(self) -> JsResult<T> {
        self.map_err(to_js)
    }
}

/// The category (the error class) of a code: a tokenward code's own, `input` for napi-rs's
/// argument-conversion statuses (`StringExpected`, `InvalidArg`, …: the caller passed a wrong
/// type; the code stays napi's), none for anything else (napi's own failures, left as napi
/// throws them).
pub(crate) fn category_of(code: &str) -> Option<&'static str> {
    if let Some(known) = tokenward::ErrorCode::parse(code) {
        return Some(known.category().as_str());
    }
    (code == "InvalidArg" || code.ends_with("Expected")).then_some("input")
}

thread_local! {
    /// The factory `index.js` registered on this thread's env (one env per Node thread; a
    /// worker registers its own): `(env, reference to the function)`.
    static FACTORY: Cell<(sys::napi_env, sys::napi_ref)> =
        const { Cell::new((ptr::null_mut(), ptr::null_mut())) };
}

/// The name of the hidden registration function on the exports object.
const REGISTER: &std::ffi::CStr = c"__tokenwardRegisterErrors";

/// Module load: defines the non-enumerable `exports.__tokenwardRegisterErrors(factory)`, which
/// `index.js` calls once with `(code, category, message) => TokenwardError` and deletes.
pub(crate) fn install(env: sys::napi_env, exports: sys::napi_value) -> napi::Result<()> {
    let mut function = ptr::null_mut();
    // SAFETY: `env` is the live env of module load, `exports` its exports object; the name is
    // a NUL-terminated static and the descriptor outlives the call.
    unsafe {
        check(sys::napi_create_function(
            env,
            REGISTER.as_ptr(),
            REGISTER.count_bytes() as isize,
            Some(register_cb),
            ptr::null_mut::<c_void>(),
            &mut function,
        ))?;
        let property = sys::napi_property_descriptor {
            utf8name: REGISTER.as_ptr(),
            name: ptr::null_mut(),
            method: None,
            getter: None,
            setter: None,
            value: function,
            // configurable so index.js can delete it; neither enumerable nor writable.
            attributes: sys::PropertyAttributes::configurable,
            data: ptr::null_mut(),
        };
        check(sys::napi_define_properties(env, exports, 1, &property))
    }
}

fn check(status: sys::napi_status) -> napi::Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::from_reason(
            "registering the error classes failed",
        ))
    }
}

/// `__tokenwardRegisterErrors(factory)`: keeps a reference to `factory` for this env. Anything
/// but a function is ignored. Nothing here can panic.
unsafe extern "C" fn register_cb(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    let mut argc = 1usize;
    let mut argv = [ptr::null_mut(); 1];
    let mut kind = sys::ValueType::napi_undefined;
    let mut reference = ptr::null_mut();
    // SAFETY: napi calls this with its live env and callback info; out-pointers are locals.
    unsafe {
        if sys::napi_get_cb_info(
            env,
            info,
            &mut argc,
            argv.as_mut_ptr(),
            ptr::null_mut(),
            ptr::null_mut(),
        ) != sys::Status::napi_ok
            || argc < 1
            || sys::napi_typeof(env, argv[0], &mut kind) != sys::Status::napi_ok
            || kind != sys::ValueType::napi_function
            || sys::napi_create_reference(env, argv[0], 1, &mut reference) != sys::Status::napi_ok
        {
            return ptr::null_mut();
        }
    }
    let (old_env, old) = FACTORY.with(|cell| cell.replace((env, reference)));
    if old_env == env && !old.is_null() {
        // SAFETY: `old` is a reference of this env created above on an earlier call.
        unsafe { sys::napi_delete_reference(env, old) };
    }
    ptr::null_mut()
}

/// A JS string (`None` if napi refuses).
unsafe fn js_string(env: sys::napi_env, text: &str) -> Option<sys::napi_value> {
    let mut value = ptr::null_mut();
    // SAFETY: the caller's env is live; the pointer/length pair is `text`'s.
    let status = unsafe {
        sys::napi_create_string_utf8(env, text.as_ptr().cast(), text.len() as isize, &mut value)
    };
    (status == sys::Status::napi_ok).then_some(value)
}

/// Creates the JS error for `code`: an instance of the registered class of its category, else a
/// plain `Error` with `.code` (also when the factory throws). `None` if the env cannot build
/// any error (tearing down).
///
/// # Safety
/// `env` is the live env of the current thread.
pub(crate) unsafe fn create_error(
    env: sys::napi_env,
    code: &str,
    message: &str,
) -> Option<sys::napi_value> {
    // SAFETY: the caller guarantees a live env; every out-pointer is a local.
    unsafe {
        let code_value = js_string(env, code)?;
        let message_value = js_string(env, message)?;
        let (factory_env, factory) = FACTORY.with(Cell::get);
        if let (true, Some(category)) =
            (factory_env == env && !factory.is_null(), category_of(code))
        {
            let mut function = ptr::null_mut();
            let mut receiver = ptr::null_mut();
            let mut made = ptr::null_mut();
            if let Some(category_value) = js_string(env, category) {
                let args = [code_value, category_value, message_value];
                if sys::napi_get_reference_value(env, factory, &mut function)
                    == sys::Status::napi_ok
                    && !function.is_null()
                    && sys::napi_get_undefined(env, &mut receiver) == sys::Status::napi_ok
                    && sys::napi_call_function(env, receiver, function, 3, args.as_ptr(), &mut made)
                        == sys::Status::napi_ok
                {
                    return Some(made);
                }
                // The factory threw (it should not): drop that and make the plain error.
                let mut pending = false;
                sys::napi_is_exception_pending(env, &mut pending);
                if pending {
                    let mut discarded = ptr::null_mut();
                    sys::napi_get_and_clear_last_exception(env, &mut discarded);
                }
            }
        }
        let mut plain = ptr::null_mut();
        (sys::napi_create_error(env, code_value, message_value, &mut plain) == sys::Status::napi_ok)
            .then_some(plain)
    }
}

/// Throws the error of `code` unless an exception is already pending (that one stays); true
/// when an exception is pending afterwards.
///
/// # Safety
/// `env` is the live env of the current thread.
pub(crate) unsafe fn throw_coded(env: sys::napi_env, code: &str, message: &str) -> bool {
    let mut pending = false;
    // SAFETY: the caller guarantees a live env; `pending` is a local.
    unsafe {
        if sys::napi_is_exception_pending(env, &mut pending) != sys::Status::napi_ok {
            return false;
        }
        if pending {
            return true;
        }
        match create_error(env, code, message) {
            Some(err) => sys::napi_throw(env, err) == sys::Status::napi_ok,
            None => false,
        }
    }
}

/// What the `#[napi]` expansions throw with (through the `napi` shim of `lib.rs`): errors whose
/// code has a category become instances of the tokenward classes; the rest (a JS exception
/// napi-rs carries back, napi's own failures) go to napi-rs unchanged.
pub struct JsError<S: AsRef<str> = napi::Status>(napi::Error<S>);

impl<S: AsRef<str>> From<napi::Error<S>> for JsError<S> {
    fn from(err: napi::Error<S>) -> Self {
        Self(err)
    }
}

impl<S: AsRef<str>> JsError<S> {
    /// Throws the error on `env` (see the type's docs).
    ///
    /// # Safety
    /// `env` is the live env of the current call (as for napi-rs's `JsError::throw_into`).
    pub unsafe fn throw_into(self, env: sys::napi_env) {
        if category_of(self.0.status.as_ref()).is_some() {
            // SAFETY: forwarded from the caller.
            unsafe { throw_coded(env, self.0.status.as_ref(), &self.0.reason) };
            return;
        }
        // SAFETY: forwarded from the caller.
        unsafe { napi::JsError::from(self.0).throw_into(env) }
    }
}
