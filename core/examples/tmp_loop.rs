#![allow(clippy::unwrap_used)]
use aws_lc_rs::signature::{self, ParsedPublicKey};
use std::hint::black_box;
use tokenward::jwt::{Algorithm, JwtKey};
#[path = "../benches/support/jwt_fixture.rs"]
mod fixture;
fn decode(text: &str, alphabet: &[u8; 64]) -> Vec<u8> {
    let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0);
    for c in text.bytes().filter(|&c| c != b'=' && c != b'\n') {
        let v = alphabet.iter().position(|&a| a == c).unwrap() as u32;
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
    let mode = std::env::args().nth(1).unwrap();
    let key = JwtKey::generate(Algorithm::RS256).unwrap();
    let token = fixture::token(&key, Algorithm::RS256);
    let verifier = fixture::verifier(&key, Algorithm::RS256);
    let dot = token.rfind('.').unwrap();
    let (input, sig) = (&token.as_bytes()[..dot], decode(&token[dot + 1..], URL));
    let pem = key.to_public_pem().unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let parsed =
        ParsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, decode(&body, STD)).unwrap();
    let n = 100_000;
    match mode.as_str() {
        "floor" => {
            for _ in 0..n {
                parsed
                    .verify_sig(black_box(input), black_box(&sig))
                    .unwrap()
            }
        }
        "sig" => {
            for _ in 0..n {
                drop(black_box(
                    verifier.verify_signature(black_box(&token)).unwrap(),
                ))
            }
        }
        "json" => {
            for _ in 0..n {
                drop(black_box(verifier.verify_json(black_box(&token)).unwrap()))
            }
        }
        _ => {
            for _ in 0..n {
                drop(black_box(verifier.verify(black_box(&token)).unwrap()))
            }
        }
    }
}
