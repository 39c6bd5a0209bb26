//! The token shape shared by `benches/jwt.rs` and `examples/jwt_ratio.rs`, so their HS256 rows
//! measure the same thing.
#![allow(clippy::expect_used, dead_code)]

use serde_json::{json, Map, Value};
use tokenward::jwt::{
    Algorithm, JwtIssueOptions, JwtIssuer, JwtIssuerOptions, JwtKey, JwtVerifier,
    JwtVerifierOptions,
};

/// The HS256 secret.
pub const SECRET: [u8; 32] = [7; 32];

/// A token signed with `key`: issuer `iss`, audience `aud`, subject `u1`, the custom claims.
pub fn token(key: &JwtKey, alg: Algorithm) -> String {
    let options = JwtIssuerOptions::new()
        .with_algorithm(alg)
        .with_issuer("iss")
        .with_audience(["aud"]);
    JwtIssuer::new(key.clone(), options)
        .and_then(|issuer| {
            issuer.issue(&custom_claims(), &JwtIssueOptions::new().with_subject("u1"))
        })
        .expect("the fixture token issues")
}

/// The verifier for [`token`]: `alg` only, issuer and audience checked.
pub fn verifier(key: &JwtKey, alg: Algorithm) -> JwtVerifier {
    JwtVerifier::new(
        key.clone(),
        JwtVerifierOptions::new([alg])
            .with_issuers(["iss"])
            .with_audiences(["aud"]),
    )
    .expect("the fixture verifier builds")
}

/// The custom claims (the issuer adds `iss aud sub iat nbf exp jti`).
pub fn custom_claims() -> Map<String, Value> {
    json!({"scope": "read write", "tenant": "acme"})
        .as_object()
        .cloned()
        .unwrap_or_default()
}

/// What an application typically reads from a token.
#[derive(serde::Deserialize)]
#[allow(dead_code)]
pub struct AppClaims {
    pub sub: String,
    pub exp: u64,
    pub scope: Option<String>,
}
