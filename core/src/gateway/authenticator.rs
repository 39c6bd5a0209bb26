//! [`Authenticator`]: request credentials + client address → [`Principal`] or [`Refusal`].
//!
//! Checks run in a fixed order: client address (trusted proxies, then allow/deny) → credential
//! presence → validation → revocation → scopes → rate limits (per IP and per principal). Every
//! decision emits one `gateway.authenticate` audit event with the internal code, the key id or
//! `jti` and the subject — never token material.
//!
//! Opaque bearer tokens (configured with [`AuthenticatorBuilder::introspection`]) are validated
//! by RFC 7662 introspection. The pipeline is written once ([`Authenticator::run`]); the async
//! entry point runs it, and when it stops at validation because an opaque token is not cached,
//! awaits the introspection and runs it again with the fresh answer. The synchronous entry point
//! never touches the network: it serves cached answers and otherwise refuses with
//! `invalid_input` / 500 (use [`Authenticator::authenticate_async`] or
//! [`Authenticator::authenticate_blocking`]).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::credentials::{looks_like_jws, CredentialSources, ExtractError, Source};
use super::decision::{BearerError, Challenger, CredentialKind, Principal, Refusal};
use super::introspection::{
    token_hash, Answer, Introspector, DEFAULT_CACHE_SIZE, DEFAULT_CACHE_TTL,
    DEFAULT_INTROSPECTION_MAX_INFLIGHT, DEFAULT_INTROSPECTION_RATE_LIMIT, DEFAULT_NEGATIVE_TTL,
};
use super::ip::{normalize, CidrSet, ForwardedHeader, IpRules, TrustedProxies};
use super::ratelimit::{Limiter, RateLimit, Verdict, DEFAULT_MAX_ENTRIES};
use super::revocation::{RevocationKind, RevocationList};
use crate::apikey::ApiKeys;
use crate::audit::{emit, AuditEvent, Outcome};
use crate::clock::{self, SharedClock};
use crate::jwt::{Claims, JwtVerifier};
use crate::oauth::OAuthClient;
use crate::{Error, ErrorCode, Result};

/// A request with owned data, for bindings that convert foreign values first or must move the
/// request into a task (`authenticate_async`). [`OwnedRequest::view`] lends it as a [`Request`].
/// `Debug` prints header names but no header value and no query string (they hold credentials).
#[derive(Clone, Default)]
pub struct OwnedRequest {
    /// The HTTP method.
    pub method: String,
    /// The request target.
    pub path: String,
    /// Header lines (name, value).
    pub headers: Vec<(String, String)>,
    /// The socket peer address.
    pub client_ip: Option<IpAddr>,
    /// Scopes this call requires.
    pub required_scopes: Vec<String>,
}

impl OwnedRequest {
    /// Runs `f` with this request borrowed as a [`Request`].
    pub fn view<R>(&self, f: impl FnOnce(&Request<'_>) -> R) -> R {
        let (headers, scopes) = self.borrowed();
        f(&self.request(&headers, &scopes))
    }

    /// [`Authenticator::authenticate_async`] on this request.
    pub async fn authenticate_async(
        &self,
        auth: &Authenticator,
    ) -> std::result::Result<Principal, Refusal> {
        let (headers, scopes) = self.borrowed();
        auth.authenticate_async(&self.request(&headers, &scopes))
            .await
    }

    fn borrowed(&self) -> (Vec<(&str, &str)>, Vec<&str>) {
        let headers = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let scopes = self.required_scopes.iter().map(String::as_str).collect();
        (headers, scopes)
    }

    fn request<'a>(
        &'a self,
        headers: &'a [(&'a str, &'a str)],
        scopes: &'a [&'a str],
    ) -> Request<'a> {
        Request {
            method: &self.method,
            path: &self.path,
            headers,
            client_ip: self.client_ip,
            required_scopes: scopes,
        }
    }
}

/// One request, as seen by the authenticator. `Debug` prints header names but no header value
/// and no query string (they hold credentials).
#[derive(Clone, Copy, Default)]
pub struct Request<'a> {
    /// The HTTP method (informational; recorded nowhere secret).
    pub method: &'a str,
    /// The request target: path and, when query credentials are enabled, the query string.
    pub path: &'a str,
    /// Header lines as (name, value); names are compared case-insensitively.
    pub headers: &'a [(&'a str, &'a str)],
    /// The socket peer address.
    pub client_ip: Option<IpAddr>,
    /// Scopes this route requires (all of them).
    pub required_scopes: &'a [&'a str],
}

