//! The verifier against proofs made by [`DpopKey::proof`] and by hand.

use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

use super::*;
use crate::clock::ManualClock;
use crate::jwt::{Algorithm, JwtKey};
use crate::ErrorCode;

const NOW: u64 = 1_700_000_000;
const URL: &str = "https://api.example/orders";

fn setup(options: DpopVerifierOptions) -> (Arc<ManualClock>, DpopVerifier, DpopProofOptions) {
    let clock = ManualClock::at_unix(NOW);
    let verifier = DpopVerifier::new(options.with_clock(clock.clone())).unwrap();
    (
        clock.clone(),
        verifier,
        DpopProofOptions::new().with_clock(clock),
    )
}

fn code(r: Result<VerifiedDpopProof, crate::Error>) -> ErrorCode {
    r.unwrap_err().code()
}

/// A proof signed by `key` with any header and claims.
fn hand_made(key: &JwtKey, alg: Algorithm, header: &Value, claims: &Value) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let sig = key.sign(alg, input.as_bytes()).unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

#[test]
fn proofs_of_both_algorithms_verify_with_token_binding() {
    for alg in DpopKey::ALGORITHMS {
        let (_, verifier, opts) = setup(DpopVerifierOptions::new());
        let key = DpopKey::generate(alg).unwrap();
        let proof = key
            .proof(
                "POST",
                "https://api.example/orders?x=1#f",
                &opts.with_access_token("at"),
            )
            .unwrap();
        let checks = DpopChecks::new()
            .with_access_token("at")
            .with_jkt(key.thumbprint());
        let ok = verifier.verify(&proof, "POST", URL, &checks).unwrap();
        assert_eq!(ok.jkt, key.thumbprint());
        assert_eq!(ok.iat, NOW as i64);
        assert_eq!(URL_SAFE_NO_PAD.decode(&ok.jti).unwrap().len(), 16);
        assert_eq!(verifier.replay_cache_len(), 1);
    }
}

#[test]
fn request_mismatches_are_refused() {
    let key = DpopKey::generate(Algorithm::ES256).unwrap();
    let (_, verifier, opts) = setup(DpopVerifierOptions::new());
    let p = |o: &DpopProofOptions| key.proof("GET", URL, o).unwrap();
    let checks = DpopChecks::new();
    assert_eq!(
        code(verifier.verify(&p(&opts), "POST", URL, &checks)),
        ErrorCode::InvalidDpopProof
    );
    assert_eq!(
        code(verifier.verify(&p(&opts), "get", URL, &checks)),
        ErrorCode::InvalidDpopProof
    );
    assert_eq!(
        code(verifier.verify(&p(&opts), "GET", "https://api.example/other", &checks)),
        ErrorCode::InvalidDpopProof
    );
    assert_eq!(
        code(verifier.verify(&p(&opts), "GET", "http://api.example/orders", &checks)),
        ErrorCode::InvalidDpopProof
    );
    // ath: absent, or of another token.
    let with_at = DpopChecks::new().with_access_token("at");
    assert_eq!(
        code(verifier.verify(&p(&opts), "GET", URL, &with_at)),
        ErrorCode::InvalidDpopProof
    );
    let other = opts.clone().with_access_token("other");
    assert_eq!(
        code(verifier.verify(&p(&other), "GET", URL, &with_at)),
        ErrorCode::InvalidDpopProof
    );
    // cnf.jkt of another key.
    let bound =
        DpopChecks::new().with_jkt(DpopKey::generate(Algorithm::ES256).unwrap().thumbprint());
    assert_eq!(
        code(verifier.verify(&p(&opts), "GET", URL, &bound)),
        ErrorCode::InvalidDpopProof
    );
    // The request's own URL must be absolute.
    assert_eq!(
        code(verifier.verify(&p(&opts), "GET", "/orders", &checks)),
        ErrorCode::InvalidInput
    );
    // None of these refusals filled the replay cache.
    assert_eq!(verifier.replay_cache_len(), 0);
}

