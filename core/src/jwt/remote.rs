//! Remote JWKS with caching, and OpenID Connect discovery.
//!
//! * cached for `Cache-Control: max-age` clamped to [`RemoteKeySetOptions::with_min_ttl`,
//!   [`RemoteKeySetOptions::with_max_ttl`]], or [`RemoteKeySetOptions::with_ttl`] (10 min) without one;
//! * a token with an unknown `kid` triggers one refetch, at most once per
//!   [`RemoteKeySetOptions::with_cooldown`] (30 s), so forged `kid`s cannot hammer the server;
//! * single-flight: concurrent misses share one request;
//! * when a refresh fails, the last good keys keep serving for up to
//!   [`RemoteKeySetOptions::with_max_stale`];
//! * after a failed fetch no request goes out for a backoff (the cooldown, doubling with each
//!   consecutive failure up to 5 min): meanwhile the last good keys serve (within
//!   `max_stale`), else callers fail at once with the failure's code instead of each waiting
//!   out the timeout of an endpoint that is down;
//! * timeouts, size caps, `https` only (loopback excepted) and same-host redirects come from
//!   [`crate::http`];
//! * a set from [`discover`] remembers the discovered issuer ([`RemoteKeySet::issuer`]), and a
//!   [`RemoteJwtVerifier`] on it enforces that issuer without being told;
//! * [`RemoteJwtVerifier::verify_cached`] verifies with the cached keys only, without I/O (the
//!   gateway's synchronous path; in `cached`).

mod cached;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use parking_lot::RwLock;
use serde_json::Value;

use super::claims::Claims;
use super::keyset::KeySet;
use super::verify::{JwtVerifier, JwtVerifierOptions};
use super::{
    DEFAULT_JWKS_COOLDOWN, DEFAULT_JWKS_MAX_STALE, DEFAULT_JWKS_MAX_TTL, DEFAULT_JWKS_MIN_TTL,
    DEFAULT_JWKS_TTL,
};
use crate::clock::{self, SharedClock};
use crate::http::{self, HttpPolicy};
use crate::{Error, ErrorCode};

/// Options of a [`RemoteKeySet`]. Every field has a default ([`RemoteKeySetOptions::default`]);
/// chain `with_…` to change one. [`RemoteKeySet::new`] refuses (with `invalid_input`) durations
/// above [`clock::MAX_DURATION`] and a `min_ttl` above `max_ttl`.
#[derive(Debug, Clone)]
pub struct RemoteKeySetOptions {
    pub(crate) ttl: Duration,
    pub(crate) min_ttl: Duration,
    pub(crate) max_ttl: Duration,
    pub(crate) cooldown: Duration,
    pub(crate) max_stale: Duration,
    pub(crate) http: HttpPolicy,
    pub(crate) clock: SharedClock,
}

impl Default for RemoteKeySetOptions {
    fn default() -> Self {
        RemoteKeySetOptions {
            ttl: DEFAULT_JWKS_TTL,
            min_ttl: DEFAULT_JWKS_MIN_TTL,
            max_ttl: DEFAULT_JWKS_MAX_TTL,
            cooldown: DEFAULT_JWKS_COOLDOWN,
            max_stale: DEFAULT_JWKS_MAX_STALE,
            http: HttpPolicy::default(),
            clock: clock::system(),
        }
    }
}

impl RemoteKeySetOptions {
    /// The defaults ([`DEFAULT_JWKS_TTL`], [`DEFAULT_JWKS_MIN_TTL`], [`DEFAULT_JWKS_MAX_TTL`],
    /// [`DEFAULT_JWKS_COOLDOWN`], [`DEFAULT_JWKS_MAX_STALE`], the default [`HttpPolicy`], the
    /// system clock).
    pub fn new() -> Self {
        RemoteKeySetOptions::default()
    }

    /// Cache lifetime when the server sends no `max-age`.
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// Lower bound for `max-age`.
    pub fn with_min_ttl(mut self, min_ttl: Duration) -> Self {
        self.min_ttl = min_ttl;
        self
    }

