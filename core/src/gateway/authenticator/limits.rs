//! Stage 6 of the pipeline: the per-address and per-principal rate limits, counted in this
//! process or, with `with_rate_limit_store("redis://…")`, in Redis by one script per request.
//! When Redis cannot answer, the request is counted in this process instead (the default, with
//! a `gateway.rate_limit_fallback` audit event) or refused 503 (fail-closed).
//!
//! When the revocation list is on the same Redis (the same URL), stages 4 and 6 are one script
//! and one round trip (`Authenticator::joint_check`); `authenticate_async` makes it on the
//! multiplexed connection, where the checks of concurrent requests share one socket.

use std::net::IpAddr;

#[cfg(feature = "redis")]
use super::pipeline::unavailable;
use super::Authenticator;
use crate::gateway::buckets::{bucket_key, ip_bucket};
use crate::gateway::decision::{CredentialKind, Principal, Refusal};
use crate::gateway::ratelimit::{RateLimit, Verdict};
#[cfg(feature = "redis")]
use crate::gateway::revocation::RevocationKind;
#[cfg(feature = "redis")]
use crate::gateway::shared_limits::{CheckArgs, Decision};

/// The buckets a request counts in: by client address and by principal.
type Buckets<'a> = (
    Option<(IpAddr, &'a RateLimit)>,
    Option<(String, &'a RateLimit)>,
);

impl Authenticator {
    /// The limit of `principal`: its override (by key id, then subject), its plan's, or the
    /// default; `None` when no principal limit applies.
    fn principal_limit_of(&self, principal: &Principal, plan: Option<&str>) -> Option<&RateLimit> {
        let id = match principal.kind {
            CredentialKind::ApiKey => principal.key_id.as_deref().unwrap_or_default(),
            CredentialKind::Jwt | CredentialKind::Introspected | CredentialKind::Session => {
                principal.subject.as_str()
            }
        };
        self.overrides
            .get(id)
            .or_else(|| self.overrides.get(&principal.subject))
            .or_else(|| plan.and_then(|p| self.plans.get(p)))
            .or(self.principal_limit.as_ref())
    }

    fn buckets(
        &self,
        principal: &Principal,
        plan: Option<&str>,
        token: &str,
        ip: Option<IpAddr>,
    ) -> Buckets<'_> {
        let by_ip = match (&self.ip_limit, ip) {
            (Some(limit), Some(ip)) => Some((ip_bucket(ip), limit)),
            _ => None,
        };
        let by_principal = self
            .principal_limiter
            .as_ref()
            .and_then(|_| self.principal_limit_of(principal, plan))
            .map(|limit| (bucket_key(principal, token), limit));
        (by_ip, by_principal)
    }

    /// Counts the request; `Ok(remaining)` (the smallest of the limits that apply) or the
    /// refusal.
    pub(super) fn rate_limit(
        &self,
        principal: &Principal,
        plan: Option<&str>,
        token: &str,
        ip: Option<IpAddr>,
    ) -> Result<Option<u64>, Refusal> {
        let buckets = self.buckets(principal, plan, token, ip);
        if buckets.0.is_none() && buckets.1.is_none() {
            return Ok(None);
        }
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.shared_limiter {
            match shared.check(&redis_buckets(&buckets)) {
                Ok(verdict) => return self.verdict(verdict).map(Some),
                Err(e) => self.rate_limit_store_failed(&e)?,
            }
        }
        self.count_here(&buckets)
    }

    /// Stages 4 and 6 in one round trip, when the revocation list and the rate limits are on
    /// the same Redis and the request has buckets to count: the arguments of the script that
    /// refuses when one of the credential's revocation keys exists (nothing counted), else
    /// counts. `None` when this does not apply (the stages then run one by one).
    #[cfg(feature = "redis")]
    pub(super) fn joint_check(
        &self,
        principal: &Principal,
        plan: Option<&str>,
        token: &str,
        ip: Option<IpAddr>,
        entries: &[(RevocationKind, &str)],
    ) -> Option<CheckArgs> {
        use crate::gateway::redis_revocation::RedisRevocationList;
        if !self.joint_revocations {
            return None;
        }
        self.revocations.as_ref()?.as_redis()?;
        self.shared_limiter.as_ref()?;
        let buckets = self.buckets(principal, plan, token, ip);
        if buckets.0.is_none() && buckets.1.is_none() {
            return None;
        }
        Some(CheckArgs::new(
            RedisRevocationList::keys(entries),
            &redis_buckets(&buckets),
        ))
    }

    /// Stage 6 alone on Redis (the revocation list, if any, elsewhere): the script's arguments,
    /// for an async caller to run; `None` without a Redis limiter or buckets to count.
    #[cfg(feature = "redis")]
    pub(super) fn limit_check(
        &self,
        principal: &Principal,
        plan: Option<&str>,
        token: &str,
        ip: Option<IpAddr>,
    ) -> Option<CheckArgs> {
        self.shared_limiter.as_ref()?;
        let buckets = self.buckets(principal, plan, token, ip);
        if buckets.0.is_none() && buckets.1.is_none() {
            return None;
        }
        Some(CheckArgs::new(Vec::new(), &redis_buckets(&buckets)))
    }

    /// The script's answer as the decision of the stages it ran (4 to 6, or 6 alone): the
    /// remaining requests, or the refusal.
    ///
    /// A round trip that fails answers no question, so the policies apply in the pipeline's
    /// order: the revocation list's first when the script checked revocations (fail closed:
    /// 503; fail open: accepted with a `gateway.revocation_unavailable` audit event), then the
    /// rate limit's (fall back to this process's limiter with a `gateway.rate_limit_fallback`
    /// event, or 503).
    #[cfg(feature = "redis")]
    pub(super) fn shared_outcome(
        &self,
        principal: &Principal,
        plan: Option<&str>,
        token: &str,
        ip: Option<IpAddr>,
        checked_revocations: bool,
        answer: crate::Result<Decision>,
    ) -> Result<Option<u64>, Refusal> {
        let e = match answer {
            Ok(Decision::Revoked) => {
                return Err(self.challenger.bearer(
                    crate::ErrorCode::Revoked,
                    crate::gateway::decision::BearerError::InvalidToken,
                    &[],
                ))
            }
            Ok(Decision::Counted(verdict)) => return self.verdict(verdict).map(Some),
            Err(e) => e,
        };
        if checked_revocations {
            let Some(list) = self.revocations.as_ref().and_then(|r| r.as_redis()) else {
                return Err(unavailable(&e));
            };
            list.unavailable(e.clone()).map_err(|e| unavailable(&e))?;
        }
        self.rate_limit_store_failed(&e)?;
        self.count_here(&self.buckets(principal, plan, token, ip))
    }

    /// The joint script on a blocking connection (the synchronous entry points).
    #[cfg(feature = "redis")]
    pub(super) fn run_shared_check(&self, args: &CheckArgs) -> crate::Result<Decision> {
        match &self.shared_limiter {
            Some(shared) => shared.check_unrevoked(args),
            None => Err(no_shared_limiter()),
        }
    }

    /// The joint script on the multiplexed connection (`authenticate_async`).
    #[cfg(feature = "redis")]
    pub(super) async fn run_shared_check_async(&self, args: &CheckArgs) -> crate::Result<Decision> {
        match &self.shared_limiter {
            Some(shared) => shared.check_unrevoked_async(args).await,
            None => Err(no_shared_limiter()),
        }
    }

    fn verdict(&self, verdict: Verdict) -> Result<u64, Refusal> {
        match verdict {
            Verdict::Allowed { remaining } => Ok(remaining),
            Verdict::Limited { retry_after } => Err(self.challenger.rate_limited(retry_after)),
        }
    }

    /// The rate-limit store's failure policy: `Ok` to count in this process (with a
    /// `gateway.rate_limit_fallback` audit event), or the 503 refusal.
    #[cfg(feature = "redis")]
    fn rate_limit_store_failed(&self, e: &crate::Error) -> Result<(), Refusal> {
        if !self.rate_limit_store_fail_open {
            return Err(unavailable(e));
        }
        crate::audit::emit(crate::audit::AuditEvent::failure(
            "gateway.rate_limit_fallback",
            e,
        ));
        Ok(())
    }

    /// Counts the request in this process's limiters.
    fn count_here(&self, (by_ip, by_principal): &Buckets<'_>) -> Result<Option<u64>, Refusal> {
        let mut remaining: Option<u64> = None;
        if let (Some(limiter), Some((ip, limit))) = (&self.ip_limiter, by_ip) {
            remaining = Some(self.verdict(limiter.check(ip, limit))?);
        }
        if let (Some(limiter), Some((key, limit))) = (&self.principal_limiter, by_principal) {
            let r = self.verdict(limiter.check(key.as_str(), limit))?;
            remaining = Some(remaining.map_or(r, |x| x.min(r)));
        }
        Ok(remaining)
    }
}

/// The Redis bucket names (without the key prefix) of `buckets`.
#[cfg(feature = "redis")]
fn redis_buckets<'a>((by_ip, by_principal): &Buckets<'a>) -> Vec<(String, &'a RateLimit)> {
    let mut out = Vec::with_capacity(2);
    if let Some((ip, limit)) = by_ip {
        out.push((format!("ip:{ip}"), *limit));
    }
    if let Some((key, limit)) = by_principal {
        out.push((format!("p:{key}"), *limit));
    }
    out
}

/// `joint_check` answers only with a shared limiter configured.
#[cfg(feature = "redis")]
fn no_shared_limiter() -> crate::Error {
    crate::Error::new(crate::ErrorCode::Internal, "no shared rate limiter")
}
