//! Session tokens and audit lines: what `Sessions` costs per call with the in-memory and the
//! SQLite store, what a session cookie costs through `Authenticator::authenticate`, and what one
//! ECS audit line costs to build and to append to a file.
//!
//! `cargo bench -p tokenward --bench sessions`
// Bench helpers may unwrap: a failure is the bench failing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::hint::black_box;
use std::net::IpAddr;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tokenward::audit::{AuditEvent, AuditLog, Outcome};
use tokenward::gateway::{Authenticator, AuthenticatorOptions, Request};
use tokenward::session::{Sessions, SessionsOptions};
use tokenward::ErrorCode;

fn sessions(spec: &str) -> Sessions {
    Sessions::new(SessionsOptions::new().with_store_spec(spec)).unwrap()
}

fn data() -> BTreeMap<String, String> {
    BTreeMap::from([("role".to_owned(), "reader".to_owned())])
}

fn store_rows(c: &mut Criterion, label: &str, s: &Sessions) {
    let mut group = c.benchmark_group(format!("sessions/{label}"));
    group.throughput(Throughput::Elements(1));
    let issued = s.create("alice", data()).unwrap();
    let id = issued.id.expose().to_owned();
    group.bench_function("create", |b| {
        b.iter(|| black_box(s.create("alice", data()).unwrap()))
    });
    group.bench_function("verify", |b| {
        b.iter(|| black_box(s.verify(black_box(&id)).unwrap()))
    });
    let csrf = s.csrf_token(&id).unwrap();
    group.bench_function("verify_csrf", |b| {
        b.iter(|| s.verify_csrf(black_box(&id), black_box(&csrf)).unwrap())
    });
    group.bench_function("refuse an unknown id", |b| {
        let unknown = s.create("bob", data()).unwrap().id.expose().to_owned();
        s.revoke(&unknown).unwrap();
        b.iter(|| black_box(s.verify(black_box(&unknown)).is_err()))
    });
    group.finish();
}

fn bench(c: &mut Criterion) {
    store_rows(c, "memory", &sessions("memory"));
    let dir = std::env::temp_dir().join(format!("tokenward-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("sessions.db");
    store_rows(
        c,
        "sqlite",
        &sessions(&format!("sqlite://{}", db.display())),
    );

    // A session cookie through the gateway (in-memory store).
    let s = Arc::new(sessions("memory"));
    let issued = s.create("alice", data()).unwrap();
    let cookie = format!("{}={}", s.cookie().name(), issued.id.expose());
    let auth =
        Authenticator::new(AuthenticatorOptions::new().with_sessions(Arc::clone(&s))).unwrap();
    let headers = [("host", "app.example.com"), ("cookie", cookie.as_str())];
    let ip: Option<IpAddr> = "198.51.100.7".parse().ok();
    let req = Request {
        method: "GET",
        path: "/account",
        headers: &headers,
        client_ip: ip,
        required_scopes: &[],
        client_certificate: None,
    };
    auth.authenticate(&req).unwrap();
    let mut group = c.benchmark_group("gateway");
    group.throughput(Throughput::Elements(1));
    group.bench_function("session_cookie", |b| {
        b.iter(|| black_box(auth.authenticate(black_box(&req)).is_ok()))
    });
    group.finish();

    // One audit line: built, and appended to a file.
    let event = AuditEvent::new("gateway.authenticate", Outcome::Failure)
        .code(ErrorCode::ChecksumMismatch)
        .credential("k_0123456789abcdef")
        .subject("acct_bench");
    let log = AuditLog::open(&format!("file://{}", dir.join("audit.log").display())).unwrap();
    let mut group = c.benchmark_group("audit");
    group.throughput(Throughput::Elements(1));
    group.bench_function("to_ecs_json", |b| b.iter(|| black_box(event.to_ecs_json())));
    group.bench_function("AuditLog::write (file)", |b| {
        b.iter(|| log.write(black_box(&event)))
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bench);
criterion_main!(benches);
