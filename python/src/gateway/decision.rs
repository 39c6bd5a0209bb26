//! `Principal` and `Refusal` (core `gateway::decision`).

use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use tokenward::gateway::{self, CredentialKind};
use tokenward::jwt::Claims;

use crate::json::map_to_py;

// --- RateLimit ------------------------------------------------------------------------------

/// Python's `repr` of a value.
fn py_repr<'py, T: IntoPyObject<'py>>(py: Python<'py>, v: T) -> PyResult<String> {
    use pyo3::IntoPyObjectExt;
    Ok(v.into_bound_py_any(py)?.repr()?.to_string())
}

/// An authenticated and authorized caller. Truthy, and ``ok`` is ``True``.
#[pyclass(module = "tokenward", name = "Principal", frozen)]
pub struct Principal {
    kind: CredentialKind,
    subject: String,
    key_id: Option<String>,
    scopes: Vec<String>,
    claims: Claims,
    rate_limit_remaining: Option<u64>,
}

impl From<gateway::Principal> for Principal {
    fn from(p: gateway::Principal) -> Self {
        Principal {
            kind: p.kind,
            subject: p.subject,
            key_id: p.key_id,
            scopes: p.scopes,
            claims: p.claims,
            rate_limit_remaining: p.rate_limit_remaining,
        }
    }
}

#[pymethods]
impl Principal {
    /// Always ``True``: the request may proceed.
    #[getter]
    fn ok(&self) -> bool {
        true
    }

    /// ``"api_key"`` or ``"jwt"``.
    #[getter]
    fn kind(&self) -> &'static str {
        self.kind.as_str()
    }

    /// The key owner, or the JWT ``sub`` (``""`` when the token has none).
    #[getter]
    fn subject(&self) -> &str {
        &self.subject
    }

    /// The API key id, or the JWT ``jti`` when present.
    #[getter]
    fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    /// The scopes the credential carries.
    #[getter]
    fn scopes(&self) -> Vec<String> {
        self.scopes.clone()
    }

    /// The verified JWT claims (empty for API keys); a new dict on each access.
    #[getter]
    fn claims<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        map_to_py(py, &self.claims)
    }

    /// Requests left in the tightest applicable rate limit, or ``None`` without limits.
    #[getter]
    fn rate_limit_remaining(&self) -> Option<u64> {
        self.rate_limit_remaining
    }

    /// Whether the credential carries ``scope``.
    fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    fn __bool__(&self) -> bool {
        true
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Principal(kind={}, subject={}, key_id={}, scopes={}, rate_limit_remaining={})",
            py_repr(py, self.kind.as_str())?,
            py_repr(py, self.subject.as_str())?,
            py_repr(py, self.key_id.as_deref())?,
            py_repr(py, self.scopes.clone())?,
            py_repr(py, self.rate_limit_remaining)?,
        ))
    }
}

/// A refused request: send ``status``, ``headers()`` and ``body()``; keep ``code`` (the
/// internal reason) for logs. Falsy, and ``ok`` is ``False``.
#[pyclass(module = "tokenward", name = "Refusal", frozen)]
pub struct Refusal(pub(super) gateway::Refusal);

#[pymethods]
impl Refusal {
    /// Always ``False``.
    #[getter]
    fn ok(&self) -> bool {
        false
    }

    /// The internal reason: a stable tokenward error code (log it; do not send it).
    #[getter]
    fn code(&self) -> &'static str {
        self.0.code.as_str()
    }

    /// The HTTP status: 400, 401, 403 or 429.
    #[getter]
    fn status(&self) -> u16 {
        self.0.status
    }

    /// The ``WWW-Authenticate`` value (RFC 6750), or ``None``.
    #[getter]
    fn www_authenticate(&self) -> Option<&str> {
        self.0.www_authenticate.as_deref()
    }

    /// How long the client should wait (``Retry-After``, whole seconds), or ``None``.
    #[getter]
    fn retry_after(&self) -> Option<Duration> {
        self.0.retry_after
    }

    /// The error name safe to show a client: the RFC 6750 one (``invalid_request``,
    /// ``invalid_token``, ``insufficient_scope``), or ``missing_credentials``, ``ip_denied``,
    /// ``rate_limited``.
    #[getter]
    fn error(&self) -> &'static str {
        self.0.public_error().0
    }

    /// A fixed description of ``error`` that reveals nothing beyond it.
    #[getter]
    fn error_description(&self) -> &'static str {
        self.0.public_error().1
    }

    /// The ``DPoP-Nonce`` to send with a ``use_dpop_nonce`` refusal, or ``None``.
    #[getter]
    fn dpop_nonce(&self) -> Option<&str> {
        self.0.dpop_nonce.as_deref()
    }

    /// The response headers: ``WWW-Authenticate``, ``Retry-After`` and ``DPoP-Nonce`` when
    /// they apply.
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        if let Some(w) = &self.0.www_authenticate {
            d.set_item("WWW-Authenticate", w)?;
        }
        if let Some(s) = self.0.retry_after_seconds() {
            d.set_item("Retry-After", s.to_string())?;
        }
        if let Some(n) = &self.0.dpop_nonce {
            d.set_item("DPoP-Nonce", n)?;
        }
        Ok(d)
    }

    /// A small JSON body, ``{"error": ..., "error_description": ...}`` (UTF-8 bytes).
    fn body<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.0.body_json().as_bytes())
    }

    fn __bool__(&self) -> bool {
        false
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Refusal(code={}, status={}, www_authenticate={}, retry_after={})",
            py_repr(py, self.0.code.as_str())?,
            self.0.status,
            py_repr(py, self.0.www_authenticate.as_deref())?,
            py_repr(py, self.0.retry_after)?,
        ))
    }
}

// --- Authenticator --------------------------------------------------------------------------
