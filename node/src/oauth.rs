//! OAuth 2.0 for JS: `OAuthClient`, `Pkce`, `AccessToken`, `TokenResponse`, `TokenSource`.
//! Conversion only: grants, error mapping, PKCE and refresh scheduling live in the core.
//!
//! Promises: napi's async functions can only reject with napi's own statuses, so the native
//! `...Raw` methods resolve to a value or a `{ code, message }` failure and `index.js` turns the
//! failure into an `Error` with `.code` (as for remote JWKS).
//!
//! `TokenSource.token()` is the hot path: the native `tokenStart()` polls the core future once,
//! synchronously, inside the library runtime. A cached token is ready on that first poll and is
//! returned without any thread hop; otherwise the very same future (never dropped, so a started
//! request is never lost) is spawned on the library runtime and awaited through `PendingToken`.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, UNIX_EPOCH};

use crate::napi;
use crate::napi::bindgen_prelude::{ClassInstance, Either, Either3, Function};
use crate::napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use crate::napi::Status;
use napi_derive::napi;
use tokenward::__bindings::runtime;
use tokenward::http::HttpPolicy;
use tokenward::oauth::{self, AuthMethod};
use tokenward::refresh::{self, RefreshOptions};
use tokenward::{Error, ErrorCode};

use crate::error::{to_js, Code, IntoJsResult};
use crate::jwt::JwtKey;
use crate::jwt_remote::Failure;
use crate::secret::Secret;

fn failure(err: Error) -> Failure {
    Failure {
        code: err.code().as_str().to_owned(),
        category: err.code().category().as_str().to_owned(),
        message: err.message().to_owned(),
    }
}

fn invalid_input(msg: &'static str) -> Error {
    Error::new(ErrorCode::InvalidInput, msg)
}

/// Seconds from a JS number, bounded by the core (`invalid_input` naming `what` for NaN,
/// infinities, negative values and values above `clock::MAX_DURATION_SECS`).
fn secs(value: f64, what: &'static str) -> tokenward::Result<Duration> {
    tokenward::clock::duration_from_secs_f64(value, what)
}

fn policy(
    timeout: Option<f64>,
    dangerous_allow_http: Option<bool>,
) -> tokenward::Result<HttpPolicy> {
    let mut p = HttpPolicy::default();
    if let Some(t) = timeout {
        if !(t.is_finite() && t > 0.0) {
            return Err(invalid_input(
                "timeout must be a positive number of seconds",
            ));
        }
        p.timeout = secs(t, "timeout")?;
    }
    p.dangerous_allow_http = dangerous_allow_http.unwrap_or(false);
    Ok(p)
}

/// A string or a `Secret` argument as a core secret.
fn secret_arg(value: Either<String, &Secret>) -> tokenward::Result<tokenward::Secret> {
    match value {
        Either::A(s) => tokenward::Secret::new(s),
        Either::B(s) => Ok(s.0.clone()),
    }
}

// ---------------------------------------------------------------------------------------------
// Tokens

/// An access token. `util.inspect`, `toString()` and `JSON.stringify` are redacted; read the
/// value with the explicit `expose()`.
#[napi]
pub struct AccessToken(pub(crate) oauth::AccessToken);

#[napi]
impl AccessToken {
    /// The token string, for an `Authorization` header (explicit on purpose).
    #[napi(catch_unwind)]
    pub fn expose(&self) -> String {
        self.0.expose().to_owned()
    }

