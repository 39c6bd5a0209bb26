//! DPoP (RFC 9449): proof creation, and proof verification beside its floor — one ES256
//! signature verification (aws-lc-rs, the same signing input) plus one replay-cache lookup (a
//! SHA-256 of the `jti` inserted into a locked map), in one run. The issue's target is that
//! `DpopVerifier::verify` costs no more than that floor plus parsing.
//! `cargo bench -p tokenward --bench dpop` (use `-- --quick` for a fast pass).
// Test and bench helpers outside #[test] functions may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use aws_lc_rs::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use parking_lot::Mutex;
use sha2::{Digest, Sha256};
use tokenward::dpop::{DpopChecks, DpopKey, DpopProofOptions, DpopVerifier, DpopVerifierOptions};
use tokenward::jwt::{
    Algorithm, JwtIssueOptions, JwtIssuer, JwtIssuerOptions, JwtKey, JwtVerifier,
    JwtVerifierOptions,
};

const URL: &str = "https://api.example/orders";
const TOKEN: &str = "an-access-token-of-typical-length-0123456789abcdefghijklmnop";

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("dpop");
    group.measurement_time(Duration::from_secs(3));
    let options = DpopProofOptions::new().with_access_token(TOKEN);

    for alg in [Algorithm::ES256, Algorithm::EdDSA] {
        let key = DpopKey::generate(alg).unwrap();
        group.bench_function(format!("proof {alg} (with ath)"), |b| {
            b.iter(|| key.proof("GET", black_box(URL), &options).unwrap())
        });
        // Every proof is verified once (a second time would be a replay): each iteration
        // verifies a fresh proof, made outside the timing.
        let verifier = DpopVerifier::new(DpopVerifierOptions::new()).unwrap();
        let checks = DpopChecks::new()
            .with_access_token(TOKEN)
            .with_jkt(key.thumbprint());
        group.bench_function(format!("verify {alg} (ath, cnf.jkt, replay cache)"), |b| {
            b.iter_batched(
                || key.proof("GET", URL, &options).unwrap(),
                |proof| verifier.verify(&proof, "GET", URL, &checks).unwrap(),
                BatchSize::SmallInput,
            )
        });
    }

    // The floor: one ES256 verification of a proof's signature with its public key, plus a
    // replay-cache lookup (SHA-256 of the jti, insert into a locked map).
    let key = DpopKey::generate(Algorithm::ES256).unwrap();
    let jwk = key.public_jwk();
    let coordinate = |name: &str| URL_SAFE_NO_PAD.decode(jwk[name].as_str().unwrap()).unwrap();
    let mut point = vec![4u8];
    point.extend(coordinate("x"));
    point.extend(coordinate("y"));
    let public = UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point);
    let split = |proof: &str| {
        let (input, sig) = proof.rsplit_once('.').unwrap();
        (input.to_owned(), URL_SAFE_NO_PAD.decode(sig).unwrap())
    };
    let seen: Mutex<HashMap<[u8; 32], i64>> = Mutex::new(HashMap::new());
    let mut n = 0u64;
    group.bench_function("floor: ES256 verify + replay lookup", |b| {
        b.iter_batched(
            || {
                n += 1;
                let (input, sig) = split(&key.proof("GET", URL, &options).unwrap());
                (input, sig, format!("jti-{n:016}-abcdefghijklmnop"))
            },
            |(input, sig, jti)| {
                public.verify(input.as_bytes(), &sig).unwrap();
                let h: [u8; 32] = Sha256::digest(jti.as_bytes()).into();
                assert!(seen.lock().insert(h, 1_700_000_065).is_none());
            },
            BatchSize::SmallInput,
        )
    });
    let (input, sig) = split(&key.proof("GET", URL, &options).unwrap());
    group.bench_function("floor: ES256 verify alone", |b| {
        b.iter(|| public.verify(black_box(input.as_bytes()), &sig).unwrap())
    });
    group.finish();
    paired();
}

