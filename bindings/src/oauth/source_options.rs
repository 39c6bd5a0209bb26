//! `TokenSourceOptions` (core `refresh::options`).

use std::time::Duration;

use tokenward::refresh;

use super::convert::bounded;
use crate::error::FfiResult;

/// When a `TokenSource` refreshes and how it retries; every `null`/`nil` keeps the core's
/// default (`tokenward::refresh::DEFAULT_*`, stated below).
#[derive(Debug, Clone, uniffi::Record)]
pub struct TokenSourceOptions {
    /// Refresh when less than `min(refreshAhead, lifetime × refreshAheadFraction)` remains
    /// (default 5 min).
    #[uniffi(default = None)]
    pub refresh_ahead: Option<Duration>,
    /// See `refreshAhead` (default 0.5; between 0 and 1).
    #[uniffi(default = None)]
    pub refresh_ahead_fraction: Option<f64>,
    /// Random part of the refresh-ahead window by which refreshes move earlier (default 0.1).
    #[uniffi(default = None)]
    pub jitter: Option<f64>,
    /// A token is no longer handed out when less than `min(expiryMargin, lifetime / 4)`
    /// remains (default 5 s).
    #[uniffi(default = None)]
    pub expiry_margin: Option<Duration>,
    /// Lifetime assumed when the server gives none (default 1 h).
    #[uniffi(default = None)]
    pub default_lifetime: Option<Duration>,
    /// First retry delay after a transient failure (default 1 s); doubles each time.
    #[uniffi(default = None)]
    pub backoff_initial: Option<Duration>,
    /// Longest retry delay (default 60 s).
    #[uniffi(default = None)]
    pub backoff_max: Option<Duration>,
    /// Refresh ahead of expiry in the background (default true); without it tokens are
    /// refreshed when a caller finds the current one unusable.
    #[uniffi(default = true)]
    pub background: bool,
}

impl TryFrom<TokenSourceOptions> for refresh::TokenSourceOptions {
    type Error = crate::error::TokenwardError;
    fn try_from(o: TokenSourceOptions) -> FfiResult<Self> {
        let mut c = refresh::TokenSourceOptions::default().with_background(o.background);
        // Ranges are checked by the TokenSource constructors (TokenSourceOptions::validate);
        // `bounded` only keeps huge durations from overflowing before that.
        if let Some(v) = bounded(o.refresh_ahead)? {
            c = c.with_refresh_ahead(v);
        }
        if let Some(v) = o.refresh_ahead_fraction {
            c = c.with_refresh_ahead_fraction(v);
        }
        if let Some(v) = o.jitter {
            c = c.with_jitter(v);
        }
        if let Some(v) = bounded(o.expiry_margin)? {
            c = c.with_expiry_margin(v);
        }
        if let Some(v) = bounded(o.default_lifetime)? {
            c = c.with_default_lifetime(v);
        }
        if let Some(v) = bounded(o.backoff_initial)? {
            c = c.with_backoff_initial(v);
        }
        if let Some(v) = bounded(o.backoff_max)? {
            c = c.with_backoff_max(v);
        }
        Ok(c)
    }
}
