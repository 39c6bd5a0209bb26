//! Sessions for Swift and Kotlin: `Sessions`, `SessionsOptions`, `SessionCookie`, `SameSite`,
//! `SessionRecord`, `IssuedSession`. Conversion only; every check is in `tokenward::session`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokenward::clock::from_unix_seconds;
use tokenward::session as core;

use crate::clock::ManualClock;
use crate::error::FfiResult;
use crate::secret::Secret;

/// The `SameSite` attribute of the session cookie.
#[derive(uniffi::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// Same-site requests and top-level navigations (the default).
    Lax,
    /// Same-site requests only.
    Strict,
    /// Cross-site requests too (needs `secure`).
    None,
}

/// How the session cookie is written; the defaults are the safe ones (`__Host-tw_session`,
/// Secure, HttpOnly, SameSite=Lax, Path=/, no Domain). `Sessions` checks the combination.
#[derive(uniffi::Record, Debug, Clone)]
pub struct SessionCookie {
    /// The cookie name.
    #[uniffi(default = "__Host-tw_session")]
    pub name: String,
    /// `Secure` (false needs `dangerous_allow_insecure`).
    #[uniffi(default = true)]
    pub secure: bool,
    /// `HttpOnly`.
    #[uniffi(default = true)]
    pub http_only: bool,
    /// `SameSite`.
    #[uniffi(default = None)]
    pub same_site: Option<SameSite>,
    /// `Path`.
    #[uniffi(default = "/")]
    pub path: String,
    /// `Domain` (none: this host only).
    #[uniffi(default = None)]
    pub domain: Option<String>,
    /// Allows a cookie without `Secure`, for plain-HTTP development servers only.
    #[uniffi(default = false)]
    pub dangerous_allow_insecure: bool,
}

impl From<SessionCookie> for core::SessionCookie {
    fn from(c: SessionCookie) -> Self {
        core::SessionCookie::new()
            .with_name(c.name)
            .with_secure(c.secure)
            .with_http_only(c.http_only)
            .with_same_site(match c.same_site {
                None | Some(SameSite::Lax) => core::SameSite::Lax,
                Some(SameSite::Strict) => core::SameSite::Strict,
                Some(SameSite::None) => core::SameSite::None,
            })
            .with_path(c.path)
            .with_domain(c.domain)
            .with_dangerous_allow_insecure(c.dangerous_allow_insecure)
    }
}

/// Optional settings of `Sessions`; each `null`/`nil` keeps the core's default.
#[derive(uniffi::Record)]
pub struct SessionsOptions {
    /// `"memory"` (default), `"sqlite:///path.db"` or a file path.
    #[uniffi(default = None)]
    pub store: Option<String>,
    /// Time without a request after which a session ends (default 30 minutes).
    #[uniffi(default = None)]
    pub idle_timeout: Option<Duration>,
    /// Time after login after which a session ends whatever its use (default 8 hours).
    #[uniffi(default = None)]
    pub absolute_timeout: Option<Duration>,
    /// The key of CSRF tokens (32+ bytes); random per process when unset.
    #[uniffi(default = None)]
    pub csrf_secret: Option<Arc<Secret>>,
    /// The cookie; `None`: the safe defaults.
    #[uniffi(default = None)]
    pub cookie: Option<SessionCookie>,
    /// A test clock.
    #[uniffi(default = None)]
    pub clock: Option<Arc<ManualClock>>,
}

/// A stored session. Holds no secret material (`handle` is a fingerprint of the id).
#[derive(uniffi::Record, Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// Public identifier of the session, safe to log.
    pub handle: String,
    /// Whom the session belongs to.
    pub subject: String,
    /// Application data.
    pub data: HashMap<String, String>,
    /// Creation time.
    pub created_at: SystemTime,
    /// Last use.
    pub last_seen_at: SystemTime,
    /// The idle deadline.
    pub idle_expires_at: SystemTime,
    /// The absolute deadline.
    pub expires_at: SystemTime,
    /// Revocation time, if revoked.
    pub revoked_at: Option<SystemTime>,
}

impl From<core::SessionRecord> for SessionRecord {
    fn from(r: core::SessionRecord) -> Self {
        SessionRecord {
            handle: r.handle,
            subject: r.subject,
            data: r.data.into_iter().collect(),
            created_at: from_unix_seconds(r.created_at),
            last_seen_at: from_unix_seconds(r.last_seen_at),
            idle_expires_at: from_unix_seconds(r.idle_expires_at),
            expires_at: from_unix_seconds(r.expires_at),
            revoked_at: r.revoked_at.map(from_unix_seconds),
        }
    }
}

