//! `JwtKey` (core `jwt::key`).

use pyo3::prelude::*;
use tokenward::jwt::{self, Algorithm};

use super::convert::{alg, bytes_of, json_text};
use crate::error::IntoPyResult;
use crate::json::to_py;
use crate::secret::Secret;

/// A JWS key bound to one algorithm family. `repr` never shows key material.
#[pyclass(module = "tokenward", name = "JwtKey", frozen, from_py_object)]
#[derive(Clone)]
pub struct JwtKey(pub(crate) jwt::JwtKey);

#[pymethods]
impl JwtKey {
    /// An HMAC key; the secret must be at least as long as the hash output.
    #[staticmethod]
    fn hmac(secret: &Bound<'_, PyAny>, algorithm: &str) -> PyResult<JwtKey> {
        Ok(JwtKey(
            jwt::JwtKey::hmac(&bytes_of(secret)?, alg(algorithm)?).py()?,
        ))
    }

    /// A key from PEM (SPKI, PKCS#1, PKCS#8, SEC 1), optionally pinned to one algorithm.
    #[staticmethod]
    #[pyo3(signature = (pem, algorithm=None))]
    fn from_pem(pem: &str, algorithm: Option<&str>) -> PyResult<JwtKey> {
        Ok(JwtKey(
            jwt::JwtKey::from_pem(pem, algorithm.map(alg).transpose()?).py()?,
        ))
    }

    /// A key from a JWK (dict or JSON str).
    #[staticmethod]
    fn from_jwk(jwk: &Bound<'_, PyAny>) -> PyResult<JwtKey> {
        Ok(JwtKey(jwt::JwtKey::from_jwk(&json_text(jwk)?).py()?))
    }

    /// A new random key for `algorithm`.
    #[staticmethod]
    fn generate(py: Python<'_>, algorithm: &str) -> PyResult<JwtKey> {
        let a = alg(algorithm)?;
        Ok(JwtKey(py.detach(|| jwt::JwtKey::generate(a)).py()?))
    }

    /// The same key with a `kid`.
    fn with_kid(&self, kid: &str) -> JwtKey {
        JwtKey(self.0.with_kid(kid))
    }

    /// The same key pinned to one algorithm of its family.
    fn with_algorithm(&self, algorithm: &str) -> PyResult<JwtKey> {
        Ok(JwtKey(self.0.with_algorithm(alg(algorithm)?).py()?))
    }

    /// The public key as a JWK dict (asymmetric keys only).
    fn to_jwk<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.0.to_jwk().py()?)
    }

    /// The public key as PEM (SPKI).
    fn to_public_pem(&self) -> PyResult<String> {
        self.0.to_public_pem().py()
    }

    /// The private key as PKCS#8 PEM, wrapped in a `Secret`.
    fn to_private_pem(&self) -> PyResult<Secret> {
        Ok(Secret(self.0.to_private_pem().py()?))
    }

    /// The key id, if any.
    #[getter]
    fn kid(&self) -> Option<&str> {
        self.0.kid()
    }

    /// The algorithm the key is pinned to, if any.
    #[getter]
    fn algorithm(&self) -> Option<&'static str> {
        self.0.algorithm().map(Algorithm::as_str)
    }

    /// Whether the key can sign.
    #[getter]
    fn can_sign(&self) -> bool {
        self.0.can_sign()
    }

    fn __repr__(&self) -> String {
        format!(
            "JwtKey(kid={:?}, algorithm={:?}, family={:?}, private={})",
            self.0.kid(),
            self.0.algorithm().map(Algorithm::as_str),
            self.0.family(),
            if self.0.can_sign() { "True" } else { "False" }
        )
    }
}
