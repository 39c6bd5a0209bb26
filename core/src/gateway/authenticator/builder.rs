//! [`AuthenticatorBuilder`]'s methods: the gateway's configuration, validated into an
//! [`Authenticator`].

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use super::{Authenticator, AuthenticatorBuilder, DEFAULT_FAILURE_RATE_LIMIT};
use crate::apikey::ApiKeys;
use crate::clock::{self, SharedClock};
use crate::gateway::credentials::CredentialSources;
use crate::gateway::decision::Challenger;
use crate::gateway::introspection::{
    Introspector, DEFAULT_CACHE_SIZE, DEFAULT_CACHE_TTL, DEFAULT_INTROSPECTION_MAX_INFLIGHT,
    DEFAULT_INTROSPECTION_RATE_LIMIT, DEFAULT_NEGATIVE_TTL,
};
use crate::gateway::ip::{CidrSet, ForwardedHeader, IpRules, TrustedProxies};
use crate::gateway::ratelimit::{Limiter, RateLimit, DEFAULT_MAX_ENTRIES};
use crate::gateway::revocation::RevocationList;
use crate::jwt::JwtVerifier;
use crate::oauth::OAuthClient;
use crate::{Error, ErrorCode, Result};

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

// `Authenticator::builder` sits with the defaults it fills in.
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
}
