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
use crate::napi::threadsafe_function::ThreadsafeFunctionCallMode;
use napi_derive::napi;
use tokenward::__bindings::runtime;
use tokenward::oauth::{self, AuthMethod, OAuthClientOptions as CoreClientOptions, TokenTypeHint};
use tokenward::refresh::{self, FallbackGrant, TokenSourceOptions as CoreSourceOptions};
use tokenward::{Error, ErrorCode};

use crate::error::{to_js, Code, IntoJsResult};
use crate::jwt::JwtKey;
use crate::jwt_remote::Failure;
use crate::secret::Secret;
use crate::unwind::listener;

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

/// A closed-set argument (`authMethod`, `tokenTypeHint`, `fallback`) parsed by the core's
/// `FromStr`, so the error and the list of valid values come from the core.
fn parse<T: std::str::FromStr<Err = Error>>(value: Option<&str>) -> tokenward::Result<Option<T>> {
    value.map(str::parse).transpose()
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

    /// The `Authorization` header value: `DPoP <token>` for a DPoP-bound token, else
    /// `Bearer <token>`.
    #[napi(catch_unwind)]
    pub fn authorization_header(&self) -> String {
        self.0.authorization_header()
    }

    /// Expiry in Unix seconds, or null when the server gave no lifetime.
    #[napi(getter, catch_unwind)]
    pub fn expires_at(&self) -> Option<f64> {
        self.0
            .expires_at()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_secs_f64())
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

    /// Whether this is a DPoP-bound token (`token_type: DPoP`): resource requests need a proof.
    #[napi(getter, catch_unwind)]
    pub fn is_dpop(&self) -> bool {
        self.0.is_dpop()
    }

    /// The headers for a resource request `method url` (a new object): `Authorization`
    /// (`Bearer` or `DPoP`) and, for a DPoP-bound token, a `DPoP` proof with `ath` — carrying
    /// `nonce` when given (the resource server's `DPoP-Nonce`), else the one remembered for the
    /// origin. The values hold the token: send them, never log them.
    #[napi(catch_unwind, ts_return_type = "Record<string, string>")]
    pub fn request_headers(
        &self,
        method: String,
        url: String,
        nonce: Option<String>,
    ) -> napi::Result<std::collections::HashMap<String, String>, Code> {
        let headers = self
            .0
            .request_headers(&method, &url, nonce.as_deref())
            .js()?;
        Ok(headers.into_iter().collect())
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
        self.0.expires_in.map(|d| d.as_secs_f64())
    }

    /// The verified claims of the ID token, set by `AuthorizationFlow.complete` for an `openid`
    /// login; else null.
    #[napi(getter, catch_unwind)]
    pub fn id_token_claims(&self) -> Option<serde_json::Value> {
        self.0
            .id_token_claims
            .as_ref()
            .map(|c| serde_json::Value::Object(c.clone().into_map()))
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
    /// `redirect_uri`, `state`, `scope` and the challenge (the same argument order in every
    /// language).
    #[napi(catch_unwind)]
    pub fn authorization_url(
        &self,
        authorize_url: String,
        client_id: String,
        redirect_uri: String,
        state: String,
        scopes: Option<Vec<String>>,
    ) -> napi::Result<String, Code> {
        self.0
            .authorization_url(
                &authorize_url,
                &client_id,
                &redirect_uri,
                &state,
                &scopes.unwrap_or_default(),
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
// The app login flow

/// Optional settings of an `IdTokenVerifier`.
#[napi(object)]
pub struct IdTokenVerifierOptions {
    /// Accepted algorithms (intersected with the asymmetric allowlist; default: discovery's,
    /// else all of the allowlist).
    #[napi(ts_type = "Array<Algorithm>")]
    pub algorithms: Option<Vec<String>>,
    /// Tolerance in seconds for `exp`, `iat` and `auth_time` (default 60).
    pub leeway: Option<f64>,
}

fn id_token_options(
    options: Option<IdTokenVerifierOptions>,
) -> tokenward::Result<oauth::IdTokenVerifierOptions> {
    let mut o = oauth::IdTokenVerifierOptions::new();
    let Some(opts) = options else { return Ok(o) };
    if let Some(algs) = opts.algorithms {
        let algs = algs
            .iter()
            .map(|a| a.parse::<tokenward::jwt::Algorithm>())
            .collect::<tokenward::Result<Vec<_>>>()?;
        o = o.with_algorithms(algs);
    }
    if let Some(l) = opts.leeway {
        o = o.with_leeway(secs(l, "leeway")?);
    }
    Ok(o)
}

/// What one login expects of its ID token.
#[napi(object)]
pub struct IdTokenChecks {
    /// The `nonce` the login sent.
    pub nonce: Option<String>,
    /// The `max_age` (seconds) the login sent: `auth_time` must be no older.
    pub max_age: Option<f64>,
    /// The access token issued with it (compared with `at_hash`).
    pub access_token: Option<String>,
    /// The authorization code (compared with `c_hash`).
    pub code: Option<String>,
}

/// Verifies OpenID Connect ID tokens of one provider for one client.
#[napi]
pub struct IdTokenVerifier(pub(crate) oauth::IdTokenVerifier);

#[napi]
impl IdTokenVerifier {
    /// A verifier of `issuer`'s ID tokens for `clientId`, with a `KeySet` or a `RemoteKeySet`.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        issuer: String,
        client_id: String,
        keys: Either<&crate::jwt::KeySet, &crate::jwt_remote::RemoteKeySet>,
        options: Option<IdTokenVerifierOptions>,
    ) -> napi::Result<Self, Code> {
        let o = id_token_options(options).js()?;
        let v = match keys {
            Either::A(k) => oauth::IdTokenVerifier::new(issuer, client_id, k.0.clone(), o),
            Either::B(k) => {
                oauth::IdTokenVerifier::with_remote_keys(issuer, client_id, k.inner.clone(), o)
            }
        };
        Ok(IdTokenVerifier(v.js()?))
    }

    /// The verifier of a discovered client's provider (issuer, `jwks_uri`, algorithms).
    #[napi(factory, catch_unwind)]
    pub fn for_client(
        client: &OAuthClient,
        options: Option<IdTokenVerifierOptions>,
    ) -> napi::Result<Self, Code> {
        let o = id_token_options(options).js()?;
        Ok(IdTokenVerifier(
            oauth::IdTokenVerifier::for_client(&client.0, o).js()?,
        ))
    }

    /// The expected issuer.
    #[napi(getter, catch_unwind)]
    pub fn issuer(&self) -> String {
        self.0.issuer().to_owned()
    }

    /// The client id (the expected audience).
    #[napi(getter, catch_unwind)]
    pub fn client_id(&self) -> String {
        self.0.client_id().to_owned()
    }

    /// The accepted algorithms.
    #[napi(getter, catch_unwind, ts_return_type = "Array<Algorithm>")]
    pub fn algorithms(&self) -> Vec<&'static str> {
        self.0.algorithms().iter().map(|a| a.as_str()).collect()
    }

    /// Verifies an ID token (use `verify`): the claims as JSON text, or the failure.
    #[napi(js_name = "verifyRaw", skip_typescript, catch_unwind)]
    pub async fn verify_raw(
        &self,
        id_token: String,
        checks: Option<IdTokenChecks>,
    ) -> napi::Result<Either<String, Failure>> {
        crate::unwind::caught(async move {
            let built = (|| -> tokenward::Result<oauth::IdTokenChecks> {
                let mut c = oauth::IdTokenChecks::new();
                let Some(k) = checks else { return Ok(c) };
                if let Some(n) = k.nonce {
                    c = c.with_nonce(tokenward::Secret::new(n)?);
                }
                if let Some(m) = k.max_age {
                    c = c.with_max_age(secs(m, "maxAge")?);
                }
                if let Some(t) = k.access_token {
                    c = c.with_access_token(tokenward::Secret::new(t)?);
                }
                if let Some(code) = k.code {
                    c = c.with_code(tokenward::Secret::new(code)?);
                }
                Ok(c)
            })();
            let result = match built {
                Ok(c) => self.0.verify(&id_token, &c).await,
                Err(e) => Err(e),
            };
            Ok(match result {
                Ok(claims) => Either::A(claims.to_json()),
                Err(e) => Either::B(failure(e)),
            })
        })
        .await
    }
}

/// Optional settings of an `AuthorizationFlow`.
#[napi(object, object_to_js = false)]
pub struct AuthorizationFlowOptions<'a> {
    /// The scopes to ask for; with `openid` the flow sends a `nonce` and verifies the ID token.
    pub scopes: Option<Vec<String>>,
    /// OpenID Connect `max_age` in seconds.
    pub max_age: Option<f64>,
    /// The ID token verifier of an `openid` login (default: the discovered provider's).
    pub id_token_verifier: Option<ClassInstance<'a, IdTokenVerifier>>,
}

/// One login attempt of an app (authorization code + PKCE S256, `state`, OpenID Connect
/// `nonce`, RFC 9207 `iss`): open `authorizationUrl`, then `complete(redirectUrl)`.
#[napi]
pub struct AuthorizationFlow(oauth::AuthorizationFlow);

#[napi]
impl AuthorizationFlow {
    /// A new attempt of `client` returning to `redirectUri`; throws `invalid_input` when the
    /// client has no authorization endpoint or `redirectUri` is not an absolute URL.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        client: &OAuthClient,
        redirect_uri: String,
        options: Option<AuthorizationFlowOptions<'_>>,
    ) -> napi::Result<Self, Code> {
        let mut o = oauth::AuthorizationFlowOptions::new();
        if let Some(opts) = options {
            o = o.with_scopes(opts.scopes.unwrap_or_default());
            if let Some(m) = opts.max_age {
                o = o.with_max_age(secs(m, "maxAge").js()?);
            }
            if let Some(v) = opts.id_token_verifier {
                o = o.with_id_token_verifier(v.0.clone());
            }
        }
        Ok(AuthorizationFlow(
            oauth::AuthorizationFlow::new(&client.0, redirect_uri, o).js()?,
        ))
    }

    /// The URL to open in the browser.
    #[napi(getter, catch_unwind)]
    pub fn authorization_url(&self) -> String {
        self.0.authorization_url().to_owned()
    }

    /// The redirect URI the flow was made for.
    #[napi(getter, catch_unwind)]
    pub fn redirect_uri(&self) -> String {
        self.0.redirect_uri().to_owned()
    }

    /// The `state` sent (the flow compares it itself).
    #[napi(getter, catch_unwind)]
    pub fn state(&self) -> String {
        self.0.state().to_owned()
    }

    /// The OpenID Connect `nonce` sent, when the scopes include `openid`.
    #[napi(getter, catch_unwind)]
    pub fn nonce(&self) -> Option<String> {
        self.0.nonce().map(str::to_owned)
    }

    /// The scopes asked for.
    #[napi(getter, catch_unwind)]
    pub fn scopes(&self) -> Vec<String> {
        self.0.scopes().to_vec()
    }

    /// Checks the redirect and exchanges the code (use `complete`).
    #[napi(js_name = "completeRaw", skip_typescript, catch_unwind)]
    pub async fn complete_raw(
        &self,
        redirect_url: String,
    ) -> napi::Result<Either<TokenResponse, Failure>> {
        crate::unwind::caught(async move { token_outcome(self.0.complete(&redirect_url).await) })
            .await
    }

    /// Redacted: client and redirect URI only.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn to_display_string(&self) -> String {
        format!(
            "AuthorizationFlow(clientId={}, redirectUri={})",
            self.0.client().client_id(),
            self.0.redirect_uri()
        )
    }

    /// Redacted: client and redirect URI only.
    #[napi(js_name = "toJSON", catch_unwind)]
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "clientId": self.0.client().client_id(),
            "redirectUri": self.0.redirect_uri(),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Client

