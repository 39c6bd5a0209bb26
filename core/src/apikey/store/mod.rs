//! Where key records live: the [`KeyStore`] trait and its implementations.
//!
//! The trait is synchronous and speaks in whole operations (insert, get, revoke, rotate,
//! touch, list) rather than generic updates, so a store can make each one atomic in its own
//! way: a Redis store would use `HSET`/`MULTI`, a PostgreSQL store one transaction. Callers only
//! ever see `Arc<dyn KeyStore>`, so adding a store changes no caller.

mod memory;
#[cfg(feature = "sqlite")]
mod sqlite;
#[cfg(feature = "sqlite")]
mod sqlite_schema;

use std::fmt::Debug;
use std::sync::Arc;

pub use memory::MemoryStore;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;

use super::hash::KeyHash;
use super::record::KeyRecord;
use crate::{Error, ErrorCode, Result};

/// A record and the hash of its key, as a store keeps them.
#[derive(Debug, Clone)]
pub struct StoredKey {
    /// The record (shared: reading it never copies).
    pub record: Arc<KeyRecord>,
    /// The hash of the full key.
    pub hash: KeyHash,
}

/// Storage for API key records, keyed by key id. Implementations must be safe and fast under
/// concurrent `get` from many threads; `get` is on every verify's path.
pub trait KeyStore: Send + Sync + Debug {
    /// Stores a new key. A duplicate id is a `storage` error (ids carry 71 random bits).
    fn insert(&self, key: StoredKey) -> Result<()>;

    /// The key with `id`, or `None`.
    fn get(&self, id: &str) -> Result<Option<StoredKey>>;

    /// Every key of `owner`, oldest first.
    fn list(&self, owner: &str) -> Result<Vec<Arc<KeyRecord>>>;

    /// Marks `id` revoked at `at` (keeping an earlier revocation time); returns the updated
    /// record, or `None` when there is no such key.
    fn revoke(&self, id: &str, at: i64) -> Result<Option<Arc<KeyRecord>>>;

    /// Atomically stores `successor` and sets the old key's `expires_at` to `old_expires_at`
    /// and its `replaced_by` to the successor's id. Returns `false` (storing nothing) when there
    /// is no key `id`.
    fn rotate(&self, id: &str, old_expires_at: i64, successor: StoredKey) -> Result<bool>;

    /// Records that `id` was used at `at` (ignored when an equal or later time is stored).
    fn touch(&self, id: &str, at: i64) -> Result<()>;
}

/// Opens a store from a specification string shared by every binding and the CLI:
/// `None`, `""` or `"memory"` for a new [`MemoryStore`]; `"sqlite:///abs/path.db"`,
/// `"sqlite://relative.db"` or a plain file path for a [`SqliteStore`].
pub fn open(spec: Option<&str>) -> Result<Arc<dyn KeyStore>> {
    match spec.map(str::trim) {
        None | Some("") | Some("memory") | Some("memory://") => Ok(Arc::new(MemoryStore::new())),
        Some(s) => {
            let path = s.strip_prefix("sqlite://").unwrap_or(s);
            if path.is_empty() || path.contains("://") {
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    "unsupported store: use \"memory\", \"sqlite:///path.db\" or a file path",
                ));
            }
            open_sqlite(path)
        }
    }
}

#[cfg(feature = "sqlite")]
fn open_sqlite(path: &str) -> Result<Arc<dyn KeyStore>> {
    Ok(Arc::new(SqliteStore::open(path)?))
}

#[cfg(not(feature = "sqlite"))]
fn open_sqlite(_path: &str) -> Result<Arc<dyn KeyStore>> {
    Err(Error::new(
        ErrorCode::InvalidInput,
        "SQLite stores need tokenward's `sqlite` feature",
    ))
}

#[cfg(test)]
pub(crate) mod conformance;

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "sqlite")]
    #[test]
    fn open_parses_specs() {
        assert!(format!("{:?}", open(None).unwrap()).contains("MemoryStore"));
        assert!(format!("{:?}", open(Some("memory")).unwrap()).contains("MemoryStore"));
        for bad in ["redis://localhost", "sqlite://"] {
            assert_eq!(
                open(Some(bad)).unwrap_err().code(),
                ErrorCode::InvalidInput,
                "{bad}"
            );
        }
        let dir = std::env::temp_dir().join(format!("tw-open-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("k.db");
        let spec = format!("sqlite://{}", path.display());
        assert!(format!("{:?}", open(Some(&spec)).unwrap()).contains("SqliteStore"));
        assert!(path.exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
