//! `OAuthClient` and its options (core `oauth::client`).

use crate::napi;
use crate::napi::bindgen_prelude::{ClassInstance, Either};
use napi_derive::napi;
use tokenward::__bindings::runtime;
use tokenward::oauth::{self, AuthMethod, OAuthClientOptions as CoreClientOptions, TokenTypeHint};

use super::convert::{failure, parse, secret_arg, secs};
use super::job::Job;
use super::pkce::Pkce;
use super::token::TokenResponse;
use crate::error::{Code, IntoJsResult};
use crate::jwt::JwtKey;
use crate::jwt_remote::Failure;
use crate::secret::Secret;

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
    /// The server's issuer identifier: `private_key_jwt` assertions name it as their audience
    /// (FAPI 2.0); discovery sets it. Without it the audience is the token endpoint.
    pub issuer: Option<String>,
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
    if let Some(i) = o.issuer {
        c = c.with_issuer(i);
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
pub(super) fn token_outcome(
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

    /// The issuer: configured (`issuer`) or found by discovery, else null.
    #[napi(getter, catch_unwind)]
    pub fn issuer(&self) -> Option<String> {
        self.0.issuer().map(str::to_owned)
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
