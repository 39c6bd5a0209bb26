//! Opaque bearer tokens validated by RFC 7662 introspection (issue #7): against the real
//! `oauth2-mock-server` (active, revoked → inactive, counted server-side) and against the local
//! TestServer for faults (500, timeout, garbage, connection refused) and cache behaviour with an
//! injected clock.
//!
//! `cargo test --release -p tokenward --test gateway_introspection`

use crate::common;
use tokenward::apikey::ApiKeysOptions;

use std::sync::Arc;
use std::time::Duration;

use common::{MockServer, Reply, TestServer};
use tokenward::apikey::{ApiKeys, NewKey};
use tokenward::clock::{ManualClock, SharedClock};
use tokenward::gateway::{
    Authenticator, AuthenticatorOptions, CredentialKind, RateLimit, Request, RevocationKind,
    RevocationList, RevocationListOptions,
};
use tokenward::http::HttpPolicy;
use tokenward::oauth::{OAuthClient, OAuthClientOptions, TokenTypeHint};
use tokenward::Secret;

const T0: u64 = 1_700_000_000;

fn req<'a>(headers: &'a [(&'a str, &'a str)], scopes: &'a [&'a str]) -> Request<'a> {
    Request {
        method: "GET",
        path: "/v1/things",
        headers,
        client_ip: "198.51.100.7".parse().ok(),
        required_scopes: scopes,
        client_certificate: None,
    }
}

