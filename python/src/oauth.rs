//! `tokenward.OAuthClient`, `TokenSource`, `AccessToken`, `TokenResponse`: conversions only;
//! the grants, error mapping and refresh scheduling live in the core.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use pyo3::prelude::*;
use pyo3::types::PyDict;
use tokenward::oauth::{self, AuthMethod, OAuthClientOptions, TokenTypeHint};
use tokenward::refresh::{self, FallbackGrant, TokenSourceOptions};
use tokenward::runtime;

use crate::apikeys::duration_arg;
use crate::error::{invalid_input, Builtin, IntoPyResult};
use crate::jwt::JwtKey;
use crate::secret::Secret;

/// A closed-set argument (`auth_method`, `token_type_hint`, `fallback`) parsed by the core's
/// `FromStr`, so the error and the list of valid values come from the core.
fn parse<T: std::str::FromStr<Err = tokenward::Error>>(value: Option<&str>) -> PyResult<Option<T>> {
    value.map(str::parse).transpose().py()
}

/// A `str` or a `Secret` argument as a core secret.
fn secret_arg(value: &Bound<'_, PyAny>) -> PyResult<tokenward::Secret> {
    if let Ok(s) = value.cast::<Secret>() {
        return Ok(s.get().0.clone());
    }
    tokenward::Secret::new(value.extract::<String>()?).py()
}

/// The answer of an introspection endpoint (RFC 7662), with the fields of Kotlin/Swift's
/// `Introspection` record; `claims` (and `to_dict()`) hold every member of the answer. It
/// describes a token and carries no token material.
#[pyclass(module = "tokenward", name = "Introspection", frozen)]
pub struct Introspection(oauth::Introspection);

#[pymethods]
impl Introspection {
    /// Whether the token is currently active; when ``False`` nothing else is meaningful.
    #[getter]
    fn active(&self) -> bool {
        self.0.active
    }
    /// The token's scopes (``scope``, split).
    #[getter]
    fn scopes(&self) -> Vec<String> {
        self.0.scopes.clone()
    }
    /// ``client_id``, or ``None``.
    #[getter]
    fn client_id(&self) -> Option<&str> {
        self.0.client_id.as_deref()
    }
    /// ``username``, or ``None``.
    #[getter]
    fn username(&self) -> Option<&str> {
        self.0.username.as_deref()
    }
    /// ``sub``, or ``None``.
    #[getter]
    fn subject(&self) -> Option<&str> {
        self.0.subject.as_deref()
    }
    /// ``exp`` as an aware UTC ``datetime``, or ``None``.
    #[getter]
    fn expires_at(&self) -> Option<SystemTime> {
        self.0.expires_at.map(tokenward::clock::from_unix_seconds)
    }
    /// Every member of the answer, as a new dict.
    #[getter]
    fn claims<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        crate::json::map_to_py(py, &self.0.claims)
    }
    /// The answer as the server sent it (a new dict; what ``introspect`` returned before 0.2).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.claims(py)
    }
    fn __bool__(&self) -> bool {
        self.0.active
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        use pyo3::IntoPyObjectExt;
        let repr = |v: Option<&str>| -> PyResult<String> {
            Ok(v.into_bound_py_any(py)?.repr()?.to_string())
        };
        Ok(format!(
            "Introspection(active={}, subject={}, client_id={}, scopes={})",
            if self.0.active { "True" } else { "False" },
            repr(self.0.subject.as_deref())?,
            repr(self.0.client_id.as_deref())?,
            self.0.scopes.clone().into_bound_py_any(py)?.repr()?,
        ))
    }
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

    /// The `Authorization` header value: `DPoP <token>` for a DPoP-bound token, else
    /// `Bearer <token>`.
    fn authorization_header(&self) -> String {
        self.0.authorization_header()
    }

    /// Expiry, an aware UTC `datetime`, or `None` when the server gave no lifetime.
    #[getter]
    fn expires_at(&self) -> Option<SystemTime> {
        self.0.expires_at()
    }

    /// Whether this is a DPoP-bound token (`token_type: DPoP`): resource requests need a proof.
    #[getter]
    fn is_dpop(&self) -> bool {
        self.0.is_dpop()
    }

    /// The headers for a resource request `method url` (a new dict): `Authorization` (`Bearer`
    /// or `DPoP`) and, for a DPoP-bound token, a `DPoP` proof with `ath` — carrying `nonce`
    /// when given (the resource server's `DPoP-Nonce`), else the one remembered for the
    /// origin. The values hold the token: send them, never log them.
    #[pyo3(signature = (method, url, nonce=None))]
    fn request_headers<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        url: &str,
        nonce: Option<&str>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (name, value) in self.0.request_headers(method, url, nonce).py()? {
            dict.set_item(name, value)?;
        }
        Ok(dict)
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

    /// Lifetime announced by the server (a `timedelta`), or `None`.
    #[getter]
    fn expires_in(&self) -> Option<Duration> {
        self.0.expires_in
    }

    /// The verified claims of the ID token (a dict), set by `AuthorizationFlow.complete` for an
    /// `openid` login; else `None`.
    #[getter]
    fn id_token_claims<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.0
            .id_token_claims
            .as_ref()
            .map(|c| crate::json::to_py(py, &serde_json::Value::Object(c.clone().into_map())))
            .transpose()
    }

    fn __repr__(&self) -> String {
        format!(
            "TokenResponse(access_token={}, refresh_token={}, expires_in={})",
            self.0.access_token.redacted(),
            self.0
                .refresh_token
                .as_ref()
                .map_or("None".to_owned(), |s| s.redacted()),
            self.0.expires_in.map_or("None".to_owned(), |d| format!(
                "datetime.timedelta(seconds={})",
                d.as_secs()
            ))
        )
    }
}

