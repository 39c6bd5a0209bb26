//! The `jti` replay cache of [`DpopVerifier`](super::DpopVerifier): bounded and in memory by
//! default, or in Redis (`replay_redis.rs`, feature `redis`) to be shared by several instances.

use std::collections::{HashMap, VecDeque};

use parking_lot::Mutex;
use sha2::{Digest, Sha256};

/// `jti` values seen, each until the proof that carried it can no longer be accepted.
///
/// At capacity, entries whose window has closed go first, then the oldest: a cache too small
/// for the traffic weakens replay detection for the oldest proofs still in their window, so
/// size it for (requests per second) × (max age + leeway).
#[derive(Debug)]
pub(crate) struct ReplayCache {
    capacity: usize,
    inner: Mutex<Inner>,
}

/// Where a verifier keeps its `jti`s.
#[derive(Debug)]
pub(crate) enum ReplayStore {
    /// This process's bounded cache.
    Memory(ReplayCache),
    /// A Redis shared by every instance using it.
    #[cfg(feature = "redis")]
    Redis(super::replay_redis::RedisReplayCache),
}

impl ReplayStore {
    /// The store a `replay_cache_store` spec names: unset, `""`, `"memory"` or `"memory://"`
    /// for the in-process cache of `capacity` entries, `redis://…` / `rediss://…` (feature
    /// `redis`) for Redis with `timeout` per operation; anything else is `invalid_input`.
    pub(crate) fn open(
        spec: Option<&str>,
        capacity: usize,
        timeout: std::time::Duration,
    ) -> Result<ReplayStore, crate::Error> {
        match spec.map(str::trim) {
            None | Some("" | "memory" | "memory://") => {
                Ok(ReplayStore::Memory(ReplayCache::new(capacity)))
            }
            #[cfg(feature = "redis")]
            Some(url) if crate::backend::redis::is_redis_url(url) => Ok(ReplayStore::Redis(
                super::replay_redis::RedisReplayCache::open(url, timeout)?,
            )),
            Some(_) => {
                let _ = timeout;
                Err(crate::Error::new(
                    crate::ErrorCode::InvalidInput,
                    if cfg!(feature = "redis") {
                        "unsupported replay cache store: use \"memory\" or redis://…"
                    } else {
                        "unsupported replay cache store: use \"memory\" (built without redis)"
                    },
                ))
            }
        }
    }

    /// Records `jti` until `until` (Unix seconds); `Ok(false)` for a replay. Redis failures
    /// are their codes (`network`, `timeout`, `invalid_response`, `server_error`).
    pub(crate) fn insert(&self, jti: &str, now: i64, until: i64) -> Result<bool, crate::Error> {
        match self {
            ReplayStore::Memory(cache) => Ok(cache.insert(jti, now, until)),
            #[cfg(feature = "redis")]
            ReplayStore::Redis(cache) => cache.insert(jti, now, until),
        }
    }

    /// The entries held in process (0 for Redis, which expires them itself).
    pub(crate) fn len(&self) -> usize {
        match self {
            ReplayStore::Memory(cache) => cache.len(),
            #[cfg(feature = "redis")]
            ReplayStore::Redis(_) => 0,
        }
    }
}

#[derive(Debug, Default)]
struct Inner {
    /// SHA-256 of the `jti` (fixed size, whatever the proof sent) → until when it is kept.
    seen: HashMap<[u8; 32], i64>,
    /// Insertion order, for eviction.
    order: VecDeque<([u8; 32], i64)>,
}

impl ReplayCache {
    pub(crate) fn new(capacity: usize) -> Self {
        ReplayCache {
            capacity,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// Records `jti` until `until` (Unix seconds); `false` when it is already there (a replay).
    pub(crate) fn insert(&self, jti: &str, now: i64, until: i64) -> bool {
        let id: [u8; 32] = Sha256::digest(jti.as_bytes()).into();
        let mut inner = self.inner.lock();
        if let Some(&kept) = inner.seen.get(&id) {
            if kept >= now {
                return false;
            }
        }
        // Drop closed windows from the front, then the oldest while full.
        while let Some(&(old, kept)) = inner.order.front() {
            if kept < now || inner.order.len() >= self.capacity {
                inner.order.pop_front();
                if inner.seen.get(&old) == Some(&kept) {
                    inner.seen.remove(&old);
                }
            } else {
                break;
            }
        }
        inner.seen.insert(id, until);
        inner.order.push_back((id, until));
        true
    }

    pub(crate) fn len(&self) -> usize {
        self.inner.lock().seen.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replays_are_caught_until_their_window_closes() {
        let cache = ReplayCache::new(10);
        assert!(cache.insert("a", 100, 160));
        assert!(!cache.insert("a", 150, 210));
        assert!(!cache.insert("a", 160, 220));
        // After the window, the jti may come back (its proof is refused by `iat` anyway).
        assert!(cache.insert("a", 161, 221));
    }

    #[test]
    fn the_cache_stays_bounded() {
        let cache = ReplayCache::new(3);
        for i in 0..10 {
            assert!(cache.insert(&i.to_string(), 100, 160));
        }
        assert_eq!(cache.len(), 3);
        // The newest three are still caught.
        for i in 7..10 {
            assert!(!cache.insert(&i.to_string(), 100, 160));
        }
    }
}
