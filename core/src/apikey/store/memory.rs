//! The in-memory store: key id → record, in 16 `RwLock<HashMap>` shards. A verify takes one
//! shard's shared lock for a hash lookup and an `Arc` clone, so concurrent verifies neither
//! serialise nor contend on a single lock word.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::RwLock;

use super::{KeyStore, StoredKey};
use crate::apikey::record::KeyRecord;
use crate::{Error, ErrorCode, Result};

const SHARDS: usize = 16;

type Map = HashMap<String, StoredKey>;
type Shard = RwLock<Map>;

/// Keys in process memory; the default store, for tests and small applications.
pub struct MemoryStore {
    shards: [Shard; SHARDS],
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore {
            shards: std::array::from_fn(|_| RwLock::new(HashMap::new())),
        }
    }
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("keys", &self.len())
            .finish()
    }
}

/// The shard of `id` (ids are random, so a cheap hash spreads them evenly).
fn shard_of(id: &str) -> usize {
    id.bytes().fold(0usize, |h, b| {
        h.wrapping_mul(31).wrapping_add(usize::from(b))
    }) % SHARDS
}

fn duplicate() -> Error {
    Error::new(ErrorCode::Storage, "duplicate API key id")
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    /// Number of stored keys (revoked and expired included).
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.read().len()).sum()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn shard(&self, id: &str) -> &Shard {
        &self.shards[shard_of(id)]
    }
}

/// A rotation inside locked shards; `new` is `None` when the successor belongs in `old` too.
fn rotate_locked(
    old: &mut Map,
    new: Option<&mut Map>,
    id: &str,
    old_expires_at: i64,
    successor: StoredKey,
) -> Result<bool> {
    let new_id = successor.record.id.clone();
    let taken = match &new {
        Some(map) => map.contains_key(&new_id),
        None => old.contains_key(&new_id),
    };
    if taken {
        return Err(duplicate());
    }
    let Some(entry) = old.get_mut(id) else {
        return Ok(false);
    };
    edit(entry, |r| {
        r.expires_at = Some(old_expires_at);
        r.replaced_by = Some(new_id.clone());
    });
    match new {
        Some(map) => map.insert(new_id, successor),
        None => old.insert(new_id, successor),
    };
    Ok(true)
}

/// Replaces the record of `entry` with an edited copy (records are shared, never mutated).
fn edit(entry: &mut StoredKey, f: impl FnOnce(&mut KeyRecord)) {
    let mut record = KeyRecord::clone(&entry.record);
    f(&mut record);
    entry.record = Arc::new(record);
}

impl KeyStore for MemoryStore {
    fn insert(&self, key: StoredKey) -> Result<()> {
        let mut shard = self.shard(&key.record.id).write();
        if shard.contains_key(&key.record.id) {
            return Err(duplicate());
        }
        shard.insert(key.record.id.clone(), key);
        Ok(())
    }

    fn get(&self, id: &str) -> Result<Option<StoredKey>> {
        Ok(self.shard(id).read().get(id).cloned())
    }

    fn list(&self, owner: &str) -> Result<Vec<Arc<KeyRecord>>> {
        let mut found: Vec<Arc<KeyRecord>> = Vec::new();
        for shard in &self.shards {
            let shard = shard.read();
            let mine = shard.values().filter(|k| k.record.owner == owner);
            found.extend(mine.map(|k| Arc::clone(&k.record)));
        }
        found.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(found)
    }

    fn revoke(&self, id: &str, at: i64) -> Result<Option<Arc<KeyRecord>>> {
        let mut shard = self.shard(id).write();
        let Some(entry) = shard.get_mut(id) else {
            return Ok(None);
        };
        if entry.record.revoked_at.is_none() {
            edit(entry, |r| r.revoked_at = Some(at));
        }
        Ok(Some(Arc::clone(&entry.record)))
    }

    fn rotate(&self, id: &str, old_expires_at: i64, successor: StoredKey) -> Result<bool> {
        let (old_i, new_i) = (shard_of(id), shard_of(&successor.record.id));
        if old_i == new_i {
            let mut shard = self.shards[old_i].write();
            return rotate_locked(&mut shard, None, id, old_expires_at, successor);
        }
        // Both shards locked, lower index first (no deadlock), so the change is atomic.
        let mut low = self.shards[old_i.min(new_i)].write();
        let mut high = self.shards[old_i.max(new_i)].write();
        let (old, new) = if old_i < new_i {
            (&mut *low, &mut *high)
        } else {
            (&mut *high, &mut *low)
        };
        rotate_locked(old, Some(new), id, old_expires_at, successor)
    }

    fn touch(&self, id: &str, at: i64) -> Result<()> {
        let mut shard = self.shard(id).write();
        if let Some(entry) = shard.get_mut(id) {
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

    #[test]
    fn rotation_within_one_shard() {
        let store = MemoryStore::new();
        let sibling = (0..1000)
            .map(|n| format!("s{n}"))
            .find(|id| id != "a1" && shard_of(id) == shard_of("a1"))
            .unwrap();
        let key = |id: &str| StoredKey {
            record: Arc::new(KeyRecord {
                id: id.into(),
                prefix: "tw".into(),
                display: String::new(),
                owner: "o".into(),
                scopes: Vec::new(),
                metadata: Default::default(),
                created_at: 0,
                expires_at: None,
                revoked_at: None,
                last_used_at: None,
                replaced_by: None,
            }),
            hash: crate::apikey::hash::KeyHash::from_slice(&[0; 32]).unwrap(),
        };
        store.insert(key("a1")).unwrap();
        assert!(store.rotate("a1", 5, key(&sibling)).unwrap());
        let old = store.get("a1").unwrap().unwrap().record;
        assert_eq!(old.replaced_by.as_deref(), Some(sibling.as_str()));
        assert_eq!(
            store.rotate("a1", 5, key(&sibling)).unwrap_err().code(),
            ErrorCode::Storage
        );
        assert_eq!(store.len(), 2);
    }

    #[test]
    fn ids_spread_over_shards() {
        let mut counts = [0usize; SHARDS];
        let mut id = String::new();
        for _ in 0..1600 {
            id.clear();
            crate::apikey::base62::push_random(&mut id, 12).unwrap();
            counts[shard_of(&id)] += 1;
        }
        assert!(counts.iter().all(|&c| c > 40), "{counts:?}");
    }
}
