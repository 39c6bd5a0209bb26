//! [`Redactor`], the configured scrubber, compiled from [`RedactorOptions`] into its [`Rules`];
//! and [`RedactingWriter`], the [`std::io::Write`] adapter a `Redactor` hands out.

use std::io::{self, Write};
use std::sync::{Arc, LazyLock};

use regex_automata::meta::Regex;
use regex_automata::util::syntax;

use super::rules::{Patterns, Replacement, Rules, DEFAULT_MAX_LINE, MIN_MAX_LINE};
use super::stream::RedactStream;
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

static DEFAULT: LazyLock<Redactor> = LazyLock::new(Redactor::default);

/// The built-in rules with the default replacement (what [`super::redact`] uses).
impl Default for Redactor {
    fn default() -> Self {
        Redactor {
            rules: Arc::new(Rules {
                names: Vec::new(),
                patterns: None,
                replacement: Replacement::Fingerprint,
                max_line: DEFAULT_MAX_LINE,
            }),
        }
    }
}

impl Redactor {
    pub(crate) fn default_ref() -> &'static Redactor {
        &DEFAULT
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
    pub fn writer_into<W: Write>(&self, inner: W) -> RedactingWriter<W> {
        RedactingWriter::new(self.clone(), inner)
    }

    /// The longest line a stream keeps in memory before cutting it at whitespace.
    pub fn max_line(&self) -> usize {
        self.rules.max_line
    }
}

/// Optional settings of a [`Redactor`]: extra names, extra patterns, the replacement style and
/// the stream line limit. Every field has a valid default (the built-in rules alone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedactorOptions {
    names: Vec<String>,
    patterns: Vec<(String, String)>,
    replacement: Replacement,
    max_line: usize,
}

impl Default for RedactorOptions {
    fn default() -> Self {
        RedactorOptions {
            names: Vec::new(),
            patterns: Vec::new(),
            replacement: Replacement::default(),
            max_line: DEFAULT_MAX_LINE,
        }
    }
}

impl RedactorOptions {
    /// Treats values of fields with these names as secrets (compared case-insensitively, `-`
    /// and `.` as `_`; a name also matches as a suffix: `session` matches `app_session`).
    pub fn with_names<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.names = names.into_iter().map(Into::into).collect();
        self
    }

    /// Redacts every match of each `(kind, regex)` as `kind`. When a pattern has a capture
    /// group, only group 1 is redacted (`session=(\w+)` keeps `session=`). Patterns apply
    /// within one line.
    pub fn with_patterns<I, K, R>(mut self, patterns: I) -> Self
    where
        I: IntoIterator<Item = (K, R)>,
        K: Into<String>,
        R: Into<String>,
    {
        self.patterns = patterns
            .into_iter()
            .map(|(k, r)| (k.into(), r.into()))
            .collect();
        self
    }

    /// How redacted secrets are written (default [`Replacement::Fingerprint`]).
    pub fn with_replacement(mut self, replacement: Replacement) -> Self {
        self.replacement = replacement;
        self
    }

    /// The longest line a stream keeps in memory, in bytes (default [`DEFAULT_MAX_LINE`], at
    /// least [`MIN_MAX_LINE`]).
    pub fn with_max_line(mut self, bytes: usize) -> Self {
        self.max_line = bytes;
        self
    }
}

impl Redactor {
    /// Compiles `options`; invalid names, kinds, patterns, an empty template or a `max_line`
    /// below [`MIN_MAX_LINE`] fail with `invalid_input`.
    pub fn new(options: RedactorOptions) -> Result<Redactor> {
        if options.max_line < MIN_MAX_LINE {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "max_line must be at least 1024 bytes",
            ));
        }
        let mut names = Vec::with_capacity(options.names.len());
        for n in &options.names {
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
        let patterns = if options.patterns.is_empty() {
            None
        } else {
            for (kind, _) in &options.patterns {
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
            let sources: Vec<&str> = options.patterns.iter().map(|(_, r)| r.as_str()).collect();
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
                kinds: options.patterns.into_iter().map(|(k, _)| k).collect(),
            })
        };
        if let Replacement::Template(t) = &options.replacement {
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
                replacement: options.replacement,
                max_line: options.max_line,
            }),
        })
    }
}

// `RedactingWriter` lives with `Redactor`: each names the other in its public API
// (`Redactor::writer_into`, `RedactingWriter::new`), so apart they would be two modules that
// depend on each other.
/// An [`std::io::Write`] adapter that redacts everything written through it, line by line.
///
/// Complete lines are redacted and written to the inner writer as they arrive; the unfinished
/// last line is written by [`RedactingWriter::finish`] (or, best effort, on drop).
pub struct RedactingWriter<W: Write> {
    inner: Option<W>,
    stream: RedactStream,
    out: Vec<u8>,
}

impl<W: Write> std::fmt::Debug for RedactingWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedactingWriter")
            .field("stream", &self.stream)
            .finish()
    }
}

impl<W: Write> RedactingWriter<W> {
    /// Wraps `inner`, redacting with `redactor`.
    pub fn new(redactor: Redactor, inner: W) -> Self {
        RedactingWriter {
            inner: Some(inner),
            stream: redactor.stream(),
            out: Vec::new(),
        }
    }

    /// Writes the unfinished last line, flushes, and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.finish_inner()?;
        self.inner
            .take()
            .ok_or_else(|| io::Error::other("writer already finished"))
    }

    fn finish_inner(&mut self) -> io::Result<()> {
        self.stream.finish(&mut self.out);
        self.drain()?;
        match self.inner.as_mut() {
            Some(w) => w.flush(),
            None => Ok(()),
        }
    }

    fn drain(&mut self) -> io::Result<()> {
        if self.out.is_empty() {
            return Ok(());
        }
        let Some(w) = self.inner.as_mut() else {
            return Err(io::Error::other("writer already finished"));
        };
        let r = w.write_all(&self.out);
        self.out.clear();
        r
    }
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream.push(buf, &mut self.out);
        self.drain()?;
        Ok(buf.len())
    }

    /// Flushes completed lines; the unfinished last line waits for its `\n` or `finish`.
    fn flush(&mut self) -> io::Result<()> {
        self.drain()?;
        match self.inner.as_mut() {
            Some(w) => w.flush(),
            None => Ok(()),
        }
    }
}

impl<W: Write> Drop for RedactingWriter<W> {
    fn drop(&mut self) {
        if self.inner.is_some() {
            let _ = self.finish_inner();
        }
    }
}
