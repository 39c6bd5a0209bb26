//! Finding the one credential in a request.
//!
//! Sources, in the order they are looked at: `Authorization: Bearer <token>`, the API-key
//! header (`X-API-Key` by default), and — only when explicitly enabled — a query parameter and
//! a cookie. Outcomes:
//!
//! * none found (including an `Authorization` header with another scheme, such as `Basic`):
//!   `missing_credentials`, 401 with a bare `Bearer realm=…` challenge (RFC 6750 section 3.1);
//! * more than one (two sources, or a source repeated): `malformed`, 400 `invalid_request`
//!   (RFC 6750 section 2: one method per request);
//! * `Bearer` without a token or with characters outside RFC 6750's `b64token`: `malformed`,
//!   400 `invalid_request`;
//! * a value longer than the header cap: `token_too_large`, 400 `invalid_request`.

use crate::ErrorCode;

/// Where credentials may come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialSources {
    /// Accept `Authorization: Bearer` (default true).
    pub bearer: bool,
    /// The API-key header name, lower-case (default `x-api-key`); `None` disables it.
    pub api_key_header: Option<String>,
    /// A query parameter carrying an API key (default off: query strings end up in logs).
    pub query_param: Option<String>,
    /// A cookie carrying an API key or token (default off).
    pub cookie: Option<String>,
    /// Longest credential-bearing header value accepted, in bytes (default 8 KiB).
    pub max_header_len: usize,
}

/// Default cap on credential-bearing header values.
pub const DEFAULT_MAX_HEADER_LEN: usize = 8 * 1024;

/// The API-key header read unless configured otherwise.
pub const DEFAULT_API_KEY_HEADER: &str = "x-api-key";

impl Default for CredentialSources {
    fn default() -> Self {
        CredentialSources {
            bearer: true,
            api_key_header: Some(DEFAULT_API_KEY_HEADER.to_owned()),
            query_param: None,
            cookie: None,
            max_header_len: DEFAULT_MAX_HEADER_LEN,
        }
    }
}

/// Where a credential was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `Authorization: Bearer`.
    Bearer,
    /// The API-key header.
    ApiKeyHeader,
    /// The query parameter.
    Query,
    /// The cookie.
    Cookie,
    /// The session cookie (`AuthenticatorOptions::with_sessions`).
    SessionCookie,
}

/// The credential found in a request. `Debug` prints its source and length, not its value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Found<'a> {
    /// Its source.
    pub source: Source,
    /// The raw value (secret material: never log it).
    pub value: &'a str,
}

impl std::fmt::Debug for Found<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Found")
            .field("source", &self.source)
            .field(
                "value",
                &format_args!("[REDACTED {} bytes]", self.value.len()),
            )
            .finish()
    }
}

/// Why extraction failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtractError {
    /// No credential.
    Missing,
    /// Several credentials, or a malformed `Authorization` header.
    Malformed,
    /// A credential-bearing header over the cap.
    TooLarge,
}

impl ExtractError {
    /// The error code.
    pub const fn code(self) -> ErrorCode {
        match self {
            ExtractError::Missing => ErrorCode::MissingCredentials,
            ExtractError::Malformed => ErrorCode::Malformed,
            ExtractError::TooLarge => ErrorCode::TokenTooLarge,
        }
    }
}

/// RFC 6750 `b64token`: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
pub fn is_b64token(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
}

/// Whether `token` has the JWS compact shape: three base64url segments, a JSON-object header.
pub fn looks_like_jws(token: &str) -> bool {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let b64url = |x: &str| {
        x.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    h.starts_with("eyJ") && !p.is_empty() && b64url(h) && b64url(p) && b64url(s)
}

struct Acc<'a> {
    found: Option<Found<'a>>,
    error: Option<ExtractError>,
}

impl<'a> Acc<'a> {
    fn add(&mut self, f: Found<'a>) {
        if self.found.is_some() {
            self.fail(ExtractError::Malformed);
        } else {
            self.found = Some(f);
        }
    }

    fn fail(&mut self, e: ExtractError) {
        // The first failure wins, so the outcome does not depend on header order beyond it.
        self.error.get_or_insert(e);
    }
}

fn query_value<'a, 'n>(
    path: &'a str,
    name: &'n str,
) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
    let query = path.split_once('?').map_or("", |(_, q)| q);
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    query.split('&').filter_map(move |pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then_some(v)
    })
}

pub(crate) fn cookie_value<'a, 'n>(
    line: &'a str,
    name: &'n str,
) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
    line.split(';').filter_map(move |pair| {
        let (k, v) = pair.split_once('=')?;
        (k.trim() == name).then(|| {
            let v = v.trim();
            v.strip_prefix('"')
                .and_then(|x| x.strip_suffix('"'))
                .unwrap_or(v)
        })
    })
}

impl CredentialSources {
    /// The lower-case names of the headers [`CredentialSources::extract`] reads: a binding
    /// converts only these (other headers cannot change the outcome).
    pub fn header_names(&self) -> Vec<String> {
        let mut names = Vec::with_capacity(3);
        if self.bearer {
            names.push("authorization".to_owned());
        }
        names.extend(self.api_key_header.as_deref().map(str::to_ascii_lowercase));
        if self.cookie.is_some() {
            names.push("cookie".to_owned());
        }
        names
    }

