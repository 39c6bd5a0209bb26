//! `JwtIssuer` and its options (core `jwt::issue`).

use std::sync::Arc;
use std::time::Duration;

use serde_json::Map;
use tokenward::jwt as core;

use super::alg::Algorithm;
use super::claims::parse_claims;
use super::key::JwtKey;
use crate::clock::{shared_or_system, ManualClock};
use crate::error::FfiResult;

/// Options of `JwtIssuer`; every `null`/`nil` keeps the core default.
#[derive(uniffi::Record)]
pub struct JwtIssuerOptions {
    /// The signing algorithm; required when the key is not pinned to one.
    #[uniffi(default = None)]
    pub algorithm: Option<Algorithm>,
    /// The `iss` claim.
    #[uniffi(default = None)]
    pub issuer: Option<String>,
    /// The default `aud` (one value is written as a string, several as an array).
    #[uniffi(default = [])]
    pub audience: Vec<String>,
    /// Lifetime of issued tokens (whole seconds; default 15 min, the core's
    /// `DEFAULT_TOKEN_TTL`).
    #[uniffi(default = None)]
    pub ttl: Option<Duration>,
    /// The `typ` header (default `JWT`, the core's `DEFAULT_TYP`).
    #[uniffi(default = None)]
    pub typ: Option<String>,
    /// The clock for `iat`/`nbf`/`exp` (tests); the system clock when `None`.
    #[uniffi(default = None)]
    pub clock: Option<Arc<ManualClock>>,
}

impl From<JwtIssuerOptions> for core::JwtIssuerOptions {
    fn from(o: JwtIssuerOptions) -> Self {
        let mut options = core::JwtIssuerOptions::new()
            .with_audience(o.audience)
            .with_clock(shared_or_system(o.clock.as_ref()));
        if let Some(algorithm) = o.algorithm {
            options = options.with_algorithm(algorithm.into());
        }
        if let Some(issuer) = o.issuer {
            options = options.with_issuer(issuer);
        }
        if let Some(ttl) = o.ttl {
            options = options.with_ttl(ttl);
        }
        if let Some(typ) = o.typ {
            options = options.with_typ(typ);
        }
        options
    }
}

/// Per-call options of `JwtIssuer.issue`.
#[derive(uniffi::Record)]
pub struct JwtIssueOptions {
    /// Lifetime of this token (whole seconds), instead of the issuer's.
    #[uniffi(default = None)]
    pub ttl: Option<Duration>,
    /// The `sub` claim.
    #[uniffi(default = None)]
    pub subject: Option<String>,
    /// The `aud` claim instead of the issuer's.
    #[uniffi(default = None)]
    pub audience: Option<Vec<String>>,
}

impl From<JwtIssueOptions> for core::JwtIssueOptions {
    fn from(o: JwtIssueOptions) -> Self {
        let mut options = core::JwtIssueOptions::new();
        if let Some(ttl) = o.ttl {
            options = options.with_ttl(ttl);
        }
        if let Some(subject) = o.subject {
            options = options.with_subject(subject);
        }
        if let Some(audience) = o.audience {
            options = options.with_audience(audience);
        }
        options
    }
}

/// Signs claims with one key, setting `iat`, `nbf`, `exp`, `jti`, `iss`, `aud` and the
/// `alg`/`typ`/`kid` headers.
#[derive(uniffi::Object)]
pub struct JwtIssuer(core::JwtIssuer);

#[uniffi::export]
impl JwtIssuer {
    /// An issuer signing with `key` (an HMAC secret or a private key).
    #[uniffi::constructor]
    pub fn new(key: Arc<JwtKey>, options: JwtIssuerOptions) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(JwtIssuer(core::JwtIssuer::new(
            key.0.clone(),
            options.into(),
        )?)))
    }

    /// Signs `claims_json` (a JSON object of custom claims, which override the registered
    /// defaults; `None` for none) and returns the compact token.
    pub fn issue(
        &self,
        claims_json: Option<String>,
        options: JwtIssueOptions,
    ) -> FfiResult<String> {
        let claims = match claims_json {
            Some(json) => parse_claims(&json)?,
            None => Map::new(),
        };
        Ok(self.0.issue(&claims, &options.into())?)
    }
}
