//! API keys for JS: `ApiKeys`, `KeyRecord`, `IssuedKey`, `KeyInfo`, `API_KEY_PATTERN`.
//! Conversion only; every check is in `tokenward::apikey`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use crate::napi;
use crate::napi::bindgen_prelude::{ClassInstance, Either};
use napi_derive::napi;

use crate::error::{Code, IntoJsResult};
use crate::secret::Secret;

/// The regular expression matching every tokenward API key, for secret-scanning rules.
// Registered by the macro for JS; unused by Rust code in test builds.
#[cfg_attr(test, allow(dead_code))]
#[napi]
pub const API_KEY_PATTERN: &str = tokenward::apikey::KEY_PATTERN;

/// A JS number of seconds as a duration, bounded by the core (`invalid_input` for NaN,
/// negative values and values above `clock::MAX_DURATION_SECS`).
fn duration(value: f64, name: &'static str) -> tokenward::Result<Duration> {
    tokenward::clock::duration_from_secs_f64(value, name)
}

/// A key given as a string or a `Secret`.
fn key_str<'a>(key: &'a Either<String, &Secret>) -> &'a str {
    match key {
        Either::A(s) => s,
        Either::B(secret) => secret.0.expose(),
    }
}

/// The stored description of an API key. Holds no secret material; times are Unix seconds.
#[napi]
pub struct KeyRecord(Arc<tokenward::KeyRecord>);

/// A `KeyRecord` as a plain object (what `toJSON()` returns).
#[napi(object, object_from_js = false)]
pub struct KeyRecordJson {
    pub id: String,
    pub prefix: String,
    pub display: String,
    pub owner: String,
    pub scopes: Vec<String>,
    pub metadata: HashMap<String, String>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub replaced_by: Option<String>,
}

