//! Stage 6 of the pipeline: the per-address and per-principal rate limits, counted in this
//! process or, with `with_rate_limit_store("redis://…")`, in Redis by one script per request.
//! When Redis cannot answer, the request is counted in this process instead (the default, with
//! a `gateway.rate_limit_fallback` audit event) or refused 503 (fail-closed).

use std::net::IpAddr;

#[cfg(feature = "redis")]
use super::pipeline::unavailable;
use super::Authenticator;
use crate::gateway::buckets::{bucket_key, ip_bucket};
use crate::gateway::decision::{CredentialKind, Principal, Refusal};
use crate::gateway::ratelimit::{RateLimit, Verdict};

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

    /// Counts the request; `Ok(remaining)` (the smallest of the limits that apply) or the
    /// refusal.
    pub(super) fn rate_limit(
        &self,
        principal: &Principal,
        plan: Option<&str>,
        token: &str,
        ip: Option<IpAddr>,
    ) -> Result<Option<u64>, Refusal> {
        let by_ip = match (&self.ip_limit, ip) {
            (Some(limit), Some(ip)) => Some((ip_bucket(ip), limit)),
            _ => None,
        };
        let by_principal = self
            .principal_limiter
            .as_ref()
            .and_then(|_| self.principal_limit_of(principal, plan))
            .map(|limit| (bucket_key(principal, token), limit));
        if by_ip.is_none() && by_principal.is_none() {
            return Ok(None);
        }
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.shared_limiter {
            let mut buckets = Vec::with_capacity(2);
            if let Some((ip, limit)) = &by_ip {
                buckets.push((format!("ip:{ip}"), *limit));
            }
            if let Some((key, limit)) = &by_principal {
                buckets.push((format!("p:{key}"), *limit));
            }
            match shared.check(&buckets) {
                Ok(Verdict::Allowed { remaining }) => return Ok(Some(remaining)),
                Ok(Verdict::Limited { retry_after }) => {
                    return Err(self.challenger.rate_limited(retry_after))
                }
                Err(e) if !self.rate_limit_store_fail_open => return Err(unavailable(&e)),
                Err(e) => crate::audit::emit(crate::audit::AuditEvent::failure(
                    "gateway.rate_limit_fallback",
                    &e,
                )),
            }
        }
        let mut remaining: Option<u64> = None;
        if let (Some(limiter), Some((ip, limit))) = (&self.ip_limiter, &by_ip) {
            match limiter.check(ip, limit) {
                Verdict::Allowed { remaining: r } => remaining = Some(r),
                Verdict::Limited { retry_after } => {
                    return Err(self.challenger.rate_limited(retry_after))
                }
            }
        }
        if let (Some(limiter), Some((key, limit))) = (&self.principal_limiter, &by_principal) {
            match limiter.check(key.as_str(), limit) {
                Verdict::Allowed { remaining: r } => {
                    remaining = Some(remaining.map_or(r, |x| x.min(r)));
                }
                Verdict::Limited { retry_after } => {
                    return Err(self.challenger.rate_limited(retry_after))
                }
            }
        }
        Ok(remaining)
    }
}
