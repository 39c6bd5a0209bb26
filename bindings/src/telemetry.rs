//! `enableTelemetry` and `Telemetry` for Swift and Kotlin: conversions only (the OTLP/HTTP
//! exporter is the core's, `tokenward::telemetry`).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokenward::telemetry as core;

use crate::error::FfiResult;

/// Options of `enableTelemetry`.
#[derive(Debug, Clone, uniffi::Record)]
pub struct TelemetryOptions {
    /// The collector's OTLP/HTTP base URL (`http://localhost:4318`).
    pub endpoint: String,
    /// The `service.name` resource attribute.
    #[uniffi(default = None)]
    pub service_name: Option<String>,
    /// `http/protobuf` (default) or `http/json`.
    #[uniffi(default = None)]
    pub protocol: Option<String>,
    /// Headers sent with every export (a backend's API key).
    #[uniffi(default = None)]
    pub headers: Option<HashMap<String, String>>,
    /// Time between metric exports (default 60 s).
    #[uniffi(default = None)]
    pub export_interval: Option<Duration>,
    /// Timeout of one export request (default 10 s).
    #[uniffi(default = None)]
    pub timeout: Option<Duration>,
}

/// The OpenTelemetry providers `enableTelemetry` installed. They stay installed when this
/// object is released; `shutdown()` exports what is pending and uninstalls them.
#[derive(uniffi::Object, Debug)]
pub struct Telemetry(core::Telemetry);

#[uniffi::export]
impl Telemetry {
    /// Exports every pending metric and span now (blocks until sent); a failed export is
    /// `network`.
    pub fn flush(&self) -> FfiResult<()> {
        Ok(self.0.flush()?)
    }

    /// Exports what is pending and uninstalls the providers: nothing is recorded any more.
    pub fn shutdown(&self) -> FfiResult<()> {
        Ok(self.0.shutdown()?)
    }
}

/// Turns on tokenward's OpenTelemetry metrics and spans, exported over OTLP/HTTP to
/// `options.endpoint` (docs/telemetry.md).
#[uniffi::export]
pub fn enable_telemetry(options: TelemetryOptions) -> FfiResult<Arc<Telemetry>> {
    let protocol = options.protocol.as_deref().unwrap_or("http/protobuf");
    let mut o = core::TelemetryOptions::new(options.endpoint)
        .with_protocol(core::Protocol::parse(protocol)?);
    if let Some(name) = options.service_name {
        o = o.with_service_name(name);
    }
    for (name, value) in options.headers.unwrap_or_default() {
        o = o.with_header(name, value);
    }
    if let Some(d) = options.export_interval {
        o = o.with_export_interval(d);
    }
    if let Some(d) = options.timeout {
        o = o.with_timeout(d);
    }
    Ok(Arc::new(Telemetry(core::enable_telemetry(o)?)))
}
