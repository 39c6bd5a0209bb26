//! Audit events for Swift and Kotlin: `onAudit(listener)` registers an `AuditListener` until the
//! returned `AuditSubscription` is cancelled or released. Each listener is one core
//! subscription (`tokenward::audit::subscribe`); this file only converts the event.

use std::sync::{Arc, Mutex, PoisonError};

use tokenward::audit::{self as core, Outcome, Subscription};

use crate::error::ErrorCode;

/// The outcome of an audited operation.
#[derive(uniffi::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditOutcome {
    /// The operation succeeded.
    Success,
    /// The operation was refused or failed.
    Failure,
}

/// An audit event: safe identifiers only, never token material.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AuditEvent {
    /// The action, e.g. `jwt.verify`, `apikey.create`, `gateway.authenticate`.
    pub action: String,
    /// Success or failure.
    pub outcome: AuditOutcome,
    /// The error code on failure.
    pub code: Option<ErrorCode>,
    /// A public identifier of the credential (key id, `kid`/`jti`, or a fingerprint).
    pub credential_id: Option<String>,
    /// The subject when known.
    pub subject: Option<String>,
    /// When it happened, RFC 3339 in UTC with milliseconds.
    #[uniffi(default = "")]
    pub timestamp: String,
    /// A unique id (UUID-shaped).
    #[uniffi(default = "")]
    pub event_id: String,
    /// `info`, `low`, `medium`, `high` or `critical`.
    #[uniffi(default = "info")]
    pub severity: String,
    /// `api_key`, `jwt`, `introspected` or `session`, when known.
    #[uniffi(default = None)]
    pub credential_kind: Option<String>,
    /// The client address of a gateway decision.
    #[uniffi(default = None)]
    pub client_ip: Option<String>,
    /// The request id (from the header set with `requestIdHeader`).
    #[uniffi(default = None)]
    pub request_id: Option<String>,
    /// The HTTP method of a gateway decision.
    #[uniffi(default = None)]
    pub method: Option<String>,
    /// The path of a gateway decision, without its query string.
    #[uniffi(default = None)]
    pub path: Option<String>,
    /// A count (failures before a lockout, distinct addresses or credentials of a signal).
    #[uniffi(default = None)]
    pub count: Option<u64>,
}

impl From<&core::AuditEvent> for AuditEvent {
    fn from(e: &core::AuditEvent) -> Self {
        AuditEvent {
            action: e.action.to_owned(),
            outcome: match e.outcome {
                Outcome::Success => AuditOutcome::Success,
                Outcome::Failure => AuditOutcome::Failure,
            },
            code: e.code.map(ErrorCode::from),
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
            count: e.count,
        }
    }
}

/// Receives tokenward's audit events (implemented in Swift or Kotlin). Called inline on the
/// thread that performed the operation: keep it cheap or hand off.
#[uniffi::export(with_foreign)]
pub trait AuditListener: Send + Sync {
    /// Called once per event.
    fn on_event(&self, event: AuditEvent);
}

struct ForeignSink(Arc<dyn AuditListener>);

impl core::AuditSink for ForeignSink {
    fn record(&self, event: &core::AuditEvent) {
        self.0.on_event(event.into());
    }
}

/// A registered listener: `cancel()` unregisters it, and so does releasing the subscription
/// (Kotlin `close()`, or the object being collected; Swift: the last reference going away).
/// Keep it as long as the listener should receive events.
#[derive(uniffi::Object, Debug)]
pub struct AuditSubscription(Mutex<Option<Subscription>>);

#[uniffi::export]
impl AuditSubscription {
    /// Stops delivering events to the listener (events already being delivered on another
    /// thread may still arrive). Cancelling twice does nothing.
    pub fn cancel(&self) {
        let sub = self.0.lock().unwrap_or_else(PoisonError::into_inner).take();
        drop(sub);
    }
}

/// Calls `listener.onEvent(event)` for every tokenward audit event (token issued, verified,
/// refused, key created, …) until the returned subscription is cancelled or released.
#[uniffi::export]
pub fn on_audit(listener: Arc<dyn AuditListener>) -> Arc<AuditSubscription> {
    let sub = core::subscribe(Arc::new(ForeignSink(listener)));
    Arc::new(AuditSubscription(Mutex::new(Some(sub))))
}
