//! The one error type Swift and Kotlin see, and its typed code.

use std::fmt;

use tokenward::{ErrorCategory as CoreCategory, ErrorCode as CoreCode};

/// A stable, machine-readable reason for a failure: every code of the core, in the core's order
/// (`tests/vectors/error_codes.json`). Kotlin: `ErrorCode.EXPIRED`, its stable string
/// `code.asString()` (`toString()` is the same); Swift: `.expired`, its stable string
/// `code.description` (so `"\(code)"`; `asString()` is the same).
#[derive(uniffi::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[uniffi::export(Display)]
pub enum ErrorCode {
    // Token validation.
    /// The token's `exp` is in the past (beyond the leeway).
    Expired,
    /// The token's `nbf` (or `iat`) is in the future (beyond the leeway).
    NotYetValid,
    /// The signature does not verify with the selected key.
    InvalidSignature,
    /// The token's algorithm is not in the caller's allowlist or does not fit the key.
    AlgorithmNotAllowed,
    /// No key matches the token's `kid` (or the algorithm, when there is no `kid`).
    KeyNotFound,
    /// The input is not well-formed (encoding, structure, JSON).
    Malformed,
    /// The `iss` claim does not match.
    InvalidIssuer,
    /// The `aud` claim does not match.
    InvalidAudience,
    /// A required claim is absent.
    MissingClaim,
    /// A claim is present but has the wrong type or value.
    InvalidClaim,
    /// An OpenID Connect ID token's `nonce` is absent or not the one the login flow sent.
    InvalidNonce,
    /// A DPoP proof (RFC 9449) is missing, malformed, badly signed, replayed, outside its time
    /// window, or does not match the request or the access token's key binding.
    InvalidDpopProof,
    /// The server requires a DPoP `nonce`: retry with the `DPoP-Nonce` it sent.
    UseDpopNonce,
    /// The access token is bound to a client certificate (RFC 8705 `cnf.x5t#S256`) and the
    /// request presents no client certificate or another one.
    CertificateMismatch,
    /// The header lists a `crit` extension this library does not understand.
    UnsupportedCriticalHeader,
    /// The token exceeds the configured size or nesting limits.
    TokenTooLarge,
    /// A key could not be constructed or is too weak for its algorithm.
    InvalidKey,
    // API keys.
    /// The API key does not have the expected shape.
    InvalidFormat,
    /// The API key's embedded checksum does not match (a typo or a forgery).
    ChecksumMismatch,
    /// No stored key matches.
    UnknownKey,
    /// The key or token has been revoked.
    Revoked,
    // Authorization and policy.
    /// The credential lacks a required scope.
    InsufficientScope,
    /// The caller exceeded its rate limit.
    RateLimited,
    /// The client address is denied by policy.
    IpDenied,
    /// The request carries no credential.
    MissingCredentials,
    /// The CSRF token of a session-authenticated request is absent or not the session's.
    InvalidCsrfToken,
    // OAuth 2.0 token endpoint (RFC 6749 section 5.2) and transport.
    /// The grant (code, refresh token, credentials) is invalid, expired or revoked.
    InvalidGrant,
    /// Client authentication failed.
    InvalidClient,
    /// The requested scope is invalid or exceeds what was granted.
    InvalidScope,
    /// The client may not use this grant type.
    UnauthorizedClient,
    /// The server does not support this grant type.
    UnsupportedGrantType,
    /// The user or the server denied the authorization request (`error=access_denied`).
    AccessDenied,
    /// The server needs the user to interact (OpenID Connect `login_required`, …).
    InteractionRequired,
    /// The redirect's `state` is absent or not the one the login flow sent.
    InvalidState,
    /// The request could not be sent or the connection failed.
    Network,
    /// The peer did not answer in time.
    Timeout,
    /// The peer answered with a server error (5xx or `server_error`).
    ServerError,
    /// The peer's answer could not be understood or is out of bounds.
    InvalidResponse,
    // Generic.
    /// An argument passed by the caller is invalid (empty secret, bad option value, …).
    InvalidInput,
    /// The storage backend failed.
    Storage,
    /// An internal invariant failed; please report it.
    Internal,
}

