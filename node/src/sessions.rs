//! Sessions for JS: `Sessions`, `SessionRecord`, `IssuedSession`, the `SessionCookie` options.
//! Conversion only; every check is in `tokenward::session`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::napi;
use crate::napi::bindgen_prelude::{ClassInstance, Either};
use napi_derive::napi;

use crate::error::{Code, IntoJsResult};
use crate::gateway::ManualClock;
use crate::secret::Secret;
use tokenward::session as core;

fn id_str<'a>(id: &'a Either<String, &Secret>) -> &'a str {
    match id {
        Either::A(s) => s,
        Either::B(secret) => secret.0.expose(),
    }
}

/// How the session cookie is written; unset fields keep the safe defaults (`__Host-tw_session`,
/// Secure, HttpOnly, SameSite=Lax, Path=/, no Domain). `new Sessions` checks the combination.
#[napi(object)]
pub struct SessionCookie {
    /// The cookie name (default `__Host-tw_session`).
    pub name: Option<String>,
    /// `Secure` (default true; false needs `dangerousAllowInsecure`).
    pub secure: Option<bool>,
    /// `HttpOnly` (default true).
    pub http_only: Option<bool>,
    /// `"lax"` (default), `"strict"` or `"none"` (needs `secure`).
    pub same_site: Option<String>,
    /// `Path` (default `/`).
    pub path: Option<String>,
    /// `Domain` (default none).
    pub domain: Option<String>,
    /// Allows a cookie without `Secure`, for plain-HTTP development servers only.
    pub dangerous_allow_insecure: Option<bool>,
}

fn cookie(c: SessionCookie) -> napi::Result<core::SessionCookie, Code> {
    let mut out = core::SessionCookie::new();
    if let Some(n) = c.name {
        out = out.with_name(n);
    }
    if let Some(b) = c.secure {
        out = out.with_secure(b);
    }
    if let Some(b) = c.http_only {
        out = out.with_http_only(b);
    }
    if let Some(s) = c.same_site {
        out = out.with_same_site(core::SameSite::parse(&s).js()?);
    }
    if let Some(p) = c.path {
        out = out.with_path(p);
    }
    if c.domain.is_some() {
        out = out.with_domain(c.domain);
    }
    if let Some(b) = c.dangerous_allow_insecure {
        out = out.with_dangerous_allow_insecure(b);
    }
    Ok(out)
}

/// Options of `new Sessions(options)`; unset fields keep the core defaults.
#[napi(object, object_to_js = false)]
pub struct SessionsOptions<'a> {
    /// `"memory"` (default), `"sqlite:///path.db"` or a file path, `"redis://…"` / `"rediss://…"`
    /// or `"postgres://…"` (shared by every instance using that server).
    pub store: Option<String>,
    /// Seconds without a request after which a session ends (default 1800).
    pub idle_timeout: Option<f64>,
    /// Seconds after login after which a session ends whatever its use (default 28800).
    pub absolute_timeout: Option<f64>,
    /// The key of CSRF tokens (at least 32 bytes); random per process when unset.
    pub csrf_secret: Option<Either<String, ClassInstance<'a, Secret>>>,
    /// The cookie.
    pub cookie: Option<SessionCookie>,
    /// A test clock.
    pub clock: Option<ClassInstance<'a, ManualClock>>,
}

/// A stored session as a plain object. Holds no secret material; times are Unix seconds.
#[napi(object, object_from_js = false)]
pub struct SessionRecord {
    /// Public identifier of the session, safe to log (a fingerprint of the id).
    pub handle: String,
    /// Whom the session belongs to.
    pub subject: String,
    /// Application data.
    pub data: HashMap<String, String>,
    /// Creation time.
    pub created_at: i64,
    /// Last use.
    pub last_seen_at: i64,
    /// The idle deadline.
    pub idle_expires_at: i64,
    /// The absolute deadline.
    pub expires_at: i64,
    /// Revocation time, if revoked.
    pub revoked_at: Option<i64>,
}

impl From<core::SessionRecord> for SessionRecord {
    fn from(r: core::SessionRecord) -> Self {
        SessionRecord {
            handle: r.handle,
            subject: r.subject,
            data: r.data.into_iter().collect(),
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            idle_expires_at: r.idle_expires_at,
            expires_at: r.expires_at,
            revoked_at: r.revoked_at,
        }
    }
}

/// A new session: `id` (a `Secret`, the only copy: put it in the cookie) and its `record`.
#[napi(object, object_from_js = false)]
pub struct IssuedSession {
    /// The session id.
    pub id: Secret,
    /// The stored record.
    pub record: SessionRecord,
}

impl From<core::IssuedSession> for IssuedSession {
    fn from(s: core::IssuedSession) -> Self {
        IssuedSession {
            id: Secret(s.id),
            record: s.record.into(),
        }
    }
}

/// Optional changes of `sessions.rotate(id, options)`.
#[napi(object)]
pub struct RotateSessionOptions {
    /// The new subject (login: starts a new absolute timeout).
    pub subject: Option<String>,
    /// The new data.
    pub data: Option<HashMap<String, String>>,
}

