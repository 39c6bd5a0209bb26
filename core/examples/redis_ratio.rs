//! Where the time of a Redis-counted `authenticate` goes, measured against the loopback round
//! trip in the same run (ratios hold on a shared machine where absolute figures do not):
//! interleaved rounds of a bare `PING` and a `GET` of one key on a blocking redis-rs connection,
//! the same `PING` through a `ConnectionManager` driven by a 2-worker runtime from a synchronous
//! caller (the hand-off the shared stores used to make), and `authenticate` with in-process state
//! and with the rate limit and revocation list on the same Redis: the median of the rounds'
//! means, and quantiles of every call. Also runs `redis-benchmark -c 1 -t ping` for the
//! server's own view of one round trip.
//!
//! `TOKENWARD_TEST_REDIS_URL=redis://127.0.0.1:6379/ cargo run --release -p tokenward
//!  --features redis --example redis_ratio`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use tokenward::apikey::{ApiKeys, ApiKeysOptions, NewKey};
use tokenward::gateway::{
    open_revocations, Authenticator, AuthenticatorOptions, RateLimit, Request,
};

/// The mean of `iters` calls of `f` in µs; each call's own time goes to `calls` (ns) too.
fn time(iters: u32, calls: &mut Vec<u64>, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..iters {
        let call = Instant::now();
        f();
        calls.push(call.elapsed().as_nanos() as u64);
    }
    start.elapsed().as_nanos() as f64 / f64::from(iters) / 1000.0
}

/// The `q` quantile of the per-call times, in µs.
fn quantile(calls: &mut [u64], q: f64) -> f64 {
    calls.sort_unstable();
    calls[((calls.len() - 1) as f64 * q) as usize] as f64 / 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn redis_benchmark(url: &str) -> Option<String> {
    let hostport = url.split("://").nth(1)?.split('/').next()?;
    let (host, port) = hostport.rsplit_once(':')?;
    let out = std::process::Command::new("redis-benchmark")
        .args([
            "-h", host, "-p", port, "-c", "1", "-n", "20000", "-t", "ping",
        ])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    // The summary of PING_INLINE then PING_MBULK: "avg min p50 p95 p99 max" in ms.
    let lines: Vec<&str> = text.lines().collect();
    let avgs: Vec<String> = lines
        .windows(2)
        .filter(|w| w[0].contains("avg") && w[0].contains("p50"))
        .map(|w| {
            w[1].split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" / ")
        })
        .collect();
    Some(avgs.join("; "))
}

/// `(calls, µs)` of `EVALSHA` so far, from `INFO commandstats`: the script's own time in Redis.
fn script_stats(conn: &mut redis::Connection) -> (f64, f64) {
    let info: String = redis::cmd("INFO").arg("commandstats").query(conn).unwrap();
    let line = info.lines().find(|l| l.starts_with("cmdstat_evalsha:"));
    let field = |name: &str| -> f64 {
        line.and_then(|l| l.split([':', ',']).find_map(|kv| kv.strip_prefix(name)))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    };
    (field("calls="), field("usec="))
}

