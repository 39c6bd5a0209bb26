//! A revocation list by JWT `jti`, API key id or subject. Every entry has an expiry (for a
//! `jti`, the token's own `exp` is enough), after which it is dropped, and the list has a cap,
//! so it cannot grow without bound.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use parking_lot::RwLock;

use crate::audit::{emit, AuditEvent};
use crate::clock::{self, SharedClock};
use crate::{Error, ErrorCode, Result};

/// What a revocation names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RevocationKind {
    /// A JWT `jti`.
    Jti,
    /// An API key id.
    KeyId,
    /// Every credential of a subject (JWT `sub`, key owner).
    Subject,
}

impl RevocationKind {
    /// Every kind, in the order of [`RevocationKind::as_str`]'s documentation.
    pub const ALL: [RevocationKind; 3] = [
        RevocationKind::Jti,
        RevocationKind::KeyId,
        RevocationKind::Subject,
    ];

    /// `jti`, `key_id` or `subject`: the name every binding accepts.
    pub const fn as_str(self) -> &'static str {
        match self {
            RevocationKind::Jti => "jti",
            RevocationKind::KeyId => "key_id",
            RevocationKind::Subject => "subject",
        }
    }

    /// The audit action of a revocation of this kind.
    pub(crate) const fn audit_action(self) -> &'static str {
        match self {
            RevocationKind::Jti => "gateway.revoke_jti",
            RevocationKind::KeyId => "gateway.revoke_key",
            RevocationKind::Subject => "gateway.revoke_subject",
        }
    }
}

impl FromStr for RevocationKind {
    type Err = Error;

    /// Parses [`RevocationKind::as_str`]'s names (exact, lower case); anything else is
    /// `invalid_input` listing them.
    fn from_str(s: &str) -> Result<Self> {
        RevocationKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::InvalidInput,
                    format!(
                        "a revocation kind is one of: {}",
                        RevocationKind::ALL.map(RevocationKind::as_str).join(", ")
                    ),
                )
            })
    }
}

impl fmt::Display for RevocationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Default cap on entries.
pub const DEFAULT_MAX_REVOCATIONS: usize = 1_000_000;

/// Optional settings of a [`RevocationList`]; every field has a valid default.
///
/// ```
/// use tokenward::gateway::{RevocationList, RevocationListOptions};
///
/// let list = RevocationList::new(RevocationListOptions::new().with_max_entries(10_000))?;
/// assert!(list.is_empty());
/// # Ok::<(), tokenward::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct RevocationListOptions {
    max_entries: usize,
    clock: SharedClock,
}

impl Default for RevocationListOptions {
    fn default() -> Self {
        RevocationListOptions::new()
    }
}

impl RevocationListOptions {
    /// Every option at its default: at most [`DEFAULT_MAX_REVOCATIONS`] live entries, the
    /// system clock.
    pub fn new() -> Self {
        RevocationListOptions {
            max_entries: DEFAULT_MAX_REVOCATIONS,
            clock: clock::system(),
        }
    }

    /// The most live entries the list holds (default [`DEFAULT_MAX_REVOCATIONS`]; at least 1);
    /// [`RevocationList::revoke`] fails with `invalid_input` when it is full.
    pub fn with_max_entries(mut self, max_entries: usize) -> Self {
        self.max_entries = max_entries;
        self
    }

    /// The clock that decides which entries have expired (default: the system clock).
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// The cap on live entries.
    pub fn max_entries(&self) -> usize {
        self.max_entries
    }
}

/// A bounded, expiring revocation list; share it between authenticators with an `Arc`.
#[derive(Debug)]
pub struct RevocationList {
    entries: RwLock<[HashMap<String, i64>; 3]>,
    max: usize,
    clock: SharedClock,
}

impl Default for RevocationList {
    /// The list of [`RevocationListOptions::new`]: 1 000 000 entries, the system clock.
    fn default() -> Self {
        RevocationList {
            entries: RwLock::new(Default::default()),
            max: DEFAULT_MAX_REVOCATIONS,
            clock: clock::system(),
        }
    }
}

