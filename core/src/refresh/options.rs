//! Tuning of the refresh schedule.

use std::time::Duration;

use crate::{Error, ErrorCode};

/// The longest duration any option may hold; longer values are mistakes, and would overflow
/// instant arithmetic.
const MAX_DURATION: Duration = Duration::from_secs(366 * 24 * 3600);

/// When to refresh and how to retry. The defaults suit most servers.
#[derive(Debug, Clone, Copy)]
pub struct RefreshOptions {
    /// Refresh when less than `min(refresh_ahead, lifetime × refresh_ahead_fraction)` remains
    /// (default 5 minutes and one half).
    pub refresh_ahead: Duration,
    /// See `refresh_ahead` (default 0.5).
    pub refresh_ahead_fraction: f64,
    /// The refresh moment is moved earlier by a random part of this fraction of the
    /// refresh-ahead window, so that many processes do not refresh together (default 0.1).
    pub jitter: f64,
    /// A token is no longer handed out when less than `min(expiry_margin, lifetime / 4)`
    /// remains (default 5 s), so callers never receive a token about to expire in flight.
    pub expiry_margin: Duration,
    /// Assumed lifetime of a token whose response has no `expires_in` (default 1 hour).
    pub default_lifetime: Duration,
    /// First retry delay after a transient failure (default 1 s); doubles each time.
    pub backoff_initial: Duration,
    /// Longest retry delay (default 60 s).
    pub backoff_max: Duration,
    /// Run the background refresh task (default true). Without it tokens are refreshed on
    /// demand, when a caller finds the current one unusable.
    pub background: bool,
}

impl Default for RefreshOptions {
    fn default() -> Self {
        RefreshOptions {
            refresh_ahead: Duration::from_secs(300),
            refresh_ahead_fraction: 0.5,
            jitter: 0.1,
            expiry_margin: Duration::from_secs(5),
            default_lifetime: Duration::from_secs(3600),
            backoff_initial: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
            background: true,
        }
    }
}

impl RefreshOptions {
    /// Refuses (with `invalid_input`) fractions outside 0..=1 or not finite, durations over a
    /// year, a zero default lifetime and a backoff whose maximum is below its start. Every
    /// [`TokenSource`](super::TokenSource) constructor calls it, so bindings need not repeat it.
    pub fn validate(&self) -> Result<(), Error> {
        for (name, v) in [
            ("refresh_ahead_fraction", self.refresh_ahead_fraction),
            ("jitter", self.jitter),
        ] {
            if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
                return Err(invalid(format!("{name} must be between 0 and 1")));
            }
        }
        for (name, d) in [
            ("refresh_ahead", self.refresh_ahead),
            ("expiry_margin", self.expiry_margin),
            ("default_lifetime", self.default_lifetime),
            ("backoff_initial", self.backoff_initial),
            ("backoff_max", self.backoff_max),
        ] {
            if d > MAX_DURATION {
                return Err(invalid(format!("{name} must be at most a year")));
            }
        }
        if self.default_lifetime.is_zero() {
            return Err(invalid("default_lifetime must be positive".into()));
        }
        if self.backoff_max < self.backoff_initial {
            return Err(invalid(
                "backoff_max must be at least backoff_initial".into(),
            ));
        }
        Ok(())
    }
}

fn invalid(message: String) -> Error {
    Error::new(ErrorCode::InvalidInput, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_nonsense_is_refused() {
        assert!(RefreshOptions::default().validate().is_ok());
        let bad = [
            RefreshOptions {
                jitter: f64::NAN,
                ..Default::default()
            },
            RefreshOptions {
                refresh_ahead_fraction: 1.5,
                ..Default::default()
            },
            RefreshOptions {
                backoff_max: Duration::MAX,
                ..Default::default()
            },
            RefreshOptions {
                default_lifetime: Duration::ZERO,
                ..Default::default()
            },
            RefreshOptions {
                backoff_initial: Duration::from_secs(10),
                backoff_max: Duration::from_secs(1),
                ..Default::default()
            },
        ];
        for options in bad {
            let err = options.validate().unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidInput, "{options:?}");
        }
    }
}
