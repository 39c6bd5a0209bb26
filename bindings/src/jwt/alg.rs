//! `Algorithm` (core `jwt::alg`).

use tokenward::jwt as core;

use crate::error::FfiResult;

/// A JWS signature algorithm (there is no `none`). Kotlin: `Algorithm.ES256`, its RFC name
/// `algorithm.asString()` (`toString()` is the same); Swift: `.es256`, its RFC name
/// `algorithm.description`. `algorithmFromString("ES256")` parses a name (case-sensitive).
#[derive(uniffi::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[uniffi::export(Display)]
#[allow(missing_docs)] // the variants are the RFC 7518 / RFC 8037 names
pub enum Algorithm {
    Hs256,
    Hs384,
    Hs512,
    Rs256,
    Rs384,
    Rs512,
    Ps256,
    Ps384,
    Ps512,
    Es256,
    Es384,
    EdDsa,
}

impl From<Algorithm> for core::Algorithm {
    fn from(a: Algorithm) -> core::Algorithm {
        match a {
            Algorithm::Hs256 => core::Algorithm::HS256,
            Algorithm::Hs384 => core::Algorithm::HS384,
            Algorithm::Hs512 => core::Algorithm::HS512,
            Algorithm::Rs256 => core::Algorithm::RS256,
            Algorithm::Rs384 => core::Algorithm::RS384,
            Algorithm::Rs512 => core::Algorithm::RS512,
            Algorithm::Ps256 => core::Algorithm::PS256,
            Algorithm::Ps384 => core::Algorithm::PS384,
            Algorithm::Ps512 => core::Algorithm::PS512,
            Algorithm::Es256 => core::Algorithm::ES256,
            Algorithm::Es384 => core::Algorithm::ES384,
            Algorithm::EdDsa => core::Algorithm::EdDSA,
        }
    }
}

// Both matches are exhaustive: an algorithm added to the core without its variant here does not
// compile.
impl From<core::Algorithm> for Algorithm {
    fn from(a: core::Algorithm) -> Algorithm {
        match a {
            core::Algorithm::HS256 => Algorithm::Hs256,
            core::Algorithm::HS384 => Algorithm::Hs384,
            core::Algorithm::HS512 => Algorithm::Hs512,
            core::Algorithm::RS256 => Algorithm::Rs256,
            core::Algorithm::RS384 => Algorithm::Rs384,
            core::Algorithm::RS512 => Algorithm::Rs512,
            core::Algorithm::PS256 => Algorithm::Ps256,
            core::Algorithm::PS384 => Algorithm::Ps384,
            core::Algorithm::PS512 => Algorithm::Ps512,
            core::Algorithm::ES256 => Algorithm::Es256,
            core::Algorithm::ES384 => Algorithm::Es384,
            core::Algorithm::EdDSA => Algorithm::EdDsa,
        }
    }
}

#[uniffi::export]
impl Algorithm {
    /// The `alg` header value (`"ES256"`), the core's string.
    pub fn as_string(&self) -> String {
        core::Algorithm::from(*self).as_str().to_owned()
    }
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(core::Algorithm::from(*self).as_str())
    }
}

/// Parses an `alg` name (`"ES256"`, case-sensitive, the core's `FromStr`): `none` and unknown
/// names fail with `algorithm_not_allowed`.
#[uniffi::export]
pub fn algorithm_from_string(name: String) -> FfiResult<Algorithm> {
    Ok(name.parse::<core::Algorithm>()?.into())
}
