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
use tokenward::oauth as core;
use tokenward::refresh;
use tokenward::{Error, ErrorCode};

use crate::error::{ErrorCode as FfiErrorCode, FfiResult};
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

/// How the client authenticates to the token, introspection and revocation endpoints
/// (RFC 8414 names: `asString()` / `description`).
#[derive(uniffi::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[uniffi::export(Display)]
pub enum AuthMethod {
    /// `client_secret_basic`: HTTP Basic with the id and secret.
    ClientSecretBasic,
    /// `client_secret_post`: id and secret in the form body.
    ClientSecretPost,
    /// `private_key_jwt`: a JWT assertion signed with the client's private key.
    PrivateKeyJwt,
    /// `none`: a public client (only `client_id` is sent; use PKCE).
    PublicClient,
    /// `tls_client_auth` (RFC 8705): the client certificate authenticates (`clientCertificate`).
    TlsClientAuth,
    /// `self_signed_tls_client_auth` (RFC 8705): a self-signed client certificate.
    SelfSignedTlsClientAuth,
}

impl From<AuthMethod> for core::AuthMethod {
    fn from(m: AuthMethod) -> Self {
        match m {
            AuthMethod::ClientSecretBasic => core::AuthMethod::ClientSecretBasic,
            AuthMethod::ClientSecretPost => core::AuthMethod::ClientSecretPost,
            AuthMethod::PrivateKeyJwt => core::AuthMethod::PrivateKeyJwt,
            AuthMethod::PublicClient => core::AuthMethod::PublicClient,
            AuthMethod::TlsClientAuth => core::AuthMethod::TlsClientAuth,
            AuthMethod::SelfSignedTlsClientAuth => core::AuthMethod::SelfSignedTlsClientAuth,
        }
    }
}

impl From<core::AuthMethod> for AuthMethod {
    fn from(m: core::AuthMethod) -> Self {
        match m {
            core::AuthMethod::ClientSecretBasic => AuthMethod::ClientSecretBasic,
            core::AuthMethod::ClientSecretPost => AuthMethod::ClientSecretPost,
            core::AuthMethod::PrivateKeyJwt => AuthMethod::PrivateKeyJwt,
            core::AuthMethod::PublicClient => AuthMethod::PublicClient,
            core::AuthMethod::TlsClientAuth => AuthMethod::TlsClientAuth,
            core::AuthMethod::SelfSignedTlsClientAuth => AuthMethod::SelfSignedTlsClientAuth,
        }
    }
}

#[uniffi::export]
impl AuthMethod {
    /// The RFC 8414 name (`client_secret_basic`, …, `none`), the same in every language.
    pub fn as_string(&self) -> String {
        core::AuthMethod::from(*self).as_str().to_owned()
    }
}

impl std::fmt::Display for AuthMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(core::AuthMethod::from(*self).as_str())
    }
}

/// Which kind of token `introspect` / `revoke` is given (RFC 7009 `token_type_hint`).
#[derive(uniffi::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[uniffi::export(Display)]
pub enum TokenTypeHint {
    /// `access_token`.
    AccessToken,
    /// `refresh_token`.
    RefreshToken,
}

impl From<TokenTypeHint> for core::TokenTypeHint {
    fn from(h: TokenTypeHint) -> Self {
        match h {
            TokenTypeHint::AccessToken => core::TokenTypeHint::AccessToken,
            TokenTypeHint::RefreshToken => core::TokenTypeHint::RefreshToken,
        }
    }
}

#[uniffi::export]
impl TokenTypeHint {
    /// The RFC 7009 name (`access_token`, `refresh_token`).
    pub fn as_string(&self) -> String {
        core::TokenTypeHint::from(*self).as_str().to_owned()
    }
}

impl std::fmt::Display for TokenTypeHint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(core::TokenTypeHint::from(*self).as_str())
    }
}