fn main() {
    let url = std::env::var("TOKENWARD_TEST_REDIS_URL").expect("TOKENWARD_TEST_REDIS_URL");
    let rounds: u32 = std::env::var("ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(15);
    let iters: u32 = std::env::var("ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);

    let client = redis::Client::open(url.as_str()).unwrap();
    let mut blocking = client.get_connection().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let manager = runtime
        .block_on(redis::aio::ConnectionManager::new(client.clone()))
        .unwrap();

    let keys = Arc::new(ApiKeys::new("tw_bench", ApiKeysOptions::default()).unwrap());
    let key = keys.create(NewKey::new("bench")).unwrap().secret;
    let big = RateLimit::per_second(1_000_000_000, 1_000_000_000);
    let local = Authenticator::new(
        AuthenticatorOptions::new()
            .with_api_keys(keys.clone())
            .with_rate_limit(big),
    )
    .unwrap();
    let shared = Authenticator::new(
        AuthenticatorOptions::new()
            .with_api_keys(keys.clone())
            .with_rate_limit(big)
            .with_rate_limit_store(url.clone())
            .with_revocation_store(open_revocations(Some(&url), false).unwrap()),
    )
    .unwrap();
    let headers = [("x-api-key", key.expose())];
    let req = Request {
        headers: &headers,
        ..Request::default()
    };
    assert!(shared.authenticate(&req).is_ok());

    let mut ping = Vec::new();
    let mut hand_off = Vec::new();
    let mut in_process = Vec::new();
    let mut on_redis = Vec::new();
    let mut get = Vec::new();
    let mut calls: [Vec<u64>; 5] = Default::default();
    let _: () = redis::cmd("SET")
        .arg("tokenward:bench:get")
        .arg("1")
        .query(&mut blocking)
        .unwrap();
    let script_before = script_stats(&mut blocking);
    for _ in 0..rounds {
        ping.push(time(iters, &mut calls[0], || {
            let _: String = redis::cmd("PING").query(&mut blocking).unwrap();
        }));
        get.push(time(iters, &mut calls[4], || {
            let _: String = redis::cmd("GET")
                .arg("tokenward:bench:get")
                .query(&mut blocking)
                .unwrap();
        }));
        hand_off.push(time(iters, &mut calls[1], || {
            let mut m = manager.clone();
            let _: String = runtime
                .block_on(async move { redis::cmd("PING").query_async(&mut m).await })
                .unwrap();
        }));
        in_process.push(time(iters, &mut calls[2], || {
            black_box(local.authenticate(black_box(&req)).unwrap());
        }));
        on_redis.push(time(iters, &mut calls[3], || {
            black_box(shared.authenticate(black_box(&req)).unwrap());
        }));
    }
    let script_after = script_stats(&mut blocking);
    let [q_ping, q_hand_off, q_in_process, q_on_redis, q_get] =
        calls.map(|mut c| [0.5, 0.9, 0.99].map(|q| quantile(&mut c, q)));
    let (ping, hand_off, in_process, on_redis, get) = (
        median(ping),
        median(hand_off),
        median(in_process),
        median(on_redis),
        median(get),
    );
    println!("{rounds} interleaved rounds of {iters} calls, µs per call: the median of the rounds' means, then quantiles of every call:");
    println!("| what | mean | ÷ PING | p50 | p90 | p99 |");
    println!("|---|---|---|---|---|---|");
    let row = |what: &str, mean: f64, q: [f64; 3]| {
        println!(
            "| {what} | {mean:.1} | {:.2} | {:.1} | {:.1} | {:.1} |",
            mean / ping,
            q[0],
            q[1],
            q[2]
        );
    };
    row("PING, blocking redis-rs connection", ping, q_ping);
    row("GET of one key, same connection", get, q_get);
    row(
        "PING, ConnectionManager from a sync caller (runtime hand-off)",
        hand_off,
        q_hand_off,
    );
    row(
        "authenticate, in-process rate limit",
        in_process,
        q_in_process,
    );
    row(
        "authenticate, Redis rate limit + revocation list",
        on_redis,
        q_on_redis,
    );
    println!(
        "added by Redis: {:.1} µs = PING + {:.1} µs = GET + {:.1} µs (means); at p50 PING + {:.1} µs = GET + {:.1} µs",
        on_redis - in_process,
        on_redis - in_process - ping,
        on_redis - in_process - get,
        q_on_redis[0] - q_in_process[0] - q_ping[0],
        q_on_redis[0] - q_in_process[0] - q_get[0]
    );
    let (calls, usec) = (
        script_after.0 - script_before.0,
        script_after.1 - script_before.1,
    );
    if calls > 0.0 {
        println!(
            "of which the script runs {:.1} µs inside Redis (INFO commandstats, {calls} calls)",
            usec / calls
        );
    }
    if let Some(summary) = redis_benchmark(&url) {
        println!(
            "redis-benchmark -c 1 -n 20000 -t ping, avg / min / p50 ms (inline; mbulk): {summary}"
        );
    }
}
