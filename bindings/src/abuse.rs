//! `Threshold`, `Lockout`, `AbuseDetection` (abuse detection of the gateway) and `AuditLog`
//! (audit events as ECS JSON lines) for Swift and Kotlin. Conversions only: the logic is in
//! `tokenward::gateway::abuse` and `tokenward::audit`.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokenward::audit::{self, Subscription};
use tokenward::gateway::abuse as core;

use crate::error::FfiResult;

/// `count` occurrences within `window`; a count of 0 or an empty window throws
/// `invalid_input`.
#[derive(uniffi::Object, Debug)]
pub struct Threshold(pub(crate) core::Threshold);

#[uniffi::export]
impl Threshold {
    #[uniffi::constructor]
    pub fn new(count: u32, window: Duration) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(Threshold(core::Threshold::new(count, window)?)))
    }

    /// The number of occurrences.
    pub fn count(&self) -> u32 {
        self.0.count()
    }

    /// The window they are counted in.
    pub fn window(&self) -> Duration {
        self.0.window()
    }
}

/// Lock an address or a credential out for `duration` after `failures` refused credentials;
/// an empty duration throws `invalid_input`.
#[derive(uniffi::Object, Debug)]
pub struct Lockout(pub(crate) core::Lockout);

#[uniffi::export]
impl Lockout {
    #[uniffi::constructor]
    pub fn new(failures: Arc<Threshold>, duration: Duration) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(Lockout(core::Lockout::new(failures.0, duration)?)))
    }

    /// The failures that trigger the lockout.
    pub fn failures(&self) -> Arc<Threshold> {
        Arc::new(Threshold(self.0.failures()))
    }

    /// How long the lockout lasts.
    pub fn duration(&self) -> Duration {
        self.0.duration()
    }
}

/// Abuse detection for `AuthenticatorOptions.abuseDetection` (docs/abuse.md): `new()` turns
/// every signal on at its default; each `with…` returns a copy with one setting changed
/// (`null`/`nil` turns a signal, or the lockout, off).
#[derive(uniffi::Object, Debug, Clone)]
pub struct AbuseDetection(pub(crate) core::AbuseDetection);

#[uniffi::export]
impl AbuseDetection {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(AbuseDetection(core::AbuseDetection::new()))
    }

    /// The lockout (`null`: signals only, nothing is refused).
    pub fn with_lockout(&self, lockout: Option<Arc<Lockout>>) -> Arc<Self> {
        Arc::new(AbuseDetection(
            self.0.clone().with_lockout(lockout.map(|l| l.0)),
        ))
    }

    /// Distinct failing credentials from one address that raise `abuse.enumeration`.
    pub fn with_enumeration(&self, threshold: Option<Arc<Threshold>>) -> Arc<Self> {
        Arc::new(AbuseDetection(
            self.0.clone().with_enumeration(threshold.map(|t| t.0)),
        ))
    }

    /// Addresses one failing credential comes from that raise `abuse.distributed_failures`.
    pub fn with_distributed_failures(&self, threshold: Option<Arc<Threshold>>) -> Arc<Self> {
        Arc::new(AbuseDetection(
            self.0
                .clone()
                .with_distributed_failures(threshold.map(|t| t.0)),
        ))
    }

    /// Addresses one key or subject is used from that raise `abuse.key_spread`.
    pub fn with_key_spread(&self, threshold: Option<Arc<Threshold>>) -> Arc<Self> {
        Arc::new(AbuseDetection(
            self.0.clone().with_key_spread(threshold.map(|t| t.0)),
        ))
    }

    /// `insufficient_scope` refusals of one principal that raise `abuse.scope_escalation`.
    pub fn with_scope_escalation(&self, threshold: Option<Arc<Threshold>>) -> Arc<Self> {
        Arc::new(AbuseDetection(
            self.0.clone().with_scope_escalation(threshold.map(|t| t.0)),
        ))
    }

    /// Where the counters live: `memory` (default) or `redis://…`.
    pub fn with_store(&self, url: String) -> Arc<Self> {
        Arc::new(AbuseDetection(self.0.clone().with_store(url)))
    }

    /// When Redis cannot answer: count in this process (`true`, default) or refuse with 503.
    pub fn with_store_fail_open(&self, fail_open: bool) -> Arc<Self> {
        Arc::new(AbuseDetection(
            self.0.clone().with_store_fail_open(fail_open),
        ))
    }
}

/// Writes every audit event as one line of ECS JSON (docs/audit.md) to `stdout`, `stderr` or
/// `file:///absolute/path` (created with mode 0600) until `cancel()` or release.
#[derive(uniffi::Object, Debug)]
pub struct AuditLog {
    log: Arc<audit::AuditLog>,
    sub: Mutex<Option<Subscription>>,
}

#[uniffi::export]
impl AuditLog {
    /// Opens `target` and registers it for every audit event.
    #[uniffi::constructor]
    pub fn open(target: String) -> FfiResult<Arc<Self>> {
        let log = Arc::new(audit::AuditLog::open(&target)?);
        let sub = audit::subscribe(log.clone());
        Ok(Arc::new(AuditLog {
            log,
            sub: Mutex::new(Some(sub)),
        }))
    }

    /// Stops writing events (cancelling twice does nothing).
    pub fn cancel(&self) {
        let sub = self
            .sub
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        drop(sub);
    }

    /// Lines written so far.
    pub fn written(&self) -> u64 {
        self.log.written()
    }

    /// Events that could not be written.
    pub fn failed(&self) -> u64 {
        self.log.failed()
    }
}
