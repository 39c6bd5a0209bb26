//! API key throughput: verify with the memory and SQLite stores, and refusal of a typo
//! (checksum mismatch) that never reaches a store.
//!
//! `cargo bench -p tokenward --bench apikeys`
// Test and bench helpers outside #[test] functions may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;
use tokenward::apikey::ApiKeysOptions;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tokenward::apikey::{ApiKeys, NewKey, SqliteStore};
use tokenward::Secret;

const KEYS: usize = 1000;

fn populate(keys: &ApiKeys) -> Vec<Secret> {
    (0..KEYS)
        .map(|i| {
            let new = NewKey::new(format!("owner{i}")).scopes(["read"]);
            keys.create(new).map(|k| k.secret)
        })
        .collect::<Result<_, _>>()
        .unwrap_or_default()
}

fn bench_verify(c: &mut Criterion, name: &str, keys: &ApiKeys) {
    let secrets = populate(keys);
    let mut group = c.benchmark_group("apikeys");
    group.throughput(Throughput::Elements(1));
    let mut i = 0;
    group.bench_function(name, |b| {
        b.iter(|| {
            i = (i + 1) % secrets.len();
            black_box(keys.verify(black_box(secrets[i].expose())).is_ok())
        })
    });
    group.finish();
}

fn verify_memory(c: &mut Criterion) {
    if let Ok(keys) = ApiKeys::new("tw_bench", ApiKeysOptions::default()) {
        bench_verify(c, "verify/memory", &keys);
    }
}

fn verify_memory_pepper(c: &mut Criterion) {
    let pepper = Secret::new("bench-pepper-0123456789abcdefghij");
    if let Ok(keys) =
        pepper.and_then(|p| ApiKeys::new("tw_bench", ApiKeysOptions::default().with_pepper(p)))
    {
        bench_verify(c, "verify/memory+pepper", &keys);
    }
}

fn verify_sqlite(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("tw-bench-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let Ok(store) = SqliteStore::open(dir.join("keys.db")) else {
        return;
    };
    if let Ok(keys) = ApiKeys::new(
        "tw_bench",
        ApiKeysOptions::default().with_store(Arc::new(store)),
    ) {
        bench_verify(c, "verify/sqlite", &keys);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn refuse_typo(c: &mut Criterion) {
    let Ok(keys) = ApiKeys::new("tw_bench", ApiKeysOptions::default()) else {
        return;
    };
    let secrets = populate(&keys);
    let Some(first) = secrets.first() else {
        return;
    };
    let mut typo = first.expose().to_owned();
    let c20 = if typo.as_bytes()[20] == b'a' {
        "b"
    } else {
        "a"
    };
    typo.replace_range(20..21, c20);
    let mut group = c.benchmark_group("apikeys");
    group.throughput(Throughput::Elements(1));
    group.bench_function("refuse/checksum_mismatch", |b| {
        b.iter(|| black_box(keys.verify(black_box(&typo)).is_err()))
    });
    group.bench_function("check_format/valid", |b| {
        b.iter(|| black_box(ApiKeys::check_format(black_box(first.expose())).is_ok()))
    });
    group.finish();
}

/// CPU seconds consumed by the calling thread (Linux `/proc/thread-self/stat`, 100 Hz ticks),
/// so the per-core figure is not distorted by other processes sharing the machine.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let after_name = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 and 15 of stat(5) (utime, stime) are at 11 and 12 after the `(comm)` field.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// Verifies per second with every core busy, and per CPU-second of each verifying thread (not a
/// criterion measurement: printed once).
fn verify_memory_all_cores(_: &mut Criterion) {
    let Ok(keys) = ApiKeys::new("tw_bench", ApiKeysOptions::default()) else {
        return;
    };
    let keys = Arc::new(keys);
    let secrets = Arc::new(populate(&keys));
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let per_thread = 4_000_000;
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (keys, secrets) = (keys.clone(), secrets.clone());
            std::thread::spawn(move || {
                let cpu_start = thread_cpu_seconds();
                let mut ok = 0usize;
                for i in 0..per_thread {
                    let key = secrets[(i + t * 7) % secrets.len()].expose();
                    ok += usize::from(keys.verify(key).is_ok());
                }
                let cpu = cpu_start.zip(thread_cpu_seconds()).map(|(a, b)| b - a);
                (ok, cpu)
            })
        })
        .collect();
    let results: Vec<(usize, Option<f64>)> =
        handles.into_iter().filter_map(|h| h.join().ok()).collect();
    let secs = start.elapsed().as_secs_f64();
    let ok: usize = results.iter().map(|r| r.0).sum();
    let cpu: f64 = results.iter().filter_map(|r| r.1).sum();
    println!(
        "apikeys/verify/memory on {threads} threads: {:.0} verifies/s wall clock; {:.0} verifies per CPU-second of a verifying thread ({ok} ok)",
        (threads * per_thread) as f64 / secs,
        (threads * per_thread) as f64 / cpu,
    );
}

criterion_group!(
    benches,
    verify_memory,
    verify_memory_pepper,
    verify_sqlite,
    refuse_typo,
    verify_memory_all_cores
);
criterion_main!(benches);
