//! Regression tests for issue 14's hardening items 3, 4, 5 and 7 (OAuth part): redirects that
//! change scheme or port, durations and times that used to panic, symmetric keys from a remote
//! JWKS and RSA JWKs without `alg`, and server-chosen OAuth `error` strings.

use crate::common;
use tokenward::oauth::OAuthClientOptions;

use std::time::Duration;

use common::{token_body, Reply, TestServer};
use serde_json::json;
use tokenward::clock::{self, ManualClock};
use tokenward::jwt::{
    Algorithm, JwtIssueOptions, JwtIssuer, JwtIssuerOptions, JwtKey, JwtVerifier,
    JwtVerifierOptions, KeySet, RemoteJwtVerifier, RemoteKeySet, RemoteKeySetOptions,
};
use tokenward::oauth::{OAuthClient, Pkce};
use tokenward::{ErrorCode, Secret};

// ---- item 3: redirects (the policy itself is tested in core/src/http.rs) ---------------

/// A server that answers every request with a 307 to `to`.
async fn redirector(to: String) -> TestServer {
    TestServer::start(move |_| Reply::json(307, "").header("location", &to)).await
}

#[tokio::test]
async fn token_post_is_not_redirected_to_another_port() {
    let other = TestServer::start(|_| Reply::json(200, token_body("AT", 60, None))).await;
    let front = redirector(other.url("/token")).await;
    let client = OAuthClient::new(
        front.url("/token"),
        "client-1",
        OAuthClientOptions::default()
            .with_client_secret(Secret::new("s3cret-client-value").unwrap()),
    )
    .unwrap();
    let err = client.client_credentials(&[]).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidResponse, "{err}");
    assert_eq!(front.hits(), 1);
    assert_eq!(other.hits(), 0, "the client secret went to another port");
}

#[tokio::test]
async fn every_hop_is_checked_not_only_the_first() {
    // front /start -> front /next (same origin: followed) -> other port (refused).
    let other = TestServer::start(|_| Reply::json(200, token_body("AT", 60, None))).await;
    let target = other.url("/token");
    let front = TestServer::start(|_| Reply::json(200, "")).await;
    let next = front.url("/next");
    front.set(move |req| {
        let to = if req.path == "/start" { &next } else { &target };
        Reply::json(307, "").header("location", to)
    });
    let client = OAuthClient::new(
        front.url("/start"),
        "client-1",
        OAuthClientOptions::default()
            .with_client_secret(Secret::new("s3cret-client-value").unwrap()),
    )
    .unwrap();
    let pkce = Pkce::generate().unwrap();
    let err = client
        .exchange_code(
            &Secret::new("code-1").unwrap(),
            "http://127.0.0.1/cb",
            Some(&pkce),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidResponse, "{err}");
    assert_eq!(front.hits(), 2, "the same-origin hop is followed");
    assert_eq!(other.hits(), 0, "the code verifier went to another port");
}

#[tokio::test]
async fn jwks_fetch_is_not_redirected_to_another_port() {
    let key = JwtKey::generate(Algorithm::ES256).unwrap().with_kid("k");
    let jwks = KeySet::single(key).to_jwks().to_string();
    let other = TestServer::start(move |_| Reply::json(200, jwks.clone())).await;
    let front = redirector(other.url("/jwks.json")).await;
    let remote =
        RemoteKeySet::new(&front.url("/jwks.json"), RemoteKeySetOptions::default()).unwrap();
    let err = remote.keys().await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidResponse, "{err}");
    assert_eq!(other.hits(), 0);
}

// ---- item 4: durations and times -----------------------------------------------------------

#[test]
fn remote_options_out_of_range_are_invalid_input() {
    let jwks = "https://issuer.example/jwks.json";
    let huge = Duration::from_secs(u64::MAX);
    for options in [
        RemoteKeySetOptions::new().with_ttl(huge),
        RemoteKeySetOptions::new().with_max_ttl(huge),
        RemoteKeySetOptions::new().with_max_stale(huge),
        RemoteKeySetOptions::new()
            .with_min_ttl(Duration::from_secs(100))
            .with_max_ttl(Duration::from_secs(10)),
    ] {
        let err = RemoteKeySet::new(jwks, options.clone()).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{options:?}");
    }
}

#[tokio::test]
async fn huge_max_age_is_clamped_not_a_panic() {
    let key = JwtKey::generate(Algorithm::ES256).unwrap().with_kid("k");
    let jwks = KeySet::single(key).to_jwks().to_string();
    let server = TestServer::start(move |_| {
        Reply::json(200, jwks.clone()).header("cache-control", "max-age=18446744073709551615")
    })
    .await;
    let clock = ManualClock::at_unix(clock::MAX_UNIX_SECONDS - 10);
    let remote = RemoteKeySet::new(
        &server.url("/jwks.json"),
        RemoteKeySetOptions::default().with_clock(clock.clone()),
    )
    .unwrap();
    assert_eq!(remote.keys().await.unwrap().len(), 1);
    assert_eq!(remote.keys().await.unwrap().len(), 1);
    assert_eq!(remote.fetch_count(), 1);
}

