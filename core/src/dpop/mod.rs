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
//!   normalised URL, the `iat` window, a `jti` replay cache on the verifier's clock (bounded
//!   and in memory, or in Redis to be shared by several instances:
//!   [`DpopVerifierOptions::with_replay_cache_store`]), `ath`, the access token's `cnf.jkt`,
//!   and optionally server nonces.
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

mod header_cache;
mod key;
mod nonce;
mod proof;
mod proof_key;
mod replay;
#[cfg(feature = "redis")]
mod replay_redis;
mod signer;
mod spec;
mod thumbprint;
mod url;
mod verify;

pub use key::DpopKey;
pub use proof::DpopProofOptions;
pub use signer::{is_valid_nonce, DpopSigner, MAX_REMEMBERED_NONCES};
pub(crate) use spec::invalid;
pub use spec::{
    access_token_hash, DEFAULT_DPOP_LEEWAY, DEFAULT_DPOP_MAX_AGE, DEFAULT_DPOP_MAX_PROOF_SIZE,
    DEFAULT_DPOP_REPLAY_CACHE_SIZE, DPOP_TYP,
};
pub use thumbprint::jwk_thumbprint;
pub use url::normalize_htu;
pub use verify::{DpopChecks, DpopVerifier, DpopVerifierOptions, VerifiedDpopProof};

#[cfg(test)]
mod tests;
