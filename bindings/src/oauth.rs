//! OAuth 2.0 for Swift and Kotlin: `OAuthClient`, `TokenResponse`, `AccessToken`, `Pkce`,
//! `TokenSource` and the `TokenSourceListener` callback interface.
//!
//! Conversion only: grants, error mapping and refresh scheduling live in the core. Network
//! calls are `async` (Swift `async`, Kotlin `suspend`): each call is spawned on the core's one
//! tokio runtime (`tokenward::__bindings::runtime`) and the foreign side awaits its result, so no
//! foreign executor ever needs a tokio reactor. Cancelling the foreign call aborts the task.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use serde_json::Value;
use tokenward::http::HttpPolicy;
use tokenward::oauth::{self as core, AuthMethod, Grant};
use tokenward::refresh;
use tokenward::{Error, ErrorCode};

use crate::error::FfiResult;
use crate::jwt::JwtKey;
use crate::secret::Secret;

/// A task on the core runtime, aborted when the awaiting foreign call is dropped (cancelled).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl<T> Future for AbortOnDrop<T> {
    type Output = Result<T, tokio::task::JoinError>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx)
    }
}

/// Runs `future` on the core's shared runtime and awaits it from whatever executor polls the
/// returned future (the foreign language's).
pub(crate) async fn on_runtime<F, T>(future: F) -> FfiResult<T>
where
    F: Future<Output = Result<T, Error>> + Send + 'static,
    T: Send + 'static,
{
    let handle = tokenward::__bindings::runtime::runtime()?.handle().clone();
    match AbortOnDrop(handle.spawn(future)).await {
        Ok(result) => Ok(result?),
        Err(_) => {
            Err(Error::new(ErrorCode::Internal, "the operation was cancelled or failed").into())
        }
    }
}

fn invalid(msg: &'static str) -> crate::error::TokenwardError {
    Error::new(ErrorCode::InvalidInput, msg).into()
}

/// `value` when within the core's `clock::MAX_DURATION` (larger values would overflow
/// deadlines); the core's check, not one of this binding's own.
pub(crate) fn bounded(value: Option<Duration>) -> FfiResult<Option<Duration>> {
    Ok(value
        .map(|d| tokenward::clock::check_duration(d, "a duration"))
        .transpose()?)
}

/// The default HTTP policy with `timeout` (positive) when given.
pub(crate) fn http_policy(timeout: Option<Duration>) -> FfiResult<HttpPolicy> {
    let mut policy = HttpPolicy::default();
    if let Some(t) = bounded(timeout)? {
        if t.is_zero() {
            return Err(invalid("timeout must be positive"));
        }
        policy.timeout = t;
    }
    Ok(policy)
}

/// An access token. `toString`/`description` are redacted (`AccessToken([REDACTED:<fp>])`);
/// `expose()` gives the string.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct AccessToken(core::AccessToken);

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.redacted())
    }
}

impl std::fmt::Display for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.redacted())
    }
}

#[uniffi::export]
impl AccessToken {
    /// The token string, for an `Authorization` header (explicit on purpose).
    pub fn expose(&self) -> String {
        self.0.expose().to_owned()
    }

    /// The token as a `Secret` (for `introspect` / `revoke`).
    pub fn secret(&self) -> Arc<Secret> {
        Arc::new(Secret(self.0.secret().clone()))
    }

    /// When the token expires, or `null`/`nil` when the server gave no lifetime.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.0.expires_at()
    }

    /// The granted scopes.
    pub fn scopes(&self) -> Vec<String> {
        self.0.scopes().to_vec()
    }

    /// The token type (`Bearer`, `DPoP`, …).
    pub fn token_type(&self) -> String {
        self.0.token_type().to_owned()
    }

    /// A short identifier of the token, safe to log.
    pub fn fingerprint(&self) -> String {
        self.0.secret().fingerprint().to_owned()
    }
}

