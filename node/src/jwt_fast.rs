//! The hot path of `JwtVerifier.verify`: a raw N-API function bound to one verifier.
//!
//! A napi-rs class method costs about 550 ns per call before any work (borrow scope, `this`
//! unwrap, a two-pass string copy), and `JSON.parse` of the claims about 700 ns more. The
//! function made here takes the token with one copy into a stack buffer, verifies it with the
//! core's single strict pass, and builds the claims while that pass runs
//! ([`tokenward::jwt::ClaimsBuilder`]): top-level values become JS values directly, nested
//! containers arrive as their validated JSON text, and one call of a JS *shape function*
//! (generated in `index.js` per distinct member-name sequence, cached here) assembles the object
//! with an object literal, so the result equals `JSON.parse(payload)`.
//!
//! `index.js` creates the function once per verifier (`fastVerifier`, internal) and calls it as
//! `fn(token)` for the claims object or `fn(token, true)` for the JSON text.

use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::mem::MaybeUninit;
use std::panic::{self, AssertUnwindSafe};
use std::ptr;
use std::sync::Arc;

use crate::napi;
use crate::napi::sys::{self, napi_env, napi_ref, napi_value, Status};
use tokenward::__bindings::json_f64;
use tokenward::jwt::{self as core, Built, ClaimsBuilder, Interrupted};
use tokenward::{Error, ErrorCode};

/// Tokens up to this size (minus a few bytes) are read without an allocation.
const STACK_TOKEN: usize = 4096;
/// Distinct member-name sequences that get their own shape function per verifier; later ones
/// use the generic builder.
const MAX_SHAPES: usize = 16;

/// What the JS function carries: the verifier and the JS helpers, dropped by its finalizer.
struct FastState {
    verifier: Arc<core::JwtVerifier>,
    /// `compile(names, flags)`: a shape function, or `undefined` when the generic builder must
    /// be used (a `__proto__` member, too many members, code generation disallowed).
    compile: napi_ref,
    /// `generic(name0, raw0, value0, name1, ...)`: builds any object with own properties.
    generic: napi_ref,
    /// Shape key (see [`NodeBuilder::key`]) -> shape function (null: use `generic`).
    shapes: RefCell<Vec<(Box<[u8]>, napi_ref)>>,
    /// The buffers of [`NodeBuilder`], kept between calls (taken while one runs, so a
    /// reentrant call allocates its own).
    scratch: Cell<Option<(Vec<napi_value>, Vec<u8>)>>,
}

/// A failed N-API call or a JS exception: whatever is pending is thrown, else `internal`.
struct Failed;

fn ok(status: sys::napi_status) -> Result<(), Failed> {
    if status == Status::napi_ok {
        Ok(())
    } else {
        Err(Failed)
    }
}

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

