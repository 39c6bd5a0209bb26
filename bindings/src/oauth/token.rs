//! `AccessToken` and `TokenResponse` (core `oauth::token`).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokenward::oauth as core;

use super::convert::display_as_core_debug;
use crate::error::FfiResult;
use crate::secret::Secret;

/// An access token. `toString`/`description` are redacted (`AccessToken([REDACTED:<fp>])`);
/// `expose()` gives the string.
#[derive(uniffi::Object, Debug)]
#[uniffi::export(Debug, Display)]
pub struct AccessToken(pub(super) core::AccessToken);

/// The core's redacted form.
impl std::fmt::Display for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

display_as_core_debug!(TokenResponse);

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

    /// Remembers a resource server's `DPoP-Nonce` (from any answer, a 200 too) for `url`'s
    /// origin: the next proof to it carries the nonce. Nothing happens for a bearer token or
    /// an invalid nonce. The HTTP hooks call it on every answer.
    pub fn remember_dpop_nonce(&self, url: String, nonce: String) {
        self.0.remember_dpop_nonce(&url, &nonce);
    }
}

/// A token-endpoint answer. Its printed form is the core's `Debug`, where every token is a
/// redacted `Secret`.
#[derive(uniffi::Object, Debug)]
#[uniffi::export(Debug, Display)]
pub struct TokenResponse(pub(super) core::TokenResponse);

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
