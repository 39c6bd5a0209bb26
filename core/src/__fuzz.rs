//! Entry points for the cargo-fuzz targets in `fuzz/`: thin wrappers around crate-internal
//! parsers (the fast base64url decoder, the payload scanner, the strict JSON parser, the OAuth
//! error mapping, trusted-proxy resolution). Hidden from the docs and not a stable API.

use std::net::IpAddr;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::gateway::ip::{CidrSet, ForwardedHeader, TrustedProxies};
use crate::jwt::{fuzz_hooks as jwt, Claims, ClaimsBuilder};
use crate::{Error, ErrorCode};

/// The fast decoder into a growable buffer (`verify`'s payload path).
pub fn b64_decode_into(segment: &[u8], out: &mut Vec<u8>) -> bool {
    jwt::b64_decode_into(segment, out, "fuzz").is_ok()
}

/// The fast decoder into a slice of exactly [`b64_decoded_len`] bytes (`verify`'s signature
/// path).
pub fn b64_decode_to_slice(segment: &[u8], out: &mut [u8]) -> bool {
    jwt::b64_decode_to_slice(segment, out, "fuzz").is_ok()
}

/// The decoded length of a segment, `None` when no canonical encoding has that length.
pub fn b64_decoded_len(segment: &[u8]) -> Option<usize> {
    jwt::b64_decoded_len(segment)
}

/// The allocating decoder (`verify`'s header path, `decode_unverified`).
pub fn b64_decode(segment: &[u8]) -> Option<Vec<u8>> {
    jwt::b64_decode(segment, "fuzz").ok()
}

/// The payload scanner building [`Claims`] (what `verify` returns).
pub fn scan_claims(bytes: &[u8], max_depth: usize) -> Result<Claims, Error> {
    jwt::scan_parse(bytes, max_depth, "fuzz")
}

/// What [`scan_build`] returns: the top-level object, the top-level member names and the
/// registered claims (`exp`, `nbf`, `iat`, `iss`, `sub`, `jti`, `aud`) as recorded.
pub type Scanned<O> = (O, Vec<String>, Vec<(&'static str, RegisteredClaim)>);

/// The payload scanner with any builder; also returns the top-level member names it recorded.
pub fn scan_build<K: ClaimsBuilder>(
    bytes: &[u8],
    max_depth: usize,
    out: &mut K,
) -> Result<Scanned<K::Object>, Error> {
    let mut reg = jwt::Registered::default();
    let object = jwt::scan_build(bytes, max_depth, "fuzz", out, &mut reg)?;
    let names = reg.names.iter().map(|n| n.to_string()).collect();
    let claim = |c: &jwt::Claim<'_>| match c {
        jwt::Claim::Absent => RegisteredClaim::Absent,
        jwt::Claim::Number(n) => RegisteredClaim::Number(*n),
        jwt::Claim::Str(s) => RegisteredClaim::Str(s.to_string()),
        jwt::Claim::Strs(v) => RegisteredClaim::Strs(v.iter().map(|s| s.to_string()).collect()),
        jwt::Claim::Other | jwt::Claim::Object(_) => RegisteredClaim::Other,
    };
    let registered = vec![
        ("exp", claim(&reg.exp)),
        ("nbf", claim(&reg.nbf)),
        ("iat", claim(&reg.iat)),
        ("iss", claim(&reg.iss)),
        ("sub", claim(&reg.sub)),
        ("jti", claim(&reg.jti)),
        ("aud", claim(&reg.aud)),
    ];
    Ok((object, names, registered))
}

/// A registered claim as the scanner recorded it.
#[derive(Debug, Clone, PartialEq)]
pub enum RegisteredClaim {
    /// Not present.
    Absent,
    /// A number.
    Number(f64),
    /// A string.
    Str(String),
    /// An array of strings only.
    Strs(Vec<String>),
    /// Anything else.
    Other,
}

/// The serde-based strict parser (headers, JWKS, OAuth answers).
pub fn strict_object(bytes: &[u8], max_depth: usize) -> Result<Map<String, Value>, Error> {
    crate::json::parse_object(bytes, max_depth, "fuzz")
}

/// How an OAuth error answer (`status`, `headers`, `body`) is reported.
pub fn oauth_failure(
    status: u16,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (ErrorCode, String, Option<Duration>) {
    let mut map = reqwest::header::HeaderMap::new();
    for (name, value) in headers {
        if let (Ok(n), Ok(v)) = (
            reqwest::header::HeaderName::from_bytes(name.as_bytes()),
            reqwest::header::HeaderValue::from_str(value),
        ) {
            map.append(n, v);
        }
    }
    let response = crate::http::HttpResponse {
        status,
        headers: map,
        body: body.to_vec().into(),
        span: Default::default(),
    };
    let failure = crate::oauth::fuzz_failure(&response);
    (
        failure.error.code(),
        failure.error.message().to_owned(),
        failure.retry_after,
    )
}

/// A forwarding header hop that must be read is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadForwarding;

/// The client address behind trusted proxies `networks`.
pub fn resolve_client(
    networks: CidrSet,
    header: ForwardedHeader,
    peer: IpAddr,
    lines: &[&str],
) -> Result<Option<IpAddr>, BadForwarding> {
    TrustedProxies { networks, header }
        .resolve(peer, lines.iter().copied())
        .map_err(|_| BadForwarding)
}
