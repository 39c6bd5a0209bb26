//! Kept tokens for Python: `StoredTokens`, an adapter calling a Python `TokenStore` (any object
//! with `save(tokens)`, `load()` and `clear()`, see `tokenward/_token_store.py`), and the
//! bodies of `TokenSource.keep_tokens` / `TokenSource.restore`. Conversions only.

use std::sync::Arc;

use pyo3::prelude::*;
use tokenward::refresh::{self, TokenSourceOptions};
use tokenward::{Error, ErrorCode};

use crate::error::{invalid_input, Builtin, IntoPyResult};
use crate::secret::Secret;

/// The tokens a `TokenStore` keeps (access token, type, expiry as Unix seconds, scopes,
/// refresh and ID tokens). `repr`/`str` are redacted; `to_json()` holds the tokens.
#[pyclass(module = "tokenward", name = "StoredTokens", frozen)]
pub struct StoredTokens(pub(crate) refresh::StoredTokens);

fn secret(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<tokenward::Secret>> {
    match value {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(None),
        Some(v) => {
            if let Ok(s) = v.cast::<Secret>() {
                return Ok(Some(s.get().0.clone()));
            }
            tokenward::Secret::new(v.extract::<String>()?)
                .py()
                .map(Some)
        }
    }
}

#[pymethods]
impl StoredTokens {
    #[new]
    #[pyo3(signature = (access_token, token_type, expires_at, refresh_token=None, scopes=None, id_token=None))]
    fn new(
        access_token: &Bound<'_, PyAny>,
        token_type: String,
        expires_at: i64,
        refresh_token: Option<&Bound<'_, PyAny>>,
        scopes: Option<Vec<String>>,
        id_token: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let expires_at = u64::try_from(expires_at)
            .map_err(|_| invalid_input(Builtin::Value, "expires_at must be Unix seconds >= 0"))?;
        let access_token = secret(Some(access_token))?
            .ok_or_else(|| invalid_input(Builtin::Value, "access_token is required"))?;
        refresh::StoredTokens::new(
            access_token,
            token_type,
            expires_at,
            secret(refresh_token)?,
            scopes.unwrap_or_default(),
            secret(id_token)?,
        )
        .py()
        .map(StoredTokens)
    }

    /// Reads the versioned JSON form: code `malformed` (`token_too_large` over 64 KiB).
    #[staticmethod]
    fn from_json(json: &str) -> PyResult<Self> {
        refresh::StoredTokens::from_json(json)
            .py()
            .map(StoredTokens)
    }

    /// The versioned JSON form `{"v":1,...}`; it holds the tokens: secure storage only.
    fn to_json(&self) -> String {
        self.0.to_json()
    }

    #[getter]
    fn access_token(&self) -> Secret {
        Secret(self.0.access_token().clone())
    }

    #[getter]
    fn token_type(&self) -> &str {
        self.0.token_type()
    }

    /// The access token's expiry, Unix seconds.
    #[getter]
    fn expires_at(&self) -> u64 {
        self.0.expires_at()
    }

    #[getter]
    fn refresh_token(&self) -> Option<Secret> {
        self.0.refresh_token().cloned().map(Secret)
    }

    #[getter]
    fn scopes(&self) -> Vec<String> {
        self.0.scopes().to_vec()
    }

    #[getter]
    fn id_token(&self) -> Option<Secret> {
        self.0.id_token().cloned().map(Secret)
    }

    fn __repr__(&self) -> String {
        self.0.redacted()
    }

    fn __str__(&self) -> String {
        self.0.redacted()
    }

    /// Refuses to be pickled: the pickle would carry the tokens in plain text.
    fn __reduce__(&self) -> PyResult<()> {
        Err(invalid_input(
            Builtin::Type,
            "tokenward.StoredTokens cannot be pickled; keep to_json() in secure storage",
        ))
    }
}

/// A Python `TokenStore` seen by the core. A Python exception becomes a `storage` error naming
/// the exception type only (its message may quote a token).
struct PyStore(Py<PyAny>);

fn failed(py: Python<'_>, what: &str, e: PyErr) -> Error {
    let kind = e
        .get_type(py)
        .name()
        .map_or_else(|_| "exception".to_owned(), |n| n.to_string());
    Error::new(
        ErrorCode::Storage,
        format!("the token store's {what} raised {kind}"),
    )
}

impl refresh::TokenStore for PyStore {
    fn save(&self, tokens: &refresh::StoredTokens) -> tokenward::Result<()> {
        Python::attach(|py| {
            self.0
                .call_method1(py, "save", (StoredTokens(tokens.clone()),))
                .map(drop)
                .map_err(|e| failed(py, "save", e))
        })
    }

    fn load(&self) -> tokenward::Result<Option<refresh::StoredTokens>> {
        Python::attach(|py| {
            let value = self
                .0
                .call_method0(py, "load")
                .map_err(|e| failed(py, "load", e))?;
            let value = value.bind(py);
            if value.is_none() {
                return Ok(None);
            }
            match value.cast::<StoredTokens>() {
                Ok(t) => Ok(Some(t.get().0.clone())),
                Err(_) => Err(Error::new(
                    ErrorCode::Storage,
                    "the token store's load returned neither StoredTokens nor None",
                )),
            }
        })
    }

    fn clear(&self) -> tokenward::Result<()> {
        Python::attach(|py| {
            self.0
                .call_method0(py, "clear")
                .map(drop)
                .map_err(|e| failed(py, "clear", e))
        })
    }
}

/// Checks that `store` has the three methods, so a wrong object fails now, not at a rotation.
fn store_arg(store: &Bound<'_, PyAny>) -> PyResult<Arc<dyn refresh::TokenStore>> {
    for name in ["save", "load", "clear"] {
        if !store.hasattr(name)? {
            return Err(invalid_input(
                Builtin::Type,
                format!("the token store has no {name}() method"),
            ));
        }
    }
    Ok(Arc::new(PyStore(store.clone().unbind())))
}

/// `TokenSource.keep_tokens(store)`.
pub(crate) fn keep_tokens(source: &refresh::TokenSource, store: &Bound<'_, PyAny>) -> PyResult<()> {
    source.keep_tokens(store_arg(store)?).py()
}

/// `TokenSource.restore(client, store, *, options=None)`.
pub(crate) fn restore(
    client: &tokenward::oauth::OAuthClient,
    store: &Bound<'_, PyAny>,
    options: TokenSourceOptions,
) -> PyResult<refresh::TokenSource> {
    refresh::TokenSource::restore(Arc::new(client.clone()), store_arg(store)?, options).py()
}
