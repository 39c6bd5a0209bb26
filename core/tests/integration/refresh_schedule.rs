//! TokenSource scheduling on a paused tokio clock with a scripted token endpoint: refresh
//! ahead of expiry, single-flight across an expiry, backoff while valid, Retry-After,
//! terminal invalid_grant, rotation, hooks, close and drop. No sleeps-as-asserts: time only
//! moves when the test advances it (or when every task is idle, tokio's auto-advance).

use crate::common;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use parking_lot::Mutex;
use tokenward::oauth::{AccessToken, Failure, Grant, TokenResponse};
use tokenward::refresh::{
    FallbackGrant, TokenEndpoint, TokenSource, TokenSourceOptions, TokenSourceStatus as Status,
};
use tokenward::{Error, ErrorCode, Secret};
use tokio::time::{advance, Instant};

type Outcome = Result<(u64, Option<&'static str>), (ErrorCode, Option<u64>)>;

/// Answers from a script (then repeats the last entry); counts requests; records grants.
struct Script {
    outcomes: Mutex<VecDeque<Outcome>>,
    last: Mutex<Outcome>,
    calls: AtomicUsize,
    delay: Duration,
    grants: Mutex<Vec<Grant>>,
    log: Mutex<Vec<Instant>>,
}

impl Script {
    fn new(outcomes: Vec<Outcome>, delay: Duration) -> Arc<Script> {
        Arc::new(Script {
            last: Mutex::new(outcomes[0]),
            outcomes: Mutex::new(outcomes.into()),
            calls: AtomicUsize::new(0),
            delay,
            grants: Mutex::new(Vec::new()),
            log: Mutex::new(Vec::new()),
        })
    }
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl TokenEndpoint for Script {
    fn request<'a>(&'a self, grant: &'a Grant) -> tokenward::refresh::TokenFuture<'a> {
        Box::pin(async move {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            self.grants.lock().push(grant.clone());
            self.log.lock().push(Instant::now());
            tokio::time::sleep(self.delay).await;
            let outcome = {
                let mut q = self.outcomes.lock();
                match q.pop_front() {
                    Some(o) => {
                        *self.last.lock() = o;
                        o
                    }
                    None => *self.last.lock(),
                }
            };
            match outcome {
                Ok((lifetime, rt)) => Ok(TokenResponse {
                    access_token: AccessToken::new(
                        Secret::new(format!("AT-{n}")).unwrap(),
                        "Bearer",
                        Some(SystemTime::now() + Duration::from_secs(lifetime)),
                        vec![],
                    ),
                    expires_in: Some(Duration::from_secs(lifetime)),
                    refresh_token: rt.map(|r| Secret::new(r).unwrap()),
                    id_token: None,
                    id_token_claims: None,
                }),
                Err((code, retry)) => Err(Failure {
                    error: Error::new(code, "scripted failure"),
                    retry_after: retry.map(Duration::from_secs),
                }),
            }
        })
    }
}

fn opts() -> TokenSourceOptions {
    TokenSourceOptions::default().with_jitter(0.0)
}

fn cc() -> Grant {
    Grant::ClientCredentials { scopes: vec![] }
}

fn source(script: &Arc<Script>, options: TokenSourceOptions) -> TokenSource {
    TokenSource::new(script.clone(), cc(), None, options).unwrap()
}

/// Lets spawned tasks run without moving the clock.
async fn settle() {
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test(start_paused = true)]
async fn refreshes_in_the_background_ahead_of_expiry() {
    let script = Script::new(vec![Ok((3600, None))], Duration::ZERO);
    let src = source(&script, opts());
    let t0 = Instant::now();
    assert_eq!(src.token().await.unwrap().expose(), "AT-1");
    assert_eq!(src.status(), Status::Ready);
    // min(5 min, half of 1 h) = 5 min before expiry: at 55 min.
    advance(Duration::from_secs(3299)).await;
    settle().await;
    assert_eq!(script.calls(), 1);
    advance(Duration::from_secs(1)).await;
    settle().await;
    assert_eq!(script.calls(), 2);
    assert_eq!(script.log.lock()[1] - t0, Duration::from_secs(3300));
    // Callers got the new token without waiting.
    assert_eq!(src.token().await.unwrap().expose(), "AT-2");

    // Short lifetime: half of it.
    let script = Script::new(vec![Ok((60, None))], Duration::ZERO);
    let src = source(&script, opts());
    src.token().await.unwrap();
    advance(Duration::from_secs(31)).await;
    settle().await;
    assert_eq!(script.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn jitter_moves_the_refresh_earlier_within_bounds() {
    let script = Script::new(vec![Ok((3600, None))], Duration::ZERO);
    let src = source(&script, TokenSourceOptions::default().with_jitter(0.5));
    let t0 = Instant::now();
    src.token().await.unwrap();
    advance(Duration::from_secs(3300)).await;
    settle().await;
    assert_eq!(script.calls(), 2);
    let at = script.log.lock()[1] - t0;
    assert!(
        at >= Duration::from_secs(3150) && at <= Duration::from_secs(3300),
        "{at:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn thousand_callers_across_an_expiry_make_one_request() {
    let script = Script::new(vec![Ok((600, None))], Duration::from_millis(300));
    let src = source(&script, opts().with_background(false));
    assert_eq!(src.token().await.unwrap().expose(), "AT-1");
    advance(Duration::from_secs(601)).await; // expired
    let tasks = common::spawn_token_callers(&src, 1000);
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), "AT-2");
    }
    assert_eq!(script.calls(), 2);
    assert_eq!(src.request_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn transient_failures_back_off_while_the_token_is_valid_then_recover() {
    use ErrorCode::*;
    let script = Script::new(
        vec![
            Ok((600, None)),
            Err((ServerError, None)),
            Err((Timeout, None)),
            Err((InvalidResponse, None)),
            Err((Network, None)),
            Ok((600, None)),
        ],
        Duration::ZERO,
    );
    let errors = Arc::new(AtomicUsize::new(0));
    let src = source(&script, opts());
    let e = errors.clone();
    src.on_error(Arc::new(move |_| {
        e.fetch_add(1, Ordering::SeqCst);
    }));
    let t0 = Instant::now();
    src.token().await.unwrap();
    advance(Duration::from_secs(300)).await; // refresh moment: fails
    settle().await;
    assert_eq!(script.calls(), 2);
    assert_eq!(src.status(), Status::Retrying);
    // The valid token keeps being served while retrying.
    assert_eq!(src.token().await.unwrap().expose(), "AT-1");
    // Retries at growing intervals (1, 2, 4 s with equal jitter: [0.5, 1]·base).
    for _ in 0..200 {
        advance(Duration::from_millis(100)).await;
        settle().await;
    }
    assert_eq!(script.calls(), 6);
    assert_eq!(errors.load(Ordering::SeqCst), 4);
    let log = script.log.lock().clone();
    let gaps: Vec<Duration> = log.windows(2).skip(1).map(|w| w[1] - w[0]).collect();
    // Time moves in 100 ms steps, so a gap may be late by up to one step.
    let step = Duration::from_millis(100);
    assert!(
        gaps[0] >= Duration::from_millis(500) && gaps[0] <= Duration::from_secs(1) + step,
        "{gaps:?}"
    );
    assert!(
        gaps[1] >= Duration::from_secs(1) && gaps[1] <= Duration::from_secs(2) + step,
        "{gaps:?}"
    );
    assert!(
        gaps[2] >= Duration::from_secs(2) && gaps[2] <= Duration::from_secs(4) + step,
        "{gaps:?}"
    );
    assert!(log[1] - t0 == Duration::from_secs(300));
    assert_eq!(src.status(), Status::Ready);
    assert_eq!(src.token().await.unwrap().expose(), "AT-6");
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_honoured() {
    let script = Script::new(
        vec![
            Ok((600, None)),
            Err((ErrorCode::RateLimited, Some(42))),
            Ok((600, None)),
        ],
        Duration::ZERO,
    );
    let src = source(&script, opts());
    src.token().await.unwrap();
    advance(Duration::from_secs(300)).await;
    settle().await;
    assert_eq!(script.calls(), 2);
    advance(Duration::from_secs(41)).await;
    settle().await;
    assert_eq!(script.calls(), 2);
    advance(Duration::from_secs(2)).await;
    settle().await;
    assert_eq!(script.calls(), 3);
    assert_eq!(src.token().await.unwrap().expose(), "AT-3");
}

#[tokio::test(start_paused = true)]
async fn never_returns_an_expired_token() {
    let script = Script::new(
        vec![Ok((60, None)), Err((ErrorCode::ServerError, None))],
        Duration::ZERO,
    );
    let src = source(&script, opts());
    let t0 = Instant::now();
    src.token().await.unwrap();
    // Step through the lifetime: every answer is the unexpired token (handed out only until
    // the margin before expiry) or an error.
    for _ in 0..80 {
        advance(Duration::from_secs(1)).await;
        settle().await;
        match src.token().await {
            Ok(t) => {
                assert_eq!(t.expose(), "AT-1");
                assert!(Instant::now() - t0 < Duration::from_secs(55));
            }
            Err(e) => assert_eq!(e.code(), ErrorCode::ServerError),
        }
    }
    // 60 s lifetime, margin min(5 s, 15 s) = 5 s: after 55 s no token is handed out.
    assert!(src.token().await.is_err());
}

#[tokio::test(start_paused = true)]
async fn invalid_grant_is_terminal() {
    let script = Script::new(
        vec![
            Ok((600, Some("RT-2"))),
            Err((ErrorCode::InvalidGrant, None)),
            Ok((600, None)),
        ],
        Duration::ZERO,
    );
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let src = TokenSource::new(
        script.clone(),
        Grant::RefreshToken {
            refresh_token: Secret::new("RT-1").unwrap(),
            scopes: vec![],
        },
        None,
        opts(),
    )
    .unwrap();
    let s2 = seen.clone();
    src.on_error(Arc::new(move |e| {
        s2.lock().push(e.code().as_str().to_owned())
    }));
    src.token().await.unwrap();
    advance(Duration::from_secs(300)).await;
    settle().await;
    assert_eq!(script.calls(), 2);
    assert_eq!(src.status(), Status::ReauthenticationRequired);
    assert_eq!(*seen.lock(), ["invalid_grant"]);
    // Still-valid token is served; no more requests, whatever time passes.
    assert_eq!(src.token().await.unwrap().expose(), "AT-1");
    advance(Duration::from_secs(3600)).await;
    settle().await;
    let err = src.token().await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidGrant);
    assert!(err.message().contains("re-authentication required"));
    assert_eq!(
        src.force_refresh().await.unwrap_err().code(),
        ErrorCode::InvalidGrant
    );
    assert_eq!(script.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn rotated_refresh_token_replaces_the_old_one_and_hooks_see_it() {
    let script = Script::new(
        vec![
            Ok((600, Some("RT-2"))),
            Ok((600, Some("RT-3"))),
            Ok((600, None)),
        ],
        Duration::ZERO,
    );
    let src = TokenSource::new(
        script.clone(),
        Grant::RefreshToken {
            refresh_token: Secret::new("RT-1").unwrap(),
            scopes: vec![],
        },
        None,
        opts(),
    )
    .unwrap();
    let persisted = Arc::new(Mutex::new(Vec::<String>::new()));
    let p = persisted.clone();
    src.on_refresh(Arc::new(move |r| {
        if let Some(rt) = &r.refresh_token {
            p.lock().push(rt.expose().to_owned());
        }
    }));
    src.token().await.unwrap();
    src.force_refresh().await.unwrap();
    src.force_refresh().await.unwrap();
    let used: Vec<String> = script
        .grants
        .lock()
        .iter()
        .map(|g| match g {
            Grant::RefreshToken { refresh_token, .. } => refresh_token.expose().to_owned(),
            _ => String::new(),
        })
        .collect();
    assert_eq!(used, ["RT-1", "RT-2", "RT-3"]);
    assert_eq!(*persisted.lock(), ["RT-2", "RT-3"]);
}

#[tokio::test(start_paused = true)]
async fn concurrent_force_refreshes_share_one_request() {
    let script = Script::new(vec![Ok((600, None))], Duration::from_millis(100));
    let src = source(&script, opts());
    src.token().await.unwrap();
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let s = src.clone();
            tokio::spawn(async move { s.force_refresh().await.unwrap().expose().to_owned() })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), "AT-2");
    }
    assert_eq!(script.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn close_and_drop_stop_the_background_task() {
    let script = Script::new(vec![Ok((60, None))], Duration::ZERO);
    let src = source(&script, opts());
    src.token().await.unwrap();
    src.close();
    assert_eq!(src.status(), Status::Closed);
    advance(Duration::from_secs(3600)).await;
    settle().await;
    assert_eq!(script.calls(), 1);
    assert_eq!(
        src.token().await.unwrap_err().code(),
        ErrorCode::InvalidInput
    );

    let script = Script::new(vec![Ok((60, None))], Duration::ZERO);
    let src = source(&script, opts());
    src.token().await.unwrap();
    drop(src);
    settle().await;
    // The task released everything: only the test's reference to the endpoint is left.
    assert_eq!(Arc::strong_count(&script), 1);
    advance(Duration::from_secs(3600)).await;
    settle().await;
    assert_eq!(script.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn cached_answers_only_with_a_usable_token_and_never_requests() {
    let script = Script::new(vec![Ok((60, None))], Duration::ZERO);
    let src = source(&script, opts().with_background(false));
    assert!(src.cached().is_none());
    assert_eq!(script.calls(), 0);
    src.token().await.unwrap();
    assert_eq!(src.cached().unwrap().expose(), "AT-1");
    // Past the usable window (60 s lifetime, margin min(5 s, 15 s)): no token, no request.
    advance(Duration::from_secs(56)).await;
    assert!(src.cached().is_none());
    assert_eq!(script.calls(), 1);
    src.close();
    assert!(src.cached().is_none());
}

fn seed(refresh_token: Option<&str>) -> TokenResponse {
    TokenResponse {
        access_token: AccessToken::new(Secret::new("AT-seed").unwrap(), "Bearer", None, vec![]),
        expires_in: Some(Duration::from_secs(60)),
        refresh_token: refresh_token.map(|r| Secret::new(r).unwrap()),
        id_token: None,
        id_token_claims: None,
    }
}

#[tokio::test(start_paused = true)]
async fn seeded_source_prefers_the_refresh_token_and_needs_an_explicit_fallback() {
    let on_demand = TokenSourceOptions::default().with_background(false);
    let cc = || Some(FallbackGrant::ClientCredentials.grant(vec!["read".into()]));
    // No refresh token, no fallback: refused, nothing requested.
    let script = Script::new(vec![Ok((60, None))], Duration::ZERO);
    let err =
        TokenSource::from_token_response(script.clone(), seed(None), None, on_demand).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    // A refresh token wins over the fallback.
    let src =
        TokenSource::from_token_response(script.clone(), seed(Some("RT-seed")), cc(), on_demand)
            .unwrap();
    assert_eq!(src.token().await.unwrap().expose(), "AT-seed");
    src.force_refresh().await.unwrap();
    assert!(matches!(
        &script.grants.lock()[0],
        Grant::RefreshToken { refresh_token, .. } if refresh_token.expose() == "RT-seed"
    ));
    // Without one, the fallback grant is used.
    let src =
        TokenSource::from_token_response(script.clone(), seed(None), cc(), on_demand).unwrap();
    src.force_refresh().await.unwrap();
    assert!(matches!(
        &script.grants.lock()[1],
        Grant::ClientCredentials { scopes } if scopes == &["read"]
    ));
    assert_eq!(
        "client_credentials".parse::<FallbackGrant>().unwrap(),
        FallbackGrant::ClientCredentials
    );
    assert!("password".parse::<FallbackGrant>().is_err());
    for status in Status::ALL {
        assert_eq!(status.as_str().parse::<Status>().unwrap(), status);
    }
}