/// A PKCE verifier (secret, kept by the app) and its S256 challenge (RFC 7636). The repr
/// shows the challenge only.
#[pyclass(module = "tokenward", name = "Pkce", frozen)]
pub struct Pkce(oauth::Pkce);

#[pymethods]
impl Pkce {
    /// A fresh verifier (32 random bytes) and its challenge.
    #[staticmethod]
    fn generate() -> PyResult<Self> {
        Ok(Pkce(oauth::Pkce::generate().py()?))
    }

    /// Wraps an existing verifier (43-128 unreserved characters).
    #[staticmethod]
    fn from_verifier(verifier: &str) -> PyResult<Self> {
        Ok(Pkce(oauth::Pkce::from_verifier(verifier).py()?))
    }

    /// The verifier (a `Secret`; sent with the code exchange).
    #[getter]
    fn verifier(&self) -> Secret {
        Secret(self.0.verifier().clone())
    }

    /// The S256 code challenge.
    #[getter]
    fn challenge(&self) -> &str {
        self.0.challenge()
    }

    /// Always ``"S256"``.
    #[getter]
    fn method(&self) -> &'static str {
        self.0.method()
    }

    /// The authorization URL to open in the browser (the same argument order in every
    /// language).
    #[pyo3(signature = (authorize_url, client_id, redirect_uri, state, scopes=None))]
    fn authorization_url(
        &self,
        authorize_url: &str,
        client_id: &str,
        redirect_uri: &str,
        state: &str,
        scopes: Option<Vec<String>>,
    ) -> PyResult<String> {
        self.0
            .authorization_url(
                authorize_url,
                client_id,
                redirect_uri,
                state,
                &scopes.unwrap_or_default(),
            )
            .py()
    }

    fn __repr__(&self) -> String {
        format!("Pkce(challenge='{}', method='S256')", self.0.challenge())
    }

    /// A verifier refuses to be pickled (the pickle would carry it in clear).
    fn __reduce__(&self) -> PyResult<()> {
        Err(invalid_input(Builtin::Type, "Pkce cannot be pickled"))
    }
}

