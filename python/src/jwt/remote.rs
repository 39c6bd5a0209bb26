//! `RemoteKeySet` (core `jwt::remote`).

use pyo3::prelude::*;
use tokenward::jwt::{self, RemoteKeySetOptions};

use super::convert::opt_duration;
use super::keyset::KeySet;
use crate::error::{invalid_input, Builtin, IntoPyResult};

/// The core options of the `RemoteKeySet` keyword arguments (`None`: the core default).
fn remote_options(
    ttl: Option<&Bound<'_, PyAny>>,
    cooldown: Option<&Bound<'_, PyAny>>,
    max_stale: Option<&Bound<'_, PyAny>>,
    timeout: Option<&Bound<'_, PyAny>>,
    allow_http: bool,
) -> PyResult<RemoteKeySetOptions> {
    // Durations are bounded by the core (InvalidInputError, never a panic).
    let mut options = RemoteKeySetOptions::new();
    if let Some(ttl) = opt_duration(ttl, "ttl")? {
        options = options.with_ttl(ttl);
    }
    if let Some(cooldown) = opt_duration(cooldown, "cooldown")? {
        options = options.with_cooldown(cooldown);
    }
    if let Some(max_stale) = opt_duration(max_stale, "max_stale")? {
        options = options.with_max_stale(max_stale);
    }
    let mut http = tokenward::http::HttpPolicy::default();
    if let Some(timeout) = opt_duration(timeout, "timeout")? {
        if timeout.is_zero() {
            return Err(invalid_input(Builtin::Value, "timeout must be positive"));
        }
        http.timeout = timeout;
    }
    http.dangerous_allow_http = allow_http;
    Ok(options.with_http(http))
}

/// A JWKS fetched from a URL and cached (TTL / `Cache-Control`, refetch on unknown `kid` with
/// a cooldown, single-flight, last good keys kept when refreshes fail); pass it to
/// `RemoteJwtVerifier`.
#[pyclass(module = "tokenward", name = "RemoteKeySet", frozen, from_py_object)]
#[derive(Clone)]
pub struct RemoteKeySet {
    pub(crate) inner: jwt::RemoteKeySet,
    issuer: Option<String>,
}

#[pymethods]
impl RemoteKeySet {
    /// A cached key set for `jwks_url` (https, or http on loopback); fetched on first use.
    #[new]
    #[pyo3(signature = (jwks_url, *, ttl=None, cooldown=None, max_stale=None, timeout=None,
        dangerous_allow_http=false))]
    fn new(
        jwks_url: &str,
        ttl: Option<&Bound<'_, PyAny>>,
        cooldown: Option<&Bound<'_, PyAny>>,
        max_stale: Option<&Bound<'_, PyAny>>,
        timeout: Option<&Bound<'_, PyAny>>,
        dangerous_allow_http: bool,
    ) -> PyResult<RemoteKeySet> {
        let options = remote_options(ttl, cooldown, max_stale, timeout, dangerous_allow_http)?;
        Ok(RemoteKeySet {
            inner: jwt::RemoteKeySet::new(jwks_url, options).py()?,
            issuer: None,
        })
    }

    /// OpenID Connect discovery: the issuer's `jwks_uri` as a remote key set (blocking; the
    /// GIL is released while it fetches). The discovered issuer is `.issuer`.
    #[staticmethod]
    #[pyo3(signature = (issuer_url, *, ttl=None, cooldown=None, max_stale=None, timeout=None,
        dangerous_allow_http=false))]
    fn discover(
        py: Python<'_>,
        issuer_url: &str,
        ttl: Option<&Bound<'_, PyAny>>,
        cooldown: Option<&Bound<'_, PyAny>>,
        max_stale: Option<&Bound<'_, PyAny>>,
        timeout: Option<&Bound<'_, PyAny>>,
        dangerous_allow_http: bool,
    ) -> PyResult<RemoteKeySet> {
        let options = remote_options(ttl, cooldown, max_stale, timeout, dangerous_allow_http)?;
        let (issuer, inner) = py
            .detach(|| tokenward::runtime::block_on(jwt::discover(issuer_url, options)))
            .py()?
            .py()?;
        Ok(RemoteKeySet {
            inner,
            issuer: Some(issuer),
        })
    }

    /// The JWKS URL.
    #[getter]
    fn url(&self) -> &str {
        self.inner.url()
    }

    /// The issuer found by discovery, if this set came from `RemoteKeySet.discover`.
    #[getter]
    fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// Number of HTTP fetches made so far.
    #[getter]
    fn fetch_count(&self) -> u64 {
        self.inner.fetch_count()
    }

    /// The current keys (fetching if needed; blocking, GIL released).
    fn keys(&self, py: Python<'_>) -> PyResult<KeySet> {
        let keys = py
            .detach(|| tokenward::runtime::block_on(self.inner.keys()))
            .py()?
            .py()?;
        Ok(KeySet(keys))
    }

    fn __repr__(&self) -> String {
        format!("RemoteKeySet(url={:?})", self.inner.url())
    }
}