/// `Debug` of a request: method, path without its query, header names with the length of
/// their (redacted) values, client address and scopes.
fn debug_request<'h>(
    f: &mut std::fmt::Formatter<'_>,
    name: &str,
    method: &str,
    path: &str,
    headers: impl Iterator<Item = (&'h str, &'h str)>,
    client_ip: Option<IpAddr>,
    scopes: &dyn std::fmt::Debug,
) -> std::fmt::Result {
    struct Redacted<'h>(Vec<(&'h str, usize)>);
    impl std::fmt::Debug for Redacted<'_> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_list()
                .entries(
                    self.0
                        .iter()
                        .map(|(n, len)| format!("{n}: [REDACTED {len} bytes]")),
                )
                .finish()
        }
    }
    let path = match path.split_once('?') {
        Some((p, _)) => format!("{p}?[REDACTED]"),
        None => path.to_owned(),
    };
    f.debug_struct(name)
        .field("method", &method)
        .field("path", &path)
        .field(
            "headers",
            &Redacted(headers.map(|(n, v)| (n, v.len())).collect()),
        )
        .field("client_ip", &client_ip)
        .field("required_scopes", scopes)
        .finish()
}

impl std::fmt::Debug for OwnedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        debug_request(
            f,
            "OwnedRequest",
            &self.method,
            &self.path,
            self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            self.client_ip,
            &self.required_scopes,
        )
    }
}

impl std::fmt::Debug for Request<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        debug_request(
            f,
            "Request",
            self.method,
            self.path,
            self.headers.iter().copied(),
            self.client_ip,
            &self.required_scopes,
        )
    }
}

/// Configures an [`Authenticator`]; start with [`Authenticator::builder`].
#[derive(Debug)]
pub struct AuthenticatorBuilder {
    api_keys: Option<Arc<ApiKeys>>,
    jwt: Option<Arc<JwtVerifier>>,
    realm: String,
    sources: CredentialSources,
    allow: Vec<String>,
    deny: Vec<String>,
    trusted: Option<(Vec<String>, ForwardedHeader)>,
    principal_limit: Option<RateLimit>,
    ip_limit: Option<RateLimit>,
    failure_limit: Option<RateLimit>,
    overrides: HashMap<String, RateLimit>,
    plans: HashMap<String, RateLimit>,
    revocations: Option<Arc<RevocationList>>,
    clock: Option<SharedClock>,
    max_tracked: usize,
    introspection: Option<Arc<OAuthClient>>,
    introspection_ttl: Duration,
    introspection_negative_ttl: Duration,
    introspection_cache_size: usize,
    introspection_rate_limit: Option<RateLimit>,
    introspection_max_inflight: usize,
}

/// The default failure budget per client address: bursts of 20 refused credentials, then one
/// every 6 s (10 a minute). A client with a good credential never spends it; a brute-force
/// run, or a flood of random tokens aimed at RSA verification, key-store lookups or
/// introspection, is cut off after 20 attempts.
pub const DEFAULT_FAILURE_RATE_LIMIT: RateLimit = RateLimit {
    rate: 10,
    period: Duration::from_secs(60),
    burst: 20,
};

impl AuthenticatorBuilder {
    /// Accepts API keys verified by `keys` (as `Bearer`, the API-key header, or enabled
    /// query/cookie sources).
    pub fn api_keys(mut self, keys: Arc<ApiKeys>) -> Self {
        self.api_keys = Some(keys);
        self
    }

    /// Accepts JWTs verified by `verifier` (as `Bearer` or an enabled cookie).
    pub fn jwt(mut self, verifier: Arc<JwtVerifier>) -> Self {
        self.jwt = Some(verifier);
        self
    }

    /// The realm of `WWW-Authenticate` challenges (default `api`).
    pub fn realm(mut self, realm: impl Into<String>) -> Self {
        self.realm = realm.into();
        self
    }

    /// Where credentials may come from (see [`CredentialSources`]).
    pub fn sources(mut self, sources: CredentialSources) -> Self {
        self.sources = sources;
        self
    }

    /// Also accepts an API key in query parameter `name` (off by default).
    pub fn query_param(mut self, name: impl Into<String>) -> Self {
        self.sources.query_param = Some(name.into());
        self
    }

    /// Also accepts a credential in cookie `name` (off by default).
    pub fn cookie(mut self, name: impl Into<String>) -> Self {
        self.sources.cookie = Some(name.into());
        self
    }

    /// Admits only these networks (CIDR or single addresses).
    pub fn ip_allow<I: IntoIterator<Item = S>, S: Into<String>>(mut self, nets: I) -> Self {
        self.allow.extend(nets.into_iter().map(Into::into));
        self
    }

    /// Refuses these networks (deny wins over allow).
    pub fn ip_deny<I: IntoIterator<Item = S>, S: Into<String>>(mut self, nets: I) -> Self {
        self.deny.extend(nets.into_iter().map(Into::into));
        self
    }

