//! Remote JWKS for JS: `RemoteKeySet` (a cached set for a URL, or OpenID Connect discovery) and
//! `RemoteJwtVerifier` whose `verify` returns a Promise.
//! Conversion only: caching, cooldown, single-flight and staleness live in the core.

use crate::napi;
use crate::napi::bindgen_prelude::Either;
use napi_derive::napi;
use tokenward::jwt as core;

use crate::error::{Code, IntoJsResult};
use crate::jwt::{verifier_options, KeySet};

/// Options of a remote key set; durations in seconds, an unset field keeps the core default.
#[napi(object)]
#[derive(Default)]
pub struct RemoteKeySetOptions {
    /// Cache lifetime without `Cache-Control: max-age`, in seconds (default 600).
    pub ttl: Option<f64>,
    /// Minimum time between refetches caused by unknown `kid`s, in seconds (default 30).
    pub cooldown: Option<f64>,
    /// How long the last good keys may serve when refreshes fail, in seconds (default 21600).
    pub max_stale: Option<f64>,
    /// Request timeout, in seconds (default 5).
    pub timeout: Option<f64>,
    /// Allow plain http to non-loopback hosts (insecure).
    pub dangerous_allow_http: Option<bool>,
}

/// A failure handed back as a value: napi's async functions can only reject with napi's own
/// statuses, so `index.js` turns this into an `Error` with `.code` (see `rejectWithCode`).
/// Internal: `tools/public-dts.mjs` keeps it out of the published types.
#[napi(object)]
pub struct Failure {
    /// The stable tokenward code.
    pub code: String,
    /// The code's category: which error class `index.js` rejects with.
    pub category: String,
    /// The message (never secret material).
    pub message: String,
}

pub(crate) fn failure(err: tokenward::Error) -> Failure {
    Failure {
        code: err.code().as_str().to_owned(),
        category: err.code().category().as_str().to_owned(),
        message: err.message().to_owned(),
    }
}

fn options(o: Option<RemoteKeySetOptions>) -> tokenward::Result<core::RemoteKeySetOptions> {
    let o = o.unwrap_or_default();
    // Bounded by the core (NaN, infinite, negative or huge: invalid_input).
    let secs = |v: f64, what| tokenward::clock::duration_from_secs_f64(v, what);
    let mut options = core::RemoteKeySetOptions::new();
    if let Some(ttl) = o.ttl {
        options = options.with_ttl(secs(ttl, "ttl")?);
    }
    if let Some(cooldown) = o.cooldown {
        options = options.with_cooldown(secs(cooldown, "cooldown")?);
    }
    if let Some(max_stale) = o.max_stale {
        options = options.with_max_stale(secs(max_stale, "max_stale")?);
    }
    let mut http = tokenward::http::HttpPolicy::default();
    if let Some(timeout) = o.timeout {
        let timeout = secs(timeout, "timeout")?;
        if timeout.is_zero() {
            return Err(tokenward::Error::new(
                tokenward::ErrorCode::InvalidInput,
                "timeout must be positive seconds",
            ));
        }
        http.timeout = timeout;
    }
    http.dangerous_allow_http = o.dangerous_allow_http.unwrap_or(false);
    Ok(options.with_http(http))
}

/// A JWKS fetched from a URL and cached (TTL / `Cache-Control`, refetch on unknown `kid`
/// with a cooldown, single-flight, last good keys kept when refreshes fail).
#[napi]
pub struct RemoteKeySet {
    pub(crate) inner: core::RemoteKeySet,
    issuer: Option<String>,
}

#[napi]
impl RemoteKeySet {
    /// A cached key set for `jwksUrl` (https, or http on loopback). Fetched on first use.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        jwks_url: String,
        options_: Option<RemoteKeySetOptions>,
    ) -> napi::Result<Self, Code> {
        Ok(RemoteKeySet {
            inner: core::RemoteKeySet::new(&jwks_url, options(options_).js()?).js()?,
            issuer: None,
        })
    }

    /// OpenID Connect discovery (use `RemoteKeySet.discover`, which throws with `.code`):
    /// the issuer's `jwks_uri` as a remote key set; its `issuer` is the discovered issuer.
    #[napi(js_name = "discoverRaw", skip_typescript, catch_unwind)]
    pub async fn discover_raw(
        issuer_url: String,
        options_: Option<RemoteKeySetOptions>,
    ) -> napi::Result<Either<RemoteKeySet, Failure>> {
        crate::unwind::caught(async move {
            let result = match options(options_) {
                Ok(o) => core::discover(&issuer_url, o).await,
                Err(e) => Err(e),
            };
            Ok(match result {
                Ok((issuer, inner)) => Either::A(RemoteKeySet {
                    inner,
                    issuer: Some(issuer),
                }),
                Err(e) => Either::B(failure(e)),
            })
        })
        .await
    }

    /// The JWKS URL.
    #[napi(getter, catch_unwind)]
    pub fn url(&self) -> String {
        self.inner.url().to_owned()
    }

    /// The issuer found by discovery, if any.
    #[napi(getter, catch_unwind)]
    pub fn issuer(&self) -> Option<String> {
        self.issuer.clone()
    }

    /// Number of HTTP fetches made so far.
    #[napi(getter, catch_unwind)]
    pub fn fetch_count(&self) -> f64 {
        self.inner.fetch_count() as f64
    }

    /// The current keys, fetched when not cached (use `keys`, which rejects with `.code`).
    #[napi(js_name = "keysRaw", skip_typescript, catch_unwind)]
    pub async fn keys_raw(&self) -> napi::Result<Either<KeySet, Failure>> {
        crate::unwind::caught(async move {
            Ok(match self.inner.keys().await {
                Ok(keys) => Either::A(KeySet(keys)),
                Err(e) => Either::B(failure(e)),
            })
        })
        .await
    }
}

/// Verifies tokens against a remote key set; `verify` returns a Promise of the claims.
#[napi]
pub struct RemoteJwtVerifier(pub(crate) core::RemoteJwtVerifier);

#[napi]
impl RemoteJwtVerifier {
    /// Same options as `JwtVerifier` (`algorithms` required).
    #[napi(constructor, catch_unwind)]
    pub fn new(
        keys: &RemoteKeySet,
        options: crate::jwt::JwtVerifierOptions,
    ) -> napi::Result<Self, Code> {
        let options = verifier_options(options).js()?;
        Ok(RemoteJwtVerifier(
            core::RemoteJwtVerifier::new(keys.inner.clone(), options).js()?,
        ))
    }

    /// Verifies `token`, fetching keys when needed (use `verify`, which parses the claims and
    /// rejects with `.code`): the claims as JSON text, or the failure.
    #[napi(js_name = "verifyRaw", skip_typescript, catch_unwind)]
    pub async fn verify_raw(&self, token: String) -> napi::Result<Either<String, Failure>> {
        crate::unwind::caught(async move {
            Ok(match self.0.verify(&token).await {
                Ok(claims) => Either::A(claims.to_json()),
                Err(e) => Either::B(failure(e)),
            })
        })
        .await
    }
}
