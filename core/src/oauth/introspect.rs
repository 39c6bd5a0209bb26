//! Token introspection (RFC 7662).

use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};

use super::errors::json_object;
use super::form::Form;
use super::token::split_scopes;
use super::OAuthClient;
use crate::http::Operation;
use crate::{Error, ErrorCode, Secret};

/// Which kind of token is sent to introspection or revocation (RFC 7009 section 2.1): a hint
/// that helps the server find it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenTypeHint {
    /// `access_token`.
    AccessToken,
    /// `refresh_token`.
    RefreshToken,
}

impl TokenTypeHint {
    /// The RFC 7009 name.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenTypeHint::AccessToken => "access_token",
            TokenTypeHint::RefreshToken => "refresh_token",
        }
    }
}

impl FromStr for TokenTypeHint {
    type Err = Error;

    /// Parses `access_token` or `refresh_token`; `invalid_input` otherwise.
    fn from_str(name: &str) -> Result<TokenTypeHint, Error> {
        [TokenTypeHint::AccessToken, TokenTypeHint::RefreshToken]
            .into_iter()
            .find(|h| h.as_str() == name)
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::InvalidInput,
                    "unknown token type hint: expected access_token or refresh_token",
                )
            })
    }
}

impl fmt::Display for TokenTypeHint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The answer of the introspection endpoint.
#[derive(Debug, Clone)]
pub struct Introspection {
    /// Whether the token is currently active. When `false`, nothing else is meaningful.
    pub active: bool,
    /// The token's scopes.
    pub scopes: Vec<String>,
    /// `client_id`.
    pub client_id: Option<String>,
    /// `username`.
    pub username: Option<String>,
    /// `sub`.
    pub subject: Option<String>,
    /// `exp` (Unix seconds).
    pub expires_at: Option<i64>,
    /// Every member of the answer (no token material: RFC 7662 answers describe the token).
    pub claims: Map<String, Value>,
}

fn string(map: &Map<String, Value>, name: &str) -> Option<String> {
    map.get(name).and_then(Value::as_str).map(str::to_owned)
}

impl Introspection {
    /// Parses an introspection answer; `active` must be a boolean.
    pub fn parse(body: &[u8]) -> Result<Introspection, Error> {
        let claims = json_object(body)?;
        let active = match claims.get("active") {
            Some(Value::Bool(b)) => *b,
            _ => {
                return Err(Error::new(
                    ErrorCode::InvalidResponse,
                    "the introspection answer has no boolean active",
                ))
            }
        };
        Ok(Introspection {
            active,
            scopes: string(&claims, "scope")
                .map(|s| split_scopes(&s))
                .unwrap_or_default(),
            client_id: string(&claims, "client_id"),
            username: string(&claims, "username"),
            subject: string(&claims, "sub"),
            expires_at: claims.get("exp").and_then(Value::as_i64),
            claims,
        })
    }
}

impl OAuthClient {
    /// Asks the introspection endpoint about `token`.
    pub async fn introspect(
        &self,
        token: &Secret,
        token_type_hint: Option<TokenTypeHint>,
    ) -> Result<Introspection, Error> {
        let mut form = Form::new();
        form.add("token", token.expose());
        if let Some(hint) = token_type_hint {
            form.add("token_type_hint", hint.as_str());
        }
        let url = self.introspection_endpoint()?.to_owned();
        let response = self
            .post_form(Operation::Introspection, &url, form)
            .await
            .map_err(|f| f.error)?;
        Introspection::parse(&response.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_active_and_inactive() {
        let i =
            Introspection::parse(br#"{"active":true,"scope":"a b","sub":"u","exp":5}"#).unwrap();
        assert!(i.active);
        assert_eq!(i.scopes, ["a", "b"]);
        assert_eq!(i.expires_at, Some(5));
        assert!(!Introspection::parse(br#"{"active":false}"#).unwrap().active);
        assert_eq!(
            "refresh_token".parse::<TokenTypeHint>().unwrap(),
            TokenTypeHint::RefreshToken
        );
        assert_eq!(TokenTypeHint::AccessToken.as_str(), "access_token");
        assert_eq!(
            "id_token".parse::<TokenTypeHint>().unwrap_err().code(),
            ErrorCode::InvalidInput
        );
        assert_eq!(
            Introspection::parse(br#"{"active":"yes"}"#)
                .unwrap_err()
                .code(),
            ErrorCode::InvalidResponse
        );
    }
}