/// An access token. `toString`/`description` are redacted (`AccessToken([REDACTED:<fp>])`);
/// `expose()` gives the string.
#[derive(uniffi::Object, Debug)]
#[uniffi::export(Debug, Display)]
pub struct AccessToken(core::AccessToken);

/// The core's redacted form.
impl std::fmt::Display for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// `Display` (Kotlin `toString`, Swift `description`) of a wrapper whose core type has a
/// secret-free `Debug` but no `Display`: the core's `Debug`, so no binding restates a format.
macro_rules! display_as_core_debug {
    ($($wrapper:ty),+) => {$(
        impl std::fmt::Display for $wrapper {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Debug::fmt(&self.0, f)
            }
        }
    )+};
}
pub(crate) use display_as_core_debug;

display_as_core_debug!(
    TokenResponse,
    Pkce,
    OAuthClient,
    TokenSource,
    AuthorizationFlow,
    IdTokenVerifier
);

#[uniffi::export]
impl AccessToken {
    /// The token string, for an `Authorization` header (explicit on purpose).
    pub fn expose(&self) -> String {
        self.0.expose().to_owned()
    }

    /// The `Authorization` header value: `DPoP <token>` for a DPoP-bound token, else
    /// `Bearer <token>`.
    pub fn authorization_header(&self) -> String {
        self.0.authorization_header()
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

    /// Whether this is a DPoP-bound token (`token_type: DPoP`): resource requests need a proof.
    pub fn is_dpop(&self) -> bool {
        self.0.is_dpop()
    }

    /// The headers for a resource request `method url`: `Authorization` (`Bearer` or `DPoP`)
    /// and, for a DPoP-bound token, a `DPoP` proof with `ath` — carrying `nonce` when given
    /// (the resource server's `DPoP-Nonce`), else the one remembered for the origin. The
    /// values hold the token: send them, never log them.
    #[uniffi::method(default(nonce = None))]
    pub fn request_headers(
        &self,
        method: String,
        url: String,
        nonce: Option<String>,
    ) -> FfiResult<std::collections::HashMap<String, String>> {
        let headers = self.0.request_headers(&method, &url, nonce.as_deref())?;
        Ok(headers.into_iter().collect())
    }
}

/// A token-endpoint answer. Its printed form is the core's `Debug`, where every token is a
/// redacted `Secret`.
#[derive(uniffi::Object, Debug)]
#[uniffi::export(Debug, Display)]
pub struct TokenResponse(core::TokenResponse);

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

    /// The verified claims of the ID token (JSON), set by `AuthorizationFlow.complete` for an
    /// `openid` login.
    pub fn id_token_claims_json(&self) -> Option<String> {
        self.0.id_token_claims.as_ref().map(|c| c.to_json())
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
    /// `exp`.
    pub expires_at: Option<SystemTime>,
    /// Every member of the answer, as the text of a JSON object (Python and Node `claims`;
    /// `claimsJson` like `Principal.claimsJson`).
    pub claims_json: String,
}

impl From<core::Introspection> for Introspection {
    fn from(i: core::Introspection) -> Self {
        Introspection {
            active: i.active,
            scopes: i.scopes,
            client_id: i.client_id,
            username: i.username,
            subject: i.subject,
            expires_at: i.expires_at.map(tokenward::clock::from_unix_seconds),
            claims_json: Value::Object(i.claims).to_string(),
        }
    }
}

/// A PKCE verifier (secret, kept by the app) and its S256 challenge (RFC 7636). The printed
/// form is the core's `Debug`: the verifier is a redacted `Secret`.
#[derive(uniffi::Object, Debug)]
#[uniffi::export(Debug, Display)]
pub struct Pkce(core::Pkce);

#[uniffi::export]
impl Pkce {
    /// A fresh verifier (32 random bytes) and its challenge.
    #[uniffi::constructor]
    pub fn generate() -> FfiResult<Arc<Self>> {
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

    /// The authorization URL to open in the browser (the same argument order in every
    /// language).
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
            .authorization_url(&authorize_url, &client_id, &redirect_uri, &state, &scopes)?)
    }
}

