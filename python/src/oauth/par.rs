//! The pushed start of `tokenward.AuthorizationFlow` (RFC 9126):
//! `AuthorizationFlow.start(...)` / `start_async(...)`. Conversion only; the request, its
//! checks and the error mapping live in the core (`tokenward::oauth`, `par.rs`).

use pyo3::prelude::*;
use pyo3::types::PyDict;
use tokenward::oauth;
use tokenward::runtime;

use super::client::OAuthClient;
use super::id_token::IdTokenVerifier;
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

/// `await AuthorizationFlow.start_async(...)`: `start(...)` in the running loop's default
/// executor, with the same arguments.
#[allow(clippy::too_many_arguments)]
pub(super) fn start_async<'py>(
    cls: &Bound<'py, pyo3::types::PyType>,
    py: Python<'py>,
    client: Py<OAuthClient>,
    redirect_uri: String,
    scopes: Option<Vec<String>>,
    max_age: Option<Bound<'py, PyAny>>,
    id_token_verifier: Option<Py<IdTokenVerifier>>,
    pushed_authorization_url: Option<String>,
    require_pushed_authorization: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let kwargs = PyDict::new(py);
    kwargs.set_item("scopes", scopes)?;
    kwargs.set_item("max_age", max_age)?;
    kwargs.set_item("id_token_verifier", id_token_verifier)?;
    kwargs.set_item("pushed_authorization_url", pushed_authorization_url)?;
    kwargs.set_item("require_pushed_authorization", require_pushed_authorization)?;
    let call = py
        .import("functools")?
        .getattr("partial")?
        .call((cls.getattr("start")?, client, redirect_uri), Some(&kwargs))?;
    let lp = py.import("asyncio")?.call_method0("get_running_loop")?;
    lp.call_method1("run_in_executor", (py.None(), call))
}
