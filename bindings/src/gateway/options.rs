//! `AuthenticatorOptions` (core `gateway::authenticator::options`).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokenward::gateway as core;

use super::ip::ForwardedHeader;
use super::ratelimit::RateLimit;
use super::revocation::RevocationList;
use crate::apikeys::ApiKeys;
use crate::clock::ManualClock;
use crate::jwt::JwtVerifier;
use crate::oauth::OAuthClient;

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
    /// Accept JWTs verified with remote keys (a JWKS URL or discovery: rotated keys are picked
    /// up, a discovered issuer is enforced); instead of `jwt`. `authenticate` uses the cached
    /// keys only: use `authenticate_async`, which fetches them.
    #[uniffi(default = None)]
    pub remote_jwt: Option<Arc<crate::remote::RemoteJwtVerifier>>,
    /// Check mutual-TLS-bound tokens (RFC 8705, `cnf.x5t#S256`) against the request's client
    /// certificate (or a trusted proxy's `Client-Cert` header); `None`: off.
    #[uniffi(default = None)]
    pub mtls_bound_tokens: Option<bool>,
    /// Accept only sender-constrained access tokens (FAPI 2.0): a JWT or introspected token
    /// without `cnf.jkt` (with `dpop`) or `cnf.x5t#S256` (with `mtls_bound_tokens`) is refused
    /// `MISSING_CLAIM` (401 `invalid_token`, a `DPoP` challenge with DPoP on); needs one of
    /// them; `None`: off.
    #[uniffi(default = None)]
    pub require_sender_constrained: Option<bool>,
}

impl AuthenticatorOptions {
    /// The core's options: each `None` keeps the core default.
    pub(super) fn into_core(self) -> core::AuthenticatorOptions {
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
        if let Some(verifier) = self.remote_jwt {
            o = o.with_remote_jwt(Arc::new(verifier.0.clone()));
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
        if let Some(on) = self.require_sender_constrained {
            o = o.with_require_sender_constrained(on);
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
