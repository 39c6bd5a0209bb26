//! `KeySet` (core `jwt::keyset`).

use pyo3::prelude::*;
use tokenward::jwt::{self};

use super::convert::json_text;
use super::key::JwtKey;
use crate::error::IntoPyResult;
use crate::json::to_py;

/// Keys addressed by `kid`.
#[pyclass(module = "tokenward", name = "KeySet", from_py_object)]
#[derive(Clone, Default)]
pub struct KeySet(pub(crate) jwt::KeySet);

#[pymethods]
impl KeySet {
    #[new]
    #[pyo3(signature = (keys=Vec::new()))]
    fn new(keys: Vec<JwtKey>) -> PyResult<KeySet> {
        let mut set = jwt::KeySet::new();
        for k in keys {
            set.insert(k.0).py()?;
        }
        Ok(KeySet(set))
    }

    /// A key set from a JWKS document (dict or JSON str).
    #[staticmethod]
    fn from_jwks(document: &Bound<'_, PyAny>) -> PyResult<KeySet> {
        Ok(KeySet(jwt::KeySet::from_jwks(&json_text(document)?).py()?))
    }

    /// Adds a key (its `kid` must be new).
    fn insert(&mut self, key: JwtKey) -> PyResult<()> {
        self.0.insert(key.0).py()
    }

    /// The public keys as a JWKS dict.
    fn to_jwks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.0.to_jwks())
    }

    /// The key ids, in insertion order (keys without `kid` are left out).
    #[getter]
    fn kids(&self) -> Vec<String> {
        self.0
            .keys()
            .iter()
            .filter_map(|k| k.kid().map(str::to_owned))
            .collect()
    }

    fn __len__(&self) -> usize {
        self.0.len()
    }

    fn __repr__(&self) -> String {
        let kids: Vec<String> = self
            .0
            .keys()
            .iter()
            .map(|k| format!("{:?}", k.kid()))
            .collect();
        format!("KeySet(kids=[{}])", kids.join(", "))
    }
}
