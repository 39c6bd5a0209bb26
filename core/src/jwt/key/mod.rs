//! One JWS key, bound to one algorithm family (and, for HMAC, to one algorithm).

mod der;

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, ParsedPublicKey};
use aws_lc_rs::{hmac, rsa};

use super::alg::{Algorithm, Family};
use crate::{Error, ErrorCode};

/// Minimum RSA modulus size accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;

/// Maximum RSA modulus size accepted, in bits: the largest the RS/PS verification algorithms
/// take (a bigger key could be imported but never verify anything).
pub const MAX_RSA_BITS: usize = 8192;

/// A JWS key. Cheap to clone (shared). `Debug` never shows key material.
#[derive(Clone)]
pub struct JwtKey {
    pub(crate) inner: Arc<KeyInner>,
}

#[derive(Clone)]
pub(crate) struct KeyInner {
    pub(crate) kid: Option<String>,
    /// The one algorithm this key may be used with, when pinned (always for HMAC).
    pub(crate) alg: Option<Algorithm>,
    pub(crate) family: Family,
    pub(crate) material: Material,
}

// Material sits behind the key's Arc, so variant sizes cost nothing per clone.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub(crate) enum Material {
    Hmac(hmac::Key),
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
        /// One parsed verification key per RSA algorithm this key may verify.
        verifiers: Vec<(Algorithm, ParsedPublicKey)>,
        private: Option<Arc<rsa::KeyPair>>,
    },
    Ec {
        point: Vec<u8>,
        verifier: ParsedPublicKey,
        private: Option<Arc<EcdsaKeyPair>>,
    },
    Ed25519 {
        public: Vec<u8>,
        verifier: ParsedPublicKey,
        private: Option<Arc<Ed25519KeyPair>>,
    },
}

fn invalid(msg: &'static str) -> Error {
    Error::new(ErrorCode::InvalidKey, msg)
}

fn rsa_verify_alg(alg: Algorithm) -> &'static signature::RsaParameters {
    match alg {
        Algorithm::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
        Algorithm::RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        Algorithm::PS256 => &signature::RSA_PSS_2048_8192_SHA256,
        Algorithm::PS384 => &signature::RSA_PSS_2048_8192_SHA384,
        Algorithm::PS512 => &signature::RSA_PSS_2048_8192_SHA512,
        _ => &signature::RSA_PKCS1_2048_8192_SHA256,
    }
}

fn rsa_sign_alg(alg: Algorithm) -> &'static dyn signature::RsaEncoding {
    match alg {
        Algorithm::RS384 => &signature::RSA_PKCS1_SHA384,
        Algorithm::RS512 => &signature::RSA_PKCS1_SHA512,
        Algorithm::PS256 => &signature::RSA_PSS_SHA256,
        Algorithm::PS384 => &signature::RSA_PSS_SHA384,
        Algorithm::PS512 => &signature::RSA_PSS_SHA512,
        _ => &signature::RSA_PKCS1_SHA256,
    }
}

fn ec_algs(
    family: Family,
) -> (
    &'static signature::EcdsaVerificationAlgorithm,
    &'static signature::EcdsaSigningAlgorithm,
    usize,
) {
    match family {
        Family::EcP384 => (
            &signature::ECDSA_P384_SHA384_FIXED,
            &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
            48,
        ),
        _ => (
            &signature::ECDSA_P256_SHA256_FIXED,
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            32,
        ),
    }
}

fn hmac_alg(alg: Algorithm) -> hmac::Algorithm {
    match alg {
        Algorithm::HS384 => hmac::HMAC_SHA384,
        Algorithm::HS512 => hmac::HMAC_SHA512,
        _ => hmac::HMAC_SHA256,
    }
}

/// Checks that a pinned algorithm fits `family`.
fn check_alg(alg: Option<Algorithm>, family: Family) -> Result<(), Error> {
    match alg {
        Some(a) if a.family() != family => {
            Err(invalid("the algorithm does not match the key type"))
        }
        _ => Ok(()),
    }
}

impl JwtKey {
    fn build(
        kid: Option<String>,
        alg: Option<Algorithm>,
        family: Family,
        material: Material,
    ) -> JwtKey {
        JwtKey {
            inner: Arc::new(KeyInner {
                kid,
                alg,
                family,
                material,
            }),
        }
    }

