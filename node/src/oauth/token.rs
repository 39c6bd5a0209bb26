//! `AccessToken` and `TokenResponse` (core `oauth::token`).

use std::time::UNIX_EPOCH;

use crate::napi;
use napi_derive::napi;
use tokenward::oauth::{self};

use crate::error::{Code, IntoJsResult};
use crate::secret::Secret;

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

    /// Remembers a resource server's `DPoP-Nonce` (from any answer, a 200 too) for `url`'s
    /// origin: the next proof to it carries the nonce. Nothing happens for a bearer token or
    /// an invalid nonce. The HTTP hooks call it on every answer.
    #[napi(catch_unwind)]
    pub fn remember_dpop_nonce(&self, url: String, nonce: String) {
        self.0.remember_dpop_nonce(&url, &nonce);
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
