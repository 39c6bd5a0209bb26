//! API keys for Swift and Kotlin: `ApiKeys`, `IssuedKey`, `KeyRecord`, `KeyInfo`,
//! `checkApiKeyFormat` and `apiKeyPattern`. Conversion only; every check is in
//! `tokenward::apikey`. Durations are `Duration`s (Kotlin `java.time.Duration`, Swift
//! `TimeInterval`), instants `SystemTime`s (Kotlin `Instant`, Swift `Date`).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokenward::clock::from_unix_seconds;

use crate::clock::ManualClock;
use crate::error::FfiResult;
use crate::secret::Secret;

/// The stored description of an API key. Holds no secret material.
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
    pub created_at: SystemTime,
    /// Expiry time, if any.
    pub expires_at: Option<SystemTime>,
    /// Revocation time, if revoked.
    pub revoked_at: Option<SystemTime>,
    /// Last verification (coarse: at most one write per `lastUsedGranularity`), if any.
    pub last_used_at: Option<SystemTime>,
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
            created_at: from_unix_seconds(r.created_at),
            expires_at: r.expires_at.map(from_unix_seconds),
            revoked_at: r.revoked_at.map(from_unix_seconds),
            last_used_at: r.last_used_at.map(from_unix_seconds),
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

/// Optional settings of `ApiKeys`; each `null`/`nil` keeps the core's default.
#[derive(uniffi::Record)]
pub struct ApiKeysOptions {
    /// `"memory"` (default), `"sqlite:///path.db"` or a file path.
    #[uniffi(default = None)]
    pub store: Option<String>,
    /// Server-side pepper (16+ bytes): keys are stored as HMAC-SHA-256 keyed with it. A
    /// `Secret`, so printing the options never shows it.
    #[uniffi(default = None)]
    pub pepper: Option<Arc<Secret>>,
    /// Replaces the system clock for creation, expiry and revocation times (tests).
    #[uniffi(default = None)]
    pub clock: Option<Arc<ManualClock>>,
    /// How often, at most, a key's last-used time is written (default 60 s, the core's
    /// `DEFAULT_LAST_USED_GRANULARITY`).
    #[uniffi(default = None)]
    pub last_used_granularity: Option<Duration>,
}

/// Issues and verifies API keys of one prefix.
#[derive(uniffi::Object, Debug)]
#[uniffi::export(Debug, Display)]
pub struct ApiKeys(pub(crate) Arc<tokenward::ApiKeys>);

crate::oauth::display_as_core_debug!(ApiKeys);

#[uniffi::export]
impl ApiKeys {
    /// Keys with `prefix` (e.g. `tw_live`); fails with `invalid_input` for a malformed prefix,
    /// a short pepper or an unsupported store.
    #[uniffi::constructor(default(options))]
    pub fn new(prefix: String, options: ApiKeysOptions) -> FfiResult<Arc<Self>> {
        let mut o = tokenward::apikey::ApiKeysOptions::default();
        if let Some(spec) = options.store {
            o = o.with_store_spec(&spec)?;
        }
        if let Some(p) = options.pepper {
            o = o.with_pepper(p.0.clone());
        }
        if let Some(c) = options.clock {
            o = o.with_clock(c.shared());
        }
        if let Some(g) = options.last_used_granularity {
            o = o.with_last_used_granularity(g);
        }
        Ok(Arc::new(ApiKeys(Arc::new(tokenward::ApiKeys::new(
            &prefix, o,
        )?))))
    }

    /// The prefix of the keys this instance issues and accepts.
    pub fn prefix(&self) -> String {
        self.0.prefix().to_owned()
    }

    /// The regular expression matching this instance's keys.
    pub fn pattern(&self) -> String {
        self.0.pattern()
    }

    /// Issues a new key; `expiresIn` is its lifetime (at least a second; none: no expiry).
    #[uniffi::method(default(scopes = [], expires_in = None, metadata = None))]
    pub fn create(
        &self,
        owner: String,
        scopes: Vec<String>,
        expires_in: Option<Duration>,
        metadata: Option<HashMap<String, String>>,
    ) -> FfiResult<IssuedKey> {
        let new = tokenward::NewKey {
            owner,
            scopes,
            expires_in,
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

    /// Issues a successor of key `id`; the old key stays valid for `overlap`.
    pub fn rotate(&self, id: String, overlap: Duration) -> FfiResult<IssuedKey> {
        let overlap = tokenward::clock::check_duration(overlap, "overlap")?;
        Ok(self.0.rotate(&id, overlap)?.into())
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