    /// Trusts `header` when the socket peer is in `proxies` (opt-in; otherwise forwarding
    /// headers are ignored).
    pub fn trusted_proxies<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        proxies: I,
        header: ForwardedHeader,
    ) -> Self {
        self.trusted = Some((proxies.into_iter().map(Into::into).collect(), header));
        self
    }

    /// The default limit per principal (API key id or JWT subject).
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.principal_limit = Some(limit);
        self
    }

    /// The limit per client address (IPv6 counted per /64).
    pub fn ip_rate_limit(mut self, limit: RateLimit) -> Self {
        self.ip_limit = Some(limit);
        self
    }

    /// The budget of refused credentials per client address (IPv6 counted per /64; default
    /// [`DEFAULT_FAILURE_RATE_LIMIT`]). Every request whose credential fails validation (401
    /// `invalid_token`: bad signature, unknown or revoked key, inactive token, …) spends one;
    /// once it is spent, the address is refused `rate_limited` / 429 with `Retry-After`
    /// *before* any verification work, key-store lookup or introspection request, whatever
    /// credential it presents. Requests without a client address are not counted.
    pub fn failure_rate_limit(mut self, limit: RateLimit) -> Self {
        self.failure_limit = Some(limit);
        self
    }

    /// Turns the failure budget off (see [`AuthenticatorBuilder::failure_rate_limit`]).
    pub fn no_failure_rate_limit(mut self) -> Self {
        self.failure_limit = None;
        self
    }

    /// A limit for one API key id or subject, instead of its plan's or the default.
    pub fn rate_limit_for(
        mut self,
        key_id_or_subject: impl Into<String>,
        limit: RateLimit,
    ) -> Self {
        self.overrides.insert(key_id_or_subject.into(), limit);
        self
    }

    /// A limit for a plan: keys whose metadata `plan`, or tokens whose `plan` claim, is `plan`.
    pub fn plan(mut self, plan: impl Into<String>, limit: RateLimit) -> Self {
        self.plans.insert(plan.into(), limit);
        self
    }

    /// Refuses credentials on `list`.
    pub fn revocations(mut self, list: Arc<RevocationList>) -> Self {
        self.revocations = Some(list);
        self
    }

    /// The clock of the rate limiters (default: the system clock).
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Most callers each rate limiter tracks (default 100 000).
    pub fn max_tracked(mut self, n: usize) -> Self {
        self.max_tracked = n;
        self
    }

    /// Accepts opaque bearer tokens validated by RFC 7662 introspection through `client`
    /// (which needs an introspection endpoint). A bearer token goes to introspection when it is
    /// neither a JWT for the configured verifier nor shaped like one of the configured API keys.
    /// Use [`Authenticator::authenticate_async`] (or `authenticate_blocking`): the synchronous
    /// [`Authenticator::authenticate`] only serves cached answers.
    pub fn introspection(mut self, client: Arc<OAuthClient>) -> Self {
        self.introspection = Some(client);
        self
    }

    /// How long an active introspection answer is reused (default 60 s; never beyond the
    /// token's `exp`). A token revoked at the server stays accepted up to this long.
    pub fn introspection_cache_ttl(mut self, ttl: Duration) -> Self {
        self.introspection_ttl = ttl;
        self
    }

    /// How long an inactive answer is reused (default 10 s).
    pub fn introspection_negative_ttl(mut self, ttl: Duration) -> Self {
        self.introspection_negative_ttl = ttl;
        self
    }

    /// Most introspection answers cached (default 10 000; 0 disables the cache).
    pub fn introspection_cache_size(mut self, n: usize) -> Self {
        self.introspection_cache_size = n;
        self
    }

    /// The rate of outbound introspection requests for tokens without a cached answer, over
    /// all callers (default [`DEFAULT_INTROSPECTION_RATE_LIMIT`]). Beyond it an uncached opaque
    /// token is refused `rate_limited` / 503 with `Retry-After` without asking the server, so a
    /// flood of random tokens cannot push the authorization server into rate limiting the
    /// gateway; tokens with a cached answer keep working.
    pub fn introspection_rate_limit(mut self, limit: RateLimit) -> Self {
        self.introspection_rate_limit = Some(limit);
        self
    }

    /// Turns the outbound introspection rate bound off (the in-flight bound stays).
    pub fn no_introspection_rate_limit(mut self) -> Self {
        self.introspection_rate_limit = None;
        self
    }

    /// Most introspection requests in flight at once (distinct tokens; default
    /// [`DEFAULT_INTROSPECTION_MAX_INFLIGHT`]; ≥ 1). Beyond it an uncached opaque token is
    /// refused like above (`rate_limited` / 503, `Retry-After: 1`).
    pub fn introspection_max_inflight(mut self, n: usize) -> Self {
        self.introspection_max_inflight = n;
        self
    }

    /// Validates the configuration.
    pub fn build(self) -> Result<Authenticator> {
        let bad = |m: &'static str| Error::new(ErrorCode::InvalidInput, m);
        if self.api_keys.is_none() && self.jwt.is_none() && self.introspection.is_none() {
            return Err(bad(
                "configure API keys, a JWT verifier or introspection (or several)",
            ));
        }
        if self.realm.chars().any(char::is_control) {
            return Err(bad("the realm must not contain control characters"));
        }
        for l in self
            .principal_limit
            .iter()
            .chain(self.ip_limit.iter())
            .chain(self.failure_limit.iter())
            .chain(self.introspection_rate_limit.iter())
            .chain(self.overrides.values())
            .chain(self.plans.values())
        {
            l.validate()?;
        }
        if self.introspection_max_inflight == 0 {
            return Err(bad("introspection_max_inflight must be at least 1"));
        }
        let trusted = match self.trusted {
            Some((nets, header)) => Some(TrustedProxies {
                networks: CidrSet::parse(nets)?,
                header,
            }),
            None => None,
        };
        let mut sources = self.sources;
        sources.api_key_header = sources.api_key_header.map(|h| h.to_ascii_lowercase());
        let clock = self.clock.unwrap_or_else(clock::system);
        let has_principal_limits =
            self.principal_limit.is_some() || !self.overrides.is_empty() || !self.plans.is_empty();
        Ok(Authenticator {
            api_keys: self.api_keys,
            jwt: self.jwt,
            challenger: Challenger::new(&self.realm),
            sources,
            ip_rules: IpRules {
                allow: CidrSet::parse(self.allow)?,
                deny: CidrSet::parse(self.deny)?,
            },
            trusted,
            principal_limit: self.principal_limit,
            ip_limit: self.ip_limit,
            overrides: self.overrides,
            plans: self.plans,
            principal_limiter: has_principal_limits
                .then(|| Limiter::new(self.max_tracked, clock.clone())),
            ip_limiter: self
                .ip_limit
                .map(|_| Limiter::new(self.max_tracked, clock.clone())),
            failure_limit: self.failure_limit,
            failure_limiter: self
                .failure_limit
                .map(|_| Limiter::new(self.max_tracked, clock.clone())),
            revocations: self.revocations,
            introspector: self.introspection.map(|client| {
                Introspector::new(
                    client,
                    self.introspection_ttl,
                    self.introspection_negative_ttl,
                    self.introspection_cache_size,
                    self.introspection_rate_limit,
                    self.introspection_max_inflight,
                    clock.clone(),
                )
            }),
        })
    }
}

