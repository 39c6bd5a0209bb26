//! Injectable time. Validation and scheduling read time from a [`Clock`], so tests can use a
//! [`ManualClock`] instead of sleeping.
//!
//! This module is also the one place where durations and instants given by callers (binding
//! options in seconds, clock settings) are bounded: [`duration_from_secs_f64`],
//! [`duration_from_secs`], [`check_duration`] and [`unix_time_from_secs_f64`] refuse what would
//! overflow time arithmetic with `invalid_input`, and [`add`] / [`from_unix_seconds`] saturate
//! instead of panicking on server-chosen values. Bindings call these instead of converting
//! themselves.

use std::fmt::Debug;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;

use crate::{Error, ErrorCode};

/// The longest duration any option accepts (100 years of 366 days, 3 162 240 000 s). Longer
/// values are mistakes; refusing them keeps every `instant + duration` in range.
pub const MAX_DURATION_SECS: u64 = 100 * 366 * 24 * 3600;

/// [`MAX_DURATION_SECS`] as a [`Duration`].
pub const MAX_DURATION: Duration = Duration::from_secs(MAX_DURATION_SECS);

/// The latest instant a caller may set a clock to: 9999-12-31T23:59:59Z, in Unix seconds.
/// [`add`] and [`from_unix_seconds`] saturate at [`max_time`].
pub const MAX_UNIX_SECONDS: u64 = 253_402_300_799;

/// The latest representable instant of this library ([`MAX_UNIX_SECONDS`]).
pub fn max_time() -> SystemTime {
    // 253 402 300 799 s fits every platform's SystemTime (i64 seconds or 100 ns ticks).
    UNIX_EPOCH + Duration::from_secs(MAX_UNIX_SECONDS)
}

fn out_of_range(what: &str) -> Error {
    Error::new(
        ErrorCode::InvalidInput,
        format!("{what} must be a number of seconds between 0 and {MAX_DURATION_SECS}"),
    )
}

/// Seconds (as a float, the form of Python and JavaScript numbers) to a [`Duration`]:
/// `invalid_input` for NaN, infinities, negative values and values above
/// [`MAX_DURATION_SECS`]. `what` names the option in the message.
pub fn duration_from_secs_f64(secs: f64, what: &str) -> Result<Duration, Error> {
    if !(secs.is_finite() && (0.0..=MAX_DURATION_SECS as f64).contains(&secs)) {
        return Err(out_of_range(what));
    }
    Duration::try_from_secs_f64(secs)
        .map_err(|_| out_of_range(what))
        .and_then(|d| check_duration(d, what))
}

/// Whole seconds to a [`Duration`], refusing values above [`MAX_DURATION_SECS`].
pub fn duration_from_secs(secs: u64, what: &str) -> Result<Duration, Error> {
    check_duration(Duration::from_secs(secs), what)
}

/// `duration` itself when at most [`MAX_DURATION`], else `invalid_input` naming `what`.
pub fn check_duration(duration: Duration, what: &str) -> Result<Duration, Error> {
    if duration > MAX_DURATION {
        Err(out_of_range(what))
    } else {
        Ok(duration)
    }
}

/// An instant given as Unix seconds (a float): `invalid_input` unless finite and within
/// `0..=`[`MAX_UNIX_SECONDS`].
pub fn unix_time_from_secs_f64(secs: f64, what: &str) -> Result<SystemTime, Error> {
    if !(secs.is_finite() && (0.0..=MAX_UNIX_SECONDS as f64).contains(&secs)) {
        return Err(Error::new(
            ErrorCode::InvalidInput,
            format!("{what} must be Unix seconds between 0 and {MAX_UNIX_SECONDS}"),
        ));
    }
    Duration::try_from_secs_f64(secs)
        .map(|d| UNIX_EPOCH + d)
        .map_err(|_| Error::new(ErrorCode::InvalidInput, format!("{what} is out of range")))
}

