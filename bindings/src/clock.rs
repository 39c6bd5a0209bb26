//! `ManualClock` for Swift and Kotlin: a clock that only moves when told to, for tests and
//! simulations. Pass it to `ApiKeys`, `JwtVerifierOptions.clock`, `RevocationList` and
//! `AuthenticatorOptions.clock`; without one, everything reads the system clock.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

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
    /// A clock frozen at `now` (Kotlin `Instant`, Swift `Date`; later than
    /// 9999-12-31T23:59:59Z is clamped to it, like every move of the clock).
    #[uniffi::constructor]
    pub fn new(now: SystemTime) -> Arc<Self> {
        Arc::new(ManualClock(core::ManualClock::at(now)))
    }

    /// Moves the clock forward by `by` (Kotlin `Duration`, Swift `TimeInterval`).
    pub fn advance(&self, by: Duration) {
        self.0.advance(by);
    }

    /// Sets the clock to `to` (it may go backwards).
    pub fn set(&self, to: SystemTime) {
        self.0.set(to);
    }

    /// The current time of the clock.
    pub fn now(&self) -> SystemTime {
        self.0.now()
    }
}
