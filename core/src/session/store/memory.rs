//! Sessions in process memory: a hash map under a read-write lock.

use std::collections::HashMap;

use parking_lot::RwLock;

use super::session_store::SessionStore;
use crate::apikey::hash::HASH_LEN;
use crate::apikey::KeyHash;
use crate::session::SessionRecord;
use crate::{Error, ErrorCode, Result};

/// Sessions in memory (lost on restart; one process only).
#[derive(Default)]
pub struct MemorySessionStore {
    map: RwLock<HashMap<[u8; HASH_LEN], SessionRecord>>,
}

impl std::fmt::Debug for MemorySessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemorySessionStore")
            .field("len", &self.map.read().len())
            .finish()
    }
}

impl MemorySessionStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl SessionStore for MemorySessionStore {
    fn insert(&self, hash: &KeyHash, record: &SessionRecord) -> Result<()> {
        let mut map = self.map.write();
        if map.contains_key(hash.as_bytes()) {
            return Err(Error::new(ErrorCode::Storage, "duplicate session"));
        }
        map.insert(*hash.as_bytes(), record.clone());
        Ok(())
    }

    fn get(&self, hash: &KeyHash) -> Result<Option<SessionRecord>> {
        Ok(self.map.read().get(hash.as_bytes()).cloned())
    }

    fn touch(&self, hash: &KeyHash, at: i64) -> Result<()> {
        if let Some(r) = self.map.write().get_mut(hash.as_bytes()) {
            r.last_seen_at = r.last_seen_at.max(at);
        }
        Ok(())
    }

    fn revoke(&self, hash: &KeyHash, at: i64) -> Result<bool> {
        Ok(match self.map.write().get_mut(hash.as_bytes()) {
            Some(r) => {
                r.revoked_at = Some(r.revoked_at.map_or(at, |t| t.min(at)));
                true
            }
            None => false,
        })
    }

    fn revoke_subject(&self, subject: &str, at: i64) -> Result<u64> {
        let mut n = 0;
        for r in self.map.write().values_mut() {
            if r.subject == subject && r.revoked_at.is_none() {
                r.revoked_at = Some(at);
                n += 1;
            }
        }
        Ok(n)
    }

    fn rotate(
        &self,
        old: &KeyHash,
        at: i64,
        new_hash: &KeyHash,
        new: &SessionRecord,
    ) -> Result<bool> {
        let mut map = self.map.write();
        if map.contains_key(new_hash.as_bytes()) {
            return Err(Error::new(ErrorCode::Storage, "duplicate session"));
        }
        match map.get_mut(old.as_bytes()) {
            Some(r) if r.revoked_at.is_none() => r.revoked_at = Some(at),
            _ => return Ok(false),
        }
        map.insert(*new_hash.as_bytes(), new.clone());
        Ok(true)
    }

    fn purge(&self, now: i64, idle_secs: i64) -> Result<u64> {
        let mut map = self.map.write();
        let before = map.len();
        map.retain(|_, r| {
            r.revoked_at.is_none()
                && now < r.expires_at
                && now < r.last_seen_at.saturating_add(idle_secs)
        });
        Ok((before - map.len()) as u64)
    }
}
