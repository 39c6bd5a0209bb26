//! `NodeBuilder`: the claims as JS values while the core's strict pass runs.

use std::ptr;

use super::raw::{ok, string, Failed};
use crate::napi::sys::{self, napi_env, napi_value};
use tokenward::__bindings::json_f64;
use tokenward::jwt::{Built, ClaimsBuilder, Interrupted};

/// Collects the top-level values as JS values and the member names as the shape key.
pub(super) struct NodeBuilder {
    pub(super) env: napi_env,
    /// The member values, in document order (nested containers as JSON strings).
    pub(super) args: Vec<napi_value>,
    /// Per member: its name's length (u32 LE), the name, and 1 when the value is raw JSON.
    pub(super) key: Vec<u8>,
    /// Whether the value just made came from [`ClaimsBuilder::raw`].
    pub(super) raw: bool,
}

impl NodeBuilder {
    fn made(&mut self, value: Result<napi_value, Failed>) -> Built<napi_value> {
        self.raw = false;
        value.map_err(|_| Interrupted)
    }

    pub(super) fn pending(&self) -> bool {
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
pub(super) fn members(key: &[u8]) -> impl Iterator<Item = (&[u8], bool)> {
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
