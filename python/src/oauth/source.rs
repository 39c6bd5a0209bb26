//! `TokenSource` (core `refresh::source`).

use std::sync::Arc;

use pyo3::prelude::*;
use tokenward::oauth::{self};
use tokenward::refresh::{self, FallbackGrant};
use tokenward::runtime;

use super::client::OAuthClient;
use super::convert::{parse, secret_arg};
use super::source_options::{options, PyTokenSourceOptions};
use super::token::{AccessToken, TokenResponse};
use crate::aio::{self, Ready};
use crate::error::IntoPyResult;

/// The Python object of an access token (an async method's answer).
fn access_token(py: Python<'_>, t: oauth::AccessToken) -> PyResult<Py<PyAny>> {
    Ok(Py::new(py, AccessToken(t))?.into_any())
}

/// An access token that is always valid when asked for: refreshed in the background ahead of
/// expiry, one request however many threads ask, `invalid_grant` terminal.
#[pyclass(module = "tokenward", name = "TokenSource", frozen)]
pub struct TokenSource(refresh::TokenSource);

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

    /// `await source.token_async()`: a usable token is answered on the calling thread (the
    /// awaitable is already done: no event loop call, no thread); otherwise the request runs
    /// on the library's runtime.
    fn token_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        if let Some(t) = self.0.cached() {
            return Ready::of(py, Ok(AccessToken(t)));
        }
        let src = self.0.clone();
        aio::spawn(py, async move { src.token().await }, access_token)
    }

    /// `await source.force_refresh_async()`: `force_refresh()` on the library's runtime.
    fn force_refresh_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let src = self.0.clone();
        aio::spawn(py, async move { src.force_refresh().await }, access_token)
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
