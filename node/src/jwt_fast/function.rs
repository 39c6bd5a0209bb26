//! The raw verify function: its creation, call and finalizer.

use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::mem::MaybeUninit;
use std::panic::{self, AssertUnwindSafe};
use std::ptr;
use std::sync::Arc;

use super::builder::NodeBuilder;
use super::raw::{ok, string, Failed};
use super::state::FastState;
use crate::napi;
use crate::napi::sys::{self, napi_env, napi_value, Status};
use tokenward::jwt::{self as core};
use tokenward::{Error, ErrorCode};

/// Tokens up to this size (minus a few bytes) are read without an allocation.
const STACK_TOKEN: usize = 4096;

/// Creates the verify function of `verifier`; `compile` and `generic` are the JS helpers.
///
/// # Safety
/// `env` is the current env of a napi call and `compile`/`generic` are values of it.
pub(crate) unsafe fn create(
    env: napi_env,
    verifier: Arc<core::JwtVerifier>,
    compile: napi_value,
    generic: napi_value,
) -> napi::Result<napi_value> {
    let fail = |what: &str| napi::Error::from_reason(format!("fastVerifier: {what} failed"));
    let mut compile_ref = ptr::null_mut();
    let mut generic_ref = ptr::null_mut();
    // SAFETY: the caller guarantees a live env and values of it; refs are written to locals.
    unsafe {
        ok(sys::napi_create_reference(
            env,
            compile,
            1,
            &mut compile_ref,
        ))
        .map_err(|_| fail("a reference"))?;
        if ok(sys::napi_create_reference(
            env,
            generic,
            1,
            &mut generic_ref,
        ))
        .is_err()
        {
            sys::napi_delete_reference(env, compile_ref);
            return Err(fail("a reference"));
        }
    }
    let state = Box::into_raw(Box::new(FastState {
        verifier,
        compile: compile_ref,
        generic: generic_ref,
        shapes: RefCell::new(Vec::new()),
        scratch: Cell::new(None),
    }));
    let name = "verify";
    let mut func = ptr::null_mut();
    // SAFETY: `state` is a live Box pointer; the function gets it as data, and the finalizer
    // added to the function (the only owner) frees it once. On failure it is freed here.
    unsafe {
        let created = ok(sys::napi_create_function(
            env,
            name.as_ptr().cast(),
            name.len() as isize,
            Some(verify_cb),
            state.cast(),
            &mut func,
        ));
        if created.is_err()
            || ok(sys::napi_add_finalizer(
                env,
                func,
                state.cast(),
                Some(finalize),
                ptr::null_mut(),
                ptr::null_mut(),
            ))
            .is_err()
        {
            finalize(env, state.cast(), ptr::null_mut());
            return Err(fail("creating the function"));
        }
    }
    Ok(func)
}

/// Frees a [`FastState`] and its references.
unsafe extern "C" fn finalize(env: napi_env, data: *mut c_void, _hint: *mut c_void) {
    // No panic may unwind into the GC: one here would abort the process; leak instead.
    let freed = panic::catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `data` came from `Box::into_raw` in `create` and the finalizer runs once.
        let state = unsafe { Box::from_raw(data.cast::<FastState>()) };
        // SAFETY: the refs were created in this env and are deleted once, here.
        unsafe {
            sys::napi_delete_reference(env, state.compile);
            sys::napi_delete_reference(env, state.generic);
            for (_, shape) in state.shapes.borrow().iter() {
                if !shape.is_null() {
                    sys::napi_delete_reference(env, *shape);
                }
            }
        }
    }));
    if let Err(payload) = freed {
        std::mem::forget(payload);
    }
}

/// The JS-callable entry point. No panic crosses it: a panic throws `internal`.
unsafe extern "C" fn verify_cb(env: napi_env, info: sys::napi_callback_info) -> napi_value {
    // SAFETY: napi calls this with its live env and callback info.
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| unsafe { verify_call(env, info) }));
    let error = match outcome {
        Ok(Ok(value)) => return value,
        Ok(Err(Thrown::Core(err))) => err,
        Ok(Err(Thrown::NotString)) => {
            throw(env, "StringExpected", "the token must be a string");
            return ptr::null_mut();
        }
        Ok(Err(Thrown::Napi)) => Error::new(ErrorCode::Internal, "building the claims failed"),
        Err(_) => Error::new(ErrorCode::Internal, "the verifier panicked"),
    };
    throw(env, error.code().as_str(), error.message());
    ptr::null_mut()
}

enum Thrown {
    Core(Error),
    NotString,
    Napi,
}

impl From<Failed> for Thrown {
    fn from(_: Failed) -> Thrown {
        Thrown::Napi
    }
}