/// The options of `IdTokenVerifier(...)` / `IdTokenVerifier.for_client(...)`.
fn id_token_options(
    algorithms: Option<Vec<String>>,
    leeway: Option<&Bound<'_, PyAny>>,
    clock: Option<&Bound<'_, crate::clock::ManualClock>>,
) -> PyResult<oauth::IdTokenVerifierOptions> {
    let mut o = oauth::IdTokenVerifierOptions::new();
    if let Some(algs) = algorithms {
        let algs = algs
            .iter()
            .map(|a| a.parse::<tokenward::jwt::Algorithm>())
            .collect::<Result<Vec<_>, _>>()
            .py()?;
        o = o.with_algorithms(algs);
    }
    if let Some(l) = leeway {
        o = o.with_leeway(duration_arg(l, "leeway")?);
    }
    if let Some(c) = crate::clock::clock_arg(clock) {
        o = o.with_clock(c);
    }
    Ok(o)
}

/// Verifies OpenID Connect ID tokens of one provider for one client: signature (algorithms
/// intersected with the asymmetric allowlist), `iss`, `aud`, `azp`, `exp`/`iat`, and per login
/// the `nonce`, `max_age`, `at_hash` and `c_hash`.
#[pyclass(module = "tokenward", name = "IdTokenVerifier", frozen)]
pub struct IdTokenVerifier(oauth::IdTokenVerifier);

#[pymethods]
impl IdTokenVerifier {
    /// `keys`: a `KeySet` (local keys) or a `RemoteKeySet` (the provider's published keys).
    #[new]
    #[pyo3(signature = (issuer, client_id, keys, *, algorithms=None, leeway=None, clock=None))]
    fn new(
        issuer: String,
        client_id: String,
        keys: &Bound<'_, PyAny>,
        algorithms: Option<Vec<String>>,
        leeway: Option<&Bound<'_, PyAny>>,
        clock: Option<&Bound<'_, crate::clock::ManualClock>>,
    ) -> PyResult<Self> {
        let options = id_token_options(algorithms, leeway, clock)?;
        let v = if let Ok(k) = keys.cast::<crate::jwt::KeySet>() {
            oauth::IdTokenVerifier::new(issuer, client_id, k.borrow().0.clone(), options)
        } else if let Ok(k) = keys.cast::<crate::jwt::RemoteKeySet>() {
            oauth::IdTokenVerifier::with_remote_keys(
                issuer,
                client_id,
                k.get().inner.clone(),
                options,
            )
        } else {
            return Err(invalid_input(
                Builtin::Type,
                "keys must be a KeySet or a RemoteKeySet",
            ));
        };
        Ok(IdTokenVerifier(v.py()?))
    }

    /// The verifier of a discovered client's provider: its issuer, `jwks_uri` and
    /// `id_token_signing_alg_values_supported` (intersected with the allowlist).
    #[staticmethod]
    #[pyo3(signature = (client, *, algorithms=None, leeway=None))]
    fn for_client(
        client: &OAuthClient,
        algorithms: Option<Vec<String>>,
        leeway: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let options = id_token_options(algorithms, leeway, None)?;
        Ok(IdTokenVerifier(
            oauth::IdTokenVerifier::for_client(&client.0, options).py()?,
        ))
    }

    /// The expected issuer.
    #[getter]
    fn issuer(&self) -> &str {
        self.0.issuer()
    }

    /// The client id (the expected audience).
    #[getter]
    fn client_id(&self) -> &str {
        self.0.client_id()
    }