/// `t + d`, saturating at [`max_time`] (never panics, whatever a server announced).
pub fn add(t: SystemTime, d: Duration) -> SystemTime {
    match t.checked_add(d) {
        Some(sum) if sum <= max_time() => sum,
        _ => max_time().max(t),
    }
}

/// A server-given `NumericDate` (Unix seconds, possibly negative or huge) as an instant,
/// clamped to `UNIX_EPOCH..=`[`max_time`].
pub fn from_unix_seconds(secs: i64) -> SystemTime {
    add(UNIX_EPOCH, Duration::from_secs(secs.max(0).unsigned_abs()))
}

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
    /// A clock frozen at `unix_seconds` since the epoch (at most [`MAX_UNIX_SECONDS`]; later
    /// values are clamped to it).
    pub fn at_unix(unix_seconds: u64) -> Arc<Self> {
        ManualClock::at(add(UNIX_EPOCH, Duration::from_secs(unix_seconds)))
    }

    /// A clock frozen at `now` (later than [`max_time`] is clamped to it).
    pub fn at(now: SystemTime) -> Arc<Self> {
        Arc::new(ManualClock {
            now: Mutex::new(now.min(max_time())),
        })
    }

    /// Moves the clock forward, stopping at [`max_time`].
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock();
        *now = add(*now, by);
    }

    /// Sets the clock (it may go backwards; later than [`max_time`] is clamped to it).
    pub fn set(&self, to: SystemTime) {
        *self.now.lock() = to.min(max_time());
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

    #[test]
    fn manual_clock_saturates_instead_of_panicking() {
        let c = ManualClock::at_unix(u64::MAX);
        assert_eq!(c.unix_seconds(), MAX_UNIX_SECONDS as i64);
        c.advance(Duration::MAX);
        assert_eq!(c.unix_seconds(), MAX_UNIX_SECONDS as i64);
        let c = ManualClock::at_unix(10);
        c.advance(Duration::from_secs(u64::MAX));
        assert_eq!(c.unix_seconds(), MAX_UNIX_SECONDS as i64);
        let far = UNIX_EPOCH + Duration::from_secs(MAX_UNIX_SECONDS + 86_400);
        assert_eq!(ManualClock::at(far).now(), max_time());
        c.set(far);
        assert_eq!(c.now(), max_time());
    }

    #[test]
    fn durations_from_options_are_bounded() {
        for bad in [
            1e20,
            1e19,
            f64::NAN,
            f64::INFINITY,
            -f64::INFINITY,
            -1.0,
            -1e-9,
        ] {
            let err = duration_from_secs_f64(bad, "timeout").unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidInput, "{bad}");
            assert!(err.message().contains("timeout"), "{}", err.message());
        }
        assert_eq!(
            duration_from_secs_f64(1.5, "t").unwrap(),
            Duration::from_millis(1500)
        );
        assert_eq!(duration_from_secs_f64(-0.0, "t").unwrap(), Duration::ZERO);
        assert_eq!(
            duration_from_secs_f64(MAX_DURATION_SECS as f64, "t").unwrap(),
            MAX_DURATION
        );
        assert!(duration_from_secs(MAX_DURATION_SECS + 1, "t").is_err());
        assert!(duration_from_secs(u64::MAX, "t").is_err());
        for bad in [1e19, f64::NAN, -1.0, f64::INFINITY] {
            assert_eq!(
                unix_time_from_secs_f64(bad, "now").unwrap_err().code(),
                ErrorCode::InvalidInput
            );
        }
        assert_eq!(
            unix_time_from_secs_f64(5.0, "now").unwrap(),
            UNIX_EPOCH + Duration::from_secs(5)
        );
    }

    #[test]
    fn server_times_saturate() {
        assert_eq!(from_unix_seconds(i64::MAX), max_time());
        assert_eq!(from_unix_seconds(i64::MIN), UNIX_EPOCH);
        assert_eq!(add(max_time(), Duration::MAX), max_time());
        assert_eq!(
            add(UNIX_EPOCH, Duration::from_secs(3)),
            UNIX_EPOCH + Duration::from_secs(3)
        );
    }
}
