//! JWT for Swift and Kotlin: `JwtKey`, `KeySet`, `JwtIssuer`, `JwtVerifier`.
//!
//! Claims cross the boundary as JSON text (an object): custom claims are arbitrary JSON, which
//! no uniffi type represents losslessly, and every app already has a JSON decoder (`Codable`,
//! `JSONSerialization`, kotlinx.serialization, org.json). `verify_claims` adds the registered
//! claims as typed fields for the common case.

use secrecy::zeroize::Zeroizing;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{Map, Value};
use tokenward::jwt as core;
use tokenward::{Error, ErrorCode};

use crate::clock::{shared_or_system, ManualClock};
use crate::error::FfiResult;
use crate::secret::Secret;

/// A JWS signature algorithm (there is no `none`). Kotlin: `Algorithm.ES256`, its RFC name
/// `algorithm.asString()` (`toString()` is the same); Swift: `.es256`, its RFC name
/// `algorithm.description`. `algorithmFromString("ES256")` parses a name (case-sensitive).
#[derive(uniffi::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[uniffi::export(Display)]
#[allow(missing_docs)] // the variants are the RFC 7518 / RFC 8037 names
pub enum Algorithm {
    Hs256,
    Hs384,
    Hs512,
    Rs256,
    Rs384,
    Rs512,
    Ps256,
    Ps384,
    Ps512,
    Es256,
    Es384,
    EdDsa,
}

impl From<Algorithm> for core::Algorithm {
    fn from(a: Algorithm) -> core::Algorithm {
        match a {
            Algorithm::Hs256 => core::Algorithm::HS256,
            Algorithm::Hs384 => core::Algorithm::HS384,
            Algorithm::Hs512 => core::Algorithm::HS512,
            Algorithm::Rs256 => core::Algorithm::RS256,
            Algorithm::Rs384 => core::Algorithm::RS384,
            Algorithm::Rs512 => core::Algorithm::RS512,
            Algorithm::Ps256 => core::Algorithm::PS256,
            Algorithm::Ps384 => core::Algorithm::PS384,
            Algorithm::Ps512 => core::Algorithm::PS512,
            Algorithm::Es256 => core::Algorithm::ES256,
            Algorithm::Es384 => core::Algorithm::ES384,
            Algorithm::EdDsa => core::Algorithm::EdDSA,
        }
    }
}

// Both matches are exhaustive: an algorithm added to the core without its variant here does not
// compile.
impl From<core::Algorithm> for Algorithm {
    fn from(a: core::Algorithm) -> Algorithm {
        match a {
            core::Algorithm::HS256 => Algorithm::Hs256,
            core::Algorithm::HS384 => Algorithm::Hs384,
            core::Algorithm::HS512 => Algorithm::Hs512,
            core::Algorithm::RS256 => Algorithm::Rs256,
            core::Algorithm::RS384 => Algorithm::Rs384,
            core::Algorithm::RS512 => Algorithm::Rs512,
            core::Algorithm::PS256 => Algorithm::Ps256,
            core::Algorithm::PS384 => Algorithm::Ps384,
            core::Algorithm::PS512 => Algorithm::Ps512,
            core::Algorithm::ES256 => Algorithm::Es256,
            core::Algorithm::ES384 => Algorithm::Es384,
            core::Algorithm::EdDSA => Algorithm::EdDsa,
        }
    }
}

#[uniffi::export]
impl Algorithm {
    /// The `alg` header value (`"ES256"`), the core's string.
    pub fn as_string(&self) -> String {
        core::Algorithm::from(*self).as_str().to_owned()
    }
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(core::Algorithm::from(*self).as_str())
    }
}

/// Parses an `alg` name (`"ES256"`, case-sensitive, the core's `FromStr`): `none` and unknown
/// names fail with `algorithm_not_allowed`.
#[uniffi::export]
pub fn algorithm_from_string(name: String) -> FfiResult<Algorithm> {
    Ok(name.parse::<core::Algorithm>()?.into())
}

fn parse_claims(json: &str) -> FfiResult<Map<String, Value>> {
    match serde_json::from_str::<Value>(json) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(Error::new(ErrorCode::InvalidInput, "claims must be a JSON object").into()),
    }
}

