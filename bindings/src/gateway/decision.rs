//! `CredentialKind`, `Principal`, `Refusal`, `AuthDecision` (core `gateway::decision`).

use std::time::Duration;

use tokenward::gateway as core;

use crate::error::ErrorCode;

/// How the caller authenticated.
#[derive(uniffi::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    /// A tokenward API key.
    ApiKey,
    /// A JWT.
    Jwt,
    /// An opaque bearer token validated by OAuth introspection (RFC 7662).
    Introspected,
    /// A session cookie (`Sessions`).
    Session,
}

/// An authenticated and authorized caller.
#[derive(uniffi::Record, Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The credential kind.
    pub kind: CredentialKind,
    /// The key owner or the JWT `sub` (empty when the token has none).
    pub subject: String,
    /// The API key id, or the JWT `jti` when present.
    pub key_id: Option<String>,
    /// The scopes the credential carries.
    pub scopes: Vec<String>,
    /// The verified JWT claims as a JSON object (`{}` for API keys).
    pub claims_json: String,
    /// Requests left in the tightest applicable rate limit; `None` without limits.
    pub rate_limit_remaining: Option<u64>,
}

impl From<core::Principal> for Principal {
    fn from(p: core::Principal) -> Self {
        Principal {
            kind: match p.kind {
                core::CredentialKind::ApiKey => CredentialKind::ApiKey,
                core::CredentialKind::Jwt => CredentialKind::Jwt,
                core::CredentialKind::Introspected => CredentialKind::Introspected,
                core::CredentialKind::Session => CredentialKind::Session,
            },
            subject: p.subject,
            key_id: p.key_id,
            scopes: p.scopes,
            claims_json: p.claims.to_json(),
            rate_limit_remaining: p.rate_limit_remaining,
        }
    }
}

/// A refused request. Send `status`, `www_authenticate` and `retry_after` to the client; keep
/// `code` (the internal reason, e.g. `expired` vs `invalid_signature`) for logs.
#[derive(uniffi::Record, Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The internal reason (`MISSING_CREDENTIALS`, `EXPIRED`, `RATE_LIMITED`, …); its stable
    /// string is `code.asString()` (Kotlin) / `code.description` (Swift).
    pub code: ErrorCode,
    /// The HTTP status: 400, 401, 403 or 429.
    pub status: u16,
    /// The `WWW-Authenticate` header value (RFC 6750), for 400/401 and scope refusals.
    pub www_authenticate: Option<String>,
    /// How long the client should wait (`Retry-After`, whole seconds), for 429 and 503.
    pub retry_after: Option<Duration>,
    /// What a client may be told (e.g. `invalid_token`): the same name in every language.
    pub error: String,
    /// A fixed description of `error` that reveals nothing beyond it.
    pub error_description: String,
    /// The `DPoP-Nonce` header value of a `USE_DPOP_NONCE` refusal.
    pub dpop_nonce: Option<String>,
}

impl From<core::Refusal> for Refusal {
    fn from(r: core::Refusal) -> Self {
        let (error, description) = r.public_error();
        Refusal {
            error: error.to_owned(),
            error_description: description.to_owned(),
            code: r.code.into(),
            status: r.status,
            www_authenticate: r.www_authenticate,
            retry_after: r.retry_after,
            dpop_nonce: r.dpop_nonce,
        }
    }
}

/// The outcome of `authenticate`.
#[derive(uniffi::Enum, Debug, Clone, PartialEq, Eq)]
pub enum AuthDecision {
    /// The request may proceed as `principal`.
    Allowed {
        /// The authenticated caller.
        principal: Principal,
    },
    /// The request is refused; answer with the refusal's status and headers.
    Refused {
        /// Why, and what to send.
        refusal: Refusal,
    },
}
