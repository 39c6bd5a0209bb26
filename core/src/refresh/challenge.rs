//! When an HTTP client hook should refresh the token and retry: the rule every language's hook
//! (Python `httpx`/`requests`, Node `fetch`/axios, Kotlin OkHttp, Swift `URLSession`) asks here,
//! so that they all retry on exactly the same answers.
//!
//! A resource server says "this token is no longer good" with `401` and, per RFC 6750 §3, a
//! `WWW-Authenticate: Bearer error="invalid_token"` challenge (RFC 9449 uses the same error for
//! `DPoP`). Many servers send a bare `401` for an expired token, so a `401` without a Bearer or
//! DPoP error counts too. Errors a new token cannot fix (`invalid_request`,
//! `insufficient_scope`, `use_dpop_nonce`), other statuses, and a `401` that only offers other
//! schemes (`Basic`) do not. The header is the server's: parsing is linear, bounded and never
//! fails (anything unreadable is simply not a recognised challenge).

/// Longest header read; the rest is ignored (a challenge that matters comes first).
const MAX_HEADER_LEN: usize = 8 * 1024;

/// Whether a response with `status` and the (comma-joined) `WWW-Authenticate` header values
/// means that the access token sent was rejected, so that one refresh and one retry may help.
///
/// ```
/// use tokenward::refresh::token_rejected;
/// assert!(token_rejected(401, Some(r#"Bearer realm="api", error="invalid_token""#)));
/// assert!(token_rejected(401, None));
/// assert!(!token_rejected(401, Some(r#"Bearer error="insufficient_scope""#)));
/// assert!(!token_rejected(403, None));
/// ```
pub fn token_rejected(status: u16, www_authenticate: Option<&str>) -> bool {
    if status != 401 {
        return false;
    }
    let Some(header) = www_authenticate.map(str::trim).filter(|h| !h.is_empty()) else {
        return true;
    };
    let header = truncate(header, MAX_HEADER_LEN);
    let mut token_scheme_seen = false;
    for challenge in challenges(header) {
        if challenge.scheme.eq_ignore_ascii_case("bearer")
            || challenge.scheme.eq_ignore_ascii_case("dpop")
        {
            token_scheme_seen = true;
            match challenge.error {
                None => {}
                Some(e) if e == "invalid_token" => return true,
                Some(_) => return false,
            }
        }
    }
    // A Bearer/DPoP challenge without an error: the server did not accept the token it got.
    token_scheme_seen
}

/// What an HTTP client hook does with an answer to a request it authorized: see
/// [`retry_action`]. Every hook retries at most once per request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryAction {
    /// Hand the answer back as it is. (Not `None`, which reads as a missing value next to
    /// `Option` in Swift and Kotlin.)
    NoRetry,
    /// The token was rejected: refresh it and send the request once more.
    RefreshAndRetry,
    /// A DPoP resource server asks for a nonce (RFC 9449 section 9): send the request once
    /// more with a new proof carrying this nonce (same token).
    RetryWithNonce(String),
}

/// What a hook does with an answer `status` whose `WWW-Authenticate` values (comma-joined)
/// and `DPoP-Nonce` header are given: a `401` with a DPoP `error="use_dpop_nonce"` challenge
/// and a valid nonce is [`RetryAction::RetryWithNonce`]; a rejected token
/// ([`token_rejected`]) is [`RetryAction::RefreshAndRetry`]; anything else
/// [`RetryAction::NoRetry`].
///
/// ```
/// use tokenward::refresh::{retry_action, RetryAction};
/// let challenge = Some(r#"DPoP error="use_dpop_nonce", algs="ES256""#);
/// assert_eq!(
///     retry_action(401, challenge, Some("n-1")),
///     RetryAction::RetryWithNonce("n-1".into())
/// );
/// assert_eq!(retry_action(401, challenge, None), RetryAction::NoRetry);
/// assert_eq!(retry_action(401, None, None), RetryAction::RefreshAndRetry);
/// assert_eq!(retry_action(200, None, Some("n-1")), RetryAction::NoRetry);
/// ```
pub fn retry_action(
    status: u16,
    www_authenticate: Option<&str>,
    dpop_nonce: Option<&str>,
) -> RetryAction {
    if status != 401 {
        return RetryAction::NoRetry;
    }
    let header = www_authenticate.map(|h| truncate(h.trim(), MAX_HEADER_LEN));
    let asks_nonce = header.is_some_and(|h| {
        challenges(h).iter().any(|c| {
            c.scheme.eq_ignore_ascii_case("dpop") && c.error.as_deref() == Some("use_dpop_nonce")
        })
    });
    if asks_nonce {
        return match dpop_nonce.map(str::trim) {
            Some(n) if crate::dpop::is_valid_nonce(n) => RetryAction::RetryWithNonce(n.to_owned()),
            _ => RetryAction::NoRetry,
        };
    }
    if token_rejected(status, www_authenticate) {
        RetryAction::RefreshAndRetry
    } else {
        RetryAction::NoRetry
    }
}

/// At most `max` bytes of `s`, cut at a character boundary.
fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// One challenge: its scheme and, when present, its `error` parameter (unquoted).
struct Challenge<'a> {
    scheme: &'a str,
    error: Option<String>,
}

