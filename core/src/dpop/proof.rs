//! Proof creation: one DPoP proof JWT per HTTP request (RFC 9449 section 4.2).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

use super::key::DpopKey;
use super::{access_token_hash, DPOP_TYP};
use crate::clock::{self, SharedClock};
use crate::{Error, ErrorCode};

/// What a proof carries besides the request: the access token it accompanies (`ath`), the
/// server's nonce, and the clock `iat` is read from. `Debug` hides the access token.
#[derive(Clone, Default)]
pub struct DpopProofOptions {
    access_token: Option<String>,
    nonce: Option<String>,
    clock: Option<SharedClock>,
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

fn is_token_char(c: char) -> bool {
    // RFC 9110 `token`: what an HTTP method is made of.
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

impl DpopKey {
    /// A proof for `method` on `url`: `htu` is `url` without query and fragment. The method
    /// must be an HTTP token and the URL an absolute http(s) URL (`invalid_input` otherwise).
    pub fn proof(
        &self,
        method: &str,
        url: &str,
        options: &DpopProofOptions,
    ) -> Result<String, Error> {
        if method.is_empty() || !method.chars().all(is_token_char) {
            return Err(Error::new(ErrorCode::InvalidInput, "invalid HTTP method"));
        }
        let htu = super::url::normalize_htu(url)?;
        let mut id = [0u8; 16];
        aws_lc_rs::rand::fill(&mut id)
            .map_err(|_| Error::new(ErrorCode::Internal, "no randomness for the jti"))?;
        let now = options
            .clock
            .as_ref()
            .map_or_else(|| clock::system().unix_seconds(), |c| c.unix_seconds());
        let header = json!({
            "typ": DPOP_TYP,
            "alg": self.algorithm().as_str(),
            "jwk": Value::Object(self.public_jwk().clone()),
        });
        let mut claims = json!({
            "jti": URL_SAFE_NO_PAD.encode(id),
            "htm": method,
            "htu": htu,
            "iat": now,
        });
        if let Value::Object(map) = &mut claims {
            if let Some(token) = &options.access_token {
                map.insert("ath".into(), access_token_hash(token).into());
            }
            if let Some(nonce) = &options.nonce {
                map.insert("nonce".into(), nonce.clone().into());
            }
        }
        let mut jws = URL_SAFE_NO_PAD.encode(header.to_string());
        jws.push('.');
        jws.push_str(&URL_SAFE_NO_PAD.encode(claims.to_string()));
        let signature = self.sign(jws.as_bytes())?;
        jws.push('.');
        jws.push_str(&URL_SAFE_NO_PAD.encode(signature));
        Ok(jws)
    }
}
