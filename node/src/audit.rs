//! Audit events for JS: `onAudit(callback)` registers a listener, `close()` removes it.
//!
//! One core [`tokenward::audit::AuditSink`] is installed on first use; it hands each event to
//! every registered listener through a napi `ThreadsafeFunction`, so events emitted on any
//! thread reach JS on the main thread (asynchronously, in order). The functions are *weak*
//! (unref'd): a registered listener never keeps Node alive.

use std::sync::{Arc, Mutex, Once, PoisonError};

use crate::napi;
use crate::napi::bindgen_prelude::Function;
use crate::napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use crate::napi::Status;
use napi_derive::napi;
use tokenward::audit::{AuditSink, Outcome};

use crate::error::Code;

/// An audit event: safe identifiers only, never token material.
#[napi(object)]
#[derive(Clone)]
pub struct AuditEvent {
    /// The action, e.g. `jwt.verify`, `apikey.create`.
    pub action: String,
    /// `success` or `failure`.
    pub outcome: String,
    /// The error code on failure.
    pub code: Option<String>,
    /// A public identifier of the credential (key id, `kid`/`jti`, or a fingerprint).
    pub credential_id: Option<String>,
    /// The subject when known.
    pub subject: Option<String>,
}

type Listener = ThreadsafeFunction<AuditEvent, (), AuditEvent, Status, false, true>;

static LISTENERS: Mutex<Vec<(u32, Arc<Listener>)>> = Mutex::new(Vec::new());
static NEXT_ID: Mutex<u32> = Mutex::new(0);

struct JsSink;

impl AuditSink for JsSink {
    fn record(&self, event: &tokenward::audit::AuditEvent) {
        let listeners: Vec<Arc<Listener>> = LISTENERS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(_, l)| Arc::clone(l))
            .collect();
        if listeners.is_empty() {
            return;
        }
        let ev = AuditEvent {
            action: event.action.to_owned(),
            outcome: match event.outcome {
                Outcome::Success => "success",
                Outcome::Failure => "failure",
            }
            .to_owned(),
            code: event.code.map(str::to_owned),
            credential_id: event.credential_id.clone(),
            subject: event.subject.clone(),
        };
        for l in listeners {
            l.call(ev.clone(), ThreadsafeFunctionCallMode::NonBlocking);
        }
    }
}

/// A registered audit listener; `close()` unregisters it.
#[napi]
pub struct AuditSubscription {
    id: u32,
}

#[napi]
impl AuditSubscription {
    /// Stops delivering events to this listener.
    #[napi(catch_unwind)]
    pub fn close(&self) {
        LISTENERS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|(id, _)| *id != self.id);
    }
}

/// Calls `callback(event)` for every tokenward audit event (token issued, verified, refused,
/// key created, …). Delivery is asynchronous; the listener does not keep Node alive.
#[napi(catch_unwind)]
pub fn on_audit(callback: Function<AuditEvent, ()>) -> napi::Result<AuditSubscription, Code> {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| tokenward::audit::add_sink(Arc::new(JsSink)));
    let tsfn: Listener = callback
        .build_threadsafe_function()
        .callee_handled::<false>()
        .weak::<true>()
        .build()
        .map_err(|_| {
            crate::error::to_js(tokenward::Error::new(
                tokenward::ErrorCode::Internal,
                "cannot register the audit listener",
            ))
        })?;
    let id = {
        let mut next = NEXT_ID.lock().unwrap_or_else(PoisonError::into_inner);
        *next += 1;
        *next
    };
    LISTENERS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push((id, Arc::new(tsfn)));
    Ok(AuditSubscription { id })
}

/// Emits a sample audit event (used by the test-suite to check the wiring; kept out of the
/// published types).
#[napi(skip_typescript, catch_unwind)]
pub fn emit_test_audit_event(success: bool, subject: String) {
    let ev = if success {
        tokenward::audit::AuditEvent::success("test.audit")
    } else {
        tokenward::audit::AuditEvent::failure(
            "test.audit",
            &tokenward::Error::new(tokenward::ErrorCode::Expired, "test"),
        )
    };
    tokenward::audit::emit(ev.credential("test-credential").subject(subject));
}