/// Optional settings of an `OAuthClient` (and of `OAuthClient.discover`).
#[napi(object, object_to_js = false)]
pub struct OAuthClientOptions<'a> {
    /// The client secret (for `client_secret_basic` / `client_secret_post`).
    pub client_secret: Option<Either<String, ClassInstance<'a, Secret>>>,
    /// Unset: `private_key_jwt` with a `privateKey`, else `client_secret_basic` (after
    /// discovery, `client_secret_post` when the server lists only that one).
    #[napi(
        ts_type = "'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none' | 'tls_client_auth' | 'self_signed_tls_client_auth'"
    )]
    pub auth_method: Option<String>,
    /// The signing key for `private_key_jwt`.
    pub private_key: Option<ClassInstance<'a, JwtKey>>,
    /// The RFC 7662 introspection endpoint (discovered when unset).
    pub introspection_url: Option<String>,
    /// The RFC 7009 revocation endpoint (discovered when unset).
    pub revocation_url: Option<String>,
    /// The authorization endpoint, for the PKCE authorization URL (discovered when unset).
    pub authorization_url: Option<String>,
    /// Request timeout in seconds (default 5).
    pub timeout: Option<f64>,
    /// Allow plain http to non-loopback hosts (insecure).
    pub dangerous_allow_http: Option<bool>,
    /// A DPoP key (RFC 9449): token requests carry proofs (one retry on `use_dpop_nonce`),
    /// `token_type: DPoP` answers are DPoP-bound tokens, authorization URLs carry `dpop_jkt`.
    pub dpop_key: Option<ClassInstance<'a, crate::dpop::DpopKey>>,
    /// The client certificate (PEM, with its chain) presented on every connection to the
    /// authorization server (mutual TLS, RFC 8705): for `tls_client_auth` /
    /// `self_signed_tls_client_auth`, and certificate-bound tokens. Needs `clientCertificateKey`.
    pub client_certificate: Option<String>,
    /// The private key of `clientCertificate` (PEM).
    pub client_certificate_key: Option<Either<String, ClassInstance<'a, Secret>>>,
    /// CA certificates (PEM) trusted for the server's TLS certificate besides the system's.
    pub ca_certificates: Option<String>,
}

