//! `tokenward.OAuthClient`, `TokenSource`, `AccessToken`, `TokenResponse`: conversions only;
//! the grants, error mapping and refresh scheduling live in the core.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use pyo3::prelude::*;
use tokenward::http::HttpPolicy;
use tokenward::oauth::{self, AuthMethod};
use tokenward::refresh::{self, RefreshOptions};
use tokenward::runtime;

use crate::apikeys::duration_arg;
use crate::error::{invalid_input, Builtin, IntoPyResult};
use crate::jwt::JwtKey;
use crate::secret::Secret;

fn policy(timeout: f64) -> PyResult<HttpPolicy> {
    Ok(HttpPolicy {
        timeout: positive_timeout(timeout)?,
        ..Default::default()
    })
}

/// A request timeout in seconds: bounded by the core (`InvalidInputError` for NaN, negative,
/// infinite or huge values) and not zero.
pub(crate) fn positive_timeout(timeout: f64) -> PyResult<Duration> {
    let d = tokenward::clock::duration_from_secs_f64(timeout, "timeout").py()?;
    if d.is_zero() {
        return Err(crate::error::to_py(tokenward::Error::new(
            tokenward::ErrorCode::InvalidInput,
            "timeout must be a positive number of seconds",
        )));
    }
    Ok(d)
}

/// A `str` or a `Secret` argument as a core secret.
fn secret_arg(value: &Bound<'_, PyAny>) -> PyResult<tokenward::Secret> {
    if let Ok(s) = value.cast::<Secret>() {
        return Ok(s.get().0.clone());
    }
    tokenward::Secret::new(value.extract::<String>()?).py()
}

/// An access token. `repr`/`str` are redacted; `expose()` gives the string.
#[pyclass(module = "tokenward", name = "AccessToken", frozen)]
#[derive(Clone)]
pub struct AccessToken(pub(crate) oauth::AccessToken);

#[pymethods]
impl AccessToken {
    /// The token string, for an `Authorization` header (explicit on purpose).
    fn expose(&self) -> &str {
        self.0.expose()
    }

    /// Expiry as Unix seconds (float), or `None` when the server gave no lifetime.
    #[getter]
    fn expires_at(&self) -> Option<f64> {
        self.0
            .expires_at()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_secs_f64())
    }

    /// The granted scopes.
    #[getter]
    fn scopes(&self) -> Vec<String> {
        self.0.scopes().to_vec()
    }

    /// The token type (`Bearer`, …).
    #[getter]
    fn token_type(&self) -> &str {
        self.0.token_type()
    }

    /// A short identifier of the token, safe to log.
    #[getter]
    fn fingerprint(&self) -> &str {
        self.0.secret().fingerprint()
    }

    fn __repr__(&self) -> String {
        self.0.redacted()
    }

    fn __str__(&self) -> String {
        self.0.redacted()
    }

    /// Tokens refuse to be pickled (the pickle would carry the value in clear).
    fn __reduce__(&self) -> PyResult<()> {
        Err(invalid_input(
            Builtin::Type,
            "AccessToken cannot be pickled",
        ))
    }
}

/// A token-endpoint answer: `access_token`, `refresh_token` (a `Secret`, possibly rotated),
/// `id_token`, `expires_in`.
#[pyclass(module = "tokenward", name = "TokenResponse", frozen)]
pub struct TokenResponse(oauth::TokenResponse);

#[pymethods]
impl TokenResponse {
    /// The access token.
    #[getter]
    fn access_token(&self) -> AccessToken {
        AccessToken(self.0.access_token.clone())
    }

    /// The refresh token, if any (replace the stored one when it changes).
    #[getter]
    fn refresh_token(&self) -> Option<Secret> {
        self.0.refresh_token.clone().map(Secret)
    }

    /// The OpenID Connect ID token, if any.
    #[getter]
    fn id_token(&self) -> Option<Secret> {
        self.0.id_token.clone().map(Secret)
    }

    /// Lifetime in seconds announced by the server.
    #[getter]
    fn expires_in(&self) -> Option<u64> {
        self.0.expires_in.map(|d| d.as_secs())
    }

