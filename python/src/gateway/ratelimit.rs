//! `RateLimit` (core `gateway::ratelimit`).

use std::time::Duration;

use pyo3::prelude::*;
use tokenward::gateway::{self};

use crate::apikeys::duration_arg;
use crate::error::IntoPyResult;

// --- RateLimit ------------------------------------------------------------------------------

/// ``rate`` requests per ``period`` (a ``timedelta`` or seconds; default 1 s, the core's
/// ``DEFAULT_RATE_LIMIT_PERIOD``), in bursts of up to ``burst`` (GCRA).
#[pyclass(module = "tokenward", name = "RateLimit", frozen, from_py_object)]
#[derive(Clone, Copy)]
pub struct RateLimit(pub(crate) gateway::RateLimit);

#[pymethods]
impl RateLimit {
    #[new]
    #[pyo3(signature = (rate, *, burst, period=None))]
    fn new(rate: u32, burst: u32, period: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let period = match period {
            Some(p) => duration_arg(p, "period")?,
            None => gateway::DEFAULT_RATE_LIMIT_PERIOD,
        };
        Ok(RateLimit(
            gateway::RateLimit::new(rate, period, burst).py()?,
        ))
    }

    /// ``rate`` requests per second, in bursts of up to ``burst``.
    #[staticmethod]
    fn per_second(rate: u32, burst: u32) -> PyResult<Self> {
        let l = gateway::RateLimit::per_second(rate, burst);
        l.validate().py()?;
        Ok(RateLimit(l))
    }

    /// ``rate`` requests per minute, in bursts of up to ``burst``.
    #[staticmethod]
    fn per_minute(rate: u32, burst: u32) -> PyResult<Self> {
        let l = gateway::RateLimit::per_minute(rate, burst);
        l.validate().py()?;
        Ok(RateLimit(l))
    }

    /// Requests per period.
    #[getter]
    fn rate(&self) -> u32 {
        self.0.rate
    }

    /// The period.
    #[getter]
    fn period(&self) -> Duration {
        self.0.period
    }

    /// Requests that may arrive at once.
    #[getter]
    fn burst(&self) -> u32 {
        self.0.burst
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.extract::<RateLimit>().is_ok_and(|o| o.0 == self.0)
    }

    fn __hash__(&self) -> u64 {
        u64::from(self.0.rate) ^ (u64::from(self.0.burst) << 32) ^ self.0.period.as_nanos() as u64
    }

    fn __repr__(&self) -> String {
        format!(
            "RateLimit({}, burst={}, period=timedelta(seconds={}))",
            self.0.rate,
            self.0.burst,
            self.0.period.as_secs_f64()
        )
    }
}

// --- RevocationList -------------------------------------------------------------------------
