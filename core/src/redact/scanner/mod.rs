//! The scanner: one forward pass over complete lines that reports the byte spans to redact.
//!
//! The input is cut into *words* (maximal runs of `[A-Za-z0-9_-]`); each word is checked
//! against the token shapes and, when a separator (`=`, `:`, `=>`, a closing quote) follows
//! it, against the sensitive names. Every look-ahead either ends where scanning resumes or is
//! bounded, so the total work is linear in the input.
//!
//! Linearity rule: a look-ahead that is not bounded by a constant either ends where scanning
//! resumes (what it covered is consumed: redacted, or known to hold no secret), or covers a
//! stretch that no other unbounded look-ahead of the same kind can cover (runs after a blank,
//! quoted regions, which end at the next quote). Every byte-walking loop adds the distance it
//! walked to [`Scanner::work`], so tests can check that the work per input byte is bounded.
//!
//! This file holds the word loop and the token shapes; the rules a word can start live in
//! `values` (what follows a sensitive name), `headers` (`Authorization`, cookies),
//! `credentials` (secrets found by shape or context), `pem` (private-key blocks) and
//! `placeholders` (values that are not secrets).

mod credentials;
mod headers;
pub(super) mod pem;
mod placeholders;
mod values;

use std::cell::Cell;

use super::names::{self, Class};
use super::tokens::{self, is_word};

/// What a span is: a built-in kind, a user name or a user pattern (indexes into the config).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A built-in kind such as `jwt` or `password`.
    Builtin(&'static str),
    /// The user's extra sensitive name number `i`.
    Name(usize),
    /// The user's extra pattern number `i`.
    Pattern(usize),
}

/// A byte range to replace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) kind: Kind,
}

/// How the scan of a region ended.
pub(crate) enum Stop {
    /// Reached the end of the input.
    End,
    /// A PEM private-key block starts at this offset and continues past its line.
    PemOpen(usize),
}

/// Ends an unquoted value.
const fn is_value_delim(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t'
            | b'\r'
            | b'\n'
            | b'&'
            | b','
            | b';'
            | b'"'
            | b'\''
            | b'`'
            | b')'
            | b']'
            | b'}'
            | b'<'
            | b'>'
            | b'\\'
    )
}

fn has_digit(s: &[u8]) -> bool {
    s.iter().any(u8::is_ascii_digit)
}

/// A run that looks like a credential rather than an English word.
fn credential_like(s: &[u8]) -> bool {
    s.len() >= 8 && (has_digit(s) || tokens::looks_random(s))
}

/// Where a value starts after `key<sep>`.
struct Sep {
    value: usize,
    /// The quote enclosing an unquoted key (`-H "Authorization: …"`), or 0.
    ctx_quote: u8,
    colon: bool,
    /// Percent-encoding level of the separator (`%3D` is 1, `%253D` is 2), 0 when raw.
    level: u8,
}

enum AfterKey {
    None,
    /// `scheme://` (raw, or percent-encoded at a level): userinfo starts here.
    Url(usize, u8),
    Value(Sep),
}

/// A value's byte range and where scanning resumes.
struct Region {
    start: usize,
    end: usize,
    after: usize,
    quoted: bool,
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/')
}

