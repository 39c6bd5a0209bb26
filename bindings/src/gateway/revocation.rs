//! `RevocationList` and `RevocationKind` (core `gateway::revocation`).

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use tokenward::gateway as core;

use crate::clock::ManualClock;
use crate::error::FfiResult;

/// What a revocation names.
#[derive(uniffi::Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[uniffi::export(Display)]
pub enum RevocationKind {
    /// A JWT `jti`.
    Jti,
    /// An API key id.
    KeyId,
    /// Every credential of a subject (JWT `sub`, key owner).
    Subject,
}

impl From<RevocationKind> for core::RevocationKind {
    fn from(k: RevocationKind) -> Self {
        match k {
            RevocationKind::Jti => core::RevocationKind::Jti,
            RevocationKind::KeyId => core::RevocationKind::KeyId,
            RevocationKind::Subject => core::RevocationKind::Subject,
        }
    }
}

/// The core's name (`jti`, `key_id`, `subject`).
impl std::fmt::Display for RevocationKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(core::RevocationKind::from(*self).as_str())
    }
}

/// A bounded, expiring revocation list by JWT `jti`, API key id or subject. Share one between
/// authenticators; safe to use from several threads. In-process by default; `with_store`
/// keeps it in Redis, shared by every instance using that Redis.
#[derive(uniffi::Object, Debug)]
pub struct RevocationList {
    /// The in-process list (`None` for a shared store).
    local: Option<Arc<core::RevocationList>>,
    pub(super) store: Arc<dyn core::RevocationStore>,
}

/// Whole Unix seconds of `until`, rounded up (an expiry is never moved earlier).
fn unix_seconds_ceil(until: SystemTime) -> i64 {
    match until.duration_since(UNIX_EPOCH) {
        Ok(d) => {
            let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            secs.saturating_add(i64::from(d.subsec_nanos() > 0))
        }
        // Before 1970: in the past, which the core refuses.
        Err(_) => 0,
    }
}

/// Optional settings of `RevocationList`; each `null`/`nil` keeps the core's default.
#[derive(uniffi::Record)]
pub struct RevocationListOptions {
    /// The most live entries held (default 1 000 000, the core's `DEFAULT_MAX_REVOCATIONS`;
    /// at least 1); `revoke` fails with `invalid_input` when the list is full.
    #[uniffi(default = None)]
    pub max_entries: Option<u64>,
    /// Replaces the system clock that decides which entries have expired (tests).
    #[uniffi(default = None)]
    pub clock: Option<Arc<ManualClock>>,
}

#[uniffi::export]
impl RevocationList {
    /// A list configured by `options`; a `maxEntries` of 0 fails with `invalid_input`.
    #[uniffi::constructor(default(options))]
    pub fn new(options: RevocationListOptions) -> FfiResult<Arc<Self>> {
        let mut o = core::RevocationListOptions::new();
        if let Some(max) = options.max_entries {
            o = o.with_max_entries(usize::try_from(max).unwrap_or(usize::MAX));
        }
        if let Some(clock) = options.clock {
            o = o.with_clock(clock.shared());
        }
        let local = Arc::new(core::RevocationList::new(o)?);
        Ok(Arc::new(RevocationList {
            store: local.clone(),
            local: Some(local),
        }))
    }

    /// The list in `store`: `"memory"` (a new in-process list) or `"redis://…"` (shared; a
    /// check Redis cannot answer fails closed unless `fail_open`). Fails with `invalid_input`
    /// for an unsupported store; connects on first use.
    #[uniffi::constructor(default(fail_open = false))]
    pub fn with_store(store: String, fail_open: bool) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(RevocationList {
            local: None,
            store: core::open_revocations(Some(&store), fail_open)?,
        }))
    }

    /// Revokes `id` of `kind` until `until` (in the future; for a `jti`, the token's `exp` is
    /// enough); fails with `invalid_input` for an empty id, a past expiry, or a list full of
    /// live entries.
    pub fn revoke(&self, kind: RevocationKind, id: String, until: SystemTime) -> FfiResult<()> {
        Ok(self
            .store
            .revoke(kind.into(), &id, unix_seconds_ceil(until))?)
    }

    /// Lifts a revocation; returns whether one existed. An in-process list never fails; a
    /// shared one fails with `network` / `timeout` when Redis cannot answer (then `false`).
    pub fn unrevoke(&self, kind: RevocationKind, id: String) -> bool {
        self.store.unrevoke(kind.into(), &id).unwrap_or(false)
    }

    /// Whether `id` of `kind` is revoked now. For a shared list Redis cannot answer: `true`
    /// (fail closed) unless it was opened with `fail_open`.
    pub fn is_revoked(&self, kind: RevocationKind, id: String) -> bool {
        self.store
            .is_revoked(kind.into(), &id)
            .unwrap_or(self.local.is_none())
    }

    /// Drops expired entries; returns how many remain (0 for a shared list: Redis expires its
    /// entries itself).
    pub fn purge(&self) -> u64 {
        self.local.as_ref().map_or(0, |l| l.purge() as u64)
    }

    /// Entries held (live or not yet purged; 0 for a shared list).
    pub fn size(&self) -> u64 {
        self.local.as_ref().map_or(0, |l| l.len() as u64)
    }
}
