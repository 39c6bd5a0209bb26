//! Remote JWKS for Swift and Kotlin: `RemoteKeySet` (a JWKS URL, or OpenID Connect
//! discovery) and `RemoteJwtVerifier`, whose `verify` is async. Caching, refetch on unknown
//! `kid` with a cooldown, single-flight and bounded staleness live in the core; local-key
//! verification stays synchronous on `JwtVerifier`.

use std::sync::Arc;
use std::time::Duration;

use tokenward::jwt as core;

use crate::error::FfiResult;
use crate::jwt::KeySet;
use crate::jwt::{JwtVerifierOptions, VerifiedClaims};
use crate::oauth::{http_policy, on_runtime};

/// Options of a `RemoteKeySet`; every `null`/`nil` keeps the library default.
#[derive(Debug, Clone, uniffi::Record)]
pub struct RemoteKeySetOptions {
    /// Cache lifetime without `Cache-Control: max-age` (default 10 min).
    #[uniffi(default = None)]
    pub ttl: Option<Duration>,
    /// Minimum time between refetches caused by unknown `kid`s (default 30 s).
    #[uniffi(default = None)]
    pub cooldown: Option<Duration>,
    /// How long the last good keys may serve when refreshes fail (default 6 h).
    #[uniffi(default = None)]
    pub max_stale: Option<Duration>,
    /// Timeout of each request (default 5 s).
    #[uniffi(default = None)]
    pub timeout: Option<Duration>,
    /// Allow plain `http://` to non-loopback hosts. Insecure: keys in clear text.
    #[uniffi(default = false)]
    pub dangerous_allow_http: bool,
}

fn remote_options(o: Option<RemoteKeySetOptions>) -> FfiResult<core::RemoteKeySetOptions> {
    let mut options = core::RemoteKeySetOptions::new();
    let Some(o) = o else { return Ok(options) };
    // Durations are bounded by the core (`RemoteKeySet::new`: invalid_input).
    if let Some(ttl) = o.ttl {
        options = options.with_ttl(ttl);
    }
    if let Some(cooldown) = o.cooldown {
        options = options.with_cooldown(cooldown);
    }
    if let Some(max_stale) = o.max_stale {
        options = options.with_max_stale(max_stale);
    }
    let mut http = http_policy(o.timeout)?;
    http.dangerous_allow_http = o.dangerous_allow_http;
    Ok(options.with_http(http))
}

/// A JWKS fetched from a URL and cached (TTL / `Cache-Control`, refetch on unknown `kid`
/// with a cooldown, single-flight, last good keys kept when refreshes fail). Pass it to
/// `RemoteJwtVerifier`.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct RemoteKeySet {
    pub(crate) inner: core::RemoteKeySet,
    issuer: Option<String>,
}

impl std::fmt::Debug for RemoteKeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl std::fmt::Display for RemoteKeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RemoteKeySet(url: {})", self.inner.url())
    }
}

#[uniffi::export]
impl RemoteKeySet {
    /// A cached key set for `jwksUrl` (https, or http on loopback); fetched on first use.
    #[uniffi::constructor(default(options = None))]
    pub fn new(jwks_url: String, options: Option<RemoteKeySetOptions>) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(RemoteKeySet {
            inner: core::RemoteKeySet::new(&jwks_url, remote_options(options)?)?,
            issuer: None,
        }))
    }

    /// OpenID Connect discovery: fetches `{issuerUrl}/.well-known/openid-configuration`,
    /// checks its `issuer`, and returns its `jwks_uri` as a remote key set.
    #[uniffi::constructor(default(options = None))]
    pub async fn discover(
        issuer_url: String,
        options: Option<RemoteKeySetOptions>,
    ) -> FfiResult<Arc<Self>> {
        let options = remote_options(options)?;
        let (issuer, inner) =
            on_runtime(async move { core::discover(&issuer_url, options).await }).await?;
        Ok(Arc::new(RemoteKeySet {
            inner,
            issuer: Some(issuer),
        }))
    }

    /// The JWKS URL.
    pub fn url(&self) -> String {
        self.inner.url().to_owned()
    }

    /// The issuer found by discovery, if this set came from `discover`.
    pub fn issuer(&self) -> Option<String> {
        self.issuer.clone()
    }

    /// Number of HTTP fetches made so far.
    pub fn fetch_count(&self) -> u64 {
        self.inner.fetch_count()
    }

    /// The current keys (fetched when not cached), as a `KeySet` snapshot.
    pub async fn keys(&self) -> FfiResult<Arc<KeySet>> {
        let inner = self.inner.clone();
        let keys = on_runtime(async move { inner.keys().await }).await?;
        Ok(KeySet::from_core(keys))
    }
}

/// Verifies tokens against a `RemoteKeySet` with the same policy options as `JwtVerifier`
/// (`algorithms` required). `verify` is async: it may fetch keys.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct RemoteJwtVerifier(pub(crate) core::RemoteJwtVerifier);

impl std::fmt::Debug for RemoteJwtVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl std::fmt::Display for RemoteJwtVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RemoteJwtVerifier(url: {})", self.0.keys().url())
    }
}

impl RemoteJwtVerifier {
    async fn claims(&self, token: String) -> FfiResult<core::Claims> {
        let verifier = self.0.clone();
        on_runtime(async move { verifier.verify(&token).await }).await
    }
}

#[uniffi::export]
impl RemoteJwtVerifier {
    /// A verifier for `keys` with `options` (fails with `invalid_input` when `algorithms` is
    /// empty).
    #[uniffi::constructor]
    pub fn new(keys: Arc<RemoteKeySet>, options: JwtVerifierOptions) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(RemoteJwtVerifier(core::RemoteJwtVerifier::new(
            keys.inner.clone(),
            options.into(),
        )?)))
    }

    /// Verifies `token` (fetching keys when needed; an unknown `kid` refetches once, subject
    /// to the cooldown) and returns its claims as JSON text.
    pub async fn verify(&self, token: String) -> FfiResult<String> {
        Ok(self.claims(token).await?.to_json())
    }

    /// Like `verify`, with the registered claims typed.
    pub async fn verify_claims(&self, token: String) -> FfiResult<VerifiedClaims> {
        Ok(self.claims(token).await?.into())
    }
}
