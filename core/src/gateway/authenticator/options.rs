//! [`AuthenticatorOptions`]' setters; [`Authenticator::new`](super::Authenticator::new)
//! (in `from_options`) validates them.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use super::{AuthenticatorOptions, StoreUrl, DEFAULT_FAILURE_RATE_LIMIT, DEFAULT_REALM};
use crate::apikey::ApiKeys;
use crate::backend::DEFAULT_BACKEND_TIMEOUT;
use crate::clock::SharedClock;
use crate::gateway::credentials::CredentialSources;
use crate::gateway::introspection::{
    DEFAULT_CACHE_SIZE, DEFAULT_CACHE_TTL, DEFAULT_INTROSPECTION_MAX_INFLIGHT,
    DEFAULT_INTROSPECTION_RATE_LIMIT, DEFAULT_NEGATIVE_TTL,
};
use crate::gateway::ip::{ForwardedHeader, DEFAULT_FORWARDED_HEADER};
use crate::gateway::ratelimit::{RateLimit, DEFAULT_MAX_ENTRIES};
use crate::gateway::revocation::RevocationList;
use crate::gateway::revocation_store::RevocationStore;
use crate::jwt::JwtVerifier;
use crate::oauth::OAuthClient;
use crate::session::Sessions;

// No `Default`: options without a validator are not a valid configuration.
#[allow(clippy::new_without_default)]
impl AuthenticatorOptions {
    /// Every option at its default: no validator yet (set at least one), realm
    /// [`DEFAULT_REALM`], API-key header [`DEFAULT_API_KEY_HEADER`](crate::gateway::credentials::DEFAULT_API_KEY_HEADER),
    /// no IP rules, no trusted proxies, no rate limit except the failure budget
    /// [`DEFAULT_FAILURE_RATE_LIMIT`], introspection defaults from
    /// [`introspection`](crate::gateway::introspection).
    pub fn new() -> Self {
        AuthenticatorOptions {
            api_keys: None,
            sessions: None,
            jwt: None,
            remote_jwt: None,
            introspection: None,
            realm: DEFAULT_REALM.to_owned(),
            sources: CredentialSources::default(),
            ip_allow: Vec::new(),
            ip_deny: Vec::new(),
            trusted_proxies: Vec::new(),
            forwarded_header: DEFAULT_FORWARDED_HEADER,
            rate_limit: None,
            ip_rate_limit: None,
            failure_rate_limit: Some(DEFAULT_FAILURE_RATE_LIMIT),
            rate_limit_overrides: HashMap::new(),
            plans: HashMap::new(),
            revocations: None,
            rate_limit_store: None,
            rate_limit_store_fail_open: true,
            backend_timeout: DEFAULT_BACKEND_TIMEOUT,
            clock: None,
            max_tracked: DEFAULT_MAX_ENTRIES,
            introspection_cache_ttl: DEFAULT_CACHE_TTL,
            introspection_negative_ttl: DEFAULT_NEGATIVE_TTL,
            introspection_cache_size: DEFAULT_CACHE_SIZE,
            introspection_rate_limit: Some(DEFAULT_INTROSPECTION_RATE_LIMIT),
            introspection_max_inflight: DEFAULT_INTROSPECTION_MAX_INFLIGHT,
            dpop: None,
            dpop_origin: None,
            abuse: None,
            request_id_header: None,
            mtls_bound_tokens: false,
            require_sender_constrained: false,
        }
    }

    /// Turns on abuse detection (docs/abuse.md): failed-attempt accounting per address and
    /// per credential, temporary lockout (`rate_limited` / 429 with `Retry-After`), and
    /// `abuse.*` audit events with a severity. Default: off.
    pub fn with_abuse_detection(mut self, abuse: crate::gateway::abuse::AbuseDetection) -> Self {
        self.abuse = Some(abuse);
        self
    }

    /// The header whose value becomes the audit events' request id (e.g. `x-request-id`;
    /// compared case-insensitively; default: none). Values longer than 128 characters or with
    /// characters other than printable ASCII are ignored.
    pub fn with_request_id_header(mut self, name: impl Into<String>) -> Self {
        self.request_id_header = Some(name.into());
        self
    }