    /// Finds the one credential among `headers` (name, value pairs; names compared
    /// case-insensitively) and, when enabled, the query string of `path`.
    pub fn extract<'a>(
        &self,
        path: &'a str,
        headers: &[(&'a str, &'a str)],
    ) -> Result<Found<'a>, ExtractError> {
        let mut acc = Acc {
            found: None,
            error: None,
        };
        let max = self.max_header_len;
        for &(name, value) in headers {
            if self.bearer && name.eq_ignore_ascii_case("authorization") {
                if value.len() > max {
                    acc.fail(ExtractError::TooLarge);
                    continue;
                }
                let v = value.trim_matches(|c| c == ' ' || c == '\t');
                let (scheme, rest) = v.split_once([' ', '\t']).unwrap_or((v, ""));
                if !scheme.eq_ignore_ascii_case("bearer") {
                    // Another scheme (Basic, Digest, …): not a credential of ours.
                    continue;
                }
                let token = rest.trim_start_matches([' ', '\t']);
                if !is_b64token(token) {
                    acc.fail(ExtractError::Malformed);
                    continue;
                }
                acc.add(Found {
                    source: Source::Bearer,
                    value: token,
                });
            } else if self
                .api_key_header
                .as_deref()
                .is_some_and(|h| name.eq_ignore_ascii_case(h))
            {
                if value.len() > max {
                    acc.fail(ExtractError::TooLarge);
                    continue;
                }
                let v = value.trim_matches(|c| c == ' ' || c == '\t');
                if v.is_empty() || v.contains([',', ' ', '\t']) {
                    acc.fail(ExtractError::Malformed);
                    continue;
                }
                acc.add(Found {
                    source: Source::ApiKeyHeader,
                    value: v,
                });
            } else if let Some(c) = self.cookie.as_deref() {
                if name.eq_ignore_ascii_case("cookie") {
                    if value.len() > max {
                        acc.fail(ExtractError::TooLarge);
                        continue;
                    }
                    for v in cookie_value(value, c) {
                        if v.is_empty() {
                            acc.fail(ExtractError::Malformed);
                        } else {
                            acc.add(Found {
                                source: Source::Cookie,
                                value: v,
                            });
                        }
                    }
                }
            }
        }
        if let Some(q) = self.query_param.as_deref() {
            if path.len() > max {
                acc.fail(ExtractError::TooLarge);
            } else {
                for v in query_value(path, q) {
                    if v.is_empty() || v.contains('%') {
                        // Keys and tokens never need percent-encoding.
                        acc.fail(ExtractError::Malformed);
                    } else {
                        acc.add(Found {
                            source: Source::Query,
                            value: v,
                        });
                    }
                }
            }
        }
        match (acc.error, acc.found) {
            (Some(e), _) => Err(e),
            (None, Some(f)) => Ok(f),
            (None, None) => Err(ExtractError::Missing),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> CredentialSources {
        CredentialSources {
            query_param: Some("api_key".into()),
            cookie: Some("tw_session".into()),
            ..Default::default()
        }
    }

    #[test]
    fn sources() {
        let s = CredentialSources::default();
        let f = s
            .extract("/", &[("AUTHORIZATION", "bEaReR  abc.def")])
            .unwrap();
        assert_eq!((f.source, f.value), (Source::Bearer, "abc.def"));
        let f = s.extract("/", &[("X-Api-Key", " k1 ")]).unwrap();
        assert_eq!((f.source, f.value), (Source::ApiKeyHeader, "k1"));
        // Query and cookie are off by default.
        assert_eq!(
            s.extract("/?api_key=k", &[("cookie", "tw_session=k")]),
            Err(ExtractError::Missing)
        );
        let a = all();
        let f = a.extract("/x?a=1&api_key=k2#frag", &[]).unwrap();
        assert_eq!((f.source, f.value), (Source::Query, "k2"));
        let f = a
            .extract("/", &[("Cookie", "a=b; tw_session=\"k3\"")])
            .unwrap();
        assert_eq!((f.source, f.value), (Source::Cookie, "k3"));
    }

    #[test]
    fn defined_failures() {
        let s = all();
        let m = Err(ExtractError::Malformed);
        assert_eq!(s.extract("/", &[("authorization", "Bearer")]), m);
        assert_eq!(s.extract("/", &[("authorization", "Bearer a b")]), m);
        assert_eq!(s.extract("/", &[("authorization", "Bearer a=b")]), m);
        assert_eq!(
            s.extract("/", &[("authorization", "Bearer a"), ("x-api-key", "b")]),
            m
        );
        assert_eq!(
            s.extract(
                "/",
                &[("authorization", "Bearer a"), ("authorization", "Bearer a")]
            ),
            m
        );
        assert_eq!(s.extract("/?api_key=a", &[("x-api-key", "b")]), m);
        assert_eq!(s.extract("/?api_key=a&api_key=a", &[]), m);
        assert_eq!(s.extract("/", &[("x-api-key", "a, b")]), m);
        assert_eq!(
            s.extract("/", &[("authorization", "Basic dXNlcjpwYXNz")]),
            Err(ExtractError::Missing)
        );
        let big = format!("Bearer {}", "a".repeat(DEFAULT_MAX_HEADER_LEN));
        assert_eq!(
            s.extract("/", &[("authorization", &big)]),
            Err(ExtractError::TooLarge)
        );
        // Padding is allowed at the end only.
        assert!(s.extract("/", &[("authorization", "Bearer abc==")]).is_ok());
    }

    #[test]
    fn jws_shape() {
        assert!(looks_like_jws("eyJhbGciOi.eyJzdWIi.c2ln"));
        assert!(looks_like_jws("eyJhbGciOi.eyJzdWIi."));
        assert!(!looks_like_jws("eyJhbGciOi.eyJzdWIi"));
        assert!(!looks_like_jws("a.b.c"));
        assert!(!looks_like_jws("eyJ.x.y.z"));
        assert!(!looks_like_jws("tw_test_abc"));
    }
}
