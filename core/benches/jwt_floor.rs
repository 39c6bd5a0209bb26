//! Asymmetric JWT verification against its floor: the bare aws-lc signature check of the same
//! signing input with the same parsed key, and the `jsonwebtoken` crate, in one run.
//! `cargo bench -p tokenward --bench jwt_floor` (use `-- --quick` for a fast pass).
//!
//! A tokenward verify is the signature check plus the work around it: splitting the token,
//! decoding the header and payload, choosing the key, the claim checks. Its ratio to the floor
//! row shows what that work costs (issue #20's target: ≤ 1.05×).
// Bench helpers may unwrap: a failure is the bench failing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::Duration;

use aws_lc_rs::signature::{self, ParsedPublicKey, VerificationAlgorithm};
use criterion::{criterion_group, criterion_main, Criterion};
use tokenward::jwt::{Algorithm, JwtKey};

#[path = "support/jwt_fixture.rs"]
mod fixture;

fn floor_algorithm(alg: Algorithm) -> &'static dyn VerificationAlgorithm {
    match alg {
        Algorithm::RS256 => &signature::RSA_PKCS1_2048_8192_SHA256,
        Algorithm::PS256 => &signature::RSA_PSS_2048_8192_SHA256,
        Algorithm::ES256 => &signature::ECDSA_P256_SHA256_FIXED,
        Algorithm::EdDSA => &signature::ED25519,
        other => panic!("no floor for {other}"),
    }
}

/// The DER inside a PEM block.
fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    decode(
        &body,
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
    )
}

/// A small base64 decoder (padding ignored): the bench needs no decoding crate of its own.
fn decode(text: &str, alphabet: &[u8; 64]) -> Vec<u8> {
    let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0);
    for c in text.bytes().filter(|&c| c != b'=') {
        let v = alphabet
            .iter()
            .position(|&a| a == c)
            .expect("a base64 character") as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify_floor");
    group.measurement_time(Duration::from_secs(3));

    for alg in [
        Algorithm::RS256,
        Algorithm::PS256,
        Algorithm::ES256,
        Algorithm::EdDSA,
    ] {
        let key = JwtKey::generate(alg).unwrap();
        let token = fixture::token(&key, alg);
        let verifier = fixture::verifier(&key, alg);
        let dot = token.rfind('.').unwrap();
        let signing_input = token.as_bytes()[..dot].to_vec();
        let sig = decode(
            &token[dot + 1..],
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
        );
        let spki = pem_der(&key.to_public_pem().unwrap());
        let parsed = ParsedPublicKey::new(floor_algorithm(alg), &spki).unwrap();
        parsed.verify_sig(&signing_input, &sig).unwrap();

        group.bench_function(format!("tokenward {alg}"), |b| {
            b.iter(|| verifier.verify(black_box(&token)).unwrap())
        });
        group.bench_function(format!("floor {alg}: aws-lc signature check"), |b| {
            b.iter(|| {
                parsed
                    .verify_sig(black_box(&signing_input), black_box(&sig))
                    .unwrap()
            })
        });

        let pem = key.to_public_pem().unwrap();
        let (decoding_key, jwt_alg) = match alg {
            Algorithm::RS256 | Algorithm::PS256 => (
                jsonwebtoken::DecodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
                if alg == Algorithm::RS256 {
                    jsonwebtoken::Algorithm::RS256
                } else {
                    jsonwebtoken::Algorithm::PS256
                },
            ),
            Algorithm::ES256 => (
                jsonwebtoken::DecodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
                jsonwebtoken::Algorithm::ES256,
            ),
            _ => (
                jsonwebtoken::DecodingKey::from_ed_pem(pem.as_bytes()).unwrap(),
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
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
