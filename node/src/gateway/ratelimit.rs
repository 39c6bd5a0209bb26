//! `RateLimitOptions` (core `gateway::ratelimit`).

use crate::napi;
use napi_derive::napi;
use tokenward::gateway::{self as core, RateLimit};

use super::clock::seconds;
use crate::error::{Code, IntoJsResult};

/// A rate limit: `rate` requests per `period` seconds, with bursts of up to `burst`.
#[napi(object)]
pub struct RateLimitOptions {
    /// Requests per period (at least 1).
    pub rate: u32,
    /// Requests that may arrive at once (at least 1).
    pub burst: u32,
    /// The period in seconds (default 1).
    pub period: Option<f64>,
}

pub(super) fn rate_limit(o: &RateLimitOptions) -> napi::Result<RateLimit, Code> {
    let period = match o.period {
        None => core::DEFAULT_RATE_LIMIT_PERIOD,
        Some(p) => seconds(p, "a rate-limit period")?,
    };
    RateLimit::new(o.rate, period, o.burst).js()
}
