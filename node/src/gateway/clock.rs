//! `ManualClock` (core `clock`).

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::napi;
use napi_derive::napi;
use tokenward::clock::{Clock, SharedClock};

use crate::error::{Code, IntoJsResult};

/// A clock that moves only when told to, for tests and simulations. Accepted by
/// `Authenticator` (rate limits), `RevocationList` (expiry) and `JwtVerifier` (claim times).
#[napi]
pub struct ManualClock(pub(crate) Arc<tokenward::clock::ManualClock>);

/// Unix seconds from JS, bounded by the core (`invalid_input` for NaN, negative or huge values;
/// `UNIX_EPOCH + 1e19 s` would overflow `SystemTime`).
fn unix_time(seconds: f64) -> napi::Result<SystemTime, Code> {
    tokenward::clock::unix_time_from_secs_f64(seconds, "a time").js()
}

/// Seconds from JS, bounded by the core's `clock::MAX_DURATION_SECS`.
pub(super) fn seconds(value: f64, what: &'static str) -> napi::Result<Duration, Code> {
    tokenward::clock::duration_from_secs_f64(value, what).js()
}

#[napi]
impl ManualClock {
    /// A clock frozen at `unixSeconds` (fractions allowed).
    #[napi(constructor, catch_unwind)]
    pub fn new(unix_seconds: f64) -> napi::Result<Self, Code> {
        let clock = tokenward::clock::ManualClock::at_unix(0);
        clock.set(unix_time(unix_seconds)?);
        Ok(ManualClock(clock))
    }

    /// Moves the clock forward by `seconds` (fractions allowed).
    #[napi(catch_unwind)]
    pub fn advance(&self, seconds: f64) -> napi::Result<(), Code> {
        self.0.advance(self::seconds(seconds, "advance")?);
        Ok(())
    }

    /// Sets the clock to `unixSeconds`.
    #[napi(catch_unwind)]
    pub fn set(&self, unix_seconds: f64) -> napi::Result<(), Code> {
        self.0.set(unix_time(unix_seconds)?);
        Ok(())
    }

    /// The current time in Unix seconds (with fractions).
    #[napi(getter, catch_unwind)]
    pub fn now(&self) -> f64 {
        self.0
            .now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64())
    }
}

impl ManualClock {
    pub(crate) fn shared(&self) -> SharedClock {
        self.0.clone()
    }
}
