//! [`Redactor`], the configured scrubber, and [`RedactorBuilder`], which compiles its [`Rules`].

use std::sync::{Arc, LazyLock};

use regex_automata::meta::Regex;
use regex_automata::util::syntax;

use super::rules::{Patterns, Replacement, Rules, DEFAULT_MAX_LINE};
use super::stream::{RedactStream, RedactingWriter};
use crate::{Error, ErrorCode, Result};

/// A configured scrubber. Cheap to clone (shared configuration); safe to use from any thread.
#[derive(Clone)]
pub struct Redactor {
    rules: Arc<Rules>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("names", &self.rules.names)
            .field("patterns", &self.rules.patterns.as_ref().map(|p| &p.kinds))
            .field("replacement", &self.rules.replacement)
            .finish()
    }
}

static DEFAULT: LazyLock<Redactor> = LazyLock::new(Redactor::new);

impl Default for Redactor {
    fn default() -> Self {
        Redactor::new()
    }
}

impl Redactor {
    /// The built-in rules with the default replacement.
    pub fn new() -> Self {
        Redactor {
            rules: Arc::new(Rules {
                names: Vec::new(),
                patterns: None,
                replacement: Replacement::Fingerprint,
                max_line: DEFAULT_MAX_LINE,
            }),
        }
    }

    pub(crate) fn default_ref() -> &'static Redactor {
        &DEFAULT
    }

    /// Starts a configuration.
    pub fn builder() -> RedactorBuilder {
        RedactorBuilder::default()
    }

    /// Returns `text` with every recognised secret replaced.
    pub fn redact(&self, text: &str) -> String {
        let out = self.redact_bytes(text.as_bytes());
        // Replacements are ASCII and cut only at ASCII delimiters, so this never fails.
        match String::from_utf8(out) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        }
    }

    /// Like [`Redactor::redact`], but borrows `text` when nothing was redacted (the common
    /// case for log lines), so callers can skip building a new string.
    pub fn redact_cow<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        let mut out = Vec::with_capacity(text.len() + 64);
        let mut stream = self.stream();
        stream.process_complete(text.as_bytes(), &mut out);
        stream.finish(&mut out);
        if !stream.changed() {
            return std::borrow::Cow::Borrowed(text);
        }
        std::borrow::Cow::Owned(match String::from_utf8(out) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })
    }

    /// Byte-level [`Redactor::redact`] for input that may not be UTF-8.
    pub fn redact_bytes(&self, text: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() + 64);
        let mut stream = self.stream();
        stream.process_complete(text, &mut out);
        stream.finish(&mut out);
        out
    }

    /// A stream that redacts chunks of arbitrary size with bounded memory.
    pub fn stream(&self) -> RedactStream {
        RedactStream::new(Arc::clone(&self.rules))
    }

    /// An [`std::io::Write`] adapter that redacts everything written into `inner`.
    pub fn writer_into<W: std::io::Write>(&self, inner: W) -> RedactingWriter<W> {
        RedactingWriter::new(self.clone(), inner)
    }

    /// The longest line a stream keeps in memory before cutting it at whitespace.
    pub fn max_line(&self) -> usize {
        self.rules.max_line
    }
}

// Defined here rather than in `stream` so that the stream never depends on `Redactor`.
impl<W: std::io::Write> RedactingWriter<W> {
    /// Wraps `inner`, redacting with `redactor`.
    pub fn new(redactor: Redactor, inner: W) -> Self {
        RedactingWriter::from_stream(redactor.stream(), inner)
    }
}

/// Configures a [`Redactor`].
#[derive(Debug, Default, Clone)]
pub struct RedactorBuilder {
    names: Vec<String>,
    patterns: Vec<(String, String)>,
    replacement: Replacement,
    max_line: Option<usize>,
}

impl RedactorBuilder {
    /// Treats values of fields named `name` as secrets (compared case-insensitively, `-` and
    /// `.` as `_`; `name` also matches as a suffix: `session` matches `app_session`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.names.push(name.into());
        self
    }

    /// Redacts every match of `regex` as `kind`. When the pattern has a capture group, only
    /// group 1 is redacted (`session=(\w+)` keeps `session=`). Patterns apply within one line.
    pub fn pattern(mut self, kind: impl Into<String>, regex: impl Into<String>) -> Self {
        self.patterns.push((kind.into(), regex.into()));
        self
    }

    /// Sets how redacted secrets are written.
    pub fn replacement(mut self, replacement: Replacement) -> Self {
        self.replacement = replacement;
        self
    }

    /// Sets the longest line a stream keeps in memory (at least 1 KiB).
    pub fn max_line(mut self, bytes: usize) -> Self {
        self.max_line = Some(bytes);
        self
    }

    /// Compiles the configuration; invalid names, kinds or patterns fail with `invalid_input`.
    pub fn build(self) -> Result<Redactor> {
        let mut names = Vec::with_capacity(self.names.len());
        for n in &self.names {
            let norm: String = n
                .trim()
                .chars()
                .map(|c| match c {
                    '-' | '.' => '_',
                    c => c.to_ascii_lowercase(),
                })
                .collect();
            if norm.is_empty()
                || norm.len() > 64
                || !norm.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    "a sensitive name must be 1-64 ASCII letters, digits, '_', '-' or '.'",
                ));
            }
            names.push(norm);
        }
        let patterns = if self.patterns.is_empty() {
            None
        } else {
            for (kind, _) in &self.patterns {
                if kind.is_empty()
                    || kind.len() > 32
                    || !kind
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
                {
                    return Err(Error::new(
                        ErrorCode::InvalidInput,
                        "a pattern kind must be 1-32 ASCII letters, digits, '_', '-' or '.'",
                    ));
                }
            }
            let sources: Vec<&str> = self.patterns.iter().map(|(_, r)| r.as_str()).collect();
            let regex = Regex::builder()
                .syntax(syntax::Config::new().multi_line(true))
                .build_many(&sources)
                .map_err(|_| {
                    Error::new(
                        ErrorCode::InvalidInput,
                        "an extra pattern is not a valid regex",
                    )
                })?;
            Some(Patterns {
                regex,
                kinds: self.patterns.into_iter().map(|(k, _)| k).collect(),
            })
        };
        if let Replacement::Template(t) = &self.replacement {
            if t.is_empty() {
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    "the replacement template cannot be empty",
                ));
            }
        }
        Ok(Redactor {
            rules: Arc::new(Rules {
                names,
                patterns,
                replacement: self.replacement,
                max_line: self.max_line.unwrap_or(DEFAULT_MAX_LINE).max(1024),
            }),
        })
    }
}
