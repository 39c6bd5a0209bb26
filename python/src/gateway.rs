//! `tokenward.Authenticator`, `Principal`, `Refusal`, `RateLimit`, `RevocationList`: the
//! in-process gateway. Conversions only: every check runs in `tokenward::gateway`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};
use tokenward::gateway::{self, CredentialKind, ForwardedHeader, RevocationKind};
use tokenward::jwt::Claims;

use crate::apikeys::{duration_arg, ApiKeys};
use crate::clock::{clock_arg, ManualClock};
use crate::error::{invalid_input, Builtin, IntoPyResult};
use crate::json::map_to_py;
use crate::jwt::JwtVerifier;
use crate::oauth::OAuthClient;

// --- RateLimit ------------------------------------------------------------------------------

/// ``rate`` requests per ``period`` (a ``timedelta`` or seconds; default 1 s, the core's
/// ``DEFAULT_RATE_LIMIT_PERIOD``), in bursts of up to ``burst`` (GCRA).
#[pyclass(module = "tokenward", name = "RateLimit", frozen, from_py_object)]
#[derive(Clone, Copy)]
pub struct RateLimit(pub(crate) gateway::RateLimit);

#[pymethods]
impl RateLimit {
    #[new]
    #[pyo3(signature = (rate, *, burst, period=None))]
    fn new(rate: u32, burst: u32, period: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let period = match period {
            Some(p) => duration_arg(p, "period")?,
            None => gateway::DEFAULT_RATE_LIMIT_PERIOD,
        };
        Ok(RateLimit(
            gateway::RateLimit::new(rate, period, burst).py()?,
        ))
    }

    /// ``rate`` requests per second, in bursts of up to ``burst``.
    #[staticmethod]
    fn per_second(rate: u32, burst: u32) -> PyResult<Self> {
        let l = gateway::RateLimit::per_second(rate, burst);
        l.validate().py()?;
        Ok(RateLimit(l))
    }

    /// ``rate`` requests per minute, in bursts of up to ``burst``.
    #[staticmethod]
    fn per_minute(rate: u32, burst: u32) -> PyResult<Self> {
        let l = gateway::RateLimit::per_minute(rate, burst);
        l.validate().py()?;
        Ok(RateLimit(l))
    }

    /// Requests per period.
    #[getter]
    fn rate(&self) -> u32 {
        self.0.rate
    }

    /// The period.
    #[getter]
    fn period(&self) -> Duration {
        self.0.period
    }

    /// Requests that may arrive at once.
    #[getter]
    fn burst(&self) -> u32 {
        self.0.burst
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.extract::<RateLimit>().is_ok_and(|o| o.0 == self.0)
    }

    fn __hash__(&self) -> u64 {
        u64::from(self.0.rate) ^ (u64::from(self.0.burst) << 32) ^ self.0.period.as_nanos() as u64
    }

    fn __repr__(&self) -> String {
        format!(
            "RateLimit({}, burst={}, period=timedelta(seconds={}))",
            self.0.rate,
            self.0.burst,
            self.0.period.as_secs_f64()
        )
    }
}

// --- RevocationList -------------------------------------------------------------------------

/// The core's parse: its error lists the kinds.
fn revocation_kind(kind: &str) -> PyResult<RevocationKind> {
    kind.parse().py()
}

/// Unix seconds from an ``int``/``float`` or an aware ``datetime``.
fn until_arg(until: &Bound<'_, PyAny>) -> PyResult<i64> {
    if until.hasattr("timestamp")? {
        let ts: f64 = until.call_method0("timestamp")?.extract()?;
        return Ok(ts.ceil() as i64);
    }
    if let Ok(i) = until.extract::<i64>() {
        return Ok(i);
    }
    let f: f64 = until
        .extract()
        .map_err(|_| invalid_input(Builtin::Type, "until must be Unix seconds or a datetime"))?;
    Ok(f.ceil() as i64)
}

