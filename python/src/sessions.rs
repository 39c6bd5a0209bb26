//! `tokenward.Sessions`, `SessionCookie`, `SessionRecord` and `IssuedSession`: conversions only.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::apikeys::{duration_arg, key_arg, secret_arg};
use crate::error::IntoPyResult;
use crate::secret::Secret;
use tokenward::session as core;

fn instant(unix_seconds: i64) -> SystemTime {
    tokenward::clock::from_unix_seconds(unix_seconds)
}

/// How the session cookie is written; the defaults are the safe ones (``__Host-tw_session``,
/// Secure, HttpOnly, SameSite=Lax, Path=/, no Domain). ``Sessions`` checks the combination.
#[pyclass(module = "tokenward", name = "SessionCookie", frozen)]
pub struct SessionCookie(pub(crate) core::SessionCookie);

#[pymethods]
impl SessionCookie {
    #[new]
    #[pyo3(signature = (*, name=None, secure=true, http_only=true, same_site="lax", path="/",
        domain=None, dangerous_allow_insecure=false))]
    fn new(
        name: Option<String>,
        secure: bool,
        http_only: bool,
        same_site: &str,
        path: &str,
        domain: Option<String>,
        dangerous_allow_insecure: bool,
    ) -> PyResult<Self> {
        let mut c = core::SessionCookie::new()
            .with_secure(secure)
            .with_http_only(http_only)
            .with_same_site(core::SameSite::parse(same_site).py()?)
            .with_path(path)
            .with_domain(domain)
            .with_dangerous_allow_insecure(dangerous_allow_insecure);
        if let Some(n) = name {
            c = c.with_name(n);
        }
        c.check().py()?;
        Ok(SessionCookie(c))
    }

    /// The cookie name.
    #[getter]
    fn name(&self) -> &str {
        self.0.name()
    }

    fn __repr__(&self) -> String {
        format!("SessionCookie(name={:?})", self.0.name())
    }
}

/// A stored session. Holds no secret material (``handle`` is a fingerprint of the id).
#[pyclass(module = "tokenward", name = "SessionRecord", frozen)]
pub struct SessionRecord(core::SessionRecord);

#[pymethods]
impl SessionRecord {
    /// Public identifier of the session, safe to log.
    #[getter]
    fn handle(&self) -> &str {
        &self.0.handle
    }
    /// Whom the session belongs to.
    #[getter]
    fn subject(&self) -> &str {
        &self.0.subject
    }
    /// Application data.
    #[getter]
    fn data(&self) -> BTreeMap<String, String> {
        self.0.data.clone()
    }
    /// Creation time (aware UTC ``datetime``).
    #[getter]
    fn created_at(&self) -> SystemTime {
        instant(self.0.created_at)
    }
    /// Last use.
    #[getter]
    fn last_seen_at(&self) -> SystemTime {
        instant(self.0.last_seen_at)
    }
    /// The idle deadline.
    #[getter]
    fn idle_expires_at(&self) -> SystemTime {
        instant(self.0.idle_expires_at)
    }
    /// The absolute deadline.
    #[getter]
    fn expires_at(&self) -> SystemTime {
        instant(self.0.expires_at)
    }
    /// Revocation time, or None.
    #[getter]
    fn revoked_at(&self) -> Option<SystemTime> {
        self.0.revoked_at.map(instant)
    }
    /// The record as a plain dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let r = &self.0;
        let d = PyDict::new(py);
        d.set_item("handle", &r.handle)?;
        d.set_item("subject", &r.subject)?;
        d.set_item("data", &r.data)?;
        d.set_item("created_at", instant(r.created_at))?;
        d.set_item("last_seen_at", instant(r.last_seen_at))?;
        d.set_item("idle_expires_at", instant(r.idle_expires_at))?;
        d.set_item("expires_at", instant(r.expires_at))?;
        d.set_item("revoked_at", r.revoked_at.map(instant))?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        format!(
            "SessionRecord(handle={:?}, subject={:?}, expires_at={})",
            self.0.handle, self.0.subject, self.0.expires_at
        )
    }
}

/// A new session: ``.id`` (a ``Secret``, the only copy: put it in the cookie) and ``.record``.
#[pyclass(module = "tokenward", name = "IssuedSession", frozen)]
pub struct IssuedSession {
    #[pyo3(get)]
    id: Py<Secret>,
    #[pyo3(get)]
    record: Py<SessionRecord>,
}

impl IssuedSession {
    fn new(py: Python<'_>, issued: core::IssuedSession) -> PyResult<Self> {
        Ok(IssuedSession {
            id: Py::new(py, Secret(issued.id))?,
            record: Py::new(py, SessionRecord(issued.record))?,
        })
    }
}

#[pymethods]
impl IssuedSession {
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "IssuedSession(id=Secret('{}'), record={})",
            self.id.get().0.redacted(),
            self.record.bind(py).get().__repr__()
        )
    }
}

