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
use tokenward::jwt::{self as core, Algorithm};
use tokenward::{Error, ErrorCode};

use crate::clock::{shared_or_system, ManualClock};
use crate::error::FfiResult;
use crate::secret::Secret;

fn alg(name: &str) -> FfiResult<Algorithm> {
    Ok(Algorithm::parse(name)?)
}

fn opt_alg(name: Option<String>) -> FfiResult<Option<Algorithm>> {
    name.as_deref().map(alg).transpose()
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
pub struct JwtKey(pub(crate) core::Key);

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
            self.0.algorithm().map_or("-", Algorithm::as_str),
            self.0.can_sign()
        )
    }
}

#[uniffi::export]
impl JwtKey {
    /// An HMAC key for `algorithm` (`HS256`, `HS384`, `HS512`). Secrets shorter than the hash
    /// output fail with `invalid_key`.
    #[uniffi::constructor]
    pub fn hmac(secret: Vec<u8>, algorithm: String) -> FfiResult<Arc<Self>> {
        // Our copies of key material (uniffi lifts them into owned values) are wiped on drop.
        Ok(Arc::new(JwtKey(core::Key::hmac(
            &Zeroizing::new(secret),
            alg(&algorithm)?,
        )?)))
    }

    /// A key from PEM (SPKI, PKCS#8 or PKCS#1). `algorithm` pins it to one algorithm of its
    /// family; RSA keys without it verify every RS/PS algorithm.
    #[uniffi::constructor(default(algorithm = None))]
    pub fn from_pem(pem: String, algorithm: Option<String>) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(JwtKey(core::Key::from_pem(
            &Zeroizing::new(pem),
            opt_alg(algorithm)?,
        )?)))
    }

    /// A key from one JWK (JSON text). `kty`, `crv` and `alg` must agree; private members make
    /// a signing key.
    #[uniffi::constructor]
    pub fn from_jwk(jwk: String) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(JwtKey(core::Key::from_jwk(&Zeroizing::new(jwk))?)))
    }

    /// Generates a new private key for `algorithm` (RSA 2048 bits; HMAC a random secret as
    /// long as the hash output).
    #[uniffi::constructor]
    pub fn generate(algorithm: String) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(JwtKey(core::Key::generate(alg(&algorithm)?)?)))
    }

    /// The same key with a `kid`.
    pub fn with_kid(&self, kid: String) -> Arc<JwtKey> {
        Arc::new(JwtKey(self.0.with_kid(kid)))
    }

    /// The same key pinned to one algorithm of its family.
    pub fn with_algorithm(&self, algorithm: String) -> FfiResult<Arc<JwtKey>> {
        Ok(Arc::new(JwtKey(self.0.with_alg(alg(&algorithm)?)?)))
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
    pub fn algorithm(&self) -> Option<String> {
        self.0.algorithm().map(|a| a.as_str().to_owned())
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
    fn lock(&self) -> FfiResult<MutexGuard<'_, core::KeySet>> {
        self.0
            .lock()
            .map_err(|_| Error::new(ErrorCode::Internal, "the key set lock is poisoned").into())
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
                write!(f, "KeySet(size: {}, kids: {:?})", set.len(), kids)
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
    pub fn add(&self, key: Arc<JwtKey>) -> FfiResult<()> {
        Ok(self.lock()?.insert(key.0.clone())?)
    }

    /// The number of keys.
    pub fn size(&self) -> FfiResult<u32> {
        Ok(u32::try_from(self.lock()?.len()).unwrap_or(u32::MAX))
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

/// Options of `JwtIssuer`.
#[derive(uniffi::Record)]
pub struct JwtIssuerOptions {
    /// The `iss` claim.
    #[uniffi(default = None)]
    pub issuer: Option<String>,
    /// The default `aud` (one value is written as a string, several as an array).
    #[uniffi(default = [])]
    pub audience: Vec<String>,
    /// Lifetime of issued tokens in seconds (default 900).
    #[uniffi(default = 900)]
    pub ttl: u64,
    /// The `typ` header.
    #[uniffi(default = "JWT")]
    pub typ: String,
    /// The signing algorithm; required when the key is not pinned to one.
    #[uniffi(default = None)]
    pub algorithm: Option<String>,
}

/// Per-call options of `JwtIssuer.issue`.
#[derive(uniffi::Record)]
pub struct JwtIssueOptions {
    /// Lifetime of this token in seconds, instead of the issuer's.
    #[uniffi(default = None)]
    pub ttl: Option<u64>,
    /// The `sub` claim.
    #[uniffi(default = None)]
    pub subject: Option<String>,
    /// The `aud` claim instead of the issuer's.
    #[uniffi(default = None)]
    pub audience: Option<Vec<String>>,
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
        let mut issuer = core::JwtIssuer::new(key.0.clone(), opt_alg(options.algorithm)?)?
            .audience(options.audience)
            .ttl(Duration::from_secs(options.ttl))
            .typ(options.typ);
        if let Some(iss) = options.issuer {
            issuer = issuer.issuer(iss);
        }
        Ok(Arc::new(JwtIssuer(issuer)))
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
        let opts = core::IssueOptions {
            ttl: options.ttl.map(Duration::from_secs),
            subject: options.subject,
            audience: options.audience,
        };
        Ok(self.0.issue(&claims, &opts)?)
    }
}

/// Options of `JwtVerifier`. `algorithms` is required; the rest have the library defaults.
#[derive(uniffi::Record)]
pub struct JwtVerifierOptions {
    /// The algorithms a token may use (case-sensitive; there is no `none`).
    pub algorithms: Vec<String>,
    /// Accepted `iss` values; empty means `iss` is not compared (its type still is).
    #[uniffi(default = [])]
    pub issuer: Vec<String>,
    /// Audiences this verifier identifies with; empty means tokens with an `aud` are refused.
    #[uniffi(default = [])]
    pub audience: Vec<String>,
    /// The expected `sub`.
    #[uniffi(default = None)]
    pub subject: Option<String>,
    /// Clock skew tolerated on `exp`/`nbf`/`iat`, in seconds.
    #[uniffi(default = 60)]
    pub leeway: u64,
    /// Claims that must be present.
    #[uniffi(default = [])]
    pub required_claims: Vec<String>,
    /// Whether `exp` is required.
    #[uniffi(default = true)]
    pub require_exp: bool,
    /// The expected `typ` header (case-insensitive, `application/` optional).
    #[uniffi(default = None)]
    pub typ: Option<String>,
    /// Maximum age from `iat`, in seconds.
    #[uniffi(default = None)]
    pub max_age: Option<u64>,
    /// Maximum token size in bytes.
    #[uniffi(default = 16384)]
    pub max_token_size: u32,
    /// Maximum JSON nesting depth of header and claims.
    #[uniffi(default = 16)]
    pub max_depth: u32,
    /// The clock for `exp`/`nbf`/`iat` (tests); the system clock when `None`.
    #[uniffi(default = None)]
    pub clock: Option<Arc<ManualClock>>,
}

impl TryFrom<JwtVerifierOptions> for core::VerifierOptions {
    type Error = crate::error::TokenwardError;
    fn try_from(o: JwtVerifierOptions) -> FfiResult<Self> {
        Ok(core::VerifierOptions {
            algorithms: o
                .algorithms
                .iter()
                .map(|a| alg(a))
                .collect::<FfiResult<_>>()?,
            issuers: o.issuer,
            audiences: o.audience,
            subject: o.subject,
            leeway: Duration::from_secs(o.leeway),
            required_claims: o.required_claims,
            require_exp: o.require_exp,
            typ: o.typ,
            max_age: o.max_age.map(Duration::from_secs),
            max_token_size: o.max_token_size as usize,
            max_depth: o.max_depth as usize,
        })
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
        let clock = shared_or_system(options.clock.as_ref());
        Ok(Arc::new(JwtVerifier(core::JwtVerifier::with_clock(
            keys,
            options.try_into()?,
            clock,
        )?)))
    }

    /// A verifier for one key.
    #[uniffi::constructor]
    pub fn with_key(key: Arc<JwtKey>, options: JwtVerifierOptions) -> FfiResult<Arc<Self>> {
        let clock = shared_or_system(options.clock.as_ref());
        Ok(Arc::new(JwtVerifier(core::JwtVerifier::with_clock(
            key.0.clone(),
            options.try_into()?,
            clock,
        )?)))
    }

    /// A verifier for a JWKS document (JSON text).
    #[uniffi::constructor]
    pub fn with_jwks(jwks: String, options: JwtVerifierOptions) -> FfiResult<Arc<Self>> {
        let clock = shared_or_system(options.clock.as_ref());
        Ok(Arc::new(JwtVerifier(core::JwtVerifier::with_clock(
            core::KeySet::from_jwks(&jwks)?,
            options.try_into()?,
            clock,
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
    use super::parse_claims;

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
