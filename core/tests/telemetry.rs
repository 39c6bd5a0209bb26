//! OpenTelemetry (`otel` feature): decisions and JWT verifications counted by outcome and code,
//! spans of outbound requests against the real OAuth server (`tests/oauth/mock-server.mjs`),
//! read back through the SDK's in-memory exporters installed as the global providers. A test
//! binary of its own: the global providers are process-wide. The tests take one lock, since
//! each installs its own providers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "integration/common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use opentelemetry::global;
use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use parking_lot::Mutex;
use tokenward::apikey::{ApiKeys, ApiKeysOptions, NewKey};
use tokenward::gateway::{AuthenticatorOptions, Request};
use tokenward::jwt::{
    Algorithm, JwtIssuer, JwtIssuerOptions, JwtKey, JwtVerifier, JwtVerifierOptions,
};
use tokenward::oauth::{OAuthClient, OAuthClientOptions, TokenTypeHint};
use tokenward::telemetry::{DECISIONS, DECISION_DURATION, JWT_VERIFICATIONS};
use tokenward::{Authenticator, Secret};

static LOCK: Mutex<()> = Mutex::new(());

const CLIENT_SECRET: &str = "mock-secret-d41d8cd98f00";

/// The SDK, installed globally, with in-memory exporters.
struct Sdk {
    meters: SdkMeterProvider,
    metrics: InMemoryMetricExporter,
    tracers: SdkTracerProvider,
    spans: InMemorySpanExporter,
}

impl Sdk {
    fn install() -> Sdk {
        let metrics = InMemoryMetricExporter::default();
        let meters = SdkMeterProvider::builder()
            .with_reader(PeriodicReader::builder(metrics.clone()).build())
            .build();
        let spans = InMemorySpanExporter::default();
        let tracers = SdkTracerProvider::builder()
            .with_simple_exporter(spans.clone())
            .build();
        global::set_meter_provider(meters.clone());
        global::set_tracer_provider(tracers.clone());
        Sdk {
            meters,
            metrics,
            tracers,
            spans,
        }
    }

    /// Every data point of the last export: (metric name, attributes, value or count).
    fn points(&self) -> Vec<(String, HashMap<String, String>, u64)> {
        self.meters.force_flush().unwrap();
        let exported = self.metrics.get_finished_metrics().unwrap();
        let mut out = Vec::new();
        let Some(last) = exported.last() else {
            return out;
        };
        for scope in last.scope_metrics() {
            assert_eq!(scope.scope().name(), "tokenward");
            for m in scope.metrics() {
                let name = m.name().to_owned();
                match m.data() {
                    AggregatedMetrics::U64(MetricData::Sum(sum)) => {
                        for p in sum.data_points() {
                            out.push((name.clone(), attrs(p.attributes()), p.value()));
                        }
                    }
                    AggregatedMetrics::F64(MetricData::Histogram(h)) => {
                        for p in h.data_points() {
                            out.push((name.clone(), attrs(p.attributes()), p.count()));
                        }
                    }
                    other => panic!("unexpected data for {name}: {other:?}"),
                }
            }
        }
        out
    }

    fn spans(&self) -> Vec<SpanData> {
        self.tracers.force_flush().unwrap();
        self.spans.get_finished_spans().unwrap()
    }
}

fn attrs<'a>(kvs: impl Iterator<Item = &'a KeyValue>) -> HashMap<String, String> {
    kvs.map(|kv| (kv.key.to_string(), kv.value.to_string()))
        .collect()
}

fn count(
    points: &[(String, HashMap<String, String>, u64)],
    name: &str,
    want: &[(&str, &str)],
) -> u64 {
    points
        .iter()
        .filter(|(n, a, _)| {
            n == name
                && a.len() == want.len()
                && want
                    .iter()
                    .all(|(k, v)| a.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|(_, _, v)| *v)
        .sum()
}

fn request<'a>(headers: &'a [(&'a str, &'a str)]) -> Request<'a> {
    Request {
        method: "GET",
        path: "/orders?access_token=never-recorded",
        headers,
        client_ip: Some("198.51.100.9".parse::<IpAddr>().unwrap()),
        required_scopes: &[],
        client_certificate: None,
    }
}