    /// Expiry in milliseconds since the epoch (`expiresAt` gives it as a `Date`), or null when
    /// the server gave no lifetime.
    #[napi(getter, catch_unwind)]
    pub fn expires_at_ms(&self) -> Option<f64> {
        self.0
            .expires_at()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_millis() as f64)
    }

    /// The granted scopes.
    #[napi(getter, catch_unwind)]
    pub fn scopes(&self) -> Vec<String> {
        self.0.scopes().to_vec()
    }

    /// The token type (`Bearer`, …).
    #[napi(getter, catch_unwind)]
    pub fn token_type(&self) -> String {
        self.0.token_type().to_owned()
    }

    /// A short identifier of the token, safe to log.
    #[napi(getter, catch_unwind)]
    pub fn fingerprint(&self) -> String {
        self.0.secret().fingerprint().to_owned()
    }

    /// The redacted form, `AccessToken([REDACTED:<fingerprint>])`.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn to_display_string(&self) -> String {
        self.0.redacted()
    }

    /// `JSON.stringify` gives the redacted form, never the value.
    #[napi(js_name = "toJSON", catch_unwind)]
    pub fn to_json(&self) -> String {
        self.0.redacted()
    }
}

/// A token-endpoint answer. `refreshToken` (possibly rotated: persist it when it changes) and
/// `idToken` are `Secret`s; every printed form is redacted.
#[napi]
pub struct TokenResponse(pub(crate) oauth::TokenResponse);

#[napi]
impl TokenResponse {
    /// The access token.
    #[napi(getter, catch_unwind)]
    pub fn access_token(&self) -> AccessToken {
        AccessToken(self.0.access_token.clone())
    }

    /// The refresh token, if any (replace the stored one when it changes).
    #[napi(getter, catch_unwind)]
    pub fn refresh_token(&self) -> Option<Secret> {
        self.0.refresh_token.clone().map(Secret)
    }

    /// The OpenID Connect ID token, if any.
    #[napi(getter, catch_unwind)]
    pub fn id_token(&self) -> Option<Secret> {
        self.0.id_token.clone().map(Secret)
    }

    /// Lifetime in seconds announced by the server.
    #[napi(getter, catch_unwind)]
    pub fn expires_in(&self) -> Option<f64> {
        self.0.expires_in.map(|d| d.as_secs() as f64)
    }

    /// The redacted form.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn to_display_string(&self) -> String {
        format!(
            "TokenResponse(accessToken={}, refreshToken={}, idToken={}, expiresIn={})",
            self.0.access_token.redacted(),
            self.0
                .refresh_token
                .as_ref()
                .map_or("null".to_owned(), |s| s.redacted()),
            self.0
                .id_token
                .as_ref()
                .map_or("null".to_owned(), |s| s.redacted()),
            self.0
                .expires_in
                .map_or("null".to_owned(), |d| d.as_secs().to_string())
        )
    }

    /// `JSON.stringify` gives the redacted fields, never token material.
    #[napi(js_name = "toJSON", catch_unwind)]
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "accessToken": self.0.access_token.redacted(),
            "refreshToken": self.0.refresh_token.as_ref().map(|s| s.redacted()),
            "idToken": self.0.id_token.as_ref().map(|s| s.redacted()),
            "expiresIn": self.0.expires_in.map(|d| d.as_secs()),
            "scopes": self.0.access_token.scopes(),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// PKCE

/// A PKCE (RFC 7636, S256) verifier and its challenge, for the authorization-code flow.
#[napi]
pub struct Pkce(pub(crate) oauth::Pkce);

#[napi]
impl Pkce {
    /// A fresh random verifier (43 characters) and its challenge.
    #[napi(factory, catch_unwind)]
    pub fn generate() -> napi::Result<Self, Code> {
        Ok(Pkce(oauth::Pkce::generate().js()?))
    }

    /// Wraps an existing verifier (43–128 unreserved characters).
    #[napi(factory, catch_unwind)]
    pub fn from_verifier(verifier: String) -> napi::Result<Self, Code> {
        Ok(Pkce(oauth::Pkce::from_verifier(&verifier).js()?))
    }

    /// The verifier (a `Secret`; sent with the code exchange).
    #[napi(getter, catch_unwind)]
    pub fn verifier(&self) -> Secret {
        Secret(self.0.verifier().clone())
    }

    /// The S256 code challenge.
    #[napi(getter, catch_unwind)]
    pub fn challenge(&self) -> String {
        self.0.challenge().to_owned()
    }

