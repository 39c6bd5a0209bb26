//! serde_json values <-> Python objects (dict, list, str, int, float, bool, None).

use std::sync::{Arc, Mutex};

use crate::error::{invalid_input, Builtin};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use pyo3::IntoPyObjectExt;
use serde_json::{Map, Number, Value};
use tokenward::__bindings::json_small_integer;
use tokenward::jwt::{json_number, Built, Claims, ClaimsBuilder, Interrupted};

/// Converts a JSON value to the equivalent Python object.
pub(crate) fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    match value {
        Value::Null => Ok(py.None().into_bound(py)),
        Value::Bool(b) => b.into_bound_py_any(py),
        Value::Number(n) => number_to_py(py, n),
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

/// A JSON number as a Python int (when integral and in `i64`/`u64`) or float.
fn number_to_py<'py>(py: Python<'py>, n: &Number) -> PyResult<Bound<'py, PyAny>> {
    match (n.as_i64(), n.as_u64()) {
        (Some(i), _) => i.into_bound_py_any(py),
        (None, Some(u)) => u.into_bound_py_any(py),
        _ => n.as_f64().unwrap_or(f64::NAN).into_bound_py_any(py),
    }
}

/// Python strings one verifier hands out on every call: the issuers and audiences it accepts
/// (a valid token's `iss` and `aud` are among them) and member names beyond the common claim
/// names (the first 32 seen; a token's custom names rarely change). Sharing them saves an
/// allocation and a UTF-8 decode per string, the way CPython interns identifiers.
pub(crate) struct KnownStrings {
    values: Vec<(Box<str>, Py<PyString>)>,
    names: Mutex<Vec<(Box<str>, Py<PyString>)>>,
    /// The member names of the last verified payload, see [`Shape`].
    shape: Mutex<Option<Arc<Shape>>>,
}

/// The top-level members of the last payload a verifier built: tokens of one issuer share them.
/// The next dict starts as a copy of `template` (those keys, values `None`), so CPython clones
/// a presized key table instead of inserting each member and resizing once, and each member
/// replaces a value. The limited API has no presized dict; this is the same effect.
struct Shape {
    names: Vec<Box<str>>,
    keys: Vec<Py<PyString>>,
    template: Py<PyDict>,
}

impl Shape {
    /// The shape of `dict`, or `None` when a key is not a string.
    fn of(dict: &Bound<'_, PyDict>) -> Option<Shape> {
        let template = dict.copy().ok()?;
        let mut names = Vec::with_capacity(dict.len());
        let mut keys = Vec::with_capacity(dict.len());
        for key in dict.keys() {
            let key = key.cast_into::<PyString>().ok()?;
            names.push(key.to_str().ok()?.into());
            template.set_item(&key, dict.py().None()).ok()?;
            keys.push(key.unbind());
        }
        Some(Shape {
            names,
            keys,
            template: template.unbind(),
        })
    }
}

/// How many custom member names a verifier keeps.
const KNOWN_NAMES: usize = 32;

impl KnownStrings {
    /// Shares `values` (the configured issuers and audiences).
    pub(crate) fn new<'a>(py: Python<'_>, values: impl IntoIterator<Item = &'a String>) -> Self {
        KnownStrings {
            values: values
                .into_iter()
                .map(|v| (v.as_str().into(), PyString::new(py, v).unbind()))
                .collect(),
            names: Mutex::new(Vec::new()),
            shape: Mutex::new(None),
        }
    }

    fn value<'py>(&self, py: Python<'py>, value: &str) -> Bound<'py, PyString> {
        match self.values.iter().find(|(known, _)| **known == *value) {
            Some((_, shared)) => shared.bind(py).clone(),
            None => PyString::new(py, value),
        }
    }

    fn name<'py>(&self, py: Python<'py>, name: &str) -> Bound<'py, PyString> {
        if let Some(common) = common_name(py, name) {
            return common;
        }
        // Poisoning needs a panic while the lock is held, and nothing in here panics.
        let Ok(mut names) = self.names.lock() else {
            return PyString::new(py, name);
        };
        if let Some((_, shared)) = names.iter().find(|(known, _)| **known == *name) {
            return shared.bind(py).clone();
        }
        let fresh = PyString::new(py, name);
        if names.len() < KNOWN_NAMES {
            names.push((name.into(), fresh.clone().unbind()));
        }
        fresh
    }
}

/// Builds a verified payload directly as Python objects, in the verifier's one pass over it
/// (converting the core's `Claims` afterwards doubled the cost of an HS256 verify).
pub(crate) struct DictBuilder<'py, 'v> {
    py: Python<'py>,
    strings: &'v KnownStrings,
    /// Objects begun and not finished: the top level is the one never finished, so a member
    /// added while only it is open is a top-level member.
    open: usize,
    /// The shape the top-level dict was copied from, while its members still follow it.
    following: Option<Arc<Shape>>,
    /// Top-level members added so far.
    members: usize,
    /// Why the build stopped, raised instead of the verifier's `internal` error.
    pub(crate) error: Option<PyErr>,
}

impl<'py, 'v> DictBuilder<'py, 'v> {
    pub(crate) fn new(py: Python<'py>, strings: &'v KnownStrings) -> Self {
        DictBuilder {
            py,
            strings,
            open: 0,
            following: None,
            members: 0,
            error: None,
        }
    }

    fn keep<T>(&mut self, result: PyResult<T>) -> Built<T> {
        result.map_err(|e| {
            self.error = Some(e);
            Interrupted
        })
    }

