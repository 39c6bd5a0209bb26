//! [`Authenticator::new`]: validates [`AuthenticatorOptions`] and assembles the pipeline's parts
//! (limiters, introspector, credential sources). The setters are in `options`.

use super::{Authenticator, AuthenticatorOptions};
use crate::clock;
use crate::gateway::abuse::Detector;
use crate::gateway::decision::Challenger;
use crate::gateway::dpop::DpopGate;
use crate::gateway::introspection::Introspector;
use crate::gateway::ip::{CidrSet, IpRules, TrustedProxies};
use crate::gateway::ratelimit::Limiter;
use crate::{Error, ErrorCode, Result};

impl Authenticator {
    /// Validates `options` into an authenticator; `invalid_input` when no validator is
    /// configured, for a realm with control characters, an empty API-key header name, a bad
    /// CIDR, a rate limit out of range or `introspection_max_inflight` of 0.
    pub fn new(options: AuthenticatorOptions) -> Result<Authenticator> {
        let o = options;
        let bad = |m: &'static str| Error::new(ErrorCode::InvalidInput, m);
        if o.api_keys.is_none()
            && o.jwt.is_none()
            && o.remote_jwt.is_none()
            && o.introspection.is_none()
            && o.sessions.is_none()
        {
            return Err(bad(
                "configure API keys, a JWT verifier, introspection or sessions (or several)",
            ));
        }
        if o.jwt.is_some() && o.remote_jwt.is_some() {
            return Err(bad(
                "configure either a JWT verifier or a remote JWT verifier, not both",
            ));
        }
        Authenticator::check_sessions(o.sessions.as_deref(), &o.sources)?;
        if o.realm.chars().any(char::is_control) {
            return Err(bad("the realm must not contain control characters"));
        }
        if o.sources.api_key_header.as_deref() == Some("") {
            return Err(bad("api_key_header must not be empty"));
        }
        for l in o
            .rate_limit
            .iter()
            .chain(o.ip_rate_limit.iter())
            .chain(o.failure_rate_limit.iter())
            .chain(o.introspection_rate_limit.iter())
            .chain(o.rate_limit_overrides.values())
            .chain(o.plans.values())
        {
            l.validate()?;
        }
        if o.introspection_max_inflight == 0 {
            return Err(bad("introspection_max_inflight must be at least 1"));
        }
        let trusted = if o.trusted_proxies.is_empty() {
            None
        } else {
            Some(TrustedProxies {
                networks: CidrSet::parse(o.trusted_proxies)?,
                header: o.forwarded_header,
            })
        };
        let mut sources = o.sources;
        sources.api_key_header = sources.api_key_header.map(|h| h.to_ascii_lowercase());
        let mut header_names = sources.header_names();
        header_names.extend(trusted.as_ref().map(|t| t.header.as_str().to_owned()));
        Authenticator::session_header_names(o.sessions.is_some(), &mut header_names);
        let dpop = match o.dpop {
            Some(v) => {
                for name in DpopGate::header_names(trusted.as_ref().map(|t| t.header)) {
                    if !header_names.contains(&name) {
                        header_names.push(name);
                    }
                }
                Some(DpopGate::new(v, o.dpop_origin.as_deref())?)
            }
            None => None,
        };
        if o.require_sender_constrained && dpop.is_none() && !o.mtls_bound_tokens {
            return Err(bad(
                "require_sender_constrained needs DPoP or mtls_bound_tokens",
            ));
        }
        if o.mtls_bound_tokens && trusted.is_some() {
            let name = crate::gateway::mtls::CLIENT_CERT_HEADER.to_owned();
            if !header_names.contains(&name) {
                header_names.push(name);
            }
        }
        let request_id_header = match o.request_id_header {
            Some(h) if h.is_empty() || !h.bytes().all(|b| b.is_ascii_graphic() && b != b':') => {
                return Err(bad("request_id_header must be a header name"))
            }
            Some(h) => {
                let h = h.to_ascii_lowercase();
                if !header_names.contains(&h) {
                    header_names.push(h.clone());
                }
                Some(h)
            }
            None => None,
        };
        let clock = o.clock.unwrap_or_else(clock::system);
        let has_principal_limits =
            o.rate_limit.is_some() || !o.rate_limit_overrides.is_empty() || !o.plans.is_empty();
        let max_tracked = o.max_tracked;
        let backend_timeout = clock::check_duration(o.backend_timeout, "backend_timeout")?;
        let abuse = match o.abuse {
            Some(a) => Some(Detector::new(
                a,
                clock.clone(),
                max_tracked,
                backend_timeout,
            )?),
            None => None,
        };
        #[cfg(feature = "redis")]
        let (shared_limiter, joint_revocations) = shared_limiter(
            o.rate_limit_store.as_ref(),
            backend_timeout,
            o.revocations.as_deref(),
        )?;
        #[cfg(not(feature = "redis"))]
        {
            let _ = backend_timeout;
            if o.rate_limit_store
                .as_ref()
                .is_some_and(|u| !matches!(u.0.trim(), "" | "memory" | "memory://"))
            {
                return Err(bad(
                    "unsupported rate-limit store: use \"memory\" or redis://… (feature `redis`)",
                ));
            }
        }
        Ok(Authenticator {
            api_keys: o.api_keys,
            jwt: o.jwt,
            remote_jwt: o.remote_jwt,
            challenger: Challenger::new(&o.realm),
            sources,
            ip_rules: IpRules {
                allow: CidrSet::parse(o.ip_allow)?,
                deny: CidrSet::parse(o.ip_deny)?,
            },
            trusted,
            header_names,
            principal_limit: o.rate_limit,
            ip_limit: o.ip_rate_limit,
            overrides: o.rate_limit_overrides,
            plans: o.plans,
            principal_limiter: has_principal_limits
                .then(|| Limiter::new(max_tracked, clock.clone())),
            ip_limiter: o
                .ip_rate_limit
                .map(|_| Limiter::new(max_tracked, clock.clone())),
            failure_limit: o.failure_rate_limit,
            failure_limiter: o
                .failure_rate_limit
                .map(|_| Limiter::new(max_tracked, clock.clone())),
            revocations: o.revocations,
            #[cfg(feature = "redis")]
            shared_limiter,
            #[cfg(feature = "redis")]
            joint_revocations,
            rate_limit_store_fail_open: o.rate_limit_store_fail_open,
            introspector: o.introspection.map(|client| {
                Introspector::new(
                    client,
                    o.introspection_cache_ttl,
                    o.introspection_negative_ttl,
                    o.introspection_cache_size,
                    o.introspection_rate_limit,
                    o.introspection_max_inflight,
                    clock.clone(),
                )
            }),
            sessions: o.sessions,
            dpop,
            abuse,
            request_id_header,
            mtls_bound_tokens: o.mtls_bound_tokens,
            require_sender_constrained: o.require_sender_constrained,
        })
    }

