//! The proof headers a verifier checked lately. A client signs its proofs with one key for as
//! long as its tokens are bound to it, so every proof it sends carries the same header segment
//! (`typ`, `alg`, `jwk`); what checking it gives -- the algorithm, the key with its curve point
//! checked, the RFC 7638 thumbprint -- depends on those bytes only, so it is kept for the next
//! proof. Only headers that passed are kept (a refused one is checked again each time), and at
//! most [`HEADER_CACHE_SIZE`]: the oldest entry makes room.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use parking_lot::Mutex;

use super::proof_key::ProofKey;
use super::spec::invalid;
use crate::jwt::Algorithm;
use crate::Error;

/// How many proof headers a verifier keeps (about 1 KiB each).
pub(super) const HEADER_CACHE_SIZE: usize = 1024;

/// A checked proof header: its algorithm and key, with the key's thumbprint; it borrows
/// nothing of the proof.
pub(super) struct KnownHeader {
    pub(super) alg: Algorithm,
    pub(super) key: ProofKey<'static>,
    /// The RFC 7638 thumbprint (`jkt`).
    pub(super) jkt: String,
}

impl KnownHeader {
    pub(super) fn new(alg: Algorithm, key: ProofKey<'_>) -> Result<KnownHeader, Error> {
        let jkt = key
            .thumbprint()
            .map_err(|_| invalid("the proof's jwk has no thumbprint"))?;
        Ok(KnownHeader {
            alg,
            key: key.into_owned(),
            jkt,
        })
    }
}

#[derive(Default)]
struct Entries {
    by_text: HashMap<Box<str>, Arc<KnownHeader>>,
    /// Insertion order, oldest first.
    order: VecDeque<Box<str>>,
}

/// The cache (see the module documentation).
pub(super) struct HeaderCache {
    capacity: usize,
    entries: Mutex<Entries>,
}

impl std::fmt::Debug for HeaderCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeaderCache")
            .field("len", &self.len())
            .field("capacity", &self.capacity)
            .finish()
    }
}

impl HeaderCache {
    pub(super) fn new(capacity: usize) -> HeaderCache {
        HeaderCache {
            capacity: capacity.max(1),
            entries: Mutex::default(),
        }
    }

    /// The checked header of the segment `text`: the kept one, or `check` of it (kept when it
    /// passes).
    pub(super) fn get_or_read(
        &self,
        text: &str,
        check: impl FnOnce(&str) -> Result<KnownHeader, Error>,
    ) -> Result<Arc<KnownHeader>, Error> {
        if let Some(known) = self.entries.lock().by_text.get(text) {
            return Ok(Arc::clone(known));
        }
        // Checked outside the lock: other proofs go on meanwhile.
        let known = Arc::new(check(text)?);
        let mut entries = self.entries.lock();
        if !entries.by_text.contains_key(text) {
            if entries.order.len() >= self.capacity {
                if let Some(oldest) = entries.order.pop_front() {
                    entries.by_text.remove(&oldest);
                }
            }
            entries.order.push_back(text.into());
            entries.by_text.insert(text.into(), Arc::clone(&known));
        }
        Ok(known)
    }

    /// How many headers are kept now.
    pub(super) fn len(&self) -> usize {
        self.entries.lock().by_text.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dpop::DpopKey;
    use crate::jwt::Algorithm;
    use std::cell::Cell;

    fn jwk_text(key: &DpopKey) -> String {
        serde_json::to_string(&key.public_jwk()).unwrap_or_default()
    }

    /// The cache's key for `text`, counting the reads it makes.
    fn get(cache: &HeaderCache, text: &str, reads: &Cell<u32>) -> Option<Arc<KnownHeader>> {
        cache
            .get_or_read(text, |t| {
                reads.set(reads.get() + 1);
                KnownHeader::new(Algorithm::ES256, ProofKey::read(t, 3)?)
            })
            .ok()
    }

    #[test]
    fn a_key_is_read_once_and_the_cache_stays_bounded() {
        let cache = HeaderCache::new(2);
        let keys: Vec<DpopKey> = (0..3)
            .filter_map(|_| DpopKey::generate(Algorithm::ES256).ok())
            .collect();
        let texts: Vec<String> = keys.iter().map(jwk_text).collect();
        let reads = Cell::new(0);
        let first = get(&cache, &texts[0], &reads);
        let again = get(&cache, &texts[0], &reads);
        assert_eq!(
            reads.get(),
            1,
            "the second proof with the same jwk reuses the key"
        );
        assert_eq!(
            first.as_ref().map(|k| k.jkt.clone()),
            Some(keys[0].thumbprint().to_owned())
        );
        assert!(matches!((first, again), (Some(a), Some(b)) if Arc::ptr_eq(&a, &b)));
        for text in &texts {
            assert!(get(&cache, text, &reads).is_some());
        }
        assert_eq!(cache.len(), 2, "the oldest key made room");
        assert_eq!(reads.get(), 3);
        // The evicted first key is read again.
        assert!(get(&cache, &texts[0], &reads).is_some());
        assert_eq!(reads.get(), 4);
    }

    #[test]
    fn a_refused_jwk_is_not_kept() {
        let cache = HeaderCache::new(4);
        let bad = r#"{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}"#;
        for _ in 0..2 {
            assert!(cache
                .get_or_read(bad, |t| KnownHeader::new(
                    Algorithm::ES256,
                    ProofKey::read(t, 3)?
                ))
                .is_err());
        }
        assert_eq!(cache.len(), 0);
    }
}