/// A JS string from UTF-8 text (Latin-1 creation for ASCII, which V8 copies without decoding).
fn string(env: napi_env, text: &str) -> Result<napi_value, Failed> {
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

/// Collects the top-level values as JS values and the member names as the shape key.
struct NodeBuilder {
    env: napi_env,
    /// The member values, in document order (nested containers as JSON strings).
    args: Vec<napi_value>,
    /// Per member: its name's length (u32 LE), the name, and 1 when the value is raw JSON.
    key: Vec<u8>,
    /// Whether the value just made came from [`ClaimsBuilder::raw`].
    raw: bool,
}

impl NodeBuilder {
    fn made(&mut self, value: Result<napi_value, Failed>) -> Built<napi_value> {
        self.raw = false;
        value.map_err(|_| Interrupted)
    }

    fn pending(&self) -> bool {
        let mut pending = false;
        // SAFETY: `env` is the live env of the current call.
        unsafe { sys::napi_is_exception_pending(self.env, &mut pending) };
        pending
    }
}

impl ClaimsBuilder for NodeBuilder {
    type Value = napi_value;
    type Object = ();
    type Array = ();

    const RAW_CONTAINERS: bool = true;

    fn null(&mut self) -> Built<napi_value> {
        let mut out = ptr::null_mut();
        // SAFETY: `env` is live; `out` is a local.
        let status = ok(unsafe { sys::napi_get_null(self.env, &mut out) });
        self.made(status.map(|()| out))
    }

    fn boolean(&mut self, value: bool) -> Built<napi_value> {
        let mut out = ptr::null_mut();
        // SAFETY: `env` is live; `out` is a local.
        let status = ok(unsafe { sys::napi_get_boolean(self.env, value, &mut out) });
        self.made(status.map(|()| out))
    }

    fn number(&mut self, text: &str) -> Built<napi_value> {
        let value = json_f64(text).ok_or(Interrupted)?;
        let mut out = ptr::null_mut();
        // SAFETY: `env` is live; `out` is a local.
        let status = ok(unsafe { sys::napi_create_double(self.env, value, &mut out) });
        self.made(status.map(|()| out))
    }

    fn string(&mut self, value: &str) -> Built<napi_value> {
        let made = string(self.env, value);
        self.made(made)
    }

    fn raw(&mut self, json: &str) -> Built<napi_value> {
        let made = string(self.env, json);
        let value = self.made(made)?;
        self.raw = true;
        Ok(value)
    }

    fn object(&mut self) -> Built<()> {
        Ok(())
    }

    fn member(&mut self, _: &mut (), name: &str, value: napi_value) -> Built<()> {
        let len = u32::try_from(name.len()).map_err(|_| Interrupted)?;
        self.key.extend_from_slice(&len.to_le_bytes());
        self.key.extend_from_slice(name.as_bytes());
        self.key.push(u8::from(self.raw));
        self.raw = false;
        self.args.push(value);
        Ok(())
    }

    // Nested containers arrive through `raw`; these are never called.
    fn finish_object(&mut self, _: ()) -> Built<napi_value> {
        Err(Interrupted)
    }
    fn array(&mut self) -> Built<()> {
        Err(Interrupted)
    }
    fn element(&mut self, _: &mut (), _: napi_value) -> Built<()> {
        Err(Interrupted)
    }
    fn finish_array(&mut self, _: ()) -> Built<napi_value> {
        Err(Interrupted)
    }
}

/// The (name, raw) pairs of a shape key.
fn members(key: &[u8]) -> impl Iterator<Item = (&[u8], bool)> {
    let mut rest = key;
    std::iter::from_fn(move || {
        let (len, tail) = rest.split_first_chunk::<4>()?;
        let len = u32::from_le_bytes(*len) as usize;
        let (name, tail) = tail.split_at_checked(len)?;
        let (raw, tail) = tail.split_first()?;
        rest = tail;
        Some((name, *raw == 1))
    })
}

impl FastState {
    /// The claims object from the values `builder` made.
    fn assemble(&self, env: napi_env, builder: &NodeBuilder) -> Result<napi_value, Failed> {
        let shape = match self.cached(&builder.key) {
            Some(shape) => shape,
            None => self.compile(env, &builder.key)?,
        };
        let mut undefined = ptr::null_mut();
        let mut out = ptr::null_mut();
        // SAFETY: `env` is live; argv points to `args.len()` values of this call.
        unsafe {
            ok(sys::napi_get_undefined(env, &mut undefined))?;
            if !shape.is_null() {
                let mut func = ptr::null_mut();
                ok(sys::napi_get_reference_value(env, shape, &mut func))?;
                ok(sys::napi_call_function(
                    env,
                    undefined,
                    func,
                    builder.args.len(),
                    builder.args.as_ptr(),
                    &mut out,
                ))?;
                return Ok(out);
            }
        }
        // The generic builder: (name, raw, value) triples.
        let mut argv = Vec::with_capacity(builder.args.len() * 3);
        for ((name, raw), value) in members(&builder.key).zip(&builder.args) {
            let name = std::str::from_utf8(name).map_err(|_| Failed)?;
            argv.push(string(env, name)?);
            let mut flag = ptr::null_mut();
            // SAFETY: `env` is live; `flag` is a local.
            ok(unsafe { sys::napi_get_boolean(env, raw, &mut flag) })?;
            argv.push(flag);
            argv.push(*value);
        }
        let mut generic = ptr::null_mut();
        // SAFETY: `env` is live; the ref is this state's; argv holds values of this call.
        unsafe {
            ok(sys::napi_get_reference_value(
                env,
                self.generic,
                &mut generic,
            ))?;
            ok(sys::napi_call_function(
                env,
                undefined,
                generic,
                argv.len(),
                argv.as_ptr(),
                &mut out,
            ))?;
        }
        Ok(out)
    }

    /// The cached shape function of `key` (null for the generic builder), if any.
    fn cached(&self, key: &[u8]) -> Option<napi_ref> {
        let shapes = self.shapes.borrow();
        shapes
            .iter()
            .find(|(k, _)| **k == *key)
            .map(|(_, shape)| *shape)
    }

    /// Compiles and caches the shape function of `key`; null (the generic builder) when the
    /// cache is full or the compiler declines. No borrow is held while JS runs.
    fn compile(&self, env: napi_env, key: &[u8]) -> Result<napi_ref, Failed> {
        if self.shapes.borrow().len() >= MAX_SHAPES {
            return Ok(ptr::null_mut());
        }
        let mut names = ptr::null_mut();
        let mut flags = String::new();
        let mut compile = ptr::null_mut();
        let mut undefined = ptr::null_mut();
        let mut shape = ptr::null_mut();
        // SAFETY: `env` is live; every out-pointer is a local; the ref is this state's.
        unsafe {
            ok(sys::napi_create_array(env, &mut names))?;
            for (i, (name, raw)) in members(key).enumerate() {
                let name = std::str::from_utf8(name).map_err(|_| Failed)?;
                let index = u32::try_from(i).map_err(|_| Failed)?;
                ok(sys::napi_set_element(env, names, index, string(env, name)?))?;
                flags.push(if raw { '1' } else { '0' });
            }
            let argv = [names, string(env, &flags)?];
            ok(sys::napi_get_reference_value(
                env,
                self.compile,
                &mut compile,
            ))?;
            ok(sys::napi_get_undefined(env, &mut undefined))?;
            ok(sys::napi_call_function(
                env,
                undefined,
                compile,
                argv.len(),
                argv.as_ptr(),
                &mut shape,
            ))?;
        }
        let mut kind = 0;
        // SAFETY: `shape` is the value the compiler returned.
        ok(unsafe { sys::napi_typeof(env, shape, &mut kind) })?;
        let mut shape_ref = ptr::null_mut();
        if kind == sys::ValueType::napi_function {
            // SAFETY: `shape` is a live function value; the ref is deleted by `finalize`.
            ok(unsafe { sys::napi_create_reference(env, shape, 1, &mut shape_ref) })?;
        }
        let mut shapes = self.shapes.borrow_mut();
        if shapes.len() < MAX_SHAPES && !shapes.iter().any(|(k, _)| **k == *key) {
            shapes.push((key.into(), shape_ref));
        } else if !shape_ref.is_null() {
            // A reentrant call cached this shape meanwhile: keep that one.
            // SAFETY: the ref was just created and is not stored anywhere.
            unsafe { sys::napi_delete_reference(env, shape_ref) };
            return Ok(shapes
                .iter()
                .find(|(k, _)| **k == *key)
                .map_or(ptr::null_mut(), |(_, s)| *s));
        }
        Ok(shape_ref)
    }
}
