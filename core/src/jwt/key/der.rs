//! Keys in DER and PEM: SPKI, PKCS#1, PKCS#8 and SEC 1 import; PKCS#8 private and SPKI public
//! export. These constructors of [`JwtKey`] live here, so the key itself never depends on the
//! encodings.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, ParsedPublicKey};

use super::{ec_algs, invalid, JwtKey, Material};
use crate::jwt::alg::{Algorithm, Family};
use crate::jwt::pem;
use crate::{Error, Secret};

impl JwtKey {
    /// A key from a PEM block: `PUBLIC KEY` (SPKI), `RSA PUBLIC KEY` (PKCS#1), `PRIVATE KEY`
    /// (PKCS#8), `RSA PRIVATE KEY` (PKCS#1) or `EC PRIVATE KEY` (SEC 1). `alg` pins the key to
    /// one algorithm; it is required for RSA keys you want bound to a single algorithm.
    pub fn from_pem(pem_text: &str, alg: Option<Algorithm>) -> Result<JwtKey, Error> {
        let (label, der) = pem::decode(pem_text)?;
        match label.as_str() {
            "PUBLIC KEY" | "RSA PUBLIC KEY" => JwtKey::from_public_der(&der, alg),
            "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" => {
                JwtKey::from_private_der(&der, alg)
            }
            _ => Err(invalid("unsupported PEM label")),
        }
    }

    /// A public key from DER: SPKI, or PKCS#1 `RSAPublicKey`.
    pub fn from_public_der(der: &[u8], alg: Option<Algorithm>) -> Result<JwtKey, Error> {
        let want = alg.map(Algorithm::family);
        if want.is_none() || want == Some(Family::Rsa) {
            if let Ok(public) = rsa::PublicKey::from_der(der) {
                let n = public.modulus().big_endian_without_leading_zero().to_vec();
                let e = public.exponent().big_endian_without_leading_zero().to_vec();
                return JwtKey::rsa_public(&n, &e, alg);
            }
        }
        for family in [Family::EcP256, Family::EcP384] {
            if want.is_some() && want != Some(family) {
                continue;
            }
            let (verify_alg, _, len) = ec_algs(family);
            if ParsedPublicKey::new(verify_alg, der).is_ok() && der.len() > 2 * len + 1 {
                // The uncompressed point closes the SPKI's BIT STRING.
                return JwtKey::ec_public(&der[der.len() - (2 * len + 1)..], family);
            }
        }
        if (want.is_none() || want == Some(Family::Ed25519))
            && der.len() == 44
            && ParsedPublicKey::new(&signature::ED25519, der).is_ok()
        {
            return JwtKey::ed25519_public(&der[12..]);
        }
        Err(invalid("unsupported or invalid public key"))
    }

    /// A private key from DER: PKCS#8, PKCS#1 `RSAPrivateKey` or SEC 1 `ECPrivateKey`.
    pub fn from_private_der(der: &[u8], alg: Option<Algorithm>) -> Result<JwtKey, Error> {
        let want = alg.map(Algorithm::family);
        if want.is_none() || want == Some(Family::Rsa) {
            if let Ok(pair) = rsa::KeyPair::from_pkcs8(der).or_else(|_| rsa::KeyPair::from_der(der))
            {
                return JwtKey::rsa_private(pair, alg);
            }
        }
        for family in [Family::EcP256, Family::EcP384] {
            if want.is_some() && want != Some(family) {
                continue;
            }
            let (_, sign_alg, _) = ec_algs(family);
            if let Ok(pair) = EcdsaKeyPair::from_pkcs8(sign_alg, der)
                .or_else(|_| EcdsaKeyPair::from_private_key_der(sign_alg, der))
            {
                return JwtKey::ec_private(pair, family);
            }
        }
        if want.is_none() || want == Some(Family::Ed25519) {
            if let Ok(pair) = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der) {
                return JwtKey::ed25519_private(pair);
            }
        }
        Err(invalid("unsupported, invalid or too weak private key"))
    }

    /// The private key as a PKCS#8 PEM block (`PRIVATE KEY`), wrapped in a [`Secret`], for
    /// persisting a generated key. HMAC keys are not exported.
    pub fn to_private_pem(&self) -> Result<Secret, Error> {
        let cannot = || invalid("the key has no exportable private part");
        // Private key material: wiped when dropped.
        let der: secrecy::zeroize::Zeroizing<Vec<u8>> = match &self.inner.material {
            Material::Rsa {
                private: Some(p), ..
            } => p.as_der().map_err(|_| cannot())?.as_ref().to_vec().into(),
            Material::Ec {
                private: Some(p), ..
            } => p
                .to_pkcs8v1()
                .map_err(|_| cannot())?
                .as_ref()
                .to_vec()
                .into(),
            Material::Ed25519 {
                private: Some(p), ..
            } => p
                .to_pkcs8v1()
                .map_err(|_| cannot())?
                .as_ref()
                .to_vec()
                .into(),
            _ => return Err(cannot()),
        };
        Secret::new(pem::encode("PRIVATE KEY", &der))
    }

    /// The public key as SPKI DER, when it is asymmetric.
    fn public_der(&self) -> Option<Vec<u8>> {
        // Fixed SPKI prefixes (AlgorithmIdentifier + BIT STRING header) for the curve keys.
        const P256: &[u8] = b"\x30\x59\x30\x13\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07\x03\x42\x00";
        const P384: &[u8] = b"\x30\x76\x30\x10\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x05\x2b\x81\x04\x00\x22\x03\x62\x00";
        const ED25519: &[u8] = b"\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00";
        let with_prefix = |prefix: &[u8], key: &[u8]| [prefix, key].concat();
        match &self.inner.material {
            Material::Rsa { n, e, .. } => rsa::PublicKeyComponents {
                n: n.as_slice(),
                e: e.as_slice(),
            }
            .as_der()
            .ok()
            .map(|d| d.as_ref().to_vec()),
            Material::Ec { point, .. } if self.inner.family == Family::EcP384 => {
                Some(with_prefix(P384, point))
            }
            Material::Ec { point, .. } => Some(with_prefix(P256, point)),
            Material::Ed25519 { public, .. } => Some(with_prefix(ED25519, public)),
            Material::Hmac(_) => None,
        }
    }

    /// The public key as a PEM block (`PUBLIC KEY`, SPKI).
    pub fn to_public_pem(&self) -> Result<String, Error> {
        let der = self
            .public_der()
            .ok_or_else(|| invalid("symmetric keys have no public part"))?;
        Ok(pem::encode("PUBLIC KEY", &der))
    }
}