impl ErrorCode {
    /// Every code, in the core's order (checked at compile time below).
    const ALL: &'static [ErrorCode] = &[
        ErrorCode::Expired,
        ErrorCode::NotYetValid,
        ErrorCode::InvalidSignature,
        ErrorCode::AlgorithmNotAllowed,
        ErrorCode::KeyNotFound,
        ErrorCode::Malformed,
        ErrorCode::InvalidIssuer,
        ErrorCode::InvalidAudience,
        ErrorCode::MissingClaim,
        ErrorCode::InvalidClaim,
        ErrorCode::InvalidNonce,
        ErrorCode::InvalidDpopProof,
        ErrorCode::UseDpopNonce,
        ErrorCode::CertificateMismatch,
        ErrorCode::UnsupportedCriticalHeader,
        ErrorCode::TokenTooLarge,
        ErrorCode::InvalidKey,
        ErrorCode::InvalidFormat,
        ErrorCode::ChecksumMismatch,
        ErrorCode::UnknownKey,
        ErrorCode::Revoked,
        ErrorCode::InsufficientScope,
        ErrorCode::RateLimited,
        ErrorCode::IpDenied,
        ErrorCode::MissingCredentials,
        ErrorCode::InvalidCsrfToken,
        ErrorCode::InvalidGrant,
        ErrorCode::InvalidClient,
        ErrorCode::InvalidScope,
        ErrorCode::UnauthorizedClient,
        ErrorCode::UnsupportedGrantType,
        ErrorCode::AccessDenied,
        ErrorCode::InteractionRequired,
        ErrorCode::InvalidState,
        ErrorCode::Network,
        ErrorCode::Timeout,
        ErrorCode::ServerError,
        ErrorCode::InvalidResponse,
        ErrorCode::InvalidInput,
        ErrorCode::Storage,
        ErrorCode::Internal,
    ];

    /// The core code. An exhaustive match: a variant added here without the core one does
    /// not compile.
    const fn core(self) -> CoreCode {
        match self {
            ErrorCode::Expired => CoreCode::Expired,
            ErrorCode::NotYetValid => CoreCode::NotYetValid,
            ErrorCode::InvalidSignature => CoreCode::InvalidSignature,
            ErrorCode::AlgorithmNotAllowed => CoreCode::AlgorithmNotAllowed,
            ErrorCode::KeyNotFound => CoreCode::KeyNotFound,
            ErrorCode::Malformed => CoreCode::Malformed,
            ErrorCode::InvalidIssuer => CoreCode::InvalidIssuer,
            ErrorCode::InvalidAudience => CoreCode::InvalidAudience,
            ErrorCode::MissingClaim => CoreCode::MissingClaim,
            ErrorCode::InvalidClaim => CoreCode::InvalidClaim,
            ErrorCode::InvalidNonce => CoreCode::InvalidNonce,
            ErrorCode::InvalidDpopProof => CoreCode::InvalidDpopProof,
            ErrorCode::UseDpopNonce => CoreCode::UseDpopNonce,
            ErrorCode::CertificateMismatch => CoreCode::CertificateMismatch,
            ErrorCode::UnsupportedCriticalHeader => CoreCode::UnsupportedCriticalHeader,
            ErrorCode::TokenTooLarge => CoreCode::TokenTooLarge,
            ErrorCode::InvalidKey => CoreCode::InvalidKey,
            ErrorCode::InvalidFormat => CoreCode::InvalidFormat,
            ErrorCode::ChecksumMismatch => CoreCode::ChecksumMismatch,
            ErrorCode::UnknownKey => CoreCode::UnknownKey,
            ErrorCode::Revoked => CoreCode::Revoked,
            ErrorCode::InsufficientScope => CoreCode::InsufficientScope,
            ErrorCode::RateLimited => CoreCode::RateLimited,
            ErrorCode::IpDenied => CoreCode::IpDenied,
            ErrorCode::MissingCredentials => CoreCode::MissingCredentials,
            ErrorCode::InvalidCsrfToken => CoreCode::InvalidCsrfToken,
            ErrorCode::InvalidGrant => CoreCode::InvalidGrant,
            ErrorCode::InvalidClient => CoreCode::InvalidClient,
            ErrorCode::InvalidScope => CoreCode::InvalidScope,
            ErrorCode::UnauthorizedClient => CoreCode::UnauthorizedClient,
            ErrorCode::UnsupportedGrantType => CoreCode::UnsupportedGrantType,
            ErrorCode::AccessDenied => CoreCode::AccessDenied,
            ErrorCode::InteractionRequired => CoreCode::InteractionRequired,
            ErrorCode::InvalidState => CoreCode::InvalidState,
            ErrorCode::Network => CoreCode::Network,
            ErrorCode::Timeout => CoreCode::Timeout,
            ErrorCode::ServerError => CoreCode::ServerError,
            ErrorCode::InvalidResponse => CoreCode::InvalidResponse,
            ErrorCode::InvalidInput => CoreCode::InvalidInput,
            ErrorCode::Storage => CoreCode::Storage,
            ErrorCode::Internal => CoreCode::Internal,
        }
    }
}

/// The core's `ErrorCode` is `#[non_exhaustive]`, so a `match` on it in this crate needs a
/// wildcard arm and would let a new core code through unmapped. Instead, this compile-time check
/// fails the build unless `ErrorCode::ALL` maps one to one, in order, onto the core's list:
/// adding a core code without its variant here does not compile.
const _: () = {
    assert!(
        ErrorCode::ALL.len() == CoreCode::ALL.len(),
        "bindings ErrorCode and tokenward::ErrorCode list different codes"
    );
    let mut i = 0;
    while i < CoreCode::ALL.len() {
        assert!(
            same(ErrorCode::ALL[i].core().as_str(), CoreCode::ALL[i].as_str()),
            "bindings ErrorCode::ALL differs from tokenward::ErrorCode::ALL"
        );
        i += 1;
    }
};

