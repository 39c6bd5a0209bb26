//! The session cookie as a credential kind: finding it beside the other credentials,
//! validating it with [`Sessions`], and the CSRF check of unsafe methods. Everything else
//! (address rules, revocation, scopes, rate limits, audit) is the common pipeline's.

use super::{Authenticator, Validated};
use crate::gateway::credentials::{cookie_value, CredentialSources, ExtractError, Found, Source};
use crate::gateway::decision::{BearerError, CredentialKind, Principal, Refusal};
use crate::gateway::Request;
use crate::jwt::Claims;
use crate::session::{Sessions, CSRF_HEADER};
use crate::{Error, ErrorCode, Result};

/// Methods that change nothing (RFC 9110 section 9.2.1): no CSRF token needed.
fn is_safe_method(method: &str) -> bool {
    ["GET", "HEAD", "OPTIONS", "TRACE"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method))
}

impl Authenticator {
    /// `invalid_input` when the session cookie's name is also the API-key cookie's.
    pub(super) fn check_sessions(
        sessions: Option<&Sessions>,
        sources: &CredentialSources,
    ) -> Result<()> {
        match (sessions, sources.cookie.as_deref()) {
            (Some(s), Some(c)) if s.cookie().name() == c => Err(Error::new(
                ErrorCode::InvalidInput,
                "the session cookie and the credential cookie must have different names",
            )),
            _ => Ok(()),
        }
    }

    /// Adds `cookie` and `x-csrf-token` to the headers read when sessions are configured.
    pub(super) fn session_header_names(enabled: bool, names: &mut Vec<String>) {
        if enabled {
            for h in ["cookie", CSRF_HEADER] {
                if !names.iter().any(|n| n == h) {
                    names.push(h.to_owned());
                }
            }
        }
    }

    /// The one credential of `req`: the configured sources, plus the session cookie when
    /// sessions are configured (two credentials, or the session cookie twice: `malformed`).
    pub(super) fn find_credential<'r>(
        &self,
        req: &Request<'r>,
    ) -> std::result::Result<Found<'r>, ExtractError> {
        let found = self.sources.extract(req.path, req.headers);
        let Some(sessions) = &self.sessions else {
            return found;
        };
        let name = sessions.cookie().name();
        let mut session = None;
        for &(h, value) in req.headers {
            if !h.eq_ignore_ascii_case("cookie") {
                continue;
            }
            if value.len() > self.sources.max_header_len {
                return Err(ExtractError::TooLarge);
            }
            for v in cookie_value(value, name) {
                if session.is_some() || v.is_empty() {
                    return Err(ExtractError::Malformed);
                }
                session = Some(v);
            }
        }
        match (found, session) {
            (Err(ExtractError::Missing), Some(value)) => Ok(Found {
                source: Source::SessionCookie,
                value,
            }),
            (Ok(_), Some(_)) => Err(ExtractError::Malformed),
            (other, _) => other,
        }
    }

    /// Validates session `id`: `Sessions::verify` (refused like any invalid credential, 401),
    /// then for an unsafe method the `X-CSRF-Token` header (403 `invalid_csrf_token`).
    pub(super) fn validate_session(
        &self,
        req: &Request<'_>,
        id: &str,
    ) -> std::result::Result<Validated, Refusal> {
        let ch = &self.challenger;
        let Some(sessions) = &self.sessions else {
            return Err(ch.bearer(ErrorCode::UnknownKey, BearerError::InvalidToken, &[]));
        };
        let record = sessions
            .verify(id)
            .map_err(|e| ch.bearer(e.code(), BearerError::InvalidToken, &[]))?;
        if !is_safe_method(req.method) {
            let mut tokens = req
                .headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(CSRF_HEADER))
                .map(|(_, v)| v.trim());
            let ok = match (tokens.next(), tokens.next()) {
                (Some(t), None) => sessions.verify_csrf(id, t).is_ok(),
                _ => false,
            };
            if !ok {
                return Err(Refusal {
                    code: ErrorCode::InvalidCsrfToken,
                    status: ErrorCode::InvalidCsrfToken.http_status(),
                    www_authenticate: None,
                    retry_after: None,
                    dpop_nonce: None,
                });
            }
        }
        let scopes = record
            .data
            .get("scope")
            .map(|s| s.split_ascii_whitespace().map(str::to_owned).collect())
            .unwrap_or_default();
        let plan = record.data.get("plan").cloned();
        Ok(Validated {
            principal: Principal {
                kind: CredentialKind::Session,
                subject: record.subject,
                key_id: Some(record.handle),
                scopes,
                claims: Claims::new(),
                rate_limit_remaining: None,
            },
            plan,
        })
    }
}
