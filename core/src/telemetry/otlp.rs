//! [`enable_telemetry`]: a meter and a tracer provider of the library's own, exporting OTLP over
//! HTTP through tokenward's HTTP client on its runtime (`otlp` feature).

use std::collections::HashMap;
use std::time::Duration;

use bytes::Bytes;
use opentelemetry::global;
use opentelemetry_http::HttpError;
use opentelemetry_otlp::{MetricExporter, SpanExporter, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::SdkTracerProvider;
use opentelemetry_sdk::Resource;

use crate::{Error, ErrorCode};

/// The encoding of the OTLP/HTTP export.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Protocol {
    /// `http/protobuf` (`application/x-protobuf`), what collectors expect by default.
    #[default]
    HttpProtobuf,
    /// `http/json` (`application/json`).
    HttpJson,
}

impl Protocol {
    /// The name used by `OTEL_EXPORTER_OTLP_PROTOCOL`: `http/protobuf` or `http/json`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Protocol::HttpProtobuf => "http/protobuf",
            Protocol::HttpJson => "http/json",
        }
    }

    /// Reads [`Protocol::as_str`]'s names; anything else (`grpc` too) is `invalid_input`.
    pub fn parse(name: &str) -> Result<Protocol, Error> {
        match name {
            "http/protobuf" => Ok(Protocol::HttpProtobuf),
            "http/json" => Ok(Protocol::HttpJson),
            _ => Err(Error::new(
                ErrorCode::InvalidInput,
                "the OTLP protocol is http/protobuf or http/json",
            )),
        }
    }

    fn otlp(self) -> opentelemetry_otlp::Protocol {
        match self {
            Protocol::HttpProtobuf => opentelemetry_otlp::Protocol::HttpBinary,
            Protocol::HttpJson => opentelemetry_otlp::Protocol::HttpJson,
        }
    }
}

/// Where and how [`enable_telemetry`] exports. `Debug` prints header names, never their values
/// (a backend's API key travels in one).
#[derive(Clone)]
pub struct TelemetryOptions {
    endpoint: String,
    service_name: Option<String>,
    protocol: Protocol,
    headers: Vec<(String, String)>,
    export_interval: Duration,
    timeout: Duration,
}

