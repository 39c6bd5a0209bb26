//! The stored form of a key: HMAC-SHA-256 with a server-side pepper, or SHA-256 without one.
//!
//! Both are sound for keys with 190+ bits of entropy: nobody can guess a preimage, so a slow
//! password hash (argon2, bcrypt) would only cost verify throughput. The pepper adds defence in
//! depth: a leaked database alone does not even allow checking a candidate key.

use std::fmt;

use aws_lc_rs::{digest, hmac};

use crate::secret::constant_time_eq;
use crate::{Error, ErrorCode, Result, Secret};

/// Length in bytes of a [`KeyHash`].
pub const HASH_LEN: usize = 32;

/// Shortest accepted pepper, in bytes.
pub const MIN_PEPPER_LEN: usize = 16;

/// The stored hash of a key. Compared in constant time; `Debug` prints nothing of it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct KeyHash([u8; HASH_LEN]);

/// A hash no key has in practice: what an unknown id is compared against.
pub(crate) const DUMMY_HASH: KeyHash = KeyHash([0; HASH_LEN]);

impl KeyHash {
    /// Wraps raw bytes read from a store; `storage` error when the length is wrong.
    pub fn from_slice(bytes: &[u8]) -> Result<Self> {
        <[u8; HASH_LEN]>::try_from(bytes).map(KeyHash).map_err(|_| {
            Error::new(
                ErrorCode::Storage,
                "a stored API key hash has the wrong length",
            )
        })
    }

    /// The raw bytes, for stores.
    pub fn as_bytes(&self) -> &[u8; HASH_LEN] {
        &self.0
    }

    /// Constant-time equality.
    pub fn ct_eq(&self, other: &KeyHash) -> bool {
        constant_time_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for KeyHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyHash(..)")
    }
}

#[cfg(test)]
thread_local! {
    /// Hashes computed on this thread (tests compare the work of verify paths).
    pub(crate) static HASHES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Hashes keys for storage and lookup.
#[derive(Clone)]
pub enum KeyHasher {
    /// SHA-256 of the key (no pepper configured).
    Sha256,
    /// HMAC-SHA-256 keyed with the pepper.
    Hmac(Box<hmac::Key>),
}

impl KeyHasher {
    /// HMAC-SHA-256 with `pepper` when given (at least [`MIN_PEPPER_LEN`] bytes, else
    /// `invalid_input`), SHA-256 otherwise.
    pub fn new(pepper: Option<&Secret>) -> Result<Self> {
        match pepper {
            None => Ok(KeyHasher::Sha256),
            Some(p) if p.expose().len() < MIN_PEPPER_LEN => Err(Error::new(
                ErrorCode::InvalidInput,
                "the pepper must be at least 16 bytes (use 32 random bytes)",
            )),
            Some(p) => Ok(KeyHasher::Hmac(Box::new(hmac::Key::new(
                hmac::HMAC_SHA256,
                p.expose().as_bytes(),
            )))),
        }
    }

    /// The hash of `key`.
    pub fn hash(&self, key: &[u8]) -> KeyHash {
        #[cfg(test)]
        HASHES.with(|n| n.set(n.get() + 1));
        let mut out = [0u8; HASH_LEN];
        match self {
            KeyHasher::Sha256 => out.copy_from_slice(digest::digest(&digest::SHA256, key).as_ref()),
            KeyHasher::Hmac(k) => out.copy_from_slice(hmac::sign(k, key).as_ref()),
        }
        KeyHash(out)
    }
}

impl fmt::Debug for KeyHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyHasher::Sha256 => "KeyHasher::Sha256",
            KeyHasher::Hmac(_) => "KeyHasher::HmacSha256(pepper redacted)",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(h: &KeyHash) -> String {
        h.as_bytes().iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn sha256_and_hmac_known_answers() {
        let plain = KeyHasher::new(None).unwrap().hash(b"abc");
        assert_eq!(
            hex(&plain),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // RFC 4231 test case 2 uses a 4-byte key; this one checks HMAC is wired, not the vector.
        let pepper = Secret::new("0123456789abcdef").unwrap();
        let keyed = KeyHasher::new(Some(&pepper)).unwrap();
        assert_ne!(keyed.hash(b"abc"), plain);
        assert!(keyed.hash(b"abc").ct_eq(&keyed.hash(b"abc")));
        assert!(!format!("{keyed:?}").contains("0123"));
        assert_eq!(format!("{plain:?}"), "KeyHash(..)");
    }

    #[test]
    fn short_pepper_is_refused() {
        let pepper = Secret::new("short").unwrap();
        assert_eq!(
            KeyHasher::new(Some(&pepper)).unwrap_err().code(),
            ErrorCode::InvalidInput
        );
    }

    #[test]
    fn from_slice_checks_length() {
        assert!(KeyHash::from_slice(&[0; 32]).is_ok());
        assert_eq!(
            KeyHash::from_slice(&[0; 31]).unwrap_err().code(),
            ErrorCode::Storage
        );
    }
}
