//! The token shape shared by `benches/jwt.rs` and `examples/jwt_ratio.rs`, so their HS256 rows
//! measure the same thing.
#![allow(clippy::expect_used, dead_code)]

use serde_json::{json, Map, Value};
use tokenward::jwt::{Algorithm, IssueOptions, JwtIssuer, JwtVerifier, Key, VerifierOptions};

/// The HS256 secret.
pub const SECRET: [u8; 32] = [7; 32];

/// A token signed with `key`: issuer `iss`, audience `aud`, subject `u1`, the custom claims.
pub fn token(key: &Key, alg: Algorithm) -> String {
    JwtIssuer::new(key.clone(), Some(alg))
        .and_then(|issuer| {
            issuer.issuer("iss").audience(vec!["aud".into()]).issue(
                &custom_claims(),
                &IssueOptions {
                    subject: Some("u1".into()),
                    ..Default::default()
                },
            )
        })
        .expect("the fixture token issues")
}

/// The verifier for [`token`]: `alg` only, issuer and audience checked.
pub fn verifier(key: &Key, alg: Algorithm) -> JwtVerifier {
    JwtVerifier::new(
        key.clone(),
        VerifierOptions {
            algorithms: vec![alg],
            issuers: vec!["iss".into()],
            audiences: vec!["aud".into()],
            ..Default::default()
        },
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
