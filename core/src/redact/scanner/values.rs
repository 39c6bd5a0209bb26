//! What follows a sensitive name: the separator (`=`, `:`, `=>`, quoted keys, percent-encoded
//! forms) and the value's extent (quoted, unquoted, percent-encoded).

use super::placeholders::{is_placeholder, is_prose_word};
use super::{is_value_delim, n_min, AfterKey, Region, Scanner, Sep};
use crate::redact::names::Class;

impl<'a> Scanner<'a> {
    /// Parses what follows a word: a quoted-key close, spaces, `=`/`:`/`=>`/`:=`, spaces.
    pub(super) fn separator(&self, ws: usize, we: usize) -> AfterKey {
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
    pub(super) fn enc_separator(&self, we: usize) -> AfterKey {
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

    pub(super) fn skip_blanks(&self, mut p: usize) -> usize {
        let lim = n_min(self.buf.len(), p + 16);
        while p < lim && matches!(self.buf[p], b' ' | b'\t') {
            p += 1;
        }
        p
    }

    pub(super) fn skip_enc_blanks(&self, mut p: usize, level: u8) -> usize {
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
    pub(super) fn value(&mut self, class: Class, sep: Sep) -> usize {
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
    pub(super) fn region(&self, vs: usize) -> Option<Region> {
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
    pub(super) fn enc_region(&self, vs: usize, level: u8) -> Region {
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
}
