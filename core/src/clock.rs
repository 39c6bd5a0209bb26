//! Injectable time. Validation and scheduling read time from a [`Clock`], so tests can use a
//! [`ManualClock`] instead of sleeping.

use std::fmt::Debug;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;

/// A source of wall-clock time.
pub trait Clock: Send + Sync + Debug {
    /// The current time.
    fn now(&self) -> SystemTime;

    /// The current time in whole seconds since the Unix epoch (JWT `NumericDate`).
    fn unix_seconds(&self) -> i64 {
        unix_seconds(self.now())
    }
}

/// A shareable clock handle.
pub type SharedClock = Arc<dyn Clock>;

/// Seconds since the Unix epoch (negative before 1970).
pub fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// The operating system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// The default clock: the system clock.
pub fn system() -> SharedClock {
    Arc::new(SystemClock)
}

/// A clock that only moves when told to; for tests and simulations.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<SystemTime>,
}

impl ManualClock {
    /// A clock frozen at `unix_seconds` since the epoch.
    pub fn at_unix(unix_seconds: u64) -> Arc<Self> {
        Arc::new(ManualClock {
            now: Mutex::new(UNIX_EPOCH + Duration::from_secs(unix_seconds)),
        })
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        *self.now.lock() += by;
    }

    /// Sets the clock.
    pub fn set(&self, to: SystemTime) {
        *self.now.lock() = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.now.lock()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::at_unix(1_700_000_000);
        assert_eq!(c.unix_seconds(), 1_700_000_000);
        c.advance(Duration::from_secs(61));
        assert_eq!(c.unix_seconds(), 1_700_000_061);
        assert!(SystemClock.unix_seconds() > 1_700_000_000);
    }
}
