//! `ManualClock` for Swift and Kotlin: a clock that only moves when told to, for tests and
//! simulations. Pass it to `ApiKeys`, `JwtVerifierOptions.clock`, `RevocationList` and
//! `AuthenticatorOptions.clock`; without one, everything reads the system clock.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use tokenward::clock::{self as core, Clock, SharedClock};

/// A clock frozen at a given time until `advance…`/`set…` moves it. Shared by every object it
/// is passed to; safe to use from several threads.
#[derive(uniffi::Object, Debug)]
pub struct ManualClock(Arc<core::ManualClock>);

impl ManualClock {
    /// The core clock, to hand to core constructors.
    pub(crate) fn shared(&self) -> SharedClock {
        self.0.clone()
    }
}

/// The core clock of an optional `ManualClock`: the system clock when `None`.
pub(crate) fn shared_or_system(clock: Option<&Arc<ManualClock>>) -> SharedClock {
    clock.map_or_else(core::system, |c| c.shared())
}

#[uniffi::export]
impl ManualClock {
    /// A clock at `unix_seconds` since the epoch (later than 9999-12-31T23:59:59Z is clamped
    /// to it, like every move of the clock).
    #[uniffi::constructor]
    pub fn new(unix_seconds: u64) -> Arc<Self> {
        Arc::new(ManualClock(core::ManualClock::at_unix(unix_seconds)))
    }

    /// Moves the clock forward by `seconds`.
    pub fn advance_seconds(&self, seconds: u64) {
        self.0.advance(Duration::from_secs(seconds));
    }

    /// Moves the clock forward by `millis` milliseconds.
    pub fn advance_millis(&self, millis: u64) {
        self.0.advance(Duration::from_millis(millis));
    }

    /// Sets the clock to `unix_seconds` since the epoch (it may go backwards).
    pub fn set_unix_seconds(&self, unix_seconds: u64) {
        self.0
            .set(core::add(UNIX_EPOCH, Duration::from_secs(unix_seconds)));
    }

    /// The current time, whole Unix seconds.
    pub fn unix_seconds(&self) -> i64 {
        self.0.unix_seconds()
    }
}