/// The core's options of `options`; ranges (a positive, bounded timeout) are checked by the
/// core's `OAuthClient::new`.
fn client_options(options: Option<OAuthClientOptions<'_>>) -> tokenward::Result<CoreClientOptions> {
    let mut c = CoreClientOptions::default();
    let Some(o) = options else { return Ok(c) };
    if let Some(s) = o.client_secret {
        c = c.with_client_secret(match s {
            Either::A(text) => secret_arg(Either::A(text))?,
            Either::B(sec) => secret_arg(Either::B(&sec))?,
        });
    }
    if let Some(m) = parse::<AuthMethod>(o.auth_method.as_deref())? {
        c = c.with_auth_method(m);
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
    if let Some(k) = o.dpop_key {
        c = c.with_dpop_key(k.0.clone());
    }
    let key = match o.client_certificate_key {
        Some(Either::A(text)) => Some(secret_arg(Either::A(text))?),
        Some(Either::B(sec)) => Some(secret_arg(Either::B(&sec))?),
        None => None,
    };
    c = crate::mtls::with_tls(c, o.client_certificate, key, o.ca_certificates)?;
    let mut http = *c.http_policy();
    if let Some(t) = o.timeout {
        http.timeout = secs(t, "timeout")?;
    }
    http.dangerous_allow_http = o.dangerous_allow_http.unwrap_or(false);
    Ok(c.with_http_policy(http))
}

/// A request running on the library runtime, awaited once by a `Pending…` object's `wait()`.
struct Job<T>(Mutex<Option<napi::tokio::task::JoinHandle<tokenward::Result<T>>>>);

impl<T> Job<T> {
    fn new(handle: napi::tokio::task::JoinHandle<tokenward::Result<T>>) -> Self {
        Job(Mutex::new(Some(handle)))
    }

    /// The job's value as `wrap(value)`, or its failure (`invalid_input` when already awaited,
    /// `internal` when `what` was aborted).
    async fn wait<U>(&self, what: &str, wrap: impl FnOnce(T) -> U) -> Either<U, Failure> {
        let job = self.0.lock().unwrap_or_else(PoisonError::into_inner).take();
        let Some(job) = job else {
            return Either::B(failure(invalid_input("already awaited")));
        };
        match job.await {
            Ok(Ok(value)) => Either::A(wrap(value)),
            Ok(Err(e)) => Either::B(failure(e)),
            Err(_) => Either::B(failure(Error::new(
                ErrorCode::Internal,
                format!("the {what} was aborted"),
            ))),
        }
    }
}

/// A discovery in flight (returned by `discoverStart`; `OAuthClient.discover()` awaits it).
/// Internal: `tools/public-dts.mjs` keeps it out of the published types.
#[napi]
pub struct PendingClient(Job<oauth::OAuthClient>);

#[napi]
impl PendingClient {
    /// Waits for the discovery: the client, or the failure.
    #[napi(skip_typescript, catch_unwind)]
    pub async fn wait(&self) -> napi::Result<Either<OAuthClient, Failure>> {
        crate::unwind::caught(async move { Ok(self.0.wait("discovery", OAuthClient).await) }).await
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
    /// A client of the token endpoint `tokenUrl` for `clientId`; throws with `.code`
    /// (`invalid_input`) on bad settings.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        token_url: String,
        client_id: String,
        options: Option<OAuthClientOptions>,
    ) -> napi::Result<Self, Code> {
        let options = client_options(options).js()?;
        Ok(OAuthClient(
            oauth::OAuthClient::new(token_url, client_id, options).js()?,
        ))
    }

    /// Starts a discovery (use `OAuthClient.discover`, which rejects with `.code`): RFC 8414
    /// metadata, then OpenID Connect; endpoints `options` leaves unset are the server's. The
    /// options (JS objects) are read here, synchronously; the request runs on the library
    /// runtime and `PendingClient.wait()` awaits it.
    #[napi(js_name = "discoverStart", skip_typescript, catch_unwind)]
    pub fn discover_start(
        issuer_url: String,
        client_id: String,
        options: Option<OAuthClientOptions>,
    ) -> Either<PendingClient, Failure> {
        let start = || -> tokenward::Result<_> {
            let options = client_options(options)?;
            let rt = runtime::runtime()?;
            Ok(rt.spawn(async move {
                oauth::OAuthClient::discover(&issuer_url, client_id, options).await
            }))
        };
        match start() {
            Ok(job) => Either::A(PendingClient(Job::new(job))),
            Err(e) => Either::B(failure(e)),
        }
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
    #[napi(
        getter,
        catch_unwind,
        ts_return_type = "'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none' | 'tls_client_auth' | 'self_signed_tls_client_auth'"
    )]
    pub fn auth_method(&self) -> &'static str {
        self.0.auth_method().as_str()
    }

    /// The authorization endpoint, when known (discovered or configured).
    #[napi(getter, catch_unwind)]
    pub fn authorization_url(&self) -> Option<String> {
        self.0.authorization_url().map(str::to_owned)
    }

    /// The issuer found by discovery, else null.
    #[napi(getter, catch_unwind)]
    pub fn issuer(&self) -> Option<String> {
        self.0.server_metadata().map(|m| m.issuer.clone())
    }

    /// The server's `jwks_uri` found by discovery (for `RemoteKeySet`), else null.
    #[napi(getter, catch_unwind)]
    pub fn jwks_uri(&self) -> Option<String> {
        self.0.server_metadata().and_then(|m| m.jwks_uri.clone())
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

    /// RFC 7662 introspection (use `introspect`): the `Introspection` object of index.d.ts as
    /// JSON text (the fields of Kotlin/Swift's record, `claims` the whole answer), or the
    /// failure.
    #[napi(js_name = "introspectRaw", skip_typescript, catch_unwind)]
    pub async fn introspect_raw(
        &self,
        token: Either<String, &Secret>,
        token_type_hint: Option<String>,
    ) -> napi::Result<Either<String, Failure>> {
        crate::unwind::caught(async move {
            let hint = parse::<TokenTypeHint>(token_type_hint.as_deref());
            let result = match (secret_arg(token), hint) {
                (Ok(t), Ok(hint)) => self.0.introspect(&t, hint).await,
                (Err(e), _) | (_, Err(e)) => Err(e),
            };
            Ok(match result {
                Ok(i) => Either::A(
                    serde_json::json!({
                        "active": i.active,
                        "scopes": i.scopes,
                        "clientId": i.client_id,
                        "username": i.username,
                        "subject": i.subject,
                        "expiresAt": i.expires_at,
                        "claims": serde_json::Value::Object(i.claims),
                    })
                    .to_string(),
                ),
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
            let hint = parse::<TokenTypeHint>(token_type_hint.as_deref());
            let result = match (secret_arg(token), hint) {
                (Ok(t), Ok(hint)) => self.0.revoke(&t, hint).await,
                (Err(e), _) | (_, Err(e)) => Err(e),
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

/// When a `TokenSource` refreshes and how it retries (durations in seconds); unset values are
/// the core's defaults.
#[napi(object)]
#[derive(Default)]
pub struct TokenSourceOptions {
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
}

pub(crate) fn source_options(
    o: Option<TokenSourceOptions>,
) -> tokenward::Result<CoreSourceOptions> {
    let mut r = CoreSourceOptions::default();
    let Some(o) = o else { return Ok(r) };
    // Ranges are checked by the core's TokenSource constructors.
    if let Some(v) = o.refresh_ahead {
        r = r.with_refresh_ahead(secs(v, "refreshAhead")?);
    }
    if let Some(v) = o.refresh_ahead_fraction {
        r = r.with_refresh_ahead_fraction(v);
    }
    if let Some(v) = o.jitter {
        r = r.with_jitter(v);
    }
    if let Some(v) = o.expiry_margin {
        r = r.with_expiry_margin(secs(v, "expiryMargin")?);
    }
    if let Some(v) = o.default_lifetime {
        r = r.with_default_lifetime(secs(v, "defaultLifetime")?);
    }
    if let Some(v) = o.backoff_initial {
        r = r.with_backoff_initial(secs(v, "backoffInitial")?);
    }
    if let Some(v) = o.backoff_max {
        r = r.with_backoff_max(secs(v, "backoffMax")?);
    }
    if let Some(v) = o.background {
        r = r.with_background(v);
    }
    Ok(r)
}

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

/// A token request in flight (returned by `tokenStart`; `TokenSource.token()` awaits it).
/// Internal: `tools/public-dts.mjs` keeps it out of the published types.
#[napi]
pub struct PendingToken(Job<oauth::AccessToken>);

#[napi]
impl PendingToken {
    /// Waits for the token: the token, or the failure.
    #[napi(skip_typescript, catch_unwind)]
    pub async fn wait(&self) -> napi::Result<Either<AccessToken, Failure>> {
        crate::unwind::caught(async move { Ok(self.0.wait("token request", AccessToken).await) })
            .await
    }
}

/// An access token that is always valid when asked for: refreshed in the background ahead of
/// expiry, one request however many callers wait, `invalid_grant` terminal
/// (`status === 'reauthentication_required'`). Stops on `close()` or when garbage-collected;
/// it never keeps Node's event loop alive.
#[napi]
pub struct TokenSource(pub(crate) refresh::TokenSource);

#[napi]
impl TokenSource {
    /// A source using the client-credentials grant for `scopes`.
    #[napi(factory, catch_unwind)]
    pub fn client_credentials(
        client: &OAuthClient,
        scopes: Option<Vec<String>>,
        options: Option<TokenSourceOptions>,
    ) -> napi::Result<Self, Code> {
        Ok(TokenSource(
            refresh::TokenSource::client_credentials(
                client.0.clone(),
                scopes.unwrap_or_default(),
                source_options(options).js()?,
            )
            .js()?,
        ))
    }

    /// A source refreshing with `refreshToken` (rotated tokens replace it: see `onRefresh`).
    #[napi(factory, catch_unwind)]
    pub fn from_refresh_token(
        client: &OAuthClient,
        refresh_token: Either<String, &Secret>,
        scopes: Option<Vec<String>>,
        options: Option<TokenSourceOptions>,
    ) -> napi::Result<Self, Code> {
        Ok(TokenSource(
            refresh::TokenSource::from_refresh_token(
                client.0.clone(),
                secret_arg(refresh_token).js()?,
                scopes.unwrap_or_default(),
                source_options(options).js()?,
            )
            .js()?,
        ))
    }

    /// A source seeded with a token response (e.g. from `exchangeCode`): no request until it
    /// needs refreshing; then it uses the response's refresh token, or, when it has none, the
    /// `fallback` grant (`'client_credentials'`) for `scopes`. Without either it throws
    /// `invalid_input`.
    #[napi(factory, catch_unwind)]
    pub fn from_token_response(
        client: &OAuthClient,
        response: &TokenResponse,
        scopes: Option<Vec<String>>,
        #[napi(ts_arg_type = "'client_credentials' | undefined | null")] fallback: Option<String>,
        options: Option<TokenSourceOptions>,
    ) -> napi::Result<Self, Code> {
        let fallback = parse::<FallbackGrant>(fallback.as_deref())
            .js()?
            .map(|f| f.grant(scopes.unwrap_or_default()));
        Ok(TokenSource(
            refresh::TokenSource::from_token_response(
                Arc::new(client.0.clone()),
                response.0.clone(),
                fallback,
                source_options(options).js()?,
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
            Poll::Pending => Either3::C(PendingToken(Job::new(rt.spawn(fut)))),
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
        let tsfn = listener(callback).map_err(|_| hook_error())?;
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
        let tsfn = listener(callback).map_err(|_| hook_error())?;
        self.0.on_error(Arc::new(move |e: &Error| {
            tsfn.call(failure(e.clone()), ThreadsafeFunctionCallMode::NonBlocking);
        }));
        Ok(())
    }

    /// Where the source stands.
    #[napi(
        getter,
        catch_unwind,
        ts_return_type = "'empty' | 'ready' | 'retrying' | 'reauthentication_required' | 'closed'"
    )]
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

/// Whether a response with `status` and `wwwAuthenticate` (the `WWW-Authenticate` values, joined
/// by `", "`) says the access token sent was rejected, so that one refresh and one retry may
/// help: the rule of `fetchWithTokenSource` and `useTokenSource` (axios).
#[napi(catch_unwind)]
pub fn token_rejected(status: u32, www_authenticate: Option<String>) -> bool {
    u16::try_from(status)
        .is_ok_and(|s| tokenward::refresh::token_rejected(s, www_authenticate.as_deref()))
}
