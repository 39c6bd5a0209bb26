//! `tokenward.ApiKeys`, `IssuedKey`, `KeyRecord`, `KeyInfo` and `API_KEY_PATTERN`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyInt};

use crate::error::{invalid_input, Builtin, IntoPyResult};
use crate::secret::Secret;

/// A `timedelta` or a non-negative number of seconds, bounded by the core
/// (`tokenward::clock::duration_from_secs_f64`: `InvalidInputError` for NaN, negative, infinite
/// or more than `clock::MAX_DURATION_SECS`).
pub(crate) fn duration_arg(value: &Bound<'_, PyAny>, name: &str) -> PyResult<Duration> {
    if value.is_instance_of::<PyInt>() || value.is_instance_of::<PyFloat>() {
        let secs: f64 = value.extract()?;
        return tokenward::clock::duration_from_secs_f64(secs, name).py();
    }
    let d = value.extract::<Duration>().map_err(|_| {
        invalid_input(
            Builtin::Type,
            format!("{name} must be a timedelta or seconds"),
        )
    })?;
    tokenward::clock::check_duration(d, name).py()
}

/// A `str` or a `tokenward.Secret`, as a core secret (the pepper).
pub(crate) fn secret_arg(value: &Bound<'_, PyAny>) -> PyResult<tokenward::Secret> {
    if let Ok(s) = value.cast::<Secret>() {
        return Ok(s.get().0.clone());
    }
    tokenward::Secret::new(value.extract::<String>()?).py()
}

/// A `str` or a `tokenward.Secret`, as the plain key to verify.
pub(crate) fn key_arg(value: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(s) = value.cast::<Secret>() {
        return Ok(s.get().0.expose().to_owned());
    }
    value.extract::<String>()
}

/// Unix seconds of the core's records as the instant Python sees: an aware UTC `datetime`.
fn instant(unix_seconds: i64) -> SystemTime {
    tokenward::clock::from_unix_seconds(unix_seconds)
}

/// The stored description of an API key. Holds no secret material.
#[pyclass(module = "tokenward", name = "KeyRecord", frozen)]
pub struct KeyRecord(Arc<tokenward::KeyRecord>);