/// A JWS key bound to one algorithm family (HMAC keys to one algorithm). Its printed form
/// (`description`, `toString`) shows the kid and algorithm, never key material.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct JwtKey(pub(crate) core::JwtKey);

impl std::fmt::Debug for JwtKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.0, f)
    }
}

impl std::fmt::Display for JwtKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "JwtKey(kid: {}, algorithm: {}, canSign: {})",
            self.0.kid().unwrap_or("-"),
            self.0.algorithm().map_or("-", core::Algorithm::as_str),
            self.0.can_sign()
        )
    }
}

#[uniffi::export]
impl JwtKey {
    /// An HMAC key for `algorithm` (`HS256`, `HS384`, `HS512`). Secrets shorter than the hash
    /// output fail with `invalid_key`.
    #[uniffi::constructor]
    pub fn hmac(secret: Vec<u8>, algorithm: Algorithm) -> FfiResult<Arc<Self>> {
        // Our copies of key material (uniffi lifts them into owned values) are wiped on drop.
        Ok(Arc::new(JwtKey(core::JwtKey::hmac(
            &Zeroizing::new(secret),
            algorithm.into(),
        )?)))
    }

    /// A key from PEM (SPKI, PKCS#8 or PKCS#1). `algorithm` pins it to one algorithm of its
    /// family; RSA keys without it verify every RS/PS algorithm.
    #[uniffi::constructor(default(algorithm = None))]
    pub fn from_pem(pem: String, algorithm: Option<Algorithm>) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(JwtKey(core::JwtKey::from_pem(
            &Zeroizing::new(pem),
            algorithm.map(Into::into),
        )?)))
    }

    /// A key from one JWK (JSON text). `kty`, `crv` and `alg` must agree; private members make
    /// a signing key.
    #[uniffi::constructor]
    pub fn from_jwk(jwk: String) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(JwtKey(core::JwtKey::from_jwk(&Zeroizing::new(
            jwk,
        ))?)))
    }

    /// Generates a new private key for `algorithm` (RSA 2048 bits; HMAC a random secret as
    /// long as the hash output).
    #[uniffi::constructor]
    pub fn generate(algorithm: Algorithm) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(JwtKey(core::JwtKey::generate(algorithm.into())?)))
    }

    /// The same key with a `kid`.
    pub fn with_kid(&self, kid: String) -> Arc<JwtKey> {
        Arc::new(JwtKey(self.0.with_kid(kid)))
    }

    /// The same key pinned to one algorithm of its family.
    pub fn with_algorithm(&self, algorithm: Algorithm) -> FfiResult<Arc<JwtKey>> {
        Ok(Arc::new(JwtKey(self.0.with_algorithm(algorithm.into())?)))
    }

    /// The public JWK as JSON text (with `kid`, `alg`, `use`). HMAC keys are never exported
    /// (`invalid_key`).
    pub fn to_jwk_json(&self) -> FfiResult<String> {
        Ok(self.0.to_jwk()?.to_string())
    }

    /// The public key as a PEM `PUBLIC KEY` block (SPKI).
    pub fn to_public_pem(&self) -> FfiResult<String> {
        Ok(self.0.to_public_pem()?)
    }

    /// The private key as a PKCS#8 PEM block, wrapped in a `Secret` (`expose()` to read).
    pub fn to_private_pem(&self) -> FfiResult<Arc<Secret>> {
        Ok(Arc::new(Secret(self.0.to_private_pem()?)))
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<String> {
        self.0.kid().map(str::to_owned)
    }

    /// The algorithm the key is pinned to, if any (an RSA key may be usable with any RS/PS).
    pub fn algorithm(&self) -> Option<Algorithm> {
        self.0.algorithm().map(Into::into)
    }

    /// Whether the key can sign (an HMAC secret or a private key).
    pub fn can_sign(&self) -> bool {
        self.0.can_sign()
    }
}

/// Keys addressed by `kid`; a token without `kid` selects the only key accepting its
/// algorithm.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct KeySet(Mutex<core::KeySet>);

