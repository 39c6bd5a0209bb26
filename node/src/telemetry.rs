//! `enableTelemetry` and `Telemetry` for JS: conversions only (the OTLP/HTTP exporter is the
//! core's, `tokenward::telemetry`).

use std::collections::HashMap;

use crate::napi;
use napi_derive::napi;
use tokenward::telemetry as core;
use tokenward::{Error, ErrorCode};

use crate::error::{Code, IntoJsResult};
use crate::jwt_remote::{failure, Failure};

/// Options of `enableTelemetry`.
#[napi(object)]
pub struct TelemetryOptions {
    /// The collector's OTLP/HTTP base URL (`http://localhost:4318`).
    pub endpoint: String,
    /// The `service.name` resource attribute.
    pub service_name: Option<String>,
    /// `"http/protobuf"` (default) or `"http/json"`.
    pub protocol: Option<String>,
    /// Headers sent with every export (a backend's API key).
    pub headers: Option<HashMap<String, String>>,
    /// Seconds between metric exports (default 60).
    pub export_interval: Option<f64>,
    /// Seconds before an export request times out (default 10).
    pub timeout: Option<f64>,
}

/// The OpenTelemetry providers `enableTelemetry` installed. They stay installed when this
/// object is garbage-collected; `shutdown()` exports what is pending and uninstalls them.
#[napi]
pub struct Telemetry(core::Telemetry);

/// Runs `f` (a blocking export) on the library runtime's blocking pool, so the JS thread stays
/// free (a collector in the same process answers on it).
async fn off_thread(f: impl FnOnce() -> tokenward::Result<()> + Send + 'static) -> Option<Failure> {
    let result = match tokenward::__bindings::runtime::handle() {
        Ok(h) => h
            .spawn_blocking(f)
            .await
            .unwrap_or_else(|_| Err(Error::new(ErrorCode::Internal, "the telemetry task failed"))),
        Err(e) => Err(e),
    };
    result.err().map(failure)
}

#[napi]
impl Telemetry {
    /// Exports every pending metric and span (use `flush`, which rejects with `.code`).
    #[napi(js_name = "flushRaw", skip_typescript, catch_unwind)]
    pub async fn flush_raw(&self) -> napi::Result<Option<Failure>> {
        let t = self.0.clone();
        crate::unwind::caught(async move { Ok(off_thread(move || t.flush()).await) }).await
    }

    /// Exports what is pending and uninstalls the providers (use `shutdown`).
    #[napi(js_name = "shutdownRaw", skip_typescript, catch_unwind)]
    pub async fn shutdown_raw(&self) -> napi::Result<Option<Failure>> {
        let t = self.0.clone();
        crate::unwind::caught(async move { Ok(off_thread(move || t.shutdown()).await) }).await
    }
}

/// Turns on tokenward's OpenTelemetry metrics and spans, exported over OTLP/HTTP to
/// `options.endpoint` (docs/telemetry.md).
#[napi(catch_unwind)]
pub fn enable_telemetry(options: TelemetryOptions) -> napi::Result<Telemetry, Code> {
    let protocol = options.protocol.as_deref().unwrap_or("http/protobuf");
    let mut o = core::TelemetryOptions::new(options.endpoint)
        .with_protocol(core::Protocol::parse(protocol).js()?);
    if let Some(name) = options.service_name {
        o = o.with_service_name(name);
    }
    for (name, value) in options.headers.unwrap_or_default() {
        o = o.with_header(name, value);
    }
    if let Some(s) = options.export_interval {
        o = o.with_export_interval(
            tokenward::clock::duration_from_secs_f64(s, "exportInterval").js()?,
        );
    }
    if let Some(s) = options.timeout {
        o = o.with_timeout(tokenward::clock::duration_from_secs_f64(s, "timeout").js()?);
    }
    core::enable_telemetry(o).js().map(Telemetry)
}
