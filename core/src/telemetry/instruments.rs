//! The instruments on the global OpenTelemetry providers (`otel` feature).

use std::sync::Arc;
use std::time::Duration;

use opentelemetry::metrics::{Counter, Histogram, MeterProvider};
use opentelemetry::{global, InstrumentationScope, KeyValue};
use parking_lot::RwLock;

use super::names::{DECISIONS, DECISION_DURATION, JWT_VERIFICATIONS, SCOPE};
use crate::ErrorCode;

/// Bucket bounds of the decision histogram, in seconds: 10 µs to 1 s (the SDK's default
/// buckets start at 5 s steps, which would put every decision in the first one).
const DURATION_BOUNDS: [f64; 16] = [
    0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025,
    0.05, 0.1, 0.25, 0.5, 1.0,
];

fn scope() -> InstrumentationScope {
    InstrumentationScope::builder(SCOPE)
        .with_version(env!("CARGO_PKG_VERSION"))
        .build()
}

struct Instruments {
    decisions: Counter<u64>,
    duration: Histogram<f64>,
    jwt: Counter<u64>,
}

type Provider = Arc<dyn MeterProvider + Send + Sync>;

/// The instruments of the provider that was global when they were made: made again when the
/// application installs another provider.
static CURRENT: RwLock<Option<(Provider, Arc<Instruments>)>> = RwLock::new(None);

fn instruments() -> Arc<Instruments> {
    let provider = global::meter_provider();
    if let Some((p, i)) = &*CURRENT.read() {
        if Arc::ptr_eq(p, &provider) {
            return Arc::clone(i);
        }
    }
    let meter = provider.meter_with_scope(scope());
    let made = Arc::new(Instruments {
        decisions: meter
            .u64_counter(DECISIONS)
            .with_description("Gateway decisions, by outcome and refusal code")
            .with_unit("{decision}")
            .build(),
        duration: meter
            .f64_histogram(DECISION_DURATION)
            .with_description("Time the gateway spent deciding, without network waits")
            .with_unit("s")
            .with_boundaries(DURATION_BOUNDS.to_vec())
            .build(),
        jwt: meter
            .u64_counter(JWT_VERIFICATIONS)
            .with_description("JWT verifications, by outcome and error code")
            .with_unit("{verification}")
            .build(),
    });
    *CURRENT.write() = Some((provider, Arc::clone(&made)));
    made
}

fn outcome(refused: Option<ErrorCode>, ok: &'static str, not_ok: &'static str) -> Vec<KeyValue> {
    match refused {
        None => vec![KeyValue::new("outcome", ok)],
        Some(code) => vec![
            KeyValue::new("outcome", not_ok),
            KeyValue::new("code", code.as_str()),
        ],
    }
}

pub(super) fn decision(elapsed: Duration, refused: Option<ErrorCode>) {
    let i = instruments();
    let attributes = outcome(refused, "allowed", "refused");
    i.decisions.add(1, &attributes);
    i.duration.record(elapsed.as_secs_f64(), &attributes);
}

pub(super) fn jwt_verification(refused: Option<ErrorCode>) {
    instruments()
        .jwt
        .add(1, &outcome(refused, "valid", "invalid"));
}

#[cfg(feature = "http")]
pub(crate) use span::HttpSpan;

#[cfg(feature = "http")]
mod span {
    use opentelemetry::global::BoxedSpan;
    use opentelemetry::trace::{Span, SpanKind, Status, Tracer};
    use opentelemetry::{global, KeyValue};
    use parking_lot::Mutex;

    use crate::telemetry::names::Operation;
    use crate::ErrorCode;

    /// The client span of one outbound request, ended when dropped (with the response that
    /// holds it, so a failure found while reading the answer is recorded on it).
    #[derive(Default)]
    pub(crate) struct HttpSpan(Option<Mutex<BoxedSpan>>);

    impl HttpSpan {
        /// Starts the span of `request`: method, host, port and scheme; never the path, the
        /// query or a header.
        pub(crate) fn start(op: Operation, request: &reqwest::Request) -> HttpSpan {
            let tracer = global::tracer_with_scope(super::scope());
            let url = request.url();
            let method = request.method().as_str().to_owned();
            let mut attributes = vec![
                KeyValue::new("tokenward.operation", op.as_str()),
                KeyValue::new("http.request.method", method.clone()),
                KeyValue::new("url.scheme", url.scheme().to_owned()),
            ];
            if let Some(host) = url.host_str() {
                attributes.push(KeyValue::new("server.address", host.to_owned()));
            }
            if let Some(port) = url.port_or_known_default() {
                attributes.push(KeyValue::new("server.port", i64::from(port)));
            }
            let span = tracer
                .span_builder(format!("{method} {}", op.as_str()))
                .with_kind(SpanKind::Client)
                .with_attributes(attributes)
                .start(&tracer);
            HttpSpan(Some(Mutex::new(span)))
        }

        /// Records the response status.
        pub(crate) fn status(&self, status: u16) {
            if let Some(span) = &self.0 {
                span.lock().set_attribute(KeyValue::new(
                    "http.response.status_code",
                    i64::from(status),
                ));
            }
        }

        /// Records a failure with its tokenward code.
        pub(crate) fn fail(&self, code: ErrorCode) {
            if let Some(span) = &self.0 {
                let mut span = span.lock();
                span.set_attribute(KeyValue::new("error.type", code.as_str()));
                span.set_status(Status::error(code.as_str()));
            }
        }
    }

    impl Drop for HttpSpan {
        fn drop(&mut self) {
            if let Some(span) = &self.0 {
                span.lock().end();
            }
        }
    }
}
