//! The in-process gateway for Swift and Kotlin: `Authenticator`, `RevocationList` and the
//! records of one decision. Conversion only; every check is in `tokenward::gateway`.
//!
//! `authenticate` *returns* a refusal (`AuthDecision.Refused`) rather than throwing it: a
//! refused request is an ordinary outcome that the app answers with `status`,
//! `wwwAuthenticate` and `retryAfter`. It throws `TokenwardError` only for a programming error
//! (an unparsable `clientIp`).
//!
//! With `introspection` (an `OAuthClient`), opaque bearer tokens are checked by RFC 7662
//! introspection: `authenticateAsync` (Swift `async`, Kotlin `suspend`) awaits the request on
//! the core runtime; the synchronous `authenticate` blocks the calling thread for it (never
//! otherwise). Answers are cached briefly in the core.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokenward::gateway as core;
use tokenward::Error;

use crate::apikeys::ApiKeys;
use crate::clock::ManualClock;
use crate::error::{ErrorCode, FfiResult};
use crate::jwt::JwtVerifier;
use crate::oauth::{on_runtime, OAuthClient};

/// One rate limit: `rate` requests per `period`, with bursts of up to `burst`.
#[derive(uniffi::Record, Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests per period (≥ 1).
    pub rate: u32,
    /// Requests that may arrive at once (≥ 1).
    pub burst: u32,
    /// The period (non-zero); `None`: one second (the core's `DEFAULT_RATE_LIMIT_PERIOD`).
    #[uniffi(default = None)]
    pub period: Option<Duration>,
}

impl From<RateLimit> for core::RateLimit {
    fn from(l: RateLimit) -> Self {
        core::RateLimit {
            rate: l.rate,
            period: l.period.unwrap_or(core::DEFAULT_RATE_LIMIT_PERIOD),
            burst: l.burst,
        }
    }
}

/// The forwarding header trusted proxies set (exactly one is honoured).
#[derive(uniffi::Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[uniffi::export(Display)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For`.
    XForwardedFor,
    /// RFC 7239 `Forwarded`.
    Forwarded,
}

impl From<ForwardedHeader> for core::ForwardedHeader {
    fn from(h: ForwardedHeader) -> Self {
        match h {
            ForwardedHeader::XForwardedFor => core::ForwardedHeader::XForwardedFor,
            ForwardedHeader::Forwarded => core::ForwardedHeader::Forwarded,
        }
    }
}

/// The core's header name (`x-forwarded-for`, `forwarded`).
impl std::fmt::Display for ForwardedHeader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(core::ForwardedHeader::from(*self).as_str())
    }
}

/// What a revocation names.
#[derive(uniffi::Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[uniffi::export(Display)]
pub enum RevocationKind {
    /// A JWT `jti`.
    Jti,
    /// An API key id.
    KeyId,
    /// Every credential of a subject (JWT `sub`, key owner).
    Subject,
}

impl From<RevocationKind> for core::RevocationKind {
    fn from(k: RevocationKind) -> Self {
        match k {
            RevocationKind::Jti => core::RevocationKind::Jti,
            RevocationKind::KeyId => core::RevocationKind::KeyId,
            RevocationKind::Subject => core::RevocationKind::Subject,
        }
    }
}

/// The core's name (`jti`, `key_id`, `subject`).
impl std::fmt::Display for RevocationKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(core::RevocationKind::from(*self).as_str())
    }
}

/// A bounded, expiring revocation list by JWT `jti`, API key id or subject. Share one between
/// authenticators; safe to use from several threads. In-process by default; `with_store`
/// keeps it in Redis, shared by every instance using that Redis.
#[derive(uniffi::Object, Debug)]
pub struct RevocationList {
    /// The in-process list (`None` for a shared store).
    local: Option<Arc<core::RevocationList>>,
    store: Arc<dyn core::RevocationStore>,
}

/// Whole Unix seconds of `until`, rounded up (an expiry is never moved earlier).
fn unix_seconds_ceil(until: SystemTime) -> i64 {
    match until.duration_since(UNIX_EPOCH) {
        Ok(d) => {
            let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            secs.saturating_add(i64::from(d.subsec_nanos() > 0))
        }
        // Before 1970: in the past, which the core refuses.
        Err(_) => 0,
    }
}