    /// An HMAC key for `alg` (HS256/384/512). Secrets shorter than the hash output are refused.
    pub fn hmac(secret: &[u8], alg: Algorithm) -> Result<JwtKey, Error> {
        if alg.family() != Family::Hmac {
            return Err(invalid("HMAC keys need an HS* algorithm"));
        }
        if secret.len() < alg.min_hmac_len() {
            return Err(invalid("HMAC secret is shorter than the hash output"));
        }
        let key = hmac::Key::new(hmac_alg(alg), secret);
        Ok(JwtKey::build(
            None,
            Some(alg),
            Family::Hmac,
            Material::Hmac(key),
        ))
    }

    /// An RSA public key from its modulus and exponent (big-endian bytes).
    pub(crate) fn rsa_public(n: &[u8], e: &[u8], alg: Option<Algorithm>) -> Result<JwtKey, Error> {
        check_alg(alg, Family::Rsa)?;
        let n = strip_leading_zeros(n);
        if n.len() * 8 < MIN_RSA_BITS {
            return Err(invalid("RSA keys must be at least 2048 bits"));
        }
        // The same bound on every path (aws-lc's DER parser refused a 16,448-bit modulus that
        // the JWK path took: fuzz finding 5).
        if n.len() * 8 > MAX_RSA_BITS {
            return Err(invalid("RSA keys must be at most 8192 bits"));
        }
        let e = strip_leading_zeros(e);
        // The checks the DER/PEM path applies (aws-lc's key parser), so a key imported from a
        // JWK exports to a PEM that imports again: an odd modulus, an odd exponent in 3..2^33.
        let exponent = e.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        if n.last().is_some_and(|b| b & 1 == 0)
            || e.len() > 5
            || !(3..1 << 33).contains(&exponent)
            || exponent & 1 == 0
        {
            return Err(invalid("invalid RSA public key"));
        }
        let components = rsa::PublicKeyComponents { n, e };
        let algs: Vec<Algorithm> = match alg {
            Some(a) => vec![a],
            None => Algorithm::ALL
                .iter()
                .copied()
                .filter(|a| a.family() == Family::Rsa)
                .collect(),
        };
        let mut verifiers = Vec::with_capacity(algs.len());
        for a in algs {
            let parsed = components
                .to_parsed_public_key(rsa_verify_alg(a))
                .map_err(|_| invalid("invalid RSA public key"))?;
            verifiers.push((a, parsed));
        }
        Ok(JwtKey::build(
            None,
            alg,
            Family::Rsa,
            Material::Rsa {
                n: n.to_vec(),
                e: components.e.to_vec(),
                verifiers,
                private: None,
            },
        ))
    }

    fn rsa_private(pair: rsa::KeyPair, alg: Option<Algorithm>) -> Result<JwtKey, Error> {
        let public = pair.public_key();
        let n = public.modulus().big_endian_without_leading_zero().to_vec();
        let e = public.exponent().big_endian_without_leading_zero().to_vec();
        let mut key = JwtKey::rsa_public(&n, &e, alg)?;
        if let Some(inner) = Arc::get_mut(&mut key.inner) {
            if let Material::Rsa { private, .. } = &mut inner.material {
                *private = Some(Arc::new(pair));
            }
        }
        Ok(key)
    }

    /// An EC public key from its uncompressed point (`04 || x || y`).
    pub(crate) fn ec_public(point: &[u8], family: Family) -> Result<JwtKey, Error> {
        let (verify_alg, _, _) = ec_algs(family);
        let verifier = ParsedPublicKey::new(verify_alg, point)
            .map_err(|_| invalid("the EC point is not on the curve"))?;
        let alg = if family == Family::EcP384 {
            Algorithm::ES384
        } else {
            Algorithm::ES256
        };
        Ok(JwtKey::build(
            None,
            Some(alg),
            family,
            Material::Ec {
                point: point.to_vec(),
                verifier,
                private: None,
            },
        ))
    }

    fn ec_private(pair: EcdsaKeyPair, family: Family) -> Result<JwtKey, Error> {
        let point = pair.public_key().as_ref().to_vec();
        let mut key = JwtKey::ec_public(&point, family)?;
        if let Some(inner) = Arc::get_mut(&mut key.inner) {
            if let Material::Ec { private, .. } = &mut inner.material {
                *private = Some(Arc::new(pair));
            }
        }
        Ok(key)
    }

