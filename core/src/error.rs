//! The one error type of tokenward and its stable codes.
//!
//! Every failure carries an [`ErrorCode`]; its snake_case string ([`ErrorCode::as_str`]) is part
//! of the public contract: the bindings surface it as `.code` (Python, JS) or as the code of the
//! error case (Swift, Kotlin), and the conformance vectors assert it. Codes are only ever added.
//!
//! Messages are written for humans and never contain token or key material: constructors take
//! a fixed description, never the input that failed.
//!
//! Where the core wraps a foreign failure (a transport error from reqwest, a SQLite error), the
//! [`Error`] keeps it as its [`source`](std::error::Error::source), so callers can walk the
//! chain; the source is held under the same rule (no URL, no secret).

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// Shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident => $code:literal, )*) => {
        /// A stable, machine-readable reason for a failure.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
        }

        impl ErrorCode {
            /// Every code, in declaration order (the bindings export this list).
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The stable snake_case name of the code.
            pub const fn as_str(self) -> &'static str {
                match self { $( ErrorCode::$variant => $code, )* }
            }

            /// Parses a code from its snake_case name.
            pub fn parse(code: &str) -> Option<ErrorCode> {
                match code { $( $code => Some(ErrorCode::$variant), )* _ => None }
            }
        }
    };
}

error_codes! {
    // Token validation.
    /// The token's `exp` is in the past (beyond the leeway).
    Expired => "expired",
    /// The token's `nbf` (or `iat`) is in the future (beyond the leeway).
    NotYetValid => "not_yet_valid",
    /// The signature does not verify with the selected key.
    InvalidSignature => "invalid_signature",
    /// The token's algorithm is not in the caller's allowlist or does not fit the key.
    AlgorithmNotAllowed => "algorithm_not_allowed",
    /// No key matches the token's `kid` (or the algorithm, when there is no `kid`).
    KeyNotFound => "key_not_found",
    /// The input is not well-formed (encoding, structure, JSON).
    Malformed => "malformed",
    /// The `iss` claim does not match.
    InvalidIssuer => "invalid_issuer",
    /// The `aud` claim does not match.
    InvalidAudience => "invalid_audience",
    /// A required claim is absent.
    MissingClaim => "missing_claim",
    /// A claim is present but has the wrong type or value.
    InvalidClaim => "invalid_claim",
    /// An OpenID Connect ID token's `nonce` is absent or not the one the login flow sent.
    InvalidNonce => "invalid_nonce",
    /// A DPoP proof (RFC 9449) is missing, malformed, badly signed, replayed, outside its time
    /// window, or does not match the request or the access token's key binding.
    InvalidDpopProof => "invalid_dpop_proof",
    /// The server requires a DPoP `nonce` and the proof has none or a stale one: retry with
    /// the `DPoP-Nonce` the server sent (RFC 9449 section 8).
    UseDpopNonce => "use_dpop_nonce",
    /// The access token is bound to a client certificate (RFC 8705 `cnf.x5t#S256`) and the
    /// request presents no client certificate or another one.
    CertificateMismatch => "certificate_mismatch",
    /// The header lists a `crit` extension this library does not understand.
    UnsupportedCriticalHeader => "unsupported_critical_header",
    /// The token exceeds the configured size or nesting limits.
    TokenTooLarge => "token_too_large",
    /// A key could not be constructed or is too weak for its algorithm.
    InvalidKey => "invalid_key",
    // API keys.
    /// The API key does not have the expected shape.
    InvalidFormat => "invalid_format",
    /// The API key's embedded checksum does not match (a typo or a forgery).
    ChecksumMismatch => "checksum_mismatch",
    /// No stored key matches.
    UnknownKey => "unknown_key",
    /// The key or token has been revoked.
    Revoked => "revoked",
    // Authorization and policy.
    /// The credential lacks a required scope.
    InsufficientScope => "insufficient_scope",
    /// The caller exceeded its rate limit.
    RateLimited => "rate_limited",
    /// The client address is denied by policy.
    IpDenied => "ip_denied",
    /// The request carries no credential.
    MissingCredentials => "missing_credentials",
    /// The CSRF token of a session-authenticated request is absent or not the session's.
    InvalidCsrfToken => "invalid_csrf_token",
    // OAuth 2.0 token endpoint (RFC 6749 section 5.2) and transport.
    /// The grant (code, refresh token, credentials) is invalid, expired or revoked.
    InvalidGrant => "invalid_grant",
    /// Client authentication failed.
    InvalidClient => "invalid_client",
    /// The requested scope is invalid or exceeds what was granted.
    InvalidScope => "invalid_scope",
    /// The client may not use this grant type.
    UnauthorizedClient => "unauthorized_client",
    /// The server does not support this grant type.
    UnsupportedGrantType => "unsupported_grant_type",
    /// The user or the authorization server denied the authorization request (`error=access_denied`
    /// in the redirect, RFC 6749 section 4.1.2.1).
    AccessDenied => "access_denied",
    /// The authorization server needs the user to interact (OpenID Connect `login_required`,
    /// `consent_required`, `interaction_required`, `account_selection_required`).
    InteractionRequired => "interaction_required",
    /// The redirect's `state` is absent or not the one the login flow sent (a forged or
    /// mixed-up response, RFC 6749 section 10.12).
    InvalidState => "invalid_state",
    /// The request could not be sent or the connection failed.
    Network => "network",
    /// The peer did not answer in time.
    Timeout => "timeout",
    /// The peer answered with a server error (5xx or `server_error`).
    ServerError => "server_error",
    /// The peer's answer could not be understood or is out of bounds.
    InvalidResponse => "invalid_response",
    // Generic.
    /// An argument passed by the caller is invalid (empty secret, bad option value, …).
    InvalidInput => "invalid_input",
    /// The storage backend failed.
    Storage => "storage",
    /// An internal invariant failed; please report it.
    Internal => "internal",
}