    fn __repr__(&self) -> String {
        format!(
            "TokenResponse(access_token={}, refresh_token={}, expires_in={:?})",
            self.0.access_token.redacted(),
            self.0
                .refresh_token
                .as_ref()
                .map_or("None".to_owned(), |s| s.redacted()),
            self.0.expires_in.map(|d| d.as_secs())
        )
    }
}

/// An OAuth 2.0 client of one authorization server.
#[pyclass(module = "tokenward", name = "OAuthClient", frozen)]
#[derive(Clone)]
pub struct OAuthClient(pub(crate) oauth::OAuthClient);

#[allow(clippy::too_many_arguments)]
fn finish(
    mut b: oauth::OAuthClientBuilder,
    client_secret: Option<&Bound<'_, PyAny>>,
    auth_method: Option<&str>,
    private_key: Option<JwtKey>,
    introspection_url: Option<String>,
    revocation_url: Option<String>,
) -> PyResult<OAuthClient> {
    if let Some(s) = client_secret {
        b = b.client_secret(secret_arg(s)?);
    }
    if let Some(k) = private_key {
        b = b.private_key(k.0);
    }
    if let Some(m) = auth_method {
        b = b.auth_method(AuthMethod::parse(m).py()?);
    }
    if let Some(u) = introspection_url {
        b = b.introspection_url(u);
    }
    if let Some(u) = revocation_url {
        b = b.revocation_url(u);
    }
    Ok(OAuthClient(b.build().py()?))
}

#[pymethods]
impl OAuthClient {
    #[new]
    #[pyo3(signature = (token_url, client_id, client_secret=None, *, auth_method=None, private_key=None, introspection_url=None, revocation_url=None, timeout=5.0))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        token_url: String,
        client_id: String,
        client_secret: Option<&Bound<'_, PyAny>>,
        auth_method: Option<&str>,
        private_key: Option<JwtKey>,
        introspection_url: Option<String>,
        revocation_url: Option<String>,
        timeout: f64,
    ) -> PyResult<Self> {
        let b = oauth::OAuthClient::builder(token_url, client_id).http_policy(policy(timeout)?);
        finish(
            b,
            client_secret,
            auth_method,
            private_key,
            introspection_url,
            revocation_url,
        )
    }

    /// Discovers the server at `issuer_url` (RFC 8414, then OIDC) and builds a client with
    /// its endpoints (blocking; the GIL is released).
    #[staticmethod]
    #[pyo3(signature = (issuer_url, client_id, client_secret=None, *, auth_method=None, private_key=None, timeout=5.0))]
    fn discover(
        py: Python<'_>,
        issuer_url: &str,
        client_id: String,
        client_secret: Option<&Bound<'_, PyAny>>,
        auth_method: Option<&str>,
        private_key: Option<JwtKey>,
        timeout: f64,
    ) -> PyResult<Self> {
        let p = policy(timeout)?;
        let (b, _) = py
            .detach(|| runtime::block_on(oauth::OAuthClient::discover(issuer_url, client_id, p)))
            .py()?
            .py()?;
        finish(b, client_secret, auth_method, private_key, None, None)
    }

    /// The token endpoint.
    #[getter]
    fn token_url(&self) -> &str {
        self.0.token_url()
    }

    /// The client authentication method.
    #[getter]
    fn auth_method(&self) -> &'static str {
        self.0.auth_method().as_str()
    }

    /// The client-credentials grant (blocking; GIL released).
    #[pyo3(signature = (scopes=None))]
    fn client_credentials(
        &self,
        py: Python<'_>,
        scopes: Option<Vec<String>>,
    ) -> PyResult<TokenResponse> {
        let scopes = scopes.unwrap_or_default();
        let r = py
            .detach(|| runtime::block_on(self.0.client_credentials(&scopes)))
            .py()?
            .py()?;
        Ok(TokenResponse(r))
    }

    /// The refresh-token grant; keep `refresh_token` of the answer when present (rotation).
    #[pyo3(signature = (refresh_token, scopes=None))]
    fn refresh(
        &self,
        py: Python<'_>,
        refresh_token: &Bound<'_, PyAny>,
        scopes: Option<Vec<String>>,
    ) -> PyResult<TokenResponse> {
        let rt = secret_arg(refresh_token)?;
        let scopes = scopes.unwrap_or_default();
        let r = py
            .detach(|| runtime::block_on(self.0.refresh(&rt, &scopes)))
            .py()?
            .py()?;
        Ok(TokenResponse(r))
    }

    /// RFC 7662 introspection: the answer as a dict (`active` is always present).
    #[pyo3(signature = (token, token_type_hint=None))]
    fn introspect<'py>(
        &self,
        py: Python<'py>,
        token: &Bound<'py, PyAny>,
        token_type_hint: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let t = secret_arg(token)?;
        let i = py
            .detach(|| runtime::block_on(self.0.introspect(&t, token_type_hint)))
            .py()?
            .py()?;
        crate::json::to_py(py, &serde_json::Value::Object(i.claims))
    }

    /// RFC 7009 revocation.
    #[pyo3(signature = (token, token_type_hint=None))]
    fn revoke(
        &self,
        py: Python<'_>,
        token: &Bound<'_, PyAny>,
        token_type_hint: Option<&str>,
    ) -> PyResult<()> {
        let t = secret_arg(token)?;
        py.detach(|| runtime::block_on(self.0.revoke(&t, token_type_hint)))
            .py()?
            .py()
    }

    fn __repr__(&self) -> String {
        format!(
            "OAuthClient(token_url={:?}, client_id={:?}, auth_method={:?})",
            self.0.token_url(),
            self.0.client_id(),
            self.0.auth_method().as_str()
        )
    }
}