/// Optional settings of an `IdTokenVerifier` (unset fields keep the core's default).
#[derive(uniffi::Record)]
pub struct IdTokenVerifierOptions {
    /// Accepted algorithms (intersected with the asymmetric allowlist; default: discovery's,
    /// else all of the allowlist).
    #[uniffi(default = None)]
    pub algorithms: Option<Vec<crate::jwt::Algorithm>>,
    /// Tolerance for `exp`, `iat` and `auth_time` (default 60 s).
    #[uniffi(default = None)]
    pub leeway: Option<Duration>,
}

impl From<IdTokenVerifierOptions> for core::IdTokenVerifierOptions {
    fn from(o: IdTokenVerifierOptions) -> Self {
        let mut c = core::IdTokenVerifierOptions::new();
        if let Some(algs) = o.algorithms {
            c = c.with_algorithms(algs.into_iter().map(Into::into));
        }
        if let Some(l) = o.leeway {
            c = c.with_leeway(l);
        }
        c
    }
}

/// What one login expects of its ID token (unset fields are not checked).
#[derive(uniffi::Record)]
pub struct IdTokenChecks {
    /// The `nonce` the login sent.
    #[uniffi(default = None)]
    pub nonce: Option<String>,
    /// The `max_age` the login sent: `auth_time` must be no older.
    #[uniffi(default = None)]
    pub max_age: Option<Duration>,
    /// The access token issued with it (compared with `at_hash`).
    #[uniffi(default = None)]
    pub access_token: Option<Arc<Secret>>,
    /// The authorization code (compared with `c_hash`).
    #[uniffi(default = None)]
    pub code: Option<Arc<Secret>>,
}

/// Verifies OpenID Connect ID tokens of one provider for one client: signature (algorithms
/// intersected with the asymmetric allowlist), `iss`, `aud`, `azp`, `exp`/`iat`, and per login
/// the `nonce`, `max_age`, `at_hash` and `c_hash`.
#[derive(uniffi::Object, Debug)]
#[uniffi::export(Debug, Display)]
pub struct IdTokenVerifier(Arc<core::IdTokenVerifier>);

#[uniffi::export]
impl IdTokenVerifier {
    /// A verifier of `issuer`'s ID tokens for `clientId` with local `keys`.
    #[uniffi::constructor(default(options))]
    pub fn new(
        issuer: String,
        client_id: String,
        keys: Arc<crate::jwt::KeySet>,
        options: IdTokenVerifierOptions,
    ) -> FfiResult<Arc<Self>> {
        let keys = keys.lock()?.clone();
        Ok(Arc::new(IdTokenVerifier(Arc::new(
            core::IdTokenVerifier::new(issuer, client_id, keys, options.into())?,
        ))))
    }

