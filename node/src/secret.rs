//! `Secret` and `fingerprint` for JS.

use crate::napi;
use napi_derive::napi;

use crate::error::{Code, IntoJsResult};

/// Token material whose printed forms (`util.inspect`, `toString`, `JSON.stringify`) are
/// redacted. Read the value with the explicit `expose()`.
#[napi]
pub struct Secret(pub(crate) tokenward::Secret);

#[napi]
impl Secret {
    /// Wraps `value`; an empty value throws with code `invalid_input`.
    #[napi(constructor, catch_unwind)]
    pub fn new(value: String) -> napi::Result<Self, Code> {
        Ok(Secret(tokenward::Secret::new(value).js()?))
    }

    /// The secret value (explicit on purpose).
    #[napi(catch_unwind)]
    pub fn expose(&self) -> String {
        self.0.expose().to_owned()
    }

    /// A short identifier of the secret, safe to log.
    #[napi(getter, catch_unwind)]
    pub fn fingerprint(&self) -> String {
        self.0.fingerprint().to_owned()
    }

    /// The redacted form, `[REDACTED:<fingerprint>]`.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn to_display_string(&self) -> String {
        self.0.redacted()
    }

    /// `JSON.stringify` of a secret gives the redacted form, never the value.
    #[napi(js_name = "toJSON", catch_unwind)]
    pub fn to_json(&self) -> String {
        self.0.redacted()
    }

    /// Constant-time comparison with a string.
    #[napi(catch_unwind)]
    pub fn equals(&self, other: String) -> bool {
        self.0.constant_time_eq(&other)
    }
}

/// A short identifier of a secret, safe to log (first 48 bits of SHA-256, base64url).
#[napi(catch_unwind)]
pub fn fingerprint(secret: String) -> String {
    tokenward::fingerprint(secret.as_bytes())
}
