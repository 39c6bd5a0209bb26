//! serde_json values <-> Python objects (dict, list, str, int, float, bool, None).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use pyo3::IntoPyObjectExt;
use serde_json::{Map, Value};
use tokenward::jwt::Claims;

/// Converts a JSON value to the equivalent Python object.
pub(crate) fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    match value {
        Value::Null => Ok(py.None().into_bound(py)),
        Value::Bool(b) => b.into_bound_py_any(py),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_bound_py_any(py),
            (None, Some(u)) => u.into_bound_py_any(py),
            _ => n.as_f64().unwrap_or(f64::NAN).into_bound_py_any(py),
        },
        Value::String(s) => s.into_bound_py_any(py),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            Ok(list.into_any())
        }
        Value::Object(map) => Ok(map_to_py(py, map)?.into_any()),
    }
}

/// Converts a JSON object's members (a `Map` or verified `Claims`) to a Python dict, in their
/// order.
pub(crate) fn map_to_py<'py, 'a, K: AsRef<str>>(
    py: Python<'py>,
    members: impl IntoIterator<Item = (K, &'a Value)>,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (k, v) in members {
        dict.set_item(member_name(py, k.as_ref()), to_py(py, v)?)?;
    }
    Ok(dict)
}

/// A member name as a Python string: the common claim names are interned once (a verified
/// token's dict then allocates no key strings for them).
fn member_name<'py>(py: Python<'py>, name: &str) -> Bound<'py, PyString> {
    static COMMON: PyOnceLock<Vec<Py<PyString>>> = PyOnceLock::new();
    let interned = Claims::COMMON_NAMES
        .iter()
        .position(|known| *known == name)
        .and_then(|i| {
            COMMON
                .get_or_init(py, || {
                    Claims::COMMON_NAMES
                        .iter()
                        .map(|known| PyString::intern(py, known).unbind())
                        .collect()
                })
                .get(i)
        });
    match interned {
        Some(known) => known.bind(py).clone(),
        None => PyString::new(py, name),
    }
}

/// Converts a Python object made of JSON types to a JSON value.
pub(crate) fn from_py(obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
    if depth > 64 {
        return Err(PyTypeError::new_err("value nested too deeply"));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        return Ok(Value::from(obj.extract::<u64>()?));
    }
    if obj.is_instance_of::<PyFloat>() {
        let f: f64 = obj.extract()?;
        return serde_json::Number::from_f64(f)
            .map(Value::Number)
            .ok_or_else(|| PyTypeError::new_err("NaN and infinity are not JSON"));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        return Ok(Value::Object(dict_from_py(d, depth)?));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut out = Vec::new();
        for item in obj.try_iter()? {
            out.push(from_py(&item?, depth + 1)?);
        }
        return Ok(Value::Array(out));
    }
    Err(PyTypeError::new_err(format!(
        "cannot convert {} to JSON",
        obj.get_type().name()?
    )))
}

/// Converts a dict with string keys to a JSON object.
pub(crate) fn dict_from_py(d: &Bound<'_, PyDict>, depth: usize) -> PyResult<Map<String, Value>> {
    let mut map = Map::new();
    for (k, v) in d.iter() {
        let key: String = k
            .extract()
            .map_err(|_| PyTypeError::new_err("JSON object keys must be strings"))?;
        map.insert(key, from_py(&v, depth + 1)?);
    }
    Ok(map)
}
