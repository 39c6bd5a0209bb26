//! `JwtKey` (core `jwt::key`).

use secrecy::zeroize::Zeroizing;
use std::sync::Arc;

use tokenward::jwt as core;

use super::alg::Algorithm;
use crate::error::FfiResult;
use crate::secret::Secret;

/// A JWS key bound to one algorithm family (HMAC keys to one algorithm). Its printed form
/// (`description`, `toString`) shows the kid and algorithm, never key material.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct JwtKey(pub(crate) core::JwtKey);

impl std::fmt::Debug for JwtKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.0, f)
    }
}

impl std::fmt::Display for JwtKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "JwtKey(kid: {}, algorithm: {}, canSign: {})",
            self.0.kid().unwrap_or("-"),
            self.0.algorithm().map_or("-", core::Algorithm::as_str),
            self.0.can_sign()
        )
    }
}

#[uniffi::export]
impl JwtKey {
    /// An HMAC key for `algorithm` (`HS256`, `HS384`, `HS512`). Secrets shorter than the hash
    /// output fail with `invalid_key`.
    #[uniffi::constructor]
    pub fn hmac(secret: Vec<u8>, algorithm: Algorithm) -> FfiResult<Arc<Self>> {
        // Our copies of key material (uniffi lifts them into owned values) are wiped on drop.
        Ok(Arc::new(JwtKey(core::JwtKey::hmac(
            &Zeroizing::new(secret),
            algorithm.into(),
        )?)))
    }

    /// A key from PEM (SPKI, PKCS#8 or PKCS#1). `algorithm` pins it to one algorithm of its
    /// family; RSA keys without it verify every RS/PS algorithm.
    #[uniffi::constructor(default(algorithm = None))]
    pub fn from_pem(pem: String, algorithm: Option<Algorithm>) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(JwtKey(core::JwtKey::from_pem(
            &Zeroizing::new(pem),
            algorithm.map(Into::into),
        )?)))
    }

    /// A key from one JWK (JSON text). `kty`, `crv` and `alg` must agree; private members make
    /// a signing key.
    #[uniffi::constructor]
    pub fn from_jwk(jwk: String) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(JwtKey(core::JwtKey::from_jwk(&Zeroizing::new(
            jwk,
        ))?)))
    }

    /// Generates a new private key for `algorithm` (RSA 2048 bits; HMAC a random secret as
    /// long as the hash output).
    #[uniffi::constructor]
    pub fn generate(algorithm: Algorithm) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(JwtKey(core::JwtKey::generate(algorithm.into())?)))
    }

    /// The same key with a `kid`.
    pub fn with_kid(&self, kid: String) -> Arc<JwtKey> {
        Arc::new(JwtKey(self.0.with_kid(kid)))
    }

    /// The same key pinned to one algorithm of its family.
    pub fn with_algorithm(&self, algorithm: Algorithm) -> FfiResult<Arc<JwtKey>> {
        Ok(Arc::new(JwtKey(self.0.with_algorithm(algorithm.into())?)))
    }

    /// The public JWK as JSON text (with `kid`, `alg`, `use`). HMAC keys are never exported
    /// (`invalid_key`).
    pub fn to_jwk_json(&self) -> FfiResult<String> {
        Ok(self.0.to_jwk()?.to_string())
    }

    /// The public key as a PEM `PUBLIC KEY` block (SPKI).
    pub fn to_public_pem(&self) -> FfiResult<String> {
        Ok(self.0.to_public_pem()?)
    }

    /// The private key as a PKCS#8 PEM block, wrapped in a `Secret` (`expose()` to read).
    pub fn to_private_pem(&self) -> FfiResult<Arc<Secret>> {
        Ok(Arc::new(Secret(self.0.to_private_pem()?)))
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<String> {
        self.0.kid().map(str::to_owned)
    }

    /// The algorithm the key is pinned to, if any (an RSA key may be usable with any RS/PS).
    pub fn algorithm(&self) -> Option<Algorithm> {
        self.0.algorithm().map(Into::into)
    }

    /// Whether the key can sign (an HMAC secret or a private key).
    pub fn can_sign(&self) -> bool {
        self.0.can_sign()
    }
}