    /// An Ed25519 public key from its 32 bytes.
    pub(crate) fn ed25519_public(public: &[u8]) -> Result<JwtKey, Error> {
        if public.len() != 32 {
            return Err(invalid("Ed25519 public keys are 32 bytes"));
        }
        let verifier = ParsedPublicKey::new(&signature::ED25519, public)
            .map_err(|_| invalid("invalid Ed25519 public key"))?;
        Ok(JwtKey::build(
            None,
            Some(Algorithm::EdDSA),
            Family::Ed25519,
            Material::Ed25519 {
                public: public.to_vec(),
                verifier,
                private: None,
            },
        ))
    }

    fn ed25519_private(pair: Ed25519KeyPair) -> Result<JwtKey, Error> {
        let public = pair.public_key().as_ref().to_vec();
        let mut key = JwtKey::ed25519_public(&public)?;
        if let Some(inner) = Arc::get_mut(&mut key.inner) {
            if let Material::Ed25519 { private, .. } = &mut inner.material {
                *private = Some(Arc::new(pair));
            }
        }
        Ok(key)
    }

    pub(crate) fn ec_from_private_scalar(
        d: &[u8],
        point: &[u8],
        family: Family,
    ) -> Result<JwtKey, Error> {
        let (_, sign_alg, _) = ec_algs(family);
        let pair = EcdsaKeyPair::from_private_key_and_public_key(sign_alg, d, point)
            .map_err(|_| invalid("inconsistent EC private key"))?;
        JwtKey::ec_private(pair, family)
    }

    pub(crate) fn ed25519_from_seed(seed: &[u8], public: &[u8]) -> Result<JwtKey, Error> {
        let pair = Ed25519KeyPair::from_seed_and_public_key(seed, public)
            .map_err(|_| invalid("inconsistent Ed25519 private key"))?;
        JwtKey::ed25519_private(pair)
    }

    pub(crate) fn rsa_from_components(
        components: &rsa::KeyPairComponents<&[u8], &[u8]>,
        alg: Option<Algorithm>,
    ) -> Result<JwtKey, Error> {
        let pair = rsa::KeyPair::from_components(components)
            .map_err(|_| invalid("inconsistent RSA private key"))?;
        JwtKey::rsa_private(pair, alg)
    }

    /// Generates a new private key for `alg` (RSA: 2048 bits; HMAC: a random secret as long
    /// as the hash output).
    pub fn generate(alg: Algorithm) -> Result<JwtKey, Error> {
        let failed = || Error::new(ErrorCode::Internal, "key generation failed");
        match alg.family() {
            Family::Hmac => {
                let mut secret = vec![0u8; alg.min_hmac_len()];
                aws_lc_rs::rand::fill(&mut secret).map_err(|_| failed())?;
                JwtKey::hmac(&secret, alg)
            }
            Family::Rsa => {
                let pair = rsa::KeyPair::generate(rsa::KeySize::Rsa2048).map_err(|_| failed())?;
                JwtKey::rsa_private(pair, Some(alg))
            }
            family @ (Family::EcP256 | Family::EcP384) => {
                let (_, sign_alg, _) = ec_algs(family);
                JwtKey::ec_private(
                    EcdsaKeyPair::generate(sign_alg).map_err(|_| failed())?,
                    family,
                )
            }
            Family::Ed25519 => {
                JwtKey::ed25519_private(Ed25519KeyPair::generate().map_err(|_| failed())?)
            }
        }
    }

    /// The same key with a `kid`.
    pub fn with_kid(&self, kid: impl Into<String>) -> JwtKey {
        let mut inner = (*self.inner).clone();
        inner.kid = Some(kid.into());
        JwtKey {
            inner: Arc::new(inner),
        }
    }

