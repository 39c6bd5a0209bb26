//! Cost of `TokenSource::token()` on the hot path (cached, valid token), and the latency a
//! refresh adds for callers: while a refresh is in flight (they keep the cached token) and after
//! expiry (they wait for one round trip to a loopback token endpoint).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/integration/common/mod.rs"]
mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use tokenward::oauth::OAuthClientOptions;

use common::{token_body, Reply, TestServer};

use criterion::{criterion_group, criterion_main, Criterion};
use tokenward::oauth::{AccessToken, Grant, OAuthClient, TokenResponse};
use tokenward::refresh::{TokenSource, TokenSourceOptions};
use tokenward::{runtime, Secret};

fn bench(c: &mut Criterion) {
    let client = OAuthClient::new(
        "https://as.example/token",
        "bench",
        OAuthClientOptions::default().with_client_secret(Secret::new("s").unwrap()),
    )
    .unwrap();
    let response = TokenResponse {
        access_token: AccessToken::new(
            Secret::new("AT-bench").unwrap(),
            "Bearer",
            Some(SystemTime::now() + Duration::from_secs(3600)),
            vec!["read".into()],
        ),
        expires_in: Some(Duration::from_secs(3600)),
        refresh_token: None,
        id_token: None,
        id_token_claims: None,
    };
    let src = TokenSource::new(
        Arc::new(client),
        Grant::ClientCredentials { scopes: vec![] },
        Some(response),
        TokenSourceOptions::default(),
    )
    .unwrap();
    c.bench_function("token_source_token_blocking", |b| {
        b.iter(|| runtime::block_on(src.token()).unwrap().unwrap())
    });
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    c.bench_function("token_source_token_async", |b| {
        b.iter(|| rt.block_on(src.token()).unwrap())
    });
}

fn seeded(expires_in: u64) -> TokenResponse {
    TokenResponse {
        access_token: AccessToken::new(
            Secret::new("AT-seed").unwrap(),
            "Bearer",
            Some(SystemTime::now() + Duration::from_secs(expires_in)),
            vec!["read".into()],
        ),
        expires_in: Some(Duration::from_secs(expires_in)),
        refresh_token: None,
        id_token: None,
        id_token_claims: None,
    }
}

fn client_of(server: &TestServer) -> Arc<OAuthClient> {
    Arc::new(
        OAuthClient::new(
            server.url("/token"),
            "bench",
            OAuthClientOptions::default().with_client_secret(Secret::new("s").unwrap()),
        )
        .unwrap(),
    )
}

/// Latency seen by callers around a refresh, against a loopback token endpoint (the test
/// server answers each request on a new connection, as after an idle period).
fn refresh_latency(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let grant = Grant::ClientCredentials { scopes: vec![] };
    let on_demand = TokenSourceOptions::default().with_background(false);

    // A caller with no usable token: token() performs one request and waits for it.
    let fast = rt.block_on(TestServer::start(|_| {
        Reply::json(200, token_body("AT-loop", 3600, None))
    }));
    let fast_client = client_of(&fast);
    c.bench_function("refresh_caller_after_expiry_loopback_round_trip", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let src =
                    TokenSource::new(fast_client.clone(), grant.clone(), None, on_demand).unwrap();
                let start = Instant::now();
                rt.block_on(src.token()).unwrap();
                total += start.elapsed();
            }
            total
        })
    });

    // Cached token, nothing else happening (same runtime as below, for comparison).
    let idle = TokenSource::new(fast_client, grant.clone(), Some(seeded(3600)), on_demand).unwrap();
    c.bench_function("refresh_caller_cached_idle", |b| {
        b.iter(|| rt.block_on(idle.token()).unwrap())
    });

    // Cached token while a refresh is in flight: a task keeps forcing refreshes against an
    // endpoint that answers after 20 ms, so nearly every measured call overlaps one.
    let slow = rt.block_on(TestServer::start(|_| {
        Reply::json(200, token_body("AT-slow", 3600, None)).delay(Duration::from_millis(20))
    }));
    let busy = TokenSource::new(client_of(&slow), grant, Some(seeded(3600)), on_demand).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let (s, flag) = (busy.clone(), stop.clone());
    rt.spawn(async move {
        while !flag.load(Ordering::Relaxed) {
            let _ = s.force_refresh().await;
        }
    });
    c.bench_function("refresh_caller_cached_during_refresh_in_flight", |b| {
        b.iter(|| rt.block_on(busy.token()).unwrap())
    });
    stop.store(true, Ordering::Relaxed);
    let refreshes = busy.request_count();
    assert!(refreshes > 0, "no refresh overlapped the measurement");
    eprintln!("refreshes completed during the in-flight benchmark: {refreshes}");
}

criterion_group!(benches, bench);
criterion_group! {
    name = refresh;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = refresh_latency
}
criterion_main!(benches, refresh);