/// A token-endpoint answer. Its printed form is redacted.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct TokenResponse(core::TokenResponse);

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl std::fmt::Display for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "TokenResponse(accessToken: {}, refreshToken: {}, expiresIn: {:?})",
            self.0.access_token.redacted(),
            self.0
                .refresh_token
                .as_ref()
                .map_or("-".to_owned(), |s| s.redacted()),
            self.0.expires_in.map(|d| d.as_secs())
        )
    }
}

#[uniffi::export]
impl TokenResponse {
    /// The access token.
    pub fn access_token(&self) -> Arc<AccessToken> {
        Arc::new(AccessToken(self.0.access_token.clone()))
    }

    /// The refresh token, if any. When it differs from the one presented (rotation), store
    /// it in place of the old one.
    pub fn refresh_token(&self) -> Option<Arc<Secret>> {
        self.0.refresh_token.clone().map(|s| Arc::new(Secret(s)))
    }

    /// The OpenID Connect ID token, if any.
    pub fn id_token(&self) -> Option<Arc<Secret>> {
        self.0.id_token.clone().map(|s| Arc::new(Secret(s)))
    }

    /// The lifetime announced by the server (`expires_in`).
    pub fn expires_in(&self) -> Option<Duration> {
        self.0.expires_in
    }
}

/// The answer of the introspection endpoint (RFC 7662). It describes a token and carries no
/// token material.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Introspection {
    /// Whether the token is currently active; when `false` nothing else is meaningful.
    pub active: bool,
    /// The token's scopes.
    pub scopes: Vec<String>,
    /// `client_id`.
    pub client_id: Option<String>,
    /// `username`.
    pub username: Option<String>,
    /// `sub`.
    pub subject: Option<String>,
    /// `exp`, Unix seconds.
    pub expires_at: Option<i64>,
    /// Every member of the answer, as a JSON object.
    pub json: String,
}

impl From<core::Introspection> for Introspection {
    fn from(i: core::Introspection) -> Self {
        Introspection {
            active: i.active,
            scopes: i.scopes,
            client_id: i.client_id,
            username: i.username,
            subject: i.subject,
            expires_at: i.expires_at,
            json: Value::Object(i.claims).to_string(),
        }
    }
}

/// A PKCE verifier (secret, kept by the app) and its S256 challenge (RFC 7636). The printed
/// form shows the challenge only.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct Pkce(core::Pkce);

impl std::fmt::Debug for Pkce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl std::fmt::Display for Pkce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pkce(challenge: {}, method: S256)", self.0.challenge())
    }
}

#[uniffi::export]
impl Pkce {
    /// A fresh verifier (32 random bytes) and its challenge.
    #[uniffi::constructor]
    pub fn new() -> FfiResult<Arc<Self>> {
        Ok(Arc::new(Pkce(core::Pkce::generate()?)))
    }

    /// Wraps an existing verifier (43–128 unreserved characters; else `invalid_input`).
    #[uniffi::constructor]
    pub fn from_verifier(verifier: String) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(Pkce(core::Pkce::from_verifier(&verifier)?)))
    }

    /// The verifier, sent with the code exchange.
    pub fn verifier(&self) -> Arc<Secret> {
        Arc::new(Secret(self.0.verifier().clone()))
    }

    /// The S256 code challenge.
    pub fn challenge(&self) -> String {
        self.0.challenge().to_owned()
    }

    /// Always `S256`.
    pub fn method(&self) -> String {
        self.0.method().to_owned()
    }

    /// The authorization URL to open in the browser.
    #[uniffi::method(default(scopes = []))]
    pub fn authorization_url(
        &self,
        authorize_url: String,
        client_id: String,
        redirect_uri: String,
        state: String,
        scopes: Vec<String>,
    ) -> FfiResult<String> {
        Ok(self
            .0
            .authorization_url(&authorize_url, &client_id, &redirect_uri, &scopes, &state)?)
    }
}

