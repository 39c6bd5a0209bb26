//! Redaction throughput (MB/s) on clean text and on secret-dense text.
//!
//! `cargo bench -p tokenward --bench redact`
// Test and bench helpers outside #[test] functions may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

/// Ordinary log lines: prose, UUIDs, hashes, URLs, key=value pairs without secrets.
const CLEAN: &[&str] = &[
    "2024-05-01T12:00:01.123Z INFO  request_id=550e8400-e29b-41d4-a716-446655440000 method=GET path=/api/v1/users/42 status=200 duration_ms=12",
    "2024-05-01T12:00:02.456Z DEBUG cache hit for key user:42 (ttl=300s) after 3 retries; upstream https://api.example.com/v1/items?page=2&limit=50",
    "commit da39a3ee5e6b4b0d3255bfef95601890afd80709 merged by alice into main: Fix race in the scheduler when the queue is empty",
    "{\"level\":\"info\",\"msg\":\"token refreshed\",\"token_type\":\"Bearer\",\"expires_in\":3600,\"scope\":\"read write\",\"user\":\"bob\"}",
    "The quick brown fox jumps over the lazy dog while the worker processes batch 17 of 240 with 0 errors and 3 warnings.",
    "sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 size=1048576 file=/var/lib/app/data/segment-000123.log",
];

/// Lines dense with secrets of every kind.
const DENSE: &[&str] = &[
    "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    "GET /callback?code=abc&access_token=ya29.a0AfH6SMBx3kLw9s8dXyZ1234567890abcdef&state=xyz HTTP/1.1",
    "{\"client_id\":\"app\",\"client_secret\":\"s3cr3t-Value-9876\",\"refresh_token\":\"1//0gLx-AbCdEfGh12345\"}",
    "export GITHUB_TOKEN=ghp_16C7e42F292c6912E7710c838347Ae178B4a AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
    "connecting to postgres://app:Sup3rS3cret@db.internal:5432/main with api_key=tw_live_3xK9pQ2mZ7vR4tY8wB1nC5dF6gH0jL2kM4",
    "Cookie: session=8f14e45fceea167a5a36dedd4bea2543; csrftoken=Xy12AbCd34EfGh56; theme=dark",
];

fn corpus(lines: &[&str], bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 256);
    while s.len() < bytes {
        for l in lines {
            s.push_str(l);
            s.push('\n');
        }
    }
    s
}

fn bench(c: &mut Criterion) {
    let redactor = tokenward::redact::Redactor::default();
    let mut g = c.benchmark_group("redact");
    for (name, lines) in [("clean", CLEAN), ("secret_dense", DENSE)] {
        let text = corpus(lines, 4 << 20);
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(name, |b| b.iter(|| redactor.redact(black_box(&text))));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