fn bearer(token: &str) -> [(&'static str, String); 1] {
    [("authorization", format!("Bearer {token}"))]
}

/// Runs `authenticate_async` for `token` with `scopes`.
async fn auth_async(
    auth: &Authenticator,
    token: &str,
    scopes: &[&str],
) -> Result<tokenward::gateway::Principal, tokenward::gateway::Refusal> {
    let h = bearer(token);
    let headers: Vec<(&str, &str)> = h.iter().map(|(n, v)| (*n, v.as_str())).collect();
    auth.authenticate_async(&req(&headers, scopes)).await
}

fn auth_sync(
    auth: &Authenticator,
    token: &str,
) -> Result<tokenward::gateway::Principal, tokenward::gateway::Refusal> {
    let h = bearer(token);
    let headers: Vec<(&str, &str)> = h.iter().map(|(n, v)| (*n, v.as_str())).collect();
    auth.authenticate(&req(&headers, &[]))
}

fn client_for(server: &TestServer, timeout: Duration, clock: SharedClock) -> Arc<OAuthClient> {
    Arc::new(
        OAuthClient::new(
            server.url("/token"),
            "gw",
            OAuthClientOptions::default()
                .with_client_secret(Secret::new("gw-secret").unwrap())
                .with_introspection_url(server.url("/introspect"))
                .with_http_policy(HttpPolicy {
                    timeout,
                    ..HttpPolicy::default()
                })
                .with_clock(clock),
        )
        .unwrap(),
    )
}

fn options(server: &TestServer, clock: &Arc<ManualClock>) -> AuthenticatorOptions {
    let shared: SharedClock = clock.clone();
    AuthenticatorOptions::new()
        .with_introspection(client_for(server, Duration::from_secs(5), shared.clone()))
        .with_clock(shared)
}

fn active(sub: &str, exp: u64) -> String {
    serde_json::json!({"active": true, "sub": sub, "scope": "read write", "exp": exp, "jti": "jti-1", "client_id": "app"})
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn active_token_is_cached_until_ttl_and_never_past_exp() {
    let server = TestServer::start(|_| Reply::json(200, active("user-1", T0 + 90))).await;
    let clock = ManualClock::at_unix(T0);
    let auth = Authenticator::new(
        options(&server, &clock).with_introspection_cache_ttl(Duration::from_secs(60)),
    )
    .unwrap();

    let p = auth_async(&auth, "opaque-AAA", &["read"]).await.unwrap();
    assert_eq!(p.kind, CredentialKind::Introspected);
    assert_eq!(p.kind.as_str(), "introspected");
    assert_eq!(p.subject, "user-1");
    assert_eq!(p.key_id.as_deref(), Some("jti-1"));
    assert_eq!(p.scopes, ["read", "write"]);
    assert_eq!(p.claims["client_id"], "app");
    assert_eq!(server.hits(), 1);
    let sent = server.last();
    assert_eq!(sent.path, "/introspect");
    assert_eq!(sent.form("token").as_deref(), Some("opaque-AAA"));
    assert_eq!(
        sent.form("token_type_hint").as_deref(),
        Some("access_token")
    );
    assert!(sent.header("authorization").unwrap().starts_with("Basic "));

    // Served from the cache: by both entry points, no new request.
    for _ in 0..5 {
        auth_async(&auth, "opaque-AAA", &["read"]).await.unwrap();
        auth_sync(&auth, "opaque-AAA").unwrap();
    }
    assert_eq!(server.hits(), 1);
    assert_eq!(auth.introspection_cache_len(), 1);

    // Scopes are still checked on cached answers.
    let r = auth_async(&auth, "opaque-AAA", &["admin"])
        .await
        .unwrap_err();
    assert_eq!((r.status, r.code_str()), (403, "insufficient_scope"));
    assert_eq!(server.hits(), 1);

    // TTL elapsed: asked again.
    clock.advance(Duration::from_secs(61));
    auth_async(&auth, "opaque-AAA", &[]).await.unwrap();
    assert_eq!(server.hits(), 2);

    // The second answer is cached only until exp (T0 + 90), not for a full TTL.
    clock.advance(Duration::from_secs(28)); // T0 + 89
    auth_async(&auth, "opaque-AAA", &[]).await.unwrap();
    assert_eq!(server.hits(), 2);
    clock.advance(Duration::from_secs(2)); // T0 + 91: past exp, cache entry gone
    let r = auth_async(&auth, "opaque-AAA", &[]).await.unwrap_err();
    assert_eq!(server.hits(), 3);
    // The server still says active, but its exp has passed by our clock.
    assert_eq!((r.status, r.code_str()), (401, "expired"));
    assert!(r
        .www_authenticate
        .as_deref()
        .unwrap()
        .contains("error=\"invalid_token\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inactive_token_is_refused_and_cached_for_the_negative_ttl() {
    let server = TestServer::start(|_| Reply::json(200, r#"{"active":false}"#)).await;
    let clock = ManualClock::at_unix(T0);
    let auth = Authenticator::new(
        options(&server, &clock).with_introspection_negative_ttl(Duration::from_secs(10)),
    )
    .unwrap();
    let r = auth_async(&auth, "opaque-dead", &[]).await.unwrap_err();
    assert_eq!((r.status, r.code_str()), (401, "unknown_key"));
    assert_eq!(
        r.www_authenticate.as_deref(),
        Some(
            r#"Bearer realm="api", error="invalid_token", error_description="the access token is invalid""#
        )
    );
    let r = auth_sync(&auth, "opaque-dead").unwrap_err();
    assert_eq!((r.status, r.code_str()), (401, "unknown_key"));
    assert_eq!(server.hits(), 1);
    clock.advance(Duration::from_secs(11));
    let _ = auth_async(&auth, "opaque-dead", &[]).await.unwrap_err();
    assert_eq!(server.hits(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endpoint_faults_are_503_and_never_cached() {
    let server = TestServer::start(|_| Reply::json(500, r#"{"error":"server_error"}"#)).await;
    let clock = ManualClock::at_unix(T0);
    let shared: SharedClock = clock.clone();
    let auth = Authenticator::new(
        AuthenticatorOptions::new()
            .with_introspection(client_for(
                &server,
                Duration::from_millis(300),
                shared.clone(),
            ))
            .with_clock(shared),
    )
    .unwrap();
    let cases: [(Reply, &str); 6] = [
        (Reply::json(500, "oops"), "server_error"),
        (Reply::json(503, ""), "server_error"),
        (Reply::json(200, "<html>hello</html>"), "invalid_response"),
        (Reply::json(200, r#"{"active":"yes"}"#), "invalid_response"),
        (
            Reply::json(401, r#"{"error":"invalid_client"}"#),
            "invalid_client",
        ),
        (
            Reply::json(200, active("u", T0 + 60)).delay(Duration::from_secs(3)),
            "timeout",
        ),
    ];
    for (i, (reply, code)) in cases.into_iter().enumerate() {
        server.set(move |_| reply.clone());
        let before = server.hits();
        for _ in 0..2 {
            let r = auth_async(&auth, "opaque-fault", &[]).await.unwrap_err();
            assert_eq!((r.status, r.code_str()), (503, code), "case {i}");
            assert_eq!(r.www_authenticate, None, "case {i}");
        }
        // Not cached: both attempts reached the server.
        assert_eq!(server.hits() - before, 2, "case {i}");
    }
    assert_eq!(auth.introspection_cache_len(), 0);

    // Connection refused: `network`.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let down = Arc::new(
        OAuthClient::new(
            format!("http://{closed}/token"),
            "gw",
            OAuthClientOptions::default()
                .with_client_secret(Secret::new("s").unwrap())
                .with_introspection_url(format!("http://{closed}/introspect")),
        )
        .unwrap(),
    );
    let auth = Authenticator::new(AuthenticatorOptions::new().with_introspection(down)).unwrap();
    let r = auth_async(&auth, "opaque-x", &[]).await.unwrap_err();
    assert_eq!((r.status, r.code_str()), (503, "network"));

    // A client without an introspection endpoint: a server misconfiguration, 500.
    let none = Arc::new(
        OAuthClient::new(
            server.url("/token"),
            "gw",
            OAuthClientOptions::default().with_client_secret(Secret::new("s").unwrap()),
        )
        .unwrap(),
    );
    let auth = Authenticator::new(AuthenticatorOptions::new().with_introspection(none)).unwrap();
    let r = auth_async(&auth, "opaque-x", &[]).await.unwrap_err();
    assert_eq!((r.status, r.code_str()), (500, "invalid_input"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_authenticate_never_does_io_and_says_use_async() {
    let server = TestServer::start(|_| Reply::json(200, active("u", T0 + 600))).await;
    let clock = ManualClock::at_unix(T0);
    let auth = Authenticator::new(options(&server, &clock)).unwrap();
    let r = auth_sync(&auth, "opaque-sync").unwrap_err();
    assert_eq!((r.status, r.code_str()), (500, "invalid_input"));
    assert_eq!(r.www_authenticate, None);
    assert_eq!(server.hits(), 0);
    auth_async(&auth, "opaque-sync", &[]).await.unwrap();
    assert_eq!(auth_sync(&auth, "opaque-sync").unwrap().subject, "u");
    assert_eq!(server.hits(), 1);

    // authenticate_blocking from a thread outside any runtime introspects.
    let auth = Arc::new(auth);
    let a = auth.clone();
    let p = std::thread::spawn(move || {
        let h = bearer("opaque-blocking");
        let headers: Vec<(&str, &str)> = h.iter().map(|(n, v)| (*n, v.as_str())).collect();
        a.authenticate_blocking(&req(&headers, &["read"]))
    })
    .join()
    .unwrap()
    .unwrap();
    assert_eq!(p.kind, CredentialKind::Introspected);
    assert_eq!(server.hits(), 2);
    // ... and refuses (500) inside a runtime rather than stall it.
    let h = bearer("opaque-in-runtime");
    let headers: Vec<(&str, &str)> = h.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let r = auth.authenticate_blocking(&req(&headers, &[])).unwrap_err();
    assert_eq!((r.status, r.code_str()), (500, "invalid_input"));
    assert_eq!(server.hits(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routing_policy_and_revocation_apply_to_introspected_tokens() {
    let server = TestServer::start(|_| Reply::json(200, active("user-9", T0 + 600))).await;
    let clock = ManualClock::at_unix(T0);
    let shared: SharedClock = clock.clone();
    let keys = Arc::new(
        ApiKeys::new(
            "tw_test",
            ApiKeysOptions::default().with_clock(shared.clone()),
        )
        .unwrap(),
    );
    let key = keys.create(NewKey::new("acct").scopes(["read"])).unwrap();
    let revocations = Arc::new(
        RevocationList::new(
            RevocationListOptions::new()
                .with_max_entries(100)
                .with_clock(shared.clone()),
        )
        .unwrap(),
    );
    let auth = Authenticator::new(
        options(&server, &clock)
            .with_api_keys(keys)
            .with_revocations(revocations.clone())
            .with_rate_limit(RateLimit::per_minute(60, 2)),
    )
    .unwrap();

    // API-key-shaped bearer values go to ApiKeys, typos included: no introspection.
    let p = auth_async(&auth, key.secret.expose(), &["read"])
        .await
        .unwrap();
    assert_eq!(p.kind, CredentialKind::ApiKey);
    let mut typo = key.secret.expose().to_owned();
    let last = typo.pop();
    typo.push(if last == Some('a') { 'b' } else { 'a' });
    let r = auth_async(&auth, &typo, &[]).await.unwrap_err();
    assert_eq!(r.code_str(), "checksum_mismatch");
    // X-API-Key values are never introspected.
    let h = [("x-api-key", "opaque-in-api-key-header")];
    let r = auth.authenticate_async(&req(&h, &[])).await.unwrap_err();
    assert_eq!(r.code_str(), "invalid_format");
    assert_eq!(server.hits(), 0);

    // Rate limit per subject (burst 2).
    auth_async(&auth, "opaque-r1", &[]).await.unwrap();
    auth_async(&auth, "opaque-r2", &[]).await.unwrap();
    let r = auth_async(&auth, "opaque-r1", &[]).await.unwrap_err();
    assert_eq!((r.status, r.code_str()), (429, "rate_limited"));
    assert_eq!(server.hits(), 2);

    // Revocation by jti applies to cached answers.
    clock.advance(Duration::from_secs(30));
    revocations
        .revoke(RevocationKind::Jti, "jti-1", (T0 + 3600) as i64)
        .unwrap();
    let r = auth_async(&auth, "opaque-r1", &[]).await.unwrap_err();
    assert_eq!((r.status, r.code_str()), (401, "revoked"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_misses_share_one_request() {
    let server = TestServer::start(|_| {
        Reply::json(200, active("u", T0 + 600)).delay(Duration::from_millis(200))
    })
    .await;
    let clock = ManualClock::at_unix(T0);
    let auth = Arc::new(Authenticator::new(options(&server, &clock)).unwrap());
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let a = auth.clone();
            tokio::spawn(async move {
                auth_async(&a, "opaque-shared", &[])
                    .await
                    .map(|p| p.subject)
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), "u");
    }
    assert_eq!(server.hits(), 1);
    // Failures are shared by the callers waiting at that moment, but not remembered.
    server.set(|_| Reply::json(500, "").delay(Duration::from_millis(200)));
    let tasks: Vec<_> = (0..5)
        .map(|_| {
            let a = auth.clone();
            tokio::spawn(async move {
                auth_async(&a, "opaque-shared-2", &[])
                    .await
                    .map(|p| p.subject)
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap_err().code_str(), "server_error");
    }
    assert_eq!(server.hits(), 2);
    let _ = auth_async(&auth, "opaque-shared-2", &[]).await.unwrap_err();
    assert_eq!(server.hits(), 3);
    assert_eq!(auth.introspection_inflight_len(), 0);

    // Callers that go away (client disconnects) leave nothing behind.
    server.set(|_| Reply::json(200, active("u", T0 + 600)).delay(Duration::from_millis(300)));
    let tasks: Vec<_> = (0..3)
        .map(|i| {
            let a = auth.clone();
            tokio::spawn(
                async move { auth_async(&a, &format!("opaque-gone-{}", i % 2), &[]).await },
            )
        })
        .collect();
    while auth.introspection_inflight_len() < 2 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    for t in &tasks {
        t.abort();
    }
    for t in tasks {
        assert!(t.await.unwrap_err().is_cancelled());
    }
    assert_eq!(auth.introspection_inflight_len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_is_bounded_and_keyed_without_the_token() {
    let server = TestServer::start(|_| Reply::json(200, active("u", T0 + 600))).await;
    let clock = ManualClock::at_unix(T0);
    let auth =
        Authenticator::new(options(&server, &clock).with_introspection_cache_size(3)).unwrap();
    for i in 0..10 {
        auth_async(&auth, &format!("opaque-SECRETVALUE-{i}"), &[])
            .await
            .unwrap();
        assert!(auth.introspection_cache_len() <= 3);
    }
    let printed = format!("{auth:?}");
    assert!(!printed.contains("SECRETVALUE"), "{printed}");
    assert!(!printed.contains("gw-secret"), "{printed}");

    // Size 0 disables the cache: every request asks.
    let auth =
        Authenticator::new(options(&server, &clock).with_introspection_cache_size(0)).unwrap();
    let before = server.hits();
    for _ in 0..3 {
        auth_async(&auth, "opaque-nocache", &[]).await.unwrap();
    }
    assert_eq!(server.hits() - before, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_events_for_introspection_decisions_carry_no_token() {
    use std::sync::Mutex;
    use tokenward::audit::{subscribe, AuditEvent, AuditSink};
    struct Sink(Mutex<Vec<AuditEvent>>);
    impl AuditSink for Sink {
        fn record(&self, e: &AuditEvent) {
            self.0.lock().unwrap().push(e.clone());
        }
    }
    let sink = Arc::new(Sink(Mutex::new(Vec::new())));
    // Scoped: a sink kept for the process would take the events of the other tests of this
    // binary away from `tracing`.
    let _subscription = subscribe(sink.clone());
    let server = TestServer::start(|r: &common::Request| {
        if r.form("token").as_deref() == Some("opaque-AUDIT-dead") {
            Reply::json(200, r#"{"active":false}"#)
        } else {
            Reply::json(200, active("audit-subject", T0 + 600))
        }
    })
    .await;
    let clock = ManualClock::at_unix(T0);
    let auth = Authenticator::new(options(&server, &clock)).unwrap();
    auth_async(&auth, "opaque-AUDIT-live", &[]).await.unwrap();
    auth_async(&auth, "opaque-AUDIT-live", &[]).await.unwrap();
    let _ = auth_async(&auth, "opaque-AUDIT-dead", &[])
        .await
        .unwrap_err();
    let events = sink.0.lock().unwrap().clone();
    let mine: Vec<_> = events
        .iter()
        .filter(|e| e.subject.as_deref() == Some("audit-subject"))
        .collect();
    // One event per decision (the suspended first pass records nothing).
    assert_eq!(mine.len(), 2);
    assert!(mine
        .iter()
        .all(|e| e.code.is_none() && e.credential_id.as_deref() == Some("jti-1")));
    assert!(events
        .iter()
        .any(|e| e.action == "gateway.authenticate"
            && e.code == Some(tokenward::ErrorCode::UnknownKey)));
    for e in &events {
        let text = format!("{e:?}");
        assert!(
            !text.contains("AUDIT-live") && !text.contains("AUDIT-dead"),
            "{text}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Against the real authorization server (oauth2-mock-server).

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_server_active_then_revoked_token() {
    let server = MockServer::start();
    let options =
        OAuthClientOptions::default().with_client_secret(Secret::new("mock-secret").unwrap());
    let client = Arc::new(
        OAuthClient::discover(&server.issuer, "mock-client", options)
            .await
            .unwrap(),
    );
    // A token issued by the server; the gateway has no JWT verifier, so it is introspected.
    let token = client
        .client_credentials(&["read".into(), "write".into()])
        .await
        .unwrap()
        .access_token;
    let clock = ManualClock::at_unix(T0);
    let shared: SharedClock = clock.clone();
    let auth = Authenticator::new(
        AuthenticatorOptions::new()
            .with_introspection(client.clone())
            .with_introspection_cache_ttl(Duration::from_secs(30))
            .with_clock(shared),
    )
    .unwrap();

    let p = auth_async(&auth, token.expose(), &["read"]).await.unwrap();
    assert_eq!(p.kind, CredentialKind::Introspected);
    assert_eq!(p.subject, "mock-client"); // no `sub` in the answer: client_id
    assert_eq!(p.scopes, ["read", "write"]);
    assert_eq!(p.claims["active"], true);
    let r = auth_async(&auth, token.expose(), &["admin"])
        .await
        .unwrap_err();
    assert_eq!((r.status, r.code_str()), (403, "insufficient_scope"));
    assert_eq!(server.count("introspect").await, 1);

    // Revoked at the server: still accepted from the cache until the TTL...
    client
        .revoke(token.secret(), Some(TokenTypeHint::AccessToken))
        .await
        .unwrap();
    auth_async(&auth, token.expose(), &[]).await.unwrap();
    assert_eq!(server.count("introspect").await, 1);
    // ... then inactive.
    clock.advance(Duration::from_secs(31));
    let r = auth_async(&auth, token.expose(), &[]).await.unwrap_err();
    assert_eq!((r.status, r.code_str()), (401, "unknown_key"));
    assert_eq!(server.count("introspect").await, 2);
    // The inactive answer is cached (negative TTL).
    let r = auth_sync(&auth, token.expose()).unwrap_err();
    assert_eq!(r.code_str(), "unknown_key");
    assert_eq!(server.count("introspect").await, 2);

    // A different opaque value the server considers active.
    let p = auth_async(&auth, "some-opaque-reference-token", &[])
        .await
        .unwrap();
    assert_eq!(p.kind, CredentialKind::Introspected);
    assert_eq!(server.count("introspect").await, 3);
}