/// The in-process gateway: build once, call [`Authenticator::authenticate`] per request.
/// `Send + Sync`; share it with an `Arc`.
#[derive(Debug)]
pub struct Authenticator {
    api_keys: Option<Arc<ApiKeys>>,
    jwt: Option<Arc<JwtVerifier>>,
    challenger: Challenger,
    sources: CredentialSources,
    ip_rules: IpRules,
    trusted: Option<TrustedProxies>,
    principal_limit: Option<RateLimit>,
    ip_limit: Option<RateLimit>,
    overrides: HashMap<String, RateLimit>,
    plans: HashMap<String, RateLimit>,
    principal_limiter: Option<Limiter<String>>,
    ip_limiter: Option<Limiter<IpAddr>>,
    failure_limit: Option<RateLimit>,
    failure_limiter: Option<Limiter<IpAddr>>,
    revocations: Option<Arc<RevocationList>>,
    introspector: Option<Introspector>,
}

/// How the validation stage treats an opaque token without a cached introspection answer.
#[derive(Clone, Copy)]
enum Lookup<'x> {
    /// Refuse (`invalid_input`, 500): the synchronous entry point never goes to the network.
    CacheOnly,
    /// Stop the pipeline and ask the caller to introspect.
    Suspend,
    /// Use this fresh answer (or introspection failure).
    Fresh(&'x std::result::Result<Answer, Error>),
    /// Introspection is throttled (too many requests in flight or per second): refuse with
    /// `rate_limited` / 503 and this `Retry-After`.
    Throttled(Duration),
}

/// Why [`Authenticator::run`] stopped without a principal.
enum Stop<'r> {
    /// A decision: refuse.
    Refused(Refusal),
    /// Introspect this token, then run again (no side effect has happened yet).
    Introspect(&'r str),
}

impl From<Refusal> for Stop<'_> {
    fn from(r: Refusal) -> Self {
        Stop::Refused(r)
    }
}

/// One pass of the pipeline.
enum Pass<'r> {
    Decided(std::result::Result<Principal, Refusal>),
    Introspect(&'r str),
}

/// Which validator a credential goes to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Route {
    Jwt,
    ApiKey,
    Introspect,
}