/// Optional settings of `RevocationList`; each `null`/`nil` keeps the core's default.
#[derive(uniffi::Record)]
pub struct RevocationListOptions {
    /// The most live entries held (default 1 000 000, the core's `DEFAULT_MAX_REVOCATIONS`;
    /// at least 1); `revoke` fails with `invalid_input` when the list is full.
    #[uniffi(default = None)]
    pub max_entries: Option<u64>,
    /// Replaces the system clock that decides which entries have expired (tests).
    #[uniffi(default = None)]
    pub clock: Option<Arc<ManualClock>>,
}

#[uniffi::export]
impl RevocationList {
    /// A list configured by `options`; a `maxEntries` of 0 fails with `invalid_input`.
    #[uniffi::constructor(default(options))]
    pub fn new(options: RevocationListOptions) -> FfiResult<Arc<Self>> {
        let mut o = core::RevocationListOptions::new();
        if let Some(max) = options.max_entries {
            o = o.with_max_entries(usize::try_from(max).unwrap_or(usize::MAX));
        }
        if let Some(clock) = options.clock {
            o = o.with_clock(clock.shared());
        }
        let local = Arc::new(core::RevocationList::new(o)?);
        Ok(Arc::new(RevocationList {
            store: local.clone(),
            local: Some(local),
        }))
    }

    /// The list in `store`: `"memory"` (a new in-process list) or `"redis://…"` (shared; a
    /// check Redis cannot answer fails closed unless `fail_open`). Fails with `invalid_input`
    /// for an unsupported store; connects on first use.
    #[uniffi::constructor(default(fail_open = false))]
    pub fn with_store(store: String, fail_open: bool) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(RevocationList {
            local: None,
            store: core::open_revocations(Some(&store), fail_open)?,
        }))
    }

    /// Revokes `id` of `kind` until `until` (in the future; for a `jti`, the token's `exp` is
    /// enough); fails with `invalid_input` for an empty id, a past expiry, or a list full of
    /// live entries.
    pub fn revoke(&self, kind: RevocationKind, id: String, until: SystemTime) -> FfiResult<()> {
        Ok(self
            .store
            .revoke(kind.into(), &id, unix_seconds_ceil(until))?)
    }

    /// Lifts a revocation; returns whether one existed. An in-process list never fails; a
    /// shared one fails with `network` / `timeout` when Redis cannot answer (then `false`).
    pub fn unrevoke(&self, kind: RevocationKind, id: String) -> bool {
        self.store.unrevoke(kind.into(), &id).unwrap_or(false)
    }

    /// Whether `id` of `kind` is revoked now. For a shared list Redis cannot answer: `true`
    /// (fail closed) unless it was opened with `fail_open`.
    pub fn is_revoked(&self, kind: RevocationKind, id: String) -> bool {
        self.store
            .is_revoked(kind.into(), &id)
            .unwrap_or(self.local.is_none())
    }

    /// Drops expired entries; returns how many remain (0 for a shared list: Redis expires its
    /// entries itself).
    pub fn purge(&self) -> u64 {
        self.local.as_ref().map_or(0, |l| l.purge() as u64)
    }

    /// Entries held (live or not yet purged; 0 for a shared list).
    pub fn size(&self) -> u64 {
        self.local.as_ref().map_or(0, |l| l.len() as u64)
    }
}

