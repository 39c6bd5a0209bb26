//! The [`SessionStore`] trait, in its own module so that the stores beside it never use their
//! parent module (`store/mod.rs` declares, re-exports and opens).

use std::fmt::Debug;

use crate::apikey::KeyHash;
use crate::session::SessionRecord;
use crate::Result;

/// Storage for sessions, keyed by the hash of the session id. Every operation is atomic.
pub trait SessionStore: Send + Sync + Debug {
    /// Stores a new session (a duplicate hash is a `storage` error).
    fn insert(&self, hash: &KeyHash, record: &SessionRecord) -> Result<()>;

    /// The session whose id hashes to `hash`, or `None`.
    fn get(&self, hash: &KeyHash) -> Result<Option<SessionRecord>>;

    /// Records a use at `at` (ignored when an equal or later time is stored).
    fn touch(&self, hash: &KeyHash, at: i64) -> Result<()>;

    /// Marks the session revoked at `at` (keeping an earlier time); `false` when there is none.
    fn revoke(&self, hash: &KeyHash, at: i64) -> Result<bool>;

    /// Revokes every live session of `subject` at `at`; returns how many.
    fn revoke_subject(&self, subject: &str, at: i64) -> Result<u64>;

    /// Atomically revokes `old` at `at` and stores `new`; `false` (storing nothing) when `old`
    /// is absent or already revoked (a concurrent rotation won).
    fn rotate(
        &self,
        old: &KeyHash,
        at: i64,
        new_hash: &KeyHash,
        new: &SessionRecord,
    ) -> Result<bool>;

    /// Deletes revoked sessions and those past a deadline at `now` (idle: `last_seen_at` +
    /// `idle_secs`); returns how many.
    fn purge(&self, now: i64, idle_secs: i64) -> Result<u64>;

    /// Whether this store is on a backend that instances share over the network (Redis,
    /// PostgreSQL): its calls wait for round trips. `false` by default.
    fn is_shared(&self) -> bool {
        false
    }
}
