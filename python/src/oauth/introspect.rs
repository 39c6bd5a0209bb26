//! `Introspection` (core `oauth::introspect`).

use std::time::SystemTime;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use tokenward::oauth::{self};

/// The answer of an introspection endpoint (RFC 7662), with the fields of Kotlin/Swift's
/// `Introspection` record; `claims` (and `to_dict()`) hold every member of the answer. It
/// describes a token and carries no token material.
#[pyclass(module = "tokenward", name = "Introspection", frozen)]
pub struct Introspection(pub(super) oauth::Introspection);

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