/// Options of `Authenticator`. Configure `api_keys`, `jwt`, `introspection`, or several;
/// everything else is off unless set, and an option left `None` takes the core's default.
#[derive(uniffi::Record)]
pub struct AuthenticatorOptions {
    /// Accept API keys verified by these keys (`Authorization: Bearer`, the API-key header, and
    /// the query parameter or cookie when enabled).
    #[uniffi(default = None)]
    pub api_keys: Option<Arc<ApiKeys>>,
    /// Accept JWTs verified by this verifier (`Authorization: Bearer`, or the cookie when
    /// enabled). A Bearer value with the JWS shape goes here when both are configured.
    #[uniffi(default = None)]
    pub jwt: Option<Arc<JwtVerifier>>,
    /// Admit only these networks (CIDR or single addresses, IPv4 and IPv6).
    #[uniffi(default = [])]
    pub ip_allow: Vec<String>,
    /// Refuse these networks (deny wins over allow).
    #[uniffi(default = [])]
    pub ip_deny: Vec<String>,
    /// Proxies whose `forwarded_header` is trusted (opt-in; empty: forwarding headers are
    /// ignored and the socket peer is the client).
    #[uniffi(default = [])]
    pub trusted_proxies: Vec<String>,
    /// The header trusted proxies set; `None`: `X-Forwarded-For`.
    #[uniffi(default = None)]
    pub forwarded_header: Option<ForwardedHeader>,
    /// The default limit per principal (API key id or JWT `sub`).
    #[uniffi(default = None)]
    pub rate_limit: Option<RateLimit>,
    /// The limit per client address (IPv6 counted per /64).
    #[uniffi(default = None)]
    pub ip_rate_limit: Option<RateLimit>,
    /// The budget of refused credentials per client address (IPv6 per /64); once spent, the
    /// address is refused `rate_limited` / 429 before any verification. `None`: the core
    /// default (on: bursts of 20, then 10 a minute).
    #[uniffi(default = None)]
    pub failure_rate_limit: Option<RateLimit>,
    /// Limits per plan: keys whose metadata `plan`, or tokens whose `plan` claim, names it.
    #[uniffi(default)]
    pub plans: HashMap<String, RateLimit>,
    /// Limits for single API key ids or subjects, over their plan's and the default.
    #[uniffi(default)]
    pub rate_limit_overrides: HashMap<String, RateLimit>,
    /// Refuse credentials on this list.
    #[uniffi(default = None)]
    pub revocations: Option<Arc<RevocationList>>,
    /// The realm of `WWW-Authenticate` challenges; `None`: `api`.
    #[uniffi(default = None)]
    pub realm: Option<String>,
    /// The API-key header (case-insensitive); `None`: `x-api-key`.
    #[uniffi(default = None)]
    pub api_key_header: Option<String>,
    /// Also accept an API key in this query parameter (off by default: query strings end up
    /// in logs).
    #[uniffi(default = None)]
    pub query_param: Option<String>,
    /// Also accept a credential in this cookie (off by default).
    #[uniffi(default = None)]
    pub cookie: Option<String>,
    /// Longest credential-bearing header value accepted, in bytes; `None`: 8192.
    #[uniffi(default = None)]
    pub max_header_len: Option<u32>,
    /// The rate limiters' and introspection cache's clock (tests); the system clock when
    /// `None`.
    #[uniffi(default = None)]
    pub clock: Option<Arc<ManualClock>>,
    /// Most callers each rate limiter tracks; `None`: 100 000.
    #[uniffi(default = None)]
    pub max_tracked: Option<u32>,
    /// Accept opaque bearer tokens (not API keys, not JWS-shaped) validated by RFC 7662
    /// introspection with this client.
    #[uniffi(default = None)]
    pub introspection: Option<Arc<OAuthClient>>,
    /// How long an active introspection answer is cached (never past the token's `exp`);
    /// `None`: 60 s.
    #[uniffi(default = None)]
    pub introspection_cache_ttl: Option<Duration>,
    /// How long an inactive introspection answer is cached; `None`: 10 s.
    #[uniffi(default = None)]
    pub introspection_negative_ttl: Option<Duration>,
    /// Most introspection answers cached (0 disables the cache); `None`: 10 000.
    #[uniffi(default = None)]
    pub introspection_cache_size: Option<u32>,
    /// Outbound introspection requests (uncached tokens) over all callers; beyond it an
    /// uncached token is refused `rate_limited` / 503 with `Retry-After`. `None`: the core
    /// default (50 a second, bursts of 100).
    #[uniffi(default = None)]
    pub introspection_rate_limit: Option<RateLimit>,
    /// Most introspection requests in flight at once; `None`: 32.
    #[uniffi(default = None)]
    pub introspection_max_inflight: Option<u32>,
    /// Where rate limits are counted: `None` or `"memory"` (this process) or `"redis://…"`
    /// (shared by every instance using that Redis).
    #[uniffi(default = None)]
    pub rate_limit_store: Option<String>,
    /// When the rate-limit store cannot answer: count in this process (`None` or `true`) or
    /// refuse with 503 (`false`).
    #[uniffi(default = None)]
    pub rate_limit_store_fail_open: Option<bool>,
    /// Accept session cookies verified by these sessions (requests with an unsafe method
    /// need the session's CSRF token in `X-CSRF-Token`).
    #[uniffi(default = None)]
    pub sessions: Option<Arc<crate::sessions::Sessions>>,
    /// Accept `Authorization: DPoP` with a `DPoP` proof checked by this verifier (RFC 9449);
    /// tokens bound with `cnf.jkt` are refused as `Bearer`.
    #[uniffi(default = None)]
    pub dpop: Option<Arc<crate::dpop::DpopVerifier>>,
    /// The origin (`https://api.example`) proofs' `htu` is compared with; `None`: a trusted
    /// proxy's forwarded scheme and host, else `https` and the `Host` header.
    #[uniffi(default = None)]
    pub dpop_origin: Option<String>,
    /// Abuse detection (lockout and `abuse.*` audit events; docs/abuse.md); `None`: off.
    #[uniffi(default = None)]
    pub abuse_detection: Option<Arc<crate::abuse::AbuseDetection>>,
    /// The header whose value becomes the audit events' request id; `None`: none.
    #[uniffi(default = None)]
    pub request_id_header: Option<String>,
    /// Check mutual-TLS-bound tokens (RFC 8705, `cnf.x5t#S256`) against the request's client
    /// certificate (or a trusted proxy's `Client-Cert` header); `None`: off.
    #[uniffi(default = None)]
    pub mtls_bound_tokens: Option<bool>,
}

