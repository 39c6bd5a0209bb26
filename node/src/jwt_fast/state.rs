//! `FastState`: the verifier and its JS helpers, and the shape cache.

use std::cell::{Cell, RefCell};
use std::ptr;
use std::sync::Arc;

use super::builder::{members, NodeBuilder};
use super::raw::{ok, string, Failed};
use crate::napi::sys::{self, napi_env, napi_ref, napi_value};
use tokenward::jwt::{self as core};

/// Distinct member-name sequences that get their own shape function per verifier; later ones
/// use the generic builder.
const MAX_SHAPES: usize = 16;

/// What the JS function carries: the verifier and the JS helpers, dropped by its finalizer.
pub(super) struct FastState {
    pub(super) verifier: Arc<core::JwtVerifier>,
    /// `compile(names, flags)`: a shape function, or `undefined` when the generic builder must
    /// be used (a `__proto__` member, too many members, code generation disallowed).
    pub(super) compile: napi_ref,
    /// `generic(name0, raw0, value0, name1, ...)`: builds any object with own properties.
    pub(super) generic: napi_ref,
    /// Shape key (see [`NodeBuilder::key`]) -> shape function (null: use `generic`).
    pub(super) shapes: RefCell<Vec<(Box<[u8]>, napi_ref)>>,
    /// The buffers of [`NodeBuilder`], kept between calls (taken while one runs, so a
    /// reentrant call allocates its own).
    pub(super) scratch: Cell<Option<(Vec<napi_value>, Vec<u8>)>>,
}

impl FastState {
    /// The claims object from the values `builder` made.
    pub(super) fn assemble(
        &self,
        env: napi_env,
        builder: &NodeBuilder,
    ) -> Result<napi_value, Failed> {
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
