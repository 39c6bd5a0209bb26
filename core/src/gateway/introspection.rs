//! Opaque bearer tokens validated by RFC 7662 introspection, with a short, bounded cache.
//!
//! The cache is keyed by the SHA-256 of the token (the token itself is never stored), holds
//! active answers for at most the configured TTL and never beyond the token's `exp`, and
//! inactive answers for a shorter negative TTL. Failures of the introspection endpoint are
//! never cached.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use parking_lot::Mutex;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::ratelimit::{Limiter, RateLimit, Verdict};
use crate::clock::{unix_seconds, SharedClock};
use crate::jwt::Claims;
use crate::oauth::{Introspection, OAuthClient, TokenTypeHint};
use crate::{Error, Secret};

/// Default time an active introspection answer is reused.
pub const DEFAULT_CACHE_TTL: Duration = Duration::from_secs(60);
/// Default time an inactive answer is reused.
pub const DEFAULT_NEGATIVE_TTL: Duration = Duration::from_secs(10);
/// Default number of cached answers.
pub const DEFAULT_CACHE_SIZE: usize = 10_000;
/// Default rate of outbound introspection requests (tokens without a cached answer), over all
/// callers: 50 a second, bursts of 100.
pub const DEFAULT_INTROSPECTION_RATE_LIMIT: RateLimit = RateLimit {
    rate: 50,
    period: Duration::from_secs(1),
    burst: 100,
};
/// Default number of introspection requests in flight at once.
pub const DEFAULT_INTROSPECTION_MAX_INFLIGHT: usize = 32;

/// What introspection said about one token, reduced to what the gateway needs.
#[derive(Debug, Clone)]
pub(crate) enum Answer {
    /// `active: true`.
    Active(Arc<ActiveToken>),
    /// `active: false` (revoked, expired, unknown: the server does not say which).
    Inactive,
}

/// An active token.
#[derive(Debug)]
pub(crate) struct ActiveToken {
    /// `sub`, else `client_id`, else empty.
    pub(crate) subject: String,
    /// `jti`, when present.
    pub(crate) key_id: Option<String>,
    /// `scope`, split.
    pub(crate) scopes: Vec<String>,
    /// `plan`, when present (selects a rate-limit plan like the JWT claim).
    pub(crate) plan: Option<String>,
    /// `exp` (Unix seconds).
    pub(crate) expires_at: Option<i64>,
    /// The whole answer.
    pub(crate) claims: Claims,
}

impl Answer {
    pub(crate) fn from_introspection(i: Introspection) -> Answer {
        if !i.active {
            return Answer::Inactive;
        }
        let str_claim = |name: &str| {
            i.claims
                .get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let subject = i
            .subject
            .clone()
            .or_else(|| i.client_id.clone())
            .unwrap_or_default();
        Answer::Active(Arc::new(ActiveToken {
            subject,
            key_id: str_claim("jti"),
            plan: str_claim("plan"),
            scopes: i.scopes,
            expires_at: i.expires_at,
            claims: i.claims.into(),
        }))
    }
}

/// The SHA-256 of a token: the cache key.
pub(crate) type TokenHash = [u8; 32];

pub(crate) fn token_hash(token: &str) -> TokenHash {
    Sha256::digest(token.as_bytes()).into()
}

struct Entry {
    answer: Answer,
    until: SystemTime,
}

/// Introspection settings and cache of an authenticator.
pub(crate) struct Introspector {
    client: Arc<OAuthClient>,
    ttl: Duration,
    negative_ttl: Duration,
    max_entries: usize,
    /// Outbound requests per second, over all callers.
    rate: Option<(RateLimit, Limiter<()>)>,
    /// Most requests in flight.
    max_inflight: usize,
    clock: SharedClock,
    cache: Mutex<HashMap<TokenHash, Entry>>,
    /// Requests in flight, shared by concurrent callers with the same token.
    inflight: Mutex<HashMap<TokenHash, Flight>>,
}

type Flight = Arc<tokio::sync::OnceCell<Result<Answer, Error>>>;

/// Removes a flight from the in-flight map when it has finished, or when its last waiter is
/// cancelled (clients that disconnect must not leave entries behind).
struct FlightGuard<'a> {
    map: &'a Mutex<HashMap<TokenHash, Flight>>,
    hash: TokenHash,
    flight: Flight,
}

impl Drop for FlightGuard<'_> {
    fn drop(&mut self) {
        let mut map = self.map.lock();
        // Waiters clone the flight only under this lock, so the count cannot grow meanwhile:
        // 2 = the map's reference and ours.
        let ours = map
            .get(&self.hash)
            .is_some_and(|f| Arc::ptr_eq(f, &self.flight));
        if ours && (self.flight.initialized() || Arc::strong_count(&self.flight) <= 2) {
            map.remove(&self.hash);
        }
    }
}