    /// Upper bound for `max-age`.
    pub fn with_max_ttl(mut self, max_ttl: Duration) -> Self {
        self.max_ttl = max_ttl;
        self
    }

    /// Minimum time between refetches caused by unknown `kid`s.
    pub fn with_cooldown(mut self, cooldown: Duration) -> Self {
        self.cooldown = cooldown;
        self
    }

    /// How long the last good keys may serve after their TTL when refreshes fail.
    pub fn with_max_stale(mut self, max_stale: Duration) -> Self {
        self.max_stale = max_stale;
        self
    }

    /// Timeout, body cap and scheme policy of the requests.
    pub fn with_http(mut self, http: HttpPolicy) -> Self {
        self.http = http;
        self
    }

    /// Reads time from `clock` instead of the system clock.
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    fn check(&self) -> Result<(), Error> {
        for (what, d) in [
            ("ttl", self.ttl),
            ("min_ttl", self.min_ttl),
            ("max_ttl", self.max_ttl),
            ("cooldown", self.cooldown),
            ("max_stale", self.max_stale),
            ("timeout", self.http.timeout),
        ] {
            clock::check_duration(d, what)?;
        }
        if self.min_ttl > self.max_ttl {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "min_ttl must be at most max_ttl",
            ));
        }
        Ok(())
    }
}

/// Longest wait between fetch attempts while the endpoint keeps failing.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

#[derive(Default)]
struct Cache {
    keys: Option<KeySet>,
    fetched_at: Option<SystemTime>,
    fresh_until: Option<SystemTime>,
    last_attempt: Option<SystemTime>,
    /// Consecutive failed fetches, the code of the last one, and when the next may go out.
    failures: u32,
    failure_code: Option<ErrorCode>,
    retry_at: Option<SystemTime>,
    /// Counts completed fetches, so a caller that waited for the flight can tell it landed.
    generation: u64,
}

struct Inner {
    url: String,
    /// The issuer found by [`discover`], enforced by a [`RemoteJwtVerifier`] on this set.
    issuer: Option<String>,
    /// A background refresh started by the synchronous path is under way.
    refreshing: std::sync::atomic::AtomicBool,
    options: RemoteKeySetOptions,
    cache: RwLock<Cache>,
    flight: tokio::sync::Mutex<()>,
    fetches: std::sync::atomic::AtomicU64,
}

/// A JWKS fetched from a URL and cached. Cheap to clone (shared).
#[derive(Clone)]
pub struct RemoteKeySet {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for RemoteKeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteKeySet")
            .field("url", &self.inner.url)
            .finish()
    }
}

impl RemoteKeySet {
    /// A key set for `jwks_url` (checked against the scheme policy now; fetched on first use).
    pub fn new(jwks_url: &str, options: RemoteKeySetOptions) -> Result<RemoteKeySet, Error> {
        RemoteKeySet::with_issuer(jwks_url, None, options)
    }

    fn with_issuer(
        jwks_url: &str,
        issuer: Option<String>,
        options: RemoteKeySetOptions,
    ) -> Result<RemoteKeySet, Error> {
        options.check()?;
        http::check_url(jwks_url, &options.http)?;
        Ok(RemoteKeySet {
            inner: Arc::new(Inner {
                url: jwks_url.to_owned(),
                issuer,
                refreshing: Default::default(),
                options,
                cache: RwLock::new(Cache::default()),
                flight: tokio::sync::Mutex::new(()),
                fetches: Default::default(),
            }),
        })
    }

    /// The JWKS URL.
    pub fn url(&self) -> &str {
        &self.inner.url
    }

    /// The issuer found by [`discover`], when this set came from it: a [`RemoteJwtVerifier`]
    /// on this set accepts only tokens whose `iss` is this issuer.
    pub fn issuer(&self) -> Option<&str> {
        self.inner.issuer.as_deref()
    }

