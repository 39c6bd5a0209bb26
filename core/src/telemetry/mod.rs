//! OpenTelemetry: counters and a histogram of the gateway's decisions, a counter of JWT
//! verifications, and a span for every outbound request (token endpoint, JWKS, discovery,
//! introspection, revocation, pushed authorization). Off by default twice over: compiled in only
//! with the `otel` cargo feature, and recorded only once the application installs a meter or
//! tracer provider (`opentelemetry::global::set_meter_provider`, `set_tracer_provider`; without
//! one the global providers are no-ops). The instruments are created under the meter and
//! tracer named [`SCOPE`] from whichever global provider is installed at the time of the call,
//! so a provider installed after the first decision is used from then on.
//!
//! | instrument | kind | attributes |
//! |---|---|---|
//! | [`DECISIONS`] | counter | `outcome` (`allowed` / `refused`), `code` (refusals: the tokenward code) |
//! | [`DECISION_DURATION`] | histogram, seconds | the same |
//! | [`JWT_VERIFICATIONS`] | counter | `outcome` (`valid` / `invalid`), `code` (failures) |
//!
//! Spans are client spans named `{METHOD} {operation}` (`POST token`, `GET jwks`) with
//! `tokenward.operation`, `http.request.method`, `server.address`, `server.port`, `url.scheme`,
//! `http.response.status_code` and, on a failure, `error.type` (the tokenward code, `network`,
//! `timeout`, `invalid_grant`, …) and an error status. No attribute holds a path, a query, a
//! header or any token material.
//!
//! With the `otlp` feature, `enable_telemetry` installs a provider of the library's own that
//! exports OTLP over HTTP to a collector: what the bindings call.

#[cfg(feature = "otel")]
mod instruments;
mod names;
#[cfg(feature = "otlp")]
mod otlp;

#[cfg(feature = "otlp")]
pub use otlp::{enable_telemetry, Protocol, Telemetry, TelemetryOptions};

use crate::ErrorCode;

#[cfg(feature = "http")]
pub(crate) use names::Operation;
pub use names::{DECISIONS, DECISION_DURATION, JWT_VERIFICATIONS, SCOPE};

/// When a decision started (nothing without the `otel` feature).
#[cfg_attr(not(feature = "gateway"), allow(dead_code))]
pub(crate) struct Started(#[cfg(feature = "otel")] std::time::Instant);

/// Starts timing a decision.
#[cfg_attr(not(feature = "gateway"), allow(dead_code))]
pub(crate) fn start() -> Started {
    Started(
        #[cfg(feature = "otel")]
        std::time::Instant::now(),
    )
}

/// Records one gateway decision: `None` allowed it, `Some(code)` refused it.
#[cfg_attr(not(feature = "otel"), allow(unused_variables))]
#[cfg_attr(not(feature = "gateway"), allow(dead_code))]
pub(crate) fn decision(started: Started, refused: Option<ErrorCode>) {
    #[cfg(feature = "otel")]
    instruments::decision(started.0.elapsed(), refused);
}

/// Records one JWT verification: `None` valid, `Some(code)` refused.
#[cfg_attr(not(feature = "otel"), allow(unused_variables))]
pub(crate) fn jwt_verification(refused: Option<ErrorCode>) {
    #[cfg(feature = "otel")]
    instruments::jwt_verification(refused);
}

#[cfg(all(feature = "http", feature = "otel"))]
pub(crate) use instruments::HttpSpan;

/// The span of one outbound request (nothing without the `otel` feature).
#[cfg(all(feature = "http", not(feature = "otel")))]
#[derive(Default)]
pub(crate) struct HttpSpan;

#[cfg(all(feature = "http", not(feature = "otel")))]
impl HttpSpan {
    pub(crate) fn start(_: Operation, _: &reqwest::Request) -> HttpSpan {
        HttpSpan
    }
    pub(crate) fn status(&self, _: u16) {}
    pub(crate) fn fail(&self, _: ErrorCode) {}
}