/// A validated credential before policy.
struct Validated {
    principal: Principal,
    plan: Option<String>,
}

fn jwt_scopes(claims: &Claims) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(Value::String(s)) = claims.get("scope") {
        out.extend(s.split_ascii_whitespace().map(str::to_owned));
    }
    match claims.get("scp") {
        Some(Value::Array(a)) => out.extend(a.iter().filter_map(|v| v.as_str()).map(str::to_owned)),
        Some(Value::String(s)) => out.extend(s.split_ascii_whitespace().map(str::to_owned)),
        _ => {}
    }
    out
}

/// The principal rate-limit bucket of a validated credential: `k:<key id>` for an API key,
/// `s:<subject>` for a token with a subject (JWT `sub`; for introspection `sub`, else
/// `client_id`). A JWT without `sub` is keyed by its `client_id` (RFC 9068) or `azp` claim
/// (`c:<id>`): the client it was issued to, which is what such tokens (client-credentials
/// grants) identify. A token with none of these is keyed by its own fingerprint (`t:` + 128
/// bits of its SHA-256): it is its own bucket, so callers without an identity never share one
/// bucket (which let one of them starve all the others) — each token is limited on its own,
/// and the per-address limits bound how many tokens one client can spread over. `jti` is not
/// used: it is optional, and one `jti` repeated by an issuer would merge unrelated tokens.
fn bucket_key(principal: &Principal, token: &str) -> String {
    let mut key = String::with_capacity(36);
    match principal.kind {
        CredentialKind::ApiKey => {
            key.push_str("k:");
            key.push_str(principal.key_id.as_deref().unwrap_or_default());
            return key;
        }
        CredentialKind::Jwt | CredentialKind::Introspected if !principal.subject.is_empty() => {
            key.push_str("s:");
            key.push_str(&principal.subject);
            return key;
        }
        CredentialKind::Jwt | CredentialKind::Introspected => {}
    }
    let client = ["client_id", "azp"]
        .iter()
        .find_map(|c| principal.claims.get(c).and_then(Value::as_str))
        .filter(|c| !c.is_empty());
    if let Some(c) = client {
        key.push_str("c:");
        key.push_str(c);
        return key;
    }
    key.push_str("t:");
    for b in token_hash(token).iter().take(16) {
        use std::fmt::Write as _;
        let _ = write!(key, "{b:02x}");
    }
    key
}

/// Rate-limit bucket of an address: IPv6 per /64 (one customer's subnet), IPv4 per address.
fn ip_bucket(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & (u128::MAX << 64))),
        v4 => v4,
    }
}

impl Authenticator {
    /// Starts a configuration.
    pub fn builder() -> AuthenticatorBuilder {
        AuthenticatorBuilder {
            api_keys: None,
            jwt: None,
            realm: "api".to_owned(),
            sources: CredentialSources::default(),
            allow: Vec::new(),
            deny: Vec::new(),
            trusted: None,
            principal_limit: None,
            ip_limit: None,
            failure_limit: Some(DEFAULT_FAILURE_RATE_LIMIT),
            overrides: HashMap::new(),
            plans: HashMap::new(),
            revocations: None,
            clock: None,
            max_tracked: DEFAULT_MAX_ENTRIES,
            introspection: None,
            introspection_ttl: DEFAULT_CACHE_TTL,
            introspection_negative_ttl: DEFAULT_NEGATIVE_TTL,
            introspection_cache_size: DEFAULT_CACHE_SIZE,
            introspection_rate_limit: Some(DEFAULT_INTROSPECTION_RATE_LIMIT),
            introspection_max_inflight: DEFAULT_INTROSPECTION_MAX_INFLIGHT,
        }
    }

    /// Number of cached introspection answers (0 without introspection).
    pub fn introspection_cache_len(&self) -> usize {
        self.introspector
            .as_ref()
            .map_or(0, Introspector::cache_len)
    }

    /// Number of introspection requests in flight (0 without introspection).
    pub fn introspection_inflight_len(&self) -> usize {
        self.introspector
            .as_ref()
            .map_or(0, Introspector::inflight_len)
    }

