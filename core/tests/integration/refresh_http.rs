//! TokenSource against a local HTTP server the test controls (real time, short timeouts):
//! 500s, timeouts, garbage JSON, slow answers, invalid_grant on refresh, a rotated refresh
//! token, 429 Retry-After, single-flight counted on the server, and no secret in the logs.

use crate::common;
use tokenward::oauth::OAuthClientOptions;

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{token_body, Reply, TestServer};
use parking_lot::Mutex;
use tokenward::http::HttpPolicy;
use tokenward::oauth::OAuthClient;
use tokenward::refresh::{TokenSource, TokenSourceOptions, TokenSourceStatus as Status};
use tokenward::{ErrorCode, Secret};

#[derive(Clone, Default)]
pub(crate) struct Captured(pub(crate) Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every audit event while the test is subscribed.
#[derive(Default)]
struct Events(Mutex<Vec<tokenward::audit::AuditEvent>>);

impl tokenward::audit::AuditSink for Events {
    fn record(&self, event: &tokenward::audit::AuditEvent) {
        self.0.lock().push(event.clone());
    }
}

/// Every log line of this test binary (a global subscriber: per-thread ones race with the
/// callsite-interest cache when tests run in parallel).
pub(crate) fn capture_logs() -> Captured {
    static LOGS: std::sync::OnceLock<Captured> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Captured::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        logs
    })
    .clone()
}

fn client(server: &TestServer) -> OAuthClient {
    OAuthClient::new(
        server.url("/token"),
        "client-1",
        OAuthClientOptions::default()
            .with_client_secret(Secret::new("CLIENT-SECRET-xyz").unwrap())
            .with_http_policy(HttpPolicy {
                timeout: Duration::from_millis(300),
                ..Default::default()
            }),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_concurrent_callers_cause_one_server_request() {
    capture_logs();
    let server = TestServer::start(|_| {
        Reply::json(200, token_body("AT-shared-1", 3600, None)).delay(Duration::from_millis(150))
    })
    .await;
    let src = TokenSource::client_credentials(
        client(&server),
        vec!["read".into()],
        TokenSourceOptions::default(),
    )
    .unwrap();
    let tasks = common::spawn_token_callers(&src, 1000);
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), "AT-shared-1");
    }
    assert_eq!(server.hits(), 1);

    // A forced refresh (after a 401) with 1,000 callers asking meanwhile: one more request;
    // the callers are served the still-valid token without waiting for it.
    server.set(|_| {
        Reply::json(200, token_body("AT-shared-2", 3600, None)).delay(Duration::from_millis(150))
    });
    let forcer = {
        let s = src.clone();
        tokio::spawn(async move { s.force_refresh().await.map(|t| t.expose().to_owned()) })
    };
    let tasks = common::spawn_token_callers(&src, 1000);
    for t in tasks {
        let got = t.await.unwrap().unwrap();
        assert!(got == "AT-shared-1" || got == "AT-shared-2");
    }
    assert_eq!(forcer.await.unwrap().unwrap(), "AT-shared-2");
    assert_eq!(server.hits(), 2);
    assert_eq!(src.token().await.unwrap().expose(), "AT-shared-2");
}

