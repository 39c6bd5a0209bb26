//! `tokenward.ManualClock`: the core's injectable clock, for tests and simulations.

use std::sync::Arc;
use std::time::UNIX_EPOCH;

use pyo3::prelude::*;
use tokenward::clock::{self, SharedClock};

use crate::apikeys::duration_arg;
use crate::error::IntoPyResult;

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

#[pymethods]
impl ManualClock {
    #[new]
    fn new(unix_seconds: f64) -> PyResult<Self> {
        let t = clock::unix_time_from_secs_f64(unix_seconds, "unix_seconds").py()?;
        let c = clock::ManualClock::at_unix(0);
        c.set(t);
        Ok(ManualClock(c))
    }

    /// Moves the clock forward by ``by`` (a ``timedelta`` or seconds).
    fn advance(&self, by: &Bound<'_, PyAny>) -> PyResult<()> {
        self.0.advance(duration_arg(by, "by")?);
        Ok(())
    }

    /// Sets the clock to ``unix_seconds``.
    fn set(&self, unix_seconds: f64) -> PyResult<()> {
        self.0
            .set(clock::unix_time_from_secs_f64(unix_seconds, "unix_seconds").py()?);
        Ok(())
    }

    /// The current time, Unix seconds.
    fn now(&self) -> f64 {
        use tokenward::clock::Clock;
        self.0
            .now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64())
    }

    fn __repr__(&self) -> String {
        format!("ManualClock({})", self.now())
    }
}
