//! Parsing of authorization-server answers: token responses (RFC 6749 §5.1), introspection
//! answers (RFC 7662), error answers (§5.2, with `Retry-After`) and discovery documents
//! (RFC 8414 / OIDC). Never panics; accepted answers satisfy the documented bounds; the
//! token response's `Debug`/`Display` never show a token; an error answer's message never
//! echoes a server-chosen `error` string outside the registered vocabulary.
//!
//! Input: byte 0 picks the parser, bytes 1-2 the HTTP status, byte 3 the length of a
//! `Retry-After` value that follows, then the body.
#![no_main]

use std::time::{Duration, SystemTime};

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tokenward::__fuzz as hook;
use tokenward::oauth::{
    Introspection, OAuthClient, OAuthClientOptions, ServerMetadata, TokenResponse, MAX_EXPIRES_IN,
};

/// The registered OAuth error codes (RFC 6749, 7009, 8628, 6750).
const RFC_ERRORS: [&str; 16] = [
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
];

fuzz_target!(|data: &[u8]| {
    let [mode, s1, s2, hlen, rest @ ..] = data else {
        return;
    };
    let hlen = usize::from(*hlen % 16).min(rest.len());
    let (retry_after, body) = rest.split_at(hlen);
    let status = u16::from_be_bytes([*s1, *s2]) % 600;
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    match mode % 4 {
        0 => {
            let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
            let requested = vec!["read".to_owned(), "write".to_owned()];
            let Ok(resp) = TokenResponse::parse(body, now, &requested) else {
                return;
            };
            let token = resp.access_token.expose().to_owned();
            assert!(!token.is_empty());
            if let Some(d) = resp.expires_in {
                assert!(d > Duration::ZERO && d <= MAX_EXPIRES_IN);
                assert_eq!(resp.access_token.expires_at(), now.checked_add(d));
            }
            // Debug/Display must not print a token: the token text occurs in them exactly as
            // often as it does when every token is replaced by a placeholder (the other fields,
            // printed as they are, may legitimately contain the same text).
            let Some(Value::Object(mut map)) = parsed.clone() else {
                panic!("a token response serde does not read as an object");
            };
            for name in ["access_token", "refresh_token", "id_token"] {
                if let Some(Value::String(s)) = map.get_mut(name) {
                    if !s.is_empty() {
                        *s = "#".repeat(s.chars().count());
                    }
                }
            }
            let body2 = serde_json::to_vec(&map).unwrap_or_default();
            let Ok(placeholder) = TokenResponse::parse(&body2, now, &requested) else {
                panic!("the placeholder response does not parse");
            };
            let printed = |r: &TokenResponse| format!("{r:?} {}", r.access_token);
            let (real, fake) = (printed(&resp), printed(&placeholder));
            let secrets = [
                Some(token.as_str()),
                resp.refresh_token.as_ref().map(|s| s.expose()),
                resp.id_token.as_ref().map(|s| s.expose()),
            ];
            for secret in secrets.into_iter().flatten() {
                if secret.len() >= 12 {
                    assert_eq!(
                        real.matches(secret).count(),
                        fake.matches(secret).count(),
                        "Debug or Display shows a token"
                    );
                }
            }
        }
        1 => {
            let Ok(answer) = Introspection::parse(body) else {
                return;
            };
            let Some(Value::Object(map)) = &parsed else {
                panic!("introspection accepted a body serde does not read as an object");
            };
            assert_eq!(map.get("active"), Some(&Value::Bool(answer.active)));
            assert_eq!(answer.claims.len(), map.len());
        }
        2 => {
            let headers: Vec<(&str, &str)> = match std::str::from_utf8(retry_after) {
                Ok(v) => vec![("retry-after", v)],
                Err(_) => Vec::new(),
            };
            let (code, message, retry) = hook::oauth_failure(status, &headers, body);
            let _ = code.as_str();
            assert!(message.len() <= 200, "message of {} bytes", message.len());
            // A server-chosen `error` outside the RFC 6749/7009/8628 vocabulary is never
            // echoed: the message holds it exactly as often as with a placeholder instead.
            if let Some(Value::Object(mut map)) = parsed.clone() {
                if let Some(Value::String(e)) = map.get("error").cloned() {
                    if e.len() >= 4 && !RFC_ERRORS.contains(&e.as_str()) {
                        map.insert("error".into(), Value::String("~".repeat(e.len())));
                        let body2 = serde_json::to_vec(&map).unwrap_or_default();
                        let (_, message2, _) = hook::oauth_failure(status, &headers, &body2);
                        assert_eq!(
                            message.matches(e.as_str()).count(),
                            message2.matches(e.as_str()).count(),
                            "the server's error string is echoed: {message}"
                        );
                    }
                }
            }
            if let Some(r) = retry {
                assert!(r <= Duration::from_secs(3600));
            }
        }
        _ => {
            let Some(Value::Object(doc)) = parsed else {
                return;
            };
            let issuer = std::str::from_utf8(retry_after).unwrap_or("https://as.example");
            if let Ok(meta) = ServerMetadata::from_document(&doc, issuer) {
                assert_eq!(
                    meta.issuer.trim_end_matches('/'),
                    issuer.trim_end_matches('/')
                );
                let _ = OAuthClient::from_metadata(&meta, "client-1", OAuthClientOptions::default());
            }
        }
    }
});