impl AuthenticatorOptions {
    /// The core's options: each `None` keeps the core default.
    fn into_core(self) -> core::AuthenticatorOptions {
        let size = |n: u32| usize::try_from(n).unwrap_or(usize::MAX);
        let mut o = core::AuthenticatorOptions::new()
            .with_ip_allow(self.ip_allow)
            .with_ip_deny(self.ip_deny)
            .with_trusted_proxies(self.trusted_proxies);
        if let Some(keys) = self.api_keys {
            o = o.with_api_keys(keys.0.clone());
        }
        if let Some(verifier) = self.jwt {
            o = o.with_jwt(Arc::new(verifier.0.clone()));
        }
        if let Some(client) = self.introspection {
            o = o.with_introspection(Arc::new(client.0.clone()));
        }
        if let Some(s) = self.sessions {
            o = o.with_sessions(s.0.clone());
        }
        if let Some(verifier) = self.dpop {
            o = o.with_dpop(verifier.0.clone());
        }
        if let Some(origin) = self.dpop_origin {
            o = o.with_dpop_origin(origin);
        }
        if let Some(a) = self.abuse_detection {
            o = o.with_abuse_detection(a.0.clone());
        }
        if let Some(h) = self.request_id_header {
            o = o.with_request_id_header(h);
        }
        if let Some(on) = self.mtls_bound_tokens {
            o = o.with_mtls_bound_tokens(on);
        }
        if let Some(realm) = self.realm {
            o = o.with_realm(realm);
        }
        if let Some(name) = self.api_key_header {
            o = o.with_api_key_header(Some(name));
        }
        if let Some(name) = self.query_param {
            o = o.with_query_param(name);
        }
        if let Some(name) = self.cookie {
            o = o.with_cookie(name);
        }
        if let Some(n) = self.max_header_len {
            o = o.with_max_header_len(size(n));
        }
        if let Some(h) = self.forwarded_header {
            o = o.with_forwarded_header(h.into());
        }
        if let Some(l) = self.rate_limit {
            o = o.with_rate_limit(l.into());
        }
        if let Some(l) = self.ip_rate_limit {
            o = o.with_ip_rate_limit(l.into());
        }
        if let Some(l) = self.failure_rate_limit {
            o = o.with_failure_rate_limit(Some(l.into()));
        }
        for (who, l) in self.rate_limit_overrides {
            o = o.with_rate_limit_override(who, l.into());
        }
        for (plan, l) in self.plans {
            o = o.with_plan(plan, l.into());
        }
        if let Some(list) = self.revocations {
            o = o.with_revocation_store(list.store.clone());
        }
        if let Some(url) = self.rate_limit_store {
            o = o.with_rate_limit_store(url);
        }
        if let Some(fail_open) = self.rate_limit_store_fail_open {
            o = o.with_rate_limit_store_fail_open(fail_open);
        }
        if let Some(clock) = self.clock {
            o = o.with_clock(clock.shared());
        }
        if let Some(n) = self.max_tracked {
            o = o.with_max_tracked(size(n));
        }
        if let Some(ttl) = self.introspection_cache_ttl {
            o = o.with_introspection_cache_ttl(ttl);
        }
        if let Some(ttl) = self.introspection_negative_ttl {
            o = o.with_introspection_negative_ttl(ttl);
        }
        if let Some(n) = self.introspection_cache_size {
            o = o.with_introspection_cache_size(size(n));
        }
        if let Some(l) = self.introspection_rate_limit {
            o = o.with_introspection_rate_limit(Some(l.into()));
        }
        if let Some(n) = self.introspection_max_inflight {
            o = o.with_introspection_max_inflight(size(n));
        }
        o
    }
}

