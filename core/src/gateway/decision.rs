//! The two outcomes of [`Authenticator::authenticate`](super::Authenticator::authenticate): a
//! [`Principal`] or a [`Refusal`] with its HTTP status and RFC 6750 `WWW-Authenticate` value.

use std::time::Duration;

use crate::jwt::Claims;
use crate::ErrorCode;

/// How the caller authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredentialKind {
    /// A tokenward API key (`Authorization: Bearer`, `X-API-Key`, or an enabled query/cookie).
    ApiKey,
    /// A JWT verified by a `JwtVerifier`.
    Jwt,
    /// An opaque bearer token validated by RFC 7662 introspection.
    Introspected,
    /// A session cookie validated by `Sessions` (`AuthenticatorOptions::with_sessions`).
    Session,
}

impl CredentialKind {
    /// `api_key`, `jwt`, `introspected` or `session`.
    pub const fn as_str(self) -> &'static str {
        match self {
            CredentialKind::ApiKey => "api_key",
            CredentialKind::Jwt => "jwt",
            CredentialKind::Introspected => "introspected",
            CredentialKind::Session => "session",
        }
    }
}

/// An authenticated and authorized caller.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    /// The credential kind.
    pub kind: CredentialKind,
    /// The subject: the key owner, the JWT `sub` (empty when the token has none), or for an
    /// introspected token its `sub`, else its `client_id`, else empty.
    pub subject: String,
    /// The API key id, or the JWT's (or introspection answer's) `jti` when present.
    pub key_id: Option<String>,
    /// The scopes the credential carries.
    pub scopes: Vec<String>,
    /// The verified JWT claims, or the whole introspection answer (empty for API keys).
    pub claims: Claims,
    /// Requests left in the tightest applicable rate limit right now; `None` without limits.
    pub rate_limit_remaining: Option<u64>,
}

/// The RFC 6750 `error` attribute of a challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BearerError {
    /// `invalid_request`: malformed request, several credentials, oversize header (400).
    InvalidRequest,
    /// `invalid_token`: the credential is expired, revoked, malformed or unknown (401).
    InvalidToken,
    /// `insufficient_scope`: the credential lacks a required scope (403).
    InsufficientScope,
}

impl BearerError {
    /// The RFC 6750 error name.
    pub const fn as_str(self) -> &'static str {
        match self {
            BearerError::InvalidRequest => "invalid_request",
            BearerError::InvalidToken => "invalid_token",
            BearerError::InsufficientScope => "insufficient_scope",
        }
    }

    /// The fixed, non-revealing description sent to clients.
    pub const fn description(self) -> &'static str {
        match self {
            BearerError::InvalidRequest => "the request is malformed",
            BearerError::InvalidToken => "the access token is invalid",
            BearerError::InsufficientScope => "the access token lacks a required scope",
        }
    }
}

/// A refused request. Send `status`, `www_authenticate` and `retry_after` to the client; keep
/// `code` (the internal reason, e.g. `expired` vs `invalid_signature`) for logs: clients only
/// learn what RFC 6750 prescribes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The internal reason (a stable tokenward error code).
    pub code: ErrorCode,
    /// The HTTP status: 400, 401, 403 or 429; with introspection also 503 (the introspection
    /// endpoint failed) and 500 (an opaque token reached the synchronous entry point uncached,
    /// or introspection is misconfigured).
    pub status: u16,
    /// The `WWW-Authenticate` header value, for 400/401/403-scope refusals (none for 500/503).
    pub www_authenticate: Option<String>,
    /// How long to wait before retrying, for 429 (and a 503 of the introspection budget):
    /// whole seconds, rounded up, at least one, so that it is exactly what the `Retry-After`
    /// header says ([`Refusal::retry_after_seconds`]).
    pub retry_after: Option<Duration>,
    /// The `DPoP-Nonce` header value, with a `use_dpop_nonce` refusal (RFC 9449 section 9).
    pub dpop_nonce: Option<String>,
}

