//! Tuning of the refresh schedule.

use std::time::Duration;

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