    /// A verifier with the provider's published keys (fetched and cached).
    #[uniffi::constructor(default(options))]
    pub fn with_remote_keys(
        issuer: String,
        client_id: String,
        keys: Arc<crate::remote::RemoteKeySet>,
        options: IdTokenVerifierOptions,
    ) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(IdTokenVerifier(Arc::new(
            core::IdTokenVerifier::with_remote_keys(
                issuer,
                client_id,
                keys.inner.clone(),
                options.into(),
            )?,
        ))))
    }

    /// The verifier of a discovered client's provider (issuer, `jwks_uri`, algorithms).
    #[uniffi::constructor(default(options))]
    pub fn for_client(
        client: Arc<OAuthClient>,
        options: IdTokenVerifierOptions,
    ) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(IdTokenVerifier(Arc::new(
            core::IdTokenVerifier::for_client(&client.0, options.into())?,
        ))))
    }

    /// The expected issuer.
    pub fn issuer(&self) -> String {
        self.0.issuer().to_owned()
    }

    /// The client id (the expected audience).
    pub fn client_id(&self) -> String {
        self.0.client_id().to_owned()
    }

    /// The accepted algorithms.
    pub fn algorithms(&self) -> Vec<crate::jwt::Algorithm> {
        self.0.algorithms().iter().map(|a| (*a).into()).collect()
    }

    /// Verifies `idToken` and returns its claims as JSON. Refusals: `INVALID_NONCE`,
    /// `INVALID_AUDIENCE`, `EXPIRED`, `INVALID_CLAIM` (`max_age`, `at_hash`, `c_hash`), …
    #[uniffi::method(default(checks))]
    pub async fn verify(&self, id_token: String, checks: IdTokenChecks) -> FfiResult<String> {
        let mut c = core::IdTokenChecks::new();
        if let Some(n) = checks.nonce {
            c = c.with_nonce(tokenward::Secret::new(n)?);
        }
        if let Some(m) = bounded(checks.max_age)? {
            c = c.with_max_age(m);
        }
        if let Some(t) = checks.access_token {
            c = c.with_access_token(t.0.clone());
        }
        if let Some(code) = checks.code {
            c = c.with_code(code.0.clone());
        }
        let v = self.0.clone();
        let claims = on_runtime(async move { v.verify(&id_token, &c).await }).await?;
        Ok(claims.to_json())
    }
}

/// Optional settings of an `AuthorizationFlow` (unset fields keep the core's default).
#[derive(uniffi::Record)]
pub struct AuthorizationFlowOptions {
    /// The scopes to ask for; with `openid` the flow sends a `nonce` and verifies the ID token.
    #[uniffi(default = [])]
    pub scopes: Vec<String>,
    /// OpenID Connect `max_age`.
    #[uniffi(default = None)]
    pub max_age: Option<Duration>,
    /// The ID token verifier of an `openid` login (default: the discovered provider's).
    #[uniffi(default = None)]
    pub id_token_verifier: Option<Arc<IdTokenVerifier>>,
}

/// One login attempt of an app (authorization code + PKCE S256, `state`, OpenID Connect
/// `nonce`, RFC 9207 `iss`): open `authorizationUrl()`, then `complete(redirectUrl)`. Printed
/// with the core's `Debug` (client id, redirect URI, scopes; never the state or verifier).
#[derive(uniffi::Object, Debug)]
#[uniffi::export(Debug, Display)]
pub struct AuthorizationFlow(Arc<core::AuthorizationFlow>);

#[uniffi::export]
impl AuthorizationFlow {
    /// A new attempt of `client` returning to `redirectUri` (https, loopback http, or a
    /// private-use scheme such as `com.example.app:/callback`); `invalid_input` when the client
    /// has no authorization endpoint or `redirectUri` is not an absolute URL.
    #[uniffi::constructor(default(options))]
    pub fn new(
        client: Arc<OAuthClient>,
        redirect_uri: String,
        options: AuthorizationFlowOptions,
    ) -> FfiResult<Arc<Self>> {
        let mut o = core::AuthorizationFlowOptions::new().with_scopes(options.scopes);
        if let Some(m) = options.max_age {
            o = o.with_max_age(m);
        }
        if let Some(v) = options.id_token_verifier {
            o = o.with_id_token_verifier((*v.0).clone());
        }
        Ok(Arc::new(AuthorizationFlow(Arc::new(
            core::AuthorizationFlow::new(&client.0, redirect_uri, o)?,
        ))))
    }

    /// The URL to open in the browser.
    pub fn authorization_url(&self) -> String {
        self.0.authorization_url().to_owned()
    }

    /// The redirect URI the flow was made for.
    pub fn redirect_uri(&self) -> String {
        self.0.redirect_uri().to_owned()
    }

    /// The `state` sent (the flow compares it itself).
    pub fn state(&self) -> String {
        self.0.state().to_owned()
    }

