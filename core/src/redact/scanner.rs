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

/// `rest` is `[allowed]*` optionally followed by `close`, at most 128 bytes.
fn template_rest(rest: &[u8], close: &[u8], allowed: impl Fn(u8) -> bool) -> bool {
    let body = rest.strip_suffix(close).unwrap_or(rest);
    rest.len() <= 128 && body.iter().all(|&b| allowed(b))
}

/// Values that are placeholders, not secrets. Template forms count only when the whole value
/// is one (`${DB_PASSWORD}`, `{{ .Values.token }}`, our own `[REDACTED:…]`): an unterminated
/// `${` followed by anything else is redacted (fail closed), and a placeholder's bytes are
/// never scanned again.
fn is_placeholder(v: &[u8]) -> bool {
    if v.is_empty() {
        return true;
    }
    if let Some(rest) = v.strip_prefix(b"${") {
        return template_rest(rest, b"}", |b| is_word(b) || b == b'.');
    }
    if let Some(rest) = v.strip_prefix(b"{{") {
        return template_rest(rest, b"}}", |b| {
            is_word(b) || matches!(b, b'.' | b' ' | b'|' | b'$')
        });
    }
    if let Some(rest) = v.strip_prefix(b"[REDACTED") {
        return template_rest(rest, b"]", |b| is_word(b) || matches!(b, b':' | b'.'));
    }
    if v.len() >= 3
        && v.len() <= 64
        && v.iter()
            .all(|&b| b == b'*' || b == b'x' || b == b'X' || b == b'.')
    {
        return true;
    }
    let mut buf = [0u8; 12];
    if v.len() > buf.len() {
        return false;
    }
    for (d, b) in buf.iter_mut().zip(v) {
        *d = b.to_ascii_lowercase();
    }
    matches!(
        &buf[..v.len()],
        b"null"
            | b"none"
            | b"nil"
            | b"undefined"
            | b"true"
            | b"false"
            | b"%s"
            | b"%r"
            | b"%d"
            | b"{}"
            | b"?"
            | b"<redacted>"
            | b"redacted"
            | b"<hidden>"
            | b"hidden"
            | b"masked"
            | b"bearer"
            | b"basic"
    )
}

/// Lower-case words that follow `token:` / `password:` in prose, not as values.
fn is_prose_word(v: &[u8]) -> bool {
    if v.len() > 14 || !v.iter().all(u8::is_ascii_lowercase) {
        return false;
    }
    matches!(
        v,
        b"a" | b"an"
            | b"the"
            | b"is"
            | b"was"
            | b"are"
            | b"be"
            | b"has"
            | b"had"
            | b"have"
            | b"not"
            | b"no"
            | b"yes"
            | b"ok"
            | b"must"
            | b"should"
            | b"will"
            | b"can"
            | b"cannot"
            | b"could"
            | b"did"
            | b"does"
            | b"for"
            | b"from"
            | b"in"
            | b"of"
            | b"on"
            | b"to"
            | b"with"
            | b"without"
            | b"expired"
            | b"invalid"
            | b"missing"
            | b"required"
            | b"revoked"
            | b"malformed"
            | b"rejected"
            | b"refreshed"
            | b"unknown"
            | b"present"
            | b"absent"
            | b"set"
            | b"unset"
            | b"empty"
            | b"valid"
            | b"verified"
            | b"failed"
            | b"error"
            | b"signature"
            | b"verification"
            | b"validation"
            | b"refresh"
            | b"using"
            | b"use"
            | b"changed"
            | b"updated"
            | b"reset"
            | b"rotated"
            | b"issued"
    )
}

fn is_scheme(w: &[u8]) -> bool {
    let mut buf = [0u8; 20];
    if w.len() > buf.len() {
        return false;
    }
    for (d, b) in buf.iter_mut().zip(w) {
        *d = b.to_ascii_lowercase();
    }
    matches!(
        &buf[..w.len()],
        b"bearer"
            | b"basic"
            | b"digest"
            | b"negotiate"
            | b"ntlm"
            | b"token"
            | b"bot"
            | b"dpop"
            | b"hoba"
            | b"mutual"
            | b"aws4-hmac-sha256"
            | b"gnap"
            | b"privatetoken"
    )
}

