//! The verified-token cache of a [`JwtVerifier`](super::JwtVerifier)
//! ([`JwtVerifierOptions::with_cache_size`](super::JwtVerifierOptions::with_cache_size)).
//!
//! * Keyed by the SHA-256 of the whole token; the token itself is never stored.
//! * Holds only tokens that passed every check (signature and claims); a failure is never
//!   cached.
//! * Remembers that a token's header and signature verified under one key set, nothing more: a
//!   hit skips the header and signature checks, and the claims (`exp`, `nbf`, `iat`, `max_age`,
//!   issuer, audience, …) are checked again on every call, on the verifier's clock with its
//!   leeway, exactly as without the cache. So a cached token is refused once it expires.
//! * Each entry names the key set ([`KeySet::generation`](crate::jwt::KeySet)) it verified
//!   under; a verification with another key set (a replaced set, a remote JWKS refetch) drops
//!   every entry.
//! * Bounded by entry count: shards of fixed capacity that together hold at most the bound,
//!   each evicting its oldest entry first.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::RwLock;

/// The SHA-256 of a whole token.
pub(super) type TokenHash = [u8; 32];

/// The hash of `token` that keys its entry.
pub(super) fn token_hash(token: &str) -> TokenHash {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
    let mut hash = [0u8; 32];
    hash.copy_from_slice(digest.as_ref());
    hash
}

/// At most this many shards (locks); a smaller bound uses fewer.
const MAX_SHARDS: usize = 16;

/// A bounded map from token hash to the key-set generation the token verified under.
pub(super) struct VerifiedCache {
    shards: Box<[RwLock<Shard>]>,
    /// The key-set generation the entries belong to.
    generation: AtomicU64,
}

impl std::fmt::Debug for VerifiedCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedCache")
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

struct Shard {
    capacity: usize,
    entries: HashMap<TokenHash, u64, BuildHasherDefault<PrefixHasher>>,
    /// Insertion order, for evicting the oldest; may name entries removed since (skipped).
    order: VecDeque<TokenHash>,
}

impl VerifiedCache {
    /// A cache of at most `max_entries` tokens (at least 1).
    pub(super) fn new(max_entries: usize) -> VerifiedCache {
        let max_entries = max_entries.max(1);
        let count = max_entries.min(MAX_SHARDS);
        let (base, extra) = (max_entries / count, max_entries % count);
        let shards = (0..count)
            .map(|i| {
                RwLock::new(Shard {
                    capacity: base + usize::from(i < extra),
                    entries: HashMap::default(),
                    order: VecDeque::new(),
                })
            })
            .collect();
        VerifiedCache {
            shards,
            generation: AtomicU64::new(0),
        }
    }

    fn shard(&self, hash: &TokenHash) -> &RwLock<Shard> {
        // The hash is uniform: its last byte picks the shard.
        &self.shards[usize::from(hash[31]) % self.shards.len()]
    }

    /// Whether `hash` verified under key-set `generation`. A different generation than the
    /// entries' drops them all first.
    pub(super) fn contains(&self, hash: &TokenHash, generation: u64) -> bool {
        if self.generation.load(Ordering::Acquire) != generation {
            self.drop_all(generation);
            return false;
        }
        self.shard(hash).read().entries.get(hash) == Some(&generation)
    }

    /// Records that `hash` verified (signature and claims) under key-set `generation`.
    pub(super) fn insert(&self, hash: TokenHash, generation: u64) {
        if self.generation.load(Ordering::Acquire) != generation {
            // Verified with keys that are no longer (or not yet) the current set: not kept.
            return;
        }
        let mut shard = self.shard(&hash).write();
        if let Some(entry) = shard.entries.get_mut(&hash) {
            *entry = generation;
            return;
        }
        while shard.entries.len() >= shard.capacity {
            match shard.order.pop_front() {
                Some(oldest) => {
                    shard.entries.remove(&oldest);
                }
                None => break,
            }
        }
        if shard.entries.len() < shard.capacity {
            shard.entries.insert(hash, generation);
            shard.order.push_back(hash);
        }
        // Removed entries leave their hash in `order`; compact before it outgrows the bound.
        if shard.order.len() > 2 * shard.capacity {
            let Shard { entries, order, .. } = &mut *shard;
            order.retain(|h| entries.contains_key(h));
        }
    }

    /// Forgets `hash` (its claims no longer pass, e.g. it expired).
    pub(super) fn remove(&self, hash: &TokenHash) {
        self.shard(hash).write().entries.remove(hash);
    }

    /// Drops every entry and makes `generation` the current key set.
    fn drop_all(&self, generation: u64) {
        for shard in self.shards.iter() {
            let mut shard = shard.write();
            shard.entries.clear();
            shard.order.clear();
        }
        self.generation.store(generation, Ordering::Release);
    }

    /// Number of cached tokens.
    pub(super) fn len(&self) -> usize {
        self.shards.iter().map(|s| s.read().entries.len()).sum()
    }
}

/// Hashes a [`TokenHash`] map key by its first eight bytes: they are already uniform (SHA-256),
/// so hashing them again would only cost time.
#[derive(Default)]
struct PrefixHasher(u64);

impl Hasher for PrefixHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // `[u8; 32]` hashes as its length, then its bytes: both land here, XORed.
        let mut prefix = [0u8; 8];
        let n = bytes.len().min(8);
        prefix[..n].copy_from_slice(&bytes[..n]);
        self.0 ^= u64::from_le_bytes(prefix);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(i: u32) -> TokenHash {
        token_hash(&format!("token-{i}"))
    }

    #[test]
    fn never_holds_more_than_the_bound() {
        for bound in [1, 3, 16, 17, 100] {
            let cache = VerifiedCache::new(bound);
            cache.contains(&hash(0), 7);
            for i in 0..1000 {
                cache.insert(hash(i), 7);
                assert!(cache.len() <= bound, "bound {bound}");
            }
            assert_eq!(cache.len(), bound);
            for shard in cache.shards.iter() {
                assert!(shard.read().order.len() <= 2 * shard.read().capacity + 1);
            }
        }
    }

    #[test]
    fn another_generation_drops_every_entry() {
        let cache = VerifiedCache::new(64);
        assert!(!cache.contains(&hash(1), 1));
        cache.insert(hash(1), 1);
        cache.insert(hash(2), 1);
        assert!(cache.contains(&hash(1), 1));
        assert!(!cache.contains(&hash(1), 2));
        assert_eq!(cache.len(), 0);
        // An insert for a generation that is no longer current is not kept.
        cache.insert(hash(3), 1);
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn the_oldest_goes_first_and_removed_entries_stay_gone() {
        let cache = VerifiedCache::new(1);
        cache.contains(&hash(0), 0);
        cache.insert(hash(1), 0);
        cache.insert(hash(2), 0);
        assert!(!cache.contains(&hash(1), 0));
        assert!(cache.contains(&hash(2), 0));
        cache.remove(&hash(2));
        assert!(!cache.contains(&hash(2), 0));
    }
}