#[pymethods]
impl KeyRecord {
    /// The public key id.
    #[getter]
    fn id(&self) -> &str {
        &self.0.id
    }
    /// The key's prefix, e.g. ``tw_live``.
    #[getter]
    fn prefix(&self) -> &str {
        &self.0.prefix
    }
    /// The display form, e.g. ``tw_live_a1B2c3D4…Wx9z``.
    #[getter]
    fn display(&self) -> &str {
        &self.0.display
    }
    /// The owner.
    #[getter]
    fn owner(&self) -> &str {
        &self.0.owner
    }
    /// The granted scopes.
    #[getter]
    fn scopes(&self) -> Vec<String> {
        self.0.scopes.clone()
    }
    /// Application metadata.
    #[getter]
    fn metadata(&self) -> BTreeMap<String, String> {
        self.0.metadata.clone()
    }
    /// Creation time (aware UTC ``datetime``).
    #[getter]
    fn created_at(&self) -> SystemTime {
        instant(self.0.created_at)
    }
    /// Expiry time, or None.
    #[getter]
    fn expires_at(&self) -> Option<SystemTime> {
        self.0.expires_at.map(instant)
    }
    /// Revocation time, or None.
    #[getter]
    fn revoked_at(&self) -> Option<SystemTime> {
        self.0.revoked_at.map(instant)
    }
    /// Last verification (coarse: at most one write per ``last_used_granularity``), or None.
    #[getter]
    fn last_used_at(&self) -> Option<SystemTime> {
        self.0.last_used_at.map(instant)
    }
    /// The id of the key that replaced this one in a rotation, or None.
    #[getter]
    fn replaced_by(&self) -> Option<&str> {
        self.0.replaced_by.as_deref()
    }
    /// Whether the key carries ``scope``.
    fn has_scope(&self, scope: &str) -> bool {
        self.0.has_scope(scope)
    }
    /// The record as a plain dict (times as ``datetime``, like the attributes).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let r = &self.0;
        let d = PyDict::new(py);
        d.set_item("id", &r.id)?;
        d.set_item("prefix", &r.prefix)?;
        d.set_item("display", &r.display)?;
        d.set_item("owner", &r.owner)?;
        d.set_item("scopes", &r.scopes)?;
        d.set_item("metadata", &r.metadata)?;
        d.set_item("created_at", instant(r.created_at))?;
        d.set_item("expires_at", r.expires_at.map(instant))?;
        d.set_item("revoked_at", r.revoked_at.map(instant))?;
        d.set_item("last_used_at", r.last_used_at.map(instant))?;
        d.set_item("replaced_by", &r.replaced_by)?;
        Ok(d)
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let r = &self.0;
        let repr = |v: Bound<'_, PyAny>| v.repr().map(|s| s.to_string());
        Ok(format!(
            "KeyRecord(id={}, display={}, owner={}, scopes={}, expires_at={}, revoked={})",
            repr(r.id.as_str().into_pyobject(py)?.into_any())?,
            repr(r.display.as_str().into_pyobject(py)?.into_any())?,
            repr(r.owner.as_str().into_pyobject(py)?.into_any())?,
            repr(r.scopes.clone().into_pyobject(py)?.into_any())?,
            match r.expires_at {
                Some(t) => repr(instant(t).into_pyobject(py)?.into_any())?,
                None => "None".into(),
            },
            if r.revoked_at.is_some() {
                "True"
            } else {
                "False"
            },
        ))
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<KeyRecord>()
            .is_ok_and(|o| *o.get().0 == *self.0)
    }
}

/// A newly issued key: ``.secret`` (the only copy of the plaintext) and ``.record``.
#[pyclass(module = "tokenward", name = "IssuedKey", frozen)]
pub struct IssuedKey {
    #[pyo3(get)]
    secret: Py<Secret>,
    #[pyo3(get)]
    record: Py<KeyRecord>,
}

impl IssuedKey {
    fn new(py: Python<'_>, issued: tokenward::IssuedKey) -> PyResult<Self> {
        Ok(IssuedKey {
            secret: Py::new(py, Secret(issued.secret))?,
            record: Py::new(py, KeyRecord(issued.record))?,
        })
    }
}

#[pymethods]
impl IssuedKey {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "IssuedKey(secret=Secret('{}'), record={})",
            self.secret.get().0.redacted(),
            self.record.bind(py).get().__repr__(py)?
        ))
    }
}

/// What ``ApiKeys.check_format`` learns from a key offline: prefix, id, display form.
#[pyclass(module = "tokenward", name = "KeyInfo", frozen, get_all)]
pub struct KeyInfo {
    prefix: String,
    id: String,
    display: String,
}

#[pymethods]
impl KeyInfo {
    fn __repr__(&self) -> String {
        // Prefix and id are [a-z0-9_] / base62; the display adds only `…`: no quoting needed.
        format!(
            "KeyInfo(prefix='{}', id='{}', display='{}')",
            self.prefix, self.id, self.display
        )
    }
}

/// Issues and verifies API keys of one prefix.
#[pyclass(module = "tokenward", name = "ApiKeys", frozen)]
pub struct ApiKeys(pub(crate) Arc<tokenward::ApiKeys>);

