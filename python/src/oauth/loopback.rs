//! `LoopbackRedirect` (core `oauth::loopback`, RFC 8252 §7.3).

use std::sync::Arc;
use std::time::Duration;

use pyo3::prelude::*;
use tokenward::__bindings::runtime::within;
use tokenward::oauth;
use tokenward::runtime;

use super::flow::AuthorizationFlow;
use super::token::TokenResponse;
use crate::aio;
use crate::apikeys::duration_arg;
use crate::error::IntoPyResult;

/// The default wait for the browser's redirect.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);
/// How often a blocking wait looks for Ctrl-C.
const SIGNAL_CHECK: Duration = Duration::from_millis(200);

fn timeout_arg(timeout: Option<&Bound<'_, PyAny>>) -> PyResult<Duration> {
    timeout.map_or(Ok(DEFAULT_TIMEOUT), |t| duration_arg(t, "timeout"))
}

/// The redirect of a CLI or desktop login: listens on `127.0.0.1` on an ephemeral port; give
/// `redirect_uri` to the `AuthorizationFlow`, open its URL, then `complete(flow)`.
#[pyclass(module = "tokenward", name = "LoopbackRedirect", frozen)]
pub struct LoopbackRedirect(Arc<oauth::LoopbackRedirect>);

#[pymethods]
impl LoopbackRedirect {
    #[new]
    fn new() -> PyResult<Self> {
        Ok(LoopbackRedirect(Arc::new(
            oauth::LoopbackRedirect::new().py()?,
        )))
    }

    /// `http://127.0.0.1:PORT/callback`.
    #[getter]
    fn redirect_uri(&self) -> &str {
        self.0.redirect_uri()
    }

    /// The port listened on.
    #[getter]
    fn port(&self) -> u16 {
        self.0.port()
    }

    /// Waits (default 300 s; `TimeoutError` with code `timeout`) for the one redirect, answers
    /// the browser with a page saying it can be closed, and completes `flow` with it (blocking,
    /// GIL released; Ctrl-C interrupts).
    #[pyo3(signature = (flow, timeout=None))]
    fn complete(
        &self,
        py: Python<'_>,
        flow: &AuthorizationFlow,
        timeout: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<TokenResponse> {
        let timeout = timeout_arg(timeout)?;
        let mut work = Box::pin(self.0.complete(&flow.0, timeout));
        loop {
            let step = py
                .detach(|| runtime::block_on(within(SIGNAL_CHECK, work.as_mut())))
                .py()?;
            if let Some(r) = step {
                return Ok(TokenResponse(r.py()?));
            }
            py.check_signals()?;
        }
    }

    /// `await redirect.complete_async(flow, timeout)`: `complete` on the library's runtime.
    #[pyo3(signature = (flow, timeout=None))]
    fn complete_async<'py>(
        &self,
        py: Python<'py>,
        flow: Py<AuthorizationFlow>,
        timeout: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let timeout = timeout_arg(timeout)?;
        let redirect = self.0.clone();
        aio::spawn(
            py,
            async move { redirect.complete(&flow.get().0, timeout).await },
            |py, r| Ok(Py::new(py, TokenResponse(r))?.into_any()),
        )
    }

    fn __repr__(&self) -> String {
        format!("LoopbackRedirect(port={})", self.0.port())
    }
}
