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

/// A configured scrubber: extra sensitive field names, extra patterns (`kind -> regex`; group
/// 1 is redacted when present) and the replacement style (`fingerprint`, `kind`, `plain` or a
/// template with `{kind}` / `{fingerprint}`).
#[derive(uniffi::Object)]
pub struct Redactor(tokenward::redact::Redactor);

#[uniffi::export]
impl Redactor {
    /// Builds a redactor; invalid names, patterns or replacement fail with `invalid_input`.
    #[uniffi::constructor(default(names = [], replacement = "fingerprint"))]
    pub fn new(
        patterns: HashMap<String, String>,
        names: Vec<String>,
        replacement: String,
    ) -> FfiResult<Arc<Self>> {
        let mut b = tokenward::redact::Redactor::builder()
            .replacement(tokenward::redact::Replacement::parse(&replacement)?);
        for n in names {
            b = b.name(n);
        }
        let mut patterns: Vec<(String, String)> = patterns.into_iter().collect();
        patterns.sort();
        for (kind, regex) in patterns {
            b = b.pattern(kind, regex);
        }
        Ok(Arc::new(Redactor(b.build()?)))
    }

    /// Returns `text` with every recognised secret replaced.
    pub fn redact(&self, text: String) -> String {
        match self.0.redact_cow(&text) {
            std::borrow::Cow::Borrowed(_) => text,
            std::borrow::Cow::Owned(o) => o,
        }
    }
}
