//! uniffi bindings of tokenward for Swift and Kotlin.
//!
//! This crate only converts types and maps errors; all behaviour lives in the `tokenward` core.
//! Every exported function returns `Result<_, TokenwardError>` or cannot fail, so no panic ever
//! crosses the FFI boundary.

mod abuse;
mod apikeys;
mod audit;
mod clock;
mod dpop;
mod error;
mod gateway;
mod jvm;
mod jwt;
mod jwt_cache;
mod mtls;
mod oauth;
mod redact;
mod remote;
mod secret;
mod sessions;
mod signals;
mod telemetry;
mod token_store;

pub use abuse::{AbuseDetection, AuditLog, Lockout, Threshold};
pub use apikeys::{api_key_pattern, check_api_key_format, ApiKeys, IssuedKey, KeyInfo, KeyRecord};
pub use audit::{on_audit, AuditEvent, AuditListener, AuditOutcome, AuditSubscription};
pub use clock::ManualClock;
pub use error::{ErrorCategory, ErrorCode, TokenwardError};
pub use gateway::{
    AuthDecision, AuthRequest, Authenticator, AuthenticatorOptions, CredentialKind,
    ForwardedHeader, HttpHeader, Principal, RateLimit, Refusal, RevocationKind, RevocationList,
};
pub use secret::{fingerprint, Secret};
pub use telemetry::{enable_telemetry, Telemetry, TelemetryOptions};
pub use token_store::{StoredTokens, TokenStore};

uniffi::setup_scaffolding!("tokenward");

/// The stable codes of every tokenward error, in declaration order, as strings (the typed list is
/// `ErrorCode.entries` in Kotlin, `ErrorCode.allCases` in Swift).
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
