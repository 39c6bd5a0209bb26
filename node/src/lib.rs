//! napi-rs binding of tokenward: the native part of the `tokenward` npm package.
//!
//! Converts types and maps errors only; behaviour lives in the core. `index.js` wraps the
//! generated loader to add `util.inspect` redaction and the ESM entry point.
// napi registers exports only outside `cfg(test)`; the test build sees them as unused.
#![cfg_attr(test, allow(dead_code))]

mod apikeys;
mod audit;
mod error;
mod gateway;
mod jwt;
mod jwt_fast;
mod jwt_remote;
mod oauth;
mod redact;
mod secret;

use napi_derive::napi;

/// The stable codes of every tokenward error, in declaration order.
#[napi]
pub fn error_codes() -> Vec<&'static str> {
    tokenward::ErrorCode::ALL
        .iter()
        .map(|c| c.as_str())
        .collect()
}

/// The version of the tokenward core this addon was built from.
#[napi]
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