    /// Always `S256`.
    #[napi(getter, catch_unwind)]
    pub fn method(&self) -> &'static str {
        self.0.method()
    }

    /// The URL to open in the browser: `authorizeUrl` with `response_type=code`, `client_id`,
    /// `redirect_uri`, `scope`, `state` and the challenge.
    #[napi(catch_unwind)]
    pub fn authorization_url(
        &self,
        authorize_url: String,
        client_id: String,
        redirect_uri: String,
        scopes: Option<Vec<String>>,
        state: String,
    ) -> napi::Result<String, Code> {
        self.0
            .authorization_url(
                &authorize_url,
                &client_id,
                &redirect_uri,
                &scopes.unwrap_or_default(),
                &state,
            )
            .js()
    }

    /// Redacted: the challenge only.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn to_display_string(&self) -> String {
        format!("Pkce(challenge={}, method=S256)", self.0.challenge())
    }

    /// Redacted: the challenge only.
    #[napi(js_name = "toJSON", catch_unwind)]
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "challenge": self.0.challenge(), "method": "S256" })
    }
}

// ---------------------------------------------------------------------------------------------
// Client

/// Settings of an `OAuthClient`.
#[napi(object, object_to_js = false)]
pub struct OAuthClientOptions<'a> {
    /// The token endpoint (https, or http on loopback).
    pub token_url: String,
    /// The client id.
    pub client_id: String,
    /// The client secret (for `client_secret_basic` / `client_secret_post`).
    pub client_secret: Option<Either<String, ClassInstance<'a, Secret>>>,
    /// `client_secret_basic` (default), `client_secret_post`, `private_key_jwt` or `none`.
    pub auth_method: Option<String>,
    /// The signing key for `private_key_jwt` (also selects that method).
    pub private_key: Option<ClassInstance<'a, JwtKey>>,
    /// The RFC 7662 introspection endpoint.
    pub introspection_url: Option<String>,
    /// The RFC 7009 revocation endpoint.
    pub revocation_url: Option<String>,
    /// The authorization endpoint (for the PKCE authorization URL).
    pub authorization_url: Option<String>,
    /// Request timeout in seconds (default 5).
    pub timeout: Option<f64>,
    /// Allow plain http to non-loopback hosts (insecure).
    pub dangerous_allow_http: Option<bool>,
}

/// Client settings applied after discovery (the endpoints come from the server).
#[napi(object, object_to_js = false)]
pub struct OAuthDiscoveredOptions<'a> {
    /// The client secret.
    pub client_secret: Option<Either<String, ClassInstance<'a, Secret>>>,
    /// Overrides the discovered authentication method.
    pub auth_method: Option<String>,
    /// The signing key for `private_key_jwt`.
    pub private_key: Option<ClassInstance<'a, JwtKey>>,
}

/// Options of `OAuthClient.discover` used for the metadata request.
#[napi(object)]
#[derive(Default)]
pub struct OAuthDiscoverOptions {
    /// Request timeout in seconds (default 5).
    pub timeout: Option<f64>,
    /// Allow plain http to non-loopback hosts (insecure).
    pub dangerous_allow_http: Option<bool>,
}

fn finish(
    mut b: oauth::OAuthClientBuilder,
    client_secret: Option<Either<String, ClassInstance<'_, Secret>>>,
    auth_method: Option<String>,
    private_key: Option<ClassInstance<'_, JwtKey>>,
) -> tokenward::Result<OAuthClient> {
    if let Some(s) = client_secret {
        let s = match s {
            Either::A(text) => secret_arg(Either::A(text))?,
            Either::B(sec) => secret_arg(Either::B(&sec))?,
        };
        b = b.client_secret(s);
    }
    if let Some(k) = private_key {
        b = b.private_key(k.0.clone());
    }
    if let Some(m) = auth_method {
        b = b.auth_method(AuthMethod::parse(&m)?);
    }
    Ok(OAuthClient(b.build()?))
}

