//! Kept tokens: a [`TokenStore`] the application implements (Keychain, Android Keystore, a
//! file, a database row) and the [`StoredTokens`] a [`super::TokenSource`] hands it on every
//! rotation, with a versioned JSON form (`{"v":1,...}`) for stores that keep one string.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::oauth::{AccessToken, TokenResponse};
use crate::{Error, ErrorCode, Result, Secret};

/// The largest JSON form [`StoredTokens::from_json`] reads (64 KiB).
pub const MAX_STORED_TOKENS_JSON: usize = 64 * 1024;

/// The version of the JSON form written by [`StoredTokens::to_json`].
pub const STORED_TOKENS_VERSION: u64 = 1;

/// Where a [`super::TokenSource`] keeps its tokens across restarts. Implemented by the
/// application; called on every rotation ([`TokenStore::save`]), once at start
/// ([`TokenStore::load`], by [`super::TokenSource::restore`]), and when the refresh token is
/// refused with `invalid_grant` ([`TokenStore::clear`]), so that a dead token is not restored.
pub trait TokenStore: Send + Sync {
    /// Replaces the kept tokens with `tokens`.
    fn save(&self, tokens: &StoredTokens) -> Result<()>;
    /// The kept tokens, or `None` when nothing is kept.
    fn load(&self) -> Result<Option<StoredTokens>>;
    /// Forgets the kept tokens.
    fn clear(&self) -> Result<()>;
}

/// The tokens a [`TokenStore`] keeps: the access token with its type, absolute expiry and
/// scopes, the refresh token and the ID token. Every printed form is redacted; the values
/// leave only through [`StoredTokens::to_json`] and the `Secret`s' `expose()`.
#[derive(Clone)]
pub struct StoredTokens {
    access_token: Secret,
    token_type: String,
    expires_at: u64,
    refresh_token: Option<Secret>,
    scopes: Vec<String>,
    id_token: Option<Secret>,
}

fn malformed(msg: &'static str) -> Error {
    Error::new(ErrorCode::Malformed, msg)
}

