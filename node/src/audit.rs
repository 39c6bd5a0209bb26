//! Audit events for JS: `onAudit(callback)` registers a listener, `close()` removes it.
//!
//! Each listener is one core subscription (`tokenward::audit::subscribe`) whose sink hands the
//! event to a napi `ThreadsafeFunction`, so events emitted on any thread reach JS on the main
//! thread (asynchronously, in order). The functions are *weak* (unref'd): a registered listener
//! never keeps Node alive.

use std::sync::{Arc, Mutex, PoisonError};

use crate::napi;
use crate::napi::bindgen_prelude::Function;
use crate::napi::threadsafe_function::ThreadsafeFunctionCallMode;
use napi_derive::napi;
use tokenward::audit::{AuditSink, Subscription};

use crate::error::Code;
use crate::unwind::{listener, Listener};

/// An audit event: safe identifiers only, never token material.
#[napi(object)]
#[derive(Clone)]
pub struct AuditEvent {
    /// The action, e.g. `jwt.verify`, `apikey.create`, `gateway.authenticate`.
    pub action: String,
    /// `success` or `failure`.
    #[napi(ts_type = "'success' | 'failure'")]
    pub outcome: String,
    /// The error code on failure (a tokenward code, as on errors' `.code`).
    pub code: Option<String>,
    /// A public identifier of the credential (key id, `kid`/`jti`, or a fingerprint).
    pub credential_id: Option<String>,
    /// The subject when known.
    pub subject: Option<String>,
    /// When it happened, RFC 3339 in UTC with milliseconds.
    pub timestamp: String,
    /// A unique id (UUID-shaped).
    pub event_id: String,
    /// `info`, `low`, `medium`, `high` or `critical`.
    #[napi(ts_type = "'info' | 'low' | 'medium' | 'high' | 'critical'")]
    pub severity: String,
    /// `api_key`, `jwt`, `introspected` or `session`, when known.
    pub credential_kind: Option<String>,
    /// The client address of a gateway decision.
    pub client_ip: Option<String>,
    /// The request id (from the header set with `requestIdHeader`).
    pub request_id: Option<String>,
    /// The HTTP method of a gateway decision.
    pub method: Option<String>,
    /// The path of a gateway decision, without its query string.
    pub path: Option<String>,
    /// A count (failures before a lockout, distinct addresses or credentials of a signal).
    pub count: Option<f64>,
}

impl From<&tokenward::audit::AuditEvent> for AuditEvent {
    fn from(e: &tokenward::audit::AuditEvent) -> Self {
        AuditEvent {
            action: e.action.to_owned(),
            outcome: e.outcome.as_str().to_owned(),
            code: e.code.map(|c| c.as_str().to_owned()),
            credential_id: e.credential_id.clone(),
            subject: e.subject.clone(),
            timestamp: e.timestamp_rfc3339(),
            event_id: e.event_id.to_string(),
            severity: e.severity.as_str().to_owned(),
            credential_kind: e.credential_kind.map(str::to_owned),
            client_ip: e.client_ip.map(|ip| ip.to_string()),
            request_id: e.request_id.clone(),
            method: e.method.clone(),
            path: e.path.clone(),
            count: e.count.map(|n| n as f64),
        }
    }
}

struct JsSink(Listener<AuditEvent>);

impl AuditSink for JsSink {
    fn record(&self, event: &tokenward::audit::AuditEvent) {
        self.0
            .call(event.into(), ThreadsafeFunctionCallMode::NonBlocking);
    }
}

/// A registered audit listener; `cancel()` (the core's and Kotlin/Swift's name) unregisters it.
/// Until then it stays registered, even when this object is garbage-collected.
#[napi]
pub struct AuditSubscription(Mutex<Option<Subscription>>);

#[napi]
impl AuditSubscription {
    /// Stops delivering events to this listener. Cancelling twice does nothing.
    #[napi(catch_unwind)]
    pub fn cancel(&self) {
        let sub = self.0.lock().unwrap_or_else(PoisonError::into_inner).take();
        drop(sub);
    }
}

impl Drop for AuditSubscription {
    fn drop(&mut self) {
        let sub = self
            .0
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(sub) = sub {
            sub.keep();
        }
    }
}

/// Calls `callback(event)` for every tokenward audit event (token issued, verified, refused,
/// key created, …). Delivery is asynchronous; the listener does not keep Node alive.
#[napi(catch_unwind)]
pub fn on_audit(callback: Function<AuditEvent, ()>) -> napi::Result<AuditSubscription, Code> {
    let tsfn = listener(callback).map_err(|_| {
        crate::error::to_js(tokenward::Error::new(
            tokenward::ErrorCode::Internal,
            "cannot register the audit listener",
        ))
    })?;
    let sub = tokenward::audit::subscribe(Arc::new(JsSink(tsfn)));
    Ok(AuditSubscription(Mutex::new(Some(sub))))
}