/// Options of `OAuthClient`: the token endpoint, the client id and how the client
/// authenticates. Secrets are `Secret`s, so printing the options never shows them.
#[derive(uniffi::Record)]
pub struct OAuthClientOptions {
    /// The token endpoint (https, or http on loopback).
    pub token_url: String,
    /// The client id.
    pub client_id: String,
    /// The client secret (for `client_secret_basic` / `client_secret_post`).
    #[uniffi(default = None)]
    pub client_secret: Option<Arc<Secret>>,
    /// `client_secret_basic` (default with a secret), `client_secret_post`, `private_key_jwt`
    /// (default with a private key) or `none` (public client).
    #[uniffi(default = None)]
    pub auth_method: Option<String>,
    /// The private key for `private_key_jwt`.
    #[uniffi(default = None)]
    pub private_key: Option<Arc<JwtKey>>,
    /// The RFC 7662 introspection endpoint.
    #[uniffi(default = None)]
    pub introspection_url: Option<String>,
    /// The RFC 7009 revocation endpoint.
    #[uniffi(default = None)]
    pub revocation_url: Option<String>,
    /// The authorization endpoint (for PKCE flows).
    #[uniffi(default = None)]
    pub authorization_url: Option<String>,
    /// Timeout of every request (default 5 s).
    #[uniffi(default = None)]
    pub timeout: Option<Duration>,
}

/// An OAuth 2.0 client of one authorization server. Safe to share between threads.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct OAuthClient {
    pub(crate) inner: core::OAuthClient,
    jwks_uri: Option<String>,
    issuer: Option<String>,
}

impl std::fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl std::fmt::Display for OAuthClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "OAuthClient(tokenUrl: {}, clientId: {}, authMethod: {})",
            self.inner.token_url(),
            self.inner.client_id(),
            self.inner.auth_method().as_str()
        )
    }
}

fn finish(
    mut b: core::OAuthClientBuilder,
    client_secret: Option<Arc<Secret>>,
    auth_method: Option<String>,
    private_key: Option<Arc<JwtKey>>,
) -> FfiResult<core::OAuthClient> {
    if let Some(s) = client_secret {
        b = b.client_secret(s.0.clone());
    }
    if let Some(k) = private_key {
        b = b.private_key(k.0.clone());
    }
    if let Some(m) = auth_method {
        b = b.auth_method(AuthMethod::parse(&m)?);
    }
    Ok(b.build()?)
}

#[uniffi::export]
impl OAuthClient {
    /// A client of `options.tokenUrl`. Fails with `invalid_input` when a URL is not https
    /// (loopback excepted) or the authentication method lacks its secret or key.
    #[uniffi::constructor]
    pub fn new(options: OAuthClientOptions) -> FfiResult<Arc<Self>> {
        let mut b = core::OAuthClient::builder(options.token_url, options.client_id)
            .http_policy(http_policy(options.timeout)?);
        if let Some(u) = options.introspection_url {
            b = b.introspection_url(u);
        }
        if let Some(u) = options.revocation_url {
            b = b.revocation_url(u);
        }
        if let Some(u) = options.authorization_url {
            b = b.authorization_url(u);
        }
        let inner = finish(
            b,
            options.client_secret,
            options.auth_method,
            options.private_key,
        )?;
        Ok(Arc::new(OAuthClient {
            inner,
            jwks_uri: None,
            issuer: None,
        }))
    }

    /// Discovers the server at `issuerUrl` (RFC 8414 metadata, then OpenID Connect discovery)
    /// and builds a client with its token, introspection, revocation and authorization
    /// endpoints.
    #[uniffi::constructor(default(client_secret = None, auth_method = None, private_key = None, timeout = None))]
    pub async fn discover(
        issuer_url: String,
        client_id: String,
        client_secret: Option<Arc<Secret>>,
        auth_method: Option<String>,
        private_key: Option<Arc<JwtKey>>,
        timeout: Option<Duration>,
    ) -> FfiResult<Arc<Self>> {
        let policy = http_policy(timeout)?;
        let (b, meta) =
            on_runtime(
                async move { core::OAuthClient::discover(&issuer_url, client_id, policy).await },
            )
            .await?;
        let inner = finish(b, client_secret, auth_method, private_key)?;
        Ok(Arc::new(OAuthClient {
            inner,
            jwks_uri: meta.jwks_uri,
            issuer: Some(meta.issuer),
        }))
    }

