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
use std::time::Duration;

use tokenward::gateway as core;
use tokenward::{Error, ErrorCode};

use crate::apikeys::ApiKeys;
use crate::clock::{shared_or_system, ManualClock};
use crate::error::FfiResult;
use crate::jwt::JwtVerifier;
use crate::oauth::{on_runtime, OAuthClient};

/// One rate limit: `rate` requests per `period_seconds`, with bursts of up to `burst`.
#[derive(uniffi::Record, Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests per period (≥ 1).
    pub rate: u32,
    /// The period in seconds (≥ 1).
    #[uniffi(default = 1)]
    pub period_seconds: u64,
    /// Requests that may arrive at once (≥ 1).
    pub burst: u32,
}

impl From<RateLimit> for core::RateLimit {
    fn from(l: RateLimit) -> Self {
        core::RateLimit {
            rate: l.rate,
            period: Duration::from_secs(l.period_seconds),
            burst: l.burst,
        }
    }
}

/// The forwarding header trusted proxies set (exactly one is honoured).
#[derive(uniffi::Enum, Debug, Clone, Copy, PartialEq, Eq)]
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

/// What a revocation names.
#[derive(uniffi::Enum, Debug, Clone, Copy, PartialEq, Eq)]
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

/// A bounded, expiring revocation list by JWT `jti`, API key id or subject. Share one between
/// authenticators; safe to use from several threads.
#[derive(uniffi::Object, Debug)]
pub struct RevocationList(Arc<core::RevocationList>);

#[uniffi::export]
impl RevocationList {
    /// A list of at most `max_entries` live entries; `clock` (tests) replaces the system clock.
    #[uniffi::constructor(default(max_entries = 1000000, clock = None))]
    pub fn new(max_entries: u64, clock: Option<Arc<ManualClock>>) -> Arc<Self> {
        let max = usize::try_from(max_entries).unwrap_or(usize::MAX);
        Arc::new(RevocationList(Arc::new(core::RevocationList::new(
            max,
            shared_or_system(clock.as_ref()),
        ))))
    }

    /// Revokes `id` of `kind` until `until` (Unix seconds, in the future); fails with
    /// `invalid_input` for an empty id, a past expiry, or a list full of live entries.
    pub fn revoke(&self, kind: RevocationKind, id: String, until: i64) -> FfiResult<()> {
        Ok(self.0.revoke(kind.into(), &id, until)?)
    }

    /// Revokes a JWT by `jti` until `until` (its `exp` is enough).
    pub fn revoke_jti(&self, jti: String, until: i64) -> FfiResult<()> {
        self.revoke(RevocationKind::Jti, jti, until)
    }

    /// Revokes an API key by id until `until`.
    pub fn revoke_key_id(&self, key_id: String, until: i64) -> FfiResult<()> {
        self.revoke(RevocationKind::KeyId, key_id, until)
    }

    /// Revokes every credential of `subject` until `until`.
    pub fn revoke_subject(&self, subject: String, until: i64) -> FfiResult<()> {
        self.revoke(RevocationKind::Subject, subject, until)
    }

    /// Lifts a revocation; returns whether one existed.
    pub fn unrevoke(&self, kind: RevocationKind, id: String) -> bool {
        self.0.unrevoke(kind.into(), &id)
    }

    /// Whether `id` of `kind` is revoked now.
    pub fn is_revoked(&self, kind: RevocationKind, id: String) -> bool {
        self.0.is_revoked(kind.into(), &id)
    }

    /// Drops expired entries; returns how many remain.
    pub fn purge(&self) -> u64 {
        self.0.purge() as u64
    }

    /// Entries held (live or not yet purged).
    pub fn size(&self) -> u64 {
        self.0.len() as u64
    }
}