/// The challenges of a `WWW-Authenticate` value (RFC 9110 §11.6.1): `scheme [token68 |
/// param=value, …]`, challenges separated by commas. A new challenge starts where a bare
/// token is followed by a space and is not itself a parameter.
fn challenges(header: &str) -> Vec<Challenge<'_>> {
    let mut out: Vec<Challenge<'_>> = Vec::new();
    let mut rest = header;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return out;
        }
        let name_end = rest.find(['=', ',', ' ', '\t']).unwrap_or(rest.len());
        let name = &rest[..name_end];
        let after = rest[name_end..].trim_start_matches([' ', '\t']);
        if let Some(value_part) = after.strip_prefix('=') {
            if value_part.starts_with('=') || value_part.is_empty() {
                // token68 padding (`abc==`) or an empty value: skip to the next comma.
                rest = skip_to_comma(value_part);
                continue;
            }
            let (value, next) = param_value(value_part.trim_start_matches([' ', '\t']));
            if name.eq_ignore_ascii_case("error") {
                if let Some(current) = out.last_mut() {
                    current.error.get_or_insert(value);
                }
            }
            rest = next;
        } else {
            // A bare token: a new scheme (its token68 or parameters follow).
            out.push(Challenge {
                scheme: name,
                error: None,
            });
            rest = &rest[name_end..];
        }
    }
}

/// A parameter value (a token or a quoted string with `\` escapes) and what follows it.
fn param_value(s: &str) -> (String, &str) {
    if let Some(quoted) = s.strip_prefix('"') {
        let mut value = String::new();
        let mut chars = quoted.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => return (value, &quoted[i + 1..]),
                '\\' => {
                    if let Some((_, escaped)) = chars.next() {
                        value.push(escaped);
                    }
                }
                _ => value.push(c),
            }
        }
        return (value, "");
    }
    let end = s.find([',', ' ', '\t']).unwrap_or(s.len());
    (s[..end].to_owned(), &s[end..])
}

fn skip_to_comma(s: &str) -> &str {
    s.find(',').map_or("", |i| &s[i..])
}

#[cfg(test)]
mod tests {
    use super::{retry_action, token_rejected, RetryAction};

    #[test]
    fn retry_action_picks_nonce_refresh_or_nothing() {
        let nonce = r#"DPoP error="use_dpop_nonce", error_description="send a nonce""#;
        assert_eq!(
            retry_action(401, Some(nonce), Some("abc")),
            RetryAction::RetryWithNonce("abc".into())
        );
        assert_eq!(
            retry_action(
                401,
                Some(&format!("Bearer realm=\"x\", {nonce}")),
                Some("abc")
            ),
            RetryAction::RetryWithNonce("abc".into())
        );
        // Without a usable nonce there is nothing to retry with.
        for n in [None, Some(""), Some("a b"), Some("q\"uote")] {
            assert_eq!(
                retry_action(401, Some(nonce), n),
                RetryAction::NoRetry,
                "{n:?}"
            );
        }
        // A Bearer challenge cannot ask for a DPoP nonce.
        assert_eq!(
            retry_action(401, Some(r#"Bearer error="use_dpop_nonce""#), Some("abc")),
            RetryAction::NoRetry
        );
        assert_eq!(
            retry_action(401, Some(r#"DPoP error="invalid_token""#), Some("abc")),
            RetryAction::RefreshAndRetry
        );
        assert_eq!(retry_action(401, None, None), RetryAction::RefreshAndRetry);
        assert_eq!(
            retry_action(401, Some(r#"DPoP error="invalid_dpop_proof""#), Some("n")),
            RetryAction::NoRetry
        );
        for status in [200, 400, 403, 500] {
            assert_eq!(
                retry_action(status, Some(nonce), Some("abc")),
                RetryAction::NoRetry
            );
        }
    }

    #[test]
    fn invalid_token_is_a_rejection() {
        for h in [
            r#"Bearer error="invalid_token""#,
            r#"Bearer realm="example", error="invalid_token", error_description="The access token expired""#,
            r#"bearer error=invalid_token"#,
            r#"DPoP algs="ES256", error="invalid_token""#,
            r#"Basic realm="x", Bearer error="invalid_token""#,
            r#"Bearer realm="a, error=\"insufficient_scope\"", error="invalid_token""#,
            "Bearer",
            r#"Bearer realm="api""#,
        ] {
            assert!(token_rejected(401, Some(h)), "{h}");
        }
        assert!(token_rejected(401, None));
        assert!(token_rejected(401, Some("  ")));
    }

    #[test]
    fn what_a_new_token_cannot_fix_is_not() {
        for h in [
            r#"Bearer error="insufficient_scope", scope="admin""#,
            r#"Bearer error="invalid_request""#,
            r#"DPoP error="use_dpop_nonce""#,
            r#"Basic realm="x""#,
            "Negotiate abc==",
        ] {
            assert!(!token_rejected(401, Some(h)), "{h}");
        }
        for status in [200, 400, 403, 404, 407, 500] {
            assert!(!token_rejected(status, None), "{status}");
            assert!(!token_rejected(
                status,
                Some(r#"Bearer error="invalid_token""#)
            ));
        }
    }

    #[test]
    fn hostile_headers_neither_panic_nor_hang() {
        let long = "Bearer ".to_owned() + &"a=\"b\", ".repeat(100_000);
        assert!(token_rejected(401, Some(&long)));
        for h in [
            "\"",
            "=",
            "==",
            ",,,",
            "Bearer =",
            "Bearer error=",
            "Bearer error=\"",
            "Bearer error=\"\\",
            "é=é, ü",
            "Bearer error=\"invalid_token",
        ] {
            let _ = token_rejected(401, Some(h));
        }
        // An unterminated quote still reads as the value it holds.
        assert!(token_rejected(401, Some("Bearer error=\"invalid_token")));
    }
}