#[test]
fn iat_window_and_replay_follow_the_clock() {
    let key = DpopKey::generate(Algorithm::EdDSA).unwrap();
    let (clock, verifier, opts) = setup(
        DpopVerifierOptions::new()
            .with_max_age(Duration::from_secs(60))
            .with_leeway(Duration::from_secs(5)),
    );
    let checks = DpopChecks::new();
    let proof = key.proof("GET", URL, &opts).unwrap();
    clock.advance(Duration::from_secs(65));
    verifier.verify(&proof, "GET", URL, &checks).unwrap();
    assert_eq!(
        code(verifier.verify(&proof, "GET", URL, &checks)),
        ErrorCode::InvalidDpopProof,
        "replay"
    );
    let late = key
        .proof(
            "GET",
            URL,
            &DpopProofOptions::new().with_clock(ManualClock::at_unix(NOW)),
        )
        .unwrap();
    clock.advance(Duration::from_secs(1));
    assert_eq!(
        code(verifier.verify(&late, "GET", URL, &checks)),
        ErrorCode::InvalidDpopProof,
        "too old"
    );
    let future = key
        .proof(
            "GET",
            URL,
            &DpopProofOptions::new().with_clock(ManualClock::at_unix(NOW + 66 + 6)),
        )
        .unwrap();
    assert_eq!(
        code(verifier.verify(&future, "GET", URL, &checks)),
        ErrorCode::InvalidDpopProof,
        "future"
    );
    let skewed = key
        .proof(
            "GET",
            URL,
            &DpopProofOptions::new().with_clock(ManualClock::at_unix(NOW + 66 + 5)),
        )
        .unwrap();
    verifier.verify(&skewed, "GET", URL, &checks).unwrap();
}

#[test]
fn nonces_are_asked_for_then_accepted() {
    let key = DpopKey::generate(Algorithm::ES256).unwrap();
    let (clock, verifier, opts) =
        setup(DpopVerifierOptions::new().with_nonce_lifetime(Duration::from_secs(300)));
    let checks = DpopChecks::new();
    let bare = key.proof("GET", URL, &opts).unwrap();
    assert_eq!(
        code(verifier.verify(&bare, "GET", URL, &checks)),
        ErrorCode::UseDpopNonce
    );
    let nonce = verifier.nonce().unwrap();
    let wrong = key
        .proof("GET", URL, &opts.clone().with_nonce("made-up"))
        .unwrap();
    assert_eq!(
        code(verifier.verify(&wrong, "GET", URL, &checks)),
        ErrorCode::UseDpopNonce
    );
    let good = key
        .proof("GET", URL, &opts.clone().with_nonce(&nonce))
        .unwrap();
    verifier.verify(&good, "GET", URL, &checks).unwrap();
    clock.advance(Duration::from_secs(600));
    let stale = key
        .proof(
            "GET",
            URL,
            &DpopProofOptions::new()
                .with_clock(clock.clone())
                .with_nonce(&nonce),
        )
        .unwrap();
    assert_eq!(
        code(verifier.verify(&stale, "GET", URL, &checks)),
        ErrorCode::UseDpopNonce
    );
    assert_ne!(verifier.nonce().unwrap(), nonce);
}

