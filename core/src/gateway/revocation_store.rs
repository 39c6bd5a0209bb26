//! [`RevocationStore`]: where an [`Authenticator`](super::Authenticator) looks revocations up.
//! The in-process [`RevocationList`] is the embedded default; `RedisRevocationList` (feature
//! `redis`) shares revocations between instances. [`open_revocations`] picks one by URL, the
//! spelling every binding takes.

use std::fmt::Debug;
use std::sync::Arc;

use super::revocation::{RevocationKind, RevocationList};
use crate::{Error, ErrorCode, Result};

/// A set of revoked credentials (by `jti`, API key id or subject), each until an expiry.
pub trait RevocationStore: Send + Sync + Debug {
    /// Revokes `id` of `kind` until `until` (Unix seconds, in the future; an existing later
    /// expiry is kept).
    fn revoke(&self, kind: RevocationKind, id: &str, until: i64) -> Result<()>;

    /// Lifts a revocation; returns whether one existed.
    fn unrevoke(&self, kind: RevocationKind, id: &str) -> Result<bool>;

    /// Whether `id` of `kind` is revoked now.
    fn is_revoked(&self, kind: RevocationKind, id: &str) -> Result<bool> {
        self.is_any_revoked(&[(kind, id)])
    }

    /// Whether any of `entries` is revoked now (one lookup for a credential's id and subject:
    /// one round trip for a shared store).
    fn is_any_revoked(&self, entries: &[(RevocationKind, &str)]) -> Result<bool>;

    /// The Redis list behind this store, if it is one: an authenticator whose rate limits are
    /// on the same server checks both in one round trip.
    #[cfg(feature = "redis")]
    #[doc(hidden)]
    fn as_redis(&self) -> Option<&super::redis_revocation::RedisRevocationList> {
        None
    }
    /// Whether this store is on a backend that instances share over the network (Redis,
    /// PostgreSQL): its calls wait for round trips. `false` by default.
    fn is_shared(&self) -> bool {
        false
    }
}

impl RevocationStore for RevocationList {
    fn revoke(&self, kind: RevocationKind, id: &str, until: i64) -> Result<()> {
        RevocationList::revoke(self, kind, id, until)
    }

    fn unrevoke(&self, kind: RevocationKind, id: &str) -> Result<bool> {
        Ok(RevocationList::unrevoke(self, kind, id))
    }

    fn is_any_revoked(&self, entries: &[(RevocationKind, &str)]) -> Result<bool> {
        Ok(entries
            .iter()
            .any(|(kind, id)| RevocationList::is_revoked(self, *kind, id)))
    }
}

/// Opens a revocation store from the specification every binding takes: `None`, `""` or
/// `"memory"` for a new in-process [`RevocationList`]; `redis://…` or `rediss://…` for a
/// `RedisRevocationList` (feature `redis`; connects on first use), which fails closed unless
/// `fail_open` (see `RedisRevocationList::with_fail_open`). Anything else is `invalid_input`.
pub fn open_revocations(spec: Option<&str>, fail_open: bool) -> Result<Arc<dyn RevocationStore>> {
    match spec.map(str::trim) {
        None | Some("") | Some("memory") | Some("memory://") => {
            Ok(Arc::new(RevocationList::default()))
        }
        Some(url) => open_shared(url, fail_open),
    }
}

#[cfg(feature = "redis")]
fn open_shared(url: &str, fail_open: bool) -> Result<Arc<dyn RevocationStore>> {
    if crate::backend::redis::is_redis_url(url) {
        return Ok(Arc::new(
            super::redis_revocation::RedisRevocationList::open(url)?.with_fail_open(fail_open),
        ));
    }
    Err(unsupported())
}

#[cfg(not(feature = "redis"))]
fn open_shared(_url: &str, _fail_open: bool) -> Result<Arc<dyn RevocationStore>> {
    Err(unsupported())
}

fn unsupported() -> Error {
    Error::new(
        ErrorCode::InvalidInput,
        "unsupported revocation store: use \"memory\" or redis://… (feature `redis`)",
    )
}
