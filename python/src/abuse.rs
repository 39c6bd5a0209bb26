//! `tokenward.Threshold`, `Lockout`, `AbuseDetection` (abuse detection of the gateway) and
//! `AuditLog` (audit events as ECS JSON lines). Conversions only: the logic is in
//! `tokenward::gateway::abuse` and `tokenward::audit`.

use std::sync::{Arc, Mutex, PoisonError};

use pyo3::prelude::*;
use tokenward::audit::{self, Subscription};
use tokenward::gateway::abuse as core;

use crate::apikeys::duration_arg;
use crate::error::IntoPyResult;

/// ``count`` occurrences within ``window`` (a ``timedelta`` or seconds); a count of 0 or an
/// empty window raises ``InvalidInputError``.
#[pyclass(module = "tokenward", name = "Threshold", frozen, from_py_object)]
#[derive(Clone, Copy)]
pub struct Threshold(pub(crate) core::Threshold);

#[pymethods]
impl Threshold {
    #[new]
    fn new(count: u32, window: &Bound<'_, PyAny>) -> PyResult<Self> {
        let window = duration_arg(window, "window")?;
        Ok(Threshold(core::Threshold::new(count, window).py()?))
    }

    /// The number of occurrences.
    #[getter]
    fn count(&self) -> u32 {
        self.0.count()
    }

    /// The window they are counted in.
    #[getter]
    fn window(&self) -> std::time::Duration {
        self.0.window()
    }

    fn __repr__(&self) -> String {
        format!(
            "Threshold(count={}, window={}s)",
            self.0.count(),
            self.0.window().as_secs_f64()
        )
    }
}

/// Lock an address or a credential out for ``duration`` after ``failures`` refused
/// credentials; an empty duration raises ``InvalidInputError``.
#[pyclass(module = "tokenward", name = "Lockout", frozen, from_py_object)]
#[derive(Clone, Copy)]
pub struct Lockout(pub(crate) core::Lockout);

#[pymethods]
impl Lockout {
    #[new]
    fn new(failures: Threshold, duration: &Bound<'_, PyAny>) -> PyResult<Self> {
        let duration = duration_arg(duration, "duration")?;
        Ok(Lockout(core::Lockout::new(failures.0, duration).py()?))
    }

    /// The failures that trigger the lockout.
    #[getter]
    fn failures(&self) -> Threshold {
        Threshold(self.0.failures())
    }

    /// How long the lockout lasts.
    #[getter]
    fn duration(&self) -> std::time::Duration {
        self.0.duration()
    }
}

/// Abuse detection for ``Authenticator(abuse_detection=…)``: every signal on at its default
/// unless given; ``None`` turns a signal (or the lockout) off. ``store``: ``"memory"`` or
/// ``"redis://…"``; ``store_fail_open=False`` refuses with 503 when Redis cannot answer.
#[pyclass(module = "tokenward", name = "AbuseDetection", frozen, from_py_object)]
#[derive(Clone)]
pub struct AbuseDetection(pub(crate) core::AbuseDetection);

#[pymethods]
impl AbuseDetection {
    #[new]
    #[pyo3(signature = (*, lockout=Some(Lockout(core::DEFAULT_LOCKOUT)),
        enumeration=Some(Threshold(core::DEFAULT_ENUMERATION)),
        distributed_failures=Some(Threshold(core::DEFAULT_DISTRIBUTED_FAILURES)),
        key_spread=Some(Threshold(core::DEFAULT_KEY_SPREAD)),
        scope_escalation=Some(Threshold(core::DEFAULT_SCOPE_ESCALATION)),
        store="memory".to_owned(), store_fail_open=true))]
    fn new(
        lockout: Option<Lockout>,
        enumeration: Option<Threshold>,
        distributed_failures: Option<Threshold>,
        key_spread: Option<Threshold>,
        scope_escalation: Option<Threshold>,
        store: String,
        store_fail_open: bool,
    ) -> Self {
        AbuseDetection(
            core::AbuseDetection::new()
                .with_lockout(lockout.map(|l| l.0))
                .with_enumeration(enumeration.map(|t| t.0))
                .with_distributed_failures(distributed_failures.map(|t| t.0))
                .with_key_spread(key_spread.map(|t| t.0))
                .with_scope_escalation(scope_escalation.map(|t| t.0))
                .with_store(store)
                .with_store_fail_open(store_fail_open),
        )
    }

    fn __repr__(&self) -> String {
        format!("{:?}", self.0)
    }
}

/// Writes every audit event as one line of ECS JSON to ``stdout``, ``stderr`` or
/// ``file:///absolute/path`` (created with mode 0600) until ``cancel()``.
#[pyclass(module = "tokenward", name = "AuditLog", frozen)]
pub struct AuditLog {
    log: Arc<audit::AuditLog>,
    sub: Mutex<Option<Subscription>>,
}

#[pymethods]
impl AuditLog {
    /// Opens ``target`` and registers it for every audit event.
    #[staticmethod]
    fn open(target: &str) -> PyResult<Self> {
        let log = Arc::new(audit::AuditLog::open(target).py()?);
        let sub = audit::subscribe(log.clone());
        Ok(AuditLog {
            log,
            sub: Mutex::new(Some(sub)),
        })
    }

    /// Stops writing events (cancelling twice does nothing).
    fn cancel(&self) {
        let sub = self
            .sub
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        drop(sub);
    }

    /// Lines written so far.
    fn written(&self) -> u64 {
        self.log.written()
    }

    /// Events that could not be written.
    fn failed(&self) -> u64 {
        self.log.failed()
    }

    fn __repr__(&self) -> String {
        format!("{:?}", self.log)
    }
}

impl Drop for AuditLog {
    fn drop(&mut self) {
        // Like the other bindings: the log stays registered until cancel(), even unreferenced.
        let sub = self
            .sub
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(sub) = sub {
            sub.keep();
        }
    }
}
