//! `KeySet` (core `jwt::keyset`).

use secrecy::zeroize::Zeroizing;
use std::sync::{Arc, Mutex, MutexGuard};

use tokenward::jwt as core;
use tokenward::{Error, ErrorCode};

use super::key::JwtKey;
use crate::error::FfiResult;

/// Keys addressed by `kid`; a token without `kid` selects the only key accepting its
/// algorithm.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct KeySet(Mutex<core::KeySet>);

impl KeySet {
    pub(crate) fn lock(&self) -> FfiResult<MutexGuard<'_, core::KeySet>> {
        self.0
            .lock()
            .map_err(|_| Error::new(ErrorCode::Internal, "the key set lock is poisoned").into())
    }

    pub(crate) fn from_core(keys: core::KeySet) -> Arc<Self> {
        Arc::new(KeySet(Mutex::new(keys)))
    }

    pub(super) fn snapshot(&self) -> FfiResult<core::KeySet> {
        Ok(self.lock()?.clone())
    }
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl std::fmt::Display for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.lock() {
            Ok(set) => {
                let kids: Vec<&str> = set.keys().iter().filter_map(|k| k.kid()).collect();
                write!(f, "KeySet(len: {}, kids: {:?})", set.len(), kids)
            }
            Err(_) => f.write_str("KeySet(?)"),
        }
    }
}

#[uniffi::export]
impl KeySet {
    /// An empty set.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(KeySet(Mutex::new(core::KeySet::new())))
    }

    /// Parses a JWKS document (`{"keys": [...]}`). Entries not meant for signatures and
    /// unsupported key types are skipped; an invalid supported entry fails with `invalid_key`.
    #[uniffi::constructor]
    pub fn from_jwks(json: String) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(KeySet(Mutex::new(core::KeySet::from_jwks(
            &Zeroizing::new(json),
        )?))))
    }

    /// The public keys as a JWKS document (JSON text, for `/.well-known/jwks.json`); HMAC keys
    /// are left out.
    pub fn to_jwks_json(&self) -> FfiResult<String> {
        Ok(self.lock()?.to_jwks().to_string())
    }

    /// Adds a key; a duplicate `kid` fails with `invalid_key`.
    pub fn insert(&self, key: Arc<JwtKey>) -> FfiResult<()> {
        Ok(self.lock()?.insert(key.0.clone())?)
    }

    /// The number of keys (the core's `len`; Kotlin also has the `size` property, Swift the
    /// `count` property).
    pub fn len(&self) -> u32 {
        // Counting is safe on a poisoned set (no insert leaves it half-written).
        let set = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        u32::try_from(set.len()).unwrap_or(u32::MAX)
    }

    /// The key ids, in insertion order (keys without `kid` are left out).
    pub fn kids(&self) -> FfiResult<Vec<String>> {
        Ok(self
            .lock()?
            .keys()
            .iter()
            .filter_map(|k| k.kid().map(str::to_owned))
            .collect())
    }
}