    /// The OpenID Connect `nonce` sent, when the scopes include `openid`.
    pub fn nonce(&self) -> Option<String> {
        self.0.nonce().map(str::to_owned)
    }

    /// The scopes asked for.
    pub fn scopes(&self) -> Vec<String> {
        self.0.scopes().to_vec()
    }

    /// Checks the redirect the browser came back with (redirect URI, `iss`, `state`, `error`)
    /// and exchanges its code for tokens. Refusals: `INVALID_STATE`, `INVALID_ISSUER`,
    /// `ACCESS_DENIED`, `INTERACTION_REQUIRED`, …
    pub async fn complete(&self, redirect_url: String) -> FfiResult<Arc<TokenResponse>> {
        let flow = self.0.clone();
        let r = on_runtime(async move { flow.complete(&redirect_url).await }).await?;
        Ok(Arc::new(TokenResponse(r)))
    }
}

/// Optional settings of an `OAuthClient` (each `null`/`nil` keeps the core's default).
/// Secrets are `Secret`s, so printing the options never shows them.
#[derive(uniffi::Record)]
pub struct OAuthClientOptions {
    /// The client secret (for `client_secret_basic` / `client_secret_post`).
    #[uniffi(default = None)]
    pub client_secret: Option<Arc<Secret>>,
    /// Unset: `PRIVATE_KEY_JWT` when a private key is given, else `CLIENT_SECRET_BASIC`
    /// (after discovery, `CLIENT_SECRET_POST` when the server lists only that one).
    #[uniffi(default = None)]
    pub auth_method: Option<AuthMethod>,
    /// The private key for `private_key_jwt`.
    #[uniffi(default = None)]
    pub private_key: Option<Arc<JwtKey>>,
    /// The RFC 7662 introspection endpoint (discovered when unset).
    #[uniffi(default = None)]
    pub introspection_url: Option<String>,
    /// The RFC 7009 revocation endpoint (discovered when unset).
    #[uniffi(default = None)]
    pub revocation_url: Option<String>,
    /// The authorization endpoint, for PKCE flows (discovered when unset).
    #[uniffi(default = None)]
    pub authorization_url: Option<String>,
    /// Timeout of every request (default 5 s, the core's `http::DEFAULT_TIMEOUT`).
    #[uniffi(default = None)]
    pub timeout: Option<Duration>,
    /// A DPoP key (RFC 9449): token requests carry proofs (one retry on `use_dpop_nonce`),
    /// `token_type: DPoP` answers are DPoP-bound tokens, authorization URLs carry `dpop_jkt`.
    #[uniffi(default = None)]
    pub dpop_key: Option<Arc<crate::dpop::DpopKey>>,
    /// The client certificate presented on every connection to the authorization server
    /// (mutual TLS, RFC 8705): for `TLS_CLIENT_AUTH` / `SELF_SIGNED_TLS_CLIENT_AUTH` (the
    /// default method with a certificate and no secret), and certificate-bound tokens.
    #[uniffi(default = None)]
    pub client_certificate: Option<Arc<crate::mtls::ClientCertificate>>,
    /// CA certificates (PEM) trusted for the server's TLS certificate besides the system's.
    #[uniffi(default = None)]
    pub ca_certificates: Option<String>,
}

