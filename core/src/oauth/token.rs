//! Access tokens and token responses; token material is held as [`Secret`].

use std::fmt;
use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};

use super::errors::json_object;
use crate::dpop::DpopSigner;
use crate::{Error, ErrorCode, Secret};

/// Largest accepted `expires_in` (one year); anything above is `invalid_response`.
pub const MAX_EXPIRES_IN: Duration = Duration::from_secs(365 * 24 * 3600);

/// An access token: the value (redacted when printed), its type, expiry and scopes.
#[derive(Clone)]
pub struct AccessToken {
    value: Secret,
    token_type: String,
    expires_at: Option<SystemTime>,
    scopes: Vec<String>,
    /// The client's DPoP key, for a DPoP-bound token the client received.
    dpop: Option<DpopSigner>,
}

impl AccessToken {
    /// Builds a token; `expires_at` is `None` when the server gave no lifetime.
    pub fn new(
        value: Secret,
        token_type: impl Into<String>,
        expires_at: Option<SystemTime>,
        scopes: Vec<String>,
    ) -> AccessToken {
        AccessToken {
            value,
            token_type: token_type.into(),
            expires_at,
            scopes,
            dpop: None,
        }
    }

    /// The token bound to `signer`'s key (the OAuth client does this for `token_type: DPoP`).
    pub(crate) fn with_dpop_signer(mut self, signer: DpopSigner) -> AccessToken {
        self.dpop = Some(signer);
        self
    }

    /// The token string, for an `Authorization` header. Keep call sites few.
    pub fn expose(&self) -> &str {
        self.value.expose()
    }

    /// The token as a [`Secret`].
    pub fn secret(&self) -> &Secret {
        &self.value
    }

    /// The token type (`Bearer`, `DPoP`, …).
    pub fn token_type(&self) -> &str {
        &self.token_type
    }

    /// The `Authorization` header value: `DPoP <token>` for a DPoP-bound token (RFC 9449 §7.1),
    /// else `Bearer <token>` (RFC 6750; servers spell the type `bearer`, `Bearer`, …). Holds
    /// the token: send it, never log it.
    pub fn authorization_header(&self) -> String {
        let scheme = if self.token_type.eq_ignore_ascii_case("dpop") {
            "DPoP"
        } else {
            "Bearer"
        };
        format!("{scheme} {}", self.value.expose())
    }

    /// Whether this is a DPoP-bound token (`token_type: DPoP`, RFC 9449): resource requests
    /// need a proof, see [`AccessToken::request_headers`].
    pub fn is_dpop(&self) -> bool {
        self.token_type.eq_ignore_ascii_case("dpop")
    }

    /// The headers to put on a resource request `method url`: `Authorization: Bearer <token>`
    /// for a bearer token; `Authorization: DPoP <token>` and a `DPoP` proof with `ath` for a
    /// DPoP-bound token — with `nonce` when given (a resource server's `DPoP-Nonce`, then
    /// remembered for the URL's origin), else the nonce remembered for the origin. A
    /// DPoP-bound token made without the client's key, a bad method or a URL that is not
    /// absolute http(s) is `invalid_input`. The values hold the token: send, never log them.
    pub fn request_headers(
        &self,
        method: &str,
        url: &str,
        nonce: Option<&str>,
    ) -> Result<Vec<(String, String)>, Error> {
        let authorization = ("Authorization".to_owned(), self.authorization_header());
        if !self.is_dpop() {
            return Ok(vec![authorization]);
        }
        let signer = self.dpop.as_ref().ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidInput,
                "this DPoP-bound token has no DPoP key (it was not received by a client with one)",
            )
        })?;
        let proof = signer.proof(method, url, Some(self.value.expose()), nonce)?;
        Ok(vec![authorization, ("DPoP".to_owned(), proof)])
    }

    /// Remembers a resource server's `DPoP-Nonce` (from any answer, a `200` too, RFC 9449
    /// section 8.2) for `url`'s origin, so the next proof to that origin carries it. Nothing
    /// happens for a bearer token, an invalid nonce or a URL that is not absolute http(s).
    pub fn remember_dpop_nonce(&self, url: &str, nonce: &str) {
        if let Some(signer) = self.dpop.as_ref().filter(|_| self.is_dpop()) {
            signer.remember_nonce(url, nonce.trim());
        }
    }

    /// When the token expires (wall clock, from the injected clock at receipt).
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    /// The granted scopes.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// The printed form: `AccessToken([REDACTED:<fingerprint>])`.
    pub fn redacted(&self) -> String {
        format!("AccessToken({})", self.value.redacted())
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("value", &self.value)
            .field("token_type", &self.token_type)
            .field("expires_at", &self.expires_at)
            .field("scopes", &self.scopes)
            .field("dpop", &self.dpop.as_ref().map(|s| s.key().thumbprint()))
            .finish()
    }
}