    /// The lower-case names of the headers this authenticator reads: `authorization`, the
    /// API-key header, `cookie` when a cookie is configured, and the forwarding header with
    /// trusted proxies. Other headers cannot change a decision, so a binding converts only
    /// these.
    pub fn header_names(&self) -> &[String] {
        &self.header_names
    }
}

/// The Redis limiter of a `redis://` rate-limit store; `None` for the in-process default.
/// On the Redis of a `RedisRevocationList` (the same URL) it shares the list's connections
/// and deadline, and the flag says so: one script then checks both (`limits.rs`).
#[cfg(feature = "redis")]
fn shared_limiter(
    url: Option<&super::StoreUrl>,
    timeout: std::time::Duration,
    revocations: Option<&dyn crate::gateway::RevocationStore>,
) -> Result<(Option<crate::gateway::shared_limits::RedisLimiter>, bool)> {
    use crate::backend::redis::{is_redis_url, RedisConn};
    use crate::gateway::shared_limits::RedisLimiter;
    match url.map(|u| u.0.trim()) {
        None | Some("") | Some("memory") | Some("memory://") => Ok((None, false)),
        Some(u) if is_redis_url(u) => {
            let same = revocations
                .and_then(|r| r.as_redis())
                .map(|list| list.conn())
                .filter(|conn| conn.is_server(u));
            Ok(match same {
                Some(conn) => (Some(RedisLimiter::new(conn.clone())), true),
                None => (Some(RedisLimiter::new(RedisConn::open(u, timeout)?)), false),
            })
        }
        Some(_) => Err(Error::new(
            ErrorCode::InvalidInput,
            "unsupported rate-limit store: use \"memory\" or redis://…",
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::apikey::ApiKeys;
    use crate::gateway::ip::ForwardedHeader;
    use crate::gateway::Request;

    fn keys() -> Arc<ApiKeys> {
        Arc::new(ApiKeys::new("tw_test", crate::apikey::ApiKeysOptions::default()).unwrap())
    }

    #[test]
    fn header_names_follow_the_configuration() {
        let plain = Authenticator::new(AuthenticatorOptions::new().with_api_keys(keys())).unwrap();
        assert_eq!(plain.header_names(), ["authorization", "x-api-key"]);

        let full = Authenticator::new(
            AuthenticatorOptions::new()
                .with_api_keys(keys())
                .with_api_key_header(Some("X-Key".into()))
                .with_cookie("session")
                .with_trusted_proxies(["10.0.0.0/8"])
                .with_forwarded_header(ForwardedHeader::Forwarded),
        )
        .unwrap();
        assert_eq!(
            full.header_names(),
            ["authorization", "x-key", "cookie", "forwarded"]
        );

        let no_key_header = Authenticator::new(
            AuthenticatorOptions::new()
                .with_api_keys(keys())
                .with_api_key_header(None)
                .with_forwarded_header(ForwardedHeader::Forwarded),
        )
        .unwrap();
        // Without trusted proxies the forwarding header is never read.
        assert_eq!(no_key_header.header_names(), ["authorization"]);
    }

    #[test]
    fn a_header_outside_header_names_cannot_carry_a_credential() {
        let keys = keys();
        let key = keys.create(crate::apikey::NewKey::new("acct")).unwrap();
        let auth = Authenticator::new(
            AuthenticatorOptions::new()
                .with_api_keys(keys)
                .with_api_key_header(Some("x-key".into())),
        )
        .unwrap();
        let call = |name: &str| {
            let headers = [(name, key.secret.expose())];
            let req = Request {
                headers: &headers,
                ..Request::default()
            };
            auth.authenticate(&req).map(|p| p.subject)
        };
        assert_eq!(call("X-Key").unwrap(), "acct");
        assert!(auth.header_names().iter().any(|n| n == "x-key"));
        let refusal = call("x-api-key").unwrap_err();
        assert_eq!(refusal.code, ErrorCode::MissingCredentials);
    }

    #[test]
    fn options_are_validated_by_new() {
        let err = Authenticator::new(AuthenticatorOptions::new()).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        let err = Authenticator::new(
            AuthenticatorOptions::new()
                .with_api_keys(keys())
                .with_api_key_header(Some(String::new())),
        )
        .unwrap_err();
        assert_eq!(err.message(), "api_key_header must not be empty");
        let err = Authenticator::new(
            AuthenticatorOptions::new()
                .with_api_keys(keys())
                .with_trusted_proxies(["not-a-network"]),
        )
        .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput);
    }
}