    /// Accepts `Authorization: DPoP <token>` with a `DPoP` proof checked by `verifier` (RFC
    /// 9449), and refuses a token bound with `cnf.jkt` presented as `Bearer`
    /// (docs/dpop.md).
    pub fn with_dpop(mut self, verifier: Arc<crate::dpop::DpopVerifier>) -> Self {
        self.dpop = Some(verifier);
        self
    }

    /// The origin (`https://api.example`) DPoP proofs' `htu` is compared with. Without it,
    /// the scheme and host forwarded by a trusted proxy, else `https` and the `Host` header.
    pub fn with_dpop_origin(mut self, origin: impl Into<String>) -> Self {
        self.dpop_origin = Some(origin.into());
        self
    }

    /// Checks mutual-TLS-bound tokens (RFC 8705; docs/mtls.md; default off): a token whose
    /// `cnf` claim (or introspection answer) holds `x5t#S256` is refused `certificate_mismatch`
    /// (401 `invalid_token`) unless the request presents the client certificate with that
    /// SHA-256 thumbprint: [`Request::client_certificate`](super::Request::client_certificate)
    /// from the TLS layer, or, from a trusted proxy only, its RFC 9440 `Client-Cert` header.
    pub fn with_mtls_bound_tokens(mut self, enabled: bool) -> Self {
        self.mtls_bound_tokens = enabled;
        self
    }

    /// Accepts only sender-constrained access tokens (FAPI 2.0; docs/fapi.md; default off): a
    /// JWT or introspected token must be bound with `cnf.jkt` (checked by
    /// [`Self::with_dpop`]) or `cnf.x5t#S256` (checked by [`Self::with_mtls_bound_tokens`]);
    /// an unbound one, or one bound by a kind this authenticator does not check, is refused
    /// `missing_claim` (401 `invalid_token`, with a `DPoP` challenge when DPoP is on). API keys
    /// and session cookies are not access tokens and are not affected. Needs DPoP or mTLS-bound
    /// tokens on (else [`Authenticator::new`](super::Authenticator::new) fails with
    /// `invalid_input`).
    pub fn with_require_sender_constrained(mut self, enabled: bool) -> Self {
        self.require_sender_constrained = enabled;
        self
    }

    /// Accepts API keys verified by `keys` (as `Bearer`, the API-key header, or enabled
    /// query/cookie sources).
    pub fn with_api_keys(mut self, keys: Arc<ApiKeys>) -> Self {
        self.api_keys = Some(keys);
        self
    }

    /// Accepts session cookies (the cookie named by `sessions`' [`SessionCookie`](crate::session::SessionCookie)),
    /// verified by `sessions`; requests with an unsafe method (not GET, HEAD, OPTIONS, TRACE)
    /// authenticated by a session must carry its CSRF token in `X-CSRF-Token` (else 403
    /// `invalid_csrf_token`). A session cookie beside another credential is `malformed`.
    pub fn with_sessions(mut self, sessions: Arc<Sessions>) -> Self {
        self.sessions = Some(sessions);
        self
    }

    /// Accepts JWTs verified by `verifier` (as `Bearer` or an enabled cookie).
    pub fn with_jwt(mut self, verifier: Arc<JwtVerifier>) -> Self {
        self.jwt = Some(verifier);
        self
    }

    /// Accepts JWTs verified by `verifier` with a remote key set (a JWKS URL or OpenID Connect
    /// discovery: a key rotated at the provider is picked up without a restart, and a
    /// discovered issuer is enforced). Instead of [`with_jwt`](Self::with_jwt), not beside it.
    /// The synchronous [`Authenticator::authenticate`](super::Authenticator::authenticate)
    /// uses the cached keys only: a token whose keys must be fetched first (none cached yet,
    /// or an unknown `kid`) is refused `invalid_input` / 500 there; use
    /// [`Authenticator::authenticate_async`](super::Authenticator::authenticate_async), which
    /// fetches them (docs/gateway.md).
    pub fn with_remote_jwt(mut self, verifier: Arc<crate::jwt::RemoteJwtVerifier>) -> Self {
        self.remote_jwt = Some(verifier);
        self
    }

    /// Accepts opaque bearer tokens validated by RFC 7662 introspection through `client`
    /// (which needs an introspection endpoint). A bearer token goes to introspection when it is
    /// neither a JWT for the configured verifier nor shaped like one of the configured API keys.
    /// Use [`Authenticator::authenticate_async`](super::Authenticator::authenticate_async) (or
    /// `authenticate_blocking`): the synchronous
    /// [`Authenticator::authenticate`](super::Authenticator::authenticate) only serves cached
    /// answers.
    pub fn with_introspection(mut self, client: Arc<OAuthClient>) -> Self {
        self.introspection = Some(client);
        self
    }

