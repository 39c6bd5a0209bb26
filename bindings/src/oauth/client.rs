//! `OAuthClient` and its options (core `oauth::client`).

use std::sync::Arc;
use std::time::Duration;

use tokenward::oauth as core;

use super::auth_method::AuthMethod;
use super::convert::{display_as_core_debug, on_runtime};
use super::introspect::{Introspection, TokenTypeHint};
use super::pkce::Pkce;
use super::token::TokenResponse;
use crate::error::FfiResult;
use crate::jwt::JwtKey;
use crate::secret::Secret;

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
    /// The server's issuer identifier: `PRIVATE_KEY_JWT` assertions name it as their audience
    /// (FAPI 2.0); discovery sets it. Without it the audience is the token endpoint.
    #[uniffi(default = None)]
    pub issuer: Option<String>,
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
        if let Some(i) = o.issuer {
            c = c.with_issuer(i);
        }
        c
    }
}

/// An OAuth 2.0 client of one authorization server. Safe to share between threads. Printed
/// with the core's `Debug` (endpoint, client id, method; never the secret).
#[derive(uniffi::Object, Debug)]
#[uniffi::export(Debug, Display)]
pub struct OAuthClient(pub(crate) core::OAuthClient);

display_as_core_debug!(OAuthClient);

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

    /// The issuer: configured (`OAuthClientOptions.issuer`) or found by discovery.
    pub fn issuer(&self) -> Option<String> {
        self.0.issuer().map(str::to_owned)
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
