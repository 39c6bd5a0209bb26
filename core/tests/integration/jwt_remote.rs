//! Remote JWKS against a real HTTP server on localhost: rotation, unknown kid + cooldown,
//! single-flight, server down (stale keys), slow server (timeout), Cache-Control, garbage.

use crate::common;

use std::time::Duration;

use common::{Reply, TestServer};
use tokenward::clock::ManualClock;
use tokenward::http::HttpPolicy;
use tokenward::jwt::{
    Algorithm, JwtIssueOptions, JwtIssuer, JwtIssuerOptions, JwtKey, JwtVerifierOptions, KeySet,
    RemoteJwtVerifier, RemoteKeySet, RemoteKeySetOptions,
};

const JWKS_PATH: &str = "/jwks.json";

/// A server answering every request with `reply`.
async fn serve(reply: Reply) -> TestServer {
    TestServer::start(move |_| reply.clone()).await
}

fn ok(body: String) -> Reply {
    Reply::json(200, body)
}

fn signer(kid: &str) -> (JwtIssuer, String) {
    let key = JwtKey::generate(Algorithm::ES256).unwrap().with_kid(kid);
    let jwks = KeySet::single(key.clone()).to_jwks().to_string();
    (JwtIssuer::new(key, JwtIssuerOptions::new()).unwrap(), jwks)
}

/// An ES256 verifier over `remote` (cheap: the key set's cache is shared).
fn verifier(remote: &RemoteKeySet) -> RemoteJwtVerifier {
    RemoteJwtVerifier::new(remote.clone(), JwtVerifierOptions::new([Algorithm::ES256])).unwrap()
}

fn token(issuer: &JwtIssuer) -> String {
    issuer
        .issue(&Default::default(), &JwtIssueOptions::new())
        .unwrap()
}

#[tokio::test]
async fn rotation_with_unknown_kid_and_cooldown() {
    let (a, jwks_a) = signer("a");
    let (b, jwks_b) = signer("b");
    let server = serve(ok(jwks_a)).await;
    let clock = ManualClock::at_unix(1_900_000_000);
    let remote = RemoteKeySet::new(
        &server.url(JWKS_PATH),
        RemoteKeySetOptions::default().with_clock(clock.clone()),
    )
    .unwrap();
    verifier(&remote).verify(&token(&a)).await.unwrap();
    assert_eq!(server.hits(), 1);

    // Rotation: b appears. Within the cooldown an unknown kid is refused without a fetch.
    server.set(move |_| ok(jwks_b.clone()));
    let err = verifier(&remote).verify(&token(&b)).await.unwrap_err();
    assert_eq!(err.code().as_str(), "key_not_found");
    assert_eq!(server.hits(), 1);
    // After the cooldown the unknown kid triggers one refetch and verifies.
    clock.advance(Duration::from_secs(31));
    verifier(&remote).verify(&token(&b)).await.unwrap();
    assert_eq!(server.hits(), 2);
    // A forged kid right after is refused without hammering the server.
    let (forged, _) = signer("forged");
    assert!(verifier(&remote).verify(&token(&forged)).await.is_err());
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn concurrent_misses_share_one_request() {
    let (_a, jwks) = signer("a");
    let server = serve(ok(jwks).delay(Duration::from_millis(200))).await;
    let remote = RemoteKeySet::new(&server.url(JWKS_PATH), RemoteKeySetOptions::default()).unwrap();
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let r = remote.clone();
            tokio::spawn(async move { r.keys().await.map(|k| k.len()) })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), 1);
    }
    assert_eq!(server.hits(), 1);
    assert_eq!(remote.fetch_count(), 1);
}

#[tokio::test]
async fn server_down_serves_stale_keys_within_bounds() {
    let (a, jwks) = signer("a");
    let server = serve(ok(jwks)).await;
    let clock = ManualClock::at_unix(1_900_000_000);
    let options = RemoteKeySetOptions::new().with_max_stale(Duration::from_secs(3600));
    let remote =
        RemoteKeySet::new(&server.url(JWKS_PATH), options.with_clock(clock.clone())).unwrap();
    verifier(&remote).verify(&token(&a)).await.unwrap();
    server.set(|_| Reply::json(500, "oops"));
    clock.advance(Duration::from_secs(601)); // past the 10 min TTL
    verifier(&remote).verify(&token(&a)).await.unwrap(); // stale keys keep serving
    assert_eq!(server.hits(), 2);
    clock.advance(Duration::from_secs(3600)); // past max_stale
    let err = remote.keys().await.unwrap_err();
    assert_eq!(err.code().as_str(), "server_error");
}

