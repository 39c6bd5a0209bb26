//! One-pass strict scanner for JWT payloads: validates the whole document with the same rules
//! as [`crate::json::parse_object`] (one object, valid UTF-8, no duplicate members at any level,
//! nesting capped, numbers finite, no lone surrogates) and records the registered claims, while
//! a [`ClaimsBuilder`] builds the values in the same pass (nothing when only validating, the
//! [`Claims`] of `verify`, or a binding's own objects). Strings without escapes are borrowed
//! from the payload.

mod reader;
mod registered;
#[cfg(test)]
mod tests;

use reader::{Fail, Scanner};
#[cfg(feature = "http")]
use registered::Members;
pub(crate) use registered::{Claim, Record, Registered};

use super::claims::Claims;
#[cfg(any(test, feature = "http"))]
use super::claims_builder::NoBuild;
use super::claims_builder::{ClaimsBuilder, LazyBuilder};
use crate::{Error, ErrorCode};

/// Scans `bytes` as a JWT payload (see the module docs), building nothing.
#[cfg(test)]
pub(crate) fn scan<'a>(
    bytes: &'a [u8],
    max_depth: usize,
    what: &'static str,
) -> Result<Registered<'a>, Error> {
    let mut reg = Registered::default();
    build(bytes, max_depth, what, &mut NoBuild, &mut reg)?;
    Ok(reg)
}

/// Parses `bytes` as a JWT payload into its claims, with the same rules as [`scan`] and in
/// the same single pass (no second parser, no intermediate tokens); the claims' values are
/// built when read, as `verify`'s are.
pub(crate) fn parse(bytes: &[u8], max_depth: usize, what: &'static str) -> Result<Claims, Error> {
    let text = std::str::from_utf8(bytes).map_err(|_| not_utf8(bytes, max_depth, what))?;
    let members = build_text(
        text,
        max_depth,
        what,
        &mut LazyBuilder,
        &mut Registered::default(),
    )?;
    Ok(Claims::lazy(text.into(), members))
}

/// Scans `bytes` like [`scan`] while `out` builds the payload's values in the same pass;
/// records the top-level members `reg` asks for (the registered claims: filled in place, it is
/// a few hundred bytes) and returns the top-level object, unfinished.
#[cfg(any(test, feature = "http", feature = "gateway"))]
pub(crate) fn build<'a, K: ClaimsBuilder, R: Record<'a>>(
    bytes: &'a [u8],
    max_depth: usize,
    what: &'static str,
    out: &mut K,
    reg: &mut R,
) -> Result<K::Object, Error> {
    match std::str::from_utf8(bytes) {
        Ok(text) => build_text(text, max_depth, what, out, reg),
        Err(_) => Err(not_utf8(bytes, max_depth, what)),
    }
}

/// The error for a payload that is not UTF-8. Refused either way; the map-building parser
/// decides which error comes first (nesting can be reported before the bad bytes are reached).
pub(crate) fn not_utf8(bytes: &[u8], max_depth: usize, what: &'static str) -> Error {
    crate::json::parse_object(bytes, max_depth, what)
        .err()
        .unwrap_or_else(|| Error::new(ErrorCode::Malformed, what))
}

/// [`build`] over a payload already known to be UTF-8 (`verify` keeps it as the claims' text).
pub(crate) fn build_text<'a, K: ClaimsBuilder, R: Record<'a>>(
    text: &'a str,
    max_depth: usize,
    what: &'static str,
    out: &mut K,
    reg: &mut R,
) -> Result<K::Object, Error> {
    let mut scanner = Scanner::new(text, text.as_bytes());
    let object = scanner
        .document(out, max_depth, reg)
        .map_err(|fail| failure(fail, what))?;
    // The top-level member names stay for `Registered::has`.
    reg.names(scanner.names);
    Ok(object)
}

/// The top-level members `names` of the JSON object `bytes`, checked with the same rules as
/// [`scan`] and without building anything: strings borrowed from `bytes` unless escaped,
/// nested objects as their text. For small JOSE documents read for a few members (DPoP).
#[cfg(feature = "http")]
pub(crate) fn members<'a, const N: usize>(
    bytes: &'a [u8],
    max_depth: usize,
    what: &'static str,
    names: [&'static str; N],
) -> Result<[Claim<'a>; N], Error> {
    let mut members = Members::new(names);
    build(bytes, max_depth, what, &mut NoBuild, &mut members)?;
    Ok(members.claims)
}

/// The error of the strict parser for what the scanner refused.
fn failure(fail: Fail, what: &'static str) -> Error {
    match fail {
        Fail::Malformed => Error::new(ErrorCode::Malformed, what),
        Fail::TooDeep => Error::new(
            ErrorCode::TokenTooLarge,
            "JSON nesting exceeds the configured depth",
        ),
        Fail::Interrupted => Error::new(ErrorCode::Internal, "the claims could not be built"),
    }
}