/// A bounded, expiring revocation list by JWT ``jti``, API key id or subject; share one
/// between authenticators. Every entry has an expiry (``until``, Unix seconds or a
/// ``datetime``), after which it is dropped. ``store`` selects where it lives: ``"memory"`` (the
/// default, this process) or ``"redis://…"`` (shared by every instance using that Redis; checks
/// fail closed unless ``fail_open``).
#[pyclass(module = "tokenward", name = "RevocationList", frozen)]
pub struct RevocationList {
    /// The in-process list (`None` for a shared store).
    local: Option<Arc<gateway::RevocationList>>,
    pub(crate) store: Arc<dyn gateway::RevocationStore>,
}

#[pymethods]
impl RevocationList {
    #[new]
    #[pyo3(signature = (*, max_entries=gateway::DEFAULT_MAX_REVOCATIONS, clock=None, store=None, fail_open=false))]
    fn new(
        max_entries: usize,
        clock: Option<&Bound<'_, ManualClock>>,
        store: Option<&str>,
        fail_open: bool,
    ) -> PyResult<Self> {
        let mut options = gateway::RevocationListOptions::new().with_max_entries(max_entries);
        if let Some(clock) = clock_arg(clock) {
            options = options.with_clock(clock);
        }
        match store.map(str::trim) {
            None | Some("") | Some("memory") => {
                let local = Arc::new(gateway::RevocationList::new(options).py()?);
                Ok(RevocationList {
                    store: local.clone(),
                    local: Some(local),
                })
            }
            Some(url) => Ok(RevocationList {
                local: None,
                store: gateway::open_revocations(Some(url), fail_open).py()?,
            }),
        }
    }

    /// Revokes ``id`` of ``kind`` (``"jti"``, ``"key_id"`` or ``"subject"``) until ``until``.
    fn revoke(
        &self,
        py: Python<'_>,
        kind: &str,
        id: &str,
        until: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let (kind, until) = (revocation_kind(kind)?, until_arg(until)?);
        py.detach(|| self.store.revoke(kind, id, until)).py()
    }

    /// Lifts a revocation; returns whether one existed.
    fn unrevoke(&self, py: Python<'_>, kind: &str, id: &str) -> PyResult<bool> {
        let kind = revocation_kind(kind)?;
        py.detach(|| self.store.unrevoke(kind, id)).py()
    }

    /// Whether ``id`` of ``kind`` is revoked now.
    fn is_revoked(&self, py: Python<'_>, kind: &str, id: &str) -> PyResult<bool> {
        let kind = revocation_kind(kind)?;
        py.detach(|| self.store.is_revoked(kind, id)).py()
    }

    /// Drops expired entries; returns how many remain (a shared store expires its entries
    /// itself: 0).
    fn purge(&self) -> usize {
        self.local.as_ref().map_or(0, |l| l.purge())
    }

    fn __len__(&self) -> usize {
        self.local.as_ref().map_or(0, |l| l.len())
    }

    fn __repr__(&self) -> String {
        match &self.local {
            Some(l) => format!("RevocationList(entries={})", l.len()),
            None => "RevocationList(store='redis')".to_owned(),
        }
    }
}

// --- Principal / Refusal --------------------------------------------------------------------

/// Python's `repr` of a value.
fn py_repr<'py, T: IntoPyObject<'py>>(py: Python<'py>, v: T) -> PyResult<String> {
    use pyo3::IntoPyObjectExt;
    Ok(v.into_bound_py_any(py)?.repr()?.to_string())
}

/// An authenticated and authorized caller. Truthy, and ``ok`` is ``True``.
#[pyclass(module = "tokenward", name = "Principal", frozen)]
pub struct Principal {
    kind: CredentialKind,
    subject: String,
    key_id: Option<String>,
    scopes: Vec<String>,
    claims: Claims,
    rate_limit_remaining: Option<u64>,
}

impl From<gateway::Principal> for Principal {
    fn from(p: gateway::Principal) -> Self {
        Principal {
            kind: p.kind,
            subject: p.subject,
            key_id: p.key_id,
            scopes: p.scopes,
            claims: p.claims,
            rate_limit_remaining: p.rate_limit_remaining,
        }
    }
}

#[pymethods]
impl Principal {
    /// Always ``True``: the request may proceed.
    #[getter]
    fn ok(&self) -> bool {
        true
    }

