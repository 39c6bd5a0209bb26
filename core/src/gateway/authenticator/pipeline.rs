//! The pipeline of [`Authenticator`] and its entry points: client address, credential
//! presence, validation (JWT, API key or introspection), revocation, scopes, rate limits, and
//! the one audit event per decision.

use std::net::IpAddr;
use std::time::Duration;

use serde_json::Value;

use super::{Authenticator, Lookup, Pass, Route, Seen, SharedCalls, Stop, Validated};
#[cfg(feature = "redis")]
use super::{SharedCheck, SharedStage};
use crate::audit::AuditEvent;
use crate::gateway::buckets::ip_bucket;
use crate::gateway::credentials::{looks_like_jws, ExtractError, Source};
use crate::gateway::decision::{BearerError, CredentialKind, Principal, Refusal};
use crate::gateway::introspection::{token_hash, Answer, Introspector};
use crate::gateway::ip::normalize;
#[cfg(feature = "redis")]
use crate::gateway::redis_revocation::RedisRevocationList;
use crate::gateway::revocation::RevocationKind;
use crate::gateway::Request;
use crate::jwt::Claims;
use crate::{Error, ErrorCode};

/// The refusal when a shared store cannot answer: 503 with the failure's code, no challenge
/// (the credential was not judged).
pub(super) fn unavailable(e: &Error) -> Refusal {
    Refusal {
        code: e.code(),
        status: 503,
        www_authenticate: None,
        retry_after: None,
        dpop_nonce: None,
    }
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

impl Authenticator {
    /// Whether opaque bearer tokens go to introspection (then [`Authenticator::authenticate`]
    /// only serves cached answers: prefer [`Authenticator::authenticate_async`]).
    pub fn has_introspection(&self) -> bool {
        self.introspector.is_some()
    }

    /// Whether any state the pipeline reads or writes is on a backend that instances share over
    /// the network (rate limits, revocations, abuse counters or the DPoP replay cache on Redis;
    /// API keys or sessions on Redis or PostgreSQL): [`Authenticator::authenticate`] then waits
    /// for round trips. On an event loop, prefer [`Authenticator::authenticate_async`] (the Node
    /// adapters do by default then).
    pub fn has_shared_stores(&self) -> bool {
        #[cfg(feature = "redis")]
        let limits = self.shared_limiter.is_some();
        #[cfg(not(feature = "redis"))]
        let limits = false;
        limits
            || self.revocations.as_ref().is_some_and(|r| r.is_shared())
            || self
                .api_keys
                .as_ref()
                .is_some_and(|k| k.store().is_shared())
            || self
                .sessions
                .as_ref()
                .is_some_and(|s| s.store().is_shared())
            || self.abuse.as_ref().is_some_and(|a| a.is_shared())
            || self
                .dpop
                .as_ref()
                .is_some_and(|d| d.verifier.has_shared_replay_cache())
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
        let name = t.header.as_str();
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
        // CacheOnly never suspends.
        self.pass(req, Lookup::CacheOnly).decided_or(self)
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
        let token = match self.pass_with(req, Lookup::Suspend, SharedCalls::Deferred) {
            Pass::Introspect(token) => token,
            Pass::FetchKeys(token) => return self.finish_remote_jwt(req, token).await,
            pass => return self.settle(req, pass).await,
        };
        let fresh = match &self.introspector {
            Some(i) => i.introspect(token).await,
            None => Ok(Err(Error::new(
                ErrorCode::Internal,
                "introspection is not configured",
            ))),
        };
        let lookup = fresh_lookup(&fresh);
        let pass = self.pass_with(req, lookup, SharedCalls::Deferred);
        self.settle(req, pass).await
    }

    /// The decision of an async pass: the Redis round trip it left, if any, is made on
    /// the multiplexed connection, where concurrent requests share one socket.
    #[cfg_attr(not(feature = "redis"), allow(unused_variables))]
    pub(super) async fn settle<'r>(
        &self,
        req: &Request<'r>,
        pass: Pass<'r>,
    ) -> std::result::Result<Principal, Refusal> {
        // A stage's answer may lead to the next one's round trip (the revocation list, then
        // the rate limits on another server).
        #[cfg(feature = "redis")]
        let mut pass = pass;
        #[cfg(feature = "redis")]
        while let Pass::Shared(stopped) = pass {
            let (stage, acc) = *stopped;
            pass = match &stage.check {
                SharedCheck::Script(args) => {
                    let answer = self.run_shared_check_async(args).await;
                    let joint = args.checks_revocations();
                    self.finish_shared(req, stage, acc, joint, answer)
                }
                SharedCheck::Revocations { keys, .. } => {
                    let answer = self.revoked_async(keys).await;
                    self.finish_revocations(req, stage, acc, answer)
                }
            };
        }
        pass.decided_or(self)
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
            Pass::Introspect(token) => token,
            // Remote keys are fetched only by `authenticate_async`.
            pass => return pass.decided_or(self),
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
        self.pass(req, fresh_lookup(&fresh)).decided_or(self)
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
            _ => None,
        }
    }

    /// The refusal for a credential the synchronous path cannot validate (an opaque token
    /// without a cached answer, a JWT whose remote keys must be fetched).
    pub(super) fn use_async(&self) -> Refusal {
        Refusal {
            code: ErrorCode::InvalidInput,
            status: 500,
            www_authenticate: None,
            retry_after: None,
            dpop_nonce: None,
        }
    }

    /// Which validator `found` goes to.
    fn route(&self, source: Source, value: &str) -> Route {
        if source == Source::SessionCookie {
            return Route::Session;
        }
        if matches!(source, Source::ApiKeyHeader | Source::Query) {
            return Route::ApiKey;
        }
        if self.introspector.is_some() {
            let api_key_shaped = self.api_keys.as_ref().is_some_and(|k| {
                value
                    .strip_prefix(k.prefix())
                    .is_some_and(|rest| rest.starts_with('_'))
            });
            return if self.has_jwt() && looks_like_jws(value) {
                Route::Jwt
            } else if api_key_shaped {
                Route::ApiKey
            } else {
                Route::Introspect
            };
        }
        let as_jwt = match (self.has_jwt(), &self.api_keys) {
            (true, Some(_)) => looks_like_jws(value),
            (true, None) => true,
            (false, _) => false,
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
                    dpop_nonce: None,
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
                        rate_limit_remaining: None,
                    },
                    plan: t.plan.clone(),
                })
            }
        }
    }

    /// The pipeline. Before validation nothing has side effects, so stopping there with
    /// [`Stop::Introspect`] and running again later is safe.
    /// `seen` receives the resolved client address and the credential (for the failure budget
    /// and abuse detection). With [`SharedCalls::Deferred`], the pass stops with `Stop::Shared`
    /// at the Redis round trip of its last stages instead of blocking; the caller finishes it
    /// (`finish_shared`).
    #[cfg_attr(not(feature = "redis"), allow(unused_variables))]
    pub(super) fn run<'r>(
        &self,
        req: &Request<'r>,
        audit: &mut AuditEvent,
        lookup: Lookup<'_>,
        seen: &mut Seen<'r>,
        shared: SharedCalls,
    ) -> std::result::Result<Principal, Stop<'r>> {
        let ch = &self.challenger;
        // 1. Client address.
        let ip = self.client_ip(req)?;
        seen.ip = ip;
        if !self.ip_rules.permits(ip) {
            return Err(ch.ip_denied().into());
        }
        // 2. Presence.
        let dpop = self.dpop_presented(req)?;
        let found = match &dpop {
            Some(presented) => presented.found(),
            None => self.find_credential(req).map_err(|e| match e {
                ExtractError::Missing => ch.missing(),
                other => ch.bearer(other.code(), BearerError::InvalidRequest, &[]),
            })?,
        };
        // 3. Validation, unless this address has spent its failure budget or it or the
        // credential is locked out: then nothing is verified, looked up or introspected. Every
        // failure is `invalid_token` to the client.
        seen.credential = Some(found.value);
        self.abuse_gate(seen)?;
        if let (Some(limiter), Some(limit), Some(ip)) =
            (&self.failure_limiter, &self.failure_limit, ip)
        {
            if let Some(retry_after) = limiter.peek(&ip_bucket(ip), limit) {
                return Err(ch.rate_limited(retry_after).into());
            }
        }
        let invalid = |code: ErrorCode| ch.bearer(code, BearerError::InvalidToken, &[]);
        let route = self.route(found.source, found.value);
        audit.credential_kind = Some(route.kind());
        let Validated { principal, plan } = if route == Route::Introspect {
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
                Lookup::CacheOnly | Lookup::Suspend | Lookup::Verified(_) => {
                    match intro.cached(&token_hash(found.value)) {
                        Some(answer) => self.validate_answer(&Ok(answer), intro)?,
                        None if matches!(lookup, Lookup::Suspend) => {
                            return Err(Stop::Introspect(found.value))
                        }
                        None => return Err(self.use_async().into()),
                    }
                }
            }
        } else if route == Route::Session {
            self.validate_session(req, found.value)?
        } else if route == Route::Jwt {
            let claims = if let Some(remote) = &self.remote_jwt {
                self.remote_claims(remote, found.value, lookup)?
            } else if let Some(v) = &self.jwt {
                v.verify(found.value).map_err(|e| invalid(e.code()))?
            } else {
                return Err(invalid(ErrorCode::UnknownKey).into());
            };
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
                    rate_limit_remaining: None,
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
                    rate_limit_remaining: None,
                },
                plan: rec.metadata.get("plan").cloned(),
            }
        };
        self.dpop_bind(req, dpop.as_ref(), &principal.claims)?;
        self.mtls_bind(req, &principal.claims)?;
        self.sender_constrained(&principal)?;
        audit.credential_id.clone_from(&principal.key_id);
        if !principal.subject.is_empty() {
            audit.subject = Some(principal.subject.clone());
        }
        // 5 is decided here (no I/O), so 4 and 6 can share one round trip.
        let scopes_ok = req
            .required_scopes
            .iter()
            .all(|s| principal.scopes.iter().any(|have| have == s));
        // 4. Revocation: by the credential's id and by its subject, in one lookup.
        if let Some(store) = &self.revocations {
            let kind = match principal.kind {
                CredentialKind::ApiKey | CredentialKind::Session => RevocationKind::KeyId,
                CredentialKind::Jwt | CredentialKind::Introspected => RevocationKind::Jti,
            };
            let mut entries = Vec::with_capacity(2);
            if let Some(id) = principal.key_id.as_deref() {
                entries.push((kind, id));
            }
            if !principal.subject.is_empty() {
                entries.push((RevocationKind::Subject, principal.subject.as_str()));
            }
            // 4 and 6 in one round trip when both are on the same Redis.
            #[cfg(feature = "redis")]
            if scopes_ok {
                if let Some(args) =
                    self.joint_check(&principal, plan.as_deref(), found.value, ip, &entries)
                {
                    if shared == SharedCalls::Deferred {
                        let check = SharedCheck::Script(args);
                        return Err(SharedStage::stop(principal, plan, found.value, ip, check));
                    }
                    let answer = self.run_shared_check(&args);
                    let remaining = self.shared_outcome(
                        &principal,
                        plan.as_deref(),
                        found.value,
                        ip,
                        args.checks_revocations(),
                        answer,
                    )?;
                    return Ok(Principal {
                        rate_limit_remaining: remaining,
                        ..principal
                    });
                }
            }
            // The list alone on Redis: an async caller asks it itself.
            #[cfg(feature = "redis")]
            if shared == SharedCalls::Deferred && store.as_redis().is_some() && !entries.is_empty()
            {
                let keys = RedisRevocationList::keys(&entries);
                let check = SharedCheck::Revocations { keys, scopes_ok };
                return Err(SharedStage::stop(principal, plan, found.value, ip, check));
            }
            match store.is_any_revoked(&entries) {
                Ok(false) => {}
                Ok(true) => return Err(invalid(ErrorCode::Revoked).into()),
                Err(e) => return Err(unavailable(&e).into()),
            }
        }
        self.scopes_and_limits(req, principal, plan, found.value, ip, scopes_ok, shared)
    }

    /// Stages 5 (scopes, `scopes_ok` decided by the caller) and 6 (rate limits; an async caller
    /// makes their Redis round trip itself), once the credential is known not to be revoked.
    #[allow(clippy::too_many_arguments)]
    #[cfg_attr(not(feature = "redis"), allow(unused_variables))]
    pub(super) fn scopes_and_limits<'r>(
        &self,
        req: &Request<'r>,
        mut principal: Principal,
        plan: Option<String>,
        token: &'r str,
        ip: Option<IpAddr>,
        scopes_ok: bool,
        shared: SharedCalls,
    ) -> std::result::Result<Principal, Stop<'r>> {
        // 5. Scopes.
        if !scopes_ok {
            return Err(self
                .challenger
                .bearer(
                    ErrorCode::InsufficientScope,
                    BearerError::InsufficientScope,
                    req.required_scopes,
                )
                .into());
        }
        // 6. Rate limits.
        #[cfg(feature = "redis")]
        if shared == SharedCalls::Deferred {
            if let Some(args) = self.limit_check(&principal, plan.as_deref(), token, ip) {
                let check = SharedCheck::Script(args);
                return Err(SharedStage::stop(principal, plan, token, ip, check));
            }
        }
        let remaining = self.rate_limit(&principal, plan.as_deref(), token, ip)?;
        principal.rate_limit_remaining = remaining;
        Ok(principal)
    }

    /// The answer of the Redis revocation list to an async caller, as the sync check would have
    /// given it: revoked, or the list's failure policy (fail open: accepted, with its audit
    /// event; fail closed: 503).
    #[cfg(feature = "redis")]
    pub(super) fn revocation_answer<'r>(
        &self,
        answer: crate::Result<bool>,
    ) -> std::result::Result<(), Stop<'r>> {
        let revoked = match self.revocations.as_ref().and_then(|r| r.as_redis()) {
            Some(list) => list.settled(answer),
            None => answer,
        }
        .map_err(|e| unavailable(&e))?;
        if revoked {
            let ch = &self.challenger;
            return Err(ch
                .bearer(ErrorCode::Revoked, BearerError::InvalidToken, &[])
                .into());
        }
        Ok(())
    }

    /// Asks the Redis revocation list whether any of `keys` exists, on the multiplexed
    /// connection.
    #[cfg(feature = "redis")]
    pub(super) async fn revoked_async(&self, keys: &[String]) -> crate::Result<bool> {
        match self.revocations.as_ref().and_then(|r| r.as_redis()) {
            Some(list) => list.any_async(keys.to_vec()).await,
            None => Err(Error::new(
                ErrorCode::Internal,
                "the revocation list is not on Redis",
            )),
        }
    }
}

/// The lookup of the pass after an introspection request (`Err`: it was throttled, retry
/// after).
fn fresh_lookup(
    fresh: &std::result::Result<std::result::Result<Answer, Error>, Duration>,
) -> Lookup<'_> {
    match fresh {
        Ok(answer) => Lookup::Fresh(answer),
        Err(retry) => Lookup::Throttled(*retry),
    }
}

impl Pass<'_> {
    /// The decision of a pass that cannot stop for I/O here (a synchronous entry point, or a
    /// second pass): a stop is refused as needing `authenticate_async`.
    pub(super) fn decided_or(
        self,
        auth: &Authenticator,
    ) -> std::result::Result<Principal, Refusal> {
        match self {
            Pass::Decided(r) => r,
            _ => Err(auth.use_async()),
        }
    }
}
