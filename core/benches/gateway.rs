//! Gateway throughput: `Authenticator::authenticate` for an API key (in-memory store, one rate
//! limit, one IP rule), the same with abuse detection on (in process, every signal at its
//! default: `api_key_abuse`), and for an HS256 JWT, each on the success path.
//!
//! `cargo bench -p tokenward --bench gateway`
// Test and bench helpers outside #[test] functions may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::net::IpAddr;
use std::sync::Arc;
use tokenward::apikey::ApiKeysOptions;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tokenward::apikey::{ApiKeys, NewKey};
use tokenward::gateway::{AbuseDetection, Authenticator, AuthenticatorOptions, RateLimit, Request};
use tokenward::jwt::{
    Algorithm, JwtIssueOptions, JwtIssuer, JwtIssuerOptions, JwtKey, JwtVerifier,
    JwtVerifierOptions,
};

const SECRET: &[u8] = b"bench-secret-bench-secret-bench-secret!!";

fn api_key_setup() -> tokenward::Result<(Authenticator, String)> {
    api_key_setup_with(false)
}

fn api_key_setup_with(abuse: bool) -> tokenward::Result<(Authenticator, String)> {
    let keys = Arc::new(ApiKeys::new("tw_bench", ApiKeysOptions::default())?);
    let key = keys.create(NewKey::new("acct_bench").scopes(["read"]))?;
    let mut options = AuthenticatorOptions::new()
        .with_api_keys(keys)
        .with_ip_deny(["192.0.2.0/24"])
        .with_rate_limit(RateLimit::per_second(1_000_000_000, 1_000_000_000));
    if abuse {
        options = options.with_abuse_detection(AbuseDetection::new());
    }
    let auth = Authenticator::new(options)?;
    Ok((auth, key.secret.expose().to_owned()))
}

fn jwt_setup() -> tokenward::Result<(Authenticator, String)> {
    let key = JwtKey::hmac(SECRET, Algorithm::HS256)?;
    let issuer = JwtIssuer::new(key.clone(), JwtIssuerOptions::new())?;
    let mut claims = serde_json::Map::new();
    claims.insert("scope".into(), "read write".into());
    let token = issuer.issue(&claims, &JwtIssueOptions::new().with_subject("alice"))?;
    let verifier = JwtVerifier::new(key, JwtVerifierOptions::new([Algorithm::HS256]))?;
    let auth = Authenticator::new(
        AuthenticatorOptions::new()
            .with_jwt(Arc::new(verifier))
            .with_ip_deny(["192.0.2.0/24"])
            .with_rate_limit(RateLimit::per_second(1_000_000_000, 1_000_000_000)),
    )?;
    Ok((auth, token))
}

fn bench(c: &mut Criterion, name: &str, setup: tokenward::Result<(Authenticator, String)>) {
    let (auth, credential) = match setup {
        Ok(s) => s,
        Err(e) => {
            eprintln!("gateway bench {name}: setup failed: {e}");
            return;
        }
    };
    let header_name = if name.starts_with("api_key") {
        "x-api-key"
    } else {
        "authorization"
    };
    let value = if name.starts_with("api_key") {
        credential
    } else {
        format!("Bearer {credential}")
    };
    let headers = [
        ("host", "api.example.com"),
        ("accept", "application/json"),
        (header_name, value.as_str()),
    ];
    let ip: Option<IpAddr> = "198.51.100.7".parse().ok();
    let req = Request {
        method: "GET",
        path: "/v1/things",
        headers: &headers,
        client_ip: ip,
        required_scopes: &["read"],
        client_certificate: None,
    };
    if let Err(r) = auth.authenticate(&req) {
        eprintln!("gateway bench {name}: refused: {r}");
        return;
    }
    let mut group = c.benchmark_group("gateway");
    group.throughput(Throughput::Elements(1));
    group.bench_function(name, |b| {
        b.iter(|| black_box(auth.authenticate(black_box(&req)).is_ok()))
    });
    group.finish();
}

fn api_key(c: &mut Criterion) {
    bench(c, "api_key", api_key_setup());
}

fn api_key_abuse(c: &mut Criterion) {
    bench(c, "api_key_abuse", api_key_setup_with(true));
}

fn jwt_hs256(c: &mut Criterion) {
    bench(c, "jwt_hs256", jwt_setup());
}

/// The tower layer around a service that answers at once: the adapter's overhead on top of
/// `authenticate` (header collection, extension insert, boxed future). `--features tower`.
#[cfg(feature = "tower")]
fn tower_api_key(c: &mut Criterion) {
    use std::future::{ready, Future, Ready};
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};
    use tokenward::gateway::AuthLayer;
    use tower_layer::Layer;
    use tower_service::Service;

    #[derive(Clone)]
    struct Ok200;
    impl Service<http::Request<()>> for Ok200 {
        type Response = http::Response<()>;
        type Error = std::convert::Infallible;
        type Future = Ready<Result<http::Response<()>, std::convert::Infallible>>;
        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
            Poll::Ready(Ok(()))
        }
        fn call(&mut self, _: http::Request<()>) -> Self::Future {
            ready(Ok(http::Response::new(())))
        }
    }

    let Ok((auth, key)) = api_key_setup() else {
        eprintln!("gateway bench tower: setup failed");
        return;
    };
    let ip: Option<IpAddr> = "198.51.100.7".parse().ok();
    let mut svc = AuthLayer::new(Arc::new(auth))
        .require(["read"])
        .client_ip(move |_| ip)
        .layer(Ok200);
    let mut cx = Context::from_waker(Waker::noop());
    let mut group = c.benchmark_group("gateway");
    group.throughput(Throughput::Elements(1));
    group.bench_function("tower_api_key", |b| {
        b.iter(|| {
            let req = http::Request::builder()
                .uri("/v1/things")
                .header("host", "api.example.com")
                .header("accept", "application/json")
                .header("x-api-key", key.as_str())
                .body(());
            let Ok(req) = req else { return false };
            let fut = pin!(svc.call(req));
            match fut.poll(&mut cx) {
                Poll::Ready(Ok(res)) => black_box(res.status().as_u16() == 200),
                _ => false,
            }
        })
    });
    group.finish();
}

#[cfg(not(feature = "tower"))]
fn tower_api_key(_: &mut Criterion) {}

criterion_group!(benches, api_key, api_key_abuse, jwt_hs256, tower_api_key);
criterion_main!(benches);
