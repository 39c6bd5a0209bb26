//! [`AuditEvent`]: what one audit record carries, and its builders.

use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use crate::ErrorCode;

/// What happened: one record per security decision. Identifiers only, never token material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// When the event was created (rendered RFC 3339, UTC).
    pub timestamp: SystemTime,
    /// Unique per event (see [`EventId`]).
    pub event_id: EventId,
    /// The action, e.g. `jwt.verify`, `apikey.create`, `oauth.refresh`, `gateway.authenticate`,
    /// `abuse.lockout`.
    pub action: &'static str,
    /// `success` or `failure`.
    pub outcome: Outcome,
    /// The error code on failure.
    pub code: Option<ErrorCode>,
    /// How much a security team should care (default: `info` for a success, `low` for a
    /// failure; abuse signals are `medium` or `high`).
    pub severity: Severity,
    /// The kind of credential: `api_key`, `jwt`, `introspected` or `session`, when known.
    pub credential_kind: Option<&'static str>,
    /// A public identifier of the credential: API key id, JWT `kid`/`jti`, or a fingerprint.
    pub credential_id: Option<String>,
    /// The subject (`sub`, key owner) when known.
    pub subject: Option<String>,
    /// The client address (after trusted-proxy resolution), for gateway decisions.
    pub client_ip: Option<IpAddr>,
    /// The request id, read from the header named by
    /// `AuthenticatorOptions::with_request_id_header` (default `x-request-id`).
    pub request_id: Option<String>,
    /// The HTTP method of the request.
    pub method: Option<String>,
    /// The request path, without its query string (which may carry a credential).
    pub path: Option<String>,
    /// A count where the event is about several occurrences (failures before a lockout,
    /// distinct addresses or credentials of an abuse signal).
    pub count: Option<u64>,
}

/// How much a security team should care about an event (the five levels of OCSF
/// `severity_id` 1–5, also written as ECS `event.severity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Routine: a success.
    Info,
    /// A refused request.
    Low,
    /// Suspicious: worth a look (a key used from unusually many addresses, repeated
    /// `insufficient_scope`).
    Medium,
    /// Likely an attack (a lockout, enumeration, one credential failing from many addresses).
    High,
    /// Reserved for events that need action at once.
    Critical,
}

impl Severity {
    /// `info`, `low`, `medium`, `high` or `critical`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// 1 (`info`) to 5 (`critical`): OCSF `severity_id` and ECS `event.severity`.
    pub const fn number(self) -> u8 {
        match self {
            Severity::Info => 1,
            Severity::Low => 2,
            Severity::Medium => 3,
            Severity::High => 4,
            Severity::Critical => 5,
        }
    }
}

/// A 128-bit event id, unique within the process and (with overwhelming probability) across
/// processes: 64 bits derived once per process from its id and start time, then a counter.
/// Displays as a UUID-shaped string (`8-4-4-4-12` hex digits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventId(pub u128);

impl EventId {
    /// The next id of this process.
    pub fn next() -> EventId {
        static SEED: OnceLock<u64> = OnceLock::new();
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let seed = *SEED.get_or_init(|| {
            let mut h = Sha256::new();
            h.update(std::process::id().to_le_bytes());
            let now = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap_or_default();
            h.update(now.as_nanos().to_le_bytes());
            let local = 0u8;
            h.update((std::ptr::addr_of!(local) as usize).to_le_bytes());
            let d = h.finalize();
            let mut b = [0u8; 8];
            b.copy_from_slice(&d[..8]);
            u64::from_le_bytes(b)
        });
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        EventId((u128::from(seed) << 64) | u128::from(n))
    }
}

impl std::fmt::Display for EventId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let h = format!("{:032x}", self.0);
        write!(
            f,
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..]
        )
    }
}

impl AuditEvent {
    /// An event for `action` with `outcome`, stamped now with a fresh id.
    pub fn new(action: &'static str, outcome: Outcome) -> Self {
        AuditEvent {
            timestamp: SystemTime::now(),
            event_id: EventId::next(),
            action,
            outcome,
            code: None,
            severity: match outcome {
                Outcome::Success => Severity::Info,
                Outcome::Failure => Severity::Low,
            },
            credential_kind: None,
            credential_id: None,
            subject: None,
            client_ip: None,
            request_id: None,
            method: None,
            path: None,
            count: None,
        }
    }

    /// A success event for `action`.
    pub fn success(action: &'static str) -> Self {
        AuditEvent::new(action, Outcome::Success)
    }

    /// A failure event for `action` with the error's code.
    pub fn failure(action: &'static str, err: &crate::Error) -> Self {
        AuditEvent::new(action, Outcome::Failure).code(err.code())
    }

    /// Sets the error code.
    pub fn code(mut self, code: ErrorCode) -> Self {
        self.code = Some(code);
        self
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

    /// Sets the severity.
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Sets the count.
    pub fn count(mut self, count: u64) -> Self {
        self.count = Some(count);
        self
    }

    /// Sets the client address.
    pub fn client_ip(mut self, ip: Option<IpAddr>) -> Self {
        self.client_ip = ip;
        self
    }

    /// Sets the method and the path; the query string is dropped (it may carry a credential).
    pub fn request(mut self, method: &str, path: &str) -> Self {
        self.set_request(method, path);
        self
    }

    /// Sets the method and the path in place (the query string is dropped).
    pub fn set_request(&mut self, method: &str, path: &str) {
        if !method.is_empty() {
            self.method = Some(method.to_owned());
        }
        let path = path.split(['?', '#']).next().unwrap_or_default();
        if !path.is_empty() {
            self.path = Some(path.to_owned());
        }
    }
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
