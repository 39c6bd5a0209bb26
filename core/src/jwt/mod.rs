//! JSON Web Tokens: issue and verify HS/RS/PS/ES/EdDSA, strict by default (RFC 8725).
//!
//! * [`JwtKey`] — one key bound to one algorithm family (HMAC keys to one algorithm), built from a
//!   secret, PEM/DER or a JWK, or generated; public keys export as JWK.
//! * [`KeySet`] — keys addressed by `kid`, built from a JWKS document; exports JWKS.
//! * [`JwtIssuer`] — signs claims with `iat`/`nbf`/`exp`/`jti`/`iss`/`aud` and `kid`/`typ`.
//! * [`JwtVerifier`] — verifies with a caller-named algorithm allowlist, claim checks with
//!   types, size and nesting caps, and never trusts `jku`/`x5u`/`x5c`/`jwk` headers.
//!
//! Verification is synchronous and allocation-light; the crypto is aws-lc. [`Claims`] come back
//! in the token's order with typed accessors for the registered claims;
//! [`JwtVerifier::verify_as`] deserializes into your own struct instead.
//!
//! ```
//! use tokenward::jwt::{
//!     Algorithm, JwtIssueOptions, JwtIssuer, JwtIssuerOptions, JwtKey, JwtVerifier,
//!     JwtVerifierOptions,
//! };
//!
//! let key = JwtKey::generate(Algorithm::EdDSA)?;
//! let issuer = JwtIssuer::new(
//!     key.clone(),
//!     JwtIssuerOptions::new().with_issuer("https://auth.example"),
//! )?;
//! let mut custom = serde_json::Map::new();
//! custom.insert("scope".into(), "orders:read".into());
//! let token = issuer.issue(&custom, &JwtIssueOptions::new().with_subject("user-1"))?;
//!
//! // The allowlist is required: it is the argument of `JwtVerifierOptions::new`.
//! let options = JwtVerifierOptions::new([Algorithm::EdDSA]).with_issuers(["https://auth.example"]);
//! let verifier = JwtVerifier::new(key, options)?;
//! let claims = verifier.verify(&token)?;
//! assert_eq!(claims.sub(), Some("user-1"));
//! assert_eq!(claims["scope"], "orders:read");
//!
//! let refused = verifier.verify("a.b.c").unwrap_err();
//! assert_eq!(refused.code(), tokenward::ErrorCode::Malformed);
//! # Ok::<(), tokenward::Error>(())
//! ```

mod alg;
mod b64;
mod claims;
// `pub(crate)`: `crate::__bindings` re-exports its number readers for the bindings.
pub(crate) mod claims_builder;
mod issue;
mod jwk;
mod key;
mod keyset;
mod payload;
mod pem;
#[cfg(feature = "http")]
mod remote;
mod rules;
mod verify;

pub use alg::{Algorithm, Family};
/// The strict one-pass JSON reader and base64url decoders, for DPoP proofs.
#[cfg(feature = "http")]
pub(crate) use b64::{decode_into as b64_decode_into, decode_to_slice as b64_decode_to_slice};
pub use claims::{Claims, ClaimsIntoIter, ClaimsIter};
pub use claims_builder::{json_number, Built, ClaimsBuilder, Interrupted};
pub use issue::{JwtIssueOptions, JwtIssuer, JwtIssuerOptions};
/// One JWK object → a key (the DPoP verifier reads the `jwk` header of proofs with it).
#[cfg(feature = "http")]
pub(crate) use jwk::parse as parse_jwk;
pub use key::JwtKey;
pub use keyset::KeySet;
#[cfg(feature = "http")]
pub(crate) use payload::{members as json_members, Claim as JsonMember};
#[cfg(feature = "http")]
pub use remote::{discover, RemoteJwtVerifier, RemoteKeySet, RemoteKeySetOptions};
pub use verify::{decode_unverified, JwtVerifier, JwtVerifierOptions};

use std::time::Duration;

/// Crate-internal pieces the fuzz hooks (`crate::__fuzz`) reach.
#[cfg(feature = "gateway")]
pub(crate) mod fuzz_hooks {
    pub(crate) use super::b64::{
        decode as b64_decode, decode_into as b64_decode_into,
        decode_to_slice as b64_decode_to_slice, decoded_len as b64_decoded_len,
    };
    pub(crate) use super::payload::{build as scan_build, parse as scan_parse, Claim, Registered};
}

/// Default maximum size of a token, in bytes (16 KiB).
pub const DEFAULT_MAX_TOKEN_SIZE: usize = 16 * 1024;
/// Default maximum JSON nesting depth of header and payload.
pub const DEFAULT_MAX_DEPTH: usize = 16;
/// Default clock-skew leeway on `exp`, `nbf` and `iat` (60 s).
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);
/// Default lifetime of issued tokens (15 min).
pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(15 * 60);
/// Default `typ` header of issued tokens.
pub const DEFAULT_TYP: &str = "JWT";
/// Default cache lifetime of a fetched JWKS without `Cache-Control: max-age` (10 min).
pub const DEFAULT_JWKS_TTL: Duration = Duration::from_secs(600);
/// Default lower bound of a JWKS `max-age` (1 min).
pub const DEFAULT_JWKS_MIN_TTL: Duration = Duration::from_secs(60);
/// Default upper bound of a JWKS `max-age` (24 h).
pub const DEFAULT_JWKS_MAX_TTL: Duration = Duration::from_secs(24 * 3600);
/// Default minimum time between JWKS refetches caused by unknown `kid`s (30 s).
pub const DEFAULT_JWKS_COOLDOWN: Duration = Duration::from_secs(30);
/// Default time the last good JWKS may serve after its TTL while refreshes fail (6 h).
pub const DEFAULT_JWKS_MAX_STALE: Duration = Duration::from_secs(6 * 3600);