#[tokio::test]
async fn slow_server_times_out() {
    let (_a, jwks) = signer("a");
    let server = serve(ok(jwks).delay(Duration::from_secs(3))).await;
    let options = RemoteKeySetOptions::new().with_http(HttpPolicy {
        timeout: Duration::from_millis(200),
        ..Default::default()
    });
    let remote = RemoteKeySet::new(&server.url(JWKS_PATH), options).unwrap();
    let started = std::time::Instant::now();
    let err = remote.keys().await.unwrap_err();
    assert_eq!(err.code().as_str(), "timeout");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn cache_control_is_honoured_within_bounds() {
    let (_a, jwks) = signer("a");
    let server = serve(ok(jwks.clone()).header("cache-control", "public, max-age=120")).await;
    let clock = ManualClock::at_unix(1_900_000_000);
    let remote = RemoteKeySet::new(
        &server.url(JWKS_PATH),
        RemoteKeySetOptions::default().with_clock(clock.clone()),
    )
    .unwrap();
    remote.keys().await.unwrap();
    clock.advance(Duration::from_secs(100));
    remote.keys().await.unwrap();
    assert_eq!(server.hits(), 1);
    clock.advance(Duration::from_secs(21));
    remote.keys().await.unwrap();
    assert_eq!(server.hits(), 2);
    // max-age=1 is raised to min_ttl (60 s).
    server.set(move |_| ok(jwks.clone()).header("cache-control", "max-age=1"));
    clock.advance(Duration::from_secs(121));
    remote.keys().await.unwrap();
    clock.advance(Duration::from_secs(30));
    remote.keys().await.unwrap();
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn broken_documents_are_invalid_response() {
    for body in [
        "not json",
        "[]",
        "{\"keys\": 1}",
        "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}",
        "{\"a\":1,\"a\":2}",
    ] {
        let server = serve(ok(body.into())).await;
        let remote =
            RemoteKeySet::new(&server.url(JWKS_PATH), RemoteKeySetOptions::default()).unwrap();
        assert_eq!(
            remote.keys().await.unwrap_err().code().as_str(),
            "invalid_response",
            "{body}"
        );
    }
    let huge = format!("{{\"keys\":[],\"pad\":\"{}\"}}", "x".repeat(300_000));
    let server = serve(ok(huge)).await;
    let remote = RemoteKeySet::new(&server.url(JWKS_PATH), RemoteKeySetOptions::default()).unwrap();
    assert_eq!(
        remote.keys().await.unwrap_err().code().as_str(),
        "invalid_response"
    );
}

#[tokio::test]
async fn plain_http_needs_loopback_or_explicit_opt_in() {
    let err = RemoteKeySet::new(
        "http://keys.example.com/jwks.json",
        RemoteKeySetOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.code().as_str(), "invalid_input");
    let options = RemoteKeySetOptions::new().with_http(HttpPolicy {
        dangerous_allow_http: true,
        ..Default::default()
    });
    assert!(RemoteKeySet::new("http://keys.example.com/jwks.json", options).is_ok());
    assert!(RemoteKeySet::new(
        "https://keys.example.com/jwks.json",
        RemoteKeySetOptions::default()
    )
    .is_ok());
    let closed = RemoteKeySet::new(
        "http://127.0.0.1:9/jwks.json",
        RemoteKeySetOptions::default(),
    )
    .unwrap();
    assert_eq!(closed.keys().await.unwrap_err().code().as_str(), "network");
}

#[tokio::test]
async fn oidc_discovery_checks_the_issuer() {
    let server = TestServer::start(|_| ok(String::new())).await;
    let base = server.base.clone();
    let key = JwtKey::generate(Algorithm::ES256).unwrap().with_kid("a");
    let jwks = KeySet::single(key.clone()).to_jwks().to_string();
    let a = JwtIssuer::new(key.clone(), JwtIssuerOptions::new()).unwrap();
    let a_iss = JwtIssuer::new(key, JwtIssuerOptions::new().with_issuer(base.as_str())).unwrap();
    let config = format!("{{\"issuer\":\"{base}\",\"jwks_uri\":\"{base}/jwks\"}}");
    server.set(move |req| {
        if req.path == "/.well-known/openid-configuration" {
            ok(config.clone())
        } else {
            ok(jwks.clone())
        }
    });
    let (issuer, remote) = tokenward::jwt::discover(&base, RemoteKeySetOptions::default())
        .await
        .unwrap();
    assert_eq!(issuer, base);
    assert_eq!(remote.issuer(), Some(base.as_str()));
    // The discovered issuer is enforced without being named: a token without it is refused.
    let err = verifier(&remote).verify(&token(&a)).await.unwrap_err();
    assert_eq!(err.code().as_str(), "missing_claim");
    verifier(&remote).verify(&token(&a_iss)).await.unwrap();
    let err = tokenward::jwt::discover(&format!("{base}/other"), RemoteKeySetOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.code().as_str(), "invalid_response");
}

/// An endpoint that goes down after the TTL: the first verify pays one timeout, then the set
/// backs off (stale keys serve, no request goes out) until the backoff ends; with no usable
/// stale keys, callers fail fast with the failure's code instead of each waiting the timeout.
#[tokio::test]
async fn outage_backs_off_instead_of_refetching_every_verify() {
    let (a, jwks) = signer("a");
    let server = serve(ok(jwks)).await;
    let clock = ManualClock::at_unix(1_900_000_000);
    let options = RemoteKeySetOptions::new()
        .with_max_stale(Duration::from_secs(3600))
        .with_http(HttpPolicy {
            timeout: Duration::from_millis(300),
            ..Default::default()
        });
    let remote =
        RemoteKeySet::new(&server.url(JWKS_PATH), options.with_clock(clock.clone())).unwrap();
    verifier(&remote).verify(&token(&a)).await.unwrap();
    assert_eq!(server.hits(), 1);
    // The endpoint goes down: it accepts connections and never answers in time.
    server.set(|_| Reply::json(500, "down").delay(Duration::from_secs(5)));
    clock.advance(Duration::from_secs(601)); // past the 10 min TTL
    for _ in 0..20 {
        verifier(&remote).verify(&token(&a)).await.unwrap(); // stale keys serve
    }
    assert_eq!(server.hits(), 2, "one attempt, then back off");
    let started = std::time::Instant::now();
    for _ in 0..20 {
        verifier(&remote).verify(&token(&a)).await.unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_millis(250),
        "no caller waits the timeout"
    );
    assert_eq!(server.hits(), 2);
    // After the first backoff (the 30 s cooldown) one more attempt goes out; the next backoff
    // is twice as long.
    clock.advance(Duration::from_secs(31));
    verifier(&remote).verify(&token(&a)).await.unwrap();
    verifier(&remote).verify(&token(&a)).await.unwrap();
    assert_eq!(server.hits(), 3);
    clock.advance(Duration::from_secs(31));
    verifier(&remote).verify(&token(&a)).await.unwrap();
    assert_eq!(server.hits(), 3, "second backoff is 60 s");
    clock.advance(Duration::from_secs(30));
    verifier(&remote).verify(&token(&a)).await.unwrap();
    assert_eq!(server.hits(), 4);
    // Past max_stale there are no keys to serve: fail fast with the failure's code.
    clock.advance(Duration::from_secs(3600));
    let err = remote.keys().await.unwrap_err();
    assert_eq!(err.code().as_str(), "timeout");
    assert_eq!(server.hits(), 5);
    let started = std::time::Instant::now();
    for _ in 0..10 {
        let err = remote.keys().await.unwrap_err();
        assert_eq!(err.code().as_str(), "timeout");
    }
    assert!(started.elapsed() < Duration::from_millis(250));
    assert_eq!(server.hits(), 5);
    // The endpoint recovers: after the backoff the next call fetches and the failures reset.
    let (b, jwks_b) = signer("b");
    server.set(move |_| ok(jwks_b.clone()));
    clock.advance(Duration::from_secs(MAX_BACKOFF_SECS));
    verifier(&remote).verify(&token(&b)).await.unwrap();
    assert_eq!(server.hits(), 6);
}

const MAX_BACKOFF_SECS: u64 = 300;
