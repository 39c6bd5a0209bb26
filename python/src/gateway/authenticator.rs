//! `Authenticator` (core `gateway::authenticator`).

use std::collections::HashMap;
use std::sync::Arc;

use pyo3::prelude::*;
use tokenward::gateway::{self, ForwardedHeader};

use crate::apikeys::{duration_arg, ApiKeys};
use crate::clock::{clock_arg, ManualClock};
use crate::error::IntoPyResult;
use crate::jwt::JwtVerifier;
use crate::oauth::OAuthClient;

// --- RateLimit ------------------------------------------------------------------------------
use super::decision::{Principal, Refusal};
use super::ratelimit::RateLimit;
use super::request::{collect_headers, ip_arg};
use super::revocation::RevocationList;

/// The in-process gateway: build once, call ``authenticate`` per request. Thread-safe.
#[pyclass(module = "tokenward", name = "Authenticator", frozen)]
pub struct Authenticator {
    inner: Arc<gateway::Authenticator>,
    /// Verification is slow enough (asymmetric JWT, SQLite store) to release the GIL.
    release_gil: bool,
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
        dpop_origin=None, abuse_detection=None, request_id_header=None, remote_jwt=None,
        mtls_bound_tokens=false, require_sender_constrained=false))]
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
        remote_jwt: Option<&Bound<'_, crate::jwt::RemoteJwtVerifier>>,
        mtls_bound_tokens: bool,
        require_sender_constrained: bool,
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
            .with_mtls_bound_tokens(mtls_bound_tokens)
            .with_require_sender_constrained(require_sender_constrained);
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
        if let Some(v) = remote_jwt {
            // Asymmetric signature checks: release the GIL.
            release_gil = true;
            o = o.with_remote_jwt(Arc::new(v.get().0.clone()));
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

    /// ``await authenticator.authenticate_async(...)``: the same decision; network work (an
    /// opaque token's introspection, remote JWT keys, Redis or PostgreSQL stores) runs on the
    /// library's runtime without blocking the event loop. Without any, the result is computed
    /// at once (the awaitable is already done).
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
        if !self.inner.has_introspection()
            && !self.inner.has_remote_jwt()
            && !self.inner.has_shared_stores()
        {
            let r = self.authenticate(
                py,
                method,
                path,
                headers,
                client_ip,
                required_scopes,
                client_certificate,
            );
            return crate::aio::Ready::of(py, r);
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
        crate::aio::spawn(
            py,
            async move { Ok::<_, tokenward::Error>(owned.authenticate_async(&inner).await) },
            outcome,
        )
    }

    /// Whether opaque tokens are introspected (``authenticate`` may then block on the network:
    /// prefer ``authenticate_async`` in async code).
    #[getter]
    fn has_introspection(&self) -> bool {
        self.inner.has_introspection()
    }

    /// Whether JWTs are verified with remote keys (a token whose keys are not cached yet needs
    /// ``authenticate_async``, which fetches them; ``authenticate`` never does).
    #[getter]
    fn has_remote_jwt(&self) -> bool {
        self.inner.has_remote_jwt()
    }

    /// Whether any state of the pipeline is on Redis or PostgreSQL (``authenticate`` then
    /// waits for network round trips: prefer ``authenticate_async`` in async code).
    #[getter]
    fn has_shared_stores(&self) -> bool {
        self.inner.has_shared_stores()
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
