//! The Rust HTTP client hook, `TokenSource::send_authorized` with `reqwest`, against the real
//! oauth2-mock-server: its protected resource `/__api` accepts only the access tokens issued
//! since the last `/__api_revoke` (tests/oauth/mock-server.mjs), `/__dpop_api` checks DPoP
//! proofs and asks for nonces (tests/oauth/dpop.mjs). One refresh and one retry after a
//! rejection, never a loop, nothing retried that a new token cannot fix, no token in errors
//! or logs.

use crate::common;

use common::{MockServer, Reply, TestServer};
use tokenward::dpop::DpopKey;
use tokenward::jwt::Algorithm;
use tokenward::oauth::{OAuthClient, OAuthClientOptions};
use tokenward::refresh::{TokenSource, TokenSourceOptions};
use tokenward::{ErrorCode, Secret};

async fn source(server: &MockServer, key: Option<DpopKey>) -> TokenSource {
    let mut options =
        OAuthClientOptions::default().with_client_secret(Secret::new("mock-secret").unwrap());
    if let Some(key) = key {
        options = options.with_dpop_key(key);
    }
    let client = OAuthClient::discover(&server.issuer, "mock-client", options)
        .await
        .unwrap();
    TokenSource::client_credentials(client, vec!["read".into()], TokenSourceOptions::default())
        .unwrap()
}

