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
#[cfg(feature = "otlp")]
mod otlp;

#[cfg(feature = "otlp")]
pub use otlp::{enable_telemetry, Protocol, Telemetry, TelemetryOptions};

use crate::ErrorCode;

/// The name of the meter and of the tracer (the instrumentation scope).
pub const SCOPE: &str = "tokenward";
/// Counter of gateway decisions (`Authenticator::authenticate` and its async and blocking forms).
pub const DECISIONS: &str = "tokenward.gateway.decisions";
/// Histogram of the time the gateway spends deciding, in seconds, without the network waits
/// (an introspection request or a JWKS fetch has a span of its own).
pub const DECISION_DURATION: &str = "tokenward.gateway.decision.duration";
/// Counter of JWT verifications (`JwtVerifier::verify` and its variants).
pub const JWT_VERIFICATIONS: &str = "tokenward.jwt.verifications";

/// What an outbound request is for: the `tokenward.operation` attribute of its span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(feature = "otel"), allow(dead_code))]
pub(crate) enum Operation {
    /// The token endpoint (every grant).
    Token,
    /// A JWKS document.
    Jwks,
    /// OpenID Connect / RFC 8414 discovery.
    Discovery,
    /// RFC 7662 introspection.
    Introspection,
    /// RFC 7009 revocation.
    Revocation,
    /// RFC 9126 pushed authorization request.
    Par,
}

impl Operation {
    /// The attribute value.
    #[cfg_attr(not(feature = "otel"), allow(dead_code))]
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Operation::Token => "token",
            Operation::Jwks => "jwks",
            Operation::Discovery => "discovery",
            Operation::Introspection => "introspection",
            Operation::Revocation => "revocation",
            Operation::Par => "par",
        }
    }
}

/// When a decision started (nothing without the `otel` feature).
pub(crate) struct Started(#[cfg(feature = "otel")] std::time::Instant);

/// Starts timing a decision.
pub(crate) fn start() -> Started {
    Started(
        #[cfg(feature = "otel")]
        std::time::Instant::now(),
    )
}

/// Records one gateway decision: `None` allowed it, `Some(code)` refused it.
#[cfg_attr(not(feature = "otel"), allow(unused_variables))]
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