impl ErrorCode {
    /// The HTTP status that best describes a refusal with this code (used by the gateway).
    pub const fn http_status(self) -> u16 {
        match self {
            ErrorCode::Malformed | ErrorCode::TokenTooLarge | ErrorCode::InvalidInput => 400,
            ErrorCode::InsufficientScope | ErrorCode::IpDenied | ErrorCode::InvalidCsrfToken => 403,
            ErrorCode::RateLimited => 429,
            ErrorCode::Network | ErrorCode::Timeout | ErrorCode::ServerError => 503,
            ErrorCode::InvalidResponse | ErrorCode::Storage | ErrorCode::Internal => 500,
            _ => 401,
        }
    }
}

/// The family an [`ErrorCode`] belongs to; bindings map it to an exception class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
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
    /// The stable snake_case name of the category.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCategory::Token => "token",
            ErrorCategory::Key => "key",
            ErrorCategory::ApiKey => "api_key",
            ErrorCategory::Authorization => "authorization",
            ErrorCategory::OAuth => "oauth",
            ErrorCategory::Transport => "transport",
            ErrorCategory::Input => "input",
            ErrorCategory::Internal => "internal",
        }
    }
}

impl ErrorCode {
    /// The family of this code.
    pub const fn category(self) -> ErrorCategory {
        use ErrorCode::*;
        match self {
            Expired
            | NotYetValid
            | InvalidSignature
            | AlgorithmNotAllowed
            | KeyNotFound
            | Malformed
            | InvalidIssuer
            | InvalidAudience
            | MissingClaim
            | InvalidClaim
            | InvalidNonce
            | InvalidDpopProof
            | UseDpopNonce
            | CertificateMismatch
            | UnsupportedCriticalHeader
            | TokenTooLarge
            | Revoked => ErrorCategory::Token,
            InvalidKey => ErrorCategory::Key,
            InvalidFormat | ChecksumMismatch | UnknownKey => ErrorCategory::ApiKey,
            InsufficientScope | RateLimited | IpDenied | MissingCredentials | InvalidCsrfToken => {
                ErrorCategory::Authorization
            }
            InvalidGrant | InvalidClient | InvalidScope | UnauthorizedClient
            | UnsupportedGrantType | AccessDenied | InteractionRequired | InvalidState => {
                ErrorCategory::OAuth
            }
            Network | Timeout | ServerError | InvalidResponse => ErrorCategory::Transport,
            InvalidInput => ErrorCategory::Input,
            Storage | Internal => ErrorCategory::Internal,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The underlying failure of an [`Error`]: shared, so `Error` stays `Clone + Send + Sync`.
type Source = Arc<dyn std::error::Error + Send + Sync + 'static>;

/// A tokenward failure: a stable [`ErrorCode`] plus a human-readable message, and the
/// underlying error (if any) as its [`source`](std::error::Error::source).
///
/// The message never contains secret material; it is safe to log and to show to developers
/// (not necessarily to end users: for HTTP answers use the code). `Display` and `Debug` show the
/// code and the message only. Two errors are equal when their code and message are: the source
/// is a diagnostic and takes no part in the comparison.
#[derive(Clone)]
pub struct Error {
    code: ErrorCode,
    message: Cow<'static, str>,
    source: Option<Source>,
}

impl Error {
    /// Creates an error. `message` must not contain secret material.
    pub fn new(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Error {
            code,
            message: message.into(),
            source: None,
        }
    }

    /// Attaches the underlying failure, returned by [`source`](std::error::Error::source).
    /// Like the message, `source` (its `Display`, `Debug` and its own chain) must not contain
    /// secret material: strip URLs (`reqwest::Error::without_url`) and inputs first.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The human-readable message (no secret material).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("code", &self.code.as_str())
            .field("message", &self.message)
            .finish()
    }
}

impl PartialEq for Error {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code && self.message == other.message
    }
}

impl Eq for Error {}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(s.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            assert_eq!(ErrorCode::parse(s), Some(*code));
        }
        assert_eq!(ErrorCode::parse("nope"), None);
    }

    #[test]
    fn display_has_code_then_message() {
        let e = Error::new(ErrorCode::Expired, "token expired");
        assert_eq!(e.to_string(), "expired: token expired");
        assert_eq!(e.code(), ErrorCode::Expired);
        assert_eq!(ErrorCode::RateLimited.http_status(), 429);
    }

    #[test]
    fn a_plain_refusal_has_no_source() {
        use std::error::Error as _;
        let e = Error::new(ErrorCode::Revoked, "the key has been revoked");
        assert!(e.source().is_none());
    }

    #[test]
    fn the_source_is_kept_through_clone_but_not_shown_or_compared() {
        use std::error::Error as _;
        fn shared<T: Clone + Send + Sync + 'static>(_: &T) {}
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "disk says no");
        let e = Error::new(ErrorCode::Storage, "cannot write").with_source(io);
        shared(&e);
        let copy = e.clone();
        let source = copy.source().map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("disk says no"));
        // Display/Debug unchanged: the code and the message only.
        assert_eq!(copy.to_string(), "storage: cannot write");
        assert!(!format!("{copy:?}").contains("disk says no"));
        assert_eq!(copy, Error::new(ErrorCode::Storage, "cannot write"));
    }
}
