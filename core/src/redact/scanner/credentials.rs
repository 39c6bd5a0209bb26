//! Credentials found by their shape or context: `Bearer`/`Basic` anywhere, unnamed base64
//! secrets, `curl -u`, XML elements and URL userinfo passwords.

use super::headers::is_token68;
use super::placeholders::is_placeholder;
use super::{credential_like, is_value_delim, Scanner};
use crate::redact::names;
use crate::redact::tokens::is_word;

impl<'a> Scanner<'a> {
    /// An unnamed standard-base64 secret with `/` or `+` (an AWS secret access key, an Azure
    /// account key): a run of at least 40 base64 characters (`%2F`, `%2B`, `%3D` count) that
    /// looks random and not like a path. The run starts at `s`, a word not preceded by base64.
    pub(super) fn b64_secret(&mut self, s: usize) -> Option<usize> {
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
    pub(super) fn blank_gap(&self, p: usize) -> Option<(usize, u8)> {
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
    pub(super) fn cred_run(&self, s: usize, level: u8) -> (usize, bool) {
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
    pub(super) fn ends_value(&self, e: usize, level: u8) -> bool {
        if e >= self.buf.len() || is_value_delim(self.buf[e]) {
            return true;
        }
        let (b, len) = self.dec_at(e, level);
        len > 1 && is_value_delim(b)
    }

    /// `Bearer <credential>` / `Basic <base64>` anywhere in text (also `Bearer%20…`).
    pub(super) fn scheme_credential(&mut self, w: &[u8], we: usize) -> Option<usize> {
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
    pub(super) fn curl_user(&mut self, we: usize) -> usize {
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
    pub(super) fn xml_element(&mut self, ws: usize, we: usize) -> usize {
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

    /// After `scheme://` (raw or percent-encoded at `level`): redacts the password of
    /// `user:password@host`.
    pub(super) fn userinfo(&mut self, from: usize, level: u8) -> usize {
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
}
