//! `RevocationList` (core `gateway::revocation`).

use std::sync::Arc;

use pyo3::prelude::*;
use tokenward::gateway::{self, RevocationKind};

use crate::clock::{clock_arg, ManualClock};
use crate::error::{invalid_input, Builtin, IntoPyResult};

// --- RateLimit ------------------------------------------------------------------------------

/// The core's parse: its error lists the kinds.
fn revocation_kind(kind: &str) -> PyResult<RevocationKind> {
    kind.parse().py()
}

/// Unix seconds from an ``int``/``float`` or an aware ``datetime``.
fn until_arg(until: &Bound<'_, PyAny>) -> PyResult<i64> {
    if until.hasattr("timestamp")? {
        let ts: f64 = until.call_method0("timestamp")?.extract()?;
        return Ok(ts.ceil() as i64);
    }
    if let Ok(i) = until.extract::<i64>() {
        return Ok(i);
    }
    let f: f64 = until
        .extract()
        .map_err(|_| invalid_input(Builtin::Type, "until must be Unix seconds or a datetime"))?;
    Ok(f.ceil() as i64)
}

/// A bounded, expiring revocation list by JWT ``jti``, API key id or subject; share one
/// between authenticators. Every entry has an expiry (``until``, Unix seconds or a
/// ``datetime``), after which it is dropped. ``store`` selects where it lives: ``"memory"`` (the
/// default, this process) or ``"redis://…"`` (shared by every instance using that Redis; checks
/// fail closed unless ``fail_open``).
#[pyclass(module = "tokenward", name = "RevocationList", frozen)]
pub struct RevocationList {
    /// The in-process list (`None` for a shared store).
    pub(super) local: Option<Arc<gateway::RevocationList>>,
    pub(crate) store: Arc<dyn gateway::RevocationStore>,
}

#[pymethods]
impl RevocationList {
    #[new]
    #[pyo3(signature = (*, max_entries=gateway::DEFAULT_MAX_REVOCATIONS, clock=None, store=None, fail_open=false))]
    fn new(
        max_entries: usize,
        clock: Option<&Bound<'_, ManualClock>>,
        store: Option<&str>,
        fail_open: bool,
    ) -> PyResult<Self> {
        let mut options = gateway::RevocationListOptions::new().with_max_entries(max_entries);
        if let Some(clock) = clock_arg(clock) {
            options = options.with_clock(clock);
        }
        match store.map(str::trim) {
            None | Some("") | Some("memory") => {
                let local = Arc::new(gateway::RevocationList::new(options).py()?);
                Ok(RevocationList {
                    store: local.clone(),
                    local: Some(local),
                })
            }
            Some(url) => Ok(RevocationList {
                local: None,
                store: gateway::open_revocations(Some(url), fail_open).py()?,
            }),
        }
    }

    /// Revokes ``id`` of ``kind`` (``"jti"``, ``"key_id"`` or ``"subject"``) until ``until``.
    fn revoke(
        &self,
        py: Python<'_>,
        kind: &str,
        id: &str,
        until: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let (kind, until) = (revocation_kind(kind)?, until_arg(until)?);
        py.detach(|| self.store.revoke(kind, id, until)).py()
    }

    /// Lifts a revocation; returns whether one existed.
    fn unrevoke(&self, py: Python<'_>, kind: &str, id: &str) -> PyResult<bool> {
        let kind = revocation_kind(kind)?;
        py.detach(|| self.store.unrevoke(kind, id)).py()
    }

    /// Whether ``id`` of ``kind`` is revoked now.
    fn is_revoked(&self, py: Python<'_>, kind: &str, id: &str) -> PyResult<bool> {
        let kind = revocation_kind(kind)?;
        py.detach(|| self.store.is_revoked(kind, id)).py()
    }

    /// Drops expired entries; returns how many remain (a shared store expires its entries
    /// itself: 0).
    fn purge(&self) -> usize {
        self.local.as_ref().map_or(0, |l| l.purge())
    }

    fn __len__(&self) -> usize {
        self.local.as_ref().map_or(0, |l| l.len())
    }

    fn __repr__(&self) -> String {
        match &self.local {
            Some(l) => format!("RevocationList(entries={})", l.len()),
            None => "RevocationList(store='redis')".to_owned(),
        }
    }
}

// --- Principal / Refusal --------------------------------------------------------------------
