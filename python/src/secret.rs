//! `tokenward.Secret` and `tokenward.fingerprint`.

use pyo3::prelude::*;

use crate::error::{invalid_input, Builtin, IntoPyResult};

/// Token material whose `repr`/`str` are redacted. Read it with the explicit `expose()`.
#[pyclass(module = "tokenward", name = "Secret", frozen)]
pub struct Secret(pub(crate) tokenward::Secret);

#[pymethods]
impl Secret {
    #[new]
    fn new(value: String) -> PyResult<Self> {
        Ok(Secret(tokenward::Secret::new(value).py()?))
    }

    /// The secret value (explicit on purpose).
    fn expose(&self) -> &str {
        self.0.expose()
    }

    /// A short identifier of the secret, safe to log.
    #[getter]
    fn fingerprint(&self) -> &str {
        self.0.fingerprint()
    }

    fn __repr__(&self) -> String {
        format!("Secret('{}')", self.0.redacted())
    }

    fn __str__(&self) -> String {
        self.0.redacted()
    }

    /// Constant-time comparison with another `Secret` or a `str`.
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        if let Ok(other) = other.cast::<Secret>() {
            return self.0.constant_time_eq(other.get().0.expose());
        }
        match other.extract::<String>() {
            Ok(s) => self.0.constant_time_eq(&s),
            Err(_) => false,
        }
    }

    fn __hash__(&self) -> u64 {
        // Hash the fingerprint, not the value: equal secrets have equal fingerprints.
        self.0
            .fingerprint()
            .bytes()
            .fold(0xcbf29ce484222325u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
            })
    }

    /// Secrets refuse to be pickled: a pickle would carry the value in plain text.
    fn __reduce__(&self) -> PyResult<()> {
        Err(invalid_input(
            Builtin::Type,
            "tokenward.Secret cannot be pickled; pickle secret.expose() explicitly if you must",
        ))
    }
}

/// A short identifier of a secret, safe to log (first 48 bits of SHA-256, base64url).
#[pyfunction]
pub(crate) fn fingerprint(secret: &str) -> String {
    tokenward::fingerprint(secret.as_bytes())
}