impl From<OAuthClientOptions> for core::OAuthClientOptions {
    fn from(o: OAuthClientOptions) -> Self {
        let mut c = core::OAuthClientOptions::default();
        if let Some(s) = o.client_secret {
            c = c.with_client_secret(s.0.clone());
        }
        if let Some(m) = o.auth_method {
            c = c.with_auth_method(m.into());
        }
        if let Some(k) = o.private_key {
            c = c.with_private_key(k.0.clone());
        }
        if let Some(u) = o.introspection_url {
            c = c.with_introspection_url(u);
        }
        if let Some(u) = o.revocation_url {
            c = c.with_revocation_url(u);
        }
        if let Some(u) = o.authorization_url {
            c = c.with_authorization_url(u);
        }
        // Range checks (positive, bounded) are the core's, in `OAuthClient::new`.
        if let Some(t) = o.timeout {
            c = c.with_timeout(t);
        }
        if let Some(k) = o.dpop_key {
            c = c.with_dpop_key(k.0.clone());
        }
        if let Some(cert) = o.client_certificate {
            c = c.with_client_certificate(cert.0.clone());
        }
        if let Some(pem) = o.ca_certificates {
            c = c.with_ca_certificates(pem);
        }
        c
    }
}

/// An OAuth 2.0 client of one authorization server. Safe to share between threads. Printed
/// with the core's `Debug` (endpoint, client id, method; never the secret).
#[derive(uniffi::Object, Debug)]
#[uniffi::export(Debug, Display)]
pub struct OAuthClient(pub(crate) core::OAuthClient);

#[uniffi::export]
impl OAuthClient {
    /// A client of the token endpoint `tokenUrl` for `clientId`. Fails with `invalid_input`
    /// when a URL is not https (loopback excepted), the timeout is not positive, or the
    /// authentication method lacks its secret or key.
    #[uniffi::constructor(default(options))]
    pub fn new(
        token_url: String,
        client_id: String,
        options: OAuthClientOptions,
    ) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(OAuthClient(core::OAuthClient::new(
            token_url,
            client_id,
            options.into(),
        )?)))
    }

    /// Discovers the server at `issuerUrl` (RFC 8414 metadata, then OpenID Connect discovery)
    /// and builds a client for `clientId`; endpoints `options` leaves unset are the server's.
    #[uniffi::constructor(default(options))]
    pub async fn discover(
        issuer_url: String,
        client_id: String,
        options: OAuthClientOptions,
    ) -> FfiResult<Arc<Self>> {
        let options: core::OAuthClientOptions = options.into();
        let client = on_runtime(async move {
            core::OAuthClient::discover(&issuer_url, client_id, options).await
        })
        .await?;
        Ok(Arc::new(OAuthClient(client)))
    }

    /// The token endpoint.
    pub fn token_url(&self) -> String {
        self.0.token_url().to_owned()
    }

    /// The client id.
    pub fn client_id(&self) -> String {
        self.0.client_id().to_owned()
    }

    /// The client authentication method in use.
    pub fn auth_method(&self) -> AuthMethod {
        self.0.auth_method().into()
    }

    /// The authorization endpoint, when known.
    pub fn authorization_url(&self) -> Option<String> {
        self.0.authorization_url().map(str::to_owned)
    }

    /// The issuer found by discovery.
    pub fn issuer(&self) -> Option<String> {
        self.0.server_metadata().map(|m| m.issuer.clone())
    }

    /// The server's `jwks_uri` found by discovery (for `RemoteKeySet`).
    pub fn jwks_uri(&self) -> Option<String> {
        self.0.server_metadata().and_then(|m| m.jwks_uri.clone())
    }

    /// The client-credentials grant.
    #[uniffi::method(default(scopes = []))]
    pub async fn client_credentials(&self, scopes: Vec<String>) -> FfiResult<Arc<TokenResponse>> {
        let client = self.0.clone();
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
        let client = self.0.clone();
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
        let client = self.0.clone();
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

    /// RFC 7662 introspection of `token`.
    #[uniffi::method(default(token_type_hint = None))]
    pub async fn introspect(
        &self,
        token: Arc<Secret>,
        token_type_hint: Option<TokenTypeHint>,
    ) -> FfiResult<Introspection> {
        let client = self.0.clone();
        let token = token.0.clone();
        let hint = token_type_hint.map(Into::into);
        let i = on_runtime(async move { client.introspect(&token, hint).await }).await?;
        Ok(i.into())
    }

    /// RFC 7009 revocation of `token`. Success includes the server not knowing the token.
    #[uniffi::method(default(token_type_hint = None))]
    pub async fn revoke(
        &self,
        token: Arc<Secret>,
        token_type_hint: Option<TokenTypeHint>,
    ) -> FfiResult<()> {
        let client = self.0.clone();
        let token = token.0.clone();
        let hint = token_type_hint.map(Into::into);
        on_runtime(async move { client.revoke(&token, hint).await }).await
    }
}