#[pymethods]
impl ApiKeys {
    #[new]
    #[pyo3(signature = (prefix, *, store=None, pepper=None, clock=None, last_used_granularity=None))]
    fn new(
        prefix: &str,
        store: Option<PathBuf>,
        pepper: Option<&Bound<'_, PyAny>>,
        clock: Option<&Bound<'_, crate::clock::ManualClock>>,
        last_used_granularity: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut options = tokenward::apikey::ApiKeysOptions::default();
        if let Some(p) = &store {
            let spec = p.to_str().ok_or_else(|| {
                invalid_input(
                    Builtin::Type,
                    "store must be a UTF-8 path or sqlite:/// URL",
                )
            })?;
            options = options.with_store_spec(spec).py()?;
        }
        if let Some(p) = pepper {
            options = options.with_pepper(secret_arg(p)?);
        }
        if let Some(c) = clock {
            options = options.with_clock(c.get().shared());
        }
        if let Some(g) = last_used_granularity {
            options = options.with_last_used_granularity(duration_arg(g, "last_used_granularity")?);
        }
        Ok(ApiKeys(Arc::new(
            tokenward::ApiKeys::new(prefix, options).py()?,
        )))
    }

    /// Checks shape and checksum offline (any prefix, no store).
    #[staticmethod]
    fn check_format(key: &Bound<'_, PyAny>) -> PyResult<KeyInfo> {
        let key = key_arg(key)?;
        let parsed = tokenward::ApiKeys::check_format(&key).py()?;
        Ok(KeyInfo {
            prefix: parsed.prefix().to_owned(),
            id: parsed.id().to_owned(),
            display: parsed.display(),
        })
    }

    /// The prefix of the keys this instance issues and accepts.
    #[getter]
    fn prefix(&self) -> &str {
        self.0.prefix()
    }

    /// The regular expression matching this instance's keys.
    #[getter]
    fn pattern(&self) -> String {
        self.0.pattern()
    }

    /// Issues a new key.
    #[pyo3(signature = (owner, *, scopes=Vec::new(), expires_in=None, metadata=BTreeMap::new()))]
    fn create(
        &self,
        py: Python<'_>,
        owner: String,
        scopes: Vec<String>,
        expires_in: Option<&Bound<'_, PyAny>>,
        metadata: BTreeMap<String, String>,
    ) -> PyResult<IssuedKey> {
        let new = tokenward::NewKey {
            owner,
            scopes,
            expires_in: expires_in
                .map(|d| duration_arg(d, "expires_in"))
                .transpose()?,
            metadata,
        };
        let issued = py.detach(|| self.0.create(new)).py()?;
        IssuedKey::new(py, issued)
    }

    /// Verifies a key (``str`` or ``Secret``) and returns its record. Releases the GIL.
    fn verify(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<KeyRecord> {
        let key = key_arg(key)?;
        let record = py.detach(|| self.0.verify(&key)).py()?;
        Ok(KeyRecord(record))
    }

    /// The record of key ``id``.
    fn get(&self, py: Python<'_>, id: String) -> PyResult<KeyRecord> {
        Ok(KeyRecord(py.detach(|| self.0.get(&id)).py()?))
    }

    /// Revokes key ``id`` at once.
    fn revoke(&self, py: Python<'_>, id: String) -> PyResult<KeyRecord> {
        Ok(KeyRecord(py.detach(|| self.0.revoke(&id)).py()?))
    }

    /// Issues a successor of key ``id``; the old key stays valid for ``overlap``.
    #[pyo3(signature = (id, *, overlap))]
    fn rotate(
        &self,
        py: Python<'_>,
        id: String,
        overlap: &Bound<'_, PyAny>,
    ) -> PyResult<IssuedKey> {
        let overlap = duration_arg(overlap, "overlap")?;
        let issued = py.detach(|| self.0.rotate(&id, overlap)).py()?;
        IssuedKey::new(py, issued)
    }

    /// Every key of ``owner``, oldest first.
    fn list(&self, py: Python<'_>, owner: String) -> PyResult<Vec<KeyRecord>> {
        let records = py.detach(|| self.0.list(&owner)).py()?;
        Ok(records.into_iter().map(KeyRecord).collect())
    }

    fn __repr__(&self) -> String {
        format!(
            "ApiKeys(prefix='{}', store={:?})",
            self.0.prefix(),
            self.0.store()
        )
    }
}