    /// The accepted algorithms.
    #[getter]
    fn algorithms(&self) -> Vec<&'static str> {
        self.0.algorithms().iter().map(|a| a.as_str()).collect()
    }

    /// Verifies `id_token` (blocking; GIL released) and returns its claims.
    #[pyo3(signature = (id_token, *, nonce=None, max_age=None, access_token=None, code=None))]
    fn verify<'py>(
        &self,
        py: Python<'py>,
        id_token: &Bound<'py, PyAny>,
        nonce: Option<&Bound<'py, PyAny>>,
        max_age: Option<&Bound<'py, PyAny>>,
        access_token: Option<&Bound<'py, PyAny>>,
        code: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let token = secret_arg(id_token)?;
        let mut checks = oauth::IdTokenChecks::new();
        if let Some(n) = nonce {
            checks = checks.with_nonce(secret_arg(n)?);
        }
        if let Some(m) = max_age {
            checks = checks.with_max_age(duration_arg(m, "max_age")?);
        }
        if let Some(t) = access_token {
            checks = checks.with_access_token(secret_arg(t)?);
        }
        if let Some(c) = code {
            checks = checks.with_code(secret_arg(c)?);
        }
        let claims = py
            .detach(|| runtime::block_on(self.0.verify(token.expose(), &checks)))
            .py()?
            .py()?;
        crate::json::to_py(py, &serde_json::Value::Object(claims.into_map()))
    }

    fn __repr__(&self) -> String {
        format!(
            "IdTokenVerifier(issuer='{}', client_id='{}')",
            self.0.issuer(),
            self.0.client_id()
        )
    }
}

/// One login attempt of an app (authorization code + PKCE S256, `state`, OpenID Connect
/// `nonce`, RFC 9207 `iss`): the URL to open, then `complete(redirect_url)`.
#[pyclass(module = "tokenward", name = "AuthorizationFlow", frozen)]
pub struct AuthorizationFlow(oauth::AuthorizationFlow);

