//! Audit events: one record per security decision (token issued, verified, refused, refreshed,
//! revoked; API key created, verified, revoked, rotated), carrying identifiers that are safe to
//! log — kind, key id or fingerprint, subject, outcome, code — and never token material.
//!
//! Events go to the installed [`AuditSink`]s. With none installed they become `tracing` events
//! on the target `tokenward::audit`. The bindings install sinks that forward to Python's
//! `logging`, a JS callback, or a Swift/Kotlin callback interface.

use std::sync::Arc;

use parking_lot::RwLock;

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// The action, e.g. `jwt.verify`, `apikey.create`, `oauth.refresh`, `gateway.authenticate`.
    pub action: &'static str,
    /// `success` or `failure`.
    pub outcome: Outcome,
    /// The error code on failure.
    pub code: Option<&'static str>,
    /// A public identifier of the credential: API key id, JWT `kid`/`jti`, or a fingerprint.
    pub credential_id: Option<String>,
    /// The subject (`sub`, key owner) when known.
    pub subject: Option<String>,
}

/// The outcome of an audited operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The operation succeeded.
    Success,
    /// The operation was refused or failed.
    Failure,
}

impl Outcome {
    /// `success` or `failure`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
        }
    }
}

impl AuditEvent {
    /// A success event for `action`.
    pub fn success(action: &'static str) -> Self {
        AuditEvent {
            action,
            outcome: Outcome::Success,
            code: None,
            credential_id: None,
            subject: None,
        }
    }

    /// A failure event for `action` with the error's code.
    pub fn failure(action: &'static str, err: &crate::Error) -> Self {
        AuditEvent {
            action,
            outcome: Outcome::Failure,
            code: Some(err.code().as_str()),
            credential_id: None,
            subject: None,
        }
    }

    /// Sets the public credential identifier.
    pub fn credential(mut self, id: impl Into<String>) -> Self {
        self.credential_id = Some(id.into());
        self
    }

    /// Sets the subject.
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }
}

/// Receives audit events. Implementations must be cheap or hand off: they run inline.
pub trait AuditSink: Send + Sync {
    /// Records one event.
    fn record(&self, event: &AuditEvent);

    /// Whether the sink would record an event with `outcome` now (default: always). Hot paths
    /// ask before building an event, so a sink that drops successes (a logger at WARNING)
    /// spares them the token fingerprint and the event.
    fn wants(&self, outcome: Outcome) -> bool {
        let _ = outcome;
        true
    }
}

static SINKS: RwLock<Vec<Arc<dyn AuditSink>>> = RwLock::new(Vec::new());

/// Installs a sink in addition to those already installed.
pub fn add_sink(sink: Arc<dyn AuditSink>) {
    SINKS.write().push(sink);
}

/// Removes every installed sink (events fall back to `tracing`).
pub fn clear_sinks() {
    SINKS.write().clear();
}

/// Whether an event of either outcome would be recorded (see [`wants`]).
pub fn is_active() -> bool {
    wants(Outcome::Success) || wants(Outcome::Failure)
}

/// Whether an event with `outcome` would be recorded: by a sink that [wants](AuditSink::wants)
/// it or, with no sink installed, by a `tracing` subscriber listening on `tokenward::audit`.
/// Hot paths check this before building an event.
pub fn wants(outcome: Outcome) -> bool {
    let sinks = SINKS.read();
    if sinks.is_empty() {
        tracing::enabled!(target: "tokenward::audit", tracing::Level::INFO)
    } else {
        sinks.iter().any(|sink| sink.wants(outcome))
    }
}

/// Emits an event to the installed sinks, or as a `tracing` event when there are none.
pub fn emit(event: AuditEvent) {
    let sinks = SINKS.read();
    if sinks.is_empty() {
        tracing::info!(
            target: "tokenward::audit",
            action = event.action,
            outcome = event.outcome.as_str(),
            code = event.code,
            credential_id = event.credential_id.as_deref(),
            subject = event.subject.as_deref(),
        );
        return;
    }
    for sink in sinks.iter() {
        sink.record(&event);
    }
}