/// A new session: `id` (the only copy: put it in the cookie) and its `record`.
#[derive(uniffi::Record)]
pub struct IssuedSession {
    /// The session id.
    pub id: Arc<Secret>,
    /// The stored record.
    pub record: SessionRecord,
}

impl From<core::IssuedSession> for IssuedSession {
    fn from(s: core::IssuedSession) -> Self {
        IssuedSession {
            id: Arc::new(Secret(s.id)),
            record: s.record.into(),
        }
    }
}

/// Server-side sessions: ids of 256 random bits stored hashed, idle and absolute timeouts,
/// rotation, revocation, CSRF tokens and a safe cookie.
#[derive(uniffi::Object, Debug)]
#[uniffi::export(Debug, Display)]
pub struct Sessions(pub(crate) Arc<tokenward::Sessions>);

crate::oauth::display_as_core_debug!(Sessions);

#[uniffi::export]
impl Sessions {
    /// Sessions configured by `options`; fails with `invalid_input` for unsafe cookies, bad
    /// timeouts or a short CSRF secret.
    #[uniffi::constructor(default(options))]
    pub fn new(options: SessionsOptions) -> FfiResult<Arc<Self>> {
        let mut o = core::SessionsOptions::new();
        if let Some(spec) = options.store {
            o = o.with_store_spec(spec);
        }
        if let Some(d) = options.idle_timeout {
            o = o.with_idle_timeout(d);
        }
        if let Some(d) = options.absolute_timeout {
            o = o.with_absolute_timeout(d);
        }
        if let Some(s) = options.csrf_secret {
            o = o.with_csrf_secret(s.0.clone());
        }
        if let Some(c) = options.cookie {
            o = o.with_cookie(c.into());
        }
        if let Some(c) = options.clock {
            o = o.with_clock(c.shared());
        }
        Ok(Arc::new(Sessions(Arc::new(tokenward::Sessions::new(o)?))))
    }

    /// Starts a session for `subject`.
    #[uniffi::method(default(data = None))]
    pub fn create(
        &self,
        subject: String,
        data: Option<HashMap<String, String>>,
    ) -> FfiResult<IssuedSession> {
        let data = data.unwrap_or_default().into_iter().collect();
        Ok(self.0.create(&subject, data)?.into())
    }

    /// Checks session `id` and records the use; fails with `malformed`, `unknown_key`,
    /// `revoked` or `expired`.
    pub fn verify(&self, id: String) -> FfiResult<SessionRecord> {
        Ok(self.0.verify(&id)?.into())
    }

    /// Replaces session `id` with a new id (login, privilege change); the old one is revoked.
    #[uniffi::method(default(subject = None, data = None))]
    pub fn rotate(
        &self,
        id: String,
        subject: Option<String>,
        data: Option<HashMap<String, String>>,
    ) -> FfiResult<IssuedSession> {
        let data = data.map(|d| d.into_iter().collect());
        Ok(self.0.rotate(&id, subject.as_deref(), data)?.into())
    }

    /// Ends session `id`; whether there was one.
    pub fn revoke(&self, id: String) -> FfiResult<bool> {
        Ok(self.0.revoke(&id)?)
    }

    /// Ends every live session of `subject`; how many.
    pub fn revoke_subject(&self, subject: String) -> FfiResult<u64> {
        Ok(self.0.revoke_subject(&subject)?)
    }

    /// Deletes revoked and timed-out sessions; how many.
    pub fn purge(&self) -> FfiResult<u64> {
        Ok(self.0.purge()?)
    }

    /// The CSRF token of session `id`.
    pub fn csrf_token(&self, id: String) -> FfiResult<String> {
        Ok(self.0.csrf_token(&id)?)
    }

    /// Fails with `invalid_csrf_token` unless `token` is session `id`'s CSRF token.
    pub fn verify_csrf(&self, id: String, token: String) -> FfiResult<()> {
        Ok(self.0.verify_csrf(&id, &token)?)
    }

    /// The `Set-Cookie` header value carrying session `id`.
    pub fn set_cookie(&self, id: String) -> FfiResult<String> {
        Ok(self.0.set_cookie(&id)?)
    }

    /// The `Set-Cookie` header value that deletes the session cookie.
    pub fn clear_cookie(&self) -> String {
        self.0.clear_cookie()
    }

    /// The session cookie's name.
    pub fn cookie_name(&self) -> String {
        self.0.cookie().name().to_owned()
    }
}
