//! What is stored about a key (never the key itself), what a caller asks for when creating one,
//! and what `create` hands back.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::{Error, ErrorCode, Result, Secret};

/// Longest owner, scope, metadata key or metadata value, in bytes.
pub const MAX_FIELD_LEN: usize = 256;
/// Most scopes on one key.
pub const MAX_SCOPES: usize = 64;
/// Most metadata entries on one key.
pub const MAX_METADATA: usize = 32;

/// The stored description of a key. Contains no secret material: it can be printed, logged,
/// serialised and shown in admin UIs. Times are Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    /// The public key id (12 base62 characters, also embedded in the key).
    pub id: String,
    /// The key's prefix, e.g. `tw_live`.
    pub prefix: String,
    /// The display form, e.g. `tw_live_a1B2c3D4…Wx9z`.
    pub display: String,
    /// Who the key belongs to (a user, an account, a service).
    pub owner: String,
    /// The scopes granted to the key.
    pub scopes: Vec<String>,
    /// Free-form application metadata.
    pub metadata: BTreeMap<String, String>,
    /// When the key was created.
    pub created_at: i64,
    /// When the key stops being valid (exclusive), if ever.
    pub expires_at: Option<i64>,
    /// When the key was revoked, if it was.
    pub revoked_at: Option<i64>,
    /// When the key was last verified, to within the store's last-used granularity.
    pub last_used_at: Option<i64>,
    /// The id of the key that replaced this one in a rotation.
    pub replaced_by: Option<String>,
}

impl KeyRecord {
    /// Whether the key carries `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// `Ok` when the key may be used at `now`; `revoked` or `expired` otherwise.
    pub fn check_usable(&self, now: i64) -> Result<()> {
        if self.revoked_at.is_some() {
            return Err(Error::new(
                ErrorCode::Revoked,
                "the API key has been revoked",
            ));
        }
        match self.expires_at {
            Some(t) if now >= t => Err(Error::new(ErrorCode::Expired, "the API key has expired")),
            _ => Ok(()),
        }
    }
}

/// What to create: the owner and, optionally, scopes, a lifetime and metadata.
#[derive(Debug, Clone, Default)]
pub struct NewKey {
    /// Who the key belongs to (required, 1-256 bytes).
    pub owner: String,
    /// Scopes to grant (each 1-256 bytes without whitespace; at most 64).
    pub scopes: Vec<String>,
    /// Lifetime from now; `None` for a key that does not expire.
    pub expires_in: Option<Duration>,
    /// Application metadata (at most 32 entries of at most 256 bytes each).
    pub metadata: BTreeMap<String, String>,
}

impl NewKey {
    /// A key for `owner` with no scopes, no expiry and no metadata.
    pub fn new(owner: impl Into<String>) -> Self {
        NewKey {
            owner: owner.into(),
            ..NewKey::default()
        }
    }

    /// Sets the scopes.
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the lifetime.
    pub fn expires_in(mut self, lifetime: Duration) -> Self {
        self.expires_in = Some(lifetime);
        self
    }

    /// Adds one metadata entry.
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// Checks the limits above; `invalid_input` otherwise.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: &'static str| Err(Error::new(ErrorCode::InvalidInput, m));
        if self.owner.is_empty() || self.owner.len() > MAX_FIELD_LEN {
            return bad("the owner must be 1-256 bytes");
        }
        if self.scopes.len() > MAX_SCOPES {
            return bad("a key has at most 64 scopes");
        }
        let scope_ok = |s: &String| {
            !s.is_empty() && s.len() <= MAX_FIELD_LEN && !s.contains(char::is_whitespace)
        };
        if !self.scopes.iter().all(scope_ok) {
            return bad("a scope must be 1-256 bytes without whitespace");
        }
        if self.metadata.len() > MAX_METADATA {
            return bad("a key has at most 32 metadata entries");
        }
        let entry_ok = |(k, v): (&String, &String)| {
            !k.is_empty() && k.len() <= MAX_FIELD_LEN && v.len() <= MAX_FIELD_LEN
        };
        if !self.metadata.iter().all(entry_ok) {
            return bad("metadata keys must be 1-256 bytes and values at most 256 bytes");
        }
        if self.expires_in.is_some_and(|d| d < Duration::from_secs(1)) {
            return bad("expires_in must be at least one second");
        }
        Ok(())
    }
}

/// A newly issued key: the plaintext (the only time it exists) and its stored record.
#[derive(Debug, Clone)]
pub struct IssuedKey {
    /// The plaintext key. Hand it to the customer once; it cannot be recovered.
    pub secret: Secret,
    /// The stored record.
    pub record: Arc<KeyRecord>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> KeyRecord {
        KeyRecord {
            id: "abc".into(),
            prefix: "tw".into(),
            display: "tw_abc…wxyz".into(),
            owner: "o".into(),
            scopes: vec!["read".into()],
            metadata: BTreeMap::new(),
            created_at: 100,
            expires_at: Some(200),
            revoked_at: None,
            last_used_at: None,
            replaced_by: None,
        }
    }

    #[test]
    fn usable_until_expiry_and_revocation_wins() {
        let mut r = record();
        assert!(r.check_usable(199).is_ok());
        assert_eq!(r.check_usable(200).unwrap_err().code(), ErrorCode::Expired);
        r.revoked_at = Some(150);
        assert_eq!(r.check_usable(160).unwrap_err().code(), ErrorCode::Revoked);
        assert!(r.has_scope("read") && !r.has_scope("write"));
    }

    #[test]
    fn new_key_limits() {
        assert!(NewKey::new("alice")
            .scopes(["read", "write"])
            .validate()
            .is_ok());
        for bad in [
            NewKey::new(""),
            NewKey::new("x".repeat(257)),
            NewKey::new("a").scopes(["has space"]),
            NewKey::new("a").scopes([""]),
            NewKey::new("a").scopes((0..65).map(|i| i.to_string())),
            NewKey::new("a").metadata("", "v"),
            NewKey::new("a").expires_in(Duration::ZERO),
        ] {
            assert_eq!(
                bad.validate().unwrap_err().code(),
                ErrorCode::InvalidInput,
                "{bad:?}"
            );
        }
    }
}