    /// The realm of `WWW-Authenticate` challenges (default [`DEFAULT_REALM`], `api`).
    pub fn with_realm(mut self, realm: impl Into<String>) -> Self {
        self.realm = realm.into();
        self
    }

    /// The API-key header (default `x-api-key`; compared case-insensitively); `None` turns the
    /// header source off.
    pub fn with_api_key_header(mut self, name: Option<String>) -> Self {
        self.sources.api_key_header = name;
        self
    }

    /// Also accepts an API key in query parameter `name` (off by default: query strings end up
    /// in logs).
    pub fn with_query_param(mut self, name: impl Into<String>) -> Self {
        self.sources.query_param = Some(name.into());
        self
    }

    /// Also accepts a credential in cookie `name` (off by default).
    pub fn with_cookie(mut self, name: impl Into<String>) -> Self {
        self.sources.cookie = Some(name.into());
        self
    }

    /// Longest credential-bearing header value accepted, in bytes (default
    /// [`DEFAULT_MAX_HEADER_LEN`](crate::gateway::credentials::DEFAULT_MAX_HEADER_LEN), 8 KiB);
    /// a longer one is refused `token_too_large`.
    pub fn with_max_header_len(mut self, bytes: usize) -> Self {
        self.sources.max_header_len = bytes;
        self
    }

    /// Admits only these networks (CIDR or single addresses; default: every address).
    pub fn with_ip_allow<I: IntoIterator<Item = S>, S: Into<String>>(mut self, nets: I) -> Self {
        self.ip_allow = nets.into_iter().map(Into::into).collect();
        self
    }

    /// Refuses these networks (deny wins over allow; default: none).
    pub fn with_ip_deny<I: IntoIterator<Item = S>, S: Into<String>>(mut self, nets: I) -> Self {
        self.ip_deny = nets.into_iter().map(Into::into).collect();
        self
    }