#[tokio::test(flavor = "current_thread")]
async fn faults_keep_the_valid_token_and_terminal_failure_is_reported() {
    let logs = capture_logs();
    // The test's own audit sink: with none, events go to `tracing`, but only while no other test
    // of this binary has a sink subscribed, so the logs alone cannot show them reliably.
    let events = Arc::new(Events::default());
    let _subscription = tokenward::audit::subscribe(events.clone());

    let server = TestServer::start(|_| {
        Reply::json(200, token_body("AT-secret-1", 3600, Some("RT-secret-2")))
    })
    .await;
    let src = TokenSource::from_refresh_token(
        client(&server),
        Secret::new("RT-secret-1").unwrap(),
        vec![],
        TokenSourceOptions::default(),
    )
    .unwrap();
    let refreshed = Arc::new(Mutex::new(Vec::<String>::new()));
    let errors = Arc::new(Mutex::new(Vec::<String>::new()));
    let (r, e) = (refreshed.clone(), errors.clone());
    src.on_refresh(Arc::new(move |resp| {
        r.lock().push(
            resp.refresh_token
                .as_ref()
                .map(|t| t.expose().to_owned())
                .unwrap_or_default(),
        )
    }));
    src.on_error(Arc::new(move |err| {
        e.lock().push(err.code().as_str().to_owned())
    }));

    assert_eq!(src.token().await.unwrap().expose(), "AT-secret-1");
    assert_eq!(
        server.last().form("refresh_token").as_deref(),
        Some("RT-secret-1")
    );

    let faults: Vec<(Reply, ErrorCode)> = vec![
        (Reply::json(500, "internal"), ErrorCode::ServerError),
        (Reply::json(200, "{garbage"), ErrorCode::InvalidResponse),
        (
            Reply::json(200, token_body("late", 3600, None)).delay(Duration::from_secs(3)),
            ErrorCode::Timeout,
        ),
        (
            Reply::json(429, "").header("retry-after", "30"),
            ErrorCode::RateLimited,
        ),
        (
            Reply::json(200, r#"{"access_token":"x","expires_in":-1}"#),
            ErrorCode::InvalidResponse,
        ),
    ];
    for (reply, code) in faults {
        server.set(move |_| reply.clone());
        assert_eq!(src.force_refresh().await.unwrap_err().code(), code);
        assert_eq!(src.status(), Status::Retrying);
        // The source keeps serving the still-valid token.
        assert_eq!(src.token().await.unwrap().expose(), "AT-secret-1");
    }

    // A slow answer within the timeout recovers, with the rotated refresh token presented.
    server.set(|_| {
        Reply::json(200, token_body("AT-secret-3", 3600, Some("RT-secret-3")))
            .delay(Duration::from_millis(100))
    });
    assert_eq!(src.force_refresh().await.unwrap().expose(), "AT-secret-3");
    assert_eq!(
        server.last().form("refresh_token").as_deref(),
        Some("RT-secret-2")
    );
    assert_eq!(src.status(), Status::Ready);

    // invalid_grant on refresh is terminal: reported once, no further requests.
    server.set(|_| {
        Reply::json(
            400,
            r#"{"error":"invalid_grant","error_description":"RT-secret-3 revoked"}"#,
        )
    });
    let err = src.force_refresh().await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidGrant);
    assert_eq!(src.status(), Status::ReauthenticationRequired);
    let hits = server.hits();
    assert_eq!(
        src.force_refresh().await.unwrap_err().code(),
        ErrorCode::InvalidGrant
    );
    assert_eq!(server.hits(), hits);
    assert_eq!(src.token().await.unwrap().expose(), "AT-secret-3");
    assert_eq!(
        server.last().form("refresh_token").as_deref(),
        Some("RT-secret-3")
    );

    assert_eq!(*refreshed.lock(), ["RT-secret-2", "RT-secret-3"]);
    assert_eq!(
        *errors.lock(),
        [
            "server_error",
            "invalid_response",
            "timeout",
            "rate_limited",
            "invalid_response",
            "invalid_grant"
        ]
    );
    src.close();

    let recorded = events.0.lock().clone();
    assert!(
        recorded.iter().any(|e| e.action == "oauth.refresh"),
        "refreshes are audited: {recorded:?}"
    );
    let text = String::from_utf8(logs.0.lock().clone()).unwrap();
    let audit_text = format!("{recorded:?}");
    for secret in ["AT-secret", "RT-secret", "CLIENT-SECRET"] {
        assert!(!text.contains(secret), "{secret} leaked into logs");
        assert!(
            !audit_text.contains(secret),
            "{secret} leaked into audit events"
        );
    }
}

#[tokio::test(flavor = "current_thread")]
async fn counts_every_request_on_the_server() {
    capture_logs();
    let n = Arc::new(AtomicUsize::new(0));
    let n2 = n.clone();
    let server = TestServer::start(move |_| {
        n2.fetch_add(1, Ordering::SeqCst);
        Reply::json(200, token_body("AT", 3600, None))
    })
    .await;
    let src =
        TokenSource::client_credentials(client(&server), vec![], TokenSourceOptions::default())
            .unwrap();
    for _ in 0..100 {
        src.token().await.unwrap();
    }
    assert_eq!(n.load(Ordering::SeqCst), 1);
    assert_eq!(src.request_count(), 1);
}
