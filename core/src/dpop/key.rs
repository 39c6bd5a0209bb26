//! [`DpopKey`]: the client's proof-of-possession key pair, and the proofs it signs.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};

use super::proof::DpopProofOptions;
use super::spec::{access_token_hash, DPOP_TYP};
use super::thumbprint::jwk_thumbprint;
use crate::clock;
use crate::jwt::{Algorithm, JwtKey};
use crate::{Error, ErrorCode, Secret};

/// A DPoP key pair, ES256 (P-256) or EdDSA (Ed25519). Cheap to clone (the key is shared).
///
/// The private key never appears in `Debug`, errors or the JWK; it leaves only through
/// [`DpopKey::export_private_key`], for the platform keystore or a secrets manager, and comes
/// back through [`DpopKey::from_private_key`].
#[derive(Clone)]
pub struct DpopKey {
    key: JwtKey,
    alg: Algorithm,
    /// The public JWK: the members RFC 7638 names, nothing else (`kty`, `crv`, `x`[, `y`]).
    jwk: Map<String, Value>,
    jkt: String,
}

impl DpopKey {
    /// The algorithms a [`DpopKey`] can be made for.
    pub const ALGORITHMS: [Algorithm; 2] = [Algorithm::ES256, Algorithm::EdDSA];

    /// Generates a new key pair for `alg` (ES256 or EdDSA; anything else is `invalid_input`).
    pub fn generate(alg: Algorithm) -> Result<DpopKey, Error> {
        check_alg(alg)?;
        DpopKey::wrap(JwtKey::generate(alg)?, alg)
    }

    /// A key from the PKCS#8 PEM [`DpopKey::export_private_key`] returned (a P-256 or Ed25519
    /// private key from elsewhere works too). Anything else is `invalid_key`.
    pub fn from_private_key(pem: &str) -> Result<DpopKey, Error> {
        let key = JwtKey::from_pem(pem, None)?;
        let alg = match key.family() {
            crate::jwt::Family::EcP256 => Algorithm::ES256,
            crate::jwt::Family::Ed25519 => Algorithm::EdDSA,
            _ => {
                return Err(Error::new(
                    ErrorCode::InvalidKey,
                    "a DPoP key is a P-256 or Ed25519 key",
                ))
            }
        };
        if !key.can_sign() {
            return Err(Error::new(
                ErrorCode::InvalidKey,
                "a DPoP key needs its private part",
            ));
        }
        DpopKey::wrap(key, alg)
    }

    fn wrap(key: JwtKey, alg: Algorithm) -> Result<DpopKey, Error> {
        let mut jwk = match key.to_jwk()? {
            Value::Object(map) => map,
            _ => return Err(Error::new(ErrorCode::Internal, "a JWK is an object")),
        };
        jwk.retain(|name, _| matches!(name.as_str(), "kty" | "crv" | "x" | "y"));
        let jkt = jwk_thumbprint(&jwk)?;
        Ok(DpopKey { key, alg, jwk, jkt })
    }

    /// The private key as a PKCS#8 PEM block, wrapped in a [`Secret`]: the one way out.
    pub fn export_private_key(&self) -> Result<Secret, Error> {
        self.key.to_private_pem()
    }

    /// The proof algorithm: ES256 or EdDSA.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The public key as a JWK (`kty`, `crv`, `x`, and `y` for EC): what proofs carry.
    pub fn public_jwk(&self) -> &Map<String, Value> {
        &self.jwk
    }

    /// The RFC 7638 SHA-256 thumbprint of the public key: the `jkt` an authorization server
    /// binds tokens to (`cnf.jkt`) and the `dpop_jkt` authorization parameter.
    pub fn thumbprint(&self) -> &str {
        &self.jkt
    }

    /// Signs `message` (crate-internal: proofs only).
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        self.key.sign(self.alg, message)
    }
}

fn check_alg(alg: Algorithm) -> Result<(), Error> {
    if DpopKey::ALGORITHMS.contains(&alg) {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::InvalidInput,
            "DPoP keys are ES256 or EdDSA",
        ))
    }
}

impl fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopKey")
            .field("alg", &self.alg.as_str())
            .field("jkt", &self.jkt)
            .finish_non_exhaustive()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_export_and_come_back_with_the_same_thumbprint() {
        for alg in DpopKey::ALGORITHMS {
            let key = DpopKey::generate(alg).unwrap();
            assert_eq!(key.algorithm(), alg);
            assert_eq!(key.thumbprint().len(), 43);
            let pem = key.export_private_key().unwrap();
            let back = DpopKey::from_private_key(pem.expose()).unwrap();
            assert_eq!(back.thumbprint(), key.thumbprint());
            assert_eq!(back.algorithm(), alg);
            assert!(!key.public_jwk().contains_key("d"));
        }
    }

    #[test]
    fn other_algorithms_and_public_keys_are_refused() {
        for alg in [Algorithm::HS256, Algorithm::RS256, Algorithm::ES384] {
            assert_eq!(
                DpopKey::generate(alg).unwrap_err().code(),
                ErrorCode::InvalidInput
            );
        }
        let rsa = JwtKey::generate(Algorithm::RS256).unwrap();
        let pem = rsa.to_private_pem().unwrap();
        assert_eq!(
            DpopKey::from_private_key(pem.expose()).unwrap_err().code(),
            ErrorCode::InvalidKey
        );
        let ec = JwtKey::generate(Algorithm::ES256).unwrap();
        let public = ec.to_public_pem().unwrap();
        assert_eq!(
            DpopKey::from_private_key(&public).unwrap_err().code(),
            ErrorCode::InvalidKey
        );
    }

    #[test]
    fn debug_and_errors_show_no_private_material() {
        for alg in DpopKey::ALGORITHMS {
            let key = DpopKey::generate(alg).unwrap();
            let pem = key.export_private_key().unwrap();
            let body: String = pem
                .expose()
                .lines()
                .filter(|l| !l.starts_with("-----"))
                .collect();
            let debug = format!("{key:?} {pem:?} {pem}");
            assert!(debug.contains(key.thumbprint()), "{debug}");
            // No 12-character run of the PEM body appears in the printed forms.
            for start in (0..body.len().saturating_sub(12)).step_by(6) {
                assert!(!debug.contains(&body[start..start + 12]), "{debug}");
            }
            // A broken PEM's error does not echo it.
            let broken = pem.expose().replace('A', "*");
            let err = DpopKey::from_private_key(&broken).unwrap_err();
            let text = format!("{err} {err:?}");
            for start in (0..body.len().saturating_sub(12)).step_by(6) {
                assert!(!text.contains(&body[start..start + 12]), "{text}");
            }
        }
    }
}
