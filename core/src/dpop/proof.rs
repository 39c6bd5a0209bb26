//! What a DPoP proof carries besides the request (RFC 9449 section 4.2); the proof itself is
//! signed by [`DpopKey::proof`](super::DpopKey::proof) in `key.rs`.

use crate::clock::SharedClock;

/// What a proof carries besides the request: the access token it accompanies (`ath`), the
/// server's nonce, and the clock `iat` is read from. `Debug` hides the access token.
#[derive(Clone, Default)]
pub struct DpopProofOptions {
    pub(super) access_token: Option<String>,
    pub(super) nonce: Option<String>,
    pub(super) clock: Option<SharedClock>,
}

impl std::fmt::Debug for DpopProofOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DpopProofOptions")
            .field(
                "access_token",
                &self.access_token.as_ref().map(|_| "[REDACTED]"),
            )
            .field("nonce", &self.nonce)
            .field("clock", &self.clock)
            .finish()
    }
}

impl DpopProofOptions {
    /// No access token, no nonce, the system clock.
    pub fn new() -> Self {
        DpopProofOptions::default()
    }

    /// The access token the request carries: the proof gets its hash as `ath` (required on
    /// requests to a resource server, absent on token requests).
    pub fn with_access_token(mut self, token: impl Into<String>) -> Self {
        self.access_token = Some(token.into());
        self
    }

    /// The `nonce` the server sent in its `DPoP-Nonce` header.
    pub fn with_nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonce = Some(nonce.into());
        self
    }

    /// The clock `iat` is read from (default: the system clock).
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = Some(clock);
        self
    }
}