impl fmt::Display for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// A successful token-endpoint answer (RFC 6749 section 5.1).
#[derive(Clone, Debug)]
pub struct TokenResponse {
    /// The access token.
    pub access_token: AccessToken,
    /// Lifetime announced by the server (`expires_in`).
    pub expires_in: Option<Duration>,
    /// A (possibly rotated) refresh token.
    pub refresh_token: Option<Secret>,
    /// An OpenID Connect ID token.
    pub id_token: Option<Secret>,
    /// The claims of `id_token` once verified: set by [`super::AuthorizationFlow::complete`]
    /// for an `openid` login (never by [`TokenResponse::parse`]).
    pub id_token_claims: Option<crate::jwt::Claims>,
}

fn invalid(msg: &'static str) -> Error {
    Error::new(ErrorCode::InvalidResponse, msg)
}

fn optional_secret(map: &Map<String, Value>, name: &str) -> Result<Option<Secret>, Error> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Secret::new(s.clone()).map(Some),
        Some(_) => Err(invalid("a token field is not a string")),
    }
}

/// `expires_in`: a positive integer (a numeric string is tolerated) of at most one year.
fn expires_in(map: &Map<String, Value>) -> Result<Option<Duration>, Error> {
    let secs = match map.get("expires_in") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
        Some(_) => None,
    };
    match secs {
        Some(s) if s > 0 && (s as u64) <= MAX_EXPIRES_IN.as_secs() => {
            Ok(Some(Duration::from_secs(s as u64)))
        }
        _ => Err(invalid("expires_in is not a sensible lifetime")),
    }
}

/// Splits a space-delimited `scope` value.
pub(crate) fn split_scopes(scope: &str) -> Vec<String> {
    scope.split_whitespace().map(str::to_owned).collect()
}

impl TokenResponse {
    /// Parses a 2xx token-endpoint body received at `now`. When the answer has no `scope`,
    /// the granted scopes are the `requested` ones (RFC 6749 section 5.1).
    pub fn parse(
        body: &[u8],
        now: SystemTime,
        requested: &[String],
    ) -> Result<TokenResponse, Error> {
        let map = json_object(body)?;
        let value = match map.get("access_token") {
            Some(Value::String(s)) if !s.is_empty() => Secret::new(s.clone())?,
            _ => return Err(invalid("the response has no access_token")),
        };
        let token_type = match map.get("token_type") {
            Some(Value::String(t)) if !t.is_empty() && t.len() <= 32 => t.clone(),
            None => "Bearer".to_owned(),
            _ => return Err(invalid("token_type is not a short string")),
        };
        let expires_in = expires_in(&map)?;
        let scopes = match map.get("scope") {
            Some(Value::String(s)) => split_scopes(s),
            None | Some(Value::Null) => requested.to_vec(),
            Some(_) => return Err(invalid("scope is not a string")),
        };
        let expires_at = expires_in.map(|d| crate::clock::add(now, d));
        Ok(TokenResponse {
            access_token: AccessToken::new(value, token_type, expires_at, scopes),
            expires_in,
            refresh_token: optional_secret(&map, "refresh_token")?,
            id_token: optional_secret(&map, "id_token")?,
            id_token_claims: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn parse(body: &str) -> Result<TokenResponse, Error> {
        TokenResponse::parse(body.as_bytes(), UNIX_EPOCH, &["a".to_owned()])
    }

    #[test]
    fn authorization_header_follows_the_token_type() {
        let header = |t: &str| {
            AccessToken::new(Secret::new("AT").unwrap(), t, None, vec![]).authorization_header()
        };
        assert_eq!(header("Bearer"), "Bearer AT");
        assert_eq!(header("bearer"), "Bearer AT");
        assert_eq!(header("DPoP"), "DPoP AT");
        assert_eq!(header("dpop"), "DPoP AT");
        assert_eq!(header("N_A"), "Bearer AT");
    }

    #[test]
    fn parses_and_redacts() {
        let r = parse(r#"{"access_token":"AT-secret","token_type":"Bearer","expires_in":60,"refresh_token":"RT-secret","scope":"x y"}"#).unwrap();
        assert_eq!(r.access_token.expose(), "AT-secret");
        assert_eq!(r.access_token.scopes(), ["x", "y"]);
        assert_eq!(
            r.access_token.expires_at(),
            Some(UNIX_EPOCH + Duration::from_secs(60))
        );
        let printed = format!("{r:?} {}", r.access_token);
        assert!(
            !printed.contains("AT-secret") && !printed.contains("RT-secret"),
            "{printed}"
        );
        assert_eq!(
            parse(r#"{"access_token":"t"}"#)
                .unwrap()
                .access_token
                .scopes(),
            ["a"]
        );
    }

    #[test]
    fn refuses_bad_answers() {
        for body in [
            "not json",
            "[]",
            r#"{"token_type":"Bearer"}"#,
            r#"{"access_token":""}"#,
            r#"{"access_token":5}"#,
            r#"{"access_token":"t","expires_in":-1}"#,
            r#"{"access_token":"t","expires_in":0}"#,
            r#"{"access_token":"t","expires_in":40000000}"#,
            r#"{"access_token":"t","expires_in":1.5}"#,
            r#"{"access_token":"t","expires_in":true}"#,
        ] {
            assert_eq!(
                parse(body).unwrap_err().code(),
                ErrorCode::InvalidResponse,
                "{body}"
            );
        }
        assert!(parse(r#"{"access_token":"t","expires_in":"3600"}"#).is_ok());
    }
}