/// The answer of a discovery (`OAuthClient.discover` builds the client from it).
#[napi]
pub struct OAuthDiscovery {
    builder: oauth::OAuthClientBuilder,
    meta: oauth::ServerMetadata,
}

#[napi]
impl OAuthDiscovery {
    /// Builds the client with the discovered endpoints and these credentials.
    #[napi(catch_unwind)]
    pub fn build(
        &self,
        options: Option<OAuthDiscoveredOptions>,
    ) -> napi::Result<OAuthClient, Code> {
        let (secret, method, key) = match options {
            Some(o) => (o.client_secret, o.auth_method, o.private_key),
            None => (None, None, None),
        };
        finish(self.builder.clone(), secret, method, key).js()
    }

    /// The issuer.
    #[napi(getter, catch_unwind)]
    pub fn issuer(&self) -> String {
        self.meta.issuer.clone()
    }

    /// The `jwks_uri`, if published.
    #[napi(getter, catch_unwind)]
    pub fn jwks_uri(&self) -> Option<String> {
        self.meta.jwks_uri.clone()
    }
}

/// An OAuth 2.0 client of one authorization server. Network methods return Promises that
/// reject with an `Error` whose `.code` is the tokenward code (RFC 6749 errors included).
#[napi]
#[derive(Clone)]
pub struct OAuthClient(pub(crate) oauth::OAuthClient);

/// A native token request's result: the response or the failure.
fn token_outcome(
    r: tokenward::Result<oauth::TokenResponse>,
) -> napi::Result<Either<TokenResponse, Failure>> {
    Ok(match r {
        Ok(t) => Either::A(TokenResponse(t)),
        Err(e) => Either::B(failure(e)),
    })
}

#[napi]
impl OAuthClient {
    /// A client of the token endpoint `tokenUrl`; throws with `.code` (`invalid_input`) on bad
    /// settings.
    #[napi(constructor, catch_unwind)]
    pub fn new(options: OAuthClientOptions) -> napi::Result<Self, Code> {
        let mut b = oauth::OAuthClient::builder(options.token_url, options.client_id)
            .http_policy(policy(options.timeout, options.dangerous_allow_http).js()?);
        if let Some(u) = options.introspection_url {
            b = b.introspection_url(u);
        }
        if let Some(u) = options.revocation_url {
            b = b.revocation_url(u);
        }
        if let Some(u) = options.authorization_url {
            b = b.authorization_url(u);
        }
        finish(
            b,
            options.client_secret,
            options.auth_method,
            options.private_key,
        )
        .js()
    }

    /// Discovery (use `OAuthClient.discover`, which rejects with `.code`): RFC 8414 metadata,
    /// then OpenID Connect.
    #[napi(js_name = "discoverRaw", skip_typescript, catch_unwind)]
    pub async fn discover_raw(
        issuer_url: String,
        client_id: String,
        options: Option<OAuthDiscoverOptions>,
    ) -> napi::Result<Either<OAuthDiscovery, Failure>> {
        crate::unwind::caught(async move {
            let o = options.unwrap_or_default();
            let result = match policy(o.timeout, o.dangerous_allow_http) {
                Ok(p) => oauth::OAuthClient::discover(&issuer_url, client_id, p).await,
                Err(e) => Err(e),
            };
            Ok(match result {
                Ok((builder, meta)) => Either::A(OAuthDiscovery { builder, meta }),
                Err(e) => Either::B(failure(e)),
            })
        })
        .await
    }

    /// The token endpoint.
    #[napi(getter, catch_unwind)]
    pub fn token_url(&self) -> String {
        self.0.token_url().to_owned()
    }

    /// The client id.
    #[napi(getter, catch_unwind)]
    pub fn client_id(&self) -> String {
        self.0.client_id().to_owned()
    }

