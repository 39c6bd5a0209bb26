//! Cost of `TokenSource::token()` on the hot path (cached, valid token).
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use criterion::{criterion_group, criterion_main, Criterion};
use tokenward::oauth::{AccessToken, Grant, OAuthClient, TokenResponse};
use tokenward::refresh::{RefreshOptions, TokenSource};
use tokenward::{runtime, Secret};

fn bench(c: &mut Criterion) {
    let client = OAuthClient::builder("https://as.example/token", "bench")
        .client_secret(Secret::new("s").unwrap())
        .build()
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
    };
    let src = TokenSource::new(
        Arc::new(client),
        Grant::ClientCredentials { scopes: vec![] },
        Some(response),
        RefreshOptions::default(),
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

criterion_group!(benches, bench);
criterion_main!(benches);