    /// The finished top-level dict. A copied template whose tail this payload did not fill is
    /// rebuilt with its members only, and the verifier remembers a changed shape.
    pub(crate) fn finish(self, dict: Bound<'py, PyDict>) -> PyResult<Bound<'py, PyDict>> {
        let dict = match &self.following {
            Some(shape) if self.members == shape.keys.len() => return Ok(dict),
            Some(shape) => prefix(&dict, &shape.keys[..self.members])?,
            None => dict,
        };
        if let (Some(shape), Ok(mut slot)) = (Shape::of(&dict), self.strings.shape.lock()) {
            *slot = Some(Arc::new(shape));
        }
        Ok(dict)
    }

    /// The top-level dict to fill: a copy of the last shape's template when there is one.
    fn top_level(&mut self) -> PyResult<Bound<'py, PyDict>> {
        let shape = self.strings.shape.lock().ok().and_then(|s| s.clone());
        match shape {
            Some(shape) => {
                let dict = shape.template.bind(self.py).copy()?;
                self.following = Some(shape);
                Ok(dict)
            }
            None => Ok(PyDict::new(self.py)),
        }
    }

    /// Adds a top-level member: in place of the template's next key while the names follow
    /// it; otherwise the dict is rebuilt from the members so far and filled normally.
    fn top_member(
        &mut self,
        dict: &mut Bound<'py, PyDict>,
        name: &str,
        value: Bound<'py, PyAny>,
    ) -> PyResult<()> {
        if let Some(shape) = &self.following {
            if shape.names.get(self.members).is_some_and(|n| **n == *name) {
                dict.set_item(shape.keys[self.members].bind(self.py), value)?;
                self.members += 1;
                return Ok(());
            }
            *dict = prefix(dict, &shape.keys[..self.members])?;
            self.following = None;
        }
        self.members += 1;
        dict.set_item(self.strings.name(self.py, name), value)
    }
}

/// A new dict with the members of `dict` under `keys`, in that order.
fn prefix<'py>(dict: &Bound<'py, PyDict>, keys: &[Py<PyString>]) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(dict.py());
    for key in keys {
        let key = key.bind(dict.py());
        if let Some(value) = dict.get_item(key)? {
            out.set_item(key, value)?;
        }
    }
    Ok(out)
}

impl<'py> ClaimsBuilder for DictBuilder<'py, '_> {
    type Value = Bound<'py, PyAny>;
    type Object = Bound<'py, PyDict>;
    type Array = Vec<Bound<'py, PyAny>>;

    fn null(&mut self) -> Built<Self::Value> {
        Ok(self.py.None().into_bound(self.py))
    }
    fn boolean(&mut self, value: bool) -> Built<Self::Value> {
        Ok(PyBool::new(self.py, value).to_owned().into_any())
    }
    fn number(&mut self, text: &str) -> Built<Self::Value> {
        // Timestamps and other small integers skip serde_json's number type.
        if let Some(n) = json_small_integer(text) {
            return Ok(PyInt::new(self.py, n).into_any());
        }
        let number = json_number(text).ok_or(Interrupted)?;
        let value = number_to_py(self.py, &number);
        self.keep(value)
    }
    fn string(&mut self, value: &str) -> Built<Self::Value> {
        Ok(self.strings.value(self.py, value).into_any())
    }
    fn object(&mut self) -> Built<Self::Object> {
        self.open += 1;
        if self.open == 1 {
            let dict = self.top_level();
            return self.keep(dict);
        }
        Ok(PyDict::new(self.py))
    }
    fn member(&mut self, object: &mut Self::Object, name: &str, value: Self::Value) -> Built<()> {
        let result = if self.open == 1 {
            self.top_member(object, name, value)
        } else {
            object.set_item(self.strings.name(self.py, name), value)
        };
        self.keep(result)
    }
    fn finish_object(&mut self, object: Self::Object) -> Built<Self::Value> {
        self.open -= 1;
        Ok(object.into_any())
    }
    fn array(&mut self) -> Built<Self::Array> {
        Ok(Vec::new())
    }
    fn element(&mut self, array: &mut Self::Array, value: Self::Value) -> Built<()> {
        array.push(value);
        Ok(())
    }
    fn finish_array(&mut self, array: Self::Array) -> Built<Self::Value> {
        let list = PyList::new(self.py, array).map(Bound::into_any);
        self.keep(list)
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
    common_name(py, name).unwrap_or_else(|| PyString::new(py, name))
}

/// The interned Python string of one of `Claims::COMMON_NAMES`.
fn common_name<'py>(py: Python<'py>, name: &str) -> Option<Bound<'py, PyString>> {
    static COMMON: PyOnceLock<Vec<Py<PyString>>> = PyOnceLock::new();
    let i = Claims::common_index(name)?;
    let interned = COMMON.get_or_init(py, || {
        Claims::COMMON_NAMES
            .iter()
            .map(|known| PyString::intern(py, known).unbind())
            .collect()
    });
    Some(interned[i].bind(py).clone())
}

/// Converts a Python object made of JSON types to a JSON value.
pub(crate) fn from_py(obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
    if depth > 64 {
        return Err(invalid_input(Builtin::Type, "value nested too deeply"));
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
            .ok_or_else(|| invalid_input(Builtin::Type, "NaN and infinity are not JSON"));
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
    Err(invalid_input(
        Builtin::Type,
        format!("cannot convert {} to JSON", obj.get_type().name()?),
    ))
}

/// Converts a dict with string keys to a JSON object.
pub(crate) fn dict_from_py(d: &Bound<'_, PyDict>, depth: usize) -> PyResult<Map<String, Value>> {
    let mut map = Map::new();
    for (k, v) in d.iter() {
        let key: String = k
            .extract()
            .map_err(|_| invalid_input(Builtin::Type, "JSON object keys must be strings"))?;
        map.insert(key, from_py(&v, depth + 1)?);
    }
    Ok(map)
}