/// Server-side sessions: ids of 256 random bits stored hashed, idle and absolute timeouts,
/// rotation, revocation, CSRF tokens and a safe cookie.
#[napi]
pub struct Sessions(pub(crate) Arc<tokenward::Sessions>);

#[napi]
impl Sessions {
    /// `new Sessions({ store, idleTimeout, absoluteTimeout, csrfSecret, cookie, clock })`;
    /// throws `invalid_input` for unsafe cookies, bad timeouts or a short CSRF secret.
    #[napi(constructor, catch_unwind)]
    pub fn new(options: Option<SessionsOptions>) -> napi::Result<Self, Code> {
        let mut o = core::SessionsOptions::new();
        if let Some(options) = options {
            if let Some(spec) = options.store {
                o = o.with_store_spec(spec);
            }
            if let Some(s) = options.idle_timeout {
                o = o.with_idle_timeout(
                    tokenward::clock::duration_from_secs_f64(s, "idleTimeout").js()?,
                );
            }
            if let Some(s) = options.absolute_timeout {
                o = o.with_absolute_timeout(
                    tokenward::clock::duration_from_secs_f64(s, "absoluteTimeout").js()?,
                );
            }
            if let Some(secret) = options.csrf_secret {
                o = o.with_csrf_secret(match secret {
                    Either::A(text) => tokenward::Secret::new(text).js()?,
                    Either::B(secret) => secret.0.clone(),
                });
            }
            if let Some(c) = options.cookie {
                o = o.with_cookie(cookie(c)?);
            }
            if let Some(c) = options.clock {
                o = o.with_clock(c.shared());
            }
        }
        Ok(Sessions(Arc::new(tokenward::Sessions::new(o).js()?)))
    }

    /// Starts a session for `subject`.
    #[napi(catch_unwind)]
    pub fn create(
        &self,
        subject: String,
        data: Option<HashMap<String, String>>,
    ) -> napi::Result<IssuedSession, Code> {
        let data: BTreeMap<_, _> = data.unwrap_or_default().into_iter().collect();
        Ok(self.0.create(&subject, data).js()?.into())
    }

    /// Checks session `id` (string or `Secret`) and records the use; throws `malformed`,
    /// `unknown_key`, `revoked` or `expired`.
    #[napi(catch_unwind)]
    pub fn verify(&self, id: Either<String, &Secret>) -> napi::Result<SessionRecord, Code> {
        Ok(self.0.verify(id_str(&id)).js()?.into())
    }

    /// Replaces session `id` with a new id (login, privilege change); the old one is revoked.
    #[napi(catch_unwind)]
    pub fn rotate(
        &self,
        id: Either<String, &Secret>,
        options: Option<RotateSessionOptions>,
    ) -> napi::Result<IssuedSession, Code> {
        let (subject, data) = options.map_or((None, None), |o| (o.subject, o.data));
        let data = data.map(|d| d.into_iter().collect());
        Ok(self
            .0
            .rotate(id_str(&id), subject.as_deref(), data)
            .js()?
            .into())
    }

    /// Ends session `id`; whether there was one.
    #[napi(catch_unwind)]
    pub fn revoke(&self, id: Either<String, &Secret>) -> napi::Result<bool, Code> {
        self.0.revoke(id_str(&id)).js()
    }

    /// Ends every live session of `subject`; how many.
    #[napi(catch_unwind)]
    pub fn revoke_subject(&self, subject: String) -> napi::Result<u32, Code> {
        let n = self.0.revoke_subject(&subject).js()?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// Deletes revoked and timed-out sessions; how many.
    #[napi(catch_unwind)]
    pub fn purge(&self) -> napi::Result<u32, Code> {
        let n = self.0.purge().js()?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// The CSRF token of session `id`.
    #[napi(catch_unwind)]
    pub fn csrf_token(&self, id: Either<String, &Secret>) -> napi::Result<String, Code> {
        self.0.csrf_token(id_str(&id)).js()
    }

    /// Throws `invalid_csrf_token` unless `token` is session `id`'s CSRF token.
    #[napi(catch_unwind)]
    pub fn verify_csrf(
        &self,
        id: Either<String, &Secret>,
        token: String,
    ) -> napi::Result<(), Code> {
        self.0.verify_csrf(id_str(&id), &token).js()
    }

    /// The `Set-Cookie` header value carrying session `id`.
    #[napi(catch_unwind)]
    pub fn set_cookie(&self, id: Either<String, &Secret>) -> napi::Result<String, Code> {
        self.0.set_cookie(id_str(&id)).js()
    }

    /// The `Set-Cookie` header value that deletes the session cookie.
    #[napi(catch_unwind)]
    pub fn clear_cookie(&self) -> String {
        self.0.clear_cookie()
    }

    /// The session cookie's name.
    #[napi(getter, catch_unwind)]
    pub fn cookie_name(&self) -> String {
        self.0.cookie().name().to_owned()
    }
}