    /// The token endpoint.
    pub fn token_url(&self) -> String {
        self.inner.token_url().to_owned()
    }

    /// The client id.
    pub fn client_id(&self) -> String {
        self.inner.client_id().to_owned()
    }

    /// The client authentication method (`client_secret_basic`, …).
    pub fn auth_method(&self) -> String {
        self.inner.auth_method().as_str().to_owned()
    }

    /// The authorization endpoint, when known.
    pub fn authorization_url(&self) -> Option<String> {
        self.inner.authorization_url().map(str::to_owned)
    }

    /// The issuer found by discovery.
    pub fn issuer(&self) -> Option<String> {
        self.issuer.clone()
    }

    /// The server's `jwks_uri` found by discovery (for `RemoteKeySet`).
    pub fn jwks_uri(&self) -> Option<String> {
        self.jwks_uri.clone()
    }

    /// The client-credentials grant.
    #[uniffi::method(default(scopes = []))]
    pub async fn client_credentials(&self, scopes: Vec<String>) -> FfiResult<Arc<TokenResponse>> {
        let client = self.inner.clone();
        let r = on_runtime(async move { client.client_credentials(&scopes).await }).await?;
        Ok(Arc::new(TokenResponse(r)))
    }

    /// The refresh-token grant. When the answer carries a new refresh token (rotation), it
    /// replaces the old one.
    #[uniffi::method(default(scopes = []))]
    pub async fn refresh(
        &self,
        refresh_token: Arc<Secret>,
        scopes: Vec<String>,
    ) -> FfiResult<Arc<TokenResponse>> {
        let client = self.inner.clone();
        let rt = refresh_token.0.clone();
        let r = on_runtime(async move { client.refresh(&rt, &scopes).await }).await?;
        Ok(Arc::new(TokenResponse(r)))
    }

    /// Exchanges an authorization code (with its PKCE verifier) for tokens.
    #[uniffi::method(default(pkce = None))]
    pub async fn exchange_code(
        &self,
        code: Arc<Secret>,
        redirect_uri: String,
        pkce: Option<Arc<Pkce>>,
    ) -> FfiResult<Arc<TokenResponse>> {
        let client = self.inner.clone();
        let code = code.0.clone();
        let pkce = pkce.map(|p| p.0.clone());
        let r = on_runtime(async move {
            client
                .exchange_code(&code, &redirect_uri, pkce.as_ref())
                .await
        })
        .await?;
        Ok(Arc::new(TokenResponse(r)))
    }

    /// RFC 7662 introspection of `token` (`tokenTypeHint`: `access_token` or `refresh_token`).
    #[uniffi::method(default(token_type_hint = None))]
    pub async fn introspect(
        &self,
        token: Arc<Secret>,
        token_type_hint: Option<String>,
    ) -> FfiResult<Introspection> {
        let client = self.inner.clone();
        let token = token.0.clone();
        let i =
            on_runtime(async move { client.introspect(&token, token_type_hint.as_deref()).await })
                .await?;
        Ok(i.into())
    }

    /// RFC 7009 revocation of `token`. Success includes the server not knowing the token.
    #[uniffi::method(default(token_type_hint = None))]
    pub async fn revoke(
        &self,
        token: Arc<Secret>,
        token_type_hint: Option<String>,
    ) -> FfiResult<()> {
        let client = self.inner.clone();
        let token = token.0.clone();
        on_runtime(async move { client.revoke(&token, token_type_hint.as_deref()).await }).await
    }
}