fn hs256() -> (JwtIssuer, JwtVerifier) {
    let key = JwtKey::hmac(b"a-test-hmac-key-of-32-bytes-long!!", Algorithm::HS256).unwrap();
    let issuer = JwtIssuer::new(key.clone(), JwtIssuerOptions::new()).unwrap();
    let verifier = JwtVerifier::new(key, JwtVerifierOptions::new([Algorithm::HS256])).unwrap();
    (issuer, verifier)
}

fn assert_no_secret(
    points: &[(String, HashMap<String, String>, u64)],
    spans: &[SpanData],
    secrets: &[&str],
) {
    assert!(
        !points.is_empty() || !spans.is_empty(),
        "nothing was recorded"
    );
    let mut values: Vec<String> = points
        .iter()
        .flat_map(|(_, a, _)| a.values().cloned())
        .collect();
    for s in spans {
        values.push(s.name.to_string());
        values.extend(s.attributes.iter().map(|kv| kv.value.to_string()));
        if let opentelemetry::trace::Status::Error { description } = &s.status {
            values.push(description.to_string());
        }
    }
    for v in &values {
        for secret in secrets {
            assert!(!v.contains(secret), "a recorded value holds a secret: {v}");
        }
    }
}

#[test]
fn decisions_and_verifications_are_counted_by_outcome_and_code() {
    let _guard = LOCK.lock();
    let keys = Arc::new(ApiKeys::new("tw_test", ApiKeysOptions::default()).unwrap());
    let key = keys.create(NewKey::new("acct")).unwrap();
    let secret = key.secret.expose().to_owned();
    let auth = Authenticator::new(
        AuthenticatorOptions::new()
            .with_api_keys(keys)
            .with_failure_rate_limit(None),
    )
    .unwrap();
    let sdk = Sdk::install();

    let good = [("x-api-key", secret.as_str())];
    for _ in 0..3 {
        auth.authenticate(&request(&good)).unwrap();
    }
    // A typo in the key: refused offline by its checksum.
    let mut typo = secret.clone();
    let last = typo.pop().unwrap();
    typo.push(if last == 'A' { 'B' } else { 'A' });
    let bad = [("x-api-key", typo.as_str())];
    for _ in 0..2 {
        assert_eq!(
            auth.authenticate(&request(&bad)).unwrap_err().code.as_str(),
            "checksum_mismatch"
        );
    }
    auth.authenticate(&request(&[])).unwrap_err();

    let (issuer, verifier) = hs256();
    let jwt = issuer
        .issue(&serde_json::Map::new(), &Default::default())
        .unwrap();
    verifier.verify(&jwt).unwrap();
    verifier.verify(&jwt).unwrap();
    verifier.verify("not.a.jwt").unwrap_err();

    let points = sdk.points();
    assert_eq!(count(&points, DECISIONS, &[("outcome", "allowed")]), 3);
    assert_eq!(
        count(
            &points,
            DECISIONS,
            &[("outcome", "refused"), ("code", "checksum_mismatch")]
        ),
        2
    );
    assert_eq!(
        count(
            &points,
            DECISIONS,
            &[("outcome", "refused"), ("code", "missing_credentials")]
        ),
        1
    );
    assert_eq!(
        count(&points, DECISION_DURATION, &[("outcome", "allowed")]),
        3
    );
    assert_eq!(
        count(
            &points,
            DECISION_DURATION,
            &[("outcome", "refused"), ("code", "checksum_mismatch")]
        ),
        2
    );
    assert_eq!(
        count(&points, JWT_VERIFICATIONS, &[("outcome", "valid")]),
        2
    );
    assert_eq!(
        count(
            &points,
            JWT_VERIFICATIONS,
            &[("outcome", "invalid"), ("code", "malformed")]
        ),
        1
    );
    assert_no_secret(&points, &[], &[&secret, &typo, &jwt, "never-recorded"]);
}

#[test]
fn nothing_is_recorded_before_a_provider_is_installed() {
    let _guard = LOCK.lock();
    global::set_meter_provider(opentelemetry::metrics::NoopMeterProvider::new());
    let keys = Arc::new(ApiKeys::new("tw_test", ApiKeysOptions::default()).unwrap());
    let auth = Authenticator::new(AuthenticatorOptions::new().with_api_keys(keys)).unwrap();
    for _ in 0..5 {
        auth.authenticate(&request(&[])).unwrap_err();
    }
    let sdk = Sdk::install();
    assert_eq!(
        sdk.points(),
        vec![],
        "decisions made before the provider were recorded"
    );
    auth.authenticate(&request(&[])).unwrap_err();
    assert_eq!(
        count(
            &sdk.points(),
            DECISIONS,
            &[("outcome", "refused"), ("code", "missing_credentials")]
        ),
        1
    );
}