#[pymethods]
impl AuthorizationFlow {
    #[new]
    #[pyo3(signature = (client, redirect_uri, *, scopes=None, max_age=None, id_token_verifier=None))]
    fn new(
        client: &OAuthClient,
        redirect_uri: String,
        scopes: Option<Vec<String>>,
        max_age: Option<&Bound<'_, PyAny>>,
        id_token_verifier: Option<&IdTokenVerifier>,
    ) -> PyResult<Self> {
        let mut options =
            oauth::AuthorizationFlowOptions::new().with_scopes(scopes.unwrap_or_default());
        if let Some(m) = max_age {
            options = options.with_max_age(duration_arg(m, "max_age")?);
        }
        if let Some(v) = id_token_verifier {
            options = options.with_id_token_verifier(v.0.clone());
        }
        Ok(AuthorizationFlow(
            oauth::AuthorizationFlow::new(&client.0, redirect_uri, options).py()?,
        ))
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

    /// `await flow.complete_async(redirect_url)`: `complete()` run in the loop's default
    /// executor.
    fn complete_async<'py>(
        slf: &Bound<'py, Self>,
        py: Python<'py>,
        redirect_url: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let asyncio = py.import("asyncio")?;
        let lp = asyncio.call_method0("get_running_loop")?;
        let method = slf.getattr("complete")?;
        lp.call_method1("run_in_executor", (py.None(), method, redirect_url))
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

/// An OAuth 2.0 client of one authorization server.
#[pyclass(module = "tokenward", name = "OAuthClient", frozen)]
#[derive(Clone)]
pub struct OAuthClient(pub(crate) oauth::OAuthClient);

/// The keyword settings shared by `OAuthClient(...)` and `OAuthClient.discover(...)`, as the
/// core's options (whose `OAuthClient::new` checks them).
#[allow(clippy::too_many_arguments)]
fn client_options(
    client_secret: Option<&Bound<'_, PyAny>>,
    auth_method: Option<&str>,
    private_key: Option<JwtKey>,
    introspection_url: Option<String>,
    revocation_url: Option<String>,
    authorization_url: Option<String>,
    timeout: Option<&Bound<'_, PyAny>>,
    dpop_key: Option<&Bound<'_, crate::dpop::DpopKey>>,
) -> PyResult<OAuthClientOptions> {
    let mut o = OAuthClientOptions::default();
    if let Some(s) = client_secret {
        o = o.with_client_secret(secret_arg(s)?);
    }
    if let Some(m) = parse::<AuthMethod>(auth_method)? {
        o = o.with_auth_method(m);
    }
    if let Some(k) = private_key {
        o = o.with_private_key(k.0);
    }
    if let Some(u) = introspection_url {
        o = o.with_introspection_url(u);
    }
    if let Some(u) = revocation_url {
        o = o.with_revocation_url(u);
    }
    if let Some(u) = authorization_url {
        o = o.with_authorization_url(u);
    }
    if let Some(t) = timeout {
        o = o.with_timeout(duration_arg(t, "timeout")?);
    }
    if let Some(k) = dpop_key {
        o = o.with_dpop_key(k.get().0.clone());
    }
    Ok(o)
}

#[pymethods]
impl OAuthClient {
    #[new]
    #[pyo3(signature = (token_url, client_id, client_secret=None, *, auth_method=None, private_key=None, introspection_url=None, revocation_url=None, authorization_url=None, timeout=None, dpop_key=None, client_certificate=None, client_certificate_key=None, ca_certificates=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        token_url: String,
        client_id: String,
        client_secret: Option<&Bound<'_, PyAny>>,
        auth_method: Option<&str>,
        private_key: Option<JwtKey>,
        introspection_url: Option<String>,
        revocation_url: Option<String>,
        authorization_url: Option<String>,
        timeout: Option<&Bound<'_, PyAny>>,
        dpop_key: Option<&Bound<'_, crate::dpop::DpopKey>>,
        client_certificate: Option<String>,
        client_certificate_key: Option<&Bound<'_, PyAny>>,
        ca_certificates: Option<String>,
    ) -> PyResult<Self> {
        let options = client_options(
            client_secret,
            auth_method,
            private_key,
            introspection_url,
            revocation_url,
            authorization_url,
            timeout,
            dpop_key,
        )?;
        let options = crate::mtls::with_tls(
            options,
            client_certificate,
            client_certificate_key,
            ca_certificates,
        )?;
        Ok(OAuthClient(
            oauth::OAuthClient::new(token_url, client_id, options).py()?,
        ))
    }

    /// Discovers the server at `issuer_url` (RFC 8414, then OIDC) and builds a client with
    /// its endpoints (those not given here); blocking, the GIL is released.
    #[staticmethod]
    #[pyo3(signature = (issuer_url, client_id, client_secret=None, *, auth_method=None, private_key=None, introspection_url=None, revocation_url=None, authorization_url=None, timeout=None, dpop_key=None, client_certificate=None, client_certificate_key=None, ca_certificates=None))]
    #[allow(clippy::too_many_arguments)]
    fn discover(
        py: Python<'_>,
        issuer_url: &str,
        client_id: String,
        client_secret: Option<&Bound<'_, PyAny>>,
        auth_method: Option<&str>,
        private_key: Option<JwtKey>,
        introspection_url: Option<String>,
        revocation_url: Option<String>,
        authorization_url: Option<String>,
        timeout: Option<&Bound<'_, PyAny>>,
        dpop_key: Option<&Bound<'_, crate::dpop::DpopKey>>,
        client_certificate: Option<String>,
        client_certificate_key: Option<&Bound<'_, PyAny>>,
        ca_certificates: Option<String>,
    ) -> PyResult<Self> {
        let options = client_options(
            client_secret,
            auth_method,
            private_key,
            introspection_url,
            revocation_url,
            authorization_url,
            timeout,
            dpop_key,
        )?;
        let options = crate::mtls::with_tls(
            options,
            client_certificate,
            client_certificate_key,
            ca_certificates,
        )?;
        let client = py
            .detach(|| {
                runtime::block_on(oauth::OAuthClient::discover(issuer_url, client_id, options))
            })
            .py()?
            .py()?;
        Ok(OAuthClient(client))
    }

    /// The token endpoint.
    #[getter]
    fn token_url(&self) -> &str {
        self.0.token_url()
    }

    /// The client id.
    #[getter]
    fn client_id(&self) -> &str {
        self.0.client_id()
    }

    /// The client authentication method (RFC 8414 name).
    #[getter]
    fn auth_method(&self) -> &'static str {
        self.0.auth_method().as_str()
    }

