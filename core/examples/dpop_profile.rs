//! Load-independent cost of `DpopVerifier::verify` beside its floor (one ES256 verification of
//! the proof's signing input with aws-lc-rs plus a replay-cache lookup): N proofs made first,
//! then N verifications (`verify`) or N floors (`floor`), each loop in a function of its own so
//! that callgrind reports its inclusive instruction count.
//!
//! ```text
//! cargo build --release -p tokenward --example dpop_profile
//! valgrind --tool=callgrind --callgrind-out-file=verify.cg target/release/examples/dpop_profile verify 2000
//! callgrind_annotate --inclusive=yes verify.cg | grep -E 'run_(verify|floor)'
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::hint::black_box;

use aws_lc_rs::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use parking_lot::Mutex;
use sha2::{Digest, Sha256};
use tokenward::dpop::{DpopChecks, DpopKey, DpopProofOptions, DpopVerifier, DpopVerifierOptions};
use tokenward::jwt::Algorithm;

const URL: &str = "https://api.example/orders";
const TOKEN: &str = "an-access-token-of-typical-length-0123456789abcdefghijklmnop";

#[inline(never)]
fn run_verify(verifier: &DpopVerifier, proofs: &[String], checks: &DpopChecks) {
    for proof in proofs {
        black_box(verifier.verify(proof, "GET", URL, checks).unwrap());
    }
}

#[inline(never)]
fn run_floor(public: &UnparsedPublicKey<Vec<u8>>, proofs: &[(String, Vec<u8>, String)]) {
    let seen: Mutex<HashMap<[u8; 32], i64>> = Mutex::new(HashMap::new());
    for (input, sig, jti) in proofs {
        public.verify(input.as_bytes(), sig).unwrap();
        let h: [u8; 32] = Sha256::digest(jti.as_bytes()).into();
        assert!(seen.lock().insert(h, 1_700_000_065).is_none());
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "verify".into());
    let n: usize = args.next().map_or(1000, |s| s.parse().unwrap());
    let key = DpopKey::generate(Algorithm::ES256).unwrap();
    let options = DpopProofOptions::new().with_access_token(TOKEN);
    let proofs: Vec<String> = (0..n)
        .map(|_| key.proof("GET", URL, &options).unwrap())
        .collect();
    match mode.as_str() {
        "verify" => {
            let verifier = DpopVerifier::new(DpopVerifierOptions::new()).unwrap();
            let checks = DpopChecks::new()
                .with_access_token(TOKEN)
                .with_jkt(key.thumbprint());
            run_verify(&verifier, &proofs, &checks);
        }
        "floor" => {
            let jwk = key.public_jwk();
            let coordinate =
                |name: &str| URL_SAFE_NO_PAD.decode(jwk[name].as_str().unwrap()).unwrap();
            let mut point = vec![4u8];
            point.extend(coordinate("x"));
            point.extend(coordinate("y"));
            let public = UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point);
            let split: Vec<_> = proofs
                .iter()
                .enumerate()
                .map(|(i, proof)| {
                    let (input, sig) = proof.rsplit_once('.').unwrap();
                    let sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
                    (
                        input.to_owned(),
                        sig,
                        format!("jti-{i:016}-abcdefghijklmnop"),
                    )
                })
                .collect();
            run_floor(&public, &split);
        }
        _ => panic!("mode: verify or floor"),
    }
}
