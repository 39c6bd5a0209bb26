//! JSON Web Tokens: issue and verify HS/RS/PS/ES/EdDSA, strict by default (RFC 8725).
//!
//! * [`Key`] — one key bound to one algorithm family (HMAC keys to one algorithm), built from a
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
//! use tokenward::jwt::{Algorithm, IssueOptions, JwtIssuer, JwtVerifier, Key, VerifierOptions};
//!
//! let key = Key::generate(Algorithm::EdDSA)?;
//! let issuer = JwtIssuer::new(key.clone(), None)?.issuer("https://auth.example");
//! let mut custom = serde_json::Map::new();
//! custom.insert("scope".into(), "orders:read".into());
//! let options = IssueOptions { subject: Some("user-1".into()), ..Default::default() };
//! let token = issuer.issue(&custom, &options)?;
//!
//! let verifier = JwtVerifier::new(
//!     key,
//!     VerifierOptions {
//!         algorithms: vec![Algorithm::EdDSA], // required: there is no default allowlist
//!         issuers: vec!["https://auth.example".into()],
//!         ..Default::default()
//!     },
//! )?;
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
pub use claims::Claims;
pub use claims_builder::{json_number, Built, ClaimsBuilder, Interrupted};
pub use issue::{IssueOptions, JwtIssuer};
pub use key::Key;
pub use keyset::KeySet;
#[cfg(feature = "http")]
pub use remote::{discover, RemoteKeySet, RemoteOptions};
pub use verify::{decode_unverified, JwtVerifier, VerifierOptions};

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
/// Default clock-skew leeway, in seconds.
pub const DEFAULT_LEEWAY_SECONDS: u64 = 60;
