//! Abuse detection (docs/abuse.md): failed-attempt accounting per client address and per
//! credential in fixed windows, temporary lockout (`rate_limited` / 429 with `Retry-After`)
//! after a configurable number of failures, and signals emitted as audit events with a
//! severity:
//!
//! * `abuse.lockout` (high): an address or a credential reached the failure threshold and is
//!   refused until the lockout expires;
//! * `abuse.enumeration` (high): many distinct failing credentials from one address
//!   (enumeration, credential stuffing);
//! * `abuse.distributed_failures` (high): one credential failing from many addresses;
//! * `abuse.key_spread` (medium): one key or subject used successfully from more addresses than
//!   its threshold (a leaked key);
//! * `abuse.scope_escalation` (medium): repeated `insufficient_scope` by one principal.
//!
//! The counters live in this process or, with [`AbuseDetection::with_store`]`("redis://…")`,
//! in Redis (one Lua script per step), so they hold across instances. Set it on the gateway
//! with `AuthenticatorOptions::with_abuse_detection`.

mod config;
mod detector;
mod memory;
#[cfg(feature = "redis")]
mod redis;

pub use config::{
    AbuseDetection, Lockout, Threshold, DEFAULT_DISTRIBUTED_FAILURES, DEFAULT_ENUMERATION,
    DEFAULT_KEY_SPREAD, DEFAULT_LOCKOUT, DEFAULT_SCOPE_ESCALATION,
};
pub(crate) use detector::{Detector, Failure, Signal};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use std::time::Duration;

    #[test]
    fn invalid_numbers_are_refused() {
        let w = Duration::from_secs(60);
        assert_eq!(
            Threshold::new(0, w).unwrap_err().code(),
            ErrorCode::InvalidInput
        );
        assert_eq!(
            Threshold::new(1, Duration::ZERO).unwrap_err().code(),
            ErrorCode::InvalidInput
        );
        assert_eq!(
            Threshold::new(1, Duration::MAX).unwrap_err().code(),
            ErrorCode::InvalidInput
        );
        let t = Threshold::new(3, w).unwrap();
        assert_eq!(
            Lockout::new(t, Duration::ZERO).unwrap_err().code(),
            ErrorCode::InvalidInput
        );
        assert_eq!(Lockout::new(t, w).unwrap().failures().count(), 3);
    }
}