    /// The client address after trusted-proxy resolution (`Err` on a malformed hop).
    pub fn client_ip(&self, req: &Request<'_>) -> std::result::Result<Option<IpAddr>, Refusal> {
        let Some(peer) = req.client_ip else {
            return Ok(None);
        };
        let Some(t) = &self.trusted else {
            return Ok(Some(normalize(peer)));
        };
        let name = match t.header {
            ForwardedHeader::XForwardedFor => "x-forwarded-for",
            ForwardedHeader::Forwarded => "forwarded",
        };
        let lines = req
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v);
        if req
            .headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case(name) && v.len() > self.sources.max_header_len)
        {
            return Err(self.challenger.bearer(
                ErrorCode::Malformed,
                BearerError::InvalidRequest,
                &[],
            ));
        }
        t.resolve(peer, lines).map_err(|_| {
            self.challenger
                .bearer(ErrorCode::Malformed, BearerError::InvalidRequest, &[])
        })
    }

    /// Authenticates and authorizes one request, synchronously and without network I/O.
    ///
    /// With introspection configured, an opaque bearer token is accepted only from the
    /// introspection cache; otherwise the refusal is `invalid_input` with status 500 (a server
    /// configuration error, not the client's): call [`Authenticator::authenticate_async`] or
    /// [`Authenticator::authenticate_blocking`] instead.
    pub fn authenticate(&self, req: &Request<'_>) -> std::result::Result<Principal, Refusal> {
        match self.pass(req, Lookup::CacheOnly) {
            Pass::Decided(r) => r,
            // CacheOnly never suspends.
            Pass::Introspect(_) => Err(self.use_async()),
        }
    }

    /// Authenticates and authorizes one request; an opaque bearer token without a cached
    /// answer is introspected (RFC 7662) first. The same pipeline as
    /// [`Authenticator::authenticate`]: the only await is the introspection request.
    ///
    /// An inactive token is refused `unknown_key` / 401 `invalid_token`; an introspection
    /// endpoint that fails (unreachable, timeout, 5xx, an unparsable answer, refused client
    /// credentials) gives a 503 refusal whose code is the failure's (`network`, `timeout`,
    /// `server_error`, `invalid_response`, `invalid_client`, …), without a challenge.
    pub async fn authenticate_async(
        &self,
        req: &Request<'_>,
    ) -> std::result::Result<Principal, Refusal> {
        let token = match self.pass(req, Lookup::Suspend) {
            Pass::Decided(r) => return r,
            Pass::Introspect(token) => token,
        };
        let fresh = match &self.introspector {
            Some(i) => i.introspect(token).await,
            None => Ok(Err(Error::new(
                ErrorCode::Internal,
                "introspection is not configured",
            ))),
        };
        self.finish_with(req, fresh)
    }

    /// Like [`Authenticator::authenticate_async`], for synchronous callers outside any async
    /// runtime: an introspection request blocks the calling thread on the library's runtime.
    /// Without introspection (or with a cached answer) it never blocks. Called from inside a
    /// tokio runtime, an uncached opaque token is refused `invalid_input` / 500.
    pub fn authenticate_blocking(
        &self,
        req: &Request<'_>,
    ) -> std::result::Result<Principal, Refusal> {
        let token = match self.pass(req, Lookup::Suspend) {
            Pass::Decided(r) => return r,
            Pass::Introspect(token) => token,
        };
        let fresh = match &self.introspector {
            Some(i) => match crate::runtime::block_on(i.introspect(token)) {
                Ok(r) => r,
                Err(e) => Ok(Err(e)),
            },
            None => Ok(Err(Error::new(
                ErrorCode::Internal,
                "introspection is not configured",
            ))),
        };
        self.finish_with(req, fresh)
    }

    /// The decision when it needs no network I/O; `None` when an opaque token must be
    /// introspected first (nothing has been recorded or counted then).
    #[cfg(feature = "tower")]
    pub(crate) fn decide_now(
        &self,
        req: &Request<'_>,
    ) -> Option<std::result::Result<Principal, Refusal>> {
        match self.pass(req, Lookup::Suspend) {
            Pass::Decided(r) => Some(r),
            Pass::Introspect(_) => None,
        }
    }

    /// The second pass after an introspection request (`Err`: it was throttled, retry after).
    fn finish_with(
        &self,
        req: &Request<'_>,
        fresh: std::result::Result<std::result::Result<Answer, Error>, Duration>,
    ) -> std::result::Result<Principal, Refusal> {
        let lookup = match &fresh {
            Ok(answer) => Lookup::Fresh(answer),
            Err(retry) => Lookup::Throttled(*retry),
        };
        match self.pass(req, lookup) {
            Pass::Decided(r) => r,
            Pass::Introspect(_) => Err(self.use_async()),
        }
    }

    /// The refusal for an opaque token the synchronous path cannot validate.
    fn use_async(&self) -> Refusal {
        Refusal {
            code: ErrorCode::InvalidInput,
            status: 500,
            www_authenticate: None,
            retry_after: None,
        }
    }

    /// Runs the pipeline once and emits the audit event of a decision.
    fn pass<'r>(&self, req: &Request<'r>, lookup: Lookup<'_>) -> Pass<'r> {
        let mut audit = AuditEvent {
            action: "gateway.authenticate",
            outcome: Outcome::Failure,
            code: None,
            credential_id: None,
            subject: None,
        };
        let mut ip = None;
        let result = match self.run(req, &mut audit, lookup, &mut ip) {
            Ok(p) => {
                audit.outcome = Outcome::Success;
                Ok(p)
            }
            Err(Stop::Refused(r)) => {
                audit.code = Some(r.code.as_str());
                self.count_failure(ip, &r);
                Err(r)
            }
            Err(Stop::Introspect(token)) => return Pass::Introspect(token),
        };
        emit(audit);
        Pass::Decided(result)
    }

    /// Spends one unit of the failure budget of `ip` when `refusal` refused the credential
    /// itself (401 other than `missing_credentials`): not for a missing credential, a lacking
    /// scope, a rate limit or a failing introspection endpoint.
    fn count_failure(&self, ip: Option<IpAddr>, refusal: &Refusal) {
        if refusal.status != 401 || refusal.code == ErrorCode::MissingCredentials {
            return;
        }
        if let (Some(limiter), Some(limit), Some(ip)) =
            (&self.failure_limiter, &self.failure_limit, ip)
        {
            limiter.check(&ip_bucket(ip), limit);
        }
    }

    /// Which validator `found` goes to.
    fn route(&self, source: Source, value: &str) -> Route {
        if matches!(source, Source::ApiKeyHeader | Source::Query) {
            return Route::ApiKey;
        }
        if self.introspector.is_some() {
            let api_key_shaped = self.api_keys.as_ref().is_some_and(|k| {
                value
                    .strip_prefix(k.prefix())
                    .is_some_and(|rest| rest.starts_with('_'))
            });
            return if self.jwt.is_some() && looks_like_jws(value) {
                Route::Jwt
            } else if api_key_shaped {
                Route::ApiKey
            } else {
                Route::Introspect
            };
        }
        let as_jwt = match (&self.jwt, &self.api_keys) {
            (Some(_), Some(_)) => looks_like_jws(value),
            (Some(_), None) => true,
            (None, _) => false,
        };
        if as_jwt {
            Route::Jwt
        } else {
            Route::ApiKey
        }
    }

    /// An introspection answer → a validated credential.
    fn validate_answer(
        &self,
        answer: &std::result::Result<Answer, Error>,
        introspector: &Introspector,
    ) -> std::result::Result<Validated, Refusal> {
        let ch = &self.challenger;
        match answer {
            Err(e) => {
                let status = match e.code() {
                    ErrorCode::InvalidInput | ErrorCode::Internal => 500,
                    _ => 503,
                };
                Err(Refusal {
                    code: e.code(),
                    status,
                    www_authenticate: None,
                    retry_after: None,
                })
            }
            Ok(Answer::Inactive) => {
                Err(ch.bearer(ErrorCode::UnknownKey, BearerError::InvalidToken, &[]))
            }
            Ok(Answer::Active(t)) => {
                if introspector.expired(t.expires_at) {
                    return Err(ch.bearer(ErrorCode::Expired, BearerError::InvalidToken, &[]));
                }
                Ok(Validated {
                    principal: Principal {
                        kind: CredentialKind::Introspected,
                        subject: t.subject.clone(),
                        key_id: t.key_id.clone(),
                        scopes: t.scopes.clone(),
                        claims: t.claims.clone(),
                        remaining: None,
                    },
                    plan: t.plan.clone(),
                })
            }
        }
    }

    /// The pipeline. Before validation nothing has side effects, so stopping there with
    /// [`Stop::Introspect`] and running again later is safe.
    /// `client` receives the resolved client address (for the failure budget).
    fn run<'r>(
        &self,
        req: &Request<'r>,
        audit: &mut AuditEvent,
        lookup: Lookup<'_>,
        client: &mut Option<IpAddr>,
    ) -> std::result::Result<Principal, Stop<'r>> {
        let ch = &self.challenger;
        // 1. Client address.
        let ip = self.client_ip(req)?;
        *client = ip;
        if !self.ip_rules.permits(ip) {
            return Err(ch.ip_denied().into());
        }
        // 2. Presence.
        let found = self
            .sources
            .extract(req.path, req.headers)
            .map_err(|e| match e {
                ExtractError::Missing => ch.missing(),
                other => ch.bearer(other.code(), BearerError::InvalidRequest, &[]),
            })?;
        // 3. Validation, unless this address has spent its failure budget: then nothing is
        // verified, looked up or introspected. Every failure is `invalid_token` to the client.
        if let (Some(limiter), Some(limit), Some(ip)) =
            (&self.failure_limiter, &self.failure_limit, ip)
        {
            if let Some(retry_after) = limiter.peek(&ip_bucket(ip), limit) {
                return Err(ch.rate_limited(retry_after).into());
            }
        }
        let invalid = |code: ErrorCode| ch.bearer(code, BearerError::InvalidToken, &[]);
        let route = self.route(found.source, found.value);
        let Validated {
            mut principal,
            plan,
        } = if route == Route::Introspect {
            let Some(intro) = &self.introspector else {
                return Err(invalid(ErrorCode::UnknownKey).into());
            };
            match lookup {
                Lookup::Fresh(answer) => self.validate_answer(answer, intro)?,
                Lookup::Throttled(retry_after) => {
                    let mut r = ch.rate_limited(retry_after);
                    r.status = 503;
                    return Err(r.into());
                }
                Lookup::CacheOnly | Lookup::Suspend => {
                    match intro.cached(&token_hash(found.value)) {
                        Some(answer) => self.validate_answer(&Ok(answer), intro)?,
                        None if matches!(lookup, Lookup::Suspend) => {
                            return Err(Stop::Introspect(found.value))
                        }
                        None => return Err(self.use_async().into()),
                    }
                }
            }
        } else if route == Route::Jwt {
            let Some(v) = &self.jwt else {
                return Err(invalid(ErrorCode::UnknownKey).into());
            };
            let claims = v.verify(found.value).map_err(|e| invalid(e.code()))?;
            let subject = claims
                .get("sub")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let key_id = claims.get("jti").and_then(Value::as_str).map(str::to_owned);
            let plan = claims
                .get("plan")
                .and_then(Value::as_str)
                .map(str::to_owned);
            Validated {
                principal: Principal {
                    kind: CredentialKind::Jwt,
                    subject,
                    key_id,
                    scopes: jwt_scopes(&claims),
                    claims,
                    remaining: None,
                },
                plan,
            }
        } else {
            let Some(keys) = &self.api_keys else {
                return Err(invalid(ErrorCode::UnknownKey).into());
            };
            let rec = keys.verify(found.value).map_err(|e| invalid(e.code()))?;
            Validated {
                principal: Principal {
                    kind: CredentialKind::ApiKey,
                    subject: rec.owner.clone(),
                    key_id: Some(rec.id.clone()),
                    scopes: rec.scopes.clone(),
                    claims: Claims::new(),
                    remaining: None,
                },
                plan: rec.metadata.get("plan").cloned(),
            }
        };
        audit.credential_id.clone_from(&principal.key_id);
        if !principal.subject.is_empty() {
            audit.subject = Some(principal.subject.clone());
        }
        // 4. Revocation.
        if let Some(list) = &self.revocations {
            let kind = match principal.kind {
                CredentialKind::ApiKey => RevocationKind::KeyId,
                CredentialKind::Jwt | CredentialKind::Introspected => RevocationKind::Jti,
            };
            let by_id = principal
                .key_id
                .as_deref()
                .is_some_and(|id| list.is_revoked(kind, id));
            let by_subject = !principal.subject.is_empty()
                && list.is_revoked(RevocationKind::Subject, &principal.subject);
            if by_id || by_subject {
                return Err(invalid(ErrorCode::Revoked).into());
            }
        }
        // 5. Scopes.
        if !req
            .required_scopes
            .iter()
            .all(|s| principal.scopes.iter().any(|have| have == s))
        {
            return Err(ch
                .bearer(
                    ErrorCode::InsufficientScope,
                    BearerError::InsufficientScope,
                    req.required_scopes,
                )
                .into());
        }
        // 6. Rate limits.
        let mut remaining: Option<u64> = None;
        if let (Some(limiter), Some(limit), Some(ip)) = (&self.ip_limiter, &self.ip_limit, ip) {
            match limiter.check(&ip_bucket(ip), limit) {
                Verdict::Allowed { remaining: r } => remaining = Some(r),
                Verdict::Limited { retry_after } => {
                    return Err(ch.rate_limited(retry_after).into())
                }
            }
        }
        if let Some(limiter) = &self.principal_limiter {
            let id = match principal.kind {
                CredentialKind::ApiKey => principal.key_id.as_deref().unwrap_or_default(),
                CredentialKind::Jwt | CredentialKind::Introspected => principal.subject.as_str(),
            };
            let limit = self
                .overrides
                .get(id)
                .or_else(|| self.overrides.get(&principal.subject))
                .or_else(|| plan.as_deref().and_then(|p| self.plans.get(p)))
                .or(self.principal_limit.as_ref());
            if let Some(limit) = limit {
                let key = bucket_key(&principal, found.value);
                match limiter.check(key.as_str(), limit) {
                    Verdict::Allowed { remaining: r } => {
                        remaining = Some(remaining.map_or(r, |x| x.min(r)));
                    }
                    Verdict::Limited { retry_after } => {
                        return Err(ch.rate_limited(retry_after).into())
                    }
                }
            }
        }
        principal.remaining = remaining;
        Ok(principal)
    }
}
