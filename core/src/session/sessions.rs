//! [`Sessions`]: create, verify, rotate, revoke, CSRF tokens and cookies, on a [`SessionStore`]
//! and an injected clock. Emits the audit events `session.create`, `session.rotate`,
//! `session.revoke` and `session.revoke_subject` (handle and subject, never the id).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use super::cookie::SessionCookie;
use super::csrf::CsrfKey;
use super::record::{IssuedSession, SessionRecord};
use super::store::{self, SessionStore};
use super::{id, MemorySessionStore};
use crate::audit::{emit, AuditEvent};
use crate::clock::{self, SharedClock};
use crate::{Error, ErrorCode, Result, Secret};

/// The idle timeout unless configured otherwise: 30 minutes without a request ends a session
/// (OWASP Session Management Cheat Sheet: 15–30 minutes).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// The absolute timeout unless configured otherwise: 8 hours after login, whatever the use.
pub const DEFAULT_ABSOLUTE_TIMEOUT: Duration = Duration::from_secs(8 * 3600);

/// The configuration of [`Sessions`]: every setter stores, [`Sessions::new`] checks.
#[derive(Debug, Clone)]
pub struct SessionsOptions {
    store: Option<Arc<dyn SessionStore>>,
    store_spec: Option<String>,
    idle_timeout: Duration,
    absolute_timeout: Duration,
    csrf_secret: Option<Secret>,
    cookie: SessionCookie,
    clock: SharedClock,
}

impl Default for SessionsOptions {
    fn default() -> Self {
        SessionsOptions::new()
    }
}

impl SessionsOptions {
    /// In memory, [`DEFAULT_IDLE_TIMEOUT`], [`DEFAULT_ABSOLUTE_TIMEOUT`], a random CSRF secret
    /// for this process, the default [`SessionCookie`], the system clock.
    pub fn new() -> Self {
        SessionsOptions {
            store: None,
            store_spec: None,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            absolute_timeout: DEFAULT_ABSOLUTE_TIMEOUT,
            csrf_secret: None,
            cookie: SessionCookie::new(),
            clock: clock::system(),
        }
    }

    /// The store (default: a new [`MemorySessionStore`]).
    pub fn with_store(mut self, store: Arc<dyn SessionStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// The store as a specification ([`store::open`]: `"memory"`, `"sqlite:///path.db"`, a
    /// path), opened by [`Sessions::new`].
    pub fn with_store_spec(mut self, spec: impl Into<String>) -> Self {
        self.store_spec = Some(spec.into());
        self
    }

    /// Time without a request after which a session ends (1 s ..= the absolute timeout).
    pub fn with_idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Time after creation (or after a rotation that changed the subject) after which a
    /// session ends whatever its use (at least 1 s, at most 100 years).
    pub fn with_absolute_timeout(mut self, timeout: Duration) -> Self {
        self.absolute_timeout = timeout;
        self
    }

    /// The key of CSRF tokens (at least 32 bytes). Set it when several processes serve the
    /// same sessions; the default is random per process.
    pub fn with_csrf_secret(mut self, secret: Secret) -> Self {
        self.csrf_secret = Some(secret);
        self
    }

    /// The cookie (default [`SessionCookie::new`]).
    pub fn with_cookie(mut self, cookie: SessionCookie) -> Self {
        self.cookie = cookie;
        self
    }

    /// The clock of every timeout (default: the system clock).
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }
}

