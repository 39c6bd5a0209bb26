//! The bounded, in-memory `jti` replay cache of [`DpopVerifier`](super::DpopVerifier).

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