#[test]
fn verifier_durations_are_bounded() {
    let key = JwtKey::hmac(&[7u8; 32], Algorithm::HS256).unwrap();
    for options in [
        JwtVerifierOptions::new([Algorithm::HS256])
            .with_max_age(Duration::from_secs(u64::MAX / 2))
            .with_leeway(Duration::from_secs(u64::MAX / 2)),
        JwtVerifierOptions::new([Algorithm::HS256]).with_leeway(Duration::MAX),
    ] {
        let err = JwtVerifier::new(key.clone(), options).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput);
    }
    // The largest accepted values still verify a fresh token (no overflow in max_age + leeway).
    let verifier = JwtVerifier::new(
        key.clone(),
        JwtVerifierOptions::new([Algorithm::HS256])
            .with_max_age(clock::MAX_DURATION)
            .with_leeway(clock::MAX_DURATION),
    )
    .unwrap();
    let token = JwtIssuer::new(key, JwtIssuerOptions::new())
        .unwrap()
        .issue(&Default::default(), &JwtIssueOptions::new())
        .unwrap();
    verifier.verify(&token).unwrap();
}

#[tokio::test]
async fn token_answer_at_the_end_of_time_does_not_panic() {
    let server = TestServer::start(|_| Reply::json(200, token_body("AT", 31_536_000, None))).await;
    let clock = ManualClock::at_unix(u64::MAX);
    let client = OAuthClient::new(
        server.url("/token"),
        "c",
        OAuthClientOptions::default()
            .with_client_secret(Secret::new("s3cret-client-value").unwrap())
            .with_clock(clock),
    )
    .unwrap();
    let t = client.client_credentials(&[]).await.unwrap();
    assert_eq!(t.access_token.expires_at(), Some(clock::max_time()));
}

// ---- item 5: keys from a remote JWKS ----------------------------------------------------------

const HS_SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

#[tokio::test]
async fn symmetric_keys_from_a_remote_jwks_are_never_used() {
    let es = JwtKey::generate(Algorithm::ES256).unwrap().with_kid("es");
    let mut jwks = KeySet::single(es).to_jwks();
    jwks["keys"].as_array_mut().unwrap().push(json!({
        "kty": "oct", "kid": "hs", "alg": "HS256",
        "k": tokenward_b64(HS_SECRET),
    }));
    let body = jwks.to_string();
    let server = TestServer::start(move |_| Reply::json(200, body.clone())).await;
    let remote =
        RemoteKeySet::new(&server.url("/jwks.json"), RemoteKeySetOptions::default()).unwrap();
    let keys = remote.keys().await.unwrap();
    assert_eq!(keys.len(), 1, "the oct entry is skipped, the EC key kept");
    // An attacker who read the JWKS mints an HS256 token with its secret.
    let forged = JwtIssuer::new(
        JwtKey::hmac(HS_SECRET, Algorithm::HS256)
            .unwrap()
            .with_kid("hs"),
        JwtIssuerOptions::new(),
    )
    .unwrap()
    .issue(&Default::default(), &JwtIssueOptions::new())
    .unwrap();
    let verifier = RemoteJwtVerifier::new(
        remote,
        JwtVerifierOptions::new([Algorithm::HS256, Algorithm::ES256]),
    )
    .unwrap();
    let err = verifier.verify(&forged).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::KeyNotFound, "{err}");
    // A local JWKS may still hold symmetric keys (it is configuration, not published).
    assert_eq!(KeySet::from_jwks(&jwks.to_string()).unwrap().len(), 2);
}

fn tokenward_b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[test]
fn rsa_jwk_without_alg_is_bound_to_pkcs1() {
    let private = JwtKey::generate(Algorithm::RS256).unwrap();
    let mut jwk = KeySet::single(private.clone()).to_jwks()["keys"][0].clone();
    jwk.as_object_mut().unwrap().remove("alg");
    jwk["kid"] = "r".into();
    let set = KeySet::from_jwks(&json!({ "keys": [jwk] }).to_string()).unwrap();
    let key = &set.keys()[0];
    for alg in [Algorithm::RS256, Algorithm::RS384, Algorithm::RS512] {
        assert!(key.accepts(alg), "{alg}");
    }
    for alg in [Algorithm::PS256, Algorithm::PS384, Algorithm::PS512] {
        assert!(!key.accepts(alg), "{alg}");
        assert!(key.with_algorithm(alg).is_err(), "{alg}");
    }
    let verifier = JwtVerifier::new(
        set,
        JwtVerifierOptions::new([Algorithm::RS256, Algorithm::PS256]),
    )
    .unwrap();
    let sign = |alg| {
        let k = JwtKey::from_pem(private.to_private_pem().unwrap().expose(), Some(alg))
            .unwrap()
            .with_kid("r");
        JwtIssuer::new(k, JwtIssuerOptions::new())
            .unwrap()
            .issue(&Default::default(), &JwtIssueOptions::new())
            .unwrap()
    };
    verifier.verify(&sign(Algorithm::RS256)).unwrap();
    let err = verifier.verify(&sign(Algorithm::PS256)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::AlgorithmNotAllowed);
}

// ---- item 7: OAuth error strings -------------------------------------------------------------

#[tokio::test]
async fn unknown_oauth_error_strings_are_not_echoed() {
    let hostile = "sk_live_51HqLyjWDarjtT1zdp7dcXYZ";
    let body = json!({ "error": hostile }).to_string();
    let server = TestServer::start(move |_| Reply::json(400, body.clone())).await;
    let client = OAuthClient::new(
        server.url("/token"),
        "c",
        OAuthClientOptions::default()
            .with_client_secret(Secret::new("s3cret-client-value").unwrap()),
    )
    .unwrap();
    let err = client.client_credentials(&[]).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidResponse);
    let printed = format!("{err} {err:?}");
    assert!(!printed.contains("sk_live"), "{printed}");
    assert!(printed.contains("unrecognized"), "{printed}");
    // The RFC vocabulary is still named.
    server.set(|_| Reply::json(400, r#"{"error":"invalid_grant"}"#));
    let err = client.client_credentials(&[]).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidGrant);
    assert!(err.message().contains("invalid_grant"), "{err}");
}