impl std::fmt::Debug for Introspector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Introspector")
            .field("client", &self.client)
            .field("ttl", &self.ttl)
            .field("negative_ttl", &self.negative_ttl)
            .field("max_entries", &self.max_entries)
            .field("cached", &self.cache.lock().len())
            .finish_non_exhaustive()
    }
}

impl Introspector {
    pub(crate) fn new(
        client: Arc<OAuthClient>,
        ttl: Duration,
        negative_ttl: Duration,
        max_entries: usize,
        rate: Option<RateLimit>,
        max_inflight: usize,
        clock: SharedClock,
    ) -> Introspector {
        Introspector {
            client,
            ttl,
            negative_ttl,
            max_entries,
            rate: rate.map(|r| (r, Limiter::new(1, clock.clone()))),
            max_inflight: max_inflight.max(1),
            clock,
            cache: Mutex::new(HashMap::new()),
            inflight: Mutex::new(HashMap::new()),
        }
    }

    /// The cached answer for `hash`, if still fresh.
    pub(crate) fn cached(&self, hash: &TokenHash) -> Option<Answer> {
        let now = self.clock.now();
        let mut cache = self.cache.lock();
        match cache.get(hash) {
            Some(e) if e.until > now => Some(e.answer.clone()),
            Some(_) => {
                cache.remove(hash);
                None
            }
            None => None,
        }
    }

    /// Asks the server about `token` and caches the answer; failures are not cached.
    /// Concurrent callers with the same token share one request (if the caller driving it is
    /// cancelled, a waiting one takes over). `Err(retry_after)` when a new request would exceed
    /// the outbound rate or the number of requests in flight: nothing was sent.
    pub(crate) async fn introspect(&self, token: &str) -> Result<Result<Answer, Error>, Duration> {
        let hash = token_hash(token);
        let flight = {
            let mut map = self.inflight.lock();
            match map.get(&hash) {
                Some(f) => f.clone(),
                None => {
                    if map.len() >= self.max_inflight {
                        return Err(Duration::from_secs(1));
                    }
                    if let Some((limit, limiter)) = &self.rate {
                        if let Verdict::Limited { retry_after } = limiter.check(&(), limit) {
                            return Err(retry_after);
                        }
                    }
                    map.entry(hash).or_default().clone()
                }
            }
        };
        let guard = FlightGuard {
            map: &self.inflight,
            hash,
            flight,
        };
        Ok(guard
            .flight
            .get_or_init(|| async {
                let secret = Secret::new(token)?;
                let answer = Answer::from_introspection(
                    self.client
                        .introspect(&secret, Some(TokenTypeHint::AccessToken))
                        .await?,
                );
                self.store(hash, answer.clone());
                Ok(answer)
            })
            .await
            .clone())
    }

    /// Caches `answer` for its TTL (capped by the token's `exp`).
    fn store(&self, hash: TokenHash, answer: Answer) {
        if self.max_entries == 0 {
            return;
        }
        let now = self.clock.now();
        let mut until = crate::clock::add(
            now,
            match &answer {
                Answer::Active(_) => self.ttl,
                Answer::Inactive => self.negative_ttl,
            },
        );
        if let Answer::Active(t) = &answer {
            if let Some(exp) = t.expires_at {
                until = until.min(crate::clock::from_unix_seconds(exp));
            }
        }
        if until <= now {
            return;
        }
        let mut cache = self.cache.lock();
        if cache.len() >= self.max_entries && !cache.contains_key(&hash) {
            cache.retain(|_, e| e.until > now);
            if cache.len() >= self.max_entries {
                // Evict the entry closest to expiry.
                if let Some(k) = cache.iter().min_by_key(|(_, e)| e.until).map(|(k, _)| *k) {
                    cache.remove(&k);
                }
            }
        }
        cache.insert(hash, Entry { answer, until });
    }

    /// Number of cached answers (expired ones included until evicted).
    pub(crate) fn cache_len(&self) -> usize {
        self.cache.lock().len()
    }

    /// Number of introspection requests in flight (distinct tokens).
    pub(crate) fn inflight_len(&self) -> usize {
        self.inflight.lock().len()
    }

    /// Whether `exp` (Unix seconds) has passed.
    pub(crate) fn expired(&self, exp: Option<i64>) -> bool {
        exp.is_some_and(|e| e <= unix_seconds(self.clock.now()))
    }
}

#[cfg(test)]
mod tests {
    /// Token-endpoint and introspection bodies never reach `Debug` (issue 14 item 6).
    #[test]
    fn http_response_debug_hides_body_and_headers() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            "set-cookie",
            reqwest::header::HeaderValue::from_static("sid=cookie-s3cr3t"),
        );
        let r = crate::http::HttpResponse {
            status: 200,
            headers,
            body: br#"{"access_token":"at-s3cr3t","refresh_token":"rt-s3cr3t"}"#
                .to_vec()
                .into(),
            span: Default::default(),
        };
        let out = format!("{r:?}{r:#?}");
        assert!(out.contains("200"), "{out}");
        assert!(!out.contains("s3cr3t"), "{out}");
    }
}