    /// ``"api_key"`` or ``"jwt"``.
    #[getter]
    fn kind(&self) -> &'static str {
        self.kind.as_str()
    }

    /// The key owner, or the JWT ``sub`` (``""`` when the token has none).
    #[getter]
    fn subject(&self) -> &str {
        &self.subject
    }

    /// The API key id, or the JWT ``jti`` when present.
    #[getter]
    fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    /// The scopes the credential carries.
    #[getter]
    fn scopes(&self) -> Vec<String> {
        self.scopes.clone()
    }

    /// The verified JWT claims (empty for API keys); a new dict on each access.
    #[getter]
    fn claims<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        map_to_py(py, &self.claims)
    }

    /// Requests left in the tightest applicable rate limit, or ``None`` without limits.
    #[getter]
    fn rate_limit_remaining(&self) -> Option<u64> {
        self.rate_limit_remaining
    }

    /// Whether the credential carries ``scope``.
    fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    fn __bool__(&self) -> bool {
        true
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Principal(kind={}, subject={}, key_id={}, scopes={}, rate_limit_remaining={})",
            py_repr(py, self.kind.as_str())?,
            py_repr(py, self.subject.as_str())?,
            py_repr(py, self.key_id.as_deref())?,
            py_repr(py, self.scopes.clone())?,
            py_repr(py, self.rate_limit_remaining)?,
        ))
    }
}

/// A refused request: send ``status``, ``headers()`` and ``body()``; keep ``code`` (the
/// internal reason) for logs. Falsy, and ``ok`` is ``False``.
#[pyclass(module = "tokenward", name = "Refusal", frozen)]
pub struct Refusal(gateway::Refusal);

#[pymethods]
impl Refusal {
    /// Always ``False``.
    #[getter]
    fn ok(&self) -> bool {
        false
    }

    /// The internal reason: a stable tokenward error code (log it; do not send it).
    #[getter]
    fn code(&self) -> &'static str {
        self.0.code.as_str()
    }

    /// The HTTP status: 400, 401, 403 or 429.
    #[getter]
    fn status(&self) -> u16 {
        self.0.status
    }

    /// The ``WWW-Authenticate`` value (RFC 6750), or ``None``.
    #[getter]
    fn www_authenticate(&self) -> Option<&str> {
        self.0.www_authenticate.as_deref()
    }

    /// How long the client should wait (``Retry-After``, whole seconds), or ``None``.
    #[getter]
    fn retry_after(&self) -> Option<Duration> {
        self.0.retry_after
    }

    /// The error name safe to show a client: the RFC 6750 one (``invalid_request``,
    /// ``invalid_token``, ``insufficient_scope``), or ``missing_credentials``, ``ip_denied``,
    /// ``rate_limited``.
    #[getter]
    fn error(&self) -> &'static str {
        self.0.public_error().0
    }

    /// A fixed description of ``error`` that reveals nothing beyond it.
    #[getter]
    fn error_description(&self) -> &'static str {
        self.0.public_error().1
    }

    /// The ``DPoP-Nonce`` to send with a ``use_dpop_nonce`` refusal, or ``None``.
    #[getter]
    fn dpop_nonce(&self) -> Option<&str> {
        self.0.dpop_nonce.as_deref()
    }

    /// The response headers: ``WWW-Authenticate``, ``Retry-After`` and ``DPoP-Nonce`` when
    /// they apply.
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        if let Some(w) = &self.0.www_authenticate {
            d.set_item("WWW-Authenticate", w)?;
        }
        if let Some(s) = self.0.retry_after_seconds() {
            d.set_item("Retry-After", s.to_string())?;
        }
        if let Some(n) = &self.0.dpop_nonce {
            d.set_item("DPoP-Nonce", n)?;
        }
        Ok(d)
    }

    /// A small JSON body, ``{"error": ..., "error_description": ...}`` (UTF-8 bytes).
    fn body<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.0.body_json().as_bytes())
    }

    fn __bool__(&self) -> bool {
        false
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Refusal(code={}, status={}, www_authenticate={}, retry_after={})",
            py_repr(py, self.0.code.as_str())?,
            self.0.status,
            py_repr(py, self.0.www_authenticate.as_deref())?,
            py_repr(py, self.0.retry_after)?,
        ))
    }
}

