//! `Secret` and `fingerprint` for Swift and Kotlin.

use crate::error::FfiResult;

/// Token material whose printed form is redacted (`toString`/`description` show only the
/// fingerprint). Read the value with the explicit `expose()`.
// The derived `Debug` prints the core `Secret`'s `Debug`, which is redacted.
#[derive(uniffi::Object, Debug)]
#[uniffi::export(Debug, Display)]
pub struct Secret(pub(crate) tokenward::Secret);

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

#[uniffi::export]
impl Secret {
    /// Wraps `value`; an empty value fails with `invalid_input`.
    #[uniffi::constructor]
    pub fn new(value: String) -> FfiResult<Self> {
        Ok(Secret(tokenward::Secret::new(value)?))
    }

    /// The secret value (explicit on purpose).
    pub fn expose(&self) -> String {
        self.0.expose().to_owned()
    }

    /// A short identifier of the secret, safe to log.
    pub fn fingerprint(&self) -> String {
        self.0.fingerprint().to_owned()
    }

    /// The redacted printed form, `[REDACTED:<fingerprint>]`.
    pub fn redacted(&self) -> String {
        self.0.redacted()
    }
}

/// A short identifier of a secret, safe to log (first 48 bits of SHA-256, base64url).
#[uniffi::export]
pub fn fingerprint(secret: String) -> String {
    tokenward::fingerprint(secret.as_bytes())
}
