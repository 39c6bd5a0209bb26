//! `TokenTypeHint` and `Introspection` (core `oauth::introspect`).

use std::time::SystemTime;

use serde_json::Value;
use tokenward::oauth as core;

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
