//! [`Redactor`]: the configured scrubber (extra names, extra patterns, replacement style).

use std::sync::{Arc, LazyLock};

use regex_automata::meta::Regex;
use regex_automata::util::syntax;

use super::scan::{Kind, Span};
use super::stream::RedactStream;
use crate::{Error, ErrorCode, Result};

/// How a redacted secret is written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Replacement {
    /// `[REDACTED:<kind>:<fingerprint>]` (the default): correlatable, reveals nothing usable
    /// about high-entropy secrets. Secrets that people choose or that are short by nature
    /// (passwords, PINs, secret answers, `Basic` credentials, URL and `curl -u` passwords,
    /// values of the caller's own names and patterns) get no fingerprint, `[REDACTED:<kind>]`:
    /// an unsalted hash of them is reversed by trying a dictionary.
    #[default]
    Fingerprint,
    /// `[REDACTED:<kind>]`.
    Kind,
    /// `[REDACTED]`.
    Plain,
    /// A template in which `{kind}` and `{fingerprint}` are substituted (`{fingerprint}` is
    /// empty for the low-entropy kinds that [`Replacement::Fingerprint`] does not fingerprint).
    Template(String),
}

impl Replacement {
    /// Parses `fingerprint`, `kind`, `plain`, or any other non-empty string as a template.
    pub fn parse(style: &str) -> Result<Self> {
        match style {
            "fingerprint" => Ok(Replacement::Fingerprint),
            "kind" => Ok(Replacement::Kind),
            "plain" => Ok(Replacement::Plain),
            "" => Err(Error::new(
                ErrorCode::InvalidInput,
                "the replacement template cannot be empty",
            )),
            template => Ok(Replacement::Template(template.to_owned())),
        }
    }
}

/// Extra user patterns compiled into one multi-pattern linear-time regex.
struct Patterns {
    regex: Regex,
    kinds: Vec<String>,
}

struct Config {
    names: Vec<String>,
    patterns: Option<Patterns>,
    replacement: Replacement,
    max_line: usize,
}

/// A configured scrubber. Cheap to clone (shared configuration); safe to use from any thread.
#[derive(Clone)]
pub struct Redactor {
    cfg: Arc<Config>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("names", &self.cfg.names)
            .field("patterns", &self.cfg.patterns.as_ref().map(|p| &p.kinds))
            .field("replacement", &self.cfg.replacement)
            .finish()
    }
}

/// Built-in kinds whose values are redacted without a fingerprint (see
/// [`Replacement::Fingerprint`]).
const LOW_ENTROPY_KINDS: &[&str] = &["password", "pin", "secret_answer", "basic"];

/// Default longest line kept in memory by streams (1 MiB).
pub const DEFAULT_MAX_LINE: usize = 1 << 20;

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
            cfg: Arc::new(Config {
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
        RedactStream::new(self.clone())
    }

    /// An [`std::io::Write`] adapter that redacts everything written into `inner`.
    pub fn writer_into<W: std::io::Write>(&self, inner: W) -> super::RedactingWriter<W> {
        super::RedactingWriter::new(self.clone(), inner)
    }

    /// The longest line a stream keeps in memory before cutting it at whitespace.
    pub fn max_line(&self) -> usize {
        self.cfg.max_line
    }

    pub(crate) fn extra_names(&self) -> &[String] {
        &self.cfg.names
    }

    /// Adds the matches of the extra patterns in `line` (one line, no `\n`) to `spans`.
    pub(crate) fn pattern_spans(&self, line: &[u8], base: usize, spans: &mut Vec<Span>) {
        let Some(p) = &self.cfg.patterns else { return };
        for caps in p.regex.captures_iter(line) {
            let Some(pid) = caps.pattern() else { continue };
            let span = caps
                .get_group(1)
                .or_else(|| caps.get_match().map(|m| m.span()));
            if let Some(s) = span {
                if s.end > s.start {
                    spans.push(Span {
                        start: base + s.start,
                        end: base + s.end,
                        kind: Kind::Pattern(pid.as_usize()),
                    });
                }
            }
        }
    }

    pub(crate) fn has_patterns(&self) -> bool {
        self.cfg.patterns.is_some()
    }

    /// Writes the replacement of `secret` (of `kind`) to `out`.
    pub(crate) fn write_replacement(&self, kind: Kind, secret_fp: &str, out: &mut Vec<u8>) {
        let kind_name: &str = match kind {
            Kind::Builtin(k) => k,
            Kind::Name(i) => self.cfg.names.get(i).map_or("secret", String::as_str),
            Kind::Pattern(i) => self
                .cfg
                .patterns
                .as_ref()
                .and_then(|p| p.kinds.get(i))
                .map_or("secret", String::as_str),
        };
        match &self.cfg.replacement {
            Replacement::Fingerprint => {
                out.extend_from_slice(b"[REDACTED:");
                out.extend_from_slice(kind_name.as_bytes());
                if !secret_fp.is_empty() {
                    out.push(b':');
                    out.extend_from_slice(secret_fp.as_bytes());
                }
                out.push(b']');
            }
            Replacement::Kind => {
                out.extend_from_slice(b"[REDACTED:");
                out.extend_from_slice(kind_name.as_bytes());
                out.push(b']');
            }
            Replacement::Plain => out.extend_from_slice(b"[REDACTED]"),
            Replacement::Template(t) => {
                let s = t
                    .replace("{kind}", kind_name)
                    .replace("{fingerprint}", secret_fp);
                out.extend_from_slice(s.as_bytes());
            }
        }
    }

    /// Whether a secret of `kind` may be fingerprinted: not when it is likely chosen by a
    /// person or short (a 48-bit unsalted hash of a password is reversed by a dictionary).
    pub(crate) fn fingerprints(&self, kind: Kind) -> bool {
        match kind {
            Kind::Builtin(k) => !LOW_ENTROPY_KINDS.contains(&k),
            // The caller's own names and patterns (an SSN, an order number, a PIN) may be
            // guessable: no fingerprint.
            Kind::Name(_) | Kind::Pattern(_) => false,
        }
    }

    /// Whether the replacement needs the fingerprint (hashing is skipped otherwise).
    pub(crate) fn needs_fingerprint(&self) -> bool {
        match &self.cfg.replacement {
            Replacement::Fingerprint => true,
            Replacement::Template(t) => t.contains("{fingerprint}"),
            _ => false,
        }
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
            cfg: Arc::new(Config {
                names,
                patterns,
                replacement: self.replacement,
                max_line: self.max_line.unwrap_or(DEFAULT_MAX_LINE).max(1024),
            }),
        })
    }
}
