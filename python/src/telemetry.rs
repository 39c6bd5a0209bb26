//! `tokenward.enable_telemetry` and `tokenward.Telemetry`: conversions only (the exporter is
//! the core's, `tokenward::telemetry`).

use std::collections::BTreeMap;

use pyo3::prelude::*;

use crate::apikeys::duration_arg;
use crate::error::IntoPyResult;
use tokenward::telemetry as core;

/// The OpenTelemetry providers ``enable_telemetry`` installed. They stay installed when this
/// object is garbage-collected; ``shutdown()`` exports what is pending and uninstalls them.
#[pyclass(module = "tokenward", name = "Telemetry", frozen)]
pub struct Telemetry(core::Telemetry);

#[pymethods]
impl Telemetry {
    /// Exports every pending metric and span now; a failed export raises ``NetworkError``.
    fn flush(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.0.flush()).py()
    }

    /// Exports what is pending and uninstalls the providers: nothing is recorded any more.
    fn shutdown(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.0.shutdown()).py()
    }

    fn __repr__(&self) -> String {
        "Telemetry()".to_owned()
    }
}

/// Turns on tokenward's OpenTelemetry metrics and spans, exported over OTLP/HTTP to the
/// collector at ``endpoint`` (the base URL, ``http://localhost:4318``).
#[pyfunction]
#[pyo3(signature = (endpoint, *, service_name=None, protocol="http/protobuf", headers=None,
    export_interval=None, timeout=None))]
pub fn enable_telemetry(
    endpoint: &str,
    service_name: Option<String>,
    protocol: &str,
    headers: Option<BTreeMap<String, String>>,
    export_interval: Option<&Bound<'_, PyAny>>,
    timeout: Option<&Bound<'_, PyAny>>,
) -> PyResult<Telemetry> {
    let mut options =
        core::TelemetryOptions::new(endpoint).with_protocol(core::Protocol::parse(protocol).py()?);
    if let Some(name) = service_name {
        options = options.with_service_name(name);
    }
    for (name, value) in headers.unwrap_or_default() {
        options = options.with_header(name, value);
    }
    if let Some(interval) = export_interval {
        options = options.with_export_interval(duration_arg(interval, "export_interval")?);
    }
    if let Some(t) = timeout {
        options = options.with_timeout(duration_arg(t, "timeout")?);
    }
    core::enable_telemetry(options).py().map(Telemetry)
}