/// Server-side sessions: ids of 256 random bits stored hashed, idle and absolute timeouts,
/// rotation, revocation, CSRF tokens and a safe cookie. ``store``: ``"memory"`` (default),
/// ``"sqlite:///path.db"`` or a file path, ``"redis://…"`` / ``"rediss://…"`` or
/// ``"postgres://…"`` (shared by every instance using that server).
#[pyclass(module = "tokenward", name = "Sessions", frozen)]
pub struct Sessions(pub(crate) Arc<tokenward::Sessions>);

#[pymethods]
impl Sessions {
    #[new]
    #[pyo3(signature = (*, store=None, idle_timeout=None, absolute_timeout=None, csrf_secret=None,
        cookie=None, clock=None))]
    fn new(
        store: Option<String>,
        idle_timeout: Option<&Bound<'_, PyAny>>,
        absolute_timeout: Option<&Bound<'_, PyAny>>,
        csrf_secret: Option<&Bound<'_, PyAny>>,
        cookie: Option<&Bound<'_, SessionCookie>>,
        clock: Option<&Bound<'_, crate::clock::ManualClock>>,
    ) -> PyResult<Self> {
        let mut o = core::SessionsOptions::new();
        if let Some(s) = store {
            o = o.with_store_spec(s);
        }
        if let Some(d) = idle_timeout {
            o = o.with_idle_timeout(duration_arg(d, "idle_timeout")?);
        }
        if let Some(d) = absolute_timeout {
            o = o.with_absolute_timeout(duration_arg(d, "absolute_timeout")?);
        }
        if let Some(s) = csrf_secret {
            o = o.with_csrf_secret(secret_arg(s)?);
        }
        if let Some(c) = cookie {
            o = o.with_cookie(c.get().0.clone());
        }
        if let Some(c) = clock {
            o = o.with_clock(c.get().shared());
        }
        Ok(Sessions(Arc::new(tokenward::Sessions::new(o).py()?)))
    }

    /// Starts a session for ``subject``.
    #[pyo3(signature = (subject, data=None))]
    fn create(
        &self,
        py: Python<'_>,
        subject: String,
        data: Option<BTreeMap<String, String>>,
    ) -> PyResult<IssuedSession> {
        let issued = py
            .detach(|| self.0.create(&subject, data.unwrap_or_default()))
            .py()?;
        IssuedSession::new(py, issued)
    }

    /// Checks session ``id`` (``str`` or ``Secret``) and records the use.
    fn verify(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyResult<SessionRecord> {
        let id = key_arg(id)?;
        Ok(SessionRecord(py.detach(|| self.0.verify(&id)).py()?))
    }

    /// Replaces session ``id`` with a new id (login, privilege change); the old one is revoked.
    #[pyo3(signature = (id, *, subject=None, data=None))]
    fn rotate(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        subject: Option<String>,
        data: Option<BTreeMap<String, String>>,
    ) -> PyResult<IssuedSession> {
        let id = key_arg(id)?;
        let issued = py
            .detach(|| self.0.rotate(&id, subject.as_deref(), data))
            .py()?;
        IssuedSession::new(py, issued)
    }

    /// Ends session ``id``; whether there was one.
    fn revoke(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyResult<bool> {
        let id = key_arg(id)?;
        py.detach(|| self.0.revoke(&id)).py()
    }

    /// Ends every live session of ``subject``; how many.
    fn revoke_subject(&self, py: Python<'_>, subject: String) -> PyResult<u64> {
        py.detach(|| self.0.revoke_subject(&subject)).py()
    }

    /// Deletes revoked and timed-out sessions; how many.
    fn purge(&self, py: Python<'_>) -> PyResult<u64> {
        py.detach(|| self.0.purge()).py()
    }

    /// The CSRF token of session ``id``.
    fn csrf_token(&self, id: &Bound<'_, PyAny>) -> PyResult<String> {
        self.0.csrf_token(&key_arg(id)?).py()
    }

    /// Raises ``AuthorizationError`` (code ``invalid_csrf_token``) unless ``token`` is session ``id``'s CSRF token.
    fn verify_csrf(&self, id: &Bound<'_, PyAny>, token: &str) -> PyResult<()> {
        self.0.verify_csrf(&key_arg(id)?, token).py()
    }

    /// The ``Set-Cookie`` header value carrying session ``id``.
    fn set_cookie(&self, id: &Bound<'_, PyAny>) -> PyResult<String> {
        self.0.set_cookie(&key_arg(id)?).py()
    }

    /// The ``Set-Cookie`` header value that deletes the session cookie.
    fn clear_cookie(&self) -> String {
        self.0.clear_cookie()
    }

    /// The session cookie's name.
    #[getter]
    fn cookie_name(&self) -> &str {
        self.0.cookie().name()
    }

    fn __repr__(&self) -> String {
        format!("Sessions(cookie_name={:?})", self.0.cookie().name())
    }
}
