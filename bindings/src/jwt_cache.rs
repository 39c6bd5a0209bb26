//! The verified-token cache of `JwtVerifier` (`JwtVerifierOptions.cacheSize`, docs/jwt.md).

use crate::jwt::JwtVerifier;

#[uniffi::export]
impl JwtVerifier {
    /// How many tokens the verified-token cache holds (0 without `cacheSize`).
    pub fn cache_len(&self) -> u64 {
        u64::try_from(self.0.cache_len()).unwrap_or(u64::MAX)
    }
}