/// Throws the tokenward error of `code` (see `error.rs`), unless an exception is already
/// pending.
fn throw(env: napi_env, code: &str, message: &str) {
    // SAFETY: `env` is the live env of the current call.
    unsafe { crate::error::throw_coded(env, code, message) };
}

/// # Safety
/// `env` and `info` are those of a live call of the function made by [`create`].
unsafe fn verify_call(env: napi_env, info: sys::napi_callback_info) -> Result<napi_value, Thrown> {
    let mut argc = 2usize;
    let mut argv: [napi_value; 2] = [ptr::null_mut(); 2];
    let mut data = ptr::null_mut();
    // SAFETY: argv holds `argc` slots; napi writes at most that many and fills the rest with
    // `undefined`.
    ok(unsafe {
        sys::napi_get_cb_info(
            env,
            info,
            &mut argc,
            argv.as_mut_ptr(),
            ptr::null_mut(),
            &mut data,
        )
    })?;
    // SAFETY: `data` is the `FastState` given to `napi_create_function`; the function is alive
    // (it is being called), so its finalizer has not freed the state.
    let state = unsafe { &*data.cast::<FastState>() };
    let mut stack = [MaybeUninit::<u8>::uninit(); STACK_TOKEN];
    let mut heap = Vec::new();
    // SAFETY: argv[0] is a value of this call.
    let token = unsafe { read_string(env, argv[0], &mut stack, &mut heap) }?;
    let token = std::str::from_utf8(token)
        .map_err(|_| Thrown::Core(Error::new(ErrorCode::Malformed, "the token is not UTF-8")))?;

    let json_text = argc >= 2 && {
        let mut flag = false;
        // SAFETY: argv[1] is a value of this call; a non-boolean leaves `flag` false.
        unsafe { sys::napi_get_value_bool(env, argv[1], &mut flag) };
        flag
    };
    if json_text {
        let json = state.verifier.verify_json(token).map_err(Thrown::Core)?;
        return Ok(string(env, &json)?);
    }

    let (args, key) = state
        .scratch
        .take()
        .unwrap_or_else(|| (Vec::with_capacity(16), Vec::with_capacity(128)));
    let mut builder = NodeBuilder {
        env,
        args,
        key,
        raw: false,
    };
    let result = match state.verifier.verify_into(token, &mut builder) {
        Ok(()) => state.assemble(env, &builder).map_err(Thrown::from),
        // A JS exception thrown while building stays the one thrown.
        Err(_) if builder.pending() => Err(Thrown::Napi),
        Err(err) => Err(Thrown::Core(err)),
    };
    let NodeBuilder {
        mut args, mut key, ..
    } = builder;
    // Buffers grown by an unusually wide payload are not kept.
    if args.capacity() <= 64 && key.capacity() <= STACK_TOKEN {
        args.clear();
        key.clear();
        state.scratch.set(Some((args, key)));
    }
    result
}

/// The string `value` as UTF-8: in `stack` when it fits, else in `heap`.
///
/// # Safety
/// `value` is a value of the live `env`.
unsafe fn read_string<'a>(
    env: napi_env,
    value: napi_value,
    stack: &'a mut [MaybeUninit<u8>; STACK_TOKEN],
    heap: &'a mut Vec<u8>,
) -> Result<&'a [u8], Thrown> {
    let mut len = 0usize;
    // SAFETY: napi writes at most `STACK_TOKEN` bytes (the last a NUL) into the buffer and the
    // number of bytes copied, excluding the NUL, into `len`.
    let status = unsafe {
        sys::napi_get_value_string_utf8(
            env,
            value,
            stack.as_mut_ptr().cast(),
            STACK_TOKEN,
            &mut len,
        )
    };
    if status == Status::napi_string_expected {
        return Err(Thrown::NotString);
    }
    ok(status)?;
    // The copy stops before a character that does not fit (up to 4 bytes): near the end of
    // the buffer the string may have been cut, so ask its length.
    if len + 4 < STACK_TOKEN {
        // SAFETY: napi initialized the first `len` bytes.
        return Ok(unsafe { std::slice::from_raw_parts(stack.as_ptr().cast::<u8>(), len) });
    }
    let mut full = 0usize;
    // SAFETY: a null buffer asks for the length only.
    ok(unsafe { sys::napi_get_value_string_utf8(env, value, ptr::null_mut(), 0, &mut full) })?;
    heap.resize(full + 1, 0);
    // SAFETY: `heap` holds `full + 1` bytes, room for the string and its NUL.
    ok(unsafe {
        sys::napi_get_value_string_utf8(env, value, heap.as_mut_ptr().cast(), full + 1, &mut len)
    })?;
    heap.truncate(len);
    Ok(heap)
}
