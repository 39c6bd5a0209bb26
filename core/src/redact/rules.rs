//! [`Rules`]: a [`super::Redactor`]'s compiled configuration (extra names, extra patterns,
//! replacement style, line limit) and how it writes a replacement. The stream reads it;
//! it knows nothing of the stream or the `Redactor` handle.

use std::str::FromStr;

use regex_automata::meta::Regex;

use super::scanner::{Kind, Span};
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
    /// `fingerprint`, `kind`, `plain`, or the template itself.
    pub fn as_str(&self) -> &str {
        match self {
            Replacement::Fingerprint => "fingerprint",
            Replacement::Kind => "kind",
            Replacement::Plain => "plain",
            Replacement::Template(t) => t,
        }
    }
}

impl FromStr for Replacement {
    type Err = Error;

    /// Parses `fingerprint`, `kind`, `plain`, or any other non-empty string as a template.
    fn from_str(style: &str) -> Result<Self> {
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
pub(super) struct Patterns {
    pub(super) regex: Regex,
    pub(super) kinds: Vec<String>,
}

/// What a `Redactor` was built with, compiled.
pub(super) struct Rules {
    pub(super) names: Vec<String>,
    pub(super) patterns: Option<Patterns>,
    pub(super) replacement: Replacement,
    pub(super) max_line: usize,
}

/// Built-in kinds whose values are redacted without a fingerprint (see
/// [`Replacement::Fingerprint`]).
const LOW_ENTROPY_KINDS: &[&str] = &["password", "pin", "secret_answer", "basic"];

/// Default longest line kept in memory by streams (1 MiB).
pub const DEFAULT_MAX_LINE: usize = 1 << 20;
/// Smallest accepted `max_line` (1 KiB).
pub const MIN_MAX_LINE: usize = 1024;

impl Rules {
    /// The longest line a stream keeps in memory before cutting it at whitespace.
    pub(super) fn max_line(&self) -> usize {
        self.max_line
    }

    pub(super) fn extra_names(&self) -> &[String] {
        &self.names
    }

    /// Adds the matches of the extra patterns in `line` (one line, no `\n`) to `spans`.
    pub(super) fn pattern_spans(&self, line: &[u8], base: usize, spans: &mut Vec<Span>) {
        let Some(p) = &self.patterns else { return };
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

    pub(super) fn has_patterns(&self) -> bool {
        self.patterns.is_some()
    }

    /// Writes the replacement of `secret` (of `kind`) to `out`.
    pub(super) fn write_replacement(&self, kind: Kind, secret_fp: &str, out: &mut Vec<u8>) {
        let kind_name: &str = match kind {
            Kind::Builtin(k) => k,
            Kind::Name(i) => self.names.get(i).map_or("secret", String::as_str),
            Kind::Pattern(i) => self
                .patterns
                .as_ref()
                .and_then(|p| p.kinds.get(i))
                .map_or("secret", String::as_str),
        };
        match &self.replacement {
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
    pub(super) fn fingerprints(&self, kind: Kind) -> bool {
        match kind {
            Kind::Builtin(k) => !LOW_ENTROPY_KINDS.contains(&k),
            // The caller's own names and patterns (an SSN, an order number, a PIN) may be
            // guessable: no fingerprint.
            Kind::Name(_) | Kind::Pattern(_) => false,
        }
    }

    /// Whether the replacement needs the fingerprint (hashing is skipped otherwise).
    pub(super) fn needs_fingerprint(&self) -> bool {
        match &self.replacement {
            Replacement::Fingerprint => true,
            Replacement::Template(t) => t.contains("{fingerprint}"),
            _ => false,
        }
    }
}