// --- Authenticator --------------------------------------------------------------------------

/// Text of a header name or value given as `str` or `bytes` (bytes that are not UTF-8 are
/// decoded lossily: a credential with such bytes is malformed either way).
fn text(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(String::from_utf8_lossy(b.as_bytes()).into_owned());
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(s.to_cow()?.into_owned());
    }
    Err(invalid_input(
        Builtin::Type,
        "header names and values must be str or bytes",
    ))
}

fn name_matches(obj: &Bound<'_, PyAny>, wanted: &[String]) -> PyResult<bool> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        let n = b.as_bytes();
        return Ok(wanted.iter().any(|w| n.eq_ignore_ascii_case(w.as_bytes())));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        let n = s.to_cow()?;
        return Ok(wanted.iter().any(|w| n.eq_ignore_ascii_case(w)));
    }
    Err(invalid_input(
        Builtin::Type,
        "header names and values must be str or bytes",
    ))
}

fn push_pair(
    pair: &Bound<'_, PyAny>,
    wanted: &[String],
    out: &mut Vec<(String, String)>,
) -> PyResult<()> {
    let (name, value) = if let Ok(t) = pair.cast::<PyTuple>() {
        if t.len() != 2 {
            return Err(invalid_input(
                Builtin::Type,
                "headers must be (name, value) pairs",
            ));
        }
        (t.get_item(0)?, t.get_item(1)?)
    } else {
        let bad = |_| invalid_input(Builtin::Type, "headers must be (name, value) pairs");
        if pair.len().map_err(bad)? != 2 || pair.is_instance_of::<PyString>() {
            return Err(invalid_input(
                Builtin::Type,
                "headers must be (name, value) pairs",
            ));
        }
        (
            pair.get_item(0).map_err(bad)?,
            pair.get_item(1).map_err(bad)?,
        )
    };
    if name_matches(&name, wanted)? {
        out.push((text(&name)?, text(&value)?));
    }
    Ok(())
}

/// The credential-relevant headers of a Mapping (``items()``) or an iterable of pairs (str or
/// bytes, as ASGI gives them). Other headers are skipped without being decoded.
fn collect_headers(
    headers: &Bound<'_, PyAny>,
    wanted: &[String],
) -> PyResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    if let Ok(list) = headers.cast::<PyList>() {
        for pair in list.iter() {
            push_pair(&pair, wanted, &mut out)?;
        }
    } else if let Ok(d) = headers.cast::<PyDict>() {
        for (k, v) in d.iter() {
            if name_matches(&k, wanted)? {
                out.push((text(&k)?, text(&v)?));
            }
        }
    } else if headers.hasattr("items")? {
        for pair in headers.call_method0("items")?.try_iter()? {
            push_pair(&pair?, wanted, &mut out)?;
        }
    } else {
        for pair in headers.try_iter()? {
            push_pair(&pair?, wanted, &mut out)?;
        }
    }
    Ok(out)
}

fn ip_arg(ip: Option<&Bound<'_, PyAny>>) -> PyResult<Option<IpAddr>> {
    match ip {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => {
            let s = if let Ok(s) = o.cast::<PyString>() {
                s.to_cow()?.into_owned()
            } else {
                // ipaddress.IPv4Address / IPv6Address
                o.str()?.to_cow()?.into_owned()
            };
            s.trim()
                .parse::<IpAddr>()
                .map(Some)
                .map_err(|_| invalid_input(Builtin::Value, "client_ip is not an IP address"))
        }
    }
}

/// The in-process gateway: build once, call ``authenticate`` per request. Thread-safe.
#[pyclass(module = "tokenward", name = "Authenticator", frozen)]
pub struct Authenticator {
    inner: Arc<gateway::Authenticator>,
    /// Verification is slow enough (asymmetric JWT, SQLite store) to release the GIL.
    release_gil: bool,
}

