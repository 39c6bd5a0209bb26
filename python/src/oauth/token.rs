//! `AccessToken` and `TokenResponse` (core `oauth::token`).

use std::time::{Duration, SystemTime};

use pyo3::prelude::*;
use pyo3::types::PyDict;
use tokenward::oauth::{self};

use crate::error::{invalid_input, Builtin, IntoPyResult};
use crate::secret::Secret;

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

    /// Remembers a resource server's ``DPoP-Nonce`` (from any answer, a 200 too) for ``url``'s
    /// origin: the next proof to it carries the nonce. Nothing happens for a bearer token or
    /// an invalid nonce. The HTTP hooks call it on every answer.
    fn remember_dpop_nonce(&self, url: &str, nonce: &str) {
        self.0.remember_dpop_nonce(url, nonce);
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
pub struct TokenResponse(pub(super) oauth::TokenResponse);

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