impl KeySet {
    pub(crate) fn lock(&self) -> FfiResult<MutexGuard<'_, core::KeySet>> {
        self.0
            .lock()
            .map_err(|_| Error::new(ErrorCode::Internal, "the key set lock is poisoned").into())
    }

    pub(crate) fn from_core(keys: core::KeySet) -> Arc<Self> {
        Arc::new(KeySet(Mutex::new(keys)))
    }

    fn snapshot(&self) -> FfiResult<core::KeySet> {
        Ok(self.lock()?.clone())
    }
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl std::fmt::Display for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.lock() {
            Ok(set) => {
                let kids: Vec<&str> = set.keys().iter().filter_map(|k| k.kid()).collect();
                write!(f, "KeySet(len: {}, kids: {:?})", set.len(), kids)
            }
            Err(_) => f.write_str("KeySet(?)"),
        }
    }
}

#[uniffi::export]
impl KeySet {
    /// An empty set.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(KeySet(Mutex::new(core::KeySet::new())))
    }

    /// Parses a JWKS document (`{"keys": [...]}`). Entries not meant for signatures and
    /// unsupported key types are skipped; an invalid supported entry fails with `invalid_key`.
    #[uniffi::constructor]
    pub fn from_jwks(json: String) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(KeySet(Mutex::new(core::KeySet::from_jwks(
            &Zeroizing::new(json),
        )?))))
    }

    /// The public keys as a JWKS document (JSON text, for `/.well-known/jwks.json`); HMAC keys
    /// are left out.
    pub fn to_jwks_json(&self) -> FfiResult<String> {
        Ok(self.lock()?.to_jwks().to_string())
    }

    /// Adds a key; a duplicate `kid` fails with `invalid_key`.
    pub fn insert(&self, key: Arc<JwtKey>) -> FfiResult<()> {
        Ok(self.lock()?.insert(key.0.clone())?)
    }

    /// The number of keys (the core's `len`; Kotlin also has the `size` property, Swift the
    /// `count` property).
    pub fn len(&self) -> u32 {
        // Counting is safe on a poisoned set (no insert leaves it half-written).
        let set = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        u32::try_from(set.len()).unwrap_or(u32::MAX)
    }

    /// The key ids, in insertion order (keys without `kid` are left out).
    pub fn kids(&self) -> FfiResult<Vec<String>> {
        Ok(self
            .lock()?
            .keys()
            .iter()
            .filter_map(|k| k.kid().map(str::to_owned))
            .collect())
    }
}

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

    /// Verifies `token` and returns its claims as JSON text (an object); fails with a
    /// `TokenwardError` whose code says why (`expired`, `invalid_signature`, …).
    pub fn verify(&self, token: String) -> FfiResult<String> {
        Ok(self.0.verify(&token)?.to_json())
    }

    /// Like `verify`, with the registered claims typed.
    pub fn verify_claims(&self, token: String) -> FfiResult<VerifiedClaims> {
        Ok(self.0.verify(&token)?.into())
    }
}

#[cfg(test)]
mod tests {
    use super::{core, parse_claims, Algorithm};

    /// Every core algorithm maps to its own variant and back, with the core's string (checked by
    /// mapping `EdDSA` to `Es384` in `From<core::Algorithm>`: the test fails).
    #[test]
    fn algorithm_round_trips_through_the_core() {
        for alg in core::Algorithm::ALL {
            let ffi = Algorithm::from(alg);
            assert_eq!(core::Algorithm::from(ffi), alg);
            assert_eq!(ffi.as_string(), alg.as_str());
            assert_eq!(
                super::algorithm_from_string(alg.as_str().into()).ok(),
                Some(ffi)
            );
        }
        assert!(super::algorithm_from_string("none".into()).is_err());
    }

    /// Claims nested deeper than serde_json's recursion limit (128) are refused, not recursed
    /// into: without the limit this input overflows the stack and takes the JVM or the Swift
    /// process down with it (checked by disabling the limit: the test binary aborts).
    #[test]
    fn deeply_nested_claims_are_refused_not_recursed() {
        let depth = 1_000_000;
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(depth), "]".repeat(depth));
        assert!(parse_claims(&deep).is_err());
        assert!(parse_claims(r#"{"a":[[[1]]]}"#).is_ok());
    }
}
