//! Remote JWKS against a real HTTP server on localhost: rotation, unknown kid + cooldown,
//! single-flight, server down (stale keys), slow server (timeout), Cache-Control, garbage.
// Test and bench helpers outside #[test] functions may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use tokenward::clock::ManualClock;
use tokenward::jwt::{
    Algorithm, IssueOptions, JwtIssuer, JwtVerifier, Key, KeySet, RemoteKeySet, RemoteOptions,
    VerifierOptions,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[derive(Clone)]
struct Reply {
    status: u16,
    body: String,
    cache_control: Option<String>,
    delay: Duration,
}

/// A minimal HTTP/1.1 server answering every request with the current `Reply`.
struct TestServer {
    url: String,
    reply: Arc<Mutex<Reply>>,
    hits: Arc<AtomicUsize>,
}

impl TestServer {
    async fn start(reply: Reply) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
        let reply = Arc::new(Mutex::new(reply));
        let hits = Arc::new(AtomicUsize::new(0));
        let (r, h) = (reply.clone(), hits.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let (r, h) = (r.clone(), h.clone());
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 4096];
                    let _ = sock.read(&mut buf).await;
                    h.fetch_add(1, Ordering::SeqCst);
                    let reply = r.lock().clone();
                    tokio::time::sleep(reply.delay).await;
                    let cc = reply
                        .cache_control
                        .map(|c| format!("cache-control: {c}\r\n"))
                        .unwrap_or_default();
                    let head = format!(
                        "HTTP/1.1 {} X\r\ncontent-type: application/json\r\n{cc}content-length: {}\r\nconnection: close\r\n\r\n",
                        reply.status,
                        reply.body.len()
                    );
                    let _ = sock.write_all(head.as_bytes()).await;
                    let _ = sock.write_all(reply.body.as_bytes()).await;
                });
            }
        });
        TestServer { url, reply, hits }
    }

    fn set(&self, f: impl FnOnce(&mut Reply)) {
        f(&mut self.reply.lock());
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

fn ok(body: String) -> Reply {
    Reply {
        status: 200,
        body,
        cache_control: None,
        delay: Duration::ZERO,
    }
}

fn signer(kid: &str) -> (JwtIssuer, String) {
    let key = Key::generate(Algorithm::ES256).unwrap().with_kid(kid);
    let jwks = KeySet::single(key.clone()).to_jwks().to_string();
    (JwtIssuer::new(key, None).unwrap(), jwks)
}

fn verifier() -> JwtVerifier {
    JwtVerifier::new(
        KeySet::new(),
        VerifierOptions {
            algorithms: vec![Algorithm::ES256],
            ..Default::default()
        },
    )
    .unwrap()
}

fn token(issuer: &JwtIssuer) -> String {
    issuer
        .issue(&Default::default(), &IssueOptions::default())
        .unwrap()
}

#[tokio::test]
async fn rotation_with_unknown_kid_and_cooldown() {
    let (a, jwks_a) = signer("a");
    let (b, jwks_b) = signer("b");
    let server = TestServer::start(ok(jwks_a)).await;
    let clock = ManualClock::at_unix(1_900_000_000);
    let remote =
        RemoteKeySet::with_clock(&server.url, RemoteOptions::default(), clock.clone()).unwrap();
    let v = verifier();
    remote.verify(&v, &token(&a)).await.unwrap();
    assert_eq!(server.hits(), 1);

    // Rotation: b appears. Within the cooldown an unknown kid is refused without a fetch.
    server.set(|r| r.body = jwks_b);
    let err = remote.verify(&v, &token(&b)).await.unwrap_err();
    assert_eq!(err.code().as_str(), "key_not_found");
    assert_eq!(server.hits(), 1);
    // After the cooldown the unknown kid triggers one refetch and verifies.
    clock.advance(Duration::from_secs(31));
    remote.verify(&v, &token(&b)).await.unwrap();
    assert_eq!(server.hits(), 2);
    // A forged kid right after is refused without hammering the server.
    let (forged, _) = signer("forged");
    assert!(remote.verify(&v, &token(&forged)).await.is_err());
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn concurrent_misses_share_one_request() {
    let (_a, jwks) = signer("a");
    let server = TestServer::start(Reply {
        delay: Duration::from_millis(200),
        ..ok(jwks)
    })
    .await;
    let remote = RemoteKeySet::new(&server.url, RemoteOptions::default()).unwrap();
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
    let server = TestServer::start(ok(jwks)).await;
    let clock = ManualClock::at_unix(1_900_000_000);
    let options = RemoteOptions {
        max_stale: Duration::from_secs(3600),
        ..Default::default()
    };
    let remote = RemoteKeySet::with_clock(&server.url, options, clock.clone()).unwrap();
    let v = verifier();
    remote.verify(&v, &token(&a)).await.unwrap();
    server.set(|r| {
        r.status = 500;
        r.body = "oops".into();
    });
    clock.advance(Duration::from_secs(601)); // past the 10 min TTL
    remote.verify(&v, &token(&a)).await.unwrap(); // stale keys keep serving
    assert_eq!(server.hits(), 2);
    clock.advance(Duration::from_secs(3600)); // past max_stale
    let err = remote.keys().await.unwrap_err();
    assert_eq!(err.code().as_str(), "server_error");
}

#[tokio::test]
async fn slow_server_times_out() {
    let (_a, jwks) = signer("a");
    let server = TestServer::start(Reply {
        delay: Duration::from_secs(3),
        ..ok(jwks)
    })
    .await;
    let mut options = RemoteOptions::default();
    options.http.timeout = Duration::from_millis(200);
    let remote = RemoteKeySet::new(&server.url, options).unwrap();
    let started = std::time::Instant::now();
    let err = remote.keys().await.unwrap_err();
    assert_eq!(err.code().as_str(), "timeout");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn cache_control_is_honoured_within_bounds() {
    let (_a, jwks) = signer("a");
    let server = TestServer::start(Reply {
        cache_control: Some("public, max-age=120".into()),
        ..ok(jwks)
    })
    .await;
    let clock = ManualClock::at_unix(1_900_000_000);
    let remote =
        RemoteKeySet::with_clock(&server.url, RemoteOptions::default(), clock.clone()).unwrap();
    remote.keys().await.unwrap();
    clock.advance(Duration::from_secs(100));
    remote.keys().await.unwrap();
    assert_eq!(server.hits(), 1);
    clock.advance(Duration::from_secs(21));
    remote.keys().await.unwrap();
    assert_eq!(server.hits(), 2);
    // max-age=1 is raised to min_ttl (60 s).
    server.set(|r| r.cache_control = Some("max-age=1".into()));
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
        let server = TestServer::start(ok(body.into())).await;
        let remote = RemoteKeySet::new(&server.url, RemoteOptions::default()).unwrap();
        assert_eq!(
            remote.keys().await.unwrap_err().code().as_str(),
            "invalid_response",
            "{body}"
        );
    }
    let huge = format!("{{\"keys\":[],\"pad\":\"{}\"}}", "x".repeat(300_000));
    let server = TestServer::start(ok(huge)).await;
    let remote = RemoteKeySet::new(&server.url, RemoteOptions::default()).unwrap();
    assert_eq!(
        remote.keys().await.unwrap_err().code().as_str(),
        "invalid_response"
    );
}

#[tokio::test]
async fn plain_http_needs_loopback_or_explicit_opt_in() {
    let err = RemoteKeySet::new(
        "http://keys.example.com/jwks.json",
        RemoteOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.code().as_str(), "invalid_input");
    let mut options = RemoteOptions::default();
    options.http.dangerous_allow_http = true;
    assert!(RemoteKeySet::new("http://keys.example.com/jwks.json", options).is_ok());
    assert!(RemoteKeySet::new(
        "https://keys.example.com/jwks.json",
        RemoteOptions::default()
    )
    .is_ok());
    let closed =
        RemoteKeySet::new("http://127.0.0.1:9/jwks.json", RemoteOptions::default()).unwrap();
    assert_eq!(closed.keys().await.unwrap_err().code().as_str(), "network");
}

#[tokio::test]
async fn oidc_discovery_checks_the_issuer() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (a, jwks) = signer("a");
    let config = format!("{{\"issuer\":\"{base}\",\"jwks_uri\":\"{base}/jwks\"}}");
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let (config, jwks) = (config.clone(), jwks.clone());
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]);
                let body = if req.starts_with("GET /.well-known/openid-configuration") {
                    config
                } else {
                    jwks
                };
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(body.as_bytes()).await;
            });
        }
    });
    let (issuer, remote) = tokenward::jwt::discover(&base, RemoteOptions::default())
        .await
        .unwrap();
    assert_eq!(issuer, base);
    remote.verify(&verifier(), &token(&a)).await.unwrap();
    let err = tokenward::jwt::discover(&format!("{base}/other"), RemoteOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.code().as_str(), "invalid_response");
}
