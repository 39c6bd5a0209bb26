//! Interleaved min-of-rounds timing of asymmetric JWT verification against its floor, the bare
//! aws-lc signature check of the same signing input with the same parsed key, beside
//! `verify_json` (no `Claims` built), `verify_signature` (the token's segments and signature
//! only: no payload checks) and the `jsonwebtoken` crate; then an HS256 verify alone and
//! right after the check (what the check costs the work around it). Short rounds, the fastest of
//! many kept per path: robust to other work on the machine, which only ever adds time.
//! `cargo run --release -p tokenward --example jwt_floor_ratio [SETS]`: with SETS above 1, the
//! whole measurement is repeated SETS times (new keys each time) and the spread of
//! `verify` ÷ floor between sets is summed up at the end, since it is wider than any one set shows.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::hint::black_box;
use std::time::Instant;

use aws_lc_rs::signature::{self, ParsedPublicKey, VerificationAlgorithm};
use tokenward::jwt::{Algorithm, JwtKey};

#[path = "../benches/support/jwt_fixture.rs"]
mod fixture;

fn time(iters: u32, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    start.elapsed().as_nanos() as f64 / f64::from(iters)
}

/// A small base64 decoder (padding and line breaks ignored).
fn decode(text: &str, alphabet: &[u8; 64]) -> Vec<u8> {
    let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0);
    for c in text.bytes().filter(|&c| c != b'=' && c != b'\n') {
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

const STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn main() {
    let sets: usize = std::env::args()
        .nth(1)
        .map_or(1, |n| n.parse().expect("SETS is a number"));
    let mut ratios: Vec<(Algorithm, Vec<f64>)> = Vec::new();
    for set in 0..sets.max(1) {
        for (alg, ratio) in one_set(set == 0) {
            match ratios.iter_mut().find(|(a, _)| *a == alg) {
                Some((_, all)) => all.push(ratio),
                None => ratios.push((alg, vec![ratio])),
            }
        }
    }
    if sets > 1 {
        println!();
        println!("| `verify` ÷ floor, {sets} sets | min | median | max | sets above 1.05x |");
        println!("|---|---|---|---|---|");
        for (alg, mut all) in ratios {
            all.sort_by(f64::total_cmp);
            let median = (all[(all.len() - 1) / 2] + all[all.len() / 2]) / 2.0;
            let above = all.iter().filter(|&&r| r > 1.05).count();
            println!(
                "| {alg} | {:.3}x | {median:.3}x | {:.3}x | {above} |",
                all[0],
                all[all.len() - 1]
            );
        }
    }
}

/// One measurement of every algorithm, printed when `print`; each one's `verify` ÷ floor.
fn one_set(print: bool) -> Vec<(Algorithm, f64)> {
    let mut ratios = Vec::new();
    if print {
        println!(
        "| alg | floor (aws-lc check) | tokenward verify | ÷ floor | verify_json | ÷ floor | verify_signature | ÷ floor | jsonwebtoken | ÷ floor |"
    );
        println!("|---|---|---|---|---|---|---|---|---|---|");
    }
    // The same HS256 verify alone and right after the floor's check: what the check's own use of
    // the caches and branch predictors costs the work around it.
    let hmac_key = JwtKey::hmac(&fixture::SECRET, Algorithm::HS256).unwrap();
    let hmac_token = fixture::token(&hmac_key, Algorithm::HS256);
    let hmac_verifier = fixture::verifier(&hmac_key, Algorithm::HS256);
    let mut after_check = Vec::new();
    for (alg, floor_alg, jwt_alg) in [
        (
            Algorithm::RS256,
            &signature::RSA_PKCS1_2048_8192_SHA256 as &'static dyn VerificationAlgorithm,
            jsonwebtoken::Algorithm::RS256,
        ),
        (
            Algorithm::PS256,
            &signature::RSA_PSS_2048_8192_SHA256,
            jsonwebtoken::Algorithm::PS256,
        ),
        (
            Algorithm::ES256,
            &signature::ECDSA_P256_SHA256_FIXED,
            jsonwebtoken::Algorithm::ES256,
        ),
        (
            Algorithm::EdDSA,
            &signature::ED25519,
            jsonwebtoken::Algorithm::EdDSA,
        ),
    ] {
        let key = JwtKey::generate(alg).unwrap();
        let token = fixture::token(&key, alg);
        let verifier = fixture::verifier(&key, alg);
        let dot = token.rfind('.').unwrap();
        let (input, sig) = (&token.as_bytes()[..dot], decode(&token[dot + 1..], URL));
        let pem = key.to_public_pem().unwrap();
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let parsed = ParsedPublicKey::new(floor_alg, decode(&body, STD)).unwrap();
        let decoding_key = match alg {
            Algorithm::RS256 | Algorithm::PS256 => {
                jsonwebtoken::DecodingKey::from_rsa_pem(pem.as_bytes())
            }
            Algorithm::ES256 => jsonwebtoken::DecodingKey::from_ec_pem(pem.as_bytes()),
            _ => jsonwebtoken::DecodingKey::from_ed_pem(pem.as_bytes()),
        }
        .unwrap();
        let mut validation = jsonwebtoken::Validation::new(jwt_alg);
        validation.set_issuer(&["iss"]);
        validation.set_audience(&["aud"]);

        let mut best = [f64::MAX; 7];
        for _ in 0..400 {
            let t = [
                time(40, || {
                    parsed
                        .verify_sig(black_box(input), black_box(&sig))
                        .unwrap()
                }),
                time(40, || {
                    drop(black_box(verifier.verify(black_box(&token)).unwrap()))
                }),
                time(40, || {
                    drop(black_box(
                        jsonwebtoken::decode::<serde_json::Value>(
                            black_box(&token),
                            &decoding_key,
                            &validation,
                        )
                        .unwrap(),
                    ))
                }),
                time(40, || {
                    drop(black_box(verifier.verify_json(black_box(&token)).unwrap()))
                }),
                time(40, || {
                    drop(black_box(
                        hmac_verifier.verify(black_box(&hmac_token)).unwrap(),
                    ))
                }),
                time(40, || {
                    parsed
                        .verify_sig(black_box(input), black_box(&sig))
                        .unwrap();
                    drop(black_box(
                        hmac_verifier.verify(black_box(&hmac_token)).unwrap(),
                    ))
                }),
                time(40, || {
                    drop(black_box(
                        verifier.verify_signature(black_box(&token)).unwrap(),
                    ))
                }),
            ];
            for (b, t) in best.iter_mut().zip(t) {
                *b = b.min(t);
            }
        }
        let [floor, ours, theirs, json, hmac_alone, check_then_hmac, signature] = best;
        ratios.push((alg, ours / floor));
        if !print {
            continue;
        }
        println!(
            "| {alg} | {:.2} µs | {:.2} µs | {:.3}x | {:.2} µs | {:.3}x | {:.2} µs | {:.3}x | {:.2} µs | {:.3}x |",
            floor / 1e3,
            ours / 1e3,
            ours / floor,
            json / 1e3,
            json / floor,
            signature / 1e3,
            signature / floor,
            theirs / 1e3,
            theirs / floor
        );
        after_check.push((alg, hmac_alone, check_then_hmac - floor));
    }
    if print {
        println!();
        println!("| HS256 verify | alone | right after the floor's check |");
        println!("|---|---|---|");
        for (alg, alone, after) in after_check {
            println!("| {alg} check | {alone:.0} ns | {after:.0} ns |");
        }
    }
    ratios
}