    /// The authorization endpoint, when known (configured or discovered).
    #[getter]
    fn authorization_url(&self) -> Option<&str> {
        self.0.authorization_url()
    }

    /// The issuer found by discovery, else `None`.
    #[getter]
    fn issuer(&self) -> Option<&str> {
        self.0.server_metadata().map(|m| m.issuer.as_str())
    }

    /// The server's `jwks_uri` found by discovery (for `RemoteKeySet`), else `None`.
    #[getter]
    fn jwks_uri(&self) -> Option<&str> {
        self.0.server_metadata().and_then(|m| m.jwks_uri.as_deref())
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

    /// Exchanges an authorization code (with its PKCE verifier) for tokens (blocking; GIL
    /// released).
    #[pyo3(signature = (code, redirect_uri, pkce=None))]
    fn exchange_code(
        &self,
        py: Python<'_>,
        code: &Bound<'_, PyAny>,
        redirect_uri: &str,
        pkce: Option<&Pkce>,
    ) -> PyResult<TokenResponse> {
        let code = secret_arg(code)?;
        let pkce = pkce.map(|p| &p.0);
        let r = py
            .detach(|| runtime::block_on(self.0.exchange_code(&code, redirect_uri, pkce)))
            .py()?
            .py()?;
        Ok(TokenResponse(r))
    }

    /// RFC 7662 introspection: an `Introspection` (its `claims` hold the whole answer).
    #[pyo3(signature = (token, token_type_hint=None))]
    fn introspect(
        &self,
        py: Python<'_>,
        token: &Bound<'_, PyAny>,
        token_type_hint: Option<&str>,
    ) -> PyResult<Introspection> {
        let t = secret_arg(token)?;
        let hint = parse::<TokenTypeHint>(token_type_hint)?;
        let i = py
            .detach(|| runtime::block_on(self.0.introspect(&t, hint)))
            .py()?
            .py()?;
        Ok(Introspection(i))
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
        let hint = parse::<TokenTypeHint>(token_type_hint)?;
        py.detach(|| runtime::block_on(self.0.revoke(&t, hint)))
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
fn options(options: Option<PyTokenSourceOptions>) -> TokenSourceOptions {
    options.map_or_else(TokenSourceOptions::default, |o| o.0)
}

#[pymethods]
impl TokenSource {
    /// A source using the client-credentials grant.
    #[staticmethod]
    #[pyo3(signature = (client, scopes=None, *, options=None))]
    fn client_credentials(
        client: &OAuthClient,
        scopes: Option<Vec<String>>,
        options: Option<PyTokenSourceOptions>,
    ) -> PyResult<Self> {
        let src = refresh::TokenSource::client_credentials(
            client.0.clone(),
            scopes.unwrap_or_default(),
            self::options(options),
        )
        .py()?;
        Ok(TokenSource(src))
    }

    /// A source refreshing with `refresh_token` (rotated tokens replace it; see `on_refresh`).
    #[staticmethod]
    #[pyo3(signature = (client, refresh_token, scopes=None, *, options=None))]
    fn from_refresh_token(
        client: &OAuthClient,
        refresh_token: &Bound<'_, PyAny>,
        scopes: Option<Vec<String>>,
        options: Option<PyTokenSourceOptions>,
    ) -> PyResult<Self> {
        let src = refresh::TokenSource::from_refresh_token(
            client.0.clone(),
            secret_arg(refresh_token)?,
            scopes.unwrap_or_default(),
            self::options(options),
        )
        .py()?;
        Ok(TokenSource(src))
    }

    /// A source seeded with a full token response (e.g. from a code exchange or an earlier
    /// grant): it serves that access token until it needs refreshing, then uses the
    /// response's refresh token, or, when there is none, the `fallback` grant
    /// (`"client_credentials"`) for `scopes`; without either, `InvalidInputError`.
    #[staticmethod]
    #[pyo3(signature = (client, token_response, scopes=None, *, fallback=None, options=None))]
    fn from_token_response(
        client: &OAuthClient,
        token_response: &TokenResponse,
        scopes: Option<Vec<String>>,
        fallback: Option<&str>,
        options: Option<PyTokenSourceOptions>,
    ) -> PyResult<Self> {
        let fallback =
            parse::<FallbackGrant>(fallback)?.map(|f| f.grant(scopes.unwrap_or_default()));
        let src = refresh::TokenSource::from_token_response(
            Arc::new(client.0.clone()),
            token_response.0.clone(),
            fallback,
            self::options(options),
        )
        .py()?;
        Ok(TokenSource(src))
    }

    /// A source started from the tokens kept in `store` (a `TokenStore`), kept there from then
    /// on: no request while the kept access token is usable, else the first `token()`
    /// refreshes with the kept refresh token. Nothing kept: `InvalidInputError`.
    #[staticmethod]
    #[pyo3(signature = (client, store, *, options=None))]
    fn restore(
        client: &OAuthClient,
        store: &Bound<'_, PyAny>,
        options: Option<PyTokenSourceOptions>,
    ) -> PyResult<Self> {
        crate::token_store::restore(&client.0, store, self::options(options)).map(TokenSource)
    }

    /// Keeps the tokens in `store` (a `TokenStore`): the current one now, every rotation, and
    /// `clear()` on `invalid_grant`. Later store failures go to `on_error` (code `storage`).
    fn keep_tokens(&self, store: &Bound<'_, PyAny>) -> PyResult<()> {
        crate::token_store::keep_tokens(&self.0, store)
    }

    /// A valid token (blocking; the GIL is released while a refresh is awaited).
    fn token(&self, py: Python<'_>) -> PyResult<AccessToken> {
        let t = py.detach(|| runtime::block_on(self.0.token())).py()?.py()?;
        Ok(AccessToken(t))
    }

    /// `await source.token_async()`: a usable token is answered at once (a completed future, no
    /// thread hop); otherwise `token()` runs in the loop's default executor.
    fn token_async<'py>(slf: &Bound<'py, Self>, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let lp = py.import("asyncio")?.call_method0("get_running_loop")?;
        if let Some(t) = slf.get().0.cached() {
            let done = lp.call_method0("create_future")?;
            done.call_method1("set_result", (AccessToken(t),))?;
            return Ok(done);
        }
        lp.call_method1("run_in_executor", (py.None(), slf.getattr("token")?))
    }

    /// `await source.force_refresh_async()`: `force_refresh()` in the loop's default executor.
    fn force_refresh_async<'py>(
        slf: &Bound<'py, Self>,
        py: Python<'py>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let lp = py.import("asyncio")?.call_method0("get_running_loop")?;
        lp.call_method1(
            "run_in_executor",
            (py.None(), slf.getattr("force_refresh")?),
        )
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

    /// The code of the last failed request while the source is retrying or needs
    /// re-authentication, else `None`.
    #[getter]
    fn last_error_code(&self) -> Option<&'static str> {
        self.0.last_error().map(|e| e.code().as_str())
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

/// Whether a response with ``status`` and ``www_authenticate`` (the ``WWW-Authenticate``
/// values, joined by ``", "``) says the access token sent was rejected, so that one refresh and
/// one retry may help: the rule of every HTTP hook (``tokenward.httpx``, ``tokenward.requests``).
#[pyfunction]
#[pyo3(signature = (status, www_authenticate=None))]
pub fn token_rejected(status: i64, www_authenticate: Option<&str>) -> bool {
    u16::try_from(status).is_ok_and(|s| refresh::token_rejected(s, www_authenticate))
}