/// `a == b` for the compile-time check (`PartialEq` is not `const`).
const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

impl From<CoreCode> for ErrorCode {
    fn from(code: CoreCode) -> Self {
        // The compile-time check makes the lookup total; `Internal` is unreachable.
        ErrorCode::ALL
            .iter()
            .copied()
            .find(|c| c.core() == code)
            .unwrap_or(ErrorCode::Internal)
    }
}

#[uniffi::export]
impl ErrorCode {
    /// The stable snake_case string of the code (`"expired"`), the same in every language.
    pub fn as_string(&self) -> String {
        self.core().as_str().to_owned()
    }

    /// The family of this code.
    pub fn category(&self) -> ErrorCategory {
        self.core().category().into()
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.core().as_str())
    }
}

/// The family an [`ErrorCode`] belongs to. Stable string: Kotlin `asString()` (and `toString()`),
/// Swift `description`.
#[derive(uniffi::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[uniffi::export(Display)]
pub enum ErrorCategory {
    /// A token (JWT, access token, revoked credential) failed validation.
    Token,
    /// A key could not be constructed or used.
    Key,
    /// An API key failed its format, checksum or lookup.
    ApiKey,
    /// The credential is valid but the request is not allowed.
    Authorization,
    /// The OAuth 2.0 server refused the request.
    OAuth,
    /// The network or the peer failed.
    Transport,
    /// The caller passed an invalid argument.
    Input,
    /// Storage or an internal invariant failed.
    Internal,
}

impl ErrorCategory {
    /// The core category. Exhaustive over this enum.
    const fn core(self) -> CoreCategory {
        match self {
            ErrorCategory::Token => CoreCategory::Token,
            ErrorCategory::Key => CoreCategory::Key,
            ErrorCategory::ApiKey => CoreCategory::ApiKey,
            ErrorCategory::Authorization => CoreCategory::Authorization,
            ErrorCategory::OAuth => CoreCategory::OAuth,
            ErrorCategory::Transport => CoreCategory::Transport,
            ErrorCategory::Input => CoreCategory::Input,
            ErrorCategory::Internal => CoreCategory::Internal,
        }
    }
}

impl From<CoreCategory> for ErrorCategory {
    fn from(category: CoreCategory) -> Self {
        // Non-exhaustive in the core; a new category is caught by the test below as soon as a
        // code uses it.
        match category {
            CoreCategory::Token => ErrorCategory::Token,
            CoreCategory::Key => ErrorCategory::Key,
            CoreCategory::ApiKey => ErrorCategory::ApiKey,
            CoreCategory::Authorization => ErrorCategory::Authorization,
            CoreCategory::OAuth => ErrorCategory::OAuth,
            CoreCategory::Transport => ErrorCategory::Transport,
            CoreCategory::Input => ErrorCategory::Input,
            _ => ErrorCategory::Internal,
        }
    }
}

#[uniffi::export]
impl ErrorCategory {
    /// The stable snake_case string of the category (`"token"`, `"api_key"`, …).
    pub fn as_string(&self) -> String {
        self.core().as_str().to_owned()
    }
}

impl fmt::Display for ErrorCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.core().as_str())
    }
}

/// A tokenward failure, with its typed code.
///
/// Kotlin: `TokenwardException.Failed` with `.code` (an [`ErrorCode`]) and `.detail` (uniffi
/// cannot name a Kotlin exception field `message`); Swift: `TokenwardError.Failed(code:message:)`
/// with the `code` and `message` accessors (Tokenward+Extensions.swift).
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum TokenwardError {
    /// Any failure of the core, identified by its code.
    #[error("{code}: {message}")]
    Failed {
        /// The stable code: switch on it (`ErrorCode.EXPIRED`, `.expired`).
        code: ErrorCode,
        /// Human-readable description, never containing secret material.
        message: String,
    },
}

impl From<tokenward::Error> for TokenwardError {
    fn from(err: tokenward::Error) -> Self {
        TokenwardError::Failed {
            code: err.code().into(),
            message: err.message().to_owned(),
        }
    }
}

pub(crate) type FfiResult<T> = Result<T, TokenwardError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_code_maps_to_its_own_variant_with_the_same_category() {
        for (i, core) in CoreCode::ALL.iter().enumerate() {
            let code = ErrorCode::from(*core);
            assert_eq!(code, ErrorCode::ALL[i]);
            assert_eq!(code.as_string(), core.as_str());
            assert_eq!(code.to_string(), core.as_str());
            assert_eq!(code.category().as_string(), core.category().as_str());
        }
    }
}