    /// The client authentication method.
    #[napi(getter, catch_unwind)]
    pub fn auth_method(&self) -> &'static str {
        self.0.auth_method().as_str()
    }

    /// The authorization endpoint, when known (discovered or configured).
    #[napi(getter, catch_unwind)]
    pub fn authorization_url(&self) -> Option<String> {
        self.0.authorization_url().map(str::to_owned)
    }

    /// Client credentials grant (use `clientCredentials`).
    #[napi(js_name = "clientCredentialsRaw", skip_typescript, catch_unwind)]
    pub async fn client_credentials_raw(
        &self,
        scopes: Option<Vec<String>>,
    ) -> napi::Result<Either<TokenResponse, Failure>> {
        crate::unwind::caught(async move {
            token_outcome(self.0.client_credentials(&scopes.unwrap_or_default()).await)
        })
        .await
    }

    /// Refresh-token grant (use `refresh`).
    #[napi(js_name = "refreshRaw", skip_typescript, catch_unwind)]
    pub async fn refresh_raw(
        &self,
        refresh_token: Either<String, &Secret>,
        scopes: Option<Vec<String>>,
    ) -> napi::Result<Either<TokenResponse, Failure>> {
        crate::unwind::caught(async move {
            let rt = match secret_arg(refresh_token) {
                Ok(rt) => rt,
                Err(e) => return token_outcome(Err(e)),
            };
            token_outcome(self.0.refresh(&rt, &scopes.unwrap_or_default()).await)
        })
        .await
    }

    /// Authorization-code exchange with the PKCE verifier (use `exchangeCode`).
    #[napi(js_name = "exchangeCodeRaw", skip_typescript, catch_unwind)]
    pub async fn exchange_code_raw(
        &self,
        code: Either<String, &Secret>,
        redirect_uri: String,
        pkce: Option<&Pkce>,
    ) -> napi::Result<Either<TokenResponse, Failure>> {
        crate::unwind::caught(async move {
            let code = match secret_arg(code) {
                Ok(c) => c,
                Err(e) => return token_outcome(Err(e)),
            };
            let pkce = pkce.map(|p| p.0.clone());
            token_outcome(
                self.0
                    .exchange_code(&code, &redirect_uri, pkce.as_ref())
                    .await,
            )
        })
        .await
    }

    /// RFC 7662 introspection (use `introspect`): the answer as JSON text, or the failure.
    #[napi(js_name = "introspectRaw", skip_typescript, catch_unwind)]
    pub async fn introspect_raw(
        &self,
        token: Either<String, &Secret>,
        token_type_hint: Option<String>,
    ) -> napi::Result<Either<String, Failure>> {
        crate::unwind::caught(async move {
            let result = match secret_arg(token) {
                Ok(t) => self.0.introspect(&t, token_type_hint.as_deref()).await,
                Err(e) => Err(e),
            };
            Ok(match result {
                Ok(i) => Either::A(serde_json::Value::Object(i.claims).to_string()),
                Err(e) => Either::B(failure(e)),
            })
        })
        .await
    }

    /// RFC 7009 revocation (use `revoke`): null, or the failure.
    #[napi(js_name = "revokeRaw", skip_typescript, catch_unwind)]
    pub async fn revoke_raw(
        &self,
        token: Either<String, &Secret>,
        token_type_hint: Option<String>,
    ) -> napi::Result<Option<Failure>> {
        crate::unwind::caught(async move {
            let result = match secret_arg(token) {
                Ok(t) => self.0.revoke(&t, token_type_hint.as_deref()).await,
                Err(e) => Err(e),
            };
            Ok(result.err().map(failure))
        })
        .await
    }

    /// `OAuthClient(tokenUrl=…, clientId=…, authMethod=…)`; never the secret.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn to_display_string(&self) -> String {
        format!(
            "OAuthClient(tokenUrl={:?}, clientId={:?}, authMethod={:?})",
            self.0.token_url(),
            self.0.client_id(),
            self.0.auth_method().as_str()
        )
    }
}

// ---------------------------------------------------------------------------------------------
// TokenSource

