//! `RateLimit` (core `gateway::ratelimit`).

use std::time::Duration;

use tokenward::gateway as core;

/// One rate limit: `rate` requests per `period`, with bursts of up to `burst`.
#[derive(uniffi::Record, Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests per period (≥ 1).
    pub rate: u32,
    /// Requests that may arrive at once (≥ 1).
    pub burst: u32,
    /// The period (non-zero); `None`: one second (the core's `DEFAULT_RATE_LIMIT_PERIOD`).
    #[uniffi(default = None)]
    pub period: Option<Duration>,
}

impl From<RateLimit> for core::RateLimit {
    fn from(l: RateLimit) -> Self {
        core::RateLimit {
            rate: l.rate,
            period: l.period.unwrap_or(core::DEFAULT_RATE_LIMIT_PERIOD),
            burst: l.burst,
        }
    }
}