/// On a loaded machine separate benchmarks see different loads; this measures the verify and
/// its floor paired, one of each per round (alternating which goes first), so both see the
/// same load, and prints the ratio of the means and of the medians (a round that lost the CPU
/// to another process weighs on the mean only).
fn paired() {
    let key = DpopKey::generate(Algorithm::ES256).unwrap();
    let options = DpopProofOptions::new().with_access_token(TOKEN);
    let verifier = DpopVerifier::new(DpopVerifierOptions::new()).unwrap();
    let checks = DpopChecks::new()
        .with_access_token(TOKEN)
        .with_jkt(key.thumbprint());
    let jwk = key.public_jwk();
    let coordinate = |name: &str| URL_SAFE_NO_PAD.decode(jwk[name].as_str().unwrap()).unwrap();
    let mut point = vec![4u8];
    point.extend(coordinate("x"));
    point.extend(coordinate("y"));
    let public = UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point);
    let seen: Mutex<HashMap<[u8; 32], i64>> = Mutex::new(HashMap::new());
    // The third arm: tokenward's own ES256 JWT verify (decoding, signature, claim checks) of a
    // token of the proof's size, plus the same replay lookup -- "one ES256 verify" as a caller
    // of this library gets it.
    let jwt_key = JwtKey::generate(Algorithm::ES256).unwrap();
    let mut claims = serde_json::Map::new();
    claims.insert("htm".into(), "GET".into());
    claims.insert("htu".into(), URL.into());
    claims.insert(
        "ath".into(),
        "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo".into(),
    );
    let jwt = JwtIssuer::new(
        jwt_key.clone(),
        JwtIssuerOptions::new().with_algorithm(Algorithm::ES256),
    )
    .unwrap()
    .issue(&claims, &JwtIssueOptions::new())
    .unwrap();
    let jwt_verifier =
        JwtVerifier::new(jwt_key, JwtVerifierOptions::new([Algorithm::ES256])).unwrap();
    let seen_jwt: Mutex<HashMap<[u8; 32], i64>> = Mutex::new(HashMap::new());
    let rounds = 3000u32;
    let (mut verify, mut floor, mut jwt_arm) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..rounds {
        let a = key.proof("GET", URL, &options).unwrap();
        let b = key.proof("GET", URL, &options).unwrap();
        let (input, sig) = b.rsplit_once('.').unwrap();
        let sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
        let jti = format!("jti-{i:016}-abcdefghijklmnop");
        let mut run_verify = || {
            let t = Instant::now();
            black_box(verifier.verify(&a, "GET", URL, &checks).unwrap());
            verify.push(t.elapsed());
        };
        let mut run_floor = || {
            let t = Instant::now();
            public.verify(input.as_bytes(), &sig).unwrap();
            let h: [u8; 32] = Sha256::digest(jti.as_bytes()).into();
            assert!(seen.lock().insert(h, 1_700_000_065).is_none());
            floor.push(t.elapsed());
        };
        let mut run_jwt = || {
            let t = Instant::now();
            black_box(jwt_verifier.verify(&jwt).unwrap());
            let h: [u8; 32] = Sha256::digest(jti.as_bytes()).into();
            assert!(seen_jwt.lock().insert(h, 1_700_000_065).is_none());
            jwt_arm.push(t.elapsed());
        };
        match i % 3 {
            0 => {
                run_verify();
                run_floor();
                run_jwt();
            }
            1 => {
                run_floor();
                run_jwt();
                run_verify();
            }
            _ => {
                run_jwt();
                run_verify();
                run_floor();
            }
        }
    }
    let mean = |d: &[Duration]| d.iter().sum::<Duration>().as_secs_f64() * 1e6 / d.len() as f64;
    let median = |d: &mut [Duration]| {
        d.sort_unstable();
        d[d.len() / 2].as_secs_f64() * 1e6
    };
    let (mean_verify, mean_floor) = (mean(&verify), mean(&floor));
    let (median_verify, median_floor) = (median(&mut verify), median(&mut floor));
    let (mean_jwt, median_jwt) = (mean(&jwt_arm), median(&mut jwt_arm));
    println!(
        "dpop/paired ES256: tokenward JwtVerifier ES256 verify + replay lookup {mean_jwt:.1} µs (median {median_jwt:.1}); DPoP verify / that = {:.2} (medians {:.3})",
        mean_verify / mean_jwt,
        median_verify / median_jwt
    );
    println!(
        "dpop/paired ES256, {rounds} rounds: verify {mean_verify:.1} µs, floor (ES256 verify + replay lookup) {mean_floor:.1} µs, verify / floor = {:.2}; medians {median_verify:.1} / {median_floor:.1} µs = {:.3}",
        mean_verify / mean_floor,
        median_verify / median_floor
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