pub(crate) struct Scanner<'a> {
    buf: &'a [u8],
    extra: &'a [String],
    spans: &'a mut Vec<Span>,
    work: Cell<usize>,
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(buf: &'a [u8], extra: &'a [String], spans: &'a mut Vec<Span>) -> Self {
        Scanner {
            buf,
            extra,
            spans,
            work: Cell::new(0),
        }
    }

    /// Bytes walked so far by every loop of the scanner (the measure of its work).
    pub(crate) fn work(&self) -> usize {
        self.work.get()
    }

    #[inline]
    fn tick(&self, n: usize) {
        self.work.set(self.work.get() + n);
    }

    fn push(&mut self, start: usize, end: usize, kind: &'static str) {
        if end > start {
            self.spans.push(Span {
                start,
                end,
                kind: Kind::Builtin(kind),
            });
        }
    }

    fn at(&self, i: usize) -> u8 {
        self.buf.get(i).copied().unwrap_or(b'\n')
    }

    /// A percent escape at `p`: `%XX` (level 1) or `%25XX` (level 2), as (byte, length, level).
    fn pct(&self, p: usize) -> Option<(u8, usize, u8)> {
        if self.at(p) != b'%' {
            return None;
        }
        let v = hex_val(self.at(p + 1))? * 16 + hex_val(self.at(p + 2))?;
        if v == b'%' {
            if let (Some(h), Some(l)) = (hex_val(self.at(p + 3)), hex_val(self.at(p + 4))) {
                return Some((h * 16 + l, 5, 2));
            }
        }
        Some((v, 3, 1))
    }

    /// The byte at `p` decoded at percent-encoding `level` (0: raw), and its encoded length.
    fn dec_at(&self, p: usize, level: u8) -> (u8, usize) {
        if level > 0 {
            if let Some((b, len, l)) = self.pct(p) {
                if l == level {
                    return (b, len);
                }
            }
        }
        (self.at(p), 1)
    }

    /// Scans `buf[from..]`.
    pub(crate) fn scan(&mut self, from: usize) -> Stop {
        let buf = self.buf;
        let n = buf.len();
        let mut i = from;
        loop {
            while i < n && !is_word(buf[i]) {
                i += 1;
            }
            if i >= n {
                self.tick(n.saturating_sub(from));
                return Stop::End;
            }
            let ws = i;
            while i < n && is_word(buf[i]) {
                i += 1;
            }
            match self.word(ws, i) {
                Ok(next) => i = next.max(i),
                Err(pem) => {
                    self.tick(i.saturating_sub(from));
                    return Stop::PemOpen(pem);
                }
            }
        }
    }

    /// The start of the word `[ws, we)` without the hex digits of a percent escape glued to
    /// it (`%22password`, `%2520eyJ…`), and the escaped byte.
    fn unescape_start(&self, ws: usize, we: usize) -> (usize, Option<u8>) {
        if ws == 0 || self.buf[ws - 1] != b'%' || we - ws < 3 {
            return (ws, None);
        }
        match self.pct(ws - 1) {
            Some((b, len, _)) if ws - 1 + len < we => (ws - 1 + len, Some(b)),
            _ => (ws, None),
        }
    }

    /// Handles the word `[ws, we)`; returns where to resume, or `Err` for an open PEM block.
    fn word(&mut self, ws0: usize, we: usize) -> Result<usize, usize> {
        let buf = self.buf;
        let (ws, escaped) = self.unescape_start(ws0, we);
        let w = &buf[ws..we];
        if let Some((end, kind)) = tokens::detect(buf, ws, we, &self.work) {
            self.push(ws, end, kind);
            return Ok(end);
        }
        let next = self.at(we);
        if next == b'.' && w.len() <= 4 {
            if let Some((end, kind)) = tokens::dotted(buf, ws, we, &self.work) {
                self.push(ws, end, kind);
                return Ok(end);
            }
        }
        if w.len() == 8 && w == b"REDACTED" && ws > 0 && buf[ws - 1] == b'[' {
            // Our own replacement: skip it so redaction is idempotent.
            let lim = n_min(buf.len(), we + 100);
            let marker = buf[we..lim]
                .iter()
                .position(|&b| !(is_word(b) || b == b':' || b == b'.'));
            self.tick(marker.unwrap_or(lim - we));
            if let Some(p) = marker {
                if buf[we + p] == b']' {
                    return Ok(we + p + 1);
                }
            }
        }
        // `-----BEGIN`, also right after a `\n` escape (`"…\n-----BEGIN …"`); no other glued
        // prefix, or a second pass would see that prefix as a word of its own.
        if w == b"-----BEGIN"
            || (w.len() == 11
                && w.ends_with(b"-----BEGIN")
                && matches!(w[0], b'n' | b'r' | b't')
                && ws > 0
                && buf[ws - 1] == b'\\')
        {
            return self.pem(we - 10, we);
        }
        if matches!(next, b'/' | b'+' | b'%') {
            let prev = match escaped {
                Some(b) => b,
                None if ws > 0 => buf[ws - 1],
                None => 0,
            };
            if !is_b64(prev) {
                if let Some(end) = self.b64_secret(ws) {
                    return Ok(end);
                }
            }
        }
        if matches!(next, b' ' | b'%' | b'+') {
            if let Some(end) = self.scheme_credential(w, we) {
                return Ok(end);
            }
            if next == b' ' && (w == b"-u" || w == b"--user") {
                return Ok(self.curl_user(we));
            }
        }
        if next == b'>' && ws > 0 && buf[ws - 1] == b'<' {
            return Ok(self.xml_element(ws, we));
        }
        if !matches!(
            next,
            b'=' | b':' | b' ' | b'\t' | b'"' | b'\'' | b'`' | b'\\' | b'%'
        ) {
            return Ok(we);
        }
        match self.separator(ws, we) {
            AfterKey::None => Ok(we),
            AfterKey::Url(p, level) => Ok(self.userinfo(p, level)),
            AfterKey::Value(sep) => match names::classify(w, self.extra) {
                None => Ok(we),
                Some(class) => Ok(self.value(class, sep).max(we)),
            },
        }
    }

    fn push_class(&mut self, class: Class, s: usize, e: usize) {
        match class {
            Class::Extra(i) => {
                if e > s {
                    self.spans.push(Span {
                        start: s,
                        end: e,
                        kind: Kind::Name(i),
                    });
                }
            }
            Class::Value(kind) | Class::EqOnly(kind) => {
                let kind = self.refine(s, e, kind);
                self.push(s, e, kind);
            }
            Class::Authorization | Class::Cookie => self.push(s, e, "authorization"),
        }
    }

    /// The token (any shape) starting at `s`, if there is one.
    fn token_at(&self, s: usize) -> Option<(usize, &'static str)> {
        let mut we = s;
        while we < self.buf.len() && is_word(self.buf[we]) {
            we += 1;
        }
        self.tick(we - s);
        tokens::detect(self.buf, s, we, &self.work)
            .or_else(|| tokens::dotted(self.buf, s, we, &self.work))
    }

    /// The more specific kind when the whole value is a known token shape.
    fn refine(&self, s: usize, e: usize, kind: &'static str) -> &'static str {
        match self.token_at(s) {
            Some((end, k)) if end == e => k,
            _ => kind,
        }
    }

    /// Backslashes right before `p` (at most 16): the escaping depth of a quote at `p`.
    fn backslashes_before(&self, p: usize) -> usize {
        let mut k = 0;
        while k < 16 && p > k && self.buf[p - k - 1] == b'\\' {
            k += 1;
        }
        k
    }
}

const fn n_min(a: usize, b: usize) -> usize {
    if a < b {
        a
    } else {
        b
    }
}
