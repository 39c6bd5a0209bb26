//! `RevocationList` (core `gateway::revocation`).

use std::sync::Arc;

use crate::napi;
use crate::napi::bindgen_prelude::ClassInstance;
use napi_derive::napi;
use tokenward::gateway::{self as core, RevocationKind};

use super::clock::ManualClock;
use super::convert::invalid;
use crate::error::{Code, IntoJsResult};

/// Options of `new RevocationList(options)`; an unset field keeps the core default.
#[napi(object, object_to_js = false)]
pub struct RevocationListOptions<'a> {
    /// Most live entries held (default 1 000 000; at least 1); `revoke` throws
    /// `invalid_input` when full.
    pub max_entries: Option<u32>,
    /// The clock that decides which entries have expired (tests); the system clock when unset.
    pub clock: Option<ClassInstance<'a, ManualClock>>,
    /// Where the list lives: `"memory"` (the default, this process) or `"redis://…"` (shared by
    /// every instance using that Redis).
    pub store: Option<String>,
    /// With a shared store: accept a credential when Redis cannot answer (default `false`:
    /// the authenticator refuses with 503).
    pub fail_open: Option<bool>,
}

/// The core's parse: its error lists the kinds.
fn revocation_kind(kind: &str) -> napi::Result<RevocationKind, Code> {
    kind.parse().js()
}

/// An expiring, bounded revocation list by JWT `jti`, API key id or subject. Share one list
/// between authenticators; entries are dropped after their expiry. In Redis
/// (`{ store: "redis://…" }`) it is shared by every instance using that Redis.
#[napi]
pub struct RevocationList {
    /// The in-process list (`None` for a shared store).
    local: Option<Arc<core::RevocationList>>,
    pub(crate) store: Arc<dyn core::RevocationStore>,
}

#[napi]
impl RevocationList {
    /// `new RevocationList({ maxEntries, clock, store, failOpen })`; throws `invalid_input` for
    /// a `maxEntries` of 0 or an unsupported store.
    #[napi(constructor, catch_unwind)]
    pub fn new(options: Option<RevocationListOptions>) -> napi::Result<Self, Code> {
        let mut o = core::RevocationListOptions::new();
        let (mut store, mut fail_open) = (None, false);
        if let Some(options) = options {
            if let Some(max) = options.max_entries {
                o = o.with_max_entries(max as usize);
            }
            if let Some(clock) = options.clock {
                o = o.with_clock(clock.shared());
            }
            store = options.store;
            fail_open = options.fail_open.unwrap_or(false);
        }
        match store.as_deref().map(str::trim) {
            None | Some("") | Some("memory") => {
                let local = Arc::new(core::RevocationList::new(o).js()?);
                Ok(RevocationList {
                    store: local.clone(),
                    local: Some(local),
                })
            }
            Some(url) => Ok(RevocationList {
                local: None,
                store: core::open_revocations(Some(url), fail_open).js()?,
            }),
        }
    }

    /// Revokes `id` of `kind` until `until` (Unix seconds, in the future; for a `jti`, the
    /// token's `exp` is enough). Throws `invalid_input` for a past expiry or a full list.
    #[napi(
        ts_args_type = "kind: 'jti' | 'key_id' | 'subject', id: string, until: number",
        catch_unwind
    )]
    pub fn revoke(&self, kind: String, id: String, until: f64) -> napi::Result<(), Code> {
        if !until.is_finite() {
            return Err(invalid("until is a number of Unix seconds"));
        }
        let kind = revocation_kind(&kind)?;
        self.store.revoke(kind, &id, until.ceil() as i64).js()
    }

    /// Lifts a revocation; returns whether one existed.
    #[napi(
        ts_args_type = "kind: 'jti' | 'key_id' | 'subject', id: string",
        catch_unwind
    )]
    pub fn unrevoke(&self, kind: String, id: String) -> napi::Result<bool, Code> {
        self.store.unrevoke(revocation_kind(&kind)?, &id).js()
    }

    /// Whether `id` of `kind` is revoked now.
    #[napi(
        ts_args_type = "kind: 'jti' | 'key_id' | 'subject', id: string",
        catch_unwind
    )]
    pub fn is_revoked(&self, kind: String, id: String) -> napi::Result<bool, Code> {
        self.store.is_revoked(revocation_kind(&kind)?, &id).js()
    }

    /// Drops expired entries; returns how many remain (a shared store expires its entries
    /// itself: 0).
    #[napi(catch_unwind)]
    pub fn purge(&self) -> u32 {
        let n = self.local.as_ref().map_or(0, |l| l.purge());
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// Entries held (live or not yet purged; 0 for a shared store).
    #[napi(getter, catch_unwind)]
    pub fn size(&self) -> u32 {
        let n = self.local.as_ref().map_or(0, |l| l.len());
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}
