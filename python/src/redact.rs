//! `tokenward.redact`, `tokenward.Redactor` and `tokenward.RedactStream`.

use std::collections::BTreeMap;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use std::sync::Mutex;

use crate::error::IntoPyResult;

/// Inputs at least this long are redacted with the GIL released.
const DETACH_BYTES: usize = 16 * 1024;

/// Redacts `text` with `redactor`; returns the same `str` object when nothing was redacted.
fn redact_str<'py>(
    py: Python<'py>,
    redactor: &tokenward::redact::Redactor,
    text: &Bound<'py, PyString>,
) -> PyResult<Bound<'py, PyString>> {
    let s = text.to_cow()?;
    let out = if s.len() >= DETACH_BYTES {
        py.detach(|| redactor.redact_cow(&s))
    } else {
        redactor.redact_cow(&s)
    };
    Ok(match out {
        std::borrow::Cow::Borrowed(_) => text.clone(),
        std::borrow::Cow::Owned(o) => PyString::new(py, &o),
    })
}

/// Returns `text` with every recognised secret replaced by `[REDACTED:<kind>:<fingerprint>]`.
#[pyfunction]
pub(crate) fn redact<'py>(
    py: Python<'py>,
    text: &Bound<'py, PyString>,
) -> PyResult<Bound<'py, PyString>> {
    static DEFAULT: std::sync::LazyLock<tokenward::redact::Redactor> =
        std::sync::LazyLock::new(tokenward::redact::Redactor::default);
    redact_str(py, &DEFAULT, text)
}

/// A configured scrubber: extra sensitive field names, extra patterns (`{kind: regex}`; group
/// 1 is redacted when present) and the replacement style (`"fingerprint"`, `"kind"`,
/// `"plain"` or a template with `{kind}` / `{fingerprint}`).
#[pyclass(module = "tokenward", name = "Redactor", frozen)]
pub struct Redactor(tokenward::redact::Redactor);

#[pymethods]
impl Redactor {
    #[new]
    #[pyo3(signature = (*, names = None, patterns = None, replacement = "fingerprint", max_line = None))]
    fn new(
        names: Option<Vec<String>>,
        patterns: Option<BTreeMap<String, String>>,
        replacement: &str,
        max_line: Option<usize>,
    ) -> PyResult<Self> {
        let mut o = tokenward::redact::RedactorOptions::default()
            .with_replacement(replacement.parse().py()?)
            .with_names(names.unwrap_or_default())
            // A BTreeMap: sorted by kind, the same order as the other bindings.
            .with_patterns(patterns.unwrap_or_default());
        if let Some(m) = max_line {
            o = o.with_max_line(m);
        }
        Ok(Redactor(tokenward::redact::Redactor::new(o).py()?))
    }

    /// Returns `text` with every recognised secret replaced.
    fn redact<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyString>,
    ) -> PyResult<Bound<'py, PyString>> {
        redact_str(py, &self.0, text)
    }

    /// Redacts bytes that may not be UTF-8.
    fn redact_bytes<'py>(&self, py: Python<'py>, data: &[u8]) -> Bound<'py, PyBytes> {
        let out = self.0.redact_bytes(data);
        PyBytes::new(py, &out)
    }

    /// A stream that redacts chunks of any size with bounded memory.
    fn stream(&self) -> RedactStream {
        RedactStream(Mutex::new(Some(self.0.stream())))
    }

    fn __repr__(&self) -> String {
        "Redactor(...)".to_owned()
    }
}

/// Incremental redaction: `push(chunk)` returns the redacted completed lines, `finish()` the
/// rest. Output is identical to `Redactor.redact` on the whole input.
#[pyclass(module = "tokenward", name = "RedactStream", frozen)]
pub struct RedactStream(Mutex<Option<tokenward::redact::RedactStream>>);

#[pymethods]
impl RedactStream {
    /// Consumes `chunk`; returns the redacted bytes that are ready.
    fn push<'py>(&self, py: Python<'py>, chunk: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
        let mut out = Vec::new();
        match lock(&self.0).as_mut() {
            Some(s) => s.push(chunk, &mut out),
            None => return Err(finished()),
        }
        Ok(PyBytes::new(py, &out))
    }

    /// Flushes the unfinished last line; the stream cannot be used afterwards.
    fn finish<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let mut out = Vec::new();
        match lock(&self.0).take() {
            Some(mut s) => s.finish(&mut out),
            None => return Err(finished()),
        }
        Ok(PyBytes::new(py, &out))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn finished() -> PyErr {
    crate::error::to_py(tokenward::Error::new(
        tokenward::ErrorCode::InvalidInput,
        "the stream is already finished",
    ))
}
