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

use reader::{Fail, Scanner, Step};
#[cfg(feature = "http")]
use registered::Members;
pub(crate) use registered::{Claim, Record, Registered};

use super::claims::Claims;
#[cfg(any(test, feature = "http"))]
use super::claims_builder::NoBuild;
use super::claims_builder::{ClaimsBuilder, ValueBuilder};
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
/// the same single pass (no second parser, no intermediate tokens).
pub(crate) fn parse(bytes: &[u8], max_depth: usize, what: &'static str) -> Result<Claims, Error> {
    let members = build(
        bytes,
        max_depth,
        what,
        &mut ValueBuilder,
        &mut Registered::default(),
    )?;
    Ok(Claims::from_unique(members))
}

/// Scans `bytes` like [`scan`] while `out` builds the payload's values in the same pass;
/// records the top-level members `reg` asks for (the registered claims: filled in place, it is
/// a few hundred bytes) and returns the top-level object, unfinished.
pub(crate) fn build<'a, K: ClaimsBuilder, R: Record<'a>>(
    bytes: &'a [u8],
    max_depth: usize,
    what: &'static str,
    out: &mut K,
    reg: &mut R,
) -> Result<K::Object, Error> {
    let mut object = None;
    // The top-level member names stay for `Registered::has`.
    let scanner = run(bytes, max_depth, what, |s| {
        object = Some(s.document(out, max_depth, reg)?);
        Ok(())
    })?;
    reg.names(scanner.names);
    object.ok_or_else(|| Error::new(ErrorCode::Malformed, what))
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

/// Runs `document` over `bytes` and maps its failure to the error codes of the strict parser.
fn run<'a>(
    bytes: &'a [u8],
    max_depth: usize,
    what: &'static str,
    document: impl FnOnce(&mut Scanner<'a>) -> Step<()>,
) -> Result<Scanner<'a>, Error> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        // Refused either way; the map-building parser decides which error comes first
        // (nesting can be reported before the bad bytes are reached).
        return Err(crate::json::parse_object(bytes, max_depth, what)
            .err()
            .unwrap_or_else(|| Error::new(ErrorCode::Malformed, what)));
    };
    let mut scanner = Scanner::new(text, bytes);
    match document(&mut scanner) {
        Ok(()) => Ok(scanner),
        Err(Fail::Malformed) => Err(Error::new(ErrorCode::Malformed, what)),
        Err(Fail::TooDeep) => Err(Error::new(
            ErrorCode::TokenTooLarge,
            "JSON nesting exceeds the configured depth",
        )),
        Err(Fail::Interrupted) => Err(Error::new(
            ErrorCode::Internal,
            "the claims could not be built",
        )),
    }
}