/// Options of a `TokenSource` (durations in seconds).
#[napi(object)]
#[derive(Default)]
pub struct TokenSourceOptions {
    /// Requested scopes (client credentials; refresh: empty means the granted ones).
    pub scopes: Option<Vec<String>>,
    /// Refresh when less than `min(refreshAhead, lifetime × refreshAheadFraction)` remains
    /// (default 300).
    pub refresh_ahead: Option<f64>,
    /// See `refreshAhead` (default 0.5).
    pub refresh_ahead_fraction: Option<f64>,
    /// Random part of the refresh window by which the refresh moves earlier (default 0.1).
    pub jitter: Option<f64>,
    /// Stop handing out a token when less than `min(expiryMargin, lifetime / 4)` remains
    /// (default 5).
    pub expiry_margin: Option<f64>,
    /// Lifetime assumed when the server gives no `expires_in` (default 3600).
    pub default_lifetime: Option<f64>,
    /// First retry delay after a transient failure (default 1); doubles each time.
    pub backoff_initial: Option<f64>,
    /// Longest retry delay (default 60).
    pub backoff_max: Option<f64>,
    /// Refresh in the background (default true); otherwise on demand.
    pub background: Option<bool>,
    /// `fromTokenResponse` only: `'client_credentials'` to refresh with the client-credentials
    /// grant for `scopes` (needed when the response has no refresh token).
    pub fallback: Option<String>,
}

fn refresh_options(o: &TokenSourceOptions) -> tokenward::Result<RefreshOptions> {
    let mut r = RefreshOptions::default();
    if let Some(v) = o.refresh_ahead {
        r.refresh_ahead = secs(v, "refreshAhead")?;
    }
    if let Some(v) = o.refresh_ahead_fraction {
        r.refresh_ahead_fraction = v; // range checked by RefreshOptions::validate
    }
    if let Some(v) = o.jitter {
        r.jitter = v;
    }
    if let Some(v) = o.expiry_margin {
        r.expiry_margin = secs(v, "expiryMargin")?;
    }
    if let Some(v) = o.default_lifetime {
        r.default_lifetime = secs(v, "defaultLifetime")?;
    }
    if let Some(v) = o.backoff_initial {
        r.backoff_initial = secs(v, "backoffInitial")?;
    }
    if let Some(v) = o.backoff_max {
        r.backoff_max = secs(v, "backoffMax")?;
    }
    if let Some(v) = o.background {
        r.background = v;
    }
    Ok(r)
}

type RefreshHook = ThreadsafeFunction<TokenResponse, (), TokenResponse, Status, false, true>;
type ErrorHook = ThreadsafeFunction<Failure, (), Failure, Status, false, true>;

fn hook_error() -> napi::Error<Code> {
    to_js(Error::new(
        ErrorCode::Internal,
        "cannot register the callback",
    ))
}

/// Polls `fut` once without a waker (the caller re-polls it on a runtime if it is pending).
fn poll_once<F: Future + ?Sized>(fut: Pin<&mut F>) -> Poll<F::Output> {
    fut.poll(&mut Context::from_waker(Waker::noop()))
}

type TokenJob = napi::tokio::task::JoinHandle<tokenward::Result<oauth::AccessToken>>;

/// A token request in flight (returned by `tokenStart`; `TokenSource.token()` awaits it).
/// Internal: `tools/public-dts.mjs` keeps it out of the published types.
#[napi]
pub struct PendingToken {
    job: Mutex<Option<TokenJob>>,
}

#[napi]
impl PendingToken {
    /// Waits for the token: the token, or the failure.
    #[napi(skip_typescript, catch_unwind)]
    pub async fn wait(&self) -> napi::Result<Either<AccessToken, Failure>> {
        crate::unwind::caught(async move {
            let job = self
                .job
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            let Some(job) = job else {
                return Ok(Either::B(failure(invalid_input("already awaited"))));
            };
            Ok(match job.await {
                Ok(Ok(t)) => Either::A(AccessToken(t)),
                Ok(Err(e)) => Either::B(failure(e)),
                Err(_) => Either::B(failure(Error::new(
                    ErrorCode::Internal,
                    "the token request was aborted",
                ))),
            })
        })
        .await
    }
}