#[test]
fn hostile_headers_are_refused() {
    let (_, verifier, _) = setup(DpopVerifierOptions::new());
    let ec = JwtKey::generate(Algorithm::ES256).unwrap();
    let mut public = ec.to_jwk().unwrap();
    let claims = json!({"jti": "j1", "htm": "GET", "htu": URL, "iat": NOW});
    let checks = DpopChecks::new();
    let refused = |header: Value, key: &JwtKey, alg: Algorithm| {
        code(verifier.verify(&hand_made(key, alg, &header, &claims), "GET", URL, &checks))
    };
    // Wrong typ, none, HS256, crit, no jwk.
    assert_eq!(
        refused(
            json!({"typ": "JWT", "alg": "ES256", "jwk": public}),
            &ec,
            Algorithm::ES256
        ),
        ErrorCode::InvalidDpopProof
    );
    assert_eq!(
        refused(
            json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": public, "crit": ["x"], "x": 1}),
            &ec,
            Algorithm::ES256
        ),
        ErrorCode::InvalidDpopProof
    );
    assert_eq!(
        refused(
            json!({"typ": "dpop+jwt", "alg": "ES256"}),
            &ec,
            Algorithm::ES256
        ),
        ErrorCode::InvalidDpopProof
    );
    let hmac = JwtKey::hmac(&[7u8; 32], Algorithm::HS256).unwrap();
    assert_eq!(
        refused(
            json!({"typ": "dpop+jwt", "alg": "HS256", "jwk": {"kty": "oct", "k": URL_SAFE_NO_PAD.encode([7u8; 32])}}),
            &hmac,
            Algorithm::HS256
        ),
        ErrorCode::InvalidDpopProof
    );
    let none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD
            .encode(json!({"typ": "dpop+jwt", "alg": "none", "jwk": public}).to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    assert_eq!(
        code(verifier.verify(&none, "GET", URL, &checks)),
        ErrorCode::InvalidDpopProof
    );
    // A private key in the jwk header.
    let private = DpopKey::generate(Algorithm::ES256).unwrap();
    let pem = private.export_private_key().unwrap();
    let signer = JwtKey::from_pem(pem.expose(), None).unwrap();
    let mut with_d = Value::Object(private.public_jwk().clone());
    with_d["d"] = "AAAA".into();
    assert_eq!(
        refused(
            json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": with_d}),
            &signer,
            Algorithm::ES256
        ),
        ErrorCode::InvalidDpopProof
    );
    // Signed by another key than the header's.
    assert_eq!(
        refused(
            json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": private.public_jwk()}),
            &ec,
            Algorithm::ES256
        ),
        ErrorCode::InvalidDpopProof
    );
    // The genuine header verifies (so the refusals above are about what they change).
    public["use"] = "sig".into();
    let ok = hand_made(
        &ec,
        Algorithm::ES256,
        &json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": public}),
        &claims,
    );
    verifier.verify(&ok, "GET", URL, &checks).unwrap();
}

#[test]
fn allowlist_and_options_are_enforced() {
    let key = DpopKey::generate(Algorithm::EdDSA).unwrap();
    let (_, verifier, opts) = setup(DpopVerifierOptions::new().with_algorithms([Algorithm::ES256]));
    let proof = key.proof("GET", URL, &opts).unwrap();
    assert_eq!(
        code(verifier.verify(&proof, "GET", URL, &DpopChecks::new())),
        ErrorCode::InvalidDpopProof
    );
    for bad in [
        DpopVerifierOptions::new().with_algorithms([]),
        DpopVerifierOptions::new().with_algorithms([Algorithm::HS256]),
        DpopVerifierOptions::new().with_replay_cache_size(0),
        DpopVerifierOptions::new().with_max_age(Duration::MAX),
    ] {
        assert_eq!(
            DpopVerifier::new(bad).unwrap_err().code(),
            ErrorCode::InvalidInput
        );
    }
    assert_eq!(
        key.proof("GET /x", URL, &opts).unwrap_err().code(),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        key.proof("GET", "/relative", &opts).unwrap_err().code(),
        ErrorCode::InvalidInput
    );
}

#[test]
fn debug_output_hides_tokens() {
    let opts = DpopProofOptions::new().with_access_token("secret-access-token");
    let checks = DpopChecks::new().with_access_token("secret-access-token");
    let text = format!("{opts:?} {checks:?}");
    assert!(!text.contains("secret-access-token"), "{text}");
}
