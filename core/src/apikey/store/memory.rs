//! The in-memory store: a `RwLock<HashMap>` keyed by key id. Reads take the shared lock for a
//! hash lookup and an `Arc` clone, so concurrent verifies do not serialise.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::RwLock;

use super::{KeyStore, StoredKey};
use crate::apikey::record::KeyRecord;
use crate::{Error, ErrorCode, Result};

/// Keys in process memory; the default store, for tests and small applications.
#[derive(Default)]
pub struct MemoryStore {
    keys: RwLock<HashMap<String, StoredKey>>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("keys", &self.len())
            .finish()
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    /// Number of stored keys (revoked and expired included).
    pub fn len(&self) -> usize {
        self.keys.read().len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.keys.read().is_empty()
    }
}

/// Replaces the record of `entry` with an edited copy (records are shared, never mutated).
fn edit(entry: &mut StoredKey, f: impl FnOnce(&mut KeyRecord)) {
    let mut record = KeyRecord::clone(&entry.record);
    f(&mut record);
    entry.record = Arc::new(record);
}

impl KeyStore for MemoryStore {
    fn insert(&self, key: StoredKey) -> Result<()> {
        let mut keys = self.keys.write();
        if keys.contains_key(&key.record.id) {
            return Err(Error::new(ErrorCode::Storage, "duplicate API key id"));
        }
        keys.insert(key.record.id.clone(), key);
        Ok(())
    }

    fn get(&self, id: &str) -> Result<Option<StoredKey>> {
        Ok(self.keys.read().get(id).cloned())
    }

    fn list(&self, owner: &str) -> Result<Vec<Arc<KeyRecord>>> {
        let mut found: Vec<Arc<KeyRecord>> = self
            .keys
            .read()
            .values()
            .filter(|k| k.record.owner == owner)
            .map(|k| Arc::clone(&k.record))
            .collect();
        found.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(found)
    }

    fn revoke(&self, id: &str, at: i64) -> Result<Option<Arc<KeyRecord>>> {
        let mut keys = self.keys.write();
        let Some(entry) = keys.get_mut(id) else {
            return Ok(None);
        };
        if entry.record.revoked_at.is_none() {
            edit(entry, |r| r.revoked_at = Some(at));
        }
        Ok(Some(Arc::clone(&entry.record)))
    }

    fn rotate(&self, id: &str, old_expires_at: i64, successor: StoredKey) -> Result<bool> {
        let mut keys = self.keys.write();
        if keys.contains_key(&successor.record.id) {
            return Err(Error::new(ErrorCode::Storage, "duplicate API key id"));
        }
        let Some(entry) = keys.get_mut(id) else {
            return Ok(false);
        };
        edit(entry, |r| {
            r.expires_at = Some(old_expires_at);
            r.replaced_by = Some(successor.record.id.clone());
        });
        keys.insert(successor.record.id.clone(), successor);
        Ok(true)
    }

    fn touch(&self, id: &str, at: i64) -> Result<()> {
        let mut keys = self.keys.write();
        if let Some(entry) = keys.get_mut(id) {
            if entry.record.last_used_at.is_none_or(|t| t < at) {
                edit(entry, |r| r.last_used_at = Some(at));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conforms() {
        let store = MemoryStore::new();
        assert!(store.is_empty());
        super::super::conformance::run(&store);
        assert_eq!(store.len(), 3);
    }
}
