//! `tokenward.ManualClock`: the core's injectable clock, for tests and simulations.

use std::sync::Arc;
use std::time::SystemTime;

use pyo3::prelude::*;
use tokenward::clock::{self, Clock, SharedClock};

use crate::apikeys::duration_arg;
use crate::error::{invalid_input, Builtin, IntoPyResult};

/// A clock that only moves when told to. Pass it as ``clock=`` to ``ApiKeys``,
/// ``JwtVerifier``, ``RevocationList`` and ``Authenticator`` to test expiry and rate limits
/// without sleeping.
#[pyclass(module = "tokenward", name = "ManualClock", frozen)]
pub struct ManualClock(pub(crate) Arc<clock::ManualClock>);

impl ManualClock {
    /// The clock as the core's shared handle.
    pub(crate) fn shared(&self) -> SharedClock {
        self.0.clone()
    }
}

/// The core clock of an optional ``clock=`` argument (the system clock when absent).
pub(crate) fn clock_arg(clock: Option<&Bound<'_, ManualClock>>) -> Option<SharedClock> {
    clock.map(|c| c.get().shared())
}

/// An instant argument: an aware ``datetime`` (the Python form of instants) or Unix seconds.
/// A naive ``datetime`` is refused: its meaning depends on the machine's time zone.
fn instant_arg(value: &Bound<'_, PyAny>, name: &str) -> PyResult<SystemTime> {
    let secs: f64 = if value.hasattr("tzinfo")? {
        if value.getattr("utcoffset")?.call0()?.is_none() {
            return Err(invalid_input(
                Builtin::Value,
                format!("{name} must be an aware datetime (with a tzinfo)"),
            ));
        }
        value.call_method0("timestamp")?.extract()?
    } else {
        value.extract().map_err(|_| {
            invalid_input(
                Builtin::Type,
                format!("{name} must be an aware datetime or Unix seconds"),
            )
        })?
    };
    clock::unix_time_from_secs_f64(secs, name).py()
}

#[pymethods]
impl ManualClock {
    /// A clock stopped at ``at`` (an aware ``datetime`` or Unix seconds).
    #[new]
    fn new(at: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(ManualClock(clock::ManualClock::at(instant_arg(at, "at")?)))
    }

    /// Moves the clock forward by ``by`` (a ``timedelta`` or seconds).
    fn advance(&self, by: &Bound<'_, PyAny>) -> PyResult<()> {
        self.0.advance(duration_arg(by, "by")?);
        Ok(())
    }

    /// Sets the clock to ``at`` (an aware ``datetime`` or Unix seconds).
    fn set(&self, at: &Bound<'_, PyAny>) -> PyResult<()> {
        self.0.set(instant_arg(at, "at")?);
        Ok(())
    }

    /// The current time, an aware UTC ``datetime``.
    fn now(&self) -> SystemTime {
        self.0.now()
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let now = slf.get().0.now().into_pyobject(slf.py())?;
        Ok(format!("ManualClock({})", now.repr()?))
    }
}
