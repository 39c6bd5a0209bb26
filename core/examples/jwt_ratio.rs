//! Interleaved min-of-rounds timing of HS256 verification paths vs the bare HMAC (noise-robust
//! ratios on a shared machine). `cargo run --release -p tokenward --example jwt_ratio`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::hint::black_box;
use std::time::Instant;

use tokenward::jwt::{Algorithm, JwtKey};

#[path = "../benches/support/jwt_fixture.rs"]
mod fixture;
use fixture::{AppClaims, SECRET};

fn time(iters: u32, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    start.elapsed().as_nanos() as f64 / f64::from(iters)
}

fn main() {
    let secret = SECRET;
    let key = JwtKey::hmac(&secret, Algorithm::HS256).unwrap();
    let token = fixture::token(&key, Algorithm::HS256);
    let verifier = fixture::verifier(&key, Algorithm::HS256);
    let hmac_key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &secret);
    let signing_input = &token[..token.rfind('.').unwrap()];
    // A loop of one call only, for `perf record`.
    let profiled: Option<&dyn Fn()> = match std::env::args().nth(1).as_deref() {
        Some("profile") => Some(&|| drop(black_box(verifier.verify(black_box(&token)).unwrap()))),
        Some("profile-json") => {
            Some(&|| drop(black_box(verifier.verify_json(black_box(&token)).unwrap())))
        }
        _ => None,
    };
    if let Some(call) = profiled {
        for _ in 0..3_000_000 {
            call();
        }
        return;
    }
    let mut best = [f64::MAX; 4];
    let iters = 20_000;
    for _ in 0..200 {
        let t = [
            time(iters, || {
                black_box(aws_lc_rs::hmac::sign(
                    &hmac_key,
                    black_box(signing_input.as_bytes()),
                ));
            }),
            time(iters, || {
                drop(black_box(verifier.verify(black_box(&token)).unwrap()))
            }),
            time(iters, || {
                drop(black_box(verifier.verify_json(black_box(&token)).unwrap()))
            }),
            time(iters, || {
                drop(black_box(
                    verifier.verify_as::<AppClaims>(black_box(&token)).unwrap(),
                ))
            }),
        ];
        for (b, t) in best.iter_mut().zip(t) {
            *b = b.min(t);
        }
    }
    let [hmac, map, json, typed] = best;
    println!(
        "min ns: hmac {hmac:.0}  verify {map:.0} ({:.2}x)  verify_json {json:.0} ({:.2}x)  verify_as {typed:.0} ({:.2}x)",
        map / hmac,
        json / hmac,
        typed / hmac
    );
}