/// An access token that is always valid when asked for: refreshed in the background ahead of
/// expiry, one request however many callers wait, `invalid_grant` terminal
/// (`status === 'reauthentication_required'`). Stops on `close()` or when garbage-collected;
/// it never keeps Node's event loop alive.
#[napi]
pub struct TokenSource(refresh::TokenSource);

#[napi]
impl TokenSource {
    /// A source using the client-credentials grant for `options.scopes`.
    #[napi(factory, catch_unwind)]
    pub fn client_credentials(
        client: &OAuthClient,
        options: Option<TokenSourceOptions>,
    ) -> napi::Result<Self, Code> {
        let o = options.unwrap_or_default();
        let r = refresh_options(&o).js()?;
        Ok(TokenSource(
            refresh::TokenSource::client_credentials(
                client.0.clone(),
                o.scopes.unwrap_or_default(),
                r,
            )
            .js()?,
        ))
    }

    /// A source refreshing with `refreshToken` (rotated tokens replace it: see `onRefresh`).
    #[napi(factory, catch_unwind)]
    pub fn from_refresh_token(
        client: &OAuthClient,
        refresh_token: Either<String, &Secret>,
        options: Option<TokenSourceOptions>,
    ) -> napi::Result<Self, Code> {
        let o = options.unwrap_or_default();
        let r = refresh_options(&o).js()?;
        Ok(TokenSource(
            refresh::TokenSource::from_refresh_token(
                client.0.clone(),
                secret_arg(refresh_token).js()?,
                o.scopes.unwrap_or_default(),
                r,
            )
            .js()?,
        ))
    }

    /// A source seeded with a token response (e.g. from `exchangeCode`): no request until it
    /// needs refreshing; then it uses the response's refresh token, or, with
    /// `fallback: 'client_credentials'`, the client-credentials grant for `options.scopes`.
    /// Without either it throws `invalid_input`.
    #[napi(factory, catch_unwind)]
    pub fn from_token_response(
        client: &OAuthClient,
        response: &TokenResponse,
        options: Option<TokenSourceOptions>,
    ) -> napi::Result<Self, Code> {
        let o = options.unwrap_or_default();
        let r = refresh_options(&o).js()?;
        let scopes = o.scopes.unwrap_or_default();
        let fallback =
            match (o.fallback.as_deref(), &response.0.refresh_token) {
                (Some("client_credentials"), _) => oauth::Grant::ClientCredentials { scopes },
                (Some(_), _) => {
                    return Err(to_js(invalid_input(
                        "fallback must be 'client_credentials' or absent",
                    )))
                }
                (None, Some(rt)) => oauth::Grant::RefreshToken {
                    refresh_token: rt.clone(),
                    scopes,
                },
                (None, None) => return Err(to_js(invalid_input(
                    "the token response has no refresh token: pass fallback: 'client_credentials'",
                ))),
            };
        Ok(TokenSource(
            refresh::TokenSource::from_token_response(
                Arc::new(client.0.clone()),
                response.0.clone(),
                fallback,
                r,
            )
            .js()?,
        ))
    }