/// Server-side sessions. `Send + Sync`; share it with an `Arc`.
#[derive(Debug)]
pub struct Sessions {
    store: Arc<dyn SessionStore>,
    idle: i64,
    absolute: i64,
    csrf: CsrfKey,
    cookie: SessionCookie,
    clock: SharedClock,
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

fn audit_result<T>(
    action: &'static str,
    result: &Result<T>,
    handle: Option<&str>,
    subject: Option<&str>,
) {
    let mut event = match result {
        Ok(_) => AuditEvent::success(action),
        Err(e) => AuditEvent::failure(action, e),
    };
    if let Some(h) = handle {
        event = event.credential(h);
    }
    if let Some(s) = subject {
        event = event.subject(s);
    }
    emit(event);
}

impl Sessions {
    /// Sessions configured by `options`: `invalid_input` for a timeout out of range, an idle
    /// timeout above the absolute one, a short CSRF secret, an unsafe cookie or a bad store
    /// specification; `storage` when the store cannot be opened.
    pub fn new(options: SessionsOptions) -> Result<Self> {
        let o = options;
        let idle = clock::check_duration(o.idle_timeout, "idle_timeout")?;
        let absolute = clock::check_duration(o.absolute_timeout, "absolute_timeout")?;
        if idle.as_secs() < 1 || absolute.as_secs() < 1 {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "idle_timeout and absolute_timeout must be at least 1 second",
            ));
        }
        if idle > absolute {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "idle_timeout cannot be longer than absolute_timeout",
            ));
        }
        o.cookie.check()?;
        let csrf = CsrfKey::new(o.csrf_secret.as_ref())?;
        let store = match (o.store, o.store_spec) {
            (Some(_), Some(_)) => {
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    "give a store or a store specification, not both",
                ))
            }
            (Some(s), None) => s,
            (None, Some(spec)) => store::open(Some(&spec))?,
            (None, None) => Arc::new(MemorySessionStore::new()),
        };
        Ok(Sessions {
            store,
            idle: secs(idle),
            absolute: secs(absolute),
            csrf,
            cookie: o.cookie,
            clock: o.clock,
        })
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn SessionStore> {
        &self.store
    }

    /// The cookie configuration.
    pub fn cookie(&self) -> &SessionCookie {
        &self.cookie
    }

    fn finish(&self, mut record: SessionRecord) -> SessionRecord {
        record.idle_expires_at = record.last_seen_at.saturating_add(self.idle);
        record
    }

    fn mint(
        &self,
        subject: String,
        data: BTreeMap<String, String>,
        now: i64,
        created_at: i64,
        expires_at: i64,
    ) -> Result<(Secret, crate::apikey::KeyHash, SessionRecord)> {
        let secret = id::generate()?;
        let record = SessionRecord {
            handle: id::handle(secret.expose()),
            subject,
            data,
            created_at,
            last_seen_at: now,
            idle_expires_at: 0,
            expires_at,
            revoked_at: None,
        };
        let hash = id::hash(secret.expose())?;
        Ok((secret, hash, record))
    }

    /// Starts a session for `subject` (non-empty) with `data`. The returned
    /// [`IssuedSession::id`] is the only copy of the id.
    pub fn create(&self, subject: &str, data: BTreeMap<String, String>) -> Result<IssuedSession> {
        let result = self.create_inner(subject, data);
        let handle = result.as_ref().ok().map(|s| s.record.handle.clone());
        audit_result("session.create", &result, handle.as_deref(), Some(subject));
        result
    }

    fn create_inner(&self, subject: &str, data: BTreeMap<String, String>) -> Result<IssuedSession> {
        if subject.is_empty() {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "a session needs a non-empty subject",
            ));
        }
        let now = self.clock.unix_seconds();
        let (secret, hash, record) = self.mint(
            subject.to_owned(),
            data,
            now,
            now,
            now.saturating_add(self.absolute),
        )?;
        self.store.insert(&hash, &record)?;
        Ok(IssuedSession {
            id: secret,
            record: self.finish(record),
        })
    }

    /// The live session `id` without recording a use: `malformed`, `unknown_key`, `revoked`,
    /// `expired` (idle or absolute) or `storage`.
    fn live(&self, id: &str, now: i64) -> Result<(crate::apikey::KeyHash, SessionRecord)> {
        id::check(id)?;
        let hash = id::hash(id)?;
        let Some(record) = self.store.get(&hash)? else {
            return Err(Error::new(ErrorCode::UnknownKey, "no session matches"));
        };
        if record.revoked_at.is_some() {
            return Err(Error::new(
                ErrorCode::Revoked,
                "the session has been revoked",
            ));
        }
        if now >= record.expires_at {
            return Err(Error::new(
                ErrorCode::Expired,
                "the session has reached its absolute timeout",
            ));
        }
        if now >= record.last_seen_at.saturating_add(self.idle) {
            return Err(Error::new(
                ErrorCode::Expired,
                "the session has reached its idle timeout",
            ));
        }
        Ok((hash, record))
    }

    /// Checks session `id` and records the use (which moves the idle deadline). Fails with
    /// `malformed` (not a session id), `unknown_key`, `revoked` (also: rotated away),
    /// `expired` (idle or absolute timeout) or `storage`. The lookup is by the hash of the id,
    /// so its time does not depend on how much of an id an attacker guessed.
    pub fn verify(&self, id: &str) -> Result<SessionRecord> {
        let now = self.clock.unix_seconds();
        let (hash, mut record) = self.live(id, now)?;
        if now > record.last_seen_at {
            self.store.touch(&hash, now)?;
            record.last_seen_at = now;
        }
        Ok(self.finish(record))
    }

    /// Replaces session `id` with a new id (call it on login and on every privilege change:
    /// no session fixation); the old id is `revoked` from now on. `subject` and `data`
    /// replace the session's when given. A new subject starts a new absolute timeout; the same
    /// subject keeps the old deadline (rotation never extends a login). Fails like
    /// [`Sessions::verify`]; `revoked` when a concurrent rotation won.
    pub fn rotate(
        &self,
        id: &str,
        subject: Option<&str>,
        data: Option<BTreeMap<String, String>>,
    ) -> Result<IssuedSession> {
        let result = self.rotate_inner(id, subject, data);
        let handle = result.as_ref().ok().map(|s| s.record.handle.clone());
        let subject = result.as_ref().ok().map(|s| s.record.subject.clone());
        audit_result(
            "session.rotate",
            &result,
            handle.as_deref(),
            subject.as_deref(),
        );
        result
    }

    fn rotate_inner(
        &self,
        id: &str,
        subject: Option<&str>,
        data: Option<BTreeMap<String, String>>,
    ) -> Result<IssuedSession> {
        if subject == Some("") {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "a session needs a non-empty subject",
            ));
        }
        let now = self.clock.unix_seconds();
        let (old_hash, old) = self.live(id, now)?;
        let new_subject = subject.is_some_and(|s| s != old.subject);
        let (created_at, expires_at) = if new_subject {
            (now, now.saturating_add(self.absolute))
        } else {
            (old.created_at, old.expires_at)
        };
        let (secret, hash, record) = self.mint(
            subject.map_or(old.subject, str::to_owned),
            data.unwrap_or(old.data),
            now,
            created_at,
            expires_at,
        )?;
        if !self.store.rotate(&old_hash, now, &hash, &record)? {
            return Err(Error::new(
                ErrorCode::Revoked,
                "the session has been revoked",
            ));
        }
        Ok(IssuedSession {
            id: secret,
            record: self.finish(record),
        })
    }

    /// Ends session `id` (logout): `true` when there was such a session. `malformed` when `id`
    /// is not a session id.
    pub fn revoke(&self, id: &str) -> Result<bool> {
        let result = id::check(id).and_then(|()| {
            let hash = id::hash(id)?;
            self.store.revoke(&hash, self.clock.unix_seconds())
        });
        let handle = result.as_ref().ok().map(|_| id::handle(id));
        audit_result("session.revoke", &result, handle.as_deref(), None);
        result
    }

    /// Ends every live session of `subject` (password change, "log out everywhere"); returns
    /// how many.
    pub fn revoke_subject(&self, subject: &str) -> Result<u64> {
        let result = self
            .store
            .revoke_subject(subject, self.clock.unix_seconds());
        audit_result("session.revoke_subject", &result, None, Some(subject));
        result
    }

    /// Deletes revoked and timed-out sessions from the store; returns how many. Call it from
    /// time to time (a revoked session reads `unknown_key` instead of `revoked` afterwards).
    pub fn purge(&self) -> Result<u64> {
        self.store.purge(self.clock.unix_seconds(), self.idle)
    }

    /// The CSRF token of session `id` (send it in a page or a readable cookie; the client
    /// returns it in the `X-CSRF-Token` header). Pure: the store is not read. `malformed` when
    /// `id` is not a session id.
    pub fn csrf_token(&self, id: &str) -> Result<String> {
        id::check(id)?;
        Ok(self.csrf.token(id))
    }

    /// Checks `token` against session `id` in constant time: `invalid_csrf_token` when it is
    /// not that session's token (or empty), `malformed` when `id` is not a session id.
    pub fn verify_csrf(&self, id: &str, token: &str) -> Result<()> {
        id::check(id)?;
        if self.csrf.verify(id, token) {
            Ok(())
        } else {
            Err(Error::new(
                ErrorCode::InvalidCsrfToken,
                "the CSRF token does not match the session",
            ))
        }
    }

    /// The `Set-Cookie` header value carrying session `id` (`malformed` when it is not one).
    pub fn set_cookie(&self, id: &str) -> Result<String> {
        id::check(id)?;
        Ok(self.cookie.header(id))
    }

    /// The `Set-Cookie` header value that deletes the session cookie (logout).
    pub fn clear_cookie(&self) -> String {
        self.cookie.clear_header()
    }
}
