//! The verified-token cache (`JwtVerifierOptions::with_cache_size`): a cached RS256, ES256 and
//! EdDSA verify beside an uncached HS256 verify of the same claims, in one run.
//! `cargo bench -p tokenward --bench jwt_cache` (use `-- --quick` for a fast pass).
// Test and bench helpers outside #[test] functions may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use tokenward::jwt::{Algorithm, JwtKey, JwtVerifier, JwtVerifierOptions};

#[path = "support/jwt_fixture.rs"]
mod fixture;
use fixture::SECRET;

/// The fixture's verifier policy, with a cache of `cache_size` tokens.
fn verifier(key: &JwtKey, alg: Algorithm, cache_size: usize) -> JwtVerifier {
    JwtVerifier::new(
        key.clone(),
        JwtVerifierOptions::new([alg])
            .with_issuers(["iss"])
            .with_audiences(["aud"])
            .with_cache_size(cache_size),
    )
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify_cache");
    group.measurement_time(Duration::from_secs(3));
    let hs = JwtKey::hmac(&SECRET, Algorithm::HS256).unwrap();
    let hs_token = fixture::token(&hs, Algorithm::HS256);
    let hs_verifier = verifier(&hs, Algorithm::HS256, 0);
    group.bench_function("uncached HS256", |b| {
        b.iter(|| hs_verifier.verify(black_box(&hs_token)).unwrap())
    });
    for alg in [Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA] {
        let key = JwtKey::generate(alg).unwrap();
        let token = fixture::token(&key, alg);
        let uncached = verifier(&key, alg, 0);
        let cached = verifier(&key, alg, 10_000);
        cached.verify(&token).unwrap();
        group.bench_function(format!("cached {alg}"), |b| {
            b.iter(|| cached.verify(black_box(&token)).unwrap())
        });
        group.bench_function(format!("uncached {alg}"), |b| {
            b.iter(|| uncached.verify(black_box(&token)).unwrap())
        });
    }
    // The cache's own cost on a token that is not in it: 10 000 distinct HS256 tokens cycled
    // through a cache of 1 000.
    let issuer_tokens: Vec<String> = (0..10_000)
        .map(|_| fixture::token(&hs, Algorithm::HS256))
        .collect();
    let small = verifier(&hs, Algorithm::HS256, 1_000);
    let mut i = 0;
    group.bench_function(
        "HS256, cache of 1000, 10000 tokens cycled (mostly misses)",
        |b| {
            b.iter(|| {
                i = (i + 1) % issuer_tokens.len();
                small.verify(black_box(&issuer_tokens[i])).unwrap()
            })
        },
    );
    group.finish();
    key_hash(c);
}

/// What keys the cache costs on the longest token, an RS256 one (587 bytes): the AES-256-GCM-SIV
/// tag it uses beside the SHA-256 it used before.
fn key_hash(c: &mut Criterion) {
    use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM_SIV};
    let token = fixture::token(
        &JwtKey::generate(Algorithm::RS256).unwrap(),
        Algorithm::RS256,
    );
    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM_SIV, &[7; 32]).unwrap());
    let mut group = c.benchmark_group("cache_key");
    group.measurement_time(Duration::from_secs(2));
    group.bench_function("SHA-256 of an RS256 token", |b| {
        b.iter(|| {
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, black_box(&token).as_bytes())
        })
    });
    group.bench_function("AES-256-GCM-SIV tag of an RS256 token", |b| {
        b.iter(|| {
            let nonce = Nonce::assume_unique_for_key([0; 12]);
            let aad = Aad::from(black_box(&token).as_bytes());
            key.seal_in_place_separate_tag(nonce, aad, &mut []).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
