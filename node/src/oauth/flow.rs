//! `AuthorizationFlow` (core `oauth::flow`).

use crate::napi;
use crate::napi::bindgen_prelude::{ClassInstance, Either};
use napi_derive::napi;
use tokenward::oauth::{self};

use super::client::{token_outcome, OAuthClient};
use super::convert::secs;
use super::id_token::IdTokenVerifier;
use super::token::TokenResponse;
use crate::error::{Code, IntoJsResult};
use crate::jwt_remote::Failure;

/// Optional settings of an `AuthorizationFlow`.
#[napi(object, object_to_js = false)]
pub struct AuthorizationFlowOptions<'a> {
    /// The scopes to ask for; with `openid` the flow sends a `nonce` and verifies the ID token.
    pub scopes: Option<Vec<String>>,
    /// OpenID Connect `max_age` in seconds.
    pub max_age: Option<f64>,
    /// The ID token verifier of an `openid` login (default: the discovered provider's).
    pub id_token_verifier: Option<ClassInstance<'a, IdTokenVerifier>>,
    /// The pushed authorization request endpoint (RFC 9126) `AuthorizationFlow.start` pushes
    /// to (default: the discovered one); the constructor refuses it (`invalid_input`).
    pub pushed_authorization_url: Option<String>,
    /// Require a pushed authorization request: `start` throws `invalid_input` when no PAR
    /// endpoint is known, and the constructor refuses (it makes no request).
    pub require_pushed_authorization: Option<bool>,
}

/// The JS options as the core's (an unset field keeps the core default).
pub(super) fn flow_options(
    options: Option<AuthorizationFlowOptions<'_>>,
) -> tokenward::Result<oauth::AuthorizationFlowOptions> {
    let mut o = oauth::AuthorizationFlowOptions::new();
    let Some(opts) = options else { return Ok(o) };
    o = o.with_scopes(opts.scopes.unwrap_or_default());
    if let Some(m) = opts.max_age {
        o = o.with_max_age(secs(m, "maxAge")?);
    }
    if let Some(v) = opts.id_token_verifier {
        o = o.with_id_token_verifier(v.0.clone());
    }
    if let Some(u) = opts.pushed_authorization_url {
        o = o.with_pushed_authorization_url(u);
    }
    if let Some(r) = opts.require_pushed_authorization {
        o = o.with_require_pushed_authorization(r);
    }
    Ok(o)
}

/// One login attempt of an app (authorization code + PKCE S256, `state`, OpenID Connect
/// `nonce`, RFC 9207 `iss`): open `authorizationUrl`, then `complete(redirectUrl)`.
#[napi]
pub struct AuthorizationFlow(pub(super) oauth::AuthorizationFlow);

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
        let o = flow_options(options).js()?;
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