/// One header line of a request.
#[derive(uniffi::Record, Debug, Clone, PartialEq, Eq)]
pub struct HttpHeader {
    /// The name (compared case-insensitively).
    pub name: String,
    /// The value.
    pub value: String,
}

/// One request as the authenticator sees it.
#[derive(uniffi::Record, Debug, Clone, PartialEq, Eq)]
pub struct AuthRequest {
    /// The HTTP method.
    #[uniffi(default = "GET")]
    pub method: String,
    /// The request target: path and, when the query parameter is enabled, the query string.
    #[uniffi(default = "/")]
    pub path: String,
    /// The header lines, repeated names kept (several credentials are refused).
    #[uniffi(default = [])]
    pub headers: Vec<HttpHeader>,
    /// The socket peer address (`198.51.100.7`, `2001:db8::1`, `[::1]`, `fe80::1%eth0`);
    /// `None` when unknown, which IP rules refuse.
    #[uniffi(default = None)]
    pub client_ip: Option<String>,
    /// Scopes this route requires (all of them).
    #[uniffi(default = [])]
    pub required_scopes: Vec<String>,
    /// The client certificate the TLS layer verified (mutual TLS), DER or PEM bytes; read only
    /// with `mtls_bound_tokens`.
    #[uniffi(default = None)]
    pub client_certificate: Option<Vec<u8>>,
}

/// How the caller authenticated.
#[derive(uniffi::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    /// A tokenward API key.
    ApiKey,
    /// A JWT.
    Jwt,
    /// An opaque bearer token validated by OAuth introspection (RFC 7662).
    Introspected,
    /// A session cookie (`Sessions`).
    Session,
}

/// An authenticated and authorized caller.
#[derive(uniffi::Record, Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The credential kind.
    pub kind: CredentialKind,
    /// The key owner or the JWT `sub` (empty when the token has none).
    pub subject: String,
    /// The API key id, or the JWT `jti` when present.
    pub key_id: Option<String>,
    /// The scopes the credential carries.
    pub scopes: Vec<String>,
    /// The verified JWT claims as a JSON object (`{}` for API keys).
    pub claims_json: String,
    /// Requests left in the tightest applicable rate limit; `None` without limits.
    pub rate_limit_remaining: Option<u64>,
}

impl From<core::Principal> for Principal {
    fn from(p: core::Principal) -> Self {
        Principal {
            kind: match p.kind {
                core::CredentialKind::ApiKey => CredentialKind::ApiKey,
                core::CredentialKind::Jwt => CredentialKind::Jwt,
                core::CredentialKind::Introspected => CredentialKind::Introspected,
                core::CredentialKind::Session => CredentialKind::Session,
            },
            subject: p.subject,
            key_id: p.key_id,
            scopes: p.scopes,
            claims_json: p.claims.to_json(),
            rate_limit_remaining: p.rate_limit_remaining,
        }
    }
}

/// A refused request. Send `status`, `www_authenticate` and `retry_after` to the client; keep
/// `code` (the internal reason, e.g. `expired` vs `invalid_signature`) for logs.
#[derive(uniffi::Record, Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The internal reason (`MISSING_CREDENTIALS`, `EXPIRED`, `RATE_LIMITED`, …); its stable
    /// string is `code.asString()` (Kotlin) / `code.description` (Swift).
    pub code: ErrorCode,
    /// The HTTP status: 400, 401, 403 or 429.
    pub status: u16,
    /// The `WWW-Authenticate` header value (RFC 6750), for 400/401 and scope refusals.
    pub www_authenticate: Option<String>,
    /// How long the client should wait (`Retry-After`, whole seconds), for 429 and 503.
    pub retry_after: Option<Duration>,
    /// What a client may be told (e.g. `invalid_token`): the same name in every language.
    pub error: String,
    /// A fixed description of `error` that reveals nothing beyond it.
    pub error_description: String,
    /// The `DPoP-Nonce` header value of a `USE_DPOP_NONCE` refusal.
    pub dpop_nonce: Option<String>,
}

