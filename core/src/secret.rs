//! Secret material that cannot be printed by accident, and fingerprints that can.
//!
//! A [`Secret`] wraps token material in [`secrecy::SecretString`] (zeroized on drop). Its
//! `Debug` and `Display` print `[REDACTED:<fingerprint>]`; reading the value is the explicit,
//! greppable [`Secret::expose`] — the same name in every binding.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use std::fmt;

use crate::{Error, ErrorCode, Result};

/// Length in characters of a [`fingerprint`].
pub const FINGERPRINT_LEN: usize = 8;

/// A short identifier of a secret, safe to log: the first 48 bits of its SHA-256, base64url.
///
/// Two log lines about the same token carry the same fingerprint, so they can be correlated,
/// but the fingerprint reveals nothing usable about a high-entropy secret (tokens, keys).
/// Do not rely on it to hide low-entropy values such as short passwords: those can be guessed
/// by hashing candidates.
pub fn fingerprint(secret: &[u8]) -> String {
    let digest = Sha256::digest(secret);
    // 6 bytes encode to exactly 8 base64 characters, with no padding to strip.
    URL_SAFE_NO_PAD.encode(&digest[..FINGERPRINT_LEN / 4 * 3])
}

/// Token material whose printed forms are redacted.
pub struct Secret {
    value: SecretString,
    fingerprint: String,
}

impl Secret {
    /// Wraps `value`. An empty secret is refused with `invalid_input`: it is always a bug
    /// (an unset environment variable, a missing header) and would otherwise fail much later.
    pub fn new(value: impl Into<String>) -> Result<Self> {
        let value: String = value.into();
        if value.is_empty() {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "a secret cannot be empty",
            ));
        }
        let fingerprint = fingerprint(value.as_bytes());
        Ok(Secret {
            value: SecretString::from(value),
            fingerprint,
        })
    }

    /// The secret value. Every call site is a place where the secret leaves its wrapper;
    /// keep them few and obvious.
    pub fn expose(&self) -> &str {
        self.value.expose_secret()
    }

    /// The secret's [`fingerprint`], safe to log.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The redacted form used by `Debug`, `Display` and the bindings' printed forms.
    pub fn redacted(&self) -> String {
        format!("[REDACTED:{}]", self.fingerprint)
    }

    /// Compares with `other` in time independent of where they differ.
    pub fn constant_time_eq(&self, other: &str) -> bool {
        constant_time_eq(self.expose().as_bytes(), other.as_bytes())
    }
}

/// Compares two byte strings in time that depends only on their lengths.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

impl Clone for Secret {
    fn clone(&self) -> Self {
        Secret {
            value: SecretString::from(self.expose().to_owned()),
            fingerprint: self.fingerprint.clone(),
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.redacted())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_forms_never_contain_the_secret() {
        let s = Secret::new("hunter2-very-secret-value").unwrap();
        for printed in [
            format!("{s:?}"),
            format!("{s}"),
            format!("{s:#?}"),
            s.redacted(),
        ] {
            assert!(!printed.contains("hunter2"), "{printed}");
            assert!(printed.contains(s.fingerprint()));
        }
        assert_eq!(s.expose(), "hunter2-very-secret-value");
        assert_eq!(s.clone().expose(), s.expose());
    }

    #[test]
    fn empty_secret_is_invalid_input() {
        let err = Secret::new("").unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput);
    }

    #[test]
    fn fingerprint_is_stable_and_short() {
        // SHA-256("abc") = ba7816bf8f01cfea…; first 6 bytes base64url.
        assert_eq!(fingerprint(b"abc"), "ungWv48B");
        assert_eq!(fingerprint(b"").len(), FINGERPRINT_LEN);
    }

    #[test]
    fn constant_time_eq_compares() {
        let s = Secret::new("abc").unwrap();
        assert!(s.constant_time_eq("abc"));
        assert!(!s.constant_time_eq("abd"));
        assert!(!s.constant_time_eq("ab"));
    }
}
