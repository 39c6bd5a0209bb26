//! Server nonces (RFC 9449 section 8), stateless: the nonce of a time window is the window's
//! number and its HMAC under a key generated when the verifier is built. The current and the
//! previous window's nonces are accepted.

use aws_lc_rs::hmac;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::{Error, ErrorCode};

pub(crate) struct Nonces {
    key: hmac::Key,
    /// The window length, in seconds (at least 1).
    period: i64,
}

impl std::fmt::Debug for Nonces {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Nonces")
            .field("period", &self.period)
            .finish_non_exhaustive()
    }
}

const MAC_LEN: usize = 16;

impl Nonces {
    pub(crate) fn new(period_secs: u64) -> Result<Nonces, Error> {
        let mut secret = secrecy::zeroize::Zeroizing::new([0u8; 32]);
        aws_lc_rs::rand::fill(secret.as_mut())
            .map_err(|_| Error::new(ErrorCode::Internal, "no randomness for the nonce key"))?;
        Ok(Nonces {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret.as_ref()),
            period: i64::try_from(period_secs.max(1)).unwrap_or(i64::MAX),
        })
    }

    fn for_window(&self, window: i64) -> String {
        let number = window.to_be_bytes();
        let tag = hmac::sign(&self.key, &number);
        let mut raw = number.to_vec();
        raw.extend_from_slice(&tag.as_ref()[..MAC_LEN]);
        URL_SAFE_NO_PAD.encode(raw)
    }

    /// The nonce to send now in `DPoP-Nonce`.
    pub(crate) fn current(&self, now: i64) -> String {
        self.for_window(now.div_euclid(self.period))
    }

    /// Whether `nonce` is the current or the previous window's.
    pub(crate) fn accepts(&self, nonce: &str, now: i64) -> bool {
        let window = now.div_euclid(self.period);
        [window, window.saturating_sub(1)].iter().any(|w| {
            crate::secret::constant_time_eq(self.for_window(*w).as_bytes(), nonce.as_bytes())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nonce_lives_one_to_two_periods() {
        let nonces = Nonces::new(60).unwrap();
        let n = nonces.current(120);
        assert!(nonces.accepts(&n, 120));
        assert!(nonces.accepts(&n, 179));
        assert!(nonces.accepts(&n, 239));
        assert!(!nonces.accepts(&n, 240));
        assert!(!nonces.accepts(&n, 119));
        assert!(!Nonces::new(60).unwrap().accepts(&n, 120), "another key");
        assert!(!nonces.accepts("", 120));
    }
}
