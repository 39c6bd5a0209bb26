//! Audit events: one record per security decision (token issued, verified, refused, refreshed,
//! revoked; API key created, verified, revoked, rotated), carrying identifiers that are safe to
//! log — kind, key id or fingerprint, subject, outcome, code — and never token material.
//!
//! Events go to the sinks registered with [`subscribe`] (each until its [`Subscription`] is
//! dropped). With none registered they become `tracing` events on the target
//! `tokenward::audit`. The bindings subscribe sinks that forward to Python's `logging`, a JS
//! callback, or a Swift/Kotlin callback interface.
//!
//! [`AuditEvent::to_ecs_json`] renders an event as one line of JSON in Elastic Common Schema
//! (docs/audit.md), and [`AuditLog`] is a sink writing those lines to stdout, stderr or a file.

mod ecs;
mod event;
mod log;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::RwLock;

use crate::ErrorCode;
pub use event::{AuditEvent, AuditSink, EventId, Outcome, Severity};
pub use log::AuditLog;

/// The registered sinks, each with the id of its subscription.
static SINKS: RwLock<Vec<(u64, Arc<dyn AuditSink>)>> = RwLock::new(Vec::new());
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A registered sink: dropping it unregisters the sink (events already being delivered on
/// another thread may still reach it).
#[must_use = "dropping the subscription unregisters the sink at once"]
#[derive(Debug)]
pub struct Subscription {
    id: u64,
}

impl Subscription {
    /// Unregisters the sink now (the same as dropping the subscription).
    pub fn cancel(self) {}

    /// Keeps the sink registered for the rest of the process (or until [`clear_sinks`]).
    pub fn keep(self) {
        std::mem::forget(self);
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        SINKS.write().retain(|(id, _)| *id != self.id);
    }
}

/// Registers `sink` in addition to those already registered, until the returned
/// [`Subscription`] is dropped.
pub fn subscribe(sink: Arc<dyn AuditSink>) -> Subscription {
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    SINKS.write().push((id, sink));
    Subscription { id }
}

/// Registers `sink` for the rest of the process (`subscribe(sink).keep()`).
pub fn add_sink(sink: Arc<dyn AuditSink>) {
    subscribe(sink).keep();
}

/// Unregisters every sink (events fall back to `tracing`); their subscriptions become inert.
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
        sinks.iter().any(|(_, sink)| sink.wants(outcome))
    }
}

/// Emits an event to the installed sinks, or as a `tracing` event when there are none.
pub fn emit(event: AuditEvent) {
    let sinks = SINKS.read();
    if sinks.is_empty() {
        tracing::info!(
            target: "tokenward::audit",
            event_id = %event.event_id,
            action = event.action,
            outcome = event.outcome.as_str(),
            severity = event.severity.as_str(),
            code = event.code.map(ErrorCode::as_str),
            credential_id = event.credential_id.as_deref(),
            subject = event.subject.as_deref(),
            client_ip = event.client_ip.map(tracing::field::display),
            request_id = event.request_id.as_deref(),
        );
        return;
    }
    for (_, sink) in sinks.iter() {
        sink.record(&event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parking_lot::Mutex;

    /// Records the subjects of the events it sees.
    #[derive(Default)]
    struct Recorder(Mutex<Vec<String>>);

    impl AuditSink for Recorder {
        fn record(&self, event: &AuditEvent) {
            self.0.lock().extend(event.subject.clone());
        }
    }

    fn seen(r: &Recorder) -> Vec<String> {
        r.0.lock().clone()
    }

    // Other tests of this crate emit events concurrently: assert on this test's subjects only.
    fn mine(r: &Recorder) -> Vec<String> {
        seen(r)
            .into_iter()
            .filter(|s| s.starts_with("audit-sub-"))
            .collect()
    }

    #[test]
    fn a_subscription_delivers_until_dropped_and_leaves_others_registered() {
        let first = Arc::new(Recorder::default());
        let second = Arc::new(Recorder::default());
        let sub_first = subscribe(first.clone());
        let sub_second = subscribe(second.clone());
        emit(AuditEvent::success("test.audit").subject("audit-sub-1"));
        drop(sub_first);
        emit(AuditEvent::success("test.audit").subject("audit-sub-2"));
        sub_second.cancel();
        emit(AuditEvent::success("test.audit").subject("audit-sub-3"));
        assert_eq!(mine(&first), ["audit-sub-1"]);
        assert_eq!(mine(&second), ["audit-sub-1", "audit-sub-2"]);
    }

    #[test]
    fn a_failure_event_carries_the_typed_code() {
        let err = crate::Error::new(ErrorCode::Expired, "x");
        let ev = AuditEvent::failure("test.audit", &err);
        assert_eq!(
            (ev.outcome, ev.code),
            (Outcome::Failure, Some(ErrorCode::Expired))
        );
    }
}
