//! Claims JSON in and `VerifiedClaims` out (core `jwt::claims`).

use serde_json::{Map, Value};
use tokenward::jwt as core;
use tokenward::{Error, ErrorCode};

use crate::error::FfiResult;

pub(super) fn parse_claims(json: &str) -> FfiResult<Map<String, Value>> {
    match serde_json::from_str::<Value>(json) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(Error::new(ErrorCode::InvalidInput, "claims must be a JSON object").into()),
    }
}

/// The registered claims of a verified token, typed, plus every claim as JSON text.
#[derive(uniffi::Record)]
pub struct VerifiedClaims {
    /// `iss`.
    pub issuer: Option<String>,
    /// `sub`.
    pub subject: Option<String>,
    /// `aud` (a single string becomes a one-element list).
    pub audience: Vec<String>,
    /// `exp`, Unix seconds.
    pub expires_at: Option<i64>,
    /// `nbf`, Unix seconds.
    pub not_before: Option<i64>,
    /// `iat`, Unix seconds.
    pub issued_at: Option<i64>,
    /// `jti`.
    pub jwt_id: Option<String>,
    /// All claims (registered and custom) as a JSON object.
    pub json: String,
}

impl From<core::Claims> for VerifiedClaims {
    fn from(claims: core::Claims) -> Self {
        VerifiedClaims {
            issuer: claims.iss().map(str::to_owned),
            subject: claims.sub().map(str::to_owned),
            audience: claims.audiences().into_iter().map(str::to_owned).collect(),
            expires_at: claims.exp(),
            not_before: claims.nbf(),
            issued_at: claims.iat(),
            jwt_id: claims.jti().map(str::to_owned),
            json: claims.to_json(),
        }
    }
}
