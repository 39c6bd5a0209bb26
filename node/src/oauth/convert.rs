//! Argument conversions shared by the OAuth classes.

use std::time::Duration;

use crate::napi::bindgen_prelude::Either;
use tokenward::{Error, ErrorCode};

use crate::jwt_remote::Failure;
use crate::secret::Secret;

pub(super) fn failure(err: Error) -> Failure {
    Failure {
        code: err.code().as_str().to_owned(),
        category: err.code().category().as_str().to_owned(),
        message: err.message().to_owned(),
    }
}

pub(super) fn invalid_input(msg: &'static str) -> Error {
    Error::new(ErrorCode::InvalidInput, msg)
}

/// Seconds from a JS number, bounded by the core (`invalid_input` naming `what` for NaN,
/// infinities, negative values and values above `clock::MAX_DURATION_SECS`).
pub(super) fn secs(value: f64, what: &'static str) -> tokenward::Result<Duration> {
    tokenward::clock::duration_from_secs_f64(value, what)
}

/// A closed-set argument (`authMethod`, `tokenTypeHint`, `fallback`) parsed by the core's
/// `FromStr`, so the error and the list of valid values come from the core.
pub(super) fn parse<T: std::str::FromStr<Err = Error>>(
    value: Option<&str>,
) -> tokenward::Result<Option<T>> {
    value.map(str::parse).transpose()
}

/// A string or a `Secret` argument as a core secret.
pub(super) fn secret_arg(value: Either<String, &Secret>) -> tokenward::Result<tokenward::Secret> {
    match value {
        Either::A(s) => tokenward::Secret::new(s),
        Either::B(s) => Ok(s.0.clone()),
    }
}

// ---------------------------------------------------------------------------------------------
// Tokens
