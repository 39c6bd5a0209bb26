//! The synchronous side of a remote key set: verification with the cached keys only, for callers
//! that must not wait on the network (the gateway's synchronous `authenticate`).
//!
//! * Fresh keys (within their cache lifetime) verify at once.
//! * Past the cache lifetime, the last good keys keep serving within `max_stale` while one
//!   refresh runs in the background on the library's runtime (single-flight, the same backoff).
//! * An unknown `kid`, no keys cached yet, or keys older than `max_stale` answer `None`: the
//!   caller goes to [`RemoteJwtVerifier::verify`], which fetches (an unknown `kid` only when the
//!   cooldown allows a refetch; otherwise the answer is `key_not_found` at once, as there).

use std::sync::atomic::Ordering;

use super::{RemoteJwtVerifier, RemoteKeySet};
use crate::jwt::claims::Claims;
use crate::jwt::keyset::KeySet;
use crate::{Error, ErrorCode};

impl RemoteKeySet {
    /// The cached keys usable now without I/O; `None` when nothing usable is cached.
    fn cached_keys(&self) -> Option<KeySet> {
        let now = self.inner.options.clock.now();
        let cache = self.inner.cache.read();
        let keys = cache.keys.as_ref()?;
        if cache.fresh_until.is_some_and(|until| now < until) {
            return Some(keys.clone());
        }
        let within_stale = cache.fetched_at.is_some_and(|t| {
            now.duration_since(t).unwrap_or_default() <= self.inner.options.max_stale
        });
        if !within_stale {
            return None;
        }
        let keys = keys.clone();
        drop(cache);
        self.refresh_in_background();
        Some(keys)
    }

    /// Starts one refresh on the library's runtime unless one is under way.
    fn refresh_in_background(&self) {
        if self.inner.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let set = self.clone();
        match crate::runtime::handle() {
            Ok(handle) => {
                handle.spawn(async move {
                    let _ = set.keys().await;
                    set.inner.refreshing.store(false, Ordering::Release);
                });
            }
            Err(_) => self.inner.refreshing.store(false, Ordering::Release),
        }
    }
}

impl RemoteJwtVerifier {
    /// Verifies `token` with the cached keys only, without network I/O. `None` when keys must
    /// be fetched first (none cached yet, older than `max_stale`, or the token's `kid` is
    /// unknown and the cooldown allows a refetch): call [`RemoteJwtVerifier::verify`] then.
    pub fn verify_cached(&self, token: &str) -> Option<Result<Claims, Error>> {
        let keys = self.keys.cached_keys()?;
        match self.verifier.verify_with(token, &keys) {
            Err(e) if e.code() == ErrorCode::KeyNotFound && self.keys.cooldown_elapsed() => None,
            other => Some(other),
        }
    }
}