fn unix_seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl StoredTokens {
    /// Builds the kept form; `expires_at` is the access token's absolute expiry (Unix seconds).
    /// An empty or over-long token type is refused with `invalid_input`.
    pub fn new(
        access_token: Secret,
        token_type: impl Into<String>,
        expires_at: u64,
        refresh_token: Option<Secret>,
        scopes: Vec<String>,
        id_token: Option<Secret>,
    ) -> Result<StoredTokens> {
        let token_type = token_type.into();
        if token_type.is_empty() || token_type.len() > 32 {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "token_type must be 1 to 32 characters",
            ));
        }
        Ok(StoredTokens {
            access_token,
            token_type,
            expires_at,
            refresh_token,
            scopes,
            id_token,
        })
    }

    /// The kept form of `response`: its expiry is the token's `expires_at`, else `now` plus the
    /// announced lifetime, else `now` plus `default_lifetime`; a response without a refresh
    /// token keeps `refresh_token` (a server that does not rotate).
    pub fn from_response(
        response: &TokenResponse,
        refresh_token: Option<Secret>,
        now: SystemTime,
        default_lifetime: Duration,
    ) -> StoredTokens {
        let token = &response.access_token;
        let expires_at = token.expires_at().unwrap_or_else(|| {
            crate::clock::add(now, response.expires_in.unwrap_or(default_lifetime))
        });
        StoredTokens {
            access_token: token.secret().clone(),
            token_type: token.token_type().to_owned(),
            expires_at: unix_seconds(expires_at),
            refresh_token: response.refresh_token.clone().or(refresh_token),
            scopes: token.scopes().to_vec(),
            id_token: response.id_token.clone(),
        }
    }

    /// The access token.
    pub fn access_token(&self) -> &Secret {
        &self.access_token
    }

    /// The access token's type (`Bearer`, `DPoP`, …).
    pub fn token_type(&self) -> &str {
        &self.token_type
    }

    /// The access token's expiry, Unix seconds.
    pub fn expires_at(&self) -> u64 {
        self.expires_at
    }

    /// The refresh token, if any.
    pub fn refresh_token(&self) -> Option<&Secret> {
        self.refresh_token.as_ref()
    }

    /// The granted scopes.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// The OpenID Connect ID token, if any.
    pub fn id_token(&self) -> Option<&Secret> {
        self.id_token.as_ref()
    }

    /// The access token as an [`AccessToken`] (expiry included).
    pub fn to_access_token(&self) -> AccessToken {
        AccessToken::new(
            self.access_token.clone(),
            self.token_type.clone(),
            Some(crate::clock::add(
                UNIX_EPOCH,
                Duration::from_secs(self.expires_at),
            )),
            self.scopes.clone(),
        )
    }

    /// The versioned JSON form, `{"v":1,"access_token":…}`. It holds the tokens: give it to
    /// secure storage only.
    pub fn to_json(&self) -> String {
        let quote = |s: &str| Value::String(s.to_owned()).to_string();
        let mut members = vec![
            format!("\"v\":{STORED_TOKENS_VERSION}"),
            format!("\"access_token\":{}", quote(self.access_token.expose())),
            format!("\"token_type\":{}", quote(&self.token_type)),
            format!("\"expires_at\":{}", self.expires_at),
        ];
        if let Some(rt) = &self.refresh_token {
            members.push(format!("\"refresh_token\":{}", quote(rt.expose())));
        }
        if !self.scopes.is_empty() {
            members.push(format!("\"scope\":{}", quote(&self.scopes.join(" "))));
        }
        if let Some(id) = &self.id_token {
            members.push(format!("\"id_token\":{}", quote(id.expose())));
        }
        format!("{{{}}}", members.join(","))
    }

    /// Reads the JSON form written by [`StoredTokens::to_json`]. More than 64 KiB is
    /// `token_too_large`; not JSON, another version, a missing or mistyped member is
    /// `malformed`. The error never quotes the input.
    pub fn from_json(json: &str) -> Result<StoredTokens> {
        if json.len() > MAX_STORED_TOKENS_JSON {
            return Err(Error::new(
                ErrorCode::TokenTooLarge,
                "the stored tokens exceed 64 KiB",
            ));
        }
        let map = crate::json::parse_object(
            json.as_bytes(),
            2,
            "the stored tokens are not a JSON object",
        )?;
        match map.get("v").and_then(Value::as_u64) {
            Some(STORED_TOKENS_VERSION) => {}
            Some(_) => return Err(malformed("the stored tokens have an unknown version")),
            None => return Err(malformed("the stored tokens have no version")),
        }
        let string = |name: &str| -> Result<Option<&str>> {
            match map.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s)),
                Some(_) => Err(malformed("a stored token member is not a string")),
            }
        };
        let secret = |name: &str| -> Result<Option<Secret>> {
            match string(name)? {
                None | Some("") => Ok(None),
                Some(s) => Secret::new(s).map(Some),
            }
        };
        let access_token = secret("access_token")?
            .ok_or_else(|| malformed("the stored tokens have no access_token"))?;
        let token_type = match string("token_type")? {
            Some(t) if !t.is_empty() && t.len() <= 32 => t.to_owned(),
            _ => return Err(malformed("the stored token_type is not a short string")),
        };
        let expires_at = map
            .get("expires_at")
            .and_then(Value::as_u64)
            .ok_or_else(|| malformed("the stored expires_at is not a Unix time"))?;
        let scopes = string("scope")?
            .map(|s| s.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default();
        Ok(StoredTokens {
            access_token,
            token_type,
            expires_at,
            refresh_token: secret("refresh_token")?,
            scopes,
            id_token: secret("id_token")?,
        })
    }

    /// The printed form: `StoredTokens(access_token=[REDACTED:…], …)`.
    pub fn redacted(&self) -> String {
        let opt = |s: &Option<Secret>| s.as_ref().map_or("None".to_owned(), Secret::redacted);
        format!(
            "StoredTokens(access_token={}, token_type={:?}, expires_at={}, refresh_token={}, scopes={:?}, id_token={})",
            self.access_token.redacted(),
            self.token_type,
            self.expires_at,
            opt(&self.refresh_token),
            self.scopes,
            opt(&self.id_token),
        )
    }
}

impl fmt::Debug for StoredTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Display for StoredTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}
