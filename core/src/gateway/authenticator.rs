//! [`Authenticator`]: request credentials + client address → [`Principal`] or [`Refusal`].
//!
//! Checks run in a fixed order: client address (trusted proxies, then allow/deny) → credential
//! presence → validation → revocation → scopes → rate limits (per IP and per principal). Every
//! decision emits one `gateway.authenticate` audit event with the internal code, the key id or
//! `jti` and the subject — never token material.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Arc;

use serde_json::Value;

use super::credentials::{looks_like_jws, CredentialSources, ExtractError, Source};
use super::decision::{BearerError, Challenger, CredentialKind, Principal, Refusal};
use super::ip::{normalize, CidrSet, ForwardedHeader, IpRules, TrustedProxies};
use super::ratelimit::{Limiter, RateLimit, Verdict, DEFAULT_MAX_ENTRIES};
use super::revocation::{RevocationKind, RevocationList};
use crate::apikey::ApiKeys;
use crate::audit::{emit, AuditEvent, Outcome};
use crate::clock::{self, SharedClock};
use crate::jwt::{Claims, JwtVerifier};
use crate::{Error, ErrorCode, Result};

/// One request, as seen by the authenticator.
#[derive(Debug, Clone, Copy, Default)]
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
    overrides: HashMap<String, RateLimit>,
    plans: HashMap<String, RateLimit>,
    revocations: Option<Arc<RevocationList>>,
    clock: Option<SharedClock>,
    max_tracked: usize,
}

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

    /// Validates the configuration.
    pub fn build(self) -> Result<Authenticator> {
        let bad = |m: &'static str| Error::new(ErrorCode::InvalidInput, m);
        if self.api_keys.is_none() && self.jwt.is_none() {
            return Err(bad("configure API keys, a JWT verifier, or both"));
        }
        if self.realm.chars().any(char::is_control) {
            return Err(bad("the realm must not contain control characters"));
        }
        for l in self
            .principal_limit
            .iter()
            .chain(self.ip_limit.iter())
            .chain(self.overrides.values())
            .chain(self.plans.values())
        {
            l.validate()?;
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
            revocations: self.revocations,
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
    revocations: Option<Arc<RevocationList>>,
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
            overrides: HashMap::new(),
            plans: HashMap::new(),
            revocations: None,
            clock: None,
            max_tracked: DEFAULT_MAX_ENTRIES,
        }
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

    /// Authenticates and authorizes one request.
    pub fn authenticate(&self, req: &Request<'_>) -> std::result::Result<Principal, Refusal> {
        let mut audit = AuditEvent {
            action: "gateway.authenticate",
            outcome: Outcome::Failure,
            code: None,
            credential_id: None,
            subject: None,
        };
        let result = self.run(req, &mut audit);
        match &result {
            Ok(_) => audit.outcome = Outcome::Success,
            Err(r) => audit.code = Some(r.code.as_str()),
        }
        emit(audit);
        result
    }

    fn run(
        &self,
        req: &Request<'_>,
        audit: &mut AuditEvent,
    ) -> std::result::Result<Principal, Refusal> {
        let ch = &self.challenger;
        // 1. Client address.
        let ip = self.client_ip(req)?;
        if !self.ip_rules.permits(ip) {
            return Err(ch.ip_denied());
        }
        // 2. Presence.
        let found = self
            .sources
            .extract(req.path, req.headers)
            .map_err(|e| match e {
                ExtractError::Missing => ch.missing(),
                other => ch.bearer(other.code(), BearerError::InvalidRequest, &[]),
            })?;
        // 3. Validation: every failure is `invalid_token` to the client.
        let invalid = |code: ErrorCode| ch.bearer(code, BearerError::InvalidToken, &[]);
        let as_jwt = match (found.source, &self.jwt, &self.api_keys) {
            (Source::ApiKeyHeader | Source::Query, _, _) => false,
            (_, Some(_), Some(_)) => looks_like_jws(found.value),
            (_, Some(_), None) => true,
            (_, None, _) => false,
        };
        let Validated {
            mut principal,
            plan,
        } = if as_jwt {
            let Some(v) = &self.jwt else {
                return Err(invalid(ErrorCode::UnknownKey));
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
                return Err(invalid(ErrorCode::UnknownKey));
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
                CredentialKind::Jwt => RevocationKind::Jti,
            };
            let by_id = principal
                .key_id
                .as_deref()
                .is_some_and(|id| list.is_revoked(kind, id));
            let by_subject = !principal.subject.is_empty()
                && list.is_revoked(RevocationKind::Subject, &principal.subject);
            if by_id || by_subject {
                return Err(invalid(ErrorCode::Revoked));
            }
        }
        // 5. Scopes.
        if !req
            .required_scopes
            .iter()
            .all(|s| principal.scopes.iter().any(|have| have == s))
        {
            return Err(ch.bearer(
                ErrorCode::InsufficientScope,
                BearerError::InsufficientScope,
                req.required_scopes,
            ));
        }
        // 6. Rate limits.
        let mut remaining: Option<u64> = None;
        if let (Some(limiter), Some(limit), Some(ip)) = (&self.ip_limiter, &self.ip_limit, ip) {
            match limiter.check(&ip_bucket(ip), limit) {
                Verdict::Allowed { remaining: r } => remaining = Some(r),
                Verdict::Limited { retry_after } => return Err(ch.rate_limited(retry_after)),
            }
        }
        if let Some(limiter) = &self.principal_limiter {
            let id = match principal.kind {
                CredentialKind::ApiKey => principal.key_id.as_deref().unwrap_or_default(),
                CredentialKind::Jwt => principal.subject.as_str(),
            };
            let limit = self
                .overrides
                .get(id)
                .or_else(|| self.overrides.get(&principal.subject))
                .or_else(|| plan.as_deref().and_then(|p| self.plans.get(p)))
                .or(self.principal_limit.as_ref());
            if let Some(limit) = limit {
                let mut key = String::with_capacity(id.len() + 2);
                key.push_str(match principal.kind {
                    CredentialKind::ApiKey => "k:",
                    CredentialKind::Jwt => "s:",
                });
                key.push_str(id);
                match limiter.check(key.as_str(), limit) {
                    Verdict::Allowed { remaining: r } => {
                        remaining = Some(remaining.map_or(r, |x| x.min(r)));
                    }
                    Verdict::Limited { retry_after } => return Err(ch.rate_limited(retry_after)),
                }
            }
        }
        principal.remaining = remaining;
        Ok(principal)
    }
}
