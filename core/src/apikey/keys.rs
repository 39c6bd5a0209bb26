//! [`ApiKeys`]: create, verify, revoke, rotate and list keys of one prefix in one store.

use std::sync::Arc;
use std::time::Duration;

use super::format::{self, ParsedKey, Prefix};
use super::hash::{KeyHasher, DUMMY_HASH};
use super::record::{IssuedKey, KeyRecord, NewKey};
use super::store::{self, KeyStore, MemoryStore, StoredKey};
use crate::audit::{emit, AuditEvent};
use crate::clock::{self, SharedClock};
use crate::{Error, ErrorCode, Result, Secret};

/// How often, at most, a key's last-used time is written by default (seconds).
pub const DEFAULT_LAST_USED_GRANULARITY: Duration = Duration::from_secs(60);

/// Issues and verifies API keys of one prefix, backed by a [`KeyStore`].
///
/// ```
/// use std::time::Duration;
/// use tokenward::apikey::{ApiKeys, ApiKeysOptions, NewKey};
///
/// let keys = ApiKeys::new("tw_live", ApiKeysOptions::default())?;
/// let issued = keys.create(NewKey::new("alice").scopes(["read"]))?;
/// let record = keys.verify(issued.secret.expose())?;
/// assert_eq!(record.owner, "alice");
/// keys.revoke(&record.id)?;
/// assert_eq!(keys.verify(issued.secret.expose()).unwrap_err().code().as_str(), "revoked");
/// # Ok::<(), tokenward::Error>(())
/// ```
#[derive(Debug)]
pub struct ApiKeys {
    prefix: Prefix,
    hasher: KeyHasher,
    store: Arc<dyn KeyStore>,
    clock: SharedClock,
    last_used_every: i64,
}

/// Optional settings of [`ApiKeys`]; every field has a valid default.
#[derive(Debug, Clone)]
pub struct ApiKeysOptions {
    store: Option<Arc<dyn KeyStore>>,
    pepper: Option<Secret>,
    clock: SharedClock,
    last_used_granularity: Duration,
}

impl Default for ApiKeysOptions {
    fn default() -> Self {
        ApiKeysOptions {
            store: None,
            pepper: None,
            clock: clock::system(),
            last_used_granularity: DEFAULT_LAST_USED_GRANULARITY,
        }
    }
}

