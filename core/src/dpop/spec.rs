//! What RFC 9449 fixes (the proof's `typ`, the `ath` hash), tokenward's defaults, and the one
//! refusal shape. Its own module so that the sibling modules never use their parent
//! (`dpop/mod.rs` only declares and re-exports).

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

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
    URL_SAFE_NO_PAD.encode(Sha256::digest(access_token.as_bytes()))
}

/// Whether `ath` is [`access_token_hash`] of `access_token`, compared in constant time (the
/// hash encoded on the stack: a verification allocates nothing for it).
pub(crate) fn ath_matches(ath: &str, access_token: &str) -> bool {
    let mut expected = [0u8; 43];
    let digest = Sha256::digest(access_token.as_bytes());
    match URL_SAFE_NO_PAD.encode_slice(digest, &mut expected) {
        Ok(43) => crate::secret::constant_time_eq(ath.as_bytes(), &expected),
        _ => false,
    }
}
