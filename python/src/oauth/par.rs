//! The pushed start of `tokenward.AuthorizationFlow` (RFC 9126):
//! `AuthorizationFlow.start(...)` / `start_async(...)`. Conversion only; the request, its
//! checks and the error mapping live in the core (`tokenward::oauth`, `par.rs`).

use pyo3::prelude::*;
use tokenward::oauth;
use tokenward::runtime;

use super::client::OAuthClient;
use crate::error::IntoPyResult;

/// `AuthorizationFlow.start`: the flow, pushed first when a PAR endpoint is known (blocking;
/// the GIL is released).
pub(super) fn start(
    py: Python<'_>,
    client: &OAuthClient,
    redirect_uri: String,
    options: oauth::AuthorizationFlowOptions,
) -> PyResult<oauth::AuthorizationFlow> {
    py.detach(|| {
        runtime::block_on(oauth::AuthorizationFlow::start(
            &client.0,
            redirect_uri,
            options,
        ))
    })
    .py()?
    .py()
}

/// `await AuthorizationFlow.start_async(...)`: `start(...)` on the library's runtime.
pub(super) fn start_async<'py>(
    py: Python<'py>,
    client: &OAuthClient,
    redirect_uri: String,
    options: oauth::AuthorizationFlowOptions,
) -> PyResult<Bound<'py, PyAny>> {
    let client = client.0.clone();
    crate::aio::spawn(
        py,
        async move { oauth::AuthorizationFlow::start(&client, redirect_uri, options).await },
        |py, flow| Ok(Py::new(py, super::flow::AuthorizationFlow(flow))?.into_any()),
    )
}