impl ApiKeysOptions {
    /// The store (default: a new [`MemoryStore`]).
    pub fn with_store(mut self, store: Arc<dyn KeyStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// The store given by a specification, as the bindings and the CLI take it: `"memory"`,
    /// `"sqlite:///path.db"` or a file path (see [`store::open`]).
    pub fn with_store_spec(self, spec: &str) -> Result<Self> {
        Ok(self.with_store(store::open(Some(spec))?))
    }

    /// The server-side pepper: keys are stored as HMAC-SHA-256 keyed with it (default: none,
    /// plain SHA-256). At least 16 bytes; keep it outside the database.
    pub fn with_pepper(mut self, pepper: Secret) -> Self {
        self.pepper = Some(pepper);
        self
    }

    /// The clock (default: the system clock).
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// How often, at most, a key's last-used time is written (default
    /// [`DEFAULT_LAST_USED_GRANULARITY`], 60 s). Verifies in between do not write, which keeps
    /// verify a read-only operation on the store.
    pub fn with_last_used_granularity(mut self, every: Duration) -> Self {
        self.last_used_granularity = every;
        self
    }
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

fn unknown_key() -> Error {
    Error::new(ErrorCode::UnknownKey, "no such API key")
}

/// Emits the audit event of `action` for `result`.
fn audit<T>(
    action: &'static str,
    result: &Result<T>,
    id: Option<&str>,
    owner: impl FnOnce(&T) -> Option<String>,
) {
    let mut event = match result {
        Ok(value) => {
            let mut event = AuditEvent::success(action);
            event.subject = owner(value);
            event
        }
        Err(err) => AuditEvent::failure(action, err),
    };
    event.credential_id = id.map(str::to_owned);
    emit(event);
}

impl ApiKeys {
    /// Keys with `prefix` (e.g. `tw_live`). Fails with `invalid_input` for a malformed prefix,
    /// a pepper shorter than 16 bytes or a last-used granularity beyond the clock's bounds.
    pub fn new(prefix: &str, options: ApiKeysOptions) -> Result<Self> {
        let granularity =
            clock::check_duration(options.last_used_granularity, "last_used_granularity")?;
        Ok(ApiKeys {
            prefix: Prefix::new(prefix)?,
            hasher: KeyHasher::new(options.pepper.as_ref())?,
            store: options
                .store
                .unwrap_or_else(|| Arc::new(MemoryStore::new())),
            clock: options.clock,
            last_used_every: secs(granularity),
        })
    }

    /// Checks the shape and checksum of any tokenward key offline (no store, any prefix).
    /// Fails with `invalid_format` or `checksum_mismatch`.
    pub fn check_format(key: &str) -> Result<ParsedKey<'_>> {
        format::parse(key)
    }

    /// The prefix of the keys this instance issues and accepts.
    pub fn prefix(&self) -> &str {
        self.prefix.as_str()
    }

    /// The regular expression matching this instance's keys (see [`format::KEY_PATTERN`]).
    pub fn pattern(&self) -> String {
        format::pattern_for(&self.prefix)
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn KeyStore> {
        &self.store
    }

    /// Issues a new key. The returned [`IssuedKey::secret`] is the only copy of the plaintext.
    pub fn create(&self, new: NewKey) -> Result<IssuedKey> {
        let result = self.create_inner(new);
        let id = result.as_ref().ok().map(|k| k.record.id.clone());
        audit("apikey.create", &result, id.as_deref(), |k| {
            Some(k.record.owner.clone())
        });
        result
    }

    fn create_inner(&self, new: NewKey) -> Result<IssuedKey> {
        new.validate()?;
        let now = self.clock.unix_seconds();
        let expires_at = new.expires_in.map(|d| now.saturating_add(secs(d)));
        let (secret, key) = self.mint(new.owner, new.scopes, new.metadata, now, expires_at)?;
        self.store.insert(key.clone())?;
        Ok(IssuedKey {
            secret,
            record: key.record,
        })
    }

    /// Generates a key and its record (stores nothing).
    fn mint(
        &self,
        owner: String,
        scopes: Vec<String>,
        metadata: std::collections::BTreeMap<String, String>,
        now: i64,
        expires_at: Option<i64>,
    ) -> Result<(Secret, StoredKey)> {
        let secret = format::generate(&self.prefix)?;
        let parsed = format::parse(secret.expose())?;
        let record = KeyRecord {
            id: parsed.id().to_owned(),
            prefix: self.prefix.as_str().to_owned(),
            display: parsed.display(),
            owner,
            scopes,
            metadata,
            created_at: now,
            expires_at,
            revoked_at: None,
            last_used_at: None,
            replaced_by: None,
        };
        let hash = self.hasher.hash(secret.expose().as_bytes());
        Ok((
            secret,
            StoredKey {
                record: Arc::new(record),
                hash,
            },
        ))
    }

    /// Verifies `key`: shape and checksum first (offline), then the stored hash (constant-time
    /// comparison), then revocation and expiry. Returns the record, or fails with
    /// `invalid_format`, `checksum_mismatch`, `unknown_key`, `revoked`, `expired` or `storage`.
    pub fn verify(&self, key: &str) -> Result<Arc<KeyRecord>> {
        let parsed = format::parse(key);
        let id = parsed.as_ref().ok().map(ParsedKey::id);
        let result = parsed.and_then(|p| self.verify_parsed(key, p));
        audit("apikey.verify", &result, id, |r| Some(r.owner.clone()));
        result
    }

    fn verify_parsed(&self, key: &str, parsed: ParsedKey<'_>) -> Result<Arc<KeyRecord>> {
        if parsed.prefix() != self.prefix.as_str() {
            return Err(Error::new(
                ErrorCode::InvalidFormat,
                "the API key has another prefix than this issuer's",
            ));
        }
        // The same work whether the id is known or not: hash first, and compare an unknown id
        // against a dummy hash, so the answer time does not tell which ids exist.
        let hash = self.hasher.hash(key.as_bytes());
        let Some(stored) = self.store.get(parsed.id())? else {
            std::hint::black_box(DUMMY_HASH.ct_eq(&hash));
            return Err(unknown_key());
        };
        if !stored.hash.ct_eq(&hash) {
            return Err(unknown_key());
        }
        let now = self.clock.unix_seconds();
        stored.record.check_usable(now)?;
        let record = stored.record;
        let due = record
            .last_used_at
            .is_none_or(|t| now.saturating_sub(t) >= self.last_used_every);
        if !due {
            return Ok(record);
        }
        // Coarse-grained: at most one write per key per granularity, so the copy below is rare.
        // A failed write does not turn a valid key into a refusal.
        match self.store.touch(parsed.id(), now) {
            Ok(()) => {
                let mut updated = KeyRecord::clone(&record);
                updated.last_used_at = Some(now);
                Ok(Arc::new(updated))
            }
            Err(err) => {
                let code = err.code().as_str();
                tracing::warn!(target: "tokenward::apikey", code, "recording last use failed");
                Ok(record)
            }
        }
    }

    /// The record of key `id`; `unknown_key` when there is none.
    pub fn get(&self, id: &str) -> Result<Arc<KeyRecord>> {
        Ok(self.store.get(id)?.ok_or_else(unknown_key)?.record)
    }

    /// Revokes key `id` at once (idempotent); `unknown_key` when there is none.
    pub fn revoke(&self, id: &str) -> Result<Arc<KeyRecord>> {
        let now = self.clock.unix_seconds();
        let result = self
            .store
            .revoke(id, now)
            .and_then(|r| r.ok_or_else(unknown_key));
        audit("apikey.revoke", &result, Some(id), |r| {
            Some(r.owner.clone())
        });
        result
    }

    /// Issues a successor of key `id` with the same owner, scopes, metadata and lifetime, and
    /// keeps the old key valid for `overlap` more (never beyond its own expiry), so clients can
    /// switch without downtime. A revoked or expired key cannot be rotated.
    pub fn rotate(&self, id: &str, overlap: Duration) -> Result<IssuedKey> {
        let result = self.rotate_inner(id, overlap);
        audit("apikey.rotate", &result, Some(id), |k| {
            Some(k.record.owner.clone())
        });
        result
    }

    fn rotate_inner(&self, id: &str, overlap: Duration) -> Result<IssuedKey> {
        let old = self.get(id)?;
        let now = self.clock.unix_seconds();
        old.check_usable(now)?;
        let lifetime = old.expires_at.map(|t| t.saturating_sub(old.created_at));
        let old_expires_at = now
            .saturating_add(secs(overlap))
            .min(old.expires_at.unwrap_or(i64::MAX));
        let (secret, successor) = self.mint(
            old.owner.clone(),
            old.scopes.clone(),
            old.metadata.clone(),
            now,
            lifetime.map(|l| now.saturating_add(l)),
        )?;
        if !self.store.rotate(id, old_expires_at, successor.clone())? {
            return Err(unknown_key());
        }
        Ok(IssuedKey {
            secret,
            record: successor.record,
        })
    }

    /// Every key of `owner` (revoked and expired included), oldest first.
    pub fn list(&self, owner: &str) -> Result<Vec<Arc<KeyRecord>>> {
        self.store.list(owner)
    }
}
