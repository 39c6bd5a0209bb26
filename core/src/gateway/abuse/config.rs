//! The configuration of abuse detection: [`Threshold`], [`Lockout`], [`AbuseDetection`] and
//! the defaults, valid by construction.

use std::time::Duration;

use crate::clock::check_duration;
use crate::{Error, ErrorCode, Result};

/// A number of occurrences within a window: valid by construction (count ≥ 1, window > 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threshold {
    count: u32,
    window: Duration,
}

impl Threshold {
    /// `count` occurrences within `window`; `invalid_input` for a count of 0, an empty window
    /// or a window over 100 years.
    pub fn new(count: u32, window: Duration) -> Result<Threshold> {
        if count == 0 {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "a threshold count must be at least 1",
            ));
        }
        if window.is_zero() {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "a threshold window must be longer than 0",
            ));
        }
        let window = check_duration(window, "window")?;
        Ok(Threshold { count, window })
    }

    /// The number of occurrences.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// The window they are counted in.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// The window in whole milliseconds (at least 1).
    #[cfg(feature = "redis")]
    pub(crate) fn window_ms(&self) -> u64 {
        u64::try_from(self.window.as_millis())
            .unwrap_or(u64::MAX)
            .max(1)
    }
}

/// Lock an address or a credential out for `duration` after `failures` (a [`Threshold`]) refused
/// credentials. Valid by construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lockout {
    failures: Threshold,
    duration: Duration,
}

impl Lockout {
    /// After `failures.count()` refused credentials within `failures.window()`, refuse for
    /// `duration`; `invalid_input` for an empty duration or one over 100 years.
    pub fn new(failures: Threshold, duration: Duration) -> Result<Lockout> {
        if duration.is_zero() {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "a lockout duration must be longer than 0",
            ));
        }
        let duration = check_duration(duration, "duration")?;
        Ok(Lockout { failures, duration })
    }

    /// The failures that trigger the lockout.
    pub fn failures(&self) -> Threshold {
        self.failures
    }

    /// How long the lockout lasts.
    pub fn duration(&self) -> Duration {
        self.duration
    }

    /// The duration in whole milliseconds (at least 1).
    #[cfg(feature = "redis")]
    pub(crate) fn duration_ms(&self) -> u64 {
        u64::try_from(self.duration.as_millis())
            .unwrap_or(u64::MAX)
            .max(1)
    }
}

/// The default lockout: 10 refused credentials within 5 minutes lock out for 15 minutes.
pub const DEFAULT_LOCKOUT: Lockout = Lockout {
    failures: Threshold {
        count: 10,
        window: Duration::from_secs(300),
    },
    duration: Duration::from_secs(900),
};

/// The default enumeration signal: 20 distinct failing credentials from one address in a
/// minute.
pub const DEFAULT_ENUMERATION: Threshold = Threshold {
    count: 20,
    window: Duration::from_secs(60),
};

/// The default distributed-failures signal: one credential failing from 5 addresses in 10
/// minutes.
pub const DEFAULT_DISTRIBUTED_FAILURES: Threshold = Threshold {
    count: 5,
    window: Duration::from_secs(600),
};

/// The default key-spread signal: one key or subject used from 50 addresses in an hour.
pub const DEFAULT_KEY_SPREAD: Threshold = Threshold {
    count: 50,
    window: Duration::from_secs(3600),
};

/// The default scope-escalation signal: 5 `insufficient_scope` refusals of one principal in
/// 10 minutes.
pub const DEFAULT_SCOPE_ESCALATION: Threshold = Threshold {
    count: 5,
    window: Duration::from_secs(600),
};

/// The configuration of abuse detection: start from [`AbuseDetection::new`] (every signal on
/// at its default, counted in this process) and change what you need. `None` turns a
/// signal (or the lockout) off.
#[derive(Clone)]
pub struct AbuseDetection {
    pub(crate) lockout: Option<Lockout>,
    pub(crate) enumeration: Option<Threshold>,
    pub(crate) distributed_failures: Option<Threshold>,
    pub(crate) key_spread: Option<Threshold>,
    pub(crate) scope_escalation: Option<Threshold>,
    pub(crate) store: String,
    pub(crate) store_fail_open: bool,
}

impl std::fmt::Debug for AbuseDetection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The store URL may hold a password: its scheme only.
        let scheme = self.store.split("://").next().unwrap_or_default();
        f.debug_struct("AbuseDetection")
            .field("lockout", &self.lockout)
            .field("enumeration", &self.enumeration)
            .field("distributed_failures", &self.distributed_failures)
            .field("key_spread", &self.key_spread)
            .field("scope_escalation", &self.scope_escalation)
            .field("store", &scheme)
            .field("store_fail_open", &self.store_fail_open)
            .finish()
    }
}

// No `Default` on purpose: one way to build it, with the documented defaults.
#[allow(clippy::new_without_default)]
impl AbuseDetection {
    /// Every signal at its default ([`DEFAULT_LOCKOUT`], [`DEFAULT_ENUMERATION`],
    /// [`DEFAULT_DISTRIBUTED_FAILURES`], [`DEFAULT_KEY_SPREAD`],
    /// [`DEFAULT_SCOPE_ESCALATION`]), counted in this process, failing open.
    pub fn new() -> AbuseDetection {
        AbuseDetection {
            lockout: Some(DEFAULT_LOCKOUT),
            enumeration: Some(DEFAULT_ENUMERATION),
            distributed_failures: Some(DEFAULT_DISTRIBUTED_FAILURES),
            key_spread: Some(DEFAULT_KEY_SPREAD),
            scope_escalation: Some(DEFAULT_SCOPE_ESCALATION),
            store: "memory".to_owned(),
            store_fail_open: true,
        }
    }

    /// The lockout (`None`: signals only, nothing is refused).
    pub fn with_lockout(mut self, lockout: Option<Lockout>) -> Self {
        self.lockout = lockout;
        self
    }

    /// Distinct failing credentials from one address that raise `abuse.enumeration`.
    pub fn with_enumeration(mut self, threshold: Option<Threshold>) -> Self {
        self.enumeration = threshold;
        self
    }

    /// Addresses one failing credential comes from that raise `abuse.distributed_failures`.
    pub fn with_distributed_failures(mut self, threshold: Option<Threshold>) -> Self {
        self.distributed_failures = threshold;
        self
    }

    /// Addresses one key or subject is used from that raise `abuse.key_spread`.
    pub fn with_key_spread(mut self, threshold: Option<Threshold>) -> Self {
        self.key_spread = threshold;
        self
    }

    /// `insufficient_scope` refusals of one principal that raise `abuse.scope_escalation`.
    pub fn with_scope_escalation(mut self, threshold: Option<Threshold>) -> Self {
        self.scope_escalation = threshold;
        self
    }

    /// Where the counters live: `"memory"` (default) or `redis://…` / `rediss://…` (feature
    /// `redis`); checked by `Authenticator::new`.
    pub fn with_store(mut self, url: impl Into<String>) -> Self {
        self.store = url.into();
        self
    }

    /// The store URL given to [`AbuseDetection::with_store`] (may hold a password).
    pub fn store(&self) -> &str {
        &self.store
    }

    /// When the Redis store cannot answer: count in this process instead (`true`, the
    /// default, with a `gateway.abuse_fallback` audit event) or refuse with 503 (`false`).
    pub fn with_store_fail_open(mut self, fail_open: bool) -> Self {
        self.store_fail_open = fail_open;
        self
    }
}