/// Tuning of a `TokenSource`; every `null`/`nil` keeps the library default.
#[derive(Debug, Clone, uniffi::Record)]
pub struct RefreshOptions {
    /// Refresh when less than `min(refreshAhead, lifetime × refreshAheadFraction)` remains
    /// (default 5 min).
    #[uniffi(default = None)]
    pub refresh_ahead: Option<Duration>,
    /// See `refreshAhead` (default 0.5; between 0 and 1).
    #[uniffi(default = None)]
    pub refresh_ahead_fraction: Option<f64>,
    /// Random part of the refresh-ahead window by which refreshes move earlier (default 0.1).
    #[uniffi(default = None)]
    pub jitter: Option<f64>,
    /// A token is no longer handed out when less than `min(expiryMargin, lifetime / 4)`
    /// remains (default 5 s).
    #[uniffi(default = None)]
    pub expiry_margin: Option<Duration>,
    /// Lifetime assumed when the server gives none (default 1 h).
    #[uniffi(default = None)]
    pub default_lifetime: Option<Duration>,
    /// First retry delay after a transient failure (default 1 s); doubles each time.
    #[uniffi(default = None)]
    pub backoff_initial: Option<Duration>,
    /// Longest retry delay (default 60 s).
    #[uniffi(default = None)]
    pub backoff_max: Option<Duration>,
    /// Refresh ahead of expiry in the background (default true); without it tokens are
    /// refreshed when a caller finds the current one unusable.
    #[uniffi(default = true)]
    pub background: bool,
}

impl TryFrom<RefreshOptions> for refresh::RefreshOptions {
    type Error = crate::error::TokenwardError;
    fn try_from(o: RefreshOptions) -> FfiResult<Self> {
        let d = refresh::RefreshOptions::default();
        let pick = |v: Option<Duration>, default: Duration| -> FfiResult<Duration> {
            Ok(bounded(v)?.unwrap_or(default))
        };
        Ok(refresh::RefreshOptions {
            refresh_ahead: pick(o.refresh_ahead, d.refresh_ahead)?,
            // Ranges are checked by RefreshOptions::validate in every TokenSource constructor.
            refresh_ahead_fraction: o.refresh_ahead_fraction.unwrap_or(d.refresh_ahead_fraction),
            jitter: o.jitter.unwrap_or(d.jitter),
            expiry_margin: pick(o.expiry_margin, d.expiry_margin)?,
            default_lifetime: pick(o.default_lifetime, d.default_lifetime)?,
            backoff_initial: pick(o.backoff_initial, d.backoff_initial)?,
            backoff_max: pick(o.backoff_max, d.backoff_max)?,
            background: o.background,
        })
    }
}

/// Where a `TokenSource` stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TokenSourceStatus {
    /// No token requested yet.
    Empty,
    /// A usable token is held and refreshes normally.
    Ready,
    /// The last request failed transiently; retrying with backoff.
    Retrying,
    /// The grant was refused (e.g. `invalid_grant`): the user must sign in again. No more
    /// requests are made.
    ReauthenticationRequired,
    /// `stop()` was called.
    Closed,
}

impl From<refresh::Status> for TokenSourceStatus {
    fn from(s: refresh::Status) -> Self {
        match s {
            refresh::Status::Empty => TokenSourceStatus::Empty,
            refresh::Status::Ready => TokenSourceStatus::Ready,
            refresh::Status::Retrying => TokenSourceStatus::Retrying,
            refresh::Status::ReauthenticationRequired => {
                TokenSourceStatus::ReauthenticationRequired
            }
            refresh::Status::Closed => TokenSourceStatus::Closed,
        }
    }
}

/// Hooks of a `TokenSource` (implemented in Swift or Kotlin). Called on a library thread,
/// inline with the refresh: keep them cheap or hand off.
#[uniffi::export(with_foreign)]
pub trait TokenSourceListener: Send + Sync {
    /// A new token response arrived; persist a rotated `refreshToken()` from here.
    fn on_refresh(&self, tokens: Arc<TokenResponse>);
    /// A token request failed with `code` (`INVALID_GRANT`, `NETWORK`, …; its stable string
    /// is `code.asString()` / `code.description`); the message never contains secret material.
    fn on_error(&self, code: crate::error::ErrorCode, message: String);
}

/// An access token that is always valid when asked for: refreshed ahead of expiry in the
/// background, one request however many callers ask at once, `invalid_grant` terminal.
/// `stop()` stops it; it also stops when released (Kotlin `close()`/`use {}`, Swift `deinit`).
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct TokenSource(refresh::TokenSource);

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl std::fmt::Display for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TokenSource(status: {})", self.0.status().as_str())
    }
}