    /// How many HTTP fetches this set has made (for monitoring and tests).
    pub fn fetch_count(&self) -> u64 {
        self.inner
            .fetches
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The current keys: cached while fresh, else refreshed (single-flight), else the last good
    /// keys while within `max_stale`.
    pub async fn keys(&self) -> Result<KeySet, Error> {
        let now = self.inner.options.clock.now();
        let generation = {
            let cache = self.inner.cache.read();
            if let (Some(keys), Some(until)) = (&cache.keys, cache.fresh_until) {
                if now < until {
                    return Ok(keys.clone());
                }
            }
            cache.generation
        };
        self.refresh(generation).await
    }

    /// Verifies `token` with `verifier`'s policy and these keys; an unknown `kid` refetches the
    /// set once (subject to the cooldown).
    async fn verify(&self, verifier: &JwtVerifier, token: &str) -> Result<Claims, Error> {
        let keys = self.keys().await?;
        match verifier.verify_with(token, &keys) {
            Err(e) if e.code() == ErrorCode::KeyNotFound && self.cooldown_elapsed() => {
                let generation = self.inner.cache.read().generation;
                let keys = self.refresh(generation).await?;
                verifier.verify_with(token, &keys)
            }
            other => other,
        }
    }

    fn cooldown_elapsed(&self) -> bool {
        let cache = self.inner.cache.read();
        let now = self.inner.options.clock.now();
        cache.last_attempt.is_none_or(|t| {
            now.duration_since(t).unwrap_or_default() >= self.inner.options.cooldown
        })
    }

    /// Fetches unless another caller completed a fetch since `seen_generation`.
    async fn refresh(&self, seen_generation: u64) -> Result<KeySet, Error> {
        let _flight = self.inner.flight.lock().await;
        {
            let cache = self.inner.cache.read();
            if cache.generation != seen_generation {
                if let Some(keys) = &cache.keys {
                    return Ok(keys.clone());
                }
            }
        }
        let now = self.inner.options.clock.now();
        {
            // Backing off after a failure: no request; stale keys or a fast failure.
            let cache = self.inner.cache.read();
            if let (Some(retry_at), Some(code)) = (cache.retry_at, cache.failure_code) {
                if now < retry_at {
                    return self.stale_or(&cache, now, || {
                        Error::new(
                            code,
                            "the JWKS endpoint failed recently; not retrying until the backoff ends",
                        )
                    });
                }
            }
        }
        self.inner.cache.write().last_attempt = Some(now);
        self.inner
            .fetches
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        match self.fetch().await {
            Ok((keys, ttl)) => {
                let mut cache = self.inner.cache.write();
                cache.keys = Some(keys.clone());
                cache.fetched_at = Some(now);
                cache.fresh_until = Some(clock::add(now, ttl));
                cache.generation += 1;
                cache.failures = 0;
                cache.failure_code = None;
                cache.retry_at = None;
                crate::audit::emit(
                    crate::audit::AuditEvent::success("jwks.fetch")
                        .credential(self.inner.url.clone()),
                );
                Ok(keys)
            }
            Err(err) => {
                crate::audit::emit(
                    crate::audit::AuditEvent::failure("jwks.fetch", &err)
                        .credential(self.inner.url.clone()),
                );
                let mut cache = self.inner.cache.write();
                cache.generation += 1;
                cache.failures = cache.failures.saturating_add(1);
                cache.failure_code = Some(err.code());
                cache.retry_at = Some(clock::add(now, self.backoff(cache.failures)));
                self.stale_or(&cache, now, || err)
            }
        }
    }

    /// The wait after `failures` consecutive failed fetches: the cooldown (at least 1 s),
    /// doubled per further failure, at most `MAX_BACKOFF` (or the cooldown, if longer).
    fn backoff(&self, failures: u32) -> Duration {
        let base = self.inner.options.cooldown.max(Duration::from_secs(1));
        let doubled = base.saturating_mul(1u32 << failures.saturating_sub(1).min(16));
        doubled.min(MAX_BACKOFF.max(base))
    }

    /// The last good keys while within `max_stale`, else `err()`.
    fn stale_or(
        &self,
        cache: &Cache,
        now: SystemTime,
        err: impl FnOnce() -> Error,
    ) -> Result<KeySet, Error> {
        let stale_ok = cache.fetched_at.is_some_and(|t| {
            now.duration_since(t).unwrap_or_default() <= self.inner.options.max_stale
        });
        match (&cache.keys, stale_ok) {
            (Some(keys), true) => Ok(keys.clone()),
            _ => Err(err()),
        }
    }

    async fn fetch(&self) -> Result<(KeySet, Duration), Error> {
        let opts = &self.inner.options;
        let (doc, response) =
            http::get_json(http::Operation::Jwks, &self.inner.url, &opts.http).await?;
        // Symmetric keys from a server are never trusted (see KeySet::from_remote_jwks_value).
        let (keys, _symmetric_skipped) = KeySet::from_remote_jwks_value(&doc).map_err(|e| {
            Error::new(
                ErrorCode::InvalidResponse,
                format!("bad JWKS: {}", e.message()),
            )
        })?;
        let ttl = http::max_age(&response.headers)
            .map(|age| age.max(opts.min_ttl).min(opts.max_ttl))
            .unwrap_or(opts.ttl);
        Ok((keys, ttl))
    }
}

/// Verifies tokens against a [`RemoteKeySet`] with the policy of a [`JwtVerifier`]. `verify` is
/// async: it may fetch keys. Cheap to clone (the key set is shared).
#[derive(Debug, Clone)]
pub struct RemoteJwtVerifier {
    keys: RemoteKeySet,
    verifier: JwtVerifier,
}

impl RemoteJwtVerifier {
    /// A verifier for `keys` with the policy of `options` (refused like [`JwtVerifier::new`]:
    /// `invalid_input` for an empty allowlist or an out-of-range duration).
    ///
    /// When `keys` came from [`discover`], the discovered issuer is enforced: `options` without
    /// issuers gets it, and `options` naming another issuer is refused with `invalid_input`.
    pub fn new(
        keys: RemoteKeySet,
        mut options: JwtVerifierOptions,
    ) -> Result<RemoteJwtVerifier, Error> {
        if let Some(issuer) = keys.issuer() {
            if options.issuers.is_empty() {
                options.issuers = vec![issuer.to_owned()];
            } else if options.issuers.iter().any(|i| i != issuer) {
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    format!(
                        "the key set was discovered for the issuer {issuer:?}: leave the \
                         verifier's issuers unset (that issuer is enforced) or name only it"
                    ),
                ));
            }
        }
        Ok(RemoteJwtVerifier {
            keys,
            verifier: JwtVerifier::new(KeySet::new(), options)?,
        })
    }

    /// The remote key set.
    pub fn keys(&self) -> &RemoteKeySet {
        &self.keys
    }

    /// Verifies `token` and returns its claims, fetching keys when needed; an unknown `kid`
    /// refetches the set once (at most once per cooldown).
    pub async fn verify(&self, token: &str) -> Result<Claims, Error> {
        self.keys.verify(&self.verifier, token).await
    }
}