impl std::fmt::Debug for TelemetryOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelemetryOptions")
            .field("endpoint", &self.endpoint)
            .field("service_name", &self.service_name)
            .field("protocol", &self.protocol)
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field("export_interval", &self.export_interval)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl TelemetryOptions {
    /// Exports to the collector at `endpoint`, the OTLP/HTTP base URL
    /// (`http://localhost:4318`): metrics go to `{endpoint}/v1/metrics`, spans to
    /// `{endpoint}/v1/traces`. Protobuf, every 60 s, 10 s timeout.
    pub fn new(endpoint: impl Into<String>) -> TelemetryOptions {
        TelemetryOptions {
            endpoint: endpoint.into(),
            service_name: None,
            protocol: Protocol::default(),
            headers: Vec::new(),
            export_interval: Duration::from_secs(60),
            timeout: Duration::from_secs(10),
        }
    }

    /// The `service.name` resource attribute (default: the SDK's, `OTEL_SERVICE_NAME` or
    /// `unknown_service`).
    pub fn with_service_name(mut self, name: impl Into<String>) -> Self {
        self.service_name = Some(name.into());
        self
    }

    /// The encoding (default `http/protobuf`).
    pub fn with_protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// A header sent with every export (a backend's API key, a tenant id).
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// How often metrics are exported (default 60 s; spans leave in batches as they end).
    pub fn with_export_interval(mut self, interval: Duration) -> Self {
        self.export_interval = interval;
        self
    }

    /// The timeout of one export request (default 10 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// The providers [`enable_telemetry`] installed. They stay installed when this handle is
/// dropped; [`Telemetry::shutdown`] exports what is pending and uninstalls them.
#[derive(Debug, Clone)]
pub struct Telemetry {
    meters: SdkMeterProvider,
    tracers: SdkTracerProvider,
}

impl Telemetry {
    /// Exports every pending metric and span now. A failed export is `network`.
    pub fn flush(&self) -> Result<(), Error> {
        let metrics = self.meters.force_flush();
        let spans = self.tracers.force_flush();
        metrics.and(spans).map_err(export_failed)
    }

    /// Exports what is pending, stops the exporters and puts the no-op providers back: nothing
    /// is recorded any more.
    pub fn shutdown(&self) -> Result<(), Error> {
        global::set_meter_provider(opentelemetry::metrics::NoopMeterProvider::new());
        global::set_tracer_provider(opentelemetry::trace::noop::NoopTracerProvider::new());
        let metrics = self.meters.shutdown();
        let spans = self.tracers.shutdown();
        metrics.and(spans).map_err(export_failed)
    }
}

fn export_failed(e: opentelemetry_sdk::error::OTelSdkError) -> Error {
    Error::new(
        ErrorCode::Network,
        format!("the telemetry export failed: {e}"),
    )
}

/// Installs, as the global OpenTelemetry providers, a meter provider exporting tokenward's
/// metrics every `export_interval` and a tracer provider exporting its spans in batches, both
/// over OTLP/HTTP to `options`' endpoint. For applications without an OpenTelemetry SDK of
/// their own in Rust (the bindings); a Rust application with one installs its own providers
/// instead. Refuses an endpoint that is not an `http`/`https` URL, a zero interval or
/// timeout, and an invalid header with `invalid_input`.
pub fn enable_telemetry(options: TelemetryOptions) -> Result<Telemetry, Error> {
    let base = reqwest::Url::parse(&options.endpoint)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidInput,
                "the telemetry endpoint is not an http(s) URL",
            )
        })?;
    if options.export_interval.is_zero() || options.timeout.is_zero() {
        return Err(Error::new(
            ErrorCode::InvalidInput,
            "the export interval and timeout must be positive",
        ));
    }
    let mut headers = HashMap::new();
    for (name, value) in &options.headers {
        let valid = reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_ok()
            && reqwest::header::HeaderValue::from_str(value).is_ok();
        if !valid {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "a telemetry header name or value is not valid",
            ));
        }
        headers.insert(name.clone(), value.clone());
    }
    let base = base.as_str().trim_end_matches('/');
    let client = ExportClient {
        inner: crate::http::client()?.clone(),
        timeout: options.timeout,
    };
    let mut resource = Resource::builder();
    if let Some(name) = &options.service_name {
        resource = resource.with_service_name(name.clone());
    }
    let resource = resource.build();

    let metrics = MetricExporter::builder()
        .with_http()
        .with_http_client(client.clone())
        .with_protocol(options.protocol.otlp())
        .with_endpoint(format!("{base}/v1/metrics"))
        .with_timeout(options.timeout)
        .with_headers(headers.clone())
        .build()
        .map_err(build_failed)?;
    let spans = SpanExporter::builder()
        .with_http()
        .with_http_client(client)
        .with_protocol(options.protocol.otlp())
        .with_endpoint(format!("{base}/v1/traces"))
        .with_timeout(options.timeout)
        .with_headers(headers)
        .build()
        .map_err(build_failed)?;
    let meters = SdkMeterProvider::builder()
        .with_reader(
            PeriodicReader::builder(metrics)
                .with_interval(options.export_interval)
                .build(),
        )
        .with_resource(resource.clone())
        .build();
    let tracers = SdkTracerProvider::builder()
        .with_batch_exporter(spans)
        .with_resource(resource)
        .build();
    global::set_meter_provider(meters.clone());
    global::set_tracer_provider(tracers.clone());
    Ok(Telemetry { meters, tracers })
}

fn build_failed(e: opentelemetry_otlp::ExporterBuildError) -> Error {
    Error::new(
        ErrorCode::InvalidInput,
        format!("cannot build the telemetry exporter: {e}"),
    )
}

/// The exporters' HTTP client: tokenward's reqwest client, each request run on the library's
/// runtime (the SDK's export threads have none).
#[derive(Debug, Clone)]
struct ExportClient {
    inner: reqwest::Client,
    timeout: Duration,
}

/// Largest collector answer read (an OTLP partial-success message is small).
const MAX_ANSWER: usize = 64 * 1024;

#[async_trait::async_trait]
impl opentelemetry_http::HttpClient for ExportClient {
    async fn send_bytes(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, HttpError> {
        let handle = crate::runtime::handle()?;
        let client = self.inner.clone();
        let timeout = self.timeout;
        let (parts, body) = request.into_parts();
        let task = handle.spawn(async move {
            let mut response = client
                .request(parts.method, parts.uri.to_string())
                .headers(parts.headers)
                .body(body)
                .timeout(timeout)
                .send()
                .await
                .map_err(crate::http::transport_error)?;
            let mut answer = Vec::new();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(crate::http::transport_error)?
            {
                if answer.len() + chunk.len() > MAX_ANSWER {
                    break;
                }
                answer.extend_from_slice(&chunk);
            }
            let mut out = http::Response::new(Bytes::from(answer));
            *out.status_mut() = response.status();
            *out.headers_mut() = response.headers().clone();
            Ok::<_, Error>(out)
        });
        Ok(task.await??)
    }
}