/// When a `TokenSource` refreshes and how it retries; every `null`/`nil` keeps the core's
/// default (`tokenward::refresh::DEFAULT_*`, stated below).
#[derive(Debug, Clone, uniffi::Record)]
pub struct TokenSourceOptions {
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

impl TryFrom<TokenSourceOptions> for refresh::TokenSourceOptions {
    type Error = crate::error::TokenwardError;
    fn try_from(o: TokenSourceOptions) -> FfiResult<Self> {
        let mut c = refresh::TokenSourceOptions::default().with_background(o.background);
        // Ranges are checked by the TokenSource constructors (TokenSourceOptions::validate);
        // `bounded` only keeps huge durations from overflowing before that.
        if let Some(v) = bounded(o.refresh_ahead)? {
            c = c.with_refresh_ahead(v);
        }
        if let Some(v) = o.refresh_ahead_fraction {
            c = c.with_refresh_ahead_fraction(v);
        }
        if let Some(v) = o.jitter {
            c = c.with_jitter(v);
        }
        if let Some(v) = bounded(o.expiry_margin)? {
            c = c.with_expiry_margin(v);
        }
        if let Some(v) = bounded(o.default_lifetime)? {
            c = c.with_default_lifetime(v);
        }
        if let Some(v) = bounded(o.backoff_initial)? {
            c = c.with_backoff_initial(v);
        }
        if let Some(v) = bounded(o.backoff_max)? {
            c = c.with_backoff_max(v);
        }
        Ok(c)
    }
}

/// The grant a source seeded with a token response uses when the response has no refresh
/// token (`client_credentials`).
#[derive(uniffi::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FallbackGrant {
    /// The client-credentials grant for the given scopes.
    ClientCredentials,
}

impl From<FallbackGrant> for refresh::FallbackGrant {
    fn from(f: FallbackGrant) -> Self {
        match f {
            FallbackGrant::ClientCredentials => refresh::FallbackGrant::ClientCredentials,
        }
    }
}

/// Where a `TokenSource` stands (snake_case names: `asString()` / `description`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
#[uniffi::export(Display)]
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

impl From<refresh::TokenSourceStatus> for TokenSourceStatus {
    fn from(s: refresh::TokenSourceStatus) -> Self {
        use refresh::TokenSourceStatus as Core;
        match s {
            Core::Empty => TokenSourceStatus::Empty,
            Core::Ready => TokenSourceStatus::Ready,
            Core::Retrying => TokenSourceStatus::Retrying,
            Core::ReauthenticationRequired => TokenSourceStatus::ReauthenticationRequired,
            Core::Closed => TokenSourceStatus::Closed,
        }
    }
}

impl From<TokenSourceStatus> for refresh::TokenSourceStatus {
    fn from(s: TokenSourceStatus) -> Self {
        use refresh::TokenSourceStatus as Core;
        match s {
            TokenSourceStatus::Empty => Core::Empty,
            TokenSourceStatus::Ready => Core::Ready,
            TokenSourceStatus::Retrying => Core::Retrying,
            TokenSourceStatus::ReauthenticationRequired => Core::ReauthenticationRequired,
            TokenSourceStatus::Closed => Core::Closed,
        }
    }
}

#[uniffi::export]
impl TokenSourceStatus {
    /// The snake_case name (`ready`, `reauthentication_required`, …), as Python and Node
    /// return it.
    pub fn as_string(&self) -> String {
        refresh::TokenSourceStatus::from(*self).as_str().to_owned()
    }
}