/// An access token that is always valid when asked for: refreshed in the background ahead of
/// expiry, one request however many threads ask, `invalid_grant` terminal.
#[pyclass(module = "tokenward", name = "TokenSource", frozen)]
pub struct TokenSource(refresh::TokenSource);

/// A fraction in `[0, 1]`.
/// When a `TokenSource` refreshes and how it retries (the core's `RefreshOptions`). Durations
/// are seconds or `timedelta`s.
#[pyclass(module = "tokenward", name = "RefreshOptions", frozen, from_py_object)]
#[derive(Clone, Copy)]
pub struct PyRefreshOptions(pub(crate) RefreshOptions);

#[pymethods]
impl PyRefreshOptions {
    #[new]
    #[pyo3(signature = (*, refresh_ahead=None, refresh_ahead_fraction=0.5, jitter=0.1,
        expiry_margin=None, default_lifetime=None, backoff_initial=None, backoff_max=None,
        background=true))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        refresh_ahead: Option<&Bound<'_, PyAny>>,
        refresh_ahead_fraction: f64,
        jitter: f64,
        expiry_margin: Option<&Bound<'_, PyAny>>,
        default_lifetime: Option<&Bound<'_, PyAny>>,
        backoff_initial: Option<&Bound<'_, PyAny>>,
        backoff_max: Option<&Bound<'_, PyAny>>,
        background: bool,
    ) -> PyResult<Self> {
        let d = RefreshOptions::default();
        let dur = |v: Option<&Bound<'_, PyAny>>, name: &str, default: Duration| match v {
            Some(v) => duration_arg(v, name),
            None => Ok(default),
        };
        let o = RefreshOptions {
            refresh_ahead: dur(refresh_ahead, "refresh_ahead", d.refresh_ahead)?,
            refresh_ahead_fraction,
            jitter,
            expiry_margin: dur(expiry_margin, "expiry_margin", d.expiry_margin)?,
            default_lifetime: dur(default_lifetime, "default_lifetime", d.default_lifetime)?,
            backoff_initial: dur(backoff_initial, "backoff_initial", d.backoff_initial)?,
            backoff_max: dur(backoff_max, "backoff_max", d.backoff_max)?,
            background,
        };
        // The core's checks (InvalidInputError, a ValueError), raised here rather than later.
        o.validate().py()?;
        Ok(PyRefreshOptions(o))
    }

    /// Refresh when less than `min(refresh_ahead, lifetime × refresh_ahead_fraction)` remains
    /// (seconds).
    #[getter]
    fn refresh_ahead(&self) -> f64 {
        self.0.refresh_ahead.as_secs_f64()
    }
    /// See `refresh_ahead`.
    #[getter]
    fn refresh_ahead_fraction(&self) -> f64 {
        self.0.refresh_ahead_fraction
    }
    /// Random fraction of the refresh-ahead window by which the refresh moves earlier.
    #[getter]
    fn jitter(&self) -> f64 {
        self.0.jitter
    }
    /// A token is no longer handed out when less than `min(expiry_margin, lifetime / 4)`
    /// remains (seconds).
    #[getter]
    fn expiry_margin(&self) -> f64 {
        self.0.expiry_margin.as_secs_f64()
    }
    /// Assumed lifetime of a token without `expires_in` (seconds).
    #[getter]
    fn default_lifetime(&self) -> f64 {
        self.0.default_lifetime.as_secs_f64()
    }
    /// First retry delay after a transient failure (seconds); doubles each time.
    #[getter]
    fn backoff_initial(&self) -> f64 {
        self.0.backoff_initial.as_secs_f64()
    }
    /// Longest retry delay (seconds).
    #[getter]
    fn backoff_max(&self) -> f64 {
        self.0.backoff_max.as_secs_f64()
    }
    /// Whether the background refresh task runs.
    #[getter]
    fn background(&self) -> bool {
        self.0.background
    }

    fn __repr__(&self) -> String {
        let o = &self.0;
        format!(
            "RefreshOptions(refresh_ahead={}, refresh_ahead_fraction={}, jitter={}, expiry_margin={}, default_lifetime={}, backoff_initial={}, backoff_max={}, background={})",
            o.refresh_ahead.as_secs_f64(),
            o.refresh_ahead_fraction,
            o.jitter,
            o.expiry_margin.as_secs_f64(),
            o.default_lifetime.as_secs_f64(),
            o.backoff_initial.as_secs_f64(),
            o.backoff_max.as_secs_f64(),
            if o.background { "True" } else { "False" }
        )
    }
}

