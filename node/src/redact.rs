//! `redact`, `Redactor` and `RedactStream` for JS.

use std::collections::HashMap;

use crate::napi;
use crate::napi::bindgen_prelude::Buffer;
use napi_derive::napi;

use crate::error::{Code, IntoJsResult};

/// Returns `text` with every recognised secret replaced by `[REDACTED:<kind>:<fingerprint>]`.
#[napi(catch_unwind)]
pub fn redact(text: String) -> String {
    match tokenward::redact::redact_cow(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(o) => o,
    }
}

/// Options of a `Redactor`.
#[napi(object)]
pub struct RedactorOptions {
    /// Extra sensitive field names (case-insensitive; `-`/`.` count as `_`; also match as suffix).
    pub names: Option<Vec<String>>,
    /// Extra patterns, `{ kind: regex }`; capture group 1 is redacted when present.
    pub patterns: Option<HashMap<String, String>>,
    /// `'fingerprint'` (default), `'kind'`, `'plain'`, or a template with `{kind}`/`{fingerprint}`.
    #[napi(ts_type = "'fingerprint' | 'kind' | 'plain' | (string & {})")]
    pub replacement: Option<String>,
    /// Longest line a stream keeps in memory, in bytes (default 1 MiB, at least 1024).
    pub max_line: Option<u32>,
}

/// A configured scrubber (extra names, extra patterns, replacement style).
#[napi]
pub struct Redactor(tokenward::redact::Redactor);

#[napi]
impl Redactor {
    /// Builds a redactor; invalid names or patterns throw with code `invalid_input`.
    #[napi(constructor, catch_unwind)]
    pub fn new(options: Option<RedactorOptions>) -> napi::Result<Self, Code> {
        let mut c = tokenward::redact::RedactorOptions::default();
        if let Some(o) = options {
            if let Some(r) = o.replacement {
                c = c.with_replacement(r.parse().js()?);
            }
            // Sorted: the order of the patterns decides which kind wins on overlaps.
            let mut patterns: Vec<(String, String)> =
                o.patterns.unwrap_or_default().into_iter().collect();
            patterns.sort();
            c = c
                .with_names(o.names.unwrap_or_default())
                .with_patterns(patterns);
            if let Some(m) = o.max_line {
                c = c.with_max_line(m as usize);
            }
        }
        Ok(Redactor(tokenward::redact::Redactor::new(c).js()?))
    }

    /// Returns `text` with every recognised secret replaced.
    #[napi(catch_unwind)]
    pub fn redact(&self, text: String) -> String {
        match self.0.redact_cow(&text) {
            std::borrow::Cow::Borrowed(_) => text,
            std::borrow::Cow::Owned(o) => o,
        }
    }

    /// Redacts bytes that may not be UTF-8.
    #[napi(catch_unwind)]
    pub fn redact_bytes(&self, data: Buffer) -> Buffer {
        self.0.redact_bytes(&data).into()
    }

    /// A stream that redacts chunks of any size with bounded memory.
    #[napi(catch_unwind)]
    pub fn stream(&self) -> RedactStream {
        RedactStream(Some(self.0.stream()))
    }
}

/// Incremental redaction: `push(chunk)` returns the redacted completed lines, `finish()` the
/// rest. Output is identical to `Redactor.redact` on the whole input.
#[napi]
pub struct RedactStream(Option<tokenward::redact::RedactStream>);

#[napi]
impl RedactStream {
    /// Consumes `chunk`; returns the redacted bytes that are ready.
    #[napi(catch_unwind)]
    pub fn push(&mut self, chunk: Buffer) -> napi::Result<Buffer, Code> {
        let mut out = Vec::new();
        match self.0.as_mut() {
            Some(s) => s.push(&chunk, &mut out),
            None => return Err(finished()),
        }
        Ok(out.into())
    }

    /// Flushes the unfinished last line; the stream cannot be used afterwards.
    #[napi(catch_unwind)]
    pub fn finish(&mut self) -> napi::Result<Buffer, Code> {
        let mut out = Vec::new();
        match self.0.take() {
            Some(mut s) => s.finish(&mut out),
            None => return Err(finished()),
        }
        Ok(out.into())
    }
}

fn finished() -> napi::Error<Code> {
    crate::error::to_js(tokenward::Error::new(
        tokenward::ErrorCode::InvalidInput,
        "the stream is already finished",
    ))
}