impl std::fmt::Display for TokenSourceStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(refresh::TokenSourceStatus::from(*self).as_str())
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
/// `close()` stops it (Kotlin: `AutoCloseable`, so `use {}` works); it also stops when released
/// (Swift `deinit`).
/// Printed with the core's `Debug` (the status only).
#[derive(uniffi::Object, Debug)]
#[uniffi::export(Debug, Display)]
pub struct TokenSource(pub(crate) refresh::TokenSource);

/// Releasing the object closes the source (Kotlin `close()` / `use {}`, Swift `deinit`), even
/// when a clone of the core source is still held by a call in flight.
impl Drop for TokenSource {
    fn drop(&mut self) {
        self.0.close();
    }
}

#[uniffi::export]
impl TokenSource {
    /// A source using the client-credentials grant for `scopes`.
    #[uniffi::constructor(default(scopes = [], options))]
    pub fn client_credentials(
        client: Arc<OAuthClient>,
        scopes: Vec<String>,
        options: TokenSourceOptions,
    ) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(TokenSource(
            refresh::TokenSource::client_credentials(
                client.0.clone(),
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
        options: TokenSourceOptions,
    ) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(TokenSource(
            refresh::TokenSource::from_refresh_token(
                client.0.clone(),
                refresh_token.0.clone(),
                scopes,
                options.try_into()?,
            )?,
        )))
    }

    /// A source seeded with `response` (e.g. from `exchangeCode`): it serves that access
    /// token, then refreshes with the response's refresh token, or, when it has none, with
    /// `fallback` for `scopes`; without either it fails with `invalid_input`.
    #[uniffi::constructor(default(scopes = [], fallback = None, options))]
    pub fn from_token_response(
        client: Arc<OAuthClient>,
        response: Arc<TokenResponse>,
        scopes: Vec<String>,
        fallback: Option<FallbackGrant>,
        options: TokenSourceOptions,
    ) -> FfiResult<Arc<Self>> {
        let fallback = fallback.map(|f| refresh::FallbackGrant::from(f).grant(scopes));
        Ok(Arc::new(TokenSource(
            refresh::TokenSource::from_token_response(
                Arc::new(client.0.clone()),
                response.0.clone(),
                fallback,
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
    pub fn last_error_code(&self) -> Option<FfiErrorCode> {
        self.0.last_error().map(|e| e.code().into())
    }

    /// Completed token requests so far (successful or not).
    pub fn request_count(&self) -> u64 {
        self.0.request_count()
    }

    /// Stops the background task; later `token()` calls fail with `invalid_input`. Kotlin's
    /// `close()` (so `use {}`) also releases the object.
    pub fn close(&self) {
        self.0.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releasing_a_token_source_closes_it() {
        let client = core::OAuthClient::new(
            "https://as.example/token",
            "svc",
            core::OAuthClientOptions::default().with_auth_method(core::AuthMethod::PublicClient),
        )
        .unwrap();
        let source = refresh::TokenSource::client_credentials(
            client,
            Vec::new(),
            refresh::TokenSourceOptions::default(),
        )
        .unwrap();
        // A clone the way a call in flight holds one.
        let in_flight = source.clone();
        drop(TokenSource(source));
        assert_eq!(in_flight.status(), refresh::TokenSourceStatus::Closed);
    }
}

/// Whether a response with `status` and `wwwAuthenticate` (the `WWW-Authenticate` values, joined
/// by `", "`) says the access token sent was rejected, so that one refresh and one retry may
/// help: the rule of the OkHttp and `URLSession` hooks.
#[uniffi::export]
pub fn token_rejected(status: i32, www_authenticate: Option<String>) -> bool {
    u16::try_from(status)
        .is_ok_and(|s| tokenward::refresh::token_rejected(s, www_authenticate.as_deref()))
}
