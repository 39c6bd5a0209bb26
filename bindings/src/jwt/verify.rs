//! `JwtVerifier` and its options (core `jwt::verify`).

use std::sync::Arc;
use std::time::Duration;

use tokenward::jwt as core;

use super::alg::Algorithm;
use super::claims::VerifiedClaims;
use super::key::JwtKey;
use super::keyset::KeySet;
use crate::clock::{shared_or_system, ManualClock};
use crate::error::FfiResult;

/// Options of `JwtVerifier` and `RemoteJwtVerifier`. `algorithms` is required; every
/// `null`/`nil` keeps the core default.
#[derive(uniffi::Record)]
pub struct JwtVerifierOptions {
    /// The algorithms a token may use (an empty list fails with `invalid_input`).
    pub algorithms: Vec<Algorithm>,
    /// Accepted `iss` values; empty means `iss` is not compared (its type still is).
    #[uniffi(default = [])]
    pub issuers: Vec<String>,
    /// Audiences this verifier identifies with; empty means tokens with an `aud` are refused.
    #[uniffi(default = [])]
    pub audiences: Vec<String>,
    /// The expected `sub`.
    #[uniffi(default = None)]
    pub subject: Option<String>,
    /// Clock skew tolerated on `exp`/`nbf`/`iat` (default 60 s, the core's `DEFAULT_LEEWAY`).
    #[uniffi(default = None)]
    pub leeway: Option<Duration>,
    /// Claims that must be present.
    #[uniffi(default = [])]
    pub required_claims: Vec<String>,
    /// Whether `exp` is required.
    #[uniffi(default = true)]
    pub require_exp: bool,
    /// The expected `typ` header (case-insensitive, `application/` optional).
    #[uniffi(default = None)]
    pub typ: Option<String>,
    /// Maximum age from `iat`.
    #[uniffi(default = None)]
    pub max_age: Option<Duration>,
    /// Maximum token size in bytes (default 16384, the core's `DEFAULT_MAX_TOKEN_SIZE`).
    #[uniffi(default = None)]
    pub max_token_size: Option<u32>,
    /// Maximum JSON nesting depth of header and claims (default 16, the core's
    /// `DEFAULT_MAX_DEPTH`).
    #[uniffi(default = None)]
    pub max_depth: Option<u32>,
    /// The clock for `exp`/`nbf`/`iat` (tests); the system clock when `None`.
    #[uniffi(default = None)]
    pub clock: Option<Arc<ManualClock>>,
    /// Keep up to this many verified tokens (default 0: no cache; docs/jwt.md).
    #[uniffi(default = None)]
    pub cache_size: Option<u32>,
}

impl From<JwtVerifierOptions> for core::JwtVerifierOptions {
    fn from(o: JwtVerifierOptions) -> Self {
        let mut options =
            core::JwtVerifierOptions::new(o.algorithms.into_iter().map(core::Algorithm::from))
                .with_issuers(o.issuers)
                .with_audiences(o.audiences)
                .with_required_claims(o.required_claims)
                .with_require_exp(o.require_exp)
                .with_clock(shared_or_system(o.clock.as_ref()));
        if let Some(subject) = o.subject {
            options = options.with_subject(subject);
        }
        if let Some(leeway) = o.leeway {
            options = options.with_leeway(leeway);
        }
        if let Some(typ) = o.typ {
            options = options.with_typ(typ);
        }
        if let Some(max_age) = o.max_age {
            options = options.with_max_age(max_age);
        }
        if let Some(size) = o.max_token_size {
            options = options.with_max_token_size(size as usize);
        }
        if let Some(depth) = o.max_depth {
            options = options.with_max_depth(depth as usize);
        }
        if let Some(size) = o.cache_size {
            options = options.with_cache_size(size as usize);
        }
        options
    }
}

/// Verifies tokens against keys and a policy (RFC 8725). Build once, reuse for every token;
/// safe to share between threads.
#[derive(uniffi::Object)]
pub struct JwtVerifier(pub(crate) core::JwtVerifier);

#[uniffi::export]
impl JwtVerifier {
    /// A verifier for a key set (a snapshot: keys added to the set later are not seen).
    #[uniffi::constructor]
    pub fn new(keys: Arc<KeySet>, options: JwtVerifierOptions) -> FfiResult<Arc<Self>> {
        let keys = keys.snapshot()?;
        Ok(Arc::new(JwtVerifier(core::JwtVerifier::new(
            keys,
            options.into(),
        )?)))
    }

    /// A verifier for one key.
    #[uniffi::constructor]
    pub fn with_key(key: Arc<JwtKey>, options: JwtVerifierOptions) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(JwtVerifier(core::JwtVerifier::new(
            key.0.clone(),
            options.into(),
        )?)))
    }

    /// A verifier for a JWKS document (JSON text).
    #[uniffi::constructor]
    pub fn with_jwks(jwks: String, options: JwtVerifierOptions) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(JwtVerifier(core::JwtVerifier::new(
            core::KeySet::from_jwks(&jwks)?,
            options.into(),
        )?)))
    }

    /// Verifies `token` and returns its claims as JSON text (an object): the token's own payload,
    /// checked to be one object with unique members and passed on as the issuer wrote it, member
    /// order and number spelling included; fails with a `TokenwardError` whose code says why
    /// (`expired`, `invalid_signature`, …).
    pub fn verify(&self, token: String) -> FfiResult<String> {
        // The payload text itself: building the claims map and serializing it again cost more
        // than the rest of an HS256 verify (docs/performance.md, "JVM").
        Ok(self.0.verify_json(&token)?)
    }

    /// Like `verify`, with the registered claims typed.
    pub fn verify_claims(&self, token: String) -> FfiResult<VerifiedClaims> {
        Ok(self.0.verify(&token)?.into())
    }
}
