//! `AuthorizationFlow` (core `oauth::flow`).

use pyo3::prelude::*;
use tokenward::oauth::{self};
use tokenward::runtime;

use super::client::OAuthClient;
use super::id_token::IdTokenVerifier;
use super::par;
use super::token::TokenResponse;
use crate::aio;
use crate::apikeys::duration_arg;
use crate::error::{invalid_input, Builtin, IntoPyResult};

/// The keyword settings shared by `AuthorizationFlow(...)` and `AuthorizationFlow.start(...)`,
/// as the core's options.
fn flow_options(
    scopes: Option<Vec<String>>,
    max_age: Option<&Bound<'_, PyAny>>,
    id_token_verifier: Option<&IdTokenVerifier>,
    pushed_authorization_url: Option<String>,
    require_pushed_authorization: bool,
) -> PyResult<oauth::AuthorizationFlowOptions> {
    let mut options = oauth::AuthorizationFlowOptions::new()
        .with_scopes(scopes.unwrap_or_default())
        .with_require_pushed_authorization(require_pushed_authorization);
    if let Some(m) = max_age {
        options = options.with_max_age(duration_arg(m, "max_age")?);
    }
    if let Some(v) = id_token_verifier {
        options = options.with_id_token_verifier(v.0.clone());
    }
    if let Some(u) = pushed_authorization_url {
        options = options.with_pushed_authorization_url(u);
    }
    Ok(options)
}

/// One login attempt of an app (authorization code + PKCE S256, `state`, OpenID Connect
/// `nonce`, RFC 9207 `iss`): the URL to open, then `complete(redirect_url)`.
#[pyclass(module = "tokenward", name = "AuthorizationFlow", frozen)]
pub struct AuthorizationFlow(pub(super) oauth::AuthorizationFlow);

#[pymethods]
impl AuthorizationFlow {
    #[new]
    #[pyo3(signature = (client, redirect_uri, *, scopes=None, max_age=None, id_token_verifier=None,
        pushed_authorization_url=None, require_pushed_authorization=false))]
    fn new(
        client: &OAuthClient,
        redirect_uri: String,
        scopes: Option<Vec<String>>,
        max_age: Option<&Bound<'_, PyAny>>,
        id_token_verifier: Option<&IdTokenVerifier>,
        pushed_authorization_url: Option<String>,
        require_pushed_authorization: bool,
    ) -> PyResult<Self> {
        let options = flow_options(
            scopes,
            max_age,
            id_token_verifier,
            pushed_authorization_url,
            require_pushed_authorization,
        )?;
        Ok(AuthorizationFlow(
            oauth::AuthorizationFlow::new(&client.0, redirect_uri, options).py()?,
        ))
    }

    /// The flow, pushed to the server first (RFC 9126) when it has a PAR endpoint (the
    /// discovered one, or `pushed_authorization_url`); blocking, the GIL is released.
    #[staticmethod]
    #[pyo3(signature = (client, redirect_uri, *, scopes=None, max_age=None, id_token_verifier=None,
        pushed_authorization_url=None, require_pushed_authorization=false))]
    #[allow(clippy::too_many_arguments)]
    fn start(
        py: Python<'_>,
        client: &OAuthClient,
        redirect_uri: String,
        scopes: Option<Vec<String>>,
        max_age: Option<&Bound<'_, PyAny>>,
        id_token_verifier: Option<&IdTokenVerifier>,
        pushed_authorization_url: Option<String>,
        require_pushed_authorization: bool,
    ) -> PyResult<Self> {
        let options = flow_options(
            scopes,
            max_age,
            id_token_verifier,
            pushed_authorization_url,
            require_pushed_authorization,
        )?;
        par::start(py, client, redirect_uri, options).map(AuthorizationFlow)
    }

    /// `await AuthorizationFlow.start_async(...)`: `start()` on the library's runtime.
    #[classmethod]
    #[pyo3(signature = (client, redirect_uri, *, scopes=None, max_age=None, id_token_verifier=None,
        pushed_authorization_url=None, require_pushed_authorization=false))]
    #[allow(clippy::too_many_arguments)]
    fn start_async<'py>(
        _cls: &Bound<'py, pyo3::types::PyType>,
        py: Python<'py>,
        client: &OAuthClient,
        redirect_uri: String,
        scopes: Option<Vec<String>>,
        max_age: Option<&Bound<'py, PyAny>>,
        id_token_verifier: Option<&IdTokenVerifier>,
        pushed_authorization_url: Option<String>,
        require_pushed_authorization: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let options = flow_options(
            scopes,
            max_age,
            id_token_verifier,
            pushed_authorization_url,
            require_pushed_authorization,
        )?;
        par::start_async(py, client, redirect_uri, options)
    }

    /// The `request_uri` of the pushed authorization request, or `None` when not pushed.
    #[getter]
    fn request_uri(&self) -> Option<&str> {
        self.0.request_uri()
    }

    /// The URL to open in the browser.
    #[getter]
    fn authorization_url(&self) -> &str {
        self.0.authorization_url()
    }

    /// The redirect URI the flow was made for.
    #[getter]
    fn redirect_uri(&self) -> &str {
        self.0.redirect_uri()
    }

    /// The `state` sent (the flow compares it itself).
    #[getter]
    fn state(&self) -> &str {
        self.0.state()
    }

    /// The OpenID Connect `nonce` sent, when the scopes include `openid`.
    #[getter]
    fn nonce(&self) -> Option<&str> {
        self.0.nonce()
    }

    /// The scopes asked for.
    #[getter]
    fn scopes(&self) -> Vec<String> {
        self.0.scopes().to_vec()
    }

    /// Checks the redirect the browser came back with (redirect URI, `iss`, `state`, `error`)
    /// and exchanges its code for tokens (blocking; GIL released).
    fn complete(&self, py: Python<'_>, redirect_url: &str) -> PyResult<TokenResponse> {
        let r = py
            .detach(|| runtime::block_on(self.0.complete(redirect_url)))
            .py()?
            .py()?;
        Ok(TokenResponse(r))
    }

    /// `await flow.complete_async(redirect_url)`: `complete()` on the library's runtime; a
    /// redirect refused before any request (wrong `state`, `error=`, `iss`) is raised at once.
    fn complete_async<'py>(
        slf: &Bound<'py, Self>,
        py: Python<'py>,
        redirect_url: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        if let Err(e) = slf.get().0.code_from_redirect(&redirect_url) {
            return aio::Ready::of(py, Err::<(), _>(e).py());
        }
        let flow = slf.clone().unbind();
        aio::spawn(
            py,
            async move { flow.get().0.complete(&redirect_url).await },
            |py, r| Ok(Py::new(py, TokenResponse(r))?.into_any()),
        )
    }

    fn __repr__(&self) -> String {
        format!(
            "AuthorizationFlow(client_id='{}', redirect_uri='{}')",
            self.0.client().client_id(),
            self.0.redirect_uri()
        )
    }

    fn __reduce__(&self) -> PyResult<()> {
        Err(invalid_input(
            Builtin::Type,
            "AuthorizationFlow cannot be pickled",
        ))
    }
}