/// `options` (default: the core's defaults) with `background` overriding when given.
fn options(options: Option<PyRefreshOptions>, background: Option<bool>) -> RefreshOptions {
    let mut o = options.map_or_else(RefreshOptions::default, |o| o.0);
    if let Some(b) = background {
        o.background = b;
    }
    o
}

#[pymethods]
impl TokenSource {
    /// A source using the client-credentials grant.
    #[staticmethod]
    #[pyo3(signature = (client, scopes=None, *, options=None, background=None))]
    fn client_credentials(
        client: &OAuthClient,
        scopes: Option<Vec<String>>,
        options: Option<PyRefreshOptions>,
        background: Option<bool>,
    ) -> PyResult<Self> {
        let src = refresh::TokenSource::client_credentials(
            client.0.clone(),
            scopes.unwrap_or_default(),
            self::options(options, background),
        )
        .py()?;
        Ok(TokenSource(src))
    }

    /// A source refreshing with `refresh_token` (rotated tokens replace it; see `on_refresh`).
    #[staticmethod]
    #[pyo3(signature = (client, refresh_token, scopes=None, *, options=None, background=None))]
    fn from_refresh_token(
        client: &OAuthClient,
        refresh_token: &Bound<'_, PyAny>,
        scopes: Option<Vec<String>>,
        options: Option<PyRefreshOptions>,
        background: Option<bool>,
    ) -> PyResult<Self> {
        let src = refresh::TokenSource::from_refresh_token(
            client.0.clone(),
            secret_arg(refresh_token)?,
            scopes.unwrap_or_default(),
            self::options(options, background),
        )
        .py()?;
        Ok(TokenSource(src))
    }