impl RevocationList {
    /// A list configured by `options`; a `max_entries` of 0 fails with `invalid_input`.
    pub fn new(options: RevocationListOptions) -> Result<Self> {
        if options.max_entries == 0 {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "max_entries must be at least 1",
            ));
        }
        Ok(RevocationList {
            entries: RwLock::new(Default::default()),
            max: options.max_entries,
            clock: options.clock,
        })
    }

    /// Revokes `id` of `kind` until `until` (Unix seconds; must be in the future). Fails with
    /// `invalid_input` when the list is full of live entries.
    pub fn revoke(&self, kind: RevocationKind, id: &str, until: i64) -> Result<()> {
        let now = self.clock.unix_seconds();
        if until <= now || id.is_empty() {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "a revocation needs a non-empty id and an expiry in the future",
            ));
        }
        let mut maps = self.entries.write();
        let total: usize = maps.iter().map(HashMap::len).sum();
        if total >= self.max && !maps[kind as usize].contains_key(id) {
            for m in maps.iter_mut() {
                m.retain(|_, exp| *exp > now);
            }
            if maps.iter().map(HashMap::len).sum::<usize>() >= self.max {
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    "the revocation list is full",
                ));
            }
        }
        let entry = maps[kind as usize].entry(id.to_owned()).or_insert(until);
        *entry = (*entry).max(until);
        drop(maps);
        emit(AuditEvent::success(kind.audit_action()).credential(id));
        Ok(())
    }

    /// Lifts a revocation; returns whether one existed.
    pub fn unrevoke(&self, kind: RevocationKind, id: &str) -> bool {
        self.entries.write()[kind as usize].remove(id).is_some()
    }

    /// Whether `id` of `kind` is revoked now.
    pub fn is_revoked(&self, kind: RevocationKind, id: &str) -> bool {
        let maps = self.entries.read();
        match maps[kind as usize].get(id) {
            Some(&exp) => exp > self.clock.unix_seconds(),
            None => false,
        }
    }

    /// Drops expired entries; returns how many remain.
    pub fn purge(&self) -> usize {
        let now = self.clock.unix_seconds();
        let mut maps = self.entries.write();
        for m in maps.iter_mut() {
            m.retain(|_, exp| *exp > now);
        }
        maps.iter().map(HashMap::len).sum()
    }

    /// Entries held (live or not yet purged).
    pub fn len(&self) -> usize {
        self.entries.read().iter().map(HashMap::len).sum()
    }

    /// Whether no entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use std::time::Duration;

    #[test]
    fn entries_expire_and_the_list_is_bounded() {
        let clock = ManualClock::at_unix(1_000);
        let list = RevocationList::new(
            RevocationListOptions::new()
                .with_max_entries(2)
                .with_clock(clock.clone()),
        )
        .unwrap();
        list.revoke(RevocationKind::Jti, "a", 1_010).unwrap();
        list.revoke(RevocationKind::Subject, "alice", 1_100)
            .unwrap();
        assert!(list.is_revoked(RevocationKind::Jti, "a"));
        assert!(!list.is_revoked(RevocationKind::KeyId, "a"));
        assert!(list.revoke(RevocationKind::KeyId, "k", 1_100).is_err());
        assert!(list.revoke(RevocationKind::Jti, "x", 999).is_err());
        clock.advance(Duration::from_secs(10));
        assert!(!list.is_revoked(RevocationKind::Jti, "a"));
        list.revoke(RevocationKind::KeyId, "k", 1_100).unwrap();
        assert_eq!(list.len(), 2);
        assert!(list.unrevoke(RevocationKind::KeyId, "k"));
        clock.advance(Duration::from_secs(100));
        assert_eq!(list.purge(), 0);
    }

    #[test]
    fn options_are_checked_by_new() {
        let err =
            RevocationList::new(RevocationListOptions::new().with_max_entries(0)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        assert_eq!(err.message(), "max_entries must be at least 1");
        let list =
            RevocationList::new(RevocationListOptions::default().with_max_entries(1)).unwrap();
        list.revoke(RevocationKind::Jti, "a", i64::MAX).unwrap();
        assert!(list.revoke(RevocationKind::Jti, "b", i64::MAX).is_err());
    }

    #[test]
    fn kinds_parse_their_own_names_only() {
        for kind in RevocationKind::ALL {
            assert_eq!(kind.as_str().parse::<RevocationKind>().unwrap(), kind);
        }
        let err = "keyId".parse::<RevocationKind>().unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        assert_eq!(
            err.message(),
            "a revocation kind is one of: jti, key_id, subject"
        );
    }
}
