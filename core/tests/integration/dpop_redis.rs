//! The DPoP `jti` replay cache on a real Redis (TOKENWARD_TEST_REDIS_URL, started by
//! scripts/servers.sh): a proof accepted by one verifier (or gateway instance) is a replay at
//! every other one sharing the Redis, concurrent presentations are accepted exactly once, the
//! key expires with the proof's window, and a Redis that cannot answer fails closed (503 at
//! the gateway).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokenward::dpop::{DpopChecks, DpopKey, DpopProofOptions, DpopVerifier, DpopVerifierOptions};
use tokenward::gateway::{Authenticator, AuthenticatorOptions, Request};
use tokenward::jwt::{
    Algorithm, JwtIssuer, JwtIssuerOptions, JwtKey, JwtVerifier, JwtVerifierOptions,
};
use tokenward::ErrorCode;

const URL: &str = "https://api.example/orders";

/// The server's URL; `None` (the test skips) outside CI, a failure under CI.
fn redis_url() -> Option<String> {
    match std::env::var("TOKENWARD_TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("TOKENWARD_TEST_REDIS_URL is not set: run the tests through scripts/servers.sh")
        }
        _ => {
            eprintln!("skipped: TOKENWARD_TEST_REDIS_URL is not set (scripts/servers.sh)");
            None
        }
    }
}

fn shared(url: &str, max_age: Duration) -> DpopVerifier {
    DpopVerifier::new(
        DpopVerifierOptions::new()
            .with_replay_cache_store(url)
            .with_max_age(max_age)
            .with_leeway(Duration::ZERO),
    )
    .unwrap()
}

#[test]
fn a_proof_accepted_by_one_instance_is_a_replay_at_another() {
    let Some(url) = redis_url() else { return };
    let (a, b) = (
        shared(&url, Duration::from_secs(60)),
        shared(&url, Duration::from_secs(60)),
    );
    let key = DpopKey::generate(Algorithm::ES256).unwrap();
    let proof = key.proof("GET", URL, &DpopProofOptions::new()).unwrap();
    a.verify(&proof, "GET", URL, &DpopChecks::new()).unwrap();
    for v in [&a, &b] {
        let err = v
            .verify(&proof, "GET", URL, &DpopChecks::new())
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidDpopProof);
    }
    // Nothing is held in process.
    assert_eq!(a.replay_cache_len(), 0);
    // Another proof of the same key is fresh.
    let other = key.proof("GET", URL, &DpopProofOptions::new()).unwrap();
    b.verify(&other, "GET", URL, &DpopChecks::new()).unwrap();
    // Two in-memory verifiers, by contrast, each accept the proof once.
    let (m1, m2) = (
        DpopVerifier::new(DpopVerifierOptions::new()).unwrap(),
        DpopVerifier::new(DpopVerifierOptions::new()).unwrap(),
    );
    let third = key.proof("GET", URL, &DpopProofOptions::new()).unwrap();
    m1.verify(&third, "GET", URL, &DpopChecks::new()).unwrap();
    m2.verify(&third, "GET", URL, &DpopChecks::new()).unwrap();
}

#[test]
fn concurrent_presentations_on_many_instances_are_accepted_once() {
    let Some(url) = redis_url() else { return };
    let verifiers: Vec<Arc<DpopVerifier>> = (0..4)
        .map(|_| Arc::new(shared(&url, Duration::from_secs(60))))
        .collect();
    let key = DpopKey::generate(Algorithm::EdDSA).unwrap();
    for _ in 0..5 {
        let proof = Arc::new(key.proof("POST", URL, &DpopProofOptions::new()).unwrap());
        let handles: Vec<_> = (0..16)
            .map(|i| {
                let (v, p) = (Arc::clone(&verifiers[i % 4]), Arc::clone(&proof));
                std::thread::spawn(move || v.verify(&p, "POST", URL, &DpopChecks::new()).is_ok())
            })
            .collect();
        let accepted = handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .filter(|ok| *ok)
            .count();
        assert_eq!(accepted, 1);
    }
}

