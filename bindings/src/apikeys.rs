//! API keys for Swift and Kotlin: `ApiKeys`, `IssuedKey`, `KeyRecord`, `KeyInfo`,
//! `checkApiKeyFormat` and `apiKeyPattern`. Conversion only; every check is in
//! `tokenward::apikey`. Durations are whole seconds, as in the JWT API.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::ManualClock;
use crate::error::FfiResult;
use crate::secret::Secret;

/// The stored description of an API key. Holds no secret material; times are Unix seconds.
#[derive(uniffi::Record, Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    /// The public key id.
    pub id: String,
    /// The key's prefix, e.g. `tw_live`.
    pub prefix: String,
    /// The display form, e.g. `tw_live_a1B2c3D4…Wx9z`.
    pub display: String,
    /// The owner.
    pub owner: String,
    /// The granted scopes.
    pub scopes: Vec<String>,
    /// Application metadata.
    pub metadata: HashMap<String, String>,
    /// Creation time.
    pub created_at: i64,
    /// Expiry time, if any.
    pub expires_at: Option<i64>,
    /// Revocation time, if revoked.
    pub revoked_at: Option<i64>,
    /// Last verification (coarse: at most one write a minute), if any.
    pub last_used_at: Option<i64>,
    /// The id of the key that replaced this one in a rotation.
    pub replaced_by: Option<String>,
}

impl From<&tokenward::KeyRecord> for KeyRecord {
    fn from(r: &tokenward::KeyRecord) -> Self {
        KeyRecord {
            id: r.id.clone(),
            prefix: r.prefix.clone(),
            display: r.display.clone(),
            owner: r.owner.clone(),
            scopes: r.scopes.clone(),
            metadata: r.metadata.clone().into_iter().collect(),
            created_at: r.created_at,
            expires_at: r.expires_at,
            revoked_at: r.revoked_at,
            last_used_at: r.last_used_at,
            replaced_by: r.replaced_by.clone(),
        }
    }
}

/// A newly issued key: `secret` (the only copy of the plaintext) and its stored `record`.
#[derive(uniffi::Record)]
pub struct IssuedKey {
    /// The plaintext key; hand it to the customer once.
    pub secret: Arc<Secret>,
    /// The stored record.
    pub record: KeyRecord,
}

impl From<tokenward::IssuedKey> for IssuedKey {
    fn from(k: tokenward::IssuedKey) -> Self {
        IssuedKey {
            secret: Arc::new(Secret(k.secret)),
            record: KeyRecord::from(&*k.record),
        }
    }
}

/// What `checkApiKeyFormat` learns from a key offline.
#[derive(uniffi::Record, Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// The prefix, e.g. `tw_live`.
    pub prefix: String,
    /// The public key id.
    pub id: String,
    /// The display form.
    pub display: String,
}

/// Checks the shape and checksum of any tokenward API key offline (no store); fails with
/// `invalid_format` or `checksum_mismatch`.
#[uniffi::export]
pub fn check_api_key_format(key: String) -> FfiResult<KeyInfo> {
    let parsed = tokenward::ApiKeys::check_format(&key)?;
    Ok(KeyInfo {
        prefix: parsed.prefix().to_owned(),
        id: parsed.id().to_owned(),
        display: parsed.display(),
    })
}

/// The regular expression matching every tokenward API key, for secret-scanning rules.
#[uniffi::export]
pub fn api_key_pattern() -> String {
    tokenward::apikey::KEY_PATTERN.to_owned()
}

/// Issues and verifies API keys of one prefix.
#[derive(uniffi::Object, Debug)]
pub struct ApiKeys(pub(crate) Arc<tokenward::ApiKeys>);

#[uniffi::export]
impl ApiKeys {
    /// Keys with `prefix` (e.g. `tw_live`) in `store` (`nil`/`"memory"`, `"sqlite:///path.db"`
    /// or a file path), hashed with HMAC-SHA-256 keyed by `pepper` (16+ bytes) when given.
    /// `clock` (tests) replaces the system clock for creation, expiry and revocation times.
    #[uniffi::constructor(default(store = None, pepper = None, clock = None))]
    pub fn new(
        prefix: String,
        store: Option<String>,
        pepper: Option<String>,
        clock: Option<Arc<ManualClock>>,
    ) -> FfiResult<Arc<Self>> {
        let pepper = pepper.map(tokenward::Secret::new).transpose()?;
        let clock = clock.map(|c| c.shared());
        let keys = tokenward::ApiKeys::open(&prefix, store.as_deref(), pepper, clock)?;
        Ok(Arc::new(ApiKeys(Arc::new(keys))))
    }

    /// The prefix of the keys this instance issues and accepts.
    pub fn prefix(&self) -> String {
        self.0.prefix().to_owned()
    }

    /// The regular expression matching this instance's keys.
    pub fn pattern(&self) -> String {
        self.0.pattern()
    }

    /// Issues a new key; `expires_in` is a lifetime in seconds.
    #[uniffi::method(default(scopes = None, expires_in = None, metadata = None))]
    pub fn create(
        &self,
        owner: String,
        scopes: Option<Vec<String>>,
        expires_in: Option<u64>,
        metadata: Option<HashMap<String, String>>,
    ) -> FfiResult<IssuedKey> {
        let new = tokenward::NewKey {
            owner,
            scopes: scopes.unwrap_or_default(),
            expires_in: expires_in.map(Duration::from_secs),
            metadata: metadata.unwrap_or_default().into_iter().collect(),
        };
        Ok(self.0.create(new)?.into())
    }

    /// Verifies a key and returns its record; fails with `invalid_format`,
    /// `checksum_mismatch`, `unknown_key`, `revoked` or `expired`.
    pub fn verify(&self, key: String) -> FfiResult<KeyRecord> {
        Ok(KeyRecord::from(&*self.0.verify(&key)?))
    }

    /// `verify` for a key held as a `Secret`.
    pub fn verify_secret(&self, key: Arc<Secret>) -> FfiResult<KeyRecord> {
        Ok(KeyRecord::from(&*self.0.verify(key.0.expose())?))
    }

    /// The record of key `id`.
    pub fn get(&self, id: String) -> FfiResult<KeyRecord> {
        Ok(KeyRecord::from(&*self.0.get(&id)?))
    }

    /// Revokes key `id` at once.
    pub fn revoke(&self, id: String) -> FfiResult<KeyRecord> {
        Ok(KeyRecord::from(&*self.0.revoke(&id)?))
    }

    /// Issues a successor of key `id`; the old key stays valid for `overlap` seconds.
    pub fn rotate(&self, id: String, overlap: u64) -> FfiResult<IssuedKey> {
        Ok(self.0.rotate(&id, Duration::from_secs(overlap))?.into())
    }

    /// Every key of `owner`, oldest first.
    pub fn list(&self, owner: String) -> FfiResult<Vec<KeyRecord>> {
        Ok(self
            .0
            .list(&owner)?
            .iter()
            .map(|r| KeyRecord::from(&**r))
            .collect())
    }
}
