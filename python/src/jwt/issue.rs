//! `JwtIssuer` (core `jwt::issue`).

use pyo3::prelude::*;
use pyo3::types::PyDict;
use tokenward::jwt::{self, JwtIssueOptions, JwtIssuerOptions};

use super::convert::{alg, one_or_many, opt_duration};
use super::key::JwtKey;
use crate::error::IntoPyResult;
use crate::json::dict_from_py;

/// Signs claims with one key.
#[pyclass(module = "tokenward", name = "JwtIssuer", frozen)]
pub struct JwtIssuer(jwt::JwtIssuer);

#[pymethods]
impl JwtIssuer {
    #[new]
    #[pyo3(signature = (key, *, algorithm=None, issuer=None, audience=None, ttl=None, typ=None,
        clock=None))]
    fn new(
        key: JwtKey,
        algorithm: Option<&str>,
        issuer: Option<String>,
        audience: Option<&Bound<'_, PyAny>>,
        ttl: Option<&Bound<'_, PyAny>>,
        typ: Option<String>,
        clock: Option<&Bound<'_, crate::clock::ManualClock>>,
    ) -> PyResult<JwtIssuer> {
        let mut options = JwtIssuerOptions::new().with_audience(one_or_many(audience)?);
        if let Some(a) = algorithm {
            options = options.with_algorithm(alg(a)?);
        }
        if let Some(iss) = issuer {
            options = options.with_issuer(iss);
        }
        if let Some(ttl) = opt_duration(ttl, "ttl")? {
            options = options.with_ttl(ttl);
        }
        if let Some(typ) = typ {
            options = options.with_typ(typ);
        }
        if let Some(c) = crate::clock::clock_arg(clock) {
            options = options.with_clock(c);
        }
        Ok(JwtIssuer(jwt::JwtIssuer::new(key.0, options).py()?))
    }

    /// Signs `claims` plus `iat`, `nbf`, `exp`, `jti`, `iss`, `aud`; returns the token.
    #[pyo3(signature = (claims=None, *, ttl=None, subject=None, audience=None))]
    fn issue(
        &self,
        claims: Option<&Bound<'_, PyDict>>,
        ttl: Option<&Bound<'_, PyAny>>,
        subject: Option<String>,
        audience: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let claims = claims
            .map(|c| dict_from_py(c, 0))
            .transpose()?
            .unwrap_or_default();
        let mut options = JwtIssueOptions::new();
        if let Some(ttl) = opt_duration(ttl, "ttl")? {
            options = options.with_ttl(ttl);
        }
        if let Some(sub) = subject {
            options = options.with_subject(sub);
        }
        if let Some(aud) = audience {
            options = options.with_audience(one_or_many(Some(aud))?);
        }
        self.0.issue(&claims, &options).py()
    }

    fn __repr__(&self) -> String {
        format!("JwtIssuer(key={:?})", self.0.key())
    }
}
