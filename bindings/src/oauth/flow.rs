//! `AuthorizationFlow` (core `oauth::flow`).

use std::sync::Arc;
use std::time::Duration;

use tokenward::oauth as core;

use super::client::OAuthClient;
use super::convert::{display_as_core_debug, on_runtime};
use super::id_token::IdTokenVerifier;
use super::token::TokenResponse;
use crate::error::FfiResult;

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

display_as_core_debug!(AuthorizationFlow);

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