async fn body(answer: reqwest::Response) -> serde_json::Value {
    answer.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_authorized_puts_the_token_on_the_request() {
    let logs = crate::refresh_http::capture_logs();
    let server = MockServer::start();
    let source = source(&server, None).await;
    let http = reqwest::Client::new();
    let url = format!("{}/__api", server.issuer);
    let answer = source
        .send_authorized(|| http.post(&url).body("payload"))
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let answer = body(answer).await;
    assert_eq!(answer["ok"], true);
    assert_eq!(answer["method"], "POST");
    assert_eq!(answer["body"], "payload");
    // A token the builder set is replaced, not sent alongside.
    let answer = source
        .send_authorized(|| http.get(&url).bearer_auth("stale"))
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(server.count("token").await, 1, "the cached token is reused");
    assert_eq!(server.count("__api").await, 2, "no retry");
    let token = source.token().await.unwrap();
    assert!(!String::from_utf8_lossy(&logs.0.lock()).contains(token.expose()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_authorized_refreshes_once_after_a_rejection() {
    let logs = crate::refresh_http::capture_logs();
    let server = MockServer::start();
    let source = source(&server, None).await;
    let http = reqwest::Client::new();
    let url = format!("{}/__api", server.issuer);
    let used = source.token().await.unwrap();
    server.control("/__api_revoke").await;

    let mut built = 0;
    let answer = source
        .send_authorized(|| {
            built += 1;
            http.put(&url).body("again")
        })
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(
        body(answer).await["body"],
        "again",
        "the retry sends the body again"
    );
    assert_eq!(built, 2, "one retry");
    assert_eq!(server.count("token").await, 2, "one refresh");
    assert_eq!(server.count("__api").await, 2);
    let now = source.token().await.unwrap();
    assert_ne!(now.secret().fingerprint(), used.secret().fingerprint());
    let logs = String::from_utf8_lossy(&logs.0.lock()).into_owned();
    assert!(
        logs.contains("retrying once"),
        "the retry logged nothing: the check below would prove nothing"
    );
    assert!(!logs.contains(used.expose()) && !logs.contains(now.expose()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_authorized_retries_once_then_hands_back_the_401() {
    let server = MockServer::start();
    let source = source(&server, None).await;
    let http = reqwest::Client::new();
    let url = format!("{}/__api", server.issuer);
    // Every token rejected, with `invalid_token` and with a bare Bearer challenge.
    for (error, round) in [("invalid_token", 1), ("", 2)] {
        server
            .control(&format!("/__api_error?error={error}&all=1"))
            .await;
        let answer = source.send_authorized(|| http.get(&url)).await.unwrap();
        assert_eq!(answer.status(), 401);
        let challenge = answer.headers()["www-authenticate"].to_str().unwrap();
        assert!(challenge.starts_with("Bearer"), "{challenge}");
        assert_eq!(server.count("__api").await, 2 * round, "exactly one retry");
        assert_eq!(
            server.count("token").await,
            1 + round,
            "exactly one refresh"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_authorized_does_not_retry_what_a_new_token_cannot_fix() {
    let server = MockServer::start();
    let source = source(&server, None).await;
    let http = reqwest::Client::new();
    let url = format!("{}/__api", server.issuer);
    for (n, error) in ["insufficient_scope", "invalid_request", "basic"]
        .into_iter()
        .enumerate()
    {
        server
            .control(&format!("/__api_error?error={error}&all=1"))
            .await;
        let answer = source.send_authorized(|| http.get(&url)).await.unwrap();
        assert_eq!(answer.status(), 401);
        assert_eq!(
            server.count("__api").await,
            n as u64 + 1,
            "{error}: no retry"
        );
    }
    assert_eq!(server.count("token").await, 1, "no refresh");

    // A 403, even with an invalid_token challenge, is not retried.
    let api = TestServer::start(|_| {
        Reply::json(403, "{}").header("www-authenticate", r#"Bearer error="invalid_token""#)
    })
    .await;
    let answer = source
        .send_authorized(|| http.get(format!("{}/thing", api.base)))
        .await
        .unwrap();
    assert_eq!(answer.status(), 403);
    let seen = api.requests.lock().clone();
    assert_eq!(seen.len(), 1, "no retry");
    let token = source.token().await.unwrap();
    assert_eq!(
        seen[0].header("authorization"),
        Some(format!("Bearer {}", token.expose()).as_str())
    );
    assert!(seen[0].header("dpop").is_none());
    assert_eq!(server.count("token").await, 1, "no refresh");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_authorized_answers_a_dpop_nonce_challenge_once() {
    let server = MockServer::start();
    let key = DpopKey::generate(Algorithm::ES256).unwrap();
    let source = source(&server, Some(key.clone())).await;
    let http = reqwest::Client::new();
    let url = format!("{}/__dpop_api?page=1", server.issuer);
    assert!(source.token().await.unwrap().is_dpop());

    // The resource server wants a nonce: one retry with a proof carrying it.
    server.control("/__dpop_nonce?api=require").await;
    let answer = source.send_authorized(|| http.get(&url)).await.unwrap();
    assert_eq!(answer.status(), 200);
    let answer = body(answer).await;
    assert_eq!(answer["jkt"], key.thumbprint(), "{answer}");
    assert_eq!(server.count("__dpop_api").await, 2);
    // The nonce is remembered for the origin: no challenge the next time.
    let answer = source.send_authorized(|| http.post(&url)).await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(body(answer).await["method"], "POST");
    assert_eq!(server.count("__dpop_api").await, 3);

    // A nonce sent on a 200 goes into the next proof.
    server.control("/__dpop_nonce?api=advertise").await;
    let answer = source.send_authorized(|| http.get(&url)).await.unwrap();
    assert_eq!(answer.status(), 200);
    let sent = server.control("/__dpop_last").await["advertised"]["api"].clone();
    assert!(sent.is_string());
    let answer = source.send_authorized(|| http.get(&url)).await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(server.control("/__dpop_last").await["api"]["nonce"], sent);
    assert_eq!(server.count("__dpop_api").await, 5);

    // A server that challenges every time: one retry, then its 401 comes back.
    server.control("/__dpop_nonce?api=always").await;
    let answer = source.send_authorized(|| http.get(&url)).await.unwrap();
    assert_eq!(answer.status(), 401);
    assert_eq!(server.count("__dpop_api").await, 7, "exactly one retry");
    assert_eq!(server.count("token").await, 1, "a nonce needs no new token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_authorized_errors_have_codes_and_no_token() {
    let server = MockServer::start();
    let source = source(&server, None).await;
    let token = source.token().await.unwrap();
    let http = reqwest::Client::new();

    // Nobody listens there: `network`.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api?k=v", closed.local_addr().unwrap());
    drop(closed);
    let err = source.send_authorized(|| http.get(&url)).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Network);
    // Too slow: `timeout`.
    let slow =
        TestServer::start(|_| Reply::json(200, "{}").delay(std::time::Duration::from_secs(5)))
            .await;
    let err2 = source
        .send_authorized(|| {
            http.get(&slow.base)
                .timeout(std::time::Duration::from_millis(100))
        })
        .await
        .unwrap_err();
    assert_eq!(err2.code(), ErrorCode::Timeout);
    // A request the builder could not make: `invalid_input`.
    let err3 = source
        .send_authorized(|| http.get("not a url"))
        .await
        .unwrap_err();
    assert_eq!(err3.code(), ErrorCode::InvalidInput);
    for err in [err, err2, err3] {
        let printed = format!("{err} {err:?} {:?}", std::error::Error::source(&err));
        assert!(!printed.contains(token.expose()), "{printed}");
    }
    assert_eq!(
        server.count("token").await,
        1,
        "no refresh after a failed send"
    );
}