impl Refusal {
    /// The value of the `Retry-After` header: [`Refusal::retry_after`] in whole seconds.
    pub fn retry_after_seconds(&self) -> Option<u64> {
        self.retry_after.map(|d| d.as_secs())
    }

    /// The stable code string, e.g. `missing_credentials`.
    pub fn code_str(&self) -> &'static str {
        self.code.as_str()
    }

    /// What a client may be told: an error name and a fixed description that reveal no more
    /// than the status and challenge already do (never `expired` vs `invalid_signature`).
    /// Every adapter in every language answers with these, so clients see one vocabulary.
    pub fn public_error(&self) -> (&'static str, &'static str) {
        match (self.code, self.status) {
            (ErrorCode::MissingCredentials, _) => {
                ("missing_credentials", "the request carries no credential")
            }
            (ErrorCode::IpDenied, _) => ("ip_denied", "the client address is not allowed"),
            (ErrorCode::RateLimited, _) => ("rate_limited", "too many requests"),
            (ErrorCode::InvalidCsrfToken, _) => (
                "invalid_csrf_token",
                "the CSRF token is missing or not the session's",
            ),
            (ErrorCode::InvalidDpopProof, _) => ("invalid_dpop_proof", DPOP_INVALID),
            (ErrorCode::UseDpopNonce, _) => ("use_dpop_nonce", DPOP_NONCE),
            (_, 400) => pair(BearerError::InvalidRequest),
            (_, 401) => pair(BearerError::InvalidToken),
            (_, 403) => pair(BearerError::InsufficientScope),
            (_, 503) => (
                "temporarily_unavailable",
                "the credential cannot be checked now",
            ),
            _ => ("server_error", "the request cannot be authenticated"),
        }
    }

    /// The JSON response body: `{"error": …, "error_description": …}` from [`Self::public_error`].
    pub fn body_json(&self) -> String {
        let (error, description) = self.public_error();
        serde_json::json!({ "error": error, "error_description": description }).to_string()
    }
}

const DPOP_INVALID: &str = "the DPoP proof is not valid for this request";
const DPOP_NONCE: &str = "the DPoP proof needs the server's nonce";

impl Refusal {
    /// The same refusal with another status.
    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }
}

fn pair(e: BearerError) -> (&'static str, &'static str) {
    (e.as_str(), e.description())
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "request refused: {} ({})",
            self.code.as_str(),
            self.status
        )
    }
}

impl std::error::Error for Refusal {}

/// Builds refusals with a fixed realm.
#[derive(Debug, Clone)]
pub(crate) struct Challenger {
    /// `Bearer realm="…"`, escaped once at build time.
    bare: String,
}

