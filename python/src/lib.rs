//! pyo3 binding of tokenward: the `tokenward._native` extension module.
//!
//! Converts types and maps errors only; behaviour lives in the core. The public Python API is
//! the `tokenward` package, which re-exports from here.

mod abuse;
mod aio;
mod apikeys;
mod audit;
mod clock;
mod dpop;
mod error;
mod gateway;
mod json;
mod jwt;
mod mtls;
mod oauth;
mod redact;
mod secret;
mod sessions;
mod telemetry;
mod token_store;

use pyo3::prelude::*;

/// The native module; `tokenward/__init__.py` re-exports its contents.
#[pymodule(gil_used = false)]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    let codes: Vec<&str> = tokenward::ErrorCode::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    m.add("ERROR_CODES", codes)?;
    m.add_class::<secret::Secret>()?;
    m.add_class::<apikeys::ApiKeys>()?;
    m.add_class::<apikeys::IssuedKey>()?;
    m.add_class::<apikeys::KeyRecord>()?;
    m.add_class::<apikeys::KeyInfo>()?;
    m.add("API_KEY_PATTERN", tokenward::apikey::KEY_PATTERN)?;
    m.add_function(wrap_pyfunction!(secret::fingerprint, m)?)?;
    m.add_class::<jwt::JwtKey>()?;
    m.add_class::<jwt::KeySet>()?;
    m.add_class::<jwt::RemoteKeySet>()?;
    m.add_class::<jwt::JwtIssuer>()?;
    m.add_class::<jwt::JwtVerifier>()?;
    m.add_class::<jwt::RemoteJwtVerifier>()?;
    m.add_function(wrap_pyfunction!(jwt::decode_unverified, m)?)?;
    m.add_function(wrap_pyfunction!(redact::redact, m)?)?;
    m.add_class::<redact::Redactor>()?;
    m.add_class::<redact::RedactStream>()?;
    m.add_class::<oauth::AccessToken>()?;
    m.add_class::<oauth::Introspection>()?;
    m.add_class::<oauth::TokenResponse>()?;
    m.add_class::<oauth::OAuthClient>()?;
    m.add_class::<oauth::TokenSource>()?;
    m.add_class::<oauth::PyTokenSourceOptions>()?;
    m.add_class::<token_store::StoredTokens>()?;
    m.add_class::<oauth::Pkce>()?;
    m.add_class::<oauth::AuthorizationFlow>()?;
    m.add_class::<oauth::LoopbackRedirect>()?;
    m.add_class::<oauth::IdTokenVerifier>()?;
    m.add_function(wrap_pyfunction!(oauth::token_rejected, m)?)?;
    m.add_class::<clock::ManualClock>()?;
    m.add_class::<dpop::DpopKey>()?;
    m.add_class::<dpop::DpopVerifier>()?;
    m.add_class::<dpop::RetryAction>()?;
    m.add_function(wrap_pyfunction!(dpop::retry_action, m)?)?;
    m.add_class::<gateway::RateLimit>()?;
    m.add_class::<gateway::RevocationList>()?;
    m.add_class::<gateway::Principal>()?;
    m.add_class::<gateway::Refusal>()?;
    m.add_class::<gateway::Authenticator>()?;
    m.add_function(wrap_pyfunction!(mtls::certificate_thumbprint, m)?)?;
    m.add_class::<abuse::Threshold>()?;
    m.add_class::<abuse::Lockout>()?;
    m.add_class::<abuse::AbuseDetection>()?;
    m.add_class::<abuse::AuditLog>()?;
    m.add_class::<sessions::Sessions>()?;
    m.add_class::<sessions::SessionCookie>()?;
    m.add_class::<sessions::SessionRecord>()?;
    m.add_class::<sessions::IssuedSession>()?;
    m.add_class::<telemetry::Telemetry>()?;
    m.add_function(wrap_pyfunction!(telemetry::enable_telemetry, m)?)?;
    audit::install();
    Ok(())
}
