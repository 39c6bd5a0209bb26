//! `redact` and `Redactor` for Swift and Kotlin.

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::FfiResult;

/// Returns `text` with every recognised secret replaced by `[REDACTED:<kind>:<fingerprint>]`.
#[uniffi::export]
pub fn redact(text: String) -> String {
    match tokenward::redact::redact_cow(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(o) => o,
    }
}

/// Optional settings of a `Redactor`; the defaults are the built-in rules alone.
#[derive(uniffi::Record)]
pub struct RedactorOptions {
    /// Extra sensitive field names (case-insensitive; `-`/`.` count as `_`; also match as a
    /// suffix).
    #[uniffi(default = [])]
    pub names: Vec<String>,
    /// Extra patterns, `kind -> regex`; capture group 1 is redacted when present.
    #[uniffi(default = None)]
    pub patterns: Option<HashMap<String, String>>,
    /// `fingerprint` (default), `kind`, `plain`, or a template with `{kind}` / `{fingerprint}`.
    #[uniffi(default = "fingerprint")]
    pub replacement: String,
    /// Longest line a stream keeps in memory, in bytes (default 1 MiB, the core's
    /// `DEFAULT_MAX_LINE`; at least 1 KiB).
    #[uniffi(default = None)]
    pub max_line: Option<u64>,
}

/// A configured scrubber: extra sensitive field names, extra patterns and the replacement
/// style.
#[derive(uniffi::Object)]
pub struct Redactor(tokenward::redact::Redactor);

#[uniffi::export]
impl Redactor {
    /// Builds a redactor; invalid names, patterns, replacement or `maxLine` fail with
    /// `invalid_input`.
    #[uniffi::constructor(default(options))]
    pub fn new(options: RedactorOptions) -> FfiResult<Arc<Self>> {
        // Sorted: the order of the patterns decides which kind wins on overlaps.
        let mut patterns: Vec<(String, String)> =
            options.patterns.unwrap_or_default().into_iter().collect();
        patterns.sort();
        let mut o = tokenward::redact::RedactorOptions::default()
            .with_replacement(options.replacement.parse()?)
            .with_names(options.names)
            .with_patterns(patterns);
        if let Some(m) = options.max_line {
            o = o.with_max_line(usize::try_from(m).unwrap_or(usize::MAX));
        }
        Ok(Arc::new(Redactor(tokenward::redact::Redactor::new(o)?)))
    }

    /// Returns `text` with every recognised secret replaced.
    pub fn redact(&self, text: String) -> String {
        match self.0.redact_cow(&text) {
            std::borrow::Cow::Borrowed(_) => text,
            std::borrow::Cow::Owned(o) => o,
        }
    }

    /// Redacts bytes that may not be UTF-8.
    pub fn redact_bytes(&self, data: Vec<u8>) -> Vec<u8> {
        self.0.redact_bytes(&data)
    }
}
