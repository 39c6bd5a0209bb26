//! CSRF tokens bound to a session: `base64url(HMAC-SHA-256(csrf secret, "tokenward-csrf-v1\n" ||
//! session id))`. Stateless (nothing stored), different for every session (a token leaked from
//! one session is useless in another) and renewed by rotation; verified in constant time.

use std::fmt;

use aws_lc_rs::hmac;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::secret::constant_time_eq;
use crate::{Error, ErrorCode, Result, Secret};

/// Shortest accepted CSRF secret, in bytes.
pub const MIN_CSRF_SECRET_LEN: usize = 32;

/// The header a client sends the CSRF token in (what the gateway reads).
pub const CSRF_HEADER: &str = "x-csrf-token";

const CONTEXT: &[u8] = b"tokenward-csrf-v1\n";

/// The HMAC key. `Debug` prints nothing of it.
#[derive(Clone)]
pub(crate) struct CsrfKey(hmac::Key);

impl fmt::Debug for CsrfKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CsrfKey(redacted)")
    }
}

impl CsrfKey {
    /// The key of `secret` (at least [`MIN_CSRF_SECRET_LEN`] bytes, else `invalid_input`), or a
    /// random one for this process when `None`.
    pub(crate) fn new(secret: Option<&Secret>) -> Result<Self> {
        match secret {
            Some(s) if s.expose().len() < MIN_CSRF_SECRET_LEN => Err(Error::new(
                ErrorCode::InvalidInput,
                "the CSRF secret must be at least 32 bytes (use 32 random bytes)",
            )),
            Some(s) => Ok(CsrfKey(hmac::Key::new(
                hmac::HMAC_SHA256,
                s.expose().as_bytes(),
            ))),
            None => {
                let rng = aws_lc_rs::rand::SystemRandom::new();
                hmac::Key::generate(hmac::HMAC_SHA256, &rng)
                    .map(CsrfKey)
                    .map_err(|_| Error::new(ErrorCode::Internal, "the OS random generator failed"))
            }
        }
    }

    /// The token of session `id`.
    pub(crate) fn token(&self, id: &str) -> String {
        let mut ctx = hmac::Context::with_key(&self.0);
        ctx.update(CONTEXT);
        ctx.update(id.as_bytes());
        URL_SAFE_NO_PAD.encode(ctx.sign().as_ref())
    }

    /// Whether `token` is the token of `id` (constant time).
    pub(crate) fn verify(&self, id: &str, token: &str) -> bool {
        constant_time_eq(self.token(id).as_bytes(), token.as_bytes())
    }
}