/// Sets `fut`'s result unless it was cancelled meanwhile (called in the event loop thread).
fn set_result_callback(py: Python<'_>) -> PyResult<Bound<'_, pyo3::types::PyCFunction>> {
    pyo3::types::PyCFunction::new_closure(py, None, None, |args, _kwargs| -> PyResult<()> {
        let fut = args.get_item(0)?;
        if !fut.call_method0("done")?.is_truthy()? {
            fut.call_method1("set_result", (args.get_item(1)?,))?;
        }
        Ok(())
    })
}

/// The outcome as a Python object.
fn outcome(py: Python<'_>, r: Result<gateway::Principal, gateway::Refusal>) -> PyResult<Py<PyAny>> {
    Ok(match r {
        Ok(p) => Py::new(py, Principal::from(p))?.into_any(),
        Err(r) => Py::new(py, Refusal(r))?.into_any(),
    })
}

#[pymethods]
impl Authenticator {
    #[new]
    #[pyo3(signature = (*, api_keys=None, jwt=None, ip_allow=Vec::new(), ip_deny=Vec::new(),
        trusted_proxies=Vec::new(), forwarded_header=gateway::DEFAULT_FORWARDED_HEADER.as_str(),
        rate_limit=None, ip_rate_limit=None, failure_rate_limit=None, plans=HashMap::new(),
        rate_limit_overrides=HashMap::new(), revocations=None, realm=gateway::DEFAULT_REALM,
        api_key_header=Some(gateway::DEFAULT_API_KEY_HEADER.to_owned()), query_param=None,
        cookie=None, max_header_len=gateway::DEFAULT_MAX_HEADER_LEN, clock=None,
        max_tracked=gateway::ratelimit::DEFAULT_MAX_ENTRIES, introspection=None,
        introspection_cache_ttl=None, introspection_negative_ttl=None,
        introspection_cache_size=gateway::introspection::DEFAULT_CACHE_SIZE,
        introspection_rate_limit=None,
        introspection_max_inflight=gateway::introspection::DEFAULT_INTROSPECTION_MAX_INFLIGHT,
        rate_limit_store=None, rate_limit_store_fail_open=true, sessions=None, dpop=None,
        dpop_origin=None, abuse_detection=None, request_id_header=None,
        mtls_bound_tokens=false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        api_keys: Option<&Bound<'_, ApiKeys>>,
        jwt: Option<&Bound<'_, JwtVerifier>>,
        ip_allow: Vec<String>,
        ip_deny: Vec<String>,
        trusted_proxies: Vec<String>,
        forwarded_header: &str,
        rate_limit: Option<RateLimit>,
        ip_rate_limit: Option<RateLimit>,
        failure_rate_limit: Option<RateLimit>,
        plans: HashMap<String, RateLimit>,
        rate_limit_overrides: HashMap<String, RateLimit>,
        revocations: Option<&Bound<'_, RevocationList>>,
        realm: &str,
        api_key_header: Option<String>,
        query_param: Option<String>,
        cookie: Option<String>,
        max_header_len: usize,
        clock: Option<&Bound<'_, ManualClock>>,
        max_tracked: usize,
        introspection: Option<&Bound<'_, OAuthClient>>,
        introspection_cache_ttl: Option<&Bound<'_, PyAny>>,
        introspection_negative_ttl: Option<&Bound<'_, PyAny>>,
        introspection_cache_size: usize,
        introspection_rate_limit: Option<RateLimit>,
        introspection_max_inflight: usize,
        rate_limit_store: Option<String>,
        rate_limit_store_fail_open: bool,
        sessions: Option<&Bound<'_, crate::sessions::Sessions>>,
        dpop: Option<&Bound<'_, crate::dpop::DpopVerifier>>,
        dpop_origin: Option<String>,
        abuse_detection: Option<crate::abuse::AbuseDetection>,
        request_id_header: Option<String>,
        mtls_bound_tokens: bool,
    ) -> PyResult<Self> {
        let forwarded_header: ForwardedHeader = forwarded_header.parse().py()?;
        let mut release_gil = false;
        let mut o = gateway::AuthenticatorOptions::new()
            .with_realm(realm)
            .with_api_key_header(api_key_header)
            .with_max_header_len(max_header_len)
            .with_ip_allow(ip_allow)
            .with_ip_deny(ip_deny)
            .with_trusted_proxies(trusted_proxies)
            .with_forwarded_header(forwarded_header)
            .with_max_tracked(max_tracked)
            .with_introspection_cache_size(introspection_cache_size)
            .with_introspection_max_inflight(introspection_max_inflight)
            .with_mtls_bound_tokens(mtls_bound_tokens);
        if let Some(k) = api_keys {
            let keys = k.get().0.clone();
            release_gil |= !format!("{:?}", keys.store()).starts_with("MemoryStore");
            o = o.with_api_keys(keys);
        }
        if let Some(v) = jwt {
            let v = v.get();
            release_gil |= v.release_gil;
            o = o.with_jwt(Arc::new(v.inner.clone()));
        }
        if let Some(client) = introspection {
            o = o.with_introspection(Arc::new(client.get().0.clone()));
        }
        if let Some(s) = sessions {
            let s = s.get().0.clone();
            release_gil |= !format!("{:?}", s.store()).starts_with("MemorySessionStore");
            o = o.with_sessions(s);
        }
        if let Some(name) = query_param {
            o = o.with_query_param(name);
        }
        if let Some(name) = cookie {
            o = o.with_cookie(name);
        }
        if let Some(l) = rate_limit {
            o = o.with_rate_limit(l.0);
        }
        if let Some(l) = ip_rate_limit {
            o = o.with_ip_rate_limit(l.0);
        }
        // None keeps the core default (on).
        if let Some(l) = failure_rate_limit {
            o = o.with_failure_rate_limit(Some(l.0));
        }
        for (who, l) in rate_limit_overrides {
            o = o.with_rate_limit_override(who, l.0);
        }
        for (plan, l) in plans {
            o = o.with_plan(plan, l.0);
        }
        if let Some(r) = revocations {
            let r = r.get();
            release_gil |= r.local.is_none();
            o = o.with_revocation_store(r.store.clone());
        }
        if let Some(url) = rate_limit_store {
            release_gil |= url.trim() != "memory";
            o = o
                .with_rate_limit_store(url)
                .with_rate_limit_store_fail_open(rate_limit_store_fail_open);
        }
        if let Some(c) = clock_arg(clock) {
            o = o.with_clock(c);
        }
        if let Some(t) = introspection_cache_ttl {
            o = o.with_introspection_cache_ttl(duration_arg(t, "introspection_cache_ttl")?);
        }
        if let Some(t) = introspection_negative_ttl {
            o = o.with_introspection_negative_ttl(duration_arg(t, "introspection_negative_ttl")?);
        }
        if let Some(l) = introspection_rate_limit {
            o = o.with_introspection_rate_limit(Some(l.0));
        }
        if let Some(v) = dpop {
            // Proof verification is an asymmetric signature check.
            release_gil = true;
            o = o.with_dpop(v.get().0.clone());
        }
        if let Some(origin) = dpop_origin {
            o = o.with_dpop_origin(origin);
        }
        if let Some(a) = abuse_detection {
            release_gil |= !matches!(a.0.store().trim(), "memory" | "");
            o = o.with_abuse_detection(a.0);
        }
        if let Some(h) = request_id_header {
            o = o.with_request_id_header(h);
        }
        Ok(Authenticator {
            inner: Arc::new(gateway::Authenticator::new(o).py()?),
            release_gil,
        })
    }

    /// Authenticates and authorizes one request. ``headers`` is a Mapping or an iterable of
    /// ``(name, value)`` pairs of ``str`` or ``bytes`` (ASGI's ``scope["headers"]`` as is);
    /// ``path`` includes the query string when ``query_param`` is enabled; ``client_ip`` is
    /// the socket peer. Returns a ``Principal`` (truthy) or a ``Refusal`` (falsy): a refusal
    /// is a decision, not an exception.
    #[pyo3(signature = (method, path, headers, client_ip=None, required_scopes=Vec::new(),
        client_certificate=None))]
    #[allow(clippy::too_many_arguments)]
    fn authenticate(
        &self,
        py: Python<'_>,
        method: &str,
        path: &str,
        headers: &Bound<'_, PyAny>,
        client_ip: Option<&Bound<'_, PyAny>>,
        required_scopes: Vec<String>,
        client_certificate: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let owned = collect_headers(headers, self.inner.header_names())?;
        let pairs: Vec<(&str, &str)> = owned
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let scopes: Vec<&str> = required_scopes.iter().map(String::as_str).collect();
        let cert = crate::mtls::cert_arg(client_certificate)?;
        let req = gateway::Request {
            method,
            path,
            headers: &pairs,
            client_ip: ip_arg(client_ip)?,
            required_scopes: &scopes,
            client_certificate: cert.as_deref(),
        };
        let r = if self.inner.has_introspection() {
            // An uncached opaque token blocks on the introspection request.
            py.detach(|| self.inner.authenticate_blocking(&req))
        } else if self.release_gil {
            py.detach(|| self.inner.authenticate(&req))
        } else {
            self.inner.authenticate(&req)
        };
        outcome(py, r)
    }

    /// ``await authenticator.authenticate_async(...)``: the same decision; an opaque token is
    /// introspected on the library's runtime without blocking the event loop. Without
    /// introspection the result is computed at once (the awaitable is already done).
    #[pyo3(signature = (method, path, headers, client_ip=None, required_scopes=Vec::new(),
        client_certificate=None))]
    #[allow(clippy::too_many_arguments)]
    fn authenticate_async<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        path: &str,
        headers: &Bound<'py, PyAny>,
        client_ip: Option<&Bound<'py, PyAny>>,
        required_scopes: Vec<String>,
        client_certificate: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
        let fut = event_loop.call_method0("create_future")?;
        if !self.inner.has_introspection() {
            let r = self.authenticate(
                py,
                method,
                path,
                headers,
                client_ip,
                required_scopes,
                client_certificate,
            )?;
            fut.call_method1("set_result", (r,))?;
            return Ok(fut);
        }
        let owned = gateway::OwnedRequest {
            method: method.to_owned(),
            path: path.to_owned(),
            headers: collect_headers(headers, self.inner.header_names())?,
            client_ip: ip_arg(client_ip)?,
            required_scopes,
            client_certificate: crate::mtls::cert_arg(client_certificate)?,
        };
        let inner = self.inner.clone();
        let handle = tokenward::__bindings::runtime::handle().py()?;
        let fut_ref = fut.clone().unbind();
        let loop_ref = event_loop.unbind();
        handle.spawn(async move {
            let r = owned.authenticate_async(&inner).await;
            Python::attach(|py| {
                let done = outcome(py, r).and_then(|obj| {
                    let cb = set_result_callback(py)?;
                    loop_ref
                        .bind(py)
                        .call_method1("call_soon_threadsafe", (cb, fut_ref.bind(py), obj))
                        .map(|_| ())
                });
                if let Err(e) = done {
                    // The loop is closed: nobody awaits the result any more.
                    e.write_unraisable(py, None);
                }
            });
        });
        Ok(fut)
    }

    /// Whether opaque tokens are introspected (``authenticate`` may then block on the network:
    /// prefer ``authenticate_async`` in async code).
    #[getter]
    fn has_introspection(&self) -> bool {
        self.inner.has_introspection()
    }

    /// Number of cached introspection answers.
    #[getter]
    fn introspection_cache_len(&self) -> usize {
        self.inner.introspection_cache_len()
    }

    /// The ``DPoP-Nonce`` to send now (also on accepted requests, to rotate it), or ``None``
    /// without DPoP nonces.
    fn dpop_nonce(&self) -> Option<String> {
        self.inner.dpop_nonce()
    }

    /// The lower-case names of the headers this configuration reads (adapters pass only these).
    #[getter]
    fn header_names(&self) -> Vec<String> {
        self.inner.header_names().to_vec()
    }

    fn __repr__(&self) -> String {
        format!("Authenticator(headers={:?})", self.inner.header_names())
    }
}
