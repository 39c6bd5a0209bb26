//! Argument conversions shared by the OAuth classes.

use pyo3::prelude::*;

use crate::error::IntoPyResult;
use crate::secret::Secret;

/// A closed-set argument (`auth_method`, `token_type_hint`, `fallback`) parsed by the core's
/// `FromStr`, so the error and the list of valid values come from the core.
pub(super) fn parse<T: std::str::FromStr<Err = tokenward::Error>>(
    value: Option<&str>,
) -> PyResult<Option<T>> {
    value.map(str::parse).transpose().py()
}

/// A `str` or a `Secret` argument as a core secret.
pub(super) fn secret_arg(value: &Bound<'_, PyAny>) -> PyResult<tokenward::Secret> {
    if let Ok(s) = value.cast::<Secret>() {
        return Ok(s.get().0.clone());
    }
    tokenward::Secret::new(value.extract::<String>()?).py()
}
