//! `OAuthClient` (core `oauth::client`).

use pyo3::prelude::*;
use tokenward::oauth::{self, AuthMethod, OAuthClientOptions, TokenTypeHint};
use tokenward::runtime;

use super::convert::{parse, secret_arg};
use super::introspect::Introspection;
use super::pkce::Pkce;
use super::token::TokenResponse;
use crate::aio;
use crate::apikeys::duration_arg;
use crate::error::IntoPyResult;
use crate::jwt::JwtKey;

/// A token response as the Python object (an async method's answer).
fn token_response(py: Python<'_>, r: oauth::TokenResponse) -> PyResult<Py<PyAny>> {
    Ok(Py::new(py, TokenResponse(r))?.into_any())
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
    client_certificate: Option<String>,
    client_certificate_key: Option<&Bound<'_, PyAny>>,
    ca_certificates: Option<String>,
    issuer: Option<String>,
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
    if let Some(i) = issuer {
        o = o.with_issuer(i);
    }
    crate::mtls::with_tls(
        o,
        client_certificate,
        client_certificate_key,
        ca_certificates,
    )
}

#[pymethods]
impl OAuthClient {
    #[new]
    #[pyo3(signature = (token_url, client_id, client_secret=None, *, auth_method=None, private_key=None, introspection_url=None, revocation_url=None, authorization_url=None, timeout=None, dpop_key=None, client_certificate=None, client_certificate_key=None, ca_certificates=None, issuer=None))]
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
        issuer: Option<String>,
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
            client_certificate,
            client_certificate_key,
            ca_certificates,
            issuer,
        )?;
        Ok(OAuthClient(
            oauth::OAuthClient::new(token_url, client_id, options).py()?,
        ))
    }

    /// Discovers the server at `issuer_url` (RFC 8414, then OIDC) and builds a client with
    /// its endpoints (those not given here); blocking, the GIL is released.
    #[staticmethod]
    #[pyo3(signature = (issuer_url, client_id, client_secret=None, *, auth_method=None, private_key=None, introspection_url=None, revocation_url=None, authorization_url=None, timeout=None, dpop_key=None, client_certificate=None, client_certificate_key=None, ca_certificates=None, issuer=None))]
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
        issuer: Option<String>,
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
            client_certificate,
            client_certificate_key,
            ca_certificates,
            issuer,
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

    /// The issuer: configured (``issuer=``) or found by discovery, else `None`.
    #[getter]
    fn issuer(&self) -> Option<&str> {
        self.0.issuer()
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

    /// `await client.client_credentials_async(scopes)`: the grant on the library's runtime
    /// (no thread hop; cancelling the awaiting task abandons the request).
    #[pyo3(signature = (scopes=None))]
    fn client_credentials_async<'py>(
        &self,
        py: Python<'py>,
        scopes: Option<Vec<String>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, scopes) = (self.0.clone(), scopes.unwrap_or_default());
        aio::spawn(
            py,
            async move { client.client_credentials(&scopes).await },
            token_response,
        )
    }

    /// `await client.refresh_async(refresh_token, scopes)`: `refresh` on the library's runtime.
    #[pyo3(signature = (refresh_token, scopes=None))]
    fn refresh_async<'py>(
        &self,
        py: Python<'py>,
        refresh_token: &Bound<'py, PyAny>,
        scopes: Option<Vec<String>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let rt = secret_arg(refresh_token)?;
        let (client, scopes) = (self.0.clone(), scopes.unwrap_or_default());
        aio::spawn(
            py,
            async move { client.refresh(&rt, &scopes).await },
            token_response,
        )
    }

    /// `await client.exchange_code_async(code, redirect_uri, pkce)`: `exchange_code` on the
    /// library's runtime.
    #[pyo3(signature = (code, redirect_uri, pkce=None))]
    fn exchange_code_async<'py>(
        &self,
        py: Python<'py>,
        code: &Bound<'py, PyAny>,
        redirect_uri: String,
        pkce: Option<&Pkce>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let code = secret_arg(code)?;
        let (client, pkce) = (self.0.clone(), pkce.map(|p| p.0.clone()));
        aio::spawn(
            py,
            async move {
                client
                    .exchange_code(&code, &redirect_uri, pkce.as_ref())
                    .await
            },
            token_response,
        )
    }

    /// `await client.introspect_async(token, token_type_hint)`: `introspect` on the library's
    /// runtime.
    #[pyo3(signature = (token, token_type_hint=None))]
    fn introspect_async<'py>(
        &self,
        py: Python<'py>,
        token: &Bound<'py, PyAny>,
        token_type_hint: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (t, hint) = (secret_arg(token)?, parse::<TokenTypeHint>(token_type_hint)?);
        let client = self.0.clone();
        aio::spawn(
            py,
            async move { client.introspect(&t, hint).await },
            |py, i| Ok(Py::new(py, Introspection(i))?.into_any()),
        )
    }

    /// `await client.revoke_async(token, token_type_hint)`: `revoke` on the library's runtime.
    #[pyo3(signature = (token, token_type_hint=None))]
    fn revoke_async<'py>(
        &self,
        py: Python<'py>,
        token: &Bound<'py, PyAny>,
        token_type_hint: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (t, hint) = (secret_arg(token)?, parse::<TokenTypeHint>(token_type_hint)?);
        let client = self.0.clone();
        aio::spawn(
            py,
            async move { client.revoke(&t, hint).await },
            |py, ()| Ok(py.None()),
        )
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