impl From<core::Refusal> for Refusal {
    fn from(r: core::Refusal) -> Self {
        let (error, description) = r.public_error();
        Refusal {
            error: error.to_owned(),
            error_description: description.to_owned(),
            code: r.code.into(),
            status: r.status,
            www_authenticate: r.www_authenticate,
            retry_after: r.retry_after,
            dpop_nonce: r.dpop_nonce,
        }
    }
}

/// The outcome of `authenticate`.
#[derive(uniffi::Enum, Debug, Clone, PartialEq, Eq)]
pub enum AuthDecision {
    /// The request may proceed as `principal`.
    Allowed {
        /// The authenticated caller.
        principal: Principal,
    },
    /// The request is refused; answer with the refusal's status and headers.
    Refused {
        /// Why, and what to send.
        refusal: Refusal,
    },
}

/// Parses a socket address as platforms print it: bare, `[v6]`, with a `%zone`.
fn parse_ip(text: &str) -> FfiResult<IpAddr> {
    let bare = text.trim();
    let bare = bare
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(bare);
    let bare = bare.split_once('%').map_or(bare, |(ip, _zone)| ip);
    bare.parse().map_err(|_| {
        Error::new(
            tokenward::ErrorCode::InvalidInput,
            "client_ip is not an IPv4 or IPv6 address",
        )
        .into()
    })
}

/// The in-process gateway: request credentials + client address → `Principal` or `Refusal`.
/// Build once; safe to share between threads.
#[derive(uniffi::Object, Debug)]
pub struct Authenticator(Arc<core::Authenticator>);

impl AuthRequest {
    /// The core's owned request; fails with `invalid_input` on an unparsable `client_ip`.
    fn into_core(self) -> FfiResult<core::OwnedRequest> {
        let client_ip = self.client_ip.as_deref().map(parse_ip).transpose()?;
        Ok(core::OwnedRequest {
            method: self.method,
            path: self.path,
            headers: self
                .headers
                .into_iter()
                .map(|h| (h.name, h.value))
                .collect(),
            client_ip,
            required_scopes: self.required_scopes,
            client_certificate: self.client_certificate,
        })
    }
}

fn decision(result: Result<core::Principal, core::Refusal>) -> AuthDecision {
    match result {
        Ok(p) => AuthDecision::Allowed {
            principal: p.into(),
        },
        Err(r) => AuthDecision::Refused { refusal: r.into() },
    }
}

#[uniffi::export]
impl Authenticator {
    /// Validates `options`; fails with `invalid_input` (no credential type, a bad CIDR, a
    /// zero rate limit, a realm with control characters).
    #[uniffi::constructor]
    pub fn new(options: AuthenticatorOptions) -> FfiResult<Arc<Self>> {
        let inner = core::Authenticator::new(options.into_core())?;
        Ok(Arc::new(Authenticator(Arc::new(inner))))
    }

    /// Authenticates and authorizes one request. A refusal is returned
    /// (`AuthDecision.Refused`), not thrown; only an unparsable `client_ip` throws
    /// (`invalid_input`). Never blocks, except to introspect an uncached opaque token when
    /// `introspection` is configured (prefer `authenticate_async` there).
    pub fn authenticate(&self, request: AuthRequest) -> FfiResult<AuthDecision> {
        let request = request.into_core()?;
        Ok(decision(request.view(|r| self.0.authenticate_blocking(r))))
    }

    /// `authenticate` for async callers: an opaque token is introspected on the core runtime
    /// without blocking the caller. Without introspection it answers at once.
    pub async fn authenticate_async(&self, request: AuthRequest) -> FfiResult<AuthDecision> {
        let request = request.into_core()?;
        let inner = self.0.clone();
        on_runtime(
            async move { Ok::<_, Error>(decision(request.authenticate_async(&inner).await)) },
        )
        .await
    }

    /// Whether opaque bearer tokens go to introspection (prefer `authenticate_async` then).
    pub fn has_introspection(&self) -> bool {
        self.0.has_introspection()
    }

    /// Number of cached introspection answers (0 without introspection).
    pub fn introspection_cache_len(&self) -> u64 {
        self.0.introspection_cache_len() as u64
    }

    /// The `DPoP-Nonce` to send now (also on accepted requests, to rotate it); `None` without
    /// DPoP nonces.
    pub fn dpop_nonce(&self) -> Option<String> {
        self.0.dpop_nonce()
    }

    /// The lower-case names of the headers this configuration reads; other headers cannot
    /// change a decision, so an adapter may pass only these.
    pub fn header_names(&self) -> Vec<String> {
        self.0.header_names().to_vec()
    }
}