#[napi]
impl KeyRecord {
    /// The public key id.
    #[napi(getter, catch_unwind)]
    pub fn id(&self) -> String {
        self.0.id.clone()
    }
    /// The key's prefix, e.g. `tw_live`.
    #[napi(getter, catch_unwind)]
    pub fn prefix(&self) -> String {
        self.0.prefix.clone()
    }
    /// The display form, e.g. `tw_live_a1B2c3D4…Wx9z`.
    #[napi(getter, catch_unwind)]
    pub fn display(&self) -> String {
        self.0.display.clone()
    }
    /// The owner.
    #[napi(getter, catch_unwind)]
    pub fn owner(&self) -> String {
        self.0.owner.clone()
    }
    /// The granted scopes.
    #[napi(getter, catch_unwind)]
    pub fn scopes(&self) -> Vec<String> {
        self.0.scopes.clone()
    }
    /// Application metadata.
    #[napi(getter, catch_unwind)]
    pub fn metadata(&self) -> HashMap<String, String> {
        self.0.metadata.clone().into_iter().collect()
    }
    /// Creation time (Unix seconds).
    #[napi(getter, catch_unwind)]
    pub fn created_at(&self) -> i64 {
        self.0.created_at
    }
    /// Expiry time (Unix seconds), or null.
    #[napi(getter, catch_unwind)]
    pub fn expires_at(&self) -> Option<i64> {
        self.0.expires_at
    }
    /// Revocation time (Unix seconds), or null.
    #[napi(getter, catch_unwind)]
    pub fn revoked_at(&self) -> Option<i64> {
        self.0.revoked_at
    }
    /// Last verification (Unix seconds, coarse: at most one write a minute), or null.
    #[napi(getter, catch_unwind)]
    pub fn last_used_at(&self) -> Option<i64> {
        self.0.last_used_at
    }
    /// The id of the key that replaced this one in a rotation, or null.
    #[napi(getter, catch_unwind)]
    pub fn replaced_by(&self) -> Option<String> {
        self.0.replaced_by.clone()
    }
    /// Whether the key carries `scope`.
    #[napi(catch_unwind)]
    pub fn has_scope(&self, scope: String) -> bool {
        self.0.has_scope(&scope)
    }
    /// The record as a plain object (used by `JSON.stringify` and `util.inspect`).
    #[napi(js_name = "toJSON", catch_unwind)]
    pub fn to_json(&self) -> KeyRecordJson {
        let r = &*self.0;
        KeyRecordJson {
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
#[napi(object, object_from_js = false)]
pub struct IssuedKey {
    /// The plaintext key; hand it to the customer once.
    pub secret: Secret,
    /// The stored record.
    pub record: KeyRecord,
}

impl From<tokenward::IssuedKey> for IssuedKey {
    fn from(k: tokenward::IssuedKey) -> Self {
        IssuedKey {
            secret: Secret(k.secret),
            record: KeyRecord(k.record),
        }
    }
}

/// What `ApiKeys.checkFormat` learns from a key offline.
#[napi(object, object_from_js = false)]
pub struct KeyInfo {
    /// The prefix, e.g. `tw_live`.
    pub prefix: String,
    /// The public key id.
    pub id: String,
    /// The display form.
    pub display: String,
}

/// Optional settings of `new ApiKeys(prefix, options)`.
#[napi(object, object_to_js = false)]
pub struct ApiKeysOptions<'a> {
    /// `"memory"` (default), `"sqlite:///path.db"` or a file path.
    pub store: Option<String>,
    /// Server-side pepper (at least 16 bytes): keys are stored as HMAC-SHA-256 with it.
    pub pepper: Option<Either<String, ClassInstance<'a, Secret>>>,
    /// How often, at most, a key's last-used time is written, in seconds (default 60).
    pub last_used_granularity: Option<f64>,
}

/// Optional settings of `apiKeys.create(owner, options)`.
#[napi(object)]
pub struct CreateKeyOptions {
    /// Scopes to grant.
    pub scopes: Option<Vec<String>>,
    /// Lifetime in seconds (at least 1); unset for a key that does not expire.
    pub expires_in: Option<f64>,
    /// Application metadata.
    pub metadata: Option<HashMap<String, String>>,
}

/// Issues and verifies API keys of one prefix.
#[napi]
pub struct ApiKeys(pub(crate) Arc<tokenward::ApiKeys>);

#[napi]
impl ApiKeys {
    /// `new ApiKeys(prefix, { store, pepper, lastUsedGranularity })`; throws `invalid_input`
    /// for a malformed prefix, a short pepper or an unsupported store.
    #[napi(constructor, catch_unwind)]
    pub fn new(prefix: String, options: Option<ApiKeysOptions>) -> napi::Result<Self, Code> {
        let mut o = tokenward::apikey::ApiKeysOptions::default();
        if let Some(options) = options {
            if let Some(spec) = options.store {
                o = o.with_store_spec(&spec).js()?;
            }
            if let Some(p) = options.pepper {
                o = o.with_pepper(match p {
                    Either::A(text) => tokenward::Secret::new(text).js()?,
                    Either::B(secret) => secret.0.clone(),
                });
            }
            if let Some(g) = options.last_used_granularity {
                o = o.with_last_used_granularity(duration(g, "lastUsedGranularity").js()?);
            }
        }
        Ok(ApiKeys(Arc::new(tokenward::ApiKeys::new(&prefix, o).js()?)))
    }

    /// Checks shape and checksum offline (any prefix, no store); throws `invalid_format` or
    /// `checksum_mismatch`.
    #[napi(catch_unwind)]
    pub fn check_format(key: Either<String, &Secret>) -> napi::Result<KeyInfo, Code> {
        let parsed = tokenward::ApiKeys::check_format(key_str(&key)).js()?;
        Ok(KeyInfo {
            prefix: parsed.prefix().to_owned(),
            id: parsed.id().to_owned(),
            display: parsed.display(),
        })
    }

    /// The prefix of the keys this instance issues and accepts.
    #[napi(getter, catch_unwind)]
    pub fn prefix(&self) -> String {
        self.0.prefix().to_owned()
    }

    /// The regular expression matching this instance's keys.
    #[napi(getter, catch_unwind)]
    pub fn pattern(&self) -> String {
        self.0.pattern()
    }

    /// Issues a new key for `owner`.
    #[napi(catch_unwind)]
    pub fn create(
        &self,
        owner: String,
        options: Option<CreateKeyOptions>,
    ) -> napi::Result<IssuedKey, Code> {
        let options = options.unwrap_or(CreateKeyOptions {
            scopes: None,
            expires_in: None,
            metadata: None,
        });
        let new = tokenward::NewKey {
            owner,
            scopes: options.scopes.unwrap_or_default(),
            expires_in: options
                .expires_in
                .map(|s| duration(s, "expiresIn"))
                .transpose()
                .js()?,
            metadata: options
                .metadata
                .unwrap_or_default()
                .into_iter()
                .collect::<BTreeMap<_, _>>(),
        };
        Ok(self.0.create(new).js()?.into())
    }

    /// Verifies a key (string or `Secret`) and returns its record; throws with `.code`
    /// `invalid_format`, `checksum_mismatch`, `unknown_key`, `revoked` or `expired`.
    #[napi(catch_unwind)]
    pub fn verify(&self, key: Either<String, &Secret>) -> napi::Result<KeyRecord, Code> {
        Ok(KeyRecord(self.0.verify(key_str(&key)).js()?))
    }

    /// The record of key `id`.
    #[napi(catch_unwind)]
    pub fn get(&self, id: String) -> napi::Result<KeyRecord, Code> {
        Ok(KeyRecord(self.0.get(&id).js()?))
    }

    /// Revokes key `id` at once.
    #[napi(catch_unwind)]
    pub fn revoke(&self, id: String) -> napi::Result<KeyRecord, Code> {
        Ok(KeyRecord(self.0.revoke(&id).js()?))
    }

    /// Issues a successor of key `id`; the old key stays valid for `overlap` seconds.
    #[napi(catch_unwind)]
    pub fn rotate(&self, id: String, overlap: f64) -> napi::Result<IssuedKey, Code> {
        let overlap = duration(overlap, "overlap").js()?;
        Ok(self.0.rotate(&id, overlap).js()?.into())
    }

    /// Every key of `owner`, oldest first.
    #[napi(catch_unwind)]
    pub fn list(&self, owner: String) -> napi::Result<Vec<KeyRecord>, Code> {
        Ok(self
            .0
            .list(&owner)
            .js()?
            .into_iter()
            .map(KeyRecord)
            .collect())
    }
}