    /// Starts `token()` (use `token()`): the usable token or the failure right away, or a
    /// `PendingToken` when a request is needed. When the usable token has the fingerprint
    /// `knownFingerprint`, answers null instead of a new `AccessToken` object (the caller
    /// already holds it; creating the object is most of the cost of the hot path).
    #[napi(js_name = "tokenStart", skip_typescript, catch_unwind)]
    pub fn token_start(
        &self,
        known_fingerprint: Option<String>,
    ) -> Option<Either3<AccessToken, Failure, PendingToken>> {
        let rt = match runtime::runtime() {
            Ok(rt) => rt,
            Err(e) => return Some(Either3::B(failure(e))),
        };
        let source = self.0.clone();
        let mut fut = Box::pin(async move { source.token().await });
        let polled = {
            let _entered = rt.enter();
            poll_once(fut.as_mut())
        };
        Some(match polled {
            Poll::Ready(Ok(t)) => {
                if known_fingerprint.as_deref() == Some(t.secret().fingerprint()) {
                    return None;
                }
                Either3::A(AccessToken(t))
            }
            Poll::Ready(Err(e)) => Either3::B(failure(e)),
            Poll::Pending => Either3::C(PendingToken {
                job: Mutex::new(Some(rt.spawn(fut))),
            }),
        })
    }

    /// Requests a new token now (use `forceRefresh`); concurrent calls share one request.
    #[napi(js_name = "forceRefreshRaw", skip_typescript, catch_unwind)]
    pub async fn force_refresh_raw(&self) -> napi::Result<Either<AccessToken, Failure>> {
        crate::unwind::caught(async move {
            let source = self.0.clone();
            let result = match runtime::runtime() {
                Ok(rt) => rt
                    .spawn(async move { source.force_refresh().await })
                    .await
                    .unwrap_or_else(|_| {
                        Err(Error::new(
                            ErrorCode::Internal,
                            "the token request was aborted",
                        ))
                    }),
                Err(e) => Err(e),
            };
            Ok(match result {
                Ok(t) => Either::A(AccessToken(t)),
                Err(e) => Either::B(failure(e)),
            })
        })
        .await
    }

    /// Calls `callback(response)` after each refresh, asynchronously on the main thread
    /// (persist a rotated `response.refreshToken` from here). The callback does not keep Node
    /// alive.
    #[napi(catch_unwind)]
    pub fn on_refresh(&self, callback: Function<TokenResponse, ()>) -> napi::Result<(), Code> {
        let tsfn: RefreshHook = callback
            .build_threadsafe_function()
            .callee_handled::<false>()
            .weak::<true>()
            .build()
            .map_err(|_| hook_error())?;
        self.0.on_refresh(Arc::new(move |r: &oauth::TokenResponse| {
            tsfn.call(
                TokenResponse(r.clone()),
                ThreadsafeFunctionCallMode::NonBlocking,
            );
        }));
        Ok(())
    }

    /// Calls `callback({ code, message })` after each failed request (use `onError`, which
    /// passes an `Error` with `.code`).
    #[napi(js_name = "onErrorRaw", skip_typescript, catch_unwind)]
    pub fn on_error_raw(&self, callback: Function<Failure, ()>) -> napi::Result<(), Code> {
        let tsfn: ErrorHook = callback
            .build_threadsafe_function()
            .callee_handled::<false>()
            .weak::<true>()
            .build()
            .map_err(|_| hook_error())?;
        self.0.on_error(Arc::new(move |e: &Error| {
            tsfn.call(failure(e.clone()), ThreadsafeFunctionCallMode::NonBlocking);
        }));
        Ok(())
    }

    /// `empty`, `ready`, `retrying`, `reauthentication_required` or `closed`.
    #[napi(getter, catch_unwind)]
    pub fn status(&self) -> &'static str {
        self.0.status().as_str()
    }

    /// Completed token requests so far (successful or not).
    #[napi(getter, catch_unwind)]
    pub fn request_count(&self) -> f64 {
        self.0.request_count() as f64
    }

    /// The code of the last failed request while the source is retrying or needs
    /// re-authentication, else null.
    #[napi(getter, catch_unwind)]
    pub fn last_error_code(&self) -> Option<&'static str> {
        self.0.last_error().map(|e| e.code().as_str())
    }

    /// Stops the background task; later calls reject with `invalid_input`.
    #[napi(catch_unwind)]
    pub fn close(&self) {
        self.0.close();
    }

    /// `TokenSource(status=…)`.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn to_display_string(&self) -> String {
        format!("TokenSource(status={})", self.0.status().as_str())
    }
}
