//! The verified-token cache of a [`JwtVerifier`](super::JwtVerifier)
//! ([`JwtVerifierOptions::with_cache_size`](super::JwtVerifierOptions::with_cache_size)).
//!
//! * Keyed by a keyed hash of the whole token, never the token itself: the 128-bit tag of
//!   AES-256-GCM-SIV (RFC 8452) with the token as associated data, under a random key made with
//!   the cache that never leaves it. GCM-SIV is deterministic by design (one input, one tag,
//!   at any number of uses of its nonce), and its tag is the block cipher's output, so tags
//!   tell nothing of the key; a token finds another's entry only by guessing a 128-bit tag.
//!   It costs two thirds of a SHA-256 over the token (230 vs 360 ns for a 587-byte RS256
//!   token here), and a hit spends it in place of the signature check.
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

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM_SIV};
use parking_lot::RwLock;
use secrecy::zeroize::Zeroizing;

use crate::{Error, ErrorCode};

/// The keyed hash of a whole token (see the module docs).
pub(super) type TokenHash = [u8; 16];

/// The keyed hash that names tokens in one cache.
struct TokenHasher(LessSafeKey);

impl TokenHasher {
    /// A hasher under a new random key.
    fn new() -> Result<TokenHasher, Error> {
        let failed = || Error::new(ErrorCode::Internal, "the token cache could not be keyed");
        // Wiped once aws-lc holds its own copy (the key schedule).
        let mut key = Zeroizing::new([0u8; 32]);
        aws_lc_rs::rand::fill(key.as_mut()).map_err(|_| failed())?;
        let key = UnboundKey::new(&AES_256_GCM_SIV, key.as_ref()).map_err(|_| failed())?;
        Ok(TokenHasher(LessSafeKey::new(key)))
    }

    /// The tag of `token`: GCM-SIV over no plaintext, the token as associated data, one fixed
    /// nonce (a nonce-misuse-resistant mode: a repeated nonce only makes equal inputs give
    /// equal tags, which is what a cache key is). `None` only for input beyond the mode's
    /// limit (64 GiB), far above any token size limit: such a token is verified uncached.
    fn hash(&self, token: &str) -> Option<TokenHash> {
        let nonce = Nonce::assume_unique_for_key([0; 12]);
        let tag = self
            .0
            .seal_in_place_separate_tag(nonce, Aad::from(token.as_bytes()), &mut [])
            .ok()?;
        tag.as_ref().try_into().ok()
    }
}

/// At most this many shards (locks); a smaller bound uses fewer.
const MAX_SHARDS: usize = 16;

/// A bounded map from token hash to the key-set generation the token verified under.
pub(super) struct VerifiedCache {
    hasher: TokenHasher,
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
    /// A cache of at most `max_entries` tokens (at least 1), under a new hash key.
    pub(super) fn new(max_entries: usize) -> Result<VerifiedCache, Error> {
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
        Ok(VerifiedCache {
            hasher: TokenHasher::new()?,
            shards,
            generation: AtomicU64::new(0),
        })
    }

    /// The keyed hash of `token` that names its entry in this cache.
    pub(super) fn token_hash(&self, token: &str) -> Option<TokenHash> {
        self.hasher.hash(token)
    }

    fn shard(&self, hash: &TokenHash) -> &RwLock<Shard> {
        // The hash is uniform: its last byte picks the shard.
        &self.shards[usize::from(hash[15]) % self.shards.len()]
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

/// Hashes a [`TokenHash`] map key by its first eight bytes: they are already uniform (a block
/// cipher's output), so hashing them again would only cost time.
#[derive(Default)]
struct PrefixHasher(u64);

impl Hasher for PrefixHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // `[u8; 16]` hashes as its length, then its bytes: both land here, XORed.
        let mut prefix = [0u8; 8];
        let n = bytes.len().min(8);
        prefix[..n].copy_from_slice(&bytes[..n]);
        self.0 ^= u64::from_le_bytes(prefix);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use super::*;

    /// One hasher for the tests that compare entries across caches.
    static HASHER: LazyLock<TokenHasher> = LazyLock::new(|| TokenHasher::new().unwrap());

    fn hash(i: u32) -> TokenHash {
        HASHER.hash(&format!("token-{i}")).unwrap()
    }

    #[test]
    fn a_token_has_one_hash_per_cache_and_the_key_is_the_caches_own() {
        let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl";
        let (a, b) = (
            VerifiedCache::new(8).unwrap(),
            VerifiedCache::new(8).unwrap(),
        );
        assert_eq!(a.token_hash(token), a.token_hash(token));
        // Another cache has another random key: its hash of the same token differs, so hashes
        // can be neither precomputed nor carried from one process to another.
        assert_ne!(a.token_hash(token), b.token_hash(token));
        assert!(a.token_hash("").is_some());
    }

    #[test]
    fn a_change_anywhere_in_the_token_changes_its_hash() {
        let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl".as_bytes();
        let original = HASHER.hash(std::str::from_utf8(token).unwrap()).unwrap();
        let mut seen = std::collections::HashSet::from([original]);
        for at in 0..token.len() {
            let mut changed = token.to_vec();
            changed[at] ^= 1;
            let changed = String::from_utf8(changed).unwrap();
            assert!(seen.insert(HASHER.hash(&changed).unwrap()), "byte {at}");
        }
        // A prefix or an extension is another token too.
        let text = std::str::from_utf8(token).unwrap();
        assert!(seen.insert(HASHER.hash(&text[..text.len() - 1]).unwrap()));
        assert!(seen.insert(HASHER.hash(&format!("{text}A")).unwrap()));
    }

    #[test]
    fn never_holds_more_than_the_bound() {
        for bound in [1, 3, 16, 17, 100] {
            let cache = VerifiedCache::new(bound).unwrap();
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
        let cache = VerifiedCache::new(64).unwrap();
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
        let cache = VerifiedCache::new(1).unwrap();
        cache.contains(&hash(0), 0);
        cache.insert(hash(1), 0);
        cache.insert(hash(2), 0);
        assert!(!cache.contains(&hash(1), 0));
        assert!(cache.contains(&hash(2), 0));
        cache.remove(&hash(2));
        assert!(!cache.contains(&hash(2), 0));
    }
}