/// Characters of an HTTP `token68` credential, plus `=` padding.
fn is_token68(b: u8) -> bool {
    is_word(b) || matches!(b, b'.' | b'~' | b'+' | b'/' | b'=')
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

    /// An unnamed standard-base64 secret with `/` or `+` (an AWS secret access key, an Azure
    /// account key): a run of at least 40 base64 characters (`%2F`, `%2B`, `%3D` count) that
    /// looks random and not like a path. The run starts at `s`, a word not preceded by base64.
    fn b64_secret(&mut self, s: usize) -> Option<usize> {
        let buf = self.buf;
        let n = buf.len();
        let mut p = s;
        let (mut upper, mut lower, mut digit, mut special) = (false, false, false, 0usize);
        let (mut chars, mut changes, mut prev_class) = (0usize, 0usize, 0u8);
        let (mut seg_len, mut seg_lower, mut pathlike) = (0usize, true, false);
        while p < n {
            let (b, len) = match buf[p] {
                b'%' => match self.pct(p) {
                    Some((b @ (b'/' | b'+' | b'='), len, _)) => (b, len),
                    _ => break,
                },
                b => (b, 1),
            };
            let class = if b.is_ascii_uppercase() {
                upper = true;
                1
            } else if b.is_ascii_lowercase() {
                lower = true;
                2
            } else if b.is_ascii_digit() {
                digit = true;
                3
            } else if b == b'/' || b == b'+' {
                4
            } else {
                break;
            };
            if class == 4 {
                special += 1;
                pathlike |= seg_len >= 3 && seg_lower;
                seg_len = 0;
                seg_lower = true;
            } else {
                seg_len += 1;
                seg_lower &= class == 2;
            }
            if prev_class != 0 && class != prev_class {
                changes += 1;
            }
            prev_class = class;
            chars += 1;
            p += len;
        }
        pathlike |= seg_len >= 3 && seg_lower;
        // Followed by `-`/`_`: part of an identifier or a base64url token, not this shape.
        // (Only this byte decides, not what follows the padding: a second pass sees the same.)
        // After a trailing `/`/`+` the `-` starts a new word (which a first pass may rewrite).
        let glued =
            matches!(self.at(p), b'-' | b'_') && p > s && buf[p - 1].is_ascii_alphanumeric();
        // Padding.
        for _ in 0..2 {
            if self.at(p) == b'=' {
                p += 1;
            } else if let Some((b'=', len, _)) = self.pct(p) {
                p += len;
            } else {
                break;
            }
        }
        self.tick(p - s);
        let random = upper && lower && digit && changes * 5 >= chars * 2;
        if chars >= 40 && special > 0 && random && !pathlike && !glued {
            self.push(s, p, "secret");
            return Some(p);
        }
        None
    }

    /// A blank after a scheme word: ` `, `%20`/`%2520`, or `+` (form encoding).
    fn blank_gap(&self, p: usize) -> Option<(usize, u8)> {
        match self.at(p) {
            b' ' => Some((1, 0)),
            b'+' => Some((1, 1)),
            b'%' => match self.pct(p) {
                Some((b' ', len, level)) => Some((len, level)),
                _ => None,
            },
            _ => None,
        }
    }

    /// A run of token68 characters (decoded at `level`) from `s`: its end, and whether an
    /// `=` is followed by something other than padding.
    fn cred_run(&self, s: usize, level: u8) -> (usize, bool) {
        let n = self.buf.len();
        let mut p = s;
        let (mut inner_eq, mut prev_eq) = (false, false);
        while p < n {
            let (b, len) = self.dec_at(p, level);
            if !is_token68(b) || (b == b'%' && len == 1) {
                break;
            }
            inner_eq |= prev_eq && b != b'=';
            prev_eq = b == b'=';
            p += len;
        }
        self.tick(p - s);
        (p, inner_eq)
    }

    /// Does a value end at `e`: the end, a delimiter, or an encoded delimiter at `level`?
    fn ends_value(&self, e: usize, level: u8) -> bool {
        if e >= self.buf.len() || is_value_delim(self.buf[e]) {
            return true;
        }
        let (b, len) = self.dec_at(e, level);
        len > 1 && is_value_delim(b)
    }

    /// `Bearer <credential>` / `Basic <base64>` anywhere in text (also `Bearer%20…`).
    fn scheme_credential(&mut self, w: &[u8], we: usize) -> Option<usize> {
        let kind = if w.eq_ignore_ascii_case(b"bearer") {
            "bearer"
        } else if w.eq_ignore_ascii_case(b"basic") {
            "basic"
        } else {
            return None;
        };
        let (gap, level) = self.blank_gap(we)?;
        let s = we + gap;
        let (e, inner_eq) = self.cred_run(s, level);
        let cred = &self.buf[s..e];
        // token68 allows `=` only as trailing padding: `Bearer expires_in=3600` is not a token.
        if inner_eq || !self.ends_value(e, level) || !credential_like(cred) {
            return None;
        }
        self.tick(cred.len());
        let kind = self.refine(s, e, kind);
        self.push(s, e, kind);
        Some(e)
    }

    /// `curl -u user:password` / `--user user:password`.
    fn curl_user(&mut self, we: usize) -> usize {
        let buf = self.buf;
        let mut p = we + 1;
        if matches!(self.at(p), b'"' | b'\'') {
            p += 1;
        }
        let s = p;
        while p < buf.len()
            && !matches!(
                buf[p],
                b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'\'' | b'<' | b'>' | b'[' | b']'
            )
        {
            p += 1;
        }
        self.tick(2 * (p - s));
        if let Some(c) = buf[s..p].iter().position(|&b| b == b':') {
            let user_ok = buf[s..s + c]
                .iter()
                .all(|&b| is_word(b) || matches!(b, b'.' | b'@' | b'+' | b'%'));
            if user_ok && !is_placeholder(&buf[s + c + 1..p]) {
                if let Some((end, kind)) = self.token_at(s) {
                    if end == s + c {
                        self.push(s, end, kind);
                    }
                }
                self.push(s + c + 1, p, "password");
                return p;
            }
        }
        s
    }

    /// `<password>value</password>`.
    fn xml_element(&mut self, ws: usize, we: usize) -> usize {
        let Some(class) = names::classify(&self.buf[ws..we], self.extra) else {
            return we;
        };
        let s = we + 1;
        let mut e = s;
        while e < self.buf.len() && !matches!(self.buf[e], b'<' | b'\n') {
            e += 1;
        }
        self.tick(e - s);
        if !is_placeholder(&self.buf[s..e]) {
            self.push_class(class, s, e);
        }
        e
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

    /// Parses what follows a word: a quoted-key close, spaces, `=`/`:`/`=>`/`:=`, spaces.
    fn separator(&self, ws: usize, we: usize) -> AfterKey {
        if self.at(we) == b'%' {
            return self.enc_separator(we);
        }
        let buf = self.buf;
        let mut p = we;
        let before = if ws > 0 { buf[ws - 1] } else { 0 };
        let mut ctx_quote = 0;
        if matches!(before, b'"' | b'\'' | b'`') {
            // The key's closing quote, escaped as many times as its opening one (`\"`, `\\\"`).
            let k = self.backslashes_before(ws - 1);
            if buf
                .get(p..p + k)
                .is_some_and(|s| s.iter().all(|&b| b == b'\\'))
                && self.at(p + k) == before
            {
                p += k + 1;
                // A pair in a tuple or list: `("X-Auth-Token", "…")`, `['password', '…']`.
                if self.at(p) == b',' {
                    let v = self.skip_blanks(p + 1);
                    if matches!(self.at(v), b'"' | b'\'') {
                        return AfterKey::Value(Sep {
                            value: v,
                            ctx_quote: 0,
                            colon: false,
                            level: 0,
                        });
                    }
                }
            } else if self.at(p) == before {
                p += 1;
            } else {
                ctx_quote = before;
            }
        }
        p = self.skip_blanks(p);
        let colon = match self.at(p) {
            b'=' => {
                if self.at(p + 1) == b'=' {
                    return AfterKey::None;
                }
                p += 1;
                if self.at(p) == b'>' {
                    p += 1;
                }
                false
            }
            b':' => {
                if buf.get(p + 1..p + 3) == Some(b"//") {
                    return if p == we {
                        AfterKey::Url(p + 3, 0)
                    } else {
                        AfterKey::None
                    };
                }
                p += 1;
                match self.at(p) {
                    b'=' => p += 1,
                    b':' => return AfterKey::None,
                    _ => {}
                }
                true
            }
            _ => return AfterKey::None,
        };
        AfterKey::Value(Sep {
            value: self.skip_blanks(p),
            ctx_quote,
            colon,
            level: 0,
        })
    }

    /// A percent-encoded separator (`%22%3A%22`, `%3D`, `%253D`, `%3A%2F%2F`).
    fn enc_separator(&self, we: usize) -> AfterKey {
        let Some((_, _, level)) = self.pct(we) else {
            return AfterKey::None;
        };
        let mut p = we;
        let (b, len) = self.dec_at(p, level);
        if matches!(b, b'"' | b'\'') && len > 1 {
            p += len;
        }
        p = self.skip_enc_blanks(p, level);
        let (b, len) = self.dec_at(p, level);
        let colon = match b {
            b'=' => false,
            b':' => {
                let (s1, l1) = self.dec_at(p + len, level);
                if s1 == b'/' && self.dec_at(p + len + l1, level).0 == b'/' {
                    let l2 = self.dec_at(p + len + l1, level).1;
                    return if p == we {
                        AfterKey::Url(p + len + l1 + l2, level)
                    } else {
                        AfterKey::None
                    };
                }
                true
            }
            _ => return AfterKey::None,
        };
        p += len;
        AfterKey::Value(Sep {
            value: self.skip_enc_blanks(p, level),
            ctx_quote: 0,
            colon,
            level,
        })
    }

    fn skip_blanks(&self, mut p: usize) -> usize {
        let lim = n_min(self.buf.len(), p + 16);
        while p < lim && matches!(self.buf[p], b' ' | b'\t') {
            p += 1;
        }
        p
    }

    fn skip_enc_blanks(&self, mut p: usize, level: u8) -> usize {
        for _ in 0..4 {
            match self.dec_at(p, level) {
                (b' ', len) => p += len,
                (b'+', 1) if level == 1 => p += 1,
                _ => break,
            }
        }
        p
    }

    /// Handles the value of a sensitive name; returns where scanning resumes.
    fn value(&mut self, class: Class, sep: Sep) -> usize {
        match class {
            Class::Authorization if sep.level > 0 => return self.enc_authorization(sep),
            Class::Authorization => return self.authorization(sep),
            Class::Cookie if sep.level == 0 => return self.cookie(sep),
            Class::EqOnly(_) if sep.colon => return sep.value,
            Class::Value(_) | Class::Extra(_) | Class::EqOnly(_) | Class::Cookie => {}
        }
        let region = if sep.level > 0 {
            Some(self.enc_region(sep.value, sep.level))
        } else {
            self.region(sep.value)
        };
        let Some(r) = region else {
            return sep.value;
        };
        let v = &self.buf[r.start..r.end];
        // `${NAME}` is a placeholder only when closed (an unquoted value stops at its `}`);
        // `password=${Tr0ub4dor` is a password that starts with `$`.
        let open_template = v.starts_with(b"${") && !v.ends_with(b"}") && self.at(r.end) != b'}';
        // A placeholder is consumed like a value: scanning it again is what made
        // `password=${password=${…` quadratic.
        if (is_placeholder(v) && !open_template) || (sep.colon && !r.quoted && is_prose_word(v)) {
            return r.after;
        }
        let class = match class {
            Class::Cookie => Class::Value("cookie"),
            c => c,
        };
        self.push_class(class, r.start, r.end);
        r.after
    }

    /// The value starting at `vs`: quoted (`"…"`, `'…'`, `\"…\"`, `\\\"…\\\"`, `b'…'`) or
    /// unquoted. An unclosed quote runs to the end of the line (fail closed).
    fn region(&self, vs: usize) -> Option<Region> {
        let buf = self.buf;
        let c = self.at(vs);
        let (q, open, k) = match c {
            b'"' | b'\'' | b'`' => (c, 1, 0),
            b'\\' => {
                let mut k = 1;
                while k < 16 && self.at(vs + k) == b'\\' {
                    k += 1;
                }
                match self.at(vs + k) {
                    q @ (b'"' | b'\'') => (q, k + 1, k),
                    _ => return None,
                }
            }
            b'b' | b'u' | b'r' if matches!(self.at(vs + 1), b'"' | b'\'') => {
                (self.at(vs + 1), 2, 0)
            }
            b'{' | b'[' | b'\n' => return None,
            _ => {
                let mut e = vs;
                while e < buf.len() && !is_value_delim(buf[e]) {
                    e += 1;
                }
                self.tick(e - vs);
                return Some(Region {
                    start: vs,
                    end: e,
                    after: e,
                    quoted: false,
                });
            }
        };
        let s = vs + open;
        let mut p = s;
        let mut run = 0usize;
        while p < buf.len() {
            let b = buf[p];
            if b == b'\n' {
                break;
            }
            if k > 0 {
                // Escaped quotes: the value ends at the quote escaped exactly as the opening one.
                if b == q && run == k {
                    self.tick(p - vs);
                    return Some(Region {
                        start: s,
                        end: p - k,
                        after: p + 1,
                        quoted: true,
                    });
                }
                run = if b == b'\\' { run + 1 } else { 0 };
            } else if b == b'\\' && buf.get(p + 1) != Some(&b'\n') {
                // An escape never reaches past the line: a stream sees one line at a time, and
                // whole-input redaction must give the same output.
                p += 1;
            } else if b == q {
                self.tick(p - vs);
                return Some(Region {
                    start: s,
                    end: p,
                    after: p + 1,
                    quoted: true,
                });
            }
            p += 1;
        }
        let end = p.min(buf.len());
        self.tick(end - vs);
        Some(Region {
            start: s,
            end,
            after: end,
            quoted: true,
        })
    }

    /// A percent-encoded value at `level`: `%22…%22` or up to an encoded or raw delimiter.
    fn enc_region(&self, vs: usize, level: u8) -> Region {
        let buf = self.buf;
        let (c, len) = self.dec_at(vs, level);
        let quoted = len > 1 && matches!(c, b'"' | b'\'');
        let s = if quoted { vs + len } else { vs };
        let mut p = s;
        while p < buf.len() && !is_value_delim(buf[p]) {
            let (d, dl) = self.dec_at(p, level);
            if dl > 1 {
                if quoted && d == c {
                    self.tick(p - vs);
                    return Region {
                        start: s,
                        end: p,
                        after: p + dl,
                        quoted,
                    };
                }
                if !quoted && is_value_delim(d) {
                    break;
                }
            }
            p += dl;
        }
        self.tick(p - vs);
        Region {
            start: s,
            end: p,
            after: p,
            quoted,
        }
    }

    /// The end of an unquoted header value: the enclosing quote or the end of the line.
    fn header_end(&self, from: usize, ctx_quote: u8) -> usize {
        let mut p = from;
        while p < self.buf.len()
            && self.buf[p] != b'\n'
            && (ctx_quote == 0 || self.buf[p] != ctx_quote)
        {
            p += 1;
        }
        self.tick(2 * (p - from));
        while p > from && matches!(self.buf[p - 1], b' ' | b'\t' | b'\r') {
            p -= 1;
        }
        p
    }

    /// `Authorization%3A%20Bearer%20<credentials>`: keeps the scheme, redacts the rest of the
    /// encoded value (fail closed: up to the next encoded or raw delimiter).
    fn enc_authorization(&mut self, sep: Sep) -> usize {
        let buf = self.buf;
        let mut s = sep.value;
        let mut p = s;
        while p < buf.len() && (buf[p].is_ascii_alphanumeric() || buf[p] == b'-') {
            p += 1;
        }
        self.tick(p - s);
        let mut kind = "authorization";
        if p > s && is_scheme(&buf[s..p]) {
            let Some((gap, _)) = self.blank_gap(p) else {
                return p;
            };
            if buf[s..p].eq_ignore_ascii_case(b"bearer") {
                kind = "bearer";
            } else if buf[s..p].eq_ignore_ascii_case(b"basic") {
                kind = "basic";
            }
            s = p + gap;
        }
        let r = self.enc_region(s, sep.level);
        if is_placeholder(&buf[r.start..r.end]) {
            return r.after;
        }
        let kind = self.refine(r.start, r.end, kind);
        self.push(r.start, r.end, kind);
        r.after
    }

    /// `Authorization: <scheme> <credentials>`: redacts the credentials, keeps the scheme.
    fn authorization(&mut self, sep: Sep) -> usize {
        let buf = self.buf;
        let (s, limit, quoted_after) = match self.at(sep.value) {
            b'"' | b'\'' | b'`' | b'\\' => match self.region(sep.value) {
                Some(r) => (r.start, Some(r.end), r.after),
                None => return sep.value,
            },
            _ => (sep.value, None, 0),
        };
        let lim = limit.unwrap_or(buf.len());
        let run = |from: usize| {
            let mut e = from;
            while e < lim && is_token68(buf[e]) {
                e += 1;
            }
            self.tick(e - from);
            e
        };
        let r1 = run(s);
        if r1 == s {
            return s;
        }
        if r1 < lim && buf[r1] == b' ' {
            let mut p = r1;
            while p < lim && buf[p] == b' ' {
                p += 1;
            }
            self.tick(p - r1);
            let r2 = run(p);
            if r2 == p {
                return p;
            }
            let cred = &buf[p..r2];
            let params = (r2 < lim && matches!(buf[r2], b',' | b'"'))
                || cred[..cred.len() - 1]
                    .iter()
                    .zip(&cred[1..])
                    .any(|(&a, &b)| a == b'=' && b != b'=');
            if params {
                let end = match limit {
                    Some(e) => e,
                    None => self.header_end(p, sep.ctx_quote),
                };
                self.push(p, end, "authorization");
                return end.max(quoted_after);
            }
            let scheme = &buf[s..r1];
            let kind = if scheme.eq_ignore_ascii_case(b"bearer") {
                "bearer"
            } else if scheme.eq_ignore_ascii_case(b"basic") {
                "basic"
            } else {
                "authorization"
            };
            let kind = self.refine(p, r2, kind);
            self.push(p, r2, kind);
            return r2;
        }
        let cred = &buf[s..r1];
        if is_scheme(cred) || is_placeholder(cred) {
            return r1;
        }
        let kind = self.refine(s, r1, "authorization");
        self.push(s, r1, kind);
        r1
    }

    /// `Cookie: a=1; b=2` / `Set-Cookie: id=x; Path=/; Expires=…`: redacts each value.
    fn cookie(&mut self, sep: Sep) -> usize {
        let buf = self.buf;
        let (mut p, lim, stop) = match self.at(sep.value) {
            b'"' | b'\'' | b'\\' => match self.region(sep.value) {
                Some(r) => (r.start, r.end, 0),
                None => return sep.value,
            },
            _ => (sep.value, buf.len(), sep.ctx_quote),
        };
        let start = p;
        let ends = |b: u8| b == b'\n' || (stop != 0 && b == stop);
        while p < lim {
            while p < lim && buf[p] == b' ' {
                p += 1;
            }
            let ns = p;
            // RFC 6265 cookie names are HTTP tokens.
            while p < lim
                && (buf[p].is_ascii_alphanumeric()
                    || matches!(
                        buf[p],
                        b'!' | b'#'
                            | b'$'
                            | b'%'
                            | b'&'
                            | b'*'
                            | b'+'
                            | b'-'
                            | b'.'
                            | b'^'
                            | b'_'
                            | b'|'
                            | b'~'
                    ))
            {
                p += 1;
            }
            let name = &buf[ns..p];
            if p < lim && buf[p] == b'=' {
                p += 1;
                let vs = p;
                let expires = name.eq_ignore_ascii_case(b"expires");
                while p < lim
                    && !ends(buf[p])
                    && buf[p] != b';'
                    && (expires || !matches!(buf[p], b' ' | b'\t' | b'\r' | b',' | b'\\'))
                    && (expires || !matches!(buf[p], b'"' | b'\'') || p == vs)
                {
                    p += 1;
                }
                let v = &buf[vs..p];
                if !name.is_empty() && !is_cookie_attribute(name) && !is_placeholder(v) {
                    self.push(vs, p, "cookie");
                }
            } else {
                // Not a `name=value` pair: scan it as ordinary text.
                self.tick(p - start);
                return ns.max(sep.value);
            }
            while p < lim && buf[p] == b' ' {
                p += 1;
            }
            if p < lim && buf[p] == b';' {
                p += 1;
                continue;
            }
            break;
        }
        self.tick(p - start);
        p.max(sep.value)
    }

    /// After `scheme://` (raw or percent-encoded at `level`): redacts the password of
    /// `user:password@host`.
    fn userinfo(&mut self, from: usize, level: u8) -> usize {
        let buf = self.buf;
        let mut p = from;
        let mut colon = None;
        let mut at = None;
        while p < buf.len() {
            let (b, len) = self.dec_at(p, level);
            match b {
                b'/' | b'?' | b'#' | b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'\'' | b'`' | b'<'
                | b'>' | b'\\' | b'[' | b']' | b'{' | b'}' | b'|' | b'^' | b'&' => break,
                b'@' => at = Some((p, len)),
                b':' if colon.is_none() => colon = Some((p, len)),
                _ => {}
            }
            p += len;
        }
        self.tick(p - from);
        match (colon, at) {
            (Some((c, cl)), Some((a, al))) if c < a => {
                if !is_placeholder(&buf[c + cl..a]) {
                    self.push(c + cl, a, "password");
                }
                a + al
            }
            _ => from,
        }
    }

    /// `-----BEGIN … PRIVATE KEY-----` (also `PGP PRIVATE KEY BLOCK`, also percent-encoded):
    /// the whole block, or `Err` when it continues past the line.
    fn pem(&mut self, ws: usize, we: usize) -> Result<usize, usize> {
        let buf = self.buf;
        let lim = n_min(buf.len(), we + 64);
        let tail = &buf[we..lim];
        self.tick(tail.len());
        let Some(m) = tail.windows(5).position(|x| x == b"-----") else {
            return Ok(we);
        };
        let label = &tail[..m];
        let contains = |needle: &[u8]| label.windows(needle.len()).any(|x| x == needle);
        if !label.iter().all(|&b| {
            matches!(b, b' ' | b'%' | b'+' | b'_') || b.is_ascii_uppercase() || b.is_ascii_digit()
        }) || !contains(b"PRIVATE")
            || !contains(b"KEY")
        {
            return Ok(we);
        }
        let body = we + m + 5;
        // The END marker on the same line; the search stops there (not at the end of the
        // line), so what it walked is consumed either way.
        let mut p = body;
        while p < buf.len() && buf[p] != b'\n' {
            if buf[p..].starts_with(b"-----END") && matches!(self.at(p + 8), b' ' | b'%' | b'+') {
                let mut q = p + 9;
                while q < buf.len() && buf[q] != b'\n' {
                    if buf[q..].starts_with(b"-----") {
                        self.tick(q + 5 - body);
                        self.push(ws, q + 5, "private_key");
                        return Ok(q + 5);
                    }
                    q += 1;
                }
                p = q;
                break;
            }
            p += 1;
        }
        self.tick(p - body);
        Err(ws)
    }
}

const fn n_min(a: usize, b: usize) -> usize {
    if a < b {
        a
    } else {
        b
    }
}

/// Set-Cookie attribute names, whose values are not secrets.
fn is_cookie_attribute(name: &[u8]) -> bool {
    [
        &b"path"[..],
        b"domain",
        b"expires",
        b"max-age",
        b"samesite",
        b"secure",
        b"httponly",
        b"priority",
        b"partitioned",
        b"version",
        b"comment",
    ]
    .iter()
    .any(|a| name.eq_ignore_ascii_case(a))
}

/// Is `line` (without its `\n`) part of an open PEM block: base64, an armor header, empty,
/// or (fail closed) a garbled or prefixed line that still carries a base64 run of 16 or more
/// characters with both cases and a digit. The block ends at its `-----END` line or at the
/// first line that cannot hold key material.
pub(crate) fn pem_body_line(line: &[u8]) -> bool {
    let t = line.trim_ascii();
    if t.iter()
        .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    {
        return true;
    }
    const HEADERS: [&[u8]; 7] = [
        b"Proc-Type:",
        b"DEK-Info:",
        b"Comment:",
        b"Version:",
        b"Hash:",
        b"Charset:",
        b"MessageID:",
    ];
    if HEADERS.iter().any(|h| t.starts_with(h)) {
        return true;
    }
    t.split(|&b| !is_b64(b)).any(|run| {
        run.len() >= 16
            && run.iter().any(u8::is_ascii_uppercase)
            && run.iter().any(u8::is_ascii_lowercase)
            && run.iter().any(u8::is_ascii_digit)
    })
}

/// Finds `-----END …-----` (also `-----END%20…`) in `line`; returns the end of the marker.
pub(crate) fn pem_end(line: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(p) = line[from..].windows(8).position(|x| x == b"-----END") {
        let p = from + p + 8;
        if matches!(line.get(p), Some(b' ' | b'%' | b'+')) {
            let q = line[p..].windows(5).position(|x| x == b"-----")?;
            return Some(p + q + 5);
        }
        from = p;
    }
    None
}
