//! `TokenSourceOptions` (core `refresh::options`).

use std::time::Duration;

use pyo3::prelude::*;
use tokenward::refresh::TokenSourceOptions;

use crate::apikeys::duration_arg;
use crate::error::IntoPyResult;

/// When a `TokenSource` refreshes and how it retries (the core's `TokenSourceOptions`).
/// Durations are `timedelta`s (seconds accepted); unset values are the core's defaults.
#[pyclass(
    module = "tokenward",
    name = "TokenSourceOptions",
    frozen,
    from_py_object
)]
#[derive(Clone, Copy)]
pub struct PyTokenSourceOptions(pub(crate) TokenSourceOptions);

#[pymethods]
impl PyTokenSourceOptions {
    #[new]
    #[pyo3(signature = (*, refresh_ahead=None, refresh_ahead_fraction=None, jitter=None,
        expiry_margin=None, default_lifetime=None, backoff_initial=None, backoff_max=None,
        background=true))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        refresh_ahead: Option<&Bound<'_, PyAny>>,
        refresh_ahead_fraction: Option<f64>,
        jitter: Option<f64>,
        expiry_margin: Option<&Bound<'_, PyAny>>,
        default_lifetime: Option<&Bound<'_, PyAny>>,
        backoff_initial: Option<&Bound<'_, PyAny>>,
        backoff_max: Option<&Bound<'_, PyAny>>,
        background: bool,
    ) -> PyResult<Self> {
        let mut o = TokenSourceOptions::default().with_background(background);
        if let Some(v) = refresh_ahead {
            o = o.with_refresh_ahead(duration_arg(v, "refresh_ahead")?);
        }
        if let Some(v) = refresh_ahead_fraction {
            o = o.with_refresh_ahead_fraction(v);
        }
        if let Some(v) = jitter {
            o = o.with_jitter(v);
        }
        if let Some(v) = expiry_margin {
            o = o.with_expiry_margin(duration_arg(v, "expiry_margin")?);
        }
        if let Some(v) = default_lifetime {
            o = o.with_default_lifetime(duration_arg(v, "default_lifetime")?);
        }
        if let Some(v) = backoff_initial {
            o = o.with_backoff_initial(duration_arg(v, "backoff_initial")?);
        }
        if let Some(v) = backoff_max {
            o = o.with_backoff_max(duration_arg(v, "backoff_max")?);
        }
        // The core's checks (InvalidInputError, a ValueError), raised here rather than later.
        o.validate().py()?;
        Ok(PyTokenSourceOptions(o))
    }

    /// Refresh when less than `min(refresh_ahead, lifetime × refresh_ahead_fraction)` remains.
    #[getter]
    fn refresh_ahead(&self) -> Duration {
        self.0.refresh_ahead()
    }
    /// See `refresh_ahead`.
    #[getter]
    fn refresh_ahead_fraction(&self) -> f64 {
        self.0.refresh_ahead_fraction()
    }
    /// Random fraction of the refresh-ahead window by which the refresh moves earlier.
    #[getter]
    fn jitter(&self) -> f64 {
        self.0.jitter()
    }
    /// A token is no longer handed out when less than `min(expiry_margin, lifetime / 4)`
    /// remains.
    #[getter]
    fn expiry_margin(&self) -> Duration {
        self.0.expiry_margin()
    }
    /// Assumed lifetime of a token without `expires_in`.
    #[getter]
    fn default_lifetime(&self) -> Duration {
        self.0.default_lifetime()
    }
    /// First retry delay after a transient failure; doubles each time.
    #[getter]
    fn backoff_initial(&self) -> Duration {
        self.0.backoff_initial()
    }
    /// Longest retry delay.
    #[getter]
    fn backoff_max(&self) -> Duration {
        self.0.backoff_max()
    }
    /// Whether the background refresh task runs.
    #[getter]
    fn background(&self) -> bool {
        self.0.background()
    }

    fn __repr__(&self) -> String {
        let o = &self.0;
        let td = |d: Duration| format!("datetime.timedelta(seconds={})", d.as_secs_f64());
        format!(
            "TokenSourceOptions(refresh_ahead={}, refresh_ahead_fraction={}, jitter={}, expiry_margin={}, default_lifetime={}, backoff_initial={}, backoff_max={}, background={})",
            td(o.refresh_ahead()),
            o.refresh_ahead_fraction(),
            o.jitter(),
            td(o.expiry_margin()),
            td(o.default_lifetime()),
            td(o.backoff_initial()),
            td(o.backoff_max()),
            if o.background() { "True" } else { "False" }
        )
    }
}

/// `options`, or the core's defaults.
pub(super) fn options(options: Option<PyTokenSourceOptions>) -> TokenSourceOptions {
    options.map_or_else(TokenSourceOptions::default, |o| o.0)
}
