//! The [`KeyStore`] trait and [`StoredKey`], what every store implements and keeps. Apart from
//! `store/mod.rs`, which opens the stores, so that a store never depends on its opener.

use std::fmt::Debug;
use std::sync::Arc;

use crate::apikey::hash::KeyHash;
use crate::apikey::record::KeyRecord;
use crate::Result;

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

    /// Whether this store is on a backend that instances share over the network (Redis,
    /// PostgreSQL): its calls wait for round trips. `false` by default.
    fn is_shared(&self) -> bool {
        false
    }
}
