//! Forwards tokenward's audit events to Python's `logging.getLogger("tokenward")`.
//!
//! One [`tokenward::audit::AuditSink`] is subscribed when the module is imported. Events can be
//! emitted from any thread (including background refresh threads with no Python state), so
//! the sink attaches to the interpreter with `Python::try_attach`, which also makes it a no-op
//! while the interpreter shuts down. Success is logged at INFO, failure at WARNING, with the
//! event's fields in `record.tokenward_audit`. Events never carry token material.

use std::sync::{Arc, Once};

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;
use tokenward::audit::{AuditEvent, AuditSink, Outcome};

static LOGGER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

struct LoggingSink;

impl AuditSink for LoggingSink {
    /// Asks the logger (its level can change at any time), so a verify under the default
    /// WARNING level builds no success event.
    fn wants(&self, outcome: Outcome) -> bool {
        Python::try_attach(|py| enabled(py, level(outcome)).unwrap_or(true)).unwrap_or(false)
    }

    fn record(&self, event: &AuditEvent) {
        let _ = Python::try_attach(|py| {
            if let Err(err) = forward(py, event) {
                // A failing handler must not break the token operation that emitted the event.
                err.write_unraisable(py, None);
            }
        });
    }
}

/// `logging.getLogger("tokenward")`, looked up once.
fn logger(py: Python<'_>) -> PyResult<&Py<PyAny>> {
    LOGGER.get_or_try_init(py, || {
        Ok::<_, PyErr>(
            py.import("logging")?
                .call_method1("getLogger", ("tokenward",))?
                .unbind(),
        )
    })
}

/// Whether the logger would log at `level`. A `False` already in `Logger._cache` (logging's
/// own memo of `isEnabledFor`, cleared in place whenever a level changes) answers without
/// running Python code, which cost more than the rest of a verify's audit check; anything else
/// asks `isEnabledFor`. The dict is looked up once: logging clears it in place and never
/// replaces it (code that assigned a new `_cache` would not be seen here).
fn enabled(py: Python<'_>, level: i32) -> PyResult<bool> {
    static LEVEL_CACHE: PyOnceLock<Option<Py<PyDict>>> = PyOnceLock::new();
    let logger = logger(py)?.bind(py);
    let cache = LEVEL_CACHE.get_or_init(py, || {
        let cache = logger.getattr(intern!(py, "_cache")).ok()?;
        Some(cache.cast_into::<PyDict>().ok()?.unbind())
    });
    if let Some(cache) = cache {
        if let Some(known) = cache.bind(py).get_item(level)? {
            if !known.is_truthy()? {
                return Ok(false);
            }
        }
    }
    logger
        .call_method1(intern!(py, "isEnabledFor"), (level,))?
        .is_truthy()
}

/// The logging level of an outcome: INFO for success, WARNING for failure.
fn level(outcome: Outcome) -> i32 {
    match outcome {
        Outcome::Success => 20,
        Outcome::Failure => 30,
    }
}

fn forward(py: Python<'_>, event: &AuditEvent) -> PyResult<()> {
    let logger = logger(py)?.bind(py);
    let level = level(event.outcome);
    if !enabled(py, level)? {
        return Ok(());
    }
    let fields = PyDict::new(py);
    fields.set_item("action", event.action)?;
    fields.set_item("outcome", event.outcome.as_str())?;
    let code = event.code.map(tokenward::ErrorCode::as_str);
    fields.set_item("code", code)?;
    fields.set_item("credential_id", event.credential_id.as_deref())?;
    fields.set_item("subject", event.subject.as_deref())?;
    fields.set_item("timestamp", event.timestamp_rfc3339())?;
    fields.set_item("event_id", event.event_id.to_string())?;
    fields.set_item("severity", event.severity.as_str())?;
    fields.set_item("credential_kind", event.credential_kind)?;
    fields.set_item("client_ip", event.client_ip.map(|ip| ip.to_string()))?;
    fields.set_item("request_id", event.request_id.as_deref())?;
    fields.set_item("method", event.method.as_deref())?;
    fields.set_item("path", event.path.as_deref())?;
    fields.set_item("count", event.count)?;
    let extra = PyDict::new(py);
    extra.set_item("tokenward_audit", fields)?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("extra", extra)?;
    logger.call_method(
        "log",
        (
            level,
            "audit %s %s code=%s credential_id=%s subject=%s",
            event.action,
            event.outcome.as_str(),
            code.unwrap_or("-"),
            event.credential_id.as_deref().unwrap_or("-"),
            event.subject.as_deref().unwrap_or("-"),
        ),
        Some(&kwargs),
    )?;
    Ok(())
}

/// Subscribes the logging sink once per process, for the life of the process.
pub(crate) fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| tokenward::audit::subscribe(Arc::new(LoggingSink)).keep());
}