fn span<'a>(spans: &'a [SpanData], name: &str) -> Vec<&'a SpanData> {
    spans.iter().filter(|s| s.name == name).collect()
}

fn attr(s: &SpanData, key: &str) -> Option<Value> {
    s.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| kv.value.clone())
}

#[test]
fn outbound_requests_have_spans_with_the_code_of_a_failure() {
    let _guard = LOCK.lock();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(outbound_requests());
}

async fn outbound_requests() {
    let server = common::MockServer::start();
    let sdk = Sdk::install();

    let options =
        OAuthClientOptions::default().with_client_secret(Secret::new(CLIENT_SECRET).unwrap());
    let client = OAuthClient::discover(&server.issuer, "mock-client", options)
        .await
        .unwrap();
    let token = client.client_credentials(&["read".into()]).await.unwrap();
    let access = token.access_token.secret();
    assert!(
        client
            .introspect(access, Some(TokenTypeHint::AccessToken))
            .await
            .unwrap()
            .active
    );
    client.revoke(access, None).await.unwrap();
    let (_, jwks) = tokenward::jwt::discover(&server.issuer, Default::default())
        .await
        .unwrap();
    jwks.keys().await.unwrap();

    // Failures: nothing listens on the port; a JWKS URL the server answers with 404.
    let refused = OAuthClient::new(
        "http://127.0.0.1:9/token",
        "mock-client",
        OAuthClientOptions::default().with_client_secret(Secret::new(CLIENT_SECRET).unwrap()),
    )
    .unwrap();
    let err = refused.client_credentials(&[]).await.unwrap_err();
    assert_eq!(err.code().as_str(), "network");
    let missing = tokenward::jwt::RemoteKeySet::new(
        &format!("{}/no-such-jwks?secret=never-recorded", server.issuer),
        Default::default(),
    )
    .unwrap();
    let err = missing.keys().await.unwrap_err();
    assert_eq!(err.code().as_str(), "invalid_response");

    let spans = sdk.spans();
    let port = server
        .issuer
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches('/')
        .to_owned();
    let tokens = span(&spans, "POST token");
    assert_eq!(tokens.len(), 2, "{spans:#?}");
    let ok = tokens
        .iter()
        .find(|s| attr(s, "error.type").is_none())
        .unwrap();
    assert_eq!(attr(ok, "http.response.status_code"), Some(Value::I64(200)));
    assert_eq!(attr(ok, "http.request.method").unwrap().as_str(), "POST");
    assert_eq!(attr(ok, "server.address").unwrap().as_str(), "127.0.0.1");
    assert_eq!(attr(ok, "server.port").unwrap().to_string(), port);
    assert_eq!(ok.span_kind, opentelemetry::trace::SpanKind::Client);
    let failed = tokens
        .iter()
        .find(|s| attr(s, "error.type").is_some())
        .unwrap();
    assert_eq!(attr(failed, "error.type").unwrap().as_str(), "network");
    assert!(matches!(
        failed.status,
        opentelemetry::trace::Status::Error { .. }
    ));
    assert_eq!(span(&spans, "POST introspection").len(), 1);
    assert_eq!(span(&spans, "POST revocation").len(), 1);
    assert!(!span(&spans, "GET discovery").is_empty());
    let jwks_spans = span(&spans, "GET jwks");
    assert_eq!(jwks_spans.len(), 2, "{spans:#?}");
    let not_found = jwks_spans
        .iter()
        .find(|s| attr(s, "http.response.status_code") == Some(Value::I64(404)))
        .unwrap();
    assert_eq!(
        attr(not_found, "error.type").unwrap().as_str(),
        "invalid_response"
    );
    for s in &spans {
        assert!(attr(s, "tokenward.operation").is_some());
        assert!(attr(s, "url.full").is_none() && attr(s, "url.query").is_none());
    }
    assert_no_secret(
        &[],
        &spans,
        &[
            CLIENT_SECRET,
            token.access_token.expose(),
            "never-recorded",
            "no-such-jwks",
        ],
    );
}
