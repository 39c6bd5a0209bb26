//! The scanner: one forward pass over complete lines that reports the byte spans to redact.
//!
//! The input is cut into *words* (maximal runs of `[A-Za-z0-9_-]`); each word is checked
//! against the token shapes and, when a separator (`=`, `:`, `=>`, a closing quote) follows
//! it, against the sensitive names. Every look-ahead either ends where scanning resumes or is
//! bounded, so the total work is linear in the input.

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

/// Values that are placeholders, not secrets.
fn is_placeholder(v: &[u8]) -> bool {
    if v.is_empty() || v.starts_with(b"[REDACTED") || v.starts_with(b"${") || v.starts_with(b"{{") {
        return true;
    }
    if v.iter()
        .all(|&b| b == b'*' || b == b'x' || b == b'X' || b == b'.')
        && v.len() >= 3
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
}

enum AfterKey {
    None,
    Url(usize),
    Value(Sep),
}

/// A value's byte range and where scanning resumes.
struct Region {
    start: usize,
    end: usize,
    after: usize,
    quoted: bool,
}

pub(crate) struct Scanner<'a> {
    buf: &'a [u8],
    extra: &'a [String],
    spans: &'a mut Vec<Span>,
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(buf: &'a [u8], extra: &'a [String], spans: &'a mut Vec<Span>) -> Self {
        Scanner { buf, extra, spans }
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
                return Stop::End;
            }
            let ws = i;
            while i < n && is_word(buf[i]) {
                i += 1;
            }
            match self.word(ws, i) {
                Ok(next) => i = next.max(i),
                Err(pem) => return Stop::PemOpen(pem),
            }
        }
    }

    /// Handles the word `[ws, we)`; returns where to resume, or `Err` for an open PEM block.
    fn word(&mut self, ws: usize, we: usize) -> Result<usize, usize> {
        let buf = self.buf;
        let w = &buf[ws..we];
        if let Some((end, kind)) = tokens::detect(buf, ws, we) {
            self.push(ws, end, kind);
            return Ok(end);
        }
        let next = self.at(we);
        match w.len() {
            4 if next == b'.' => {
                if let Some(end) = tokens::google_oauth(buf, ws, we) {
                    self.push(ws, end, "google_oauth");
                    return Ok(end);
                }
            }
            8 if w == b"REDACTED" && ws > 0 && buf[ws - 1] == b'[' => {
                // Our own replacement: skip it so redaction is idempotent.
                let lim = n_min(buf.len(), we + 100);
                let marker = buf[we..lim]
                    .iter()
                    .position(|&b| !(is_word(b) || b == b':' || b == b'.'));
                if let Some(p) = marker {
                    if buf[we + p] == b']' {
                        return Ok(we + p + 1);
                    }
                }
            }
            10 if w == b"-----BEGIN" => return self.pem(ws, we),
            _ => {}
        }
        if next == b' ' {
            if let Some(end) = self.scheme_credential(w, we) {
                return Ok(end);
            }
            if w == b"-u" || w == b"--user" {
                return Ok(self.curl_user(we));
            }
        }
        if next == b'>' && ws > 0 && buf[ws - 1] == b'<' {
            return Ok(self.xml_element(ws, we));
        }
        if !matches!(
            next,
            b'=' | b':' | b' ' | b'\t' | b'"' | b'\'' | b'`' | b'\\'
        ) {
            return Ok(we);
        }
        match self.separator(ws, we) {
            AfterKey::None => Ok(we),
            AfterKey::Url(p) => Ok(self.userinfo(p)),
            AfterKey::Value(sep) => match names::classify(w, self.extra) {
                None => Ok(we),
                Some(class) => Ok(self.value(class, sep).max(we)),
            },
        }
    }

    /// `Bearer <credential>` / `Basic <base64>` anywhere in text.
    fn scheme_credential(&mut self, w: &[u8], we: usize) -> Option<usize> {
        let kind = if w.eq_ignore_ascii_case(b"bearer") {
            "bearer"
        } else if w.eq_ignore_ascii_case(b"basic") {
            "basic"
        } else {
            return None;
        };
        let s = we + 1;
        let mut e = s;
        while e < self.buf.len() && is_token68(self.buf[e]) {
            e += 1;
        }
        let cred = &self.buf[s..e];
        // token68 allows `=` only as trailing padding: `Bearer expires_in=3600` is not a token.
        let inner_eq = cred.windows(2).any(|p| p[0] == b'=' && p[1] != b'=');
        let ends_cleanly = e == self.buf.len() || is_value_delim(self.buf[e]);
        if inner_eq || !ends_cleanly || !credential_like(cred) {
            return None;
        }
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
        tokens::detect(self.buf, s, we)
            .or_else(|| tokens::google_oauth(self.buf, s, we).map(|end| (end, "google_oauth")))
    }

    /// The more specific kind when the whole value is a known token shape.
    fn refine(&self, s: usize, e: usize, kind: &'static str) -> &'static str {
        match self.token_at(s) {
            Some((end, k)) if end == e => k,
            _ => kind,
        }
    }

    /// Parses what follows a word: a quoted-key close, spaces, `=`/`:`/`=>`/`:=`, spaces.
    fn separator(&self, ws: usize, we: usize) -> AfterKey {
        let buf = self.buf;
        let mut p = we;
        let before = if ws > 0 { buf[ws - 1] } else { 0 };
        let mut ctx_quote = 0;
        if matches!(before, b'"' | b'\'' | b'`') {
            if self.at(p) == before {
                p += 1;
            } else if before == b'"'
                && ws >= 2
                && buf[ws - 2] == b'\\'
                && buf.get(p..p + 2) == Some(b"\\\"")
            {
                p += 2;
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
                        AfterKey::Url(p + 3)
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
        })
    }

    fn skip_blanks(&self, mut p: usize) -> usize {
        let lim = n_min(self.buf.len(), p + 16);
        while p < lim && matches!(self.buf[p], b' ' | b'\t') {
            p += 1;
        }
        p
    }

    /// Handles the value of a sensitive name; returns where scanning resumes.
    fn value(&mut self, class: Class, sep: Sep) -> usize {
        match class {
            Class::Authorization => return self.authorization(sep),
            Class::Cookie => return self.cookie(sep),
            Class::EqOnly(_) if sep.colon => return sep.value,
            Class::Value(_) | Class::Extra(_) | Class::EqOnly(_) => {}
        }
        let Some(r) = self.region(sep.value) else {
            return sep.value;
        };
        let v = &self.buf[r.start..r.end];
        if is_placeholder(v) || (sep.colon && !r.quoted && is_prose_word(v)) {
            return r.start;
        }
        self.push_class(class, r.start, r.end);
        r.after
    }

    /// The value starting at `vs`: quoted (`"…"`, `'…'`, `\"…\"`, `b'…'`) or unquoted.
    fn region(&self, vs: usize) -> Option<Region> {
        let buf = self.buf;
        let c = self.at(vs);
        let (q, open) = match c {
            b'"' | b'\'' | b'`' => (c, 1),
            b'\\' if matches!(self.at(vs + 1), b'"' | b'\'') => (self.at(vs + 1), 2),
            b'b' | b'u' | b'r' if matches!(self.at(vs + 1), b'"' | b'\'') => (self.at(vs + 1), 2),
            b'{' | b'[' | b'\n' => return None,
            _ => {
                let mut e = vs;
                while e < buf.len() && !is_value_delim(buf[e]) {
                    e += 1;
                }
                return Some(Region {
                    start: vs,
                    end: e,
                    after: e,
                    quoted: false,
                });
            }
        };
        let escaped = c == b'\\';
        let s = vs + open;
        let mut p = s;
        while p < buf.len() {
            let b = buf[p];
            if b == b'\n' {
                break;
            }
            if escaped {
                if b == b'\\' && self.at(p + 1) == q {
                    return Some(Region {
                        start: s,
                        end: p,
                        after: p + 2,
                        quoted: true,
                    });
                }
            } else if b == b'\\' {
                p += 1;
            } else if b == q {
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
        Some(Region {
            start: s,
            end,
            after: end,
            quoted: true,
        })
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
        while p > from && matches!(self.buf[p - 1], b' ' | b'\t' | b'\r') {
            p -= 1;
        }
        p
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
        p.max(sep.value)
    }

    /// After `scheme://`: redacts the password of `user:password@host`.
    fn userinfo(&mut self, from: usize) -> usize {
        let buf = self.buf;
        let mut p = from;
        let mut colon = None;
        let mut at = None;
        while p < buf.len() {
            match buf[p] {
                b'/' | b'?' | b'#' | b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'\'' | b'`' | b'<'
                | b'>' | b'\\' | b'[' | b']' | b'{' | b'}' | b'|' | b'^' => break,
                b'@' => at = Some(p),
                b':' if colon.is_none() => colon = Some(p),
                _ => {}
            }
            p += 1;
        }
        match (colon, at) {
            (Some(c), Some(a)) if c < a => {
                if !is_placeholder(&buf[c + 1..a]) {
                    self.push(c + 1, a, "password");
                }
                a + 1
            }
            _ => from,
        }
    }

    /// `-----BEGIN … PRIVATE KEY-----`: the whole block, or `Err` when it continues past the line.
    fn pem(&mut self, ws: usize, we: usize) -> Result<usize, usize> {
        let buf = self.buf;
        let lim = n_min(buf.len(), we + 48);
        let tail = &buf[we..lim];
        let marker = b"PRIVATE KEY-----";
        let Some(m) = tail.windows(marker.len()).position(|x| x == marker) else {
            return Ok(we);
        };
        if !tail[..m]
            .iter()
            .all(|&b| b == b' ' || b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return Ok(we);
        }
        let body = we + m + marker.len();
        let mut p = body;
        while p < buf.len() && buf[p] != b'\n' {
            if buf[p..].starts_with(b"-----END ") {
                let mut q = p + 9;
                while q < buf.len() && buf[q] != b'\n' {
                    if buf[q..].starts_with(b"-----") {
                        self.push(ws, q + 5, "private_key");
                        return Ok(q + 5);
                    }
                    q += 1;
                }
                break;
            }
            p += 1;
        }
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

/// Is `line` (without its `\n`) the body of a PEM block: base64, headers or empty?
pub(crate) fn pem_body_line(line: &[u8]) -> bool {
    line.trim_ascii()
        .iter()
        .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        || line.starts_with(b"Proc-Type:")
        || line.starts_with(b"DEK-Info:")
        || line.starts_with(b"Comment:")
}

/// Finds `-----END …-----` in `line`; returns the end of the marker.
pub(crate) fn pem_end(line: &[u8]) -> Option<usize> {
    let p = line.windows(9).position(|x| x == b"-----END ")?;
    let q = line[p + 9..].windows(5).position(|x| x == b"-----")?;
    Some(p + 9 + q + 5)
}