#[uniffi::export]
impl TokenSource {
    /// A source using the client-credentials grant for `scopes`.
    #[uniffi::constructor(default(scopes = [], options))]
    pub fn client_credentials(
        client: Arc<OAuthClient>,
        scopes: Vec<String>,
        options: RefreshOptions,
    ) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(TokenSource(
            refresh::TokenSource::client_credentials(
                client.inner.clone(),
                scopes,
                options.try_into()?,
            )?,
        )))
    }

    /// A source refreshing with `refreshToken`; rotated refresh tokens replace it (see
    /// `TokenSourceListener.onRefresh`).
    #[uniffi::constructor(default(scopes = [], options))]
    pub fn from_refresh_token(
        client: Arc<OAuthClient>,
        refresh_token: Arc<Secret>,
        scopes: Vec<String>,
        options: RefreshOptions,
    ) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(TokenSource(
            refresh::TokenSource::from_refresh_token(
                client.inner.clone(),
                refresh_token.0.clone(),
                scopes,
                options.try_into()?,
            )?,
        )))
    }

    /// A source seeded with `response` (e.g. from `exchangeCode`): it serves that access
    /// token, then refreshes with the response's refresh token, or, without one, with the
    /// client-credentials grant for `scopes`.
    #[uniffi::constructor(default(scopes = [], options))]
    pub fn from_token_response(
        client: Arc<OAuthClient>,
        response: Arc<TokenResponse>,
        scopes: Vec<String>,
        options: RefreshOptions,
    ) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(TokenSource(
            refresh::TokenSource::from_token_response(
                Arc::new(client.inner.clone()),
                response.0.clone(),
                Grant::ClientCredentials { scopes },
                options.try_into()?,
            )?,
        )))
    }

    /// A valid token: the current one while usable, else the result of one shared request.
    /// Never returns an expired token.
    pub async fn token(&self) -> FfiResult<Arc<AccessToken>> {
        // Hot path: a usable token needs no task on the runtime (that hop costs ~15 µs).
        if let Some(t) = self.0.cached() {
            return Ok(Arc::new(AccessToken(t)));
        }
        let source = self.0.clone();
        let t = on_runtime(async move { source.token().await }).await?;
        Ok(Arc::new(AccessToken(t)))
    }

    /// Requests a new token now (e.g. after the API answered 401); concurrent calls share one
    /// request.
    pub async fn force_refresh(&self) -> FfiResult<Arc<AccessToken>> {
        let source = self.0.clone();
        let t = on_runtime(async move { source.force_refresh().await }).await?;
        Ok(Arc::new(AccessToken(t)))
    }

    /// Adds `listener`, called after every refresh and every failed request. Listeners live
    /// as long as the source.
    pub fn add_listener(&self, listener: Arc<dyn TokenSourceListener>) {
        let l = Arc::clone(&listener);
        self.0.on_refresh(Arc::new(move |r: &core::TokenResponse| {
            l.on_refresh(Arc::new(TokenResponse(r.clone())));
        }));
        self.0.on_error(Arc::new(move |e: &Error| {
            listener.on_error(e.code().into(), e.message().to_owned());
        }));
    }

    /// The current status.
    pub fn status(&self) -> TokenSourceStatus {
        self.0.status().into()
    }

    /// The code of the last failed request, when the last request failed.
    pub fn last_error_code(&self) -> Option<String> {
        self.0.last_error().map(|e| e.code().as_str().to_owned())
    }

    /// Completed token requests so far (successful or not).
    pub fn request_count(&self) -> u64 {
        self.0.request_count()
    }

    /// Stops the background task; later `token()` calls fail with `invalid_input`. (Named
    /// `stop`, not `close`: uniffi's Kotlin objects already have `close()` from
    /// `AutoCloseable`, which releases the object and so stops the source as well.)
    pub fn stop(&self) {
        self.0.close();
    }
}