    /// The same key pinned to one algorithm of its family.
    pub fn with_algorithm(&self, alg: Algorithm) -> Result<JwtKey, Error> {
        check_alg(Some(alg), self.inner.family)?;
        if matches!(self.inner.alg, Some(pinned) if pinned != alg) {
            return Err(invalid("the key is already bound to another algorithm"));
        }
        if !self.accepts(alg) {
            return Err(invalid("the key is bound to another algorithm family"));
        }
        let mut inner = (*self.inner).clone();
        inner.alg = Some(alg);
        if let Material::Rsa { verifiers, .. } = &mut inner.material {
            verifiers.retain(|(v, _)| *v == alg);
        }
        Ok(JwtKey {
            inner: Arc::new(inner),
        })
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<&str> {
        self.inner.kid.as_deref()
    }

    /// The algorithm this key is pinned to, if any.
    pub fn algorithm(&self) -> Option<Algorithm> {
        self.inner.alg
    }

    /// The key's family.
    pub fn family(&self) -> Family {
        self.inner.family
    }

    /// Whether the key can sign (holds private material or is an HMAC secret).
    pub fn can_sign(&self) -> bool {
        match &self.inner.material {
            Material::Hmac(_) => true,
            Material::Rsa { private, .. } => private.is_some(),
            Material::Ec { private, .. } => private.is_some(),
            Material::Ed25519 { private, .. } => private.is_some(),
        }
    }

    /// Whether this key may be used with `alg`.
    pub fn accepts(&self, alg: Algorithm) -> bool {
        match self.inner.alg {
            Some(pinned) => pinned == alg,
            None => {
                alg.family() == self.inner.family
                    && match &self.inner.material {
                        // An unpinned RSA key accepts the algorithms it holds a verifier for:
                        // all six from PEM/DER, only RS256/384/512 from a JWK without `alg`.
                        Material::Rsa { verifiers, .. } => verifiers.iter().any(|(a, _)| *a == alg),
                        _ => true,
                    }
            }
        }
    }

    /// An unpinned RSA key restricted to `algs` (RFC 8725 section 3.1: a key is used with one
    /// algorithm family). Other keys are returned unchanged.
    pub(crate) fn restrict_rsa(self, algs: &[Algorithm]) -> JwtKey {
        if self.inner.alg.is_some() || self.inner.family != Family::Rsa {
            return self;
        }
        let mut inner = (*self.inner).clone();
        if let Material::Rsa { verifiers, .. } = &mut inner.material {
            verifiers.retain(|(a, _)| algs.contains(a));
        }
        JwtKey {
            inner: Arc::new(inner),
        }
    }

    /// Signs `message` with `alg`. The key must accept `alg` and hold private material.
    pub fn sign(&self, alg: Algorithm, message: &[u8]) -> Result<Vec<u8>, Error> {
        if !self.accepts(alg) {
            return Err(Error::new(
                ErrorCode::AlgorithmNotAllowed,
                "the key does not accept this algorithm",
            ));
        }
        let no_private = || invalid("the key has no private part");
        let failed = || Error::new(ErrorCode::Internal, "signing failed");
        match &self.inner.material {
            Material::Hmac(key) => Ok(hmac::sign(key, message).as_ref().to_vec()),
            Material::Rsa { private, .. } => {
                let pair = private.as_ref().ok_or_else(no_private)?;
                let mut sig = vec![0u8; pair.public_modulus_len()];
                pair.sign(rsa_sign_alg(alg), &SystemRandom::new(), message, &mut sig)
                    .map_err(|_| failed())?;
                Ok(sig)
            }
            Material::Ec { private, .. } => {
                let pair = private.as_ref().ok_or_else(no_private)?;
                let sig = pair
                    .sign(&SystemRandom::new(), message)
                    .map_err(|_| failed())?;
                Ok(sig.as_ref().to_vec())
            }
            Material::Ed25519 { private, .. } => {
                let pair = private.as_ref().ok_or_else(no_private)?;
                Ok(pair.sign(message).as_ref().to_vec())
            }
        }
    }

    /// Verifies `signature` over `message` for `alg`; the caller has checked [`JwtKey::accepts`].
    pub(crate) fn verify(&self, alg: Algorithm, message: &[u8], sig: &[u8]) -> bool {
        match &self.inner.material {
            Material::Hmac(key) => hmac::verify(key, message, sig).is_ok(),
            Material::Rsa { verifiers, .. } => verifiers
                .iter()
                .find(|(a, _)| *a == alg)
                .is_some_and(|(_, v)| v.verify_sig(message, sig).is_ok()),
            Material::Ec { verifier, .. } | Material::Ed25519 { verifier, .. } => {
                verifier.verify_sig(message, sig).is_ok()
            }
        }
    }
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

impl fmt::Debug for JwtKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtKey")
            .field("kid", &self.inner.kid)
            .field("alg", &self.inner.alg.map(Algorithm::as_str))
            .field("family", &self.inner.family)
            .field("private", &self.can_sign())
            .finish()
    }
}