/// OpenID Connect discovery: fetches `{issuer}/.well-known/openid-configuration`, checks that
/// its `issuer` is exactly `issuer_url` (OIDC Discovery section 4.3), and returns the issuer
/// and a [`RemoteKeySet`] for its `jwks_uri`.
pub async fn discover(
    issuer_url: &str,
    options: RemoteKeySetOptions,
) -> Result<(String, RemoteKeySet), Error> {
    let base = issuer_url.trim_end_matches('/');
    let url = format!("{base}/.well-known/openid-configuration");
    let (doc, _) = http::get_json(http::Operation::Discovery, &url, &options.http).await?;
    let issuer = match doc.get("issuer") {
        Some(Value::String(iss)) if iss.trim_end_matches('/') == base => iss.clone(),
        _ => {
            return Err(Error::new(
                ErrorCode::InvalidResponse,
                "the discovery document names another issuer",
            ))
        }
    };
    let jwks_uri = match doc.get("jwks_uri") {
        Some(Value::String(uri)) => uri.clone(),
        _ => {
            return Err(Error::new(
                ErrorCode::InvalidResponse,
                "the discovery document has no jwks_uri",
            ))
        }
    };
    let keys = RemoteKeySet::with_issuer(&jwks_uri, Some(issuer.clone()), options)?;
    Ok((issuer, keys))
}
