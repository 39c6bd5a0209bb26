//! napi-rs binding of tokenward: the native part of the `tokenward` npm package.
//!
//! Converts types and maps errors only; behaviour lives in the core. `index.js` wraps the
//! generated loader to add `util.inspect` redaction and the ESM entry point.
// napi registers exports only outside `cfg(test)`; the test build sees them as unused.
#![cfg_attr(test, allow(dead_code))]

mod abuse;
mod apikeys;
mod audit;
mod dpop;
mod error;
mod gateway;
mod jwt;
mod jwt_fast;
mod jwt_remote;
mod mtls;
mod oauth;
mod redact;
mod secret;
mod sessions;
mod telemetry;
mod token_store;
mod unwind;

/// The `napi` crate as every module here and every `#[napi]` expansion sees it (`use
/// crate::napi;`; the real crate is the dependency `napi-real`): all of it, except
/// `bindgen_prelude::panic_to_error`, which is [`unwind::panic_to_error`] (a panic throws code
/// `internal`), and `bindgen_prelude::JsError`, which is [`error::JsError`] (a thrown error is
/// an instance of the tokenward class of its code). There is no extern crate named `napi`, so
/// no path can bypass this.
pub(crate) mod napi {
    pub use napi_real::*;

    /// napi's prelude with tokenward's `panic_to_error` and `JsError`.
    pub mod bindgen_prelude {
        pub use crate::error::JsError;
        pub use crate::unwind::panic_to_error;
        pub use napi_real::bindgen_prelude::*;
    }
}

/// The stable codes of every tokenward error, in declaration order.
#[napi_derive::napi(catch_unwind)]
pub fn error_codes() -> Vec<&'static str> {
    tokenward::ErrorCode::ALL
        .iter()
        .map(|c| c.as_str())
        .collect()
}

/// The version of the tokenward core this addon was built from.
#[napi_derive::napi(catch_unwind)]
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