/// Quotes `s` as an HTTP quoted-string (RFC 9110 section 5.6.4).
fn quote(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

impl Challenger {
    pub(crate) fn new(realm: &str) -> Self {
        let mut bare = String::from("Bearer realm=");
        quote(realm, &mut bare);
        Challenger { bare }
    }

    /// 401 without an error attribute (RFC 6750 section 3.1: no authentication information).
    pub(crate) fn missing(&self) -> Refusal {
        Refusal {
            code: ErrorCode::MissingCredentials,
            status: 401,
            www_authenticate: Some(self.bare.clone()),
            retry_after: None,
            dpop_nonce: None,
        }
    }

    /// A refusal carrying an RFC 6750 error.
    pub(crate) fn bearer(&self, code: ErrorCode, error: BearerError, scope: &[&str]) -> Refusal {
        let mut v = String::with_capacity(self.bare.len() + 96);
        v.push_str(&self.bare);
        v.push_str(", error=\"");
        v.push_str(error.as_str());
        v.push_str("\", error_description=\"");
        v.push_str(error.description());
        v.push('"');
        if !scope.is_empty() {
            v.push_str(", scope=");
            quote(&scope.join(" "), &mut v);
        }
        let status = match error {
            BearerError::InvalidRequest => 400,
            BearerError::InvalidToken => 401,
            BearerError::InsufficientScope => 403,
        };
        Refusal {
            code,
            status,
            www_authenticate: Some(v),
            retry_after: None,
            dpop_nonce: None,
        }
    }

    /// A refusal with a `DPoP` challenge (RFC 9449 section 7.1): `error="use_dpop_nonce"` (with
    /// `nonce` as `DPoP-Nonce`), `error="invalid_dpop_proof"`, or `error="invalid_request"` for
    /// a malformed request.
    pub(crate) fn dpop(&self, code: ErrorCode, nonce: Option<String>) -> Refusal {
        let (error, description) = match code {
            ErrorCode::UseDpopNonce => ("use_dpop_nonce", DPOP_NONCE),
            ErrorCode::InvalidDpopProof => ("invalid_dpop_proof", DPOP_INVALID),
            _ => pair(BearerError::InvalidRequest),
        };
        let realm = self.bare.strip_prefix("Bearer ").unwrap_or_default();
        Refusal {
            code,
            status: 401,
            www_authenticate: Some(format!(
                "DPoP {realm}, error=\"{error}\", error_description=\"{description}\""
            )),
            retry_after: None,
            dpop_nonce: nonce,
        }
    }

    /// 401 `invalid_token` for an access token that is not sender-constrained where only such
    /// tokens are accepted: a `DPoP` challenge when DPoP is accepted (RFC 9449 section 7.1, the
    /// client learns to use DPoP), else a `Bearer` one.
    pub(crate) fn unbound(&self, code: ErrorCode, dpop: bool) -> Refusal {
        if !dpop {
            return self.bearer(code, BearerError::InvalidToken, &[]);
        }
        let (error, description) = pair(BearerError::InvalidToken);
        let realm = self.bare.strip_prefix("Bearer ").unwrap_or_default();
        Refusal {
            code,
            status: 401,
            www_authenticate: Some(format!(
                "DPoP {realm}, error=\"{error}\", error_description=\"{description}\""
            )),
            retry_after: None,
            dpop_nonce: None,
        }
    }

    /// 403 for a denied client address (no challenge: no credential would help).
    pub(crate) fn ip_denied(&self) -> Refusal {
        Refusal {
            code: ErrorCode::IpDenied,
            status: 403,
            www_authenticate: None,
            retry_after: None,
            dpop_nonce: None,
        }
    }

    /// 429 with `Retry-After` in whole seconds (rounded up, at least 1).
    pub(crate) fn rate_limited(&self, retry_after: Duration) -> Refusal {
        let secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
        Refusal {
            code: ErrorCode::RateLimited,
            status: 429,
            www_authenticate: None,
            retry_after: Some(Duration::from_secs(secs.max(1))),
            dpop_nonce: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_follow_rfc6750() {
        let c = Challenger::new("api \"x\"");
        assert_eq!(
            c.missing().www_authenticate.unwrap(),
            r#"Bearer realm="api \"x\"""#
        );
        let r = c.bearer(
            ErrorCode::InsufficientScope,
            BearerError::InsufficientScope,
            &["read", "write"],
        );
        assert_eq!(r.status, 403);
        assert_eq!(
            r.www_authenticate.unwrap(),
            r#"Bearer realm="api \"x\"", error="insufficient_scope", error_description="the access token lacks a required scope", scope="read write""#
        );
        let r = c.rate_limited(Duration::from_millis(1500));
        assert_eq!(
            (r.status, r.retry_after, r.retry_after_seconds()),
            (429, Some(Duration::from_secs(2)), Some(2))
        );
        let r = c.rate_limited(Duration::from_millis(0));
        assert_eq!(r.retry_after, Some(Duration::from_secs(1)));
    }
}
