//! Where sessions live: the [`SessionStore`] trait, [`MemorySessionStore`] and (feature
//! `sqlite`) [`SqliteSessionStore`], opened from the same specification strings as API-key
//! stores. Records are keyed by the SHA-256 of the session id; the id is never stored.

mod memory;
#[cfg(feature = "sqlite")]
mod sqlite;

use std::fmt::Debug;
use std::sync::Arc;

pub use memory::MemorySessionStore;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteSessionStore;

use crate::apikey::KeyHash;
use crate::session::SessionRecord;
use crate::{Error, ErrorCode, Result};

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
}

/// Opens a session store: `None`, `""` or `"memory"` for a new [`MemorySessionStore`];
/// `"sqlite:///abs/path.db"`, `"sqlite://relative.db"` or a plain file path for a
/// [`SqliteSessionStore`] (the file may be the API keys' database).
pub fn open(spec: Option<&str>) -> Result<Arc<dyn SessionStore>> {
    match spec.map(str::trim) {
        None | Some("") | Some("memory") | Some("memory://") => {
            Ok(Arc::new(MemorySessionStore::new()))
        }
        Some(s) => {
            let path = s.strip_prefix("sqlite://").unwrap_or(s);
            if path.is_empty() || path.contains("://") {
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    "unsupported session store: use \"memory\", \"sqlite:///path.db\" or a file path",
                ));
            }
            open_sqlite(path)
        }
    }
}

#[cfg(feature = "sqlite")]
fn open_sqlite(path: &str) -> Result<Arc<dyn SessionStore>> {
    Ok(Arc::new(SqliteSessionStore::open(path)?))
}

#[cfg(not(feature = "sqlite"))]
fn open_sqlite(_path: &str) -> Result<Arc<dyn SessionStore>> {
    Err(Error::new(
        ErrorCode::InvalidInput,
        "SQLite session stores need tokenward's `sqlite` feature",
    ))
}