#[test]
fn the_key_expires_with_the_proof_window() {
    let Some(url) = redis_url() else { return };
    let verifier = shared(&url, Duration::from_secs(1));
    let key = DpopKey::generate(Algorithm::ES256).unwrap();
    let proof = key.proof("GET", URL, &DpopProofOptions::new()).unwrap();
    let claims = verifier
        .verify(&proof, "GET", URL, &DpopChecks::new())
        .unwrap();
    // The Redis key lives for the rest of the window (iat + 1 s max age), plus one second.
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut conn = client.get_connection().unwrap();
    let digest = <sha2::Sha256 as sha2::Digest>::digest(claims.jti.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let ttl: i64 = redis::cmd("TTL")
        .arg(format!("tokenward:dpop:jti:{hex}"))
        .query(&mut conn)
        .unwrap();
    assert!((1..=3).contains(&ttl), "ttl {ttl}");
}

#[test]
fn an_unreachable_redis_fails_closed_and_the_gateway_answers_503() {
    // Nothing listens on port 1 of loopback.
    let verifier = Arc::new(shared("redis://127.0.0.1:1/", Duration::from_secs(60)));
    let key = DpopKey::generate(Algorithm::ES256).unwrap();
    let proof = key.proof("GET", URL, &DpopProofOptions::new()).unwrap();
    let err = verifier
        .verify(&proof, "GET", URL, &DpopChecks::new())
        .unwrap_err();
    assert!(
        matches!(err.code(), ErrorCode::Network | ErrorCode::Timeout),
        "{err:?}"
    );
    // The URL is not printed.
    assert!(!format!(
        "{:?}",
        DpopVerifierOptions::new().with_replay_cache_store("redis://:pw@127.0.0.1:1/")
    )
    .contains("pw"));

    let hmac = JwtKey::hmac(b"dpop-redis-test-secret-0123456789abcdef", Algorithm::HS256).unwrap();
    let issuer = JwtIssuer::new(hmac.clone(), JwtIssuerOptions::new()).unwrap();
    let auth = Authenticator::new(
        AuthenticatorOptions::new()
            .with_jwt(Arc::new(
                JwtVerifier::new(hmac, JwtVerifierOptions::new([Algorithm::HS256])).unwrap(),
            ))
            .with_dpop(verifier),
    )
    .unwrap();
    let mut claims = serde_json::Map::new();
    claims.insert("sub".into(), "user-1".into());
    claims.insert("cnf".into(), json!({"jkt": key.thumbprint()}));
    let token = issuer.issue(&claims, &Default::default()).unwrap();
    let proof = key
        .proof(
            "GET",
            URL,
            &DpopProofOptions::new().with_access_token(&token),
        )
        .unwrap();
    let authz = format!("DPoP {token}");
    let headers = [
        ("authorization", authz.as_str()),
        ("dpop", proof.as_str()),
        ("host", "api.example"),
    ];
    let refusal = auth
        .authenticate(&Request {
            method: "GET",
            path: "/orders",
            headers: &headers,
            client_ip: Some("203.0.113.9".parse::<IpAddr>().unwrap()),
            ..Request::default()
        })
        .unwrap_err();
    assert_eq!(refusal.status, 503);
    assert!(matches!(
        refusal.code,
        ErrorCode::Network | ErrorCode::Timeout
    ));
    assert!(refusal.www_authenticate.is_none());
}

#[test]
fn unsupported_stores_are_invalid_input() {
    for spec in ["postgres://x/y", "http://127.0.0.1:6379", "redis:/oops"] {
        let err = DpopVerifier::new(DpopVerifierOptions::new().with_replay_cache_store(spec))
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{spec}");
    }
    DpopVerifier::new(DpopVerifierOptions::new().with_replay_cache_store("memory")).unwrap();
}