/// Options of `Authenticator`. Configure `api_keys`, `jwt`, or both; everything else is off
/// unless set.
#[derive(uniffi::Record)]
pub struct AuthenticatorOptions {
    /// Accept API keys verified by these keys (`Authorization: Bearer`, `X-API-Key`, and the
    /// query parameter or cookie when enabled).
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
    /// The header trusted proxies set (default `X-Forwarded-For`).
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
    /// The realm of `WWW-Authenticate` challenges.
    #[uniffi(default = "api")]
    pub realm: String,
    /// Also accept an API key in this query parameter (off by default: query strings end up
    /// in logs).
    #[uniffi(default = None)]
    pub query_param: Option<String>,
    /// Also accept a credential in this cookie (off by default).
    #[uniffi(default = None)]
    pub cookie: Option<String>,
    /// The rate limiters' clock (tests); the system clock when `None`.
    #[uniffi(default = None)]
    pub clock: Option<Arc<ManualClock>>,
    /// Accept opaque bearer tokens (not API keys, not JWS-shaped) validated by RFC 7662
    /// introspection with this client.
    #[uniffi(default = None)]
    pub introspection: Option<Arc<OAuthClient>>,
    /// How long an active introspection answer is cached, in seconds (never past the token's
    /// `exp`); the core default when `None`.
    #[uniffi(default = None)]
    pub introspection_cache_seconds: Option<u64>,
    /// Outbound introspection requests (uncached tokens) over all callers; beyond it an
    /// uncached token is refused `rate_limited` / 503 with `Retry-After`. `None`: the core
    /// default (50 a second, bursts of 100).
    #[uniffi(default = None)]
    pub introspection_rate_limit: Option<RateLimit>,
    /// Most introspection requests in flight at once; `None`: the core default (32).
    #[uniffi(default = None)]
    pub introspection_max_inflight: Option<u32>,
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
            },
            subject: p.subject,
            key_id: p.key_id,
            scopes: p.scopes,
            claims_json: p.claims.to_json(),
            rate_limit_remaining: p.remaining,
        }
    }
}

/// A refused request. Send `status`, `www_authenticate` and `retry_after` to the client; keep
/// `code` (the internal reason, e.g. `expired` vs `invalid_signature`) for logs.
#[derive(uniffi::Record, Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The stable tokenward code (`missing_credentials`, `expired`, `rate_limited`, …).
    pub code: String,
    /// The HTTP status: 400, 401, 403 or 429.
    pub status: u16,
    /// The `WWW-Authenticate` header value (RFC 6750), for 400/401 and scope refusals.
    pub www_authenticate: Option<String>,
    /// Seconds for the `Retry-After` header, for 429.
    pub retry_after: Option<u64>,
    /// What a client may be told (e.g. `invalid_token`): the same name in every language.
    pub error: String,
    /// A fixed description of `error` that reveals nothing beyond it.
    pub error_description: String,
}

impl From<core::Refusal> for Refusal {
    fn from(r: core::Refusal) -> Self {
        let (error, description) = r.public_error();
        Refusal {
            error: error.to_owned(),
            error_description: description.to_owned(),
            code: r.code.as_str().to_owned(),
            status: r.status,
            www_authenticate: r.www_authenticate,
            retry_after: r.retry_after,
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
            ErrorCode::InvalidInput,
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
        let mut b = core::Authenticator::builder()
            .realm(options.realm)
            .ip_allow(options.ip_allow)
            .ip_deny(options.ip_deny);
        if let Some(keys) = options.api_keys {
            b = b.api_keys(keys.0.clone());
        }
        if let Some(verifier) = options.jwt {
            b = b.jwt(Arc::new(verifier.0.clone()));
        }
        if !options.trusted_proxies.is_empty() {
            let header = options
                .forwarded_header
                .unwrap_or(ForwardedHeader::XForwardedFor);
            b = b.trusted_proxies(options.trusted_proxies, header.into());
        }
        if let Some(l) = options.rate_limit {
            b = b.rate_limit(l.into());
        }
        if let Some(l) = options.ip_rate_limit {
            b = b.ip_rate_limit(l.into());
        }
        if let Some(l) = options.failure_rate_limit {
            b = b.failure_rate_limit(l.into());
        }
        if let Some(l) = options.introspection_rate_limit {
            b = b.introspection_rate_limit(l.into());
        }
        if let Some(n) = options.introspection_max_inflight {
            b = b.introspection_max_inflight(usize::try_from(n).unwrap_or(usize::MAX));
        }
        for (plan, l) in options.plans {
            b = b.plan(plan, l.into());
        }
        for (who, l) in options.rate_limit_overrides {
            b = b.rate_limit_for(who, l.into());
        }
        if let Some(list) = options.revocations {
            b = b.revocations(list.0.clone());
        }
        if let Some(name) = options.query_param {
            b = b.query_param(name);
        }
        if let Some(name) = options.cookie {
            b = b.cookie(name);
        }
        if let Some(clock) = options.clock {
            b = b.clock(clock.shared());
        }
        if let Some(client) = options.introspection {
            b = b.introspection(Arc::new(client.0.clone()));
        }
        if let Some(secs) = options.introspection_cache_seconds {
            b = b.introspection_cache_ttl(Duration::from_secs(secs));
        }
        Ok(Arc::new(Authenticator(Arc::new(b.build()?))))
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

    /// Number of cached introspection answers (0 without introspection).
    pub fn introspection_cache_size(&self) -> u64 {
        self.0.introspection_cache_len() as u64
    }
}
