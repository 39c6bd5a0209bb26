//! JWT verification: tokenward beside the raw `jsonwebtoken` crate and a bare HMAC over the same
//! signing input, in one run. `cargo bench -p tokenward --bench jwt`
//! (use `-- --quick` for a fast pass).
// Test and bench helpers outside #[test] functions may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use tokenward::jwt::{Algorithm, JwtKey};

#[path = "support/jwt_fixture.rs"]
mod fixture;
use fixture::{AppClaims, SECRET};

fn bench(c: &mut Criterion) {
    let secret = SECRET;
    let mut group = c.benchmark_group("verify");
    group.measurement_time(Duration::from_secs(3));

    for alg in [
        Algorithm::HS256,
        Algorithm::RS256,
        Algorithm::ES256,
        Algorithm::EdDSA,
    ] {
        let key = match alg {
            Algorithm::HS256 => JwtKey::hmac(&secret, alg).unwrap(),
            _ => JwtKey::generate(alg).unwrap(),
        };
        let token = fixture::token(&key, alg);
        let verifier = fixture::verifier(&key, alg);
        group.bench_function(format!("tokenward {alg}"), |b| {
            b.iter(|| verifier.verify(black_box(&token)).unwrap())
        });
        if alg == Algorithm::HS256 {
            // The same checks, claims returned as the token's JSON text (no map built).
            group.bench_function(format!("tokenward {alg} verify_json"), |b| {
                b.iter(|| verifier.verify_json(black_box(&token)).unwrap())
            });
            // The same checks, claims deserialized into the caller's own struct.
            group.bench_function(format!("tokenward {alg} verify_as<struct>"), |b| {
                b.iter(|| verifier.verify_as::<AppClaims>(black_box(&token)).unwrap())
            });
        }

        let (decoding_key, jwt_alg) = match alg {
            Algorithm::HS256 => (
                jsonwebtoken::DecodingKey::from_secret(&secret).unwrap(),
                jsonwebtoken::Algorithm::HS256,
            ),
            Algorithm::RS256 => (
                jsonwebtoken::DecodingKey::from_rsa_pem(key.to_public_pem().unwrap().as_bytes())
                    .unwrap(),
                jsonwebtoken::Algorithm::RS256,
            ),
            Algorithm::ES256 => (
                jsonwebtoken::DecodingKey::from_ec_pem(key.to_public_pem().unwrap().as_bytes())
                    .unwrap(),
                jsonwebtoken::Algorithm::ES256,
            ),
            _ => (
                jsonwebtoken::DecodingKey::from_ed_pem(key.to_public_pem().unwrap().as_bytes())
                    .unwrap(),
                jsonwebtoken::Algorithm::EdDSA,
            ),
        };
        let mut validation = jsonwebtoken::Validation::new(jwt_alg);
        validation.set_issuer(&["iss"]);
        validation.set_audience(&["aud"]);
        group.bench_function(format!("jsonwebtoken {alg}"), |b| {
            b.iter(|| {
                jsonwebtoken::decode::<serde_json::Value>(
                    black_box(&token),
                    &decoding_key,
                    &validation,
                )
                .unwrap()
            })
        });

        if alg == Algorithm::HS256 {
            let hmac_key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &secret);
            let signing_input = &token[..token.rfind('.').unwrap()];
            group.bench_function("bare HMAC-SHA256 over the signing input", |b| {
                b.iter(|| aws_lc_rs::hmac::sign(&hmac_key, black_box(signing_input.as_bytes())))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
