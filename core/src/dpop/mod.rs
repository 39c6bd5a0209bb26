//! DPoP, Demonstrating Proof of Possession (RFC 9449): sender-constrained access tokens.
//!
//! * [`DpopKey`] — the client's key pair (ES256 or EdDSA), generated in the core. Its public
//!   JWK and RFC 7638 thumbprint (`jkt`) are free to read; the private key leaves only through
//!   [`DpopKey::export_private_key`] (a PKCS#8 PEM in a [`Secret`](crate::Secret)).
//! * [`DpopKey::proof`] — one proof JWT per HTTP request: `typ: dpop+jwt`, the public `jwk` in
//!   the header, `htm`, `htu` (without query and fragment), `iat`, a 128-bit random `jti`, and
//!   on request `ath` (the hash of the access token) and the server's `nonce`.
//! * [`DpopSigner`] — a key plus the latest `DPoP-Nonce` per origin (at most
//!   [`MAX_REMEMBERED_NONCES`]): what the OAuth client and its DPoP-bound tokens sign with.
//! * [`DpopVerifier`] — the server side (RFC 9449 section 4.3): signature with the header's
//!   public key (a private key there is refused), `typ`, an algorithm allowlist, method and
//!   normalised URL, the `iat` window, a bounded in-memory `jti` replay cache on the
//!   verifier's clock, `ath`, the access token's `cnf.jkt`, and optionally server nonces.
//!
//! Every refusal is `invalid_dpop_proof`, except a missing or stale nonce (`use_dpop_nonce`:
//! retry with [`DpopVerifier::nonce`], sent as the `DPoP-Nonce` header).
//!
//! ```
//! use tokenward::dpop::{DpopChecks, DpopKey, DpopProofOptions, DpopVerifier, DpopVerifierOptions};
//! use tokenward::jwt::Algorithm;
//!
//! let key = DpopKey::generate(Algorithm::ES256)?;
//! let proof = key.proof(
//!     "GET",
//!     "https://api.example/orders?page=2",
//!     &DpopProofOptions::new().with_access_token("the-access-token"),
//! )?;
//!
//! let verifier = DpopVerifier::new(DpopVerifierOptions::new())?;
//! let checks = DpopChecks::new()
//!     .with_access_token("the-access-token")
//!     .with_jkt(key.thumbprint());
//! let verified = verifier.verify(&proof, "GET", "https://API.example:443/orders", &checks)?;
//! assert_eq!(verified.jkt, key.thumbprint());
//! // The same proof a second time is a replay.
//! let again = verifier.verify(&proof, "GET", "https://api.example/orders", &checks);
//! assert_eq!(again.unwrap_err().code(), tokenward::ErrorCode::InvalidDpopProof);
//! # Ok::<(), tokenward::Error>(())
//! ```

mod key;
mod nonce;
mod proof;
mod replay;
mod signer;
mod thumbprint;
mod url;
mod verify;

pub use key::DpopKey;
pub use proof::DpopProofOptions;
pub use signer::{is_valid_nonce, DpopSigner, MAX_REMEMBERED_NONCES};
pub use thumbprint::jwk_thumbprint;
pub use url::normalize_htu;
pub use verify::{DpopChecks, DpopVerifier, DpopVerifierOptions, VerifiedDpopProof};

use std::time::Duration;

/// The `typ` header of a DPoP proof.
pub const DPOP_TYP: &str = "dpop+jwt";
/// How old a proof's `iat` may be by default (60 s).
pub const DEFAULT_DPOP_MAX_AGE: Duration = Duration::from_secs(60);
/// Clock skew tolerated on `iat` by default, in both directions (5 s).
pub const DEFAULT_DPOP_LEEWAY: Duration = Duration::from_secs(5);
/// How many `jti` values the replay cache holds by default.
pub const DEFAULT_DPOP_REPLAY_CACHE_SIZE: usize = 100_000;
/// The largest proof accepted by default, in bytes (8 KiB).
pub const DEFAULT_DPOP_MAX_PROOF_SIZE: usize = 8 * 1024;

use crate::{Error, ErrorCode};

/// An `invalid_dpop_proof` error with a fixed message.
pub(crate) fn invalid(message: &'static str) -> Error {
    Error::new(ErrorCode::InvalidDpopProof, message)
}

/// base64url(SHA-256(access token)), the `ath` claim.
pub fn access_token_hash(access_token: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(access_token.as_bytes()))
}

#[cfg(test)]
mod tests;
