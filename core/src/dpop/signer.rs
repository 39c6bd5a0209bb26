//! [`DpopSigner`]: a [`DpopKey`] plus the latest server nonce per origin — what the OAuth
//! client and its DPoP-bound access tokens sign proofs with.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex};

use super::key::DpopKey;
use super::proof::DpopProofOptions;
use crate::clock::SharedClock;
use crate::Error;

/// How many origins' nonces are remembered; the oldest is forgotten first.
pub const MAX_REMEMBERED_NONCES: usize = 64;
/// The longest nonce accepted from a server.
const MAX_NONCE_LEN: usize = 512;

/// Whether `nonce` is a nonce a proof may carry: 1 to 512 `NQCHAR`s (RFC 9449 section 8.1).
pub fn is_valid_nonce(nonce: &str) -> bool {
    !nonce.is_empty()
        && nonce.len() <= MAX_NONCE_LEN
        && nonce
            .bytes()
            .all(|b| matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

/// The origin (`scheme://host:port`) of an absolute URL, the key nonces are remembered under.
fn origin(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let origin = parsed.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

#[derive(Default)]
struct Nonces {
    /// (origin, nonce), oldest first.
    entries: VecDeque<(String, String)>,
}

impl Nonces {
    fn get(&self, origin: &str) -> Option<String> {
        self.entries
            .iter()
            .find(|(o, _)| o == origin)
            .map(|(_, n)| n.clone())
    }

    fn put(&mut self, origin: String, nonce: String) {
        self.entries.retain(|(o, _)| *o != origin);
        while self.entries.len() >= MAX_REMEMBERED_NONCES {
            self.entries.pop_front();
        }
        self.entries.push_back((origin, nonce));
    }
}

/// A DPoP key and the latest `DPoP-Nonce` each origin sent (at most
/// [`MAX_REMEMBERED_NONCES`] origins). Cheap to clone: clones share the nonces.
#[derive(Clone)]
pub struct DpopSigner {
    key: DpopKey,
    clock: Option<SharedClock>,
    nonces: Arc<Mutex<Nonces>>,
}

impl fmt::Debug for DpopSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopSigner")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl DpopSigner {
    /// A signer with `key`, reading `iat` from `clock` (default: the system clock).
    pub fn new(key: DpopKey, clock: Option<SharedClock>) -> DpopSigner {
        DpopSigner {
            key,
            clock,
            nonces: Arc::default(),
        }
    }

    /// The key.
    pub fn key(&self) -> &DpopKey {
        &self.key
    }

    /// Remembers `nonce` as the latest one of `url`'s origin. An invalid nonce or URL is
    /// ignored (the server's header is not trusted to be well formed).
    pub fn remember_nonce(&self, url: &str, nonce: &str) {
        if !is_valid_nonce(nonce) {
            return;
        }
        if let Some(origin) = origin(url) {
            if let Ok(mut nonces) = self.nonces.lock() {
                nonces.put(origin, nonce.to_owned());
            }
        }
    }

    /// The nonce remembered for `url`'s origin.
    pub fn nonce_for(&self, url: &str) -> Option<String> {
        let origin = origin(url)?;
        self.nonces.lock().ok()?.get(&origin)
    }

    /// A proof for `method` on `url` with `ath` of `access_token` when given, and `nonce` —
    /// given (and then remembered), else the one remembered for the origin.
    pub fn proof(
        &self,
        method: &str,
        url: &str,
        access_token: Option<&str>,
        nonce: Option<&str>,
    ) -> Result<String, Error> {
        let mut options = DpopProofOptions::new();
        if let Some(clock) = &self.clock {
            options = options.with_clock(clock.clone());
        }
        if let Some(token) = access_token {
            options = options.with_access_token(token);
        }
        let nonce = match nonce.filter(|n| is_valid_nonce(n)) {
            Some(n) => {
                self.remember_nonce(url, n);
                Some(n.to_owned())
            }
            None => self.nonce_for(url),
        };
        if let Some(n) = nonce {
            options = options.with_nonce(n);
        }
        self.key.proof(method, url, &options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt::Algorithm;

    fn claims(proof: &str) -> serde_json::Value {
        use base64::Engine;
        let part = proof.split('.').nth(1).unwrap();
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap();
        serde_json::from_slice(&raw).unwrap()
    }

    #[test]
    fn nonces_are_remembered_per_origin_and_bounded() {
        let signer = DpopSigner::new(DpopKey::generate(Algorithm::ES256).unwrap(), None);
        let p = signer
            .proof("GET", "https://a.example/x", None, None)
            .unwrap();
        assert!(claims(&p).get("nonce").is_none());
        signer.remember_nonce("https://a.example/token?q=1", "n-1");
        let p = signer
            .proof("GET", "https://a.example/y", Some("AT"), None)
            .unwrap();
        assert_eq!(claims(&p)["nonce"], "n-1");
        assert!(claims(&p).get("ath").is_some());
        // Another origin has its own (none); an explicit nonce wins and is remembered.
        assert!(signer.nonce_for("https://b.example/").is_none());
        let p = signer
            .proof("GET", "https://a.example/y", None, Some("n-2"))
            .unwrap();
        assert_eq!(claims(&p)["nonce"], "n-2");
        assert_eq!(
            signer.nonce_for("https://a.example").as_deref(),
            Some("n-2")
        );
        // Invalid nonces are ignored.
        signer.remember_nonce("https://a.example/", "bad nonce\"");
        signer.remember_nonce("https://a.example/", "");
        assert_eq!(
            signer.nonce_for("https://a.example").as_deref(),
            Some("n-2")
        );
        // At most MAX_REMEMBERED_NONCES origins.
        for i in 0..MAX_REMEMBERED_NONCES {
            signer.remember_nonce(&format!("https://h{i}.example/"), "n");
        }
        assert!(signer.nonce_for("https://a.example").is_none());
        assert!(signer.nonce_for("https://h63.example").is_some());
        assert_eq!(
            signer.nonces.lock().unwrap().entries.len(),
            MAX_REMEMBERED_NONCES
        );
    }
}
