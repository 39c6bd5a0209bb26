//! `Pkce` (core `oauth::pkce`).

use pyo3::prelude::*;
use tokenward::oauth::{self};

use crate::error::{invalid_input, Builtin, IntoPyResult};
use crate::secret::Secret;

/// A PKCE verifier (secret, kept by the app) and its S256 challenge (RFC 7636). The repr
/// shows the challenge only.
#[pyclass(module = "tokenward", name = "Pkce", frozen)]
pub struct Pkce(pub(super) oauth::Pkce);

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
