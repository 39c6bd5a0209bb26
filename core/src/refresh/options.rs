//! Tuning of the refresh schedule.

use std::time::Duration;

use crate::{Error, ErrorCode};

/// The longest duration any option may hold; longer values are mistakes, and would overflow
/// instant arithmetic.
const MAX_DURATION: Duration = Duration::from_secs(366 * 24 * 3600);

/// Default of [`TokenSourceOptions::with_refresh_ahead`]: 5 minutes.
pub const DEFAULT_REFRESH_AHEAD: Duration = Duration::from_secs(300);
/// Default of [`TokenSourceOptions::with_refresh_ahead_fraction`]: one half.
pub const DEFAULT_REFRESH_AHEAD_FRACTION: f64 = 0.5;
/// Default of [`TokenSourceOptions::with_jitter`]: 0.1.
pub const DEFAULT_JITTER: f64 = 0.1;
/// Default of [`TokenSourceOptions::with_expiry_margin`]: 5 seconds.
pub const DEFAULT_EXPIRY_MARGIN: Duration = Duration::from_secs(5);
/// Default of [`TokenSourceOptions::with_default_lifetime`]: 1 hour.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);
/// Default of [`TokenSourceOptions::with_backoff_initial`]: 1 second.
pub const DEFAULT_BACKOFF_INITIAL: Duration = Duration::from_secs(1);
/// Default of [`TokenSourceOptions::with_backoff_max`]: 60 seconds.
pub const DEFAULT_BACKOFF_MAX: Duration = Duration::from_secs(60);

/// When a [`TokenSource`](super::TokenSource) refreshes and how it retries. Every field has a
/// valid default (the `DEFAULT_*` constants); ranges are checked by the `TokenSource`
/// constructors (`invalid_input`).
///
/// ```
/// use std::time::Duration;
/// use tokenward::refresh::TokenSourceOptions;
///
/// let options = TokenSourceOptions::default()
///     .with_refresh_ahead(Duration::from_secs(60))
///     .with_background(false);
/// assert!(options.validate().is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenSourceOptions {
    refresh_ahead: Duration,
    refresh_ahead_fraction: f64,
    jitter: f64,
    expiry_margin: Duration,
    default_lifetime: Duration,
    backoff_initial: Duration,
    backoff_max: Duration,
    background: bool,
}

impl Default for TokenSourceOptions {
    fn default() -> Self {
        TokenSourceOptions {
            refresh_ahead: DEFAULT_REFRESH_AHEAD,
            refresh_ahead_fraction: DEFAULT_REFRESH_AHEAD_FRACTION,
            jitter: DEFAULT_JITTER,
            expiry_margin: DEFAULT_EXPIRY_MARGIN,
            default_lifetime: DEFAULT_LIFETIME,
            backoff_initial: DEFAULT_BACKOFF_INITIAL,
            backoff_max: DEFAULT_BACKOFF_MAX,
            background: true,
        }
    }
}

impl TokenSourceOptions {
    /// Refresh when less than `min(refresh_ahead, lifetime × refresh_ahead_fraction)` remains.
    pub fn with_refresh_ahead(mut self, refresh_ahead: Duration) -> Self {
        self.refresh_ahead = refresh_ahead;
        self
    }

    /// See [`Self::with_refresh_ahead`]; between 0 and 1.
    pub fn with_refresh_ahead_fraction(mut self, fraction: f64) -> Self {
        self.refresh_ahead_fraction = fraction;
        self
    }

    /// The refresh moment moves earlier by a random part of this fraction (0 to 1) of the
    /// refresh-ahead window, so that many processes do not refresh together.
    pub fn with_jitter(mut self, jitter: f64) -> Self {
        self.jitter = jitter;
        self
    }

    /// A token is no longer handed out when less than `min(expiry_margin, lifetime / 4)`
    /// remains, so callers never receive a token about to expire in flight.
    pub fn with_expiry_margin(mut self, margin: Duration) -> Self {
        self.expiry_margin = margin;
        self
    }

    /// Assumed lifetime of a token whose response has no `expires_in` (positive).
    pub fn with_default_lifetime(mut self, lifetime: Duration) -> Self {
        self.default_lifetime = lifetime;
        self
    }

    /// First retry delay after a transient failure; doubles each time.
    pub fn with_backoff_initial(mut self, delay: Duration) -> Self {
        self.backoff_initial = delay;
        self
    }

    /// Longest retry delay (at least `backoff_initial`).
    pub fn with_backoff_max(mut self, delay: Duration) -> Self {
        self.backoff_max = delay;
        self
    }

    /// Run the background refresh task (default true). Without it tokens are refreshed on
    /// demand, when a caller finds the current one unusable.
    pub fn with_background(mut self, background: bool) -> Self {
        self.background = background;
        self
    }

    /// See [`Self::with_refresh_ahead`].
    pub fn refresh_ahead(&self) -> Duration {
        self.refresh_ahead
    }

    /// See [`Self::with_refresh_ahead_fraction`].
    pub fn refresh_ahead_fraction(&self) -> f64 {
        self.refresh_ahead_fraction
    }

    /// See [`Self::with_jitter`].
    pub fn jitter(&self) -> f64 {
        self.jitter
    }

    /// See [`Self::with_expiry_margin`].
    pub fn expiry_margin(&self) -> Duration {
        self.expiry_margin
    }

    /// See [`Self::with_default_lifetime`].
    pub fn default_lifetime(&self) -> Duration {
        self.default_lifetime
    }

    /// See [`Self::with_backoff_initial`].
    pub fn backoff_initial(&self) -> Duration {
        self.backoff_initial
    }

    /// See [`Self::with_backoff_max`].
    pub fn backoff_max(&self) -> Duration {
        self.backoff_max
    }

    /// See [`Self::with_background`].
    pub fn background(&self) -> bool {
        self.background
    }

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
        assert!(TokenSourceOptions::default().validate().is_ok());
        let d = TokenSourceOptions::default();
        let bad = [
            d.with_jitter(f64::NAN),
            d.with_refresh_ahead_fraction(1.5),
            d.with_backoff_max(Duration::MAX),
            d.with_default_lifetime(Duration::ZERO),
            d.with_backoff_initial(Duration::from_secs(10))
                .with_backoff_max(Duration::from_secs(1)),
        ];
        for options in bad {
            let err = options.validate().unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidInput, "{options:?}");
        }
    }
}
