//! Argument conversions shared by the JWT classes.

use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use tokenward::jwt::Algorithm;

use crate::apikeys::duration_arg;
use crate::error::{invalid_input, Builtin, IntoPyResult};
use crate::json::dict_from_py;

/// An `alg` name, parsed by the core (`AlgorithmNotAllowedError` for `none` and unknown names).
pub(super) fn alg(name: &str) -> PyResult<Algorithm> {
    name.parse::<Algorithm>().py()
}

/// A `timedelta` or seconds argument that may be `None` (the core default).
pub(super) fn opt_duration(
    value: Option<&Bound<'_, PyAny>>,
    name: &str,
) -> PyResult<Option<Duration>> {
    match value {
        Some(v) if !v.is_none() => duration_arg(v, name).map(Some),
        _ => Ok(None),
    }
}
/// A str or a sequence of str, as a list.
pub(super) fn one_or_many(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<String>> {
    match obj {
        None => Ok(Vec::new()),
        Some(o) if o.is_none() => Ok(Vec::new()),
        Some(o) if o.is_instance_of::<PyString>() => Ok(vec![o.extract()?]),
        Some(o) => o.extract(),
    }
}

/// Text or bytes, as bytes.
pub(super) fn bytes_of(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    let s: String = obj
        .extract()
        .map_err(|_| invalid_input(Builtin::Type, "expected str or bytes"))?;
    Ok(s.into_bytes())
}

/// A JSON document given as str or dict, serialized.
pub(super) fn json_text(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(d) = obj.cast::<PyDict>() {
        return Ok(serde_json::Value::Object(dict_from_py(d, 0)?).to_string());
    }
    obj.extract()
        .map_err(|_| invalid_input(Builtin::Type, "expected a JSON str or a dict"))
}