    /// Trusts the forwarding header when the socket peer is in `proxies` (opt-in; default none:
    /// forwarding headers are ignored, anyone can send them).
    pub fn with_trusted_proxies<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        proxies: I,
    ) -> Self {
        self.trusted_proxies = proxies.into_iter().map(Into::into).collect();
        self
    }

    /// The header trusted proxies set (default [`DEFAULT_FORWARDED_HEADER`],
    /// `X-Forwarded-For`); read only with trusted proxies.
    pub fn with_forwarded_header(mut self, header: ForwardedHeader) -> Self {
        self.forwarded_header = header;
        self
    }

    /// The default limit per principal (API key id or JWT subject; default none).
    pub fn with_rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// The limit per client address (IPv6 counted per /64; default none).
    pub fn with_ip_rate_limit(mut self, limit: RateLimit) -> Self {
        self.ip_rate_limit = Some(limit);
        self
    }

    /// The budget of refused credentials per client address (IPv6 counted per /64; default
    /// [`DEFAULT_FAILURE_RATE_LIMIT`]; `None` turns it off). Every request whose credential
    /// fails validation (401 `invalid_token`: bad signature, unknown or revoked key, inactive
    /// token, …) spends one; once it is spent, the address is refused `rate_limited` / 429
    /// with `Retry-After` *before* any verification work, key-store lookup or introspection
    /// request, whatever credential it presents. Requests without a client address are not
    /// counted.
    pub fn with_failure_rate_limit(mut self, limit: Option<RateLimit>) -> Self {
        self.failure_rate_limit = limit;
        self
    }

    /// A limit for one API key id or subject, instead of its plan's or the default.
    pub fn with_rate_limit_override(
        mut self,
        key_id_or_subject: impl Into<String>,
        limit: RateLimit,
    ) -> Self {
        self.rate_limit_overrides
            .insert(key_id_or_subject.into(), limit);
        self
    }

    /// A limit for a plan: keys whose metadata `plan`, or tokens whose `plan` claim, is `plan`.
    pub fn with_plan(mut self, plan: impl Into<String>, limit: RateLimit) -> Self {
        self.plans.insert(plan.into(), limit);
        self
    }

    /// Refuses credentials on `list` (default: no revocation list).
    pub fn with_revocations(mut self, list: Arc<RevocationList>) -> Self {
        self.revocations = Some(list);
        self
    }

    /// Refuses credentials revoked in `store`: an in-process [`RevocationList`] or a shared one
    /// ([`open_revocations`](crate::gateway::open_revocations), `redis://…`). A store that
    /// cannot answer refuses the request with 503 and the failure's code (`network`,
    /// `timeout`, …), unless the store itself is set to fail open.
    pub fn with_revocation_store(mut self, store: Arc<dyn RevocationStore>) -> Self {
        self.revocations = Some(store);
        self
    }

    /// Where the per-address and per-principal rate limits are counted: `"memory"` (the
    /// default: in this process) or `redis://…` / `rediss://…` (feature `redis`: shared by
    /// every instance using that Redis, decided by one script per request). Checked by
    /// [`Authenticator::new`](super::Authenticator::new) without I/O; the connection is made on
    /// first use. The failure budget ([`AuthenticatorOptions::with_failure_rate_limit`]) stays
    /// in process.
    pub fn with_rate_limit_store(mut self, url: impl Into<String>) -> Self {
        self.rate_limit_store = Some(StoreUrl(url.into()));
        self
    }

    /// When the rate-limit store cannot answer in time: count in this process instead
    /// (`true`, the default: each instance then admits up to the limit on its own, and a
    /// `gateway.rate_limit_fallback` audit event says so), or refuse the request with 503 and
    /// the failure's code (`false`).
    pub fn with_rate_limit_store_fail_open(mut self, fail_open: bool) -> Self {
        self.rate_limit_store_fail_open = fail_open;
        self
    }

    /// The deadline of one operation on a shared store (default
    /// [`DEFAULT_BACKEND_TIMEOUT`], 500 ms): connecting and answering.
    pub fn with_backend_timeout(mut self, timeout: Duration) -> Self {
        self.backend_timeout = timeout;
        self
    }

    /// The clock of the rate limiters and the introspection cache (default: the system clock).
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Most callers each rate limiter tracks (default
    /// [`DEFAULT_MAX_ENTRIES`](crate::gateway::ratelimit::DEFAULT_MAX_ENTRIES), 100 000).
    pub fn with_max_tracked(mut self, n: usize) -> Self {
        self.max_tracked = n;
        self
    }

    /// How long an active introspection answer is reused (default
    /// [`DEFAULT_CACHE_TTL`], 60 s; never beyond the token's `exp`). A token revoked at the
    /// server stays accepted up to this long.
    pub fn with_introspection_cache_ttl(mut self, ttl: Duration) -> Self {
        self.introspection_cache_ttl = ttl;
        self
    }

    /// How long an inactive answer is reused (default [`DEFAULT_NEGATIVE_TTL`], 10 s).
    pub fn with_introspection_negative_ttl(mut self, ttl: Duration) -> Self {
        self.introspection_negative_ttl = ttl;
        self
    }

    /// Most introspection answers cached (default [`DEFAULT_CACHE_SIZE`], 10 000; 0 disables
    /// the cache).
    pub fn with_introspection_cache_size(mut self, n: usize) -> Self {
        self.introspection_cache_size = n;
        self
    }

    /// The rate of outbound introspection requests for tokens without a cached answer, over
    /// all callers (default [`DEFAULT_INTROSPECTION_RATE_LIMIT`]; `None` turns it off, the
    /// in-flight bound stays). Beyond it an uncached opaque token is refused `rate_limited` /
    /// 503 with `Retry-After` without asking the server, so a flood of random tokens cannot
    /// push the authorization server into rate limiting the gateway; tokens with a cached
    /// answer keep working.
    pub fn with_introspection_rate_limit(mut self, limit: Option<RateLimit>) -> Self {
        self.introspection_rate_limit = limit;
        self
    }

    /// Most introspection requests in flight at once (distinct tokens; default
    /// [`DEFAULT_INTROSPECTION_MAX_INFLIGHT`]; ≥ 1). Beyond it an uncached opaque token is
    /// refused like above (`rate_limited` / 503, `Retry-After: 1`).
    pub fn with_introspection_max_inflight(mut self, n: usize) -> Self {
        self.introspection_max_inflight = n;
        self
    }
}