    /// A source seeded with a full token response (e.g. from a code exchange or an earlier
    /// grant): it serves that access token until it needs refreshing, then uses the
    /// response's refresh token, or, when there is none and `fallback` is
    /// `"client_credentials"`, the client-credentials grant for `scopes`.
    #[staticmethod]
    #[pyo3(signature = (client, token_response, scopes=None, *, fallback=None, options=None, background=None))]
    fn from_token_response(
        client: &OAuthClient,
        token_response: &TokenResponse,
        scopes: Option<Vec<String>>,
        fallback: Option<&str>,
        options: Option<PyRefreshOptions>,
        background: Option<bool>,
    ) -> PyResult<Self> {
        let scopes = scopes.unwrap_or_default();
        let response = token_response.0.clone();
        let fallback =
            match (fallback, &response.refresh_token) {
                (Some("client_credentials"), _) => oauth::Grant::ClientCredentials { scopes },
                (Some(_), _) => {
                    return Err(invalid_input(
                        Builtin::Value,
                        "fallback must be None or 'client_credentials'",
                    ))
                }
                (None, Some(rt)) => oauth::Grant::RefreshToken {
                    refresh_token: rt.clone(),
                    scopes,
                },
                (None, None) => return Err(invalid_input(
                    Builtin::Value,
                    "the token response has no refresh token: pass fallback='client_credentials'",
                )),
            };
        let src = refresh::TokenSource::from_token_response(
            Arc::new(client.0.clone()),
            response,
            fallback,
            self::options(options, background),
        )
        .py()?;
        Ok(TokenSource(src))
    }

    /// A valid token (blocking; the GIL is released while a refresh is awaited).
    fn token(&self, py: Python<'_>) -> PyResult<AccessToken> {
        let t = py.detach(|| runtime::block_on(self.0.token())).py()?.py()?;
        Ok(AccessToken(t))
    }

    /// `await source.token_async()`: `token()` run in the loop's default executor.
    fn token_async<'py>(slf: &Bound<'py, Self>, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let asyncio = py.import("asyncio")?;
        let lp = asyncio.call_method0("get_running_loop")?;
        let method = slf.getattr("token")?;
        lp.call_method1("run_in_executor", (py.None(), method))
    }

    /// Requests a new token now (e.g. after a 401); concurrent calls share one request.
    fn force_refresh(&self, py: Python<'_>) -> PyResult<AccessToken> {
        let t = py
            .detach(|| runtime::block_on(self.0.force_refresh()))
            .py()?
            .py()?;
        Ok(AccessToken(t))
    }

    /// Calls `hook(response: TokenResponse)` after each refresh (persist a rotated refresh
    /// token from here). Runs on a library thread.
    fn on_refresh(&self, hook: Py<PyAny>) {
        self.0.on_refresh(Arc::new(move |r: &oauth::TokenResponse| {
            Python::attach(|py| {
                if let Err(e) = hook.call1(py, (TokenResponse(r.clone()),)) {
                    e.write_unraisable(py, None);
                }
            })
        }));
    }

    /// Calls `hook(code: str, message: str)` after each failed request.
    fn on_error(&self, hook: Py<PyAny>) {
        self.0.on_error(Arc::new(move |e: &tokenward::Error| {
            Python::attach(|py| {
                if let Err(err) = hook.call1(py, (e.code().as_str(), e.message())) {
                    err.write_unraisable(py, None);
                }
            })
        }));
    }

    /// `empty`, `ready`, `retrying`, `reauthentication_required` or `closed`.
    #[getter]
    fn status(&self) -> &'static str {
        self.0.status().as_str()
    }

    /// Completed token requests so far.
    #[getter]
    fn request_count(&self) -> u64 {
        self.0.request_count()
    }

    /// Stops the background task.
    fn close(&self) {
        self.0.close();
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __exit__(&self, _a: &Bound<'_, PyAny>, _b: &Bound<'_, PyAny>, _c: &Bound<'_, PyAny>) {
        self.0.close();
    }

    fn __repr__(&self) -> String {
        format!("TokenSource(status={:?})", self.0.status().as_str())
    }
}
