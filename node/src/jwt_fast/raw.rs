//! Raw N-API helpers: a failed call and string values.

use std::ptr;

use crate::napi::sys::{self, napi_env, napi_value, Status};

/// A failed N-API call or a JS exception: whatever is pending is thrown, else `internal`.
pub(super) struct Failed;

pub(super) fn ok(status: sys::napi_status) -> Result<(), Failed> {
    if status == Status::napi_ok {
        Ok(())
    } else {
        Err(Failed)
    }
}

/// A JS string from UTF-8 text (Latin-1 creation for ASCII, which V8 copies without decoding).
pub(super) fn string(env: napi_env, text: &str) -> Result<napi_value, Failed> {
    let mut out = ptr::null_mut();
    // SAFETY: `text` is valid for `len` bytes during the call; ASCII is valid Latin-1.
    ok(unsafe {
        if text.is_ascii() {
            sys::napi_create_string_latin1(env, text.as_ptr().cast(), text.len() as isize, &mut out)
        } else {
            sys::napi_create_string_utf8(env, text.as_ptr().cast(), text.len() as isize, &mut out)
        }
    })?;
    Ok(out)
}
