//! `redact`, `Redactor` and the `AuditListener` callback interface for Swift and Kotlin.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Once, PoisonError};

use crate::error::FfiResult;

/// Returns `text` with every recognised secret replaced by `[REDACTED:<kind>:<fingerprint>]`.
#[uniffi::export]
pub fn redact(text: String) -> String {
    match tokenward::redact::redact_cow(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(o) => o,
    }
}

/// Optional settings of a `Redactor`; the defaults are the built-in rules alone.
#[derive(uniffi::Record)]
pub struct RedactorOptions {
    /// Extra sensitive field names (case-insensitive; `-`/`.` count as `_`; also match as a
    /// suffix).
    #[uniffi(default = [])]
    pub names: Vec<String>,
    /// Extra patterns, `kind -> regex`; capture group 1 is redacted when present.
    #[uniffi(default = None)]
    pub patterns: Option<HashMap<String, String>>,
    /// `fingerprint` (default), `kind`, `plain`, or a template with `{kind}` / `{fingerprint}`.
    #[uniffi(default = "fingerprint")]
    pub replacement: String,
    /// Longest line a stream keeps in memory, in bytes (default 1 MiB, the core's
    /// `DEFAULT_MAX_LINE`; at least 1 KiB).
    #[uniffi(default = None)]
    pub max_line: Option<u64>,
}

/// A configured scrubber: extra sensitive field names, extra patterns and the replacement
/// style.
#[derive(uniffi::Object)]
pub struct Redactor(tokenward::redact::Redactor);

#[uniffi::export]
impl Redactor {
    /// Builds a redactor; invalid names, patterns, replacement or `maxLine` fail with
    /// `invalid_input`.
    #[uniffi::constructor(default(options))]
    pub fn new(options: RedactorOptions) -> FfiResult<Arc<Self>> {
        // Sorted: the order of the patterns decides which kind wins on overlaps.
        let mut patterns: Vec<(String, String)> =
            options.patterns.unwrap_or_default().into_iter().collect();
        patterns.sort();
        let mut o = tokenward::redact::RedactorOptions::default()
            .with_replacement(options.replacement.parse()?)
            .with_names(options.names)
            .with_patterns(patterns);
        if let Some(m) = options.max_line {
            o = o.with_max_line(usize::try_from(m).unwrap_or(usize::MAX));
        }
        Ok(Arc::new(Redactor(tokenward::redact::Redactor::new(o)?)))
    }

    /// Returns `text` with every recognised secret replaced.
    pub fn redact(&self, text: String) -> String {
        match self.0.redact_cow(&text) {
            std::borrow::Cow::Borrowed(_) => text,
            std::borrow::Cow::Owned(o) => o,
        }
    }

    /// Redacts bytes that may not be UTF-8.
    pub fn redact_bytes(&self, data: Vec<u8>) -> Vec<u8> {
        self.0.redact_bytes(&data)
    }
}

/// An audit event: safe identifiers only, never token material.
#[derive(Debug, Clone, uniffi::Record)]
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

/// Receives tokenward's audit events (implemented in Swift or Kotlin). Called inline on the
/// thread that performed the operation: keep it cheap or hand off.
#[uniffi::export(with_foreign)]
pub trait AuditListener: Send + Sync {
    /// Called once per event.
    fn on_event(&self, event: AuditEvent);
}

static LISTENERS: Mutex<Vec<(u64, Arc<dyn AuditListener>)>> = Mutex::new(Vec::new());
static NEXT_ID: Mutex<u64> = Mutex::new(0);

struct ForeignSink;

impl tokenward::audit::AuditSink for ForeignSink {
    fn record(&self, event: &tokenward::audit::AuditEvent) {
        let listeners: Vec<Arc<dyn AuditListener>> = LISTENERS
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
            outcome: event.outcome.as_str().to_owned(),
            code: event.code.map(str::to_owned),
            credential_id: event.credential_id.clone(),
            subject: event.subject.clone(),
        };
        for l in listeners {
            l.on_event(ev.clone());
        }
    }
}

/// Registers `listener` for every audit event; returns an id for [`remove_audit_listener`].
#[uniffi::export]
pub fn add_audit_listener(listener: Arc<dyn AuditListener>) -> u64 {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| tokenward::audit::add_sink(Arc::new(ForeignSink)));
    let id = {
        let mut next = NEXT_ID.lock().unwrap_or_else(PoisonError::into_inner);
        *next += 1;
        *next
    };
    LISTENERS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push((id, listener));
    id
}

/// Unregisters the listener `id` returned by [`add_audit_listener`].
#[uniffi::export]
pub fn remove_audit_listener(id: u64) {
    LISTENERS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .retain(|(i, _)| *i != id);
}

/// Emits a sample audit event (used by the test-suites to check the wiring).
#[uniffi::export]
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
