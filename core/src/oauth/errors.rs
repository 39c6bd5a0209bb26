//! Mapping of token-endpoint answers to error codes (RFC 6749 section 5.2).

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde_json::{Map, Value};

use crate::http::HttpResponse;
use crate::{Error, ErrorCode};

/// A failed token request plus the server's `Retry-After`, which the refresh scheduler
/// honours.
#[derive(Debug, Clone)]
pub struct Failure {
    /// What failed.
    pub error: Error,
    /// How long the server asked to wait before retrying (429/503 `Retry-After`).
    pub retry_after: Option<Duration>,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure {
            error,
            retry_after: None,
        }
    }
}

/// The `error` values a server may send that tokenward repeats in messages: RFC 6749 sections
/// 4.1.2.1 and 5.2, RFC 6750 section 3.1, RFC 7009 section 2.2.1, RFC 8628 section 3.5
/// (RFC 7662 adds none), RFC 9449 section 5 (DPoP) and OpenID Connect Core section 3.1.2.6.
/// Anything else is server-chosen text that could carry request material or a secret, and is
/// reported as [`UNRECOGNIZED`].
pub(crate) const KNOWN_ERRORS: [&str; 22] = [
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
    "access_denied",
    "unsupported_response_type",
    "server_error",
    "temporarily_unavailable",
    "invalid_token",
    "insufficient_scope",
    "unsupported_token_type",
    "authorization_pending",
    "slow_down",
    "expired_token",
    "login_required",
    "consent_required",
    "interaction_required",
    "account_selection_required",
    "invalid_dpop_proof",
    "use_dpop_nonce",
];

/// What an `error` value outside [`KNOWN_ERRORS`] is reported as.
pub(crate) const UNRECOGNIZED: &str = "unrecognized";

/// The server's `error` value when it is in the known vocabulary, else [`UNRECOGNIZED`].
pub(crate) fn known_error(error: &str) -> &'static str {
    KNOWN_ERRORS
        .iter()
        .copied()
        .find(|known| *known == error)
        .unwrap_or(UNRECOGNIZED)
}

/// The code for an RFC 6749 `error` value.
pub(crate) fn code_for(error: &str) -> ErrorCode {
    match error {
        "invalid_grant" => ErrorCode::InvalidGrant,
        "invalid_client" => ErrorCode::InvalidClient,
        "invalid_scope" => ErrorCode::InvalidScope,
        "unauthorized_client" => ErrorCode::UnauthorizedClient,
        "unsupported_grant_type" => ErrorCode::UnsupportedGrantType,
        "invalid_request" | "unsupported_token_type" => ErrorCode::InvalidInput,
        "server_error" | "temporarily_unavailable" => ErrorCode::ServerError,
        "slow_down" => ErrorCode::RateLimited,
        "invalid_dpop_proof" => ErrorCode::InvalidDpopProof,
        "use_dpop_nonce" => ErrorCode::UseDpopNonce,
        _ => ErrorCode::InvalidResponse,
    }
}

/// `Retry-After` in delta-seconds (HTTP dates are ignored), capped at one hour.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    let secs = value.trim().parse::<u64>().ok()?;
    Some(Duration::from_secs(secs.min(3600)))
}

/// Parses a JSON object body (16 levels at most).
pub(crate) fn json_object(body: &[u8]) -> Result<Map<String, Value>, Error> {
    crate::json::parse_object(body, 16, "not a JSON object").map_err(|_| {
        Error::new(
            ErrorCode::InvalidResponse,
            "the response is not a JSON object",
        )
    })
}

/// Turns a non-2xx answer into a [`Failure`]. Only the server's `error` code is kept: the
/// `error_description` is free text that could echo request material, so it is dropped.
pub(crate) fn failure(response: &HttpResponse) -> Failure {
    let retry_after = retry_after(&response.headers);
    let status = response.status;
    // Only the known vocabulary is repeated; any other string becomes `unrecognized`.
    let oauth_error = json_object(&response.body)
        .ok()
        .and_then(|map| match map.get("error") {
            Some(Value::String(e)) => Some(known_error(e)),
            _ => None,
        });
    let error = match (status, oauth_error) {
        (429, _) => Error::new(ErrorCode::RateLimited, "the server is rate limiting (429)"),
        (500..=599, _) => Error::new(
            ErrorCode::ServerError,
            format!("the server answered {status}"),
        ),
        (_, Some(e)) => Error::new(
            code_for(e),
            format!("the server refused the request: {e} (HTTP {status})"),
        ),
        (_, None) => Error::new(
            ErrorCode::InvalidResponse,
            format!("the server answered {status} without an OAuth error"),
        ),
    };
    response.span.fail(error.code());
    Failure { error, retry_after }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: HeaderMap::new(),
            body: body.as_bytes().to_vec().into(),
            span: Default::default(),
        }
    }

    #[test]
    fn maps_rfc6749_errors() {
        for (e, code) in [
            ("invalid_grant", "invalid_grant"),
            ("invalid_client", "invalid_client"),
            ("invalid_scope", "invalid_scope"),
            ("unauthorized_client", "unauthorized_client"),
            ("unsupported_grant_type", "unsupported_grant_type"),
            ("invalid_request", "invalid_input"),
            ("invalid_dpop_proof", "invalid_dpop_proof"),
            ("use_dpop_nonce", "use_dpop_nonce"),
            ("something_else", "invalid_response"),
        ] {
            let f = failure(&resp(
                400,
                &format!(r#"{{"error":"{e}","error_description":"tok_SECRET"}}"#),
            ));
            assert_eq!(f.error.code().as_str(), code);
            assert!(!f.error.message().contains("tok_SECRET"));
        }
        assert_eq!(
            failure(&resp(503, "oops")).error.code(),
            ErrorCode::ServerError
        );
        assert_eq!(
            failure(&resp(404, "<html>")).error.code(),
            ErrorCode::InvalidResponse
        );
    }

    #[test]
    fn unknown_error_strings_are_not_echoed() {
        let hostile = "tok_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0";
        let f = failure(&resp(400, &format!(r#"{{"error":"{hostile}"}}"#)));
        assert_eq!(f.error.code(), ErrorCode::InvalidResponse);
        assert!(
            !f.error.message().contains("tok_live"),
            "{}",
            f.error.message()
        );
        assert!(
            f.error.message().contains(UNRECOGNIZED),
            "{}",
            f.error.message()
        );
        let f = failure(&resp(400, r#"{"error":"invalid_grant"}"#));
        assert!(f.error.message().contains("invalid_grant"));
        let f = failure(&resp(400, r#"{"error":"expired_token"}"#));
        assert!(f.error.message().contains("expired_token"));
    }

    #[test]
    fn reads_retry_after_seconds() {
        let mut r = resp(429, "");
        r.headers.insert(RETRY_AFTER, "7".parse().unwrap());
        let f = failure(&r);
        assert_eq!(f.error.code(), ErrorCode::RateLimited);
        assert_eq!(f.retry_after, Some(Duration::from_secs(7)));
    }
}
