//! Headers: `Authorization` (any scheme, also percent-encoded) and `Cookie` / `Set-Cookie`.

use super::placeholders::is_placeholder;
use super::{Scanner, Sep};
use crate::redact::tokens::is_word;

impl<'a> Scanner<'a> {
    /// The end of an unquoted header value: the enclosing quote or the end of the line.
    pub(super) fn header_end(&self, from: usize, ctx_quote: u8) -> usize {
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
    pub(super) fn enc_authorization(&mut self, sep: Sep) -> usize {
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
    pub(super) fn authorization(&mut self, sep: Sep) -> usize {
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
    pub(super) fn cookie(&mut self, sep: Sep) -> usize {
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
}

pub(super) fn is_scheme(w: &[u8]) -> bool {
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
pub(super) fn is_token68(b: u8) -> bool {
    is_word(b) || matches!(b, b'.' | b'~' | b'+' | b'/' | b'=')
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
