//! uniffi bindings of tokenward for Swift and Kotlin.
//!
//! This crate only converts types and maps errors; all behaviour lives in the `tokenward` core.
//! Every exported function returns `Result<_, TokenwardError>` or cannot fail, so no panic ever
//! crosses the FFI boundary.

mod apikeys;
mod error;
mod jwt;
mod redact;
mod secret;

pub use apikeys::{api_key_pattern, check_api_key_format, ApiKeys, IssuedKey, KeyInfo, KeyRecord};
pub use error::TokenwardError;
pub use secret::{fingerprint, Secret};

uniffi::setup_scaffolding!("tokenward");

/// The stable codes of every tokenward error, in declaration order.
#[uniffi::export]
pub fn error_codes() -> Vec<String> {
    tokenward::ErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect()
}

/// The version of the tokenward core this library was built from.
#[uniffi::export]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
