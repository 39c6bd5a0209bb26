//! Error conversions shared by the gateway classes.

use crate::napi;
use tokenward::{Error, ErrorCode};

use crate::error::{to_js, Code};

pub(super) fn invalid(msg: &'static str) -> napi::Error<Code> {
    to_js(Error::new(ErrorCode::InvalidInput, msg))
}

/// A napi failure while reading arguments, as an `invalid_input` error with napi's reason.
pub(super) fn bad_arg(err: napi::Error) -> napi::Error<Code> {
    to_js(Error::new(
        ErrorCode::InvalidInput,
        format!("invalid argument: {}", err.reason),
    ))
}

pub(super) fn internal(_: napi::Error) -> napi::Error<Code> {
    to_js(Error::new(
        ErrorCode::Internal,
        "converting the decision to JS failed",
    ))
}
