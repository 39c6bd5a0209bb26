//! Token shapes recognised anywhere in text, without a field name: JWT/JWE, tokenward API
//! keys and well-known provider formats.
//!
//! Every check starts from a *word*: a maximal run of `[A-Za-z0-9_-]` (found by the scanner),
//! and inspects a bounded number of bytes around it, so the total work stays linear.

use std::cell::Cell;

/// Lookup table for [`is_word`].
static WORD: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
        i += 1;
    }
    t
};

/// `[A-Za-z0-9_-]`: the characters of words, base64url and most token formats.
#[inline(always)]
pub(crate) fn is_word(b: u8) -> bool {
    WORD[b as usize]
}

fn all(s: &[u8], f: impl Fn(u8) -> bool) -> bool {
    s.iter().all(|&b| f(b))
}

fn alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// Does `s` look like random base62/base64 rather than a word or identifier?
/// Needs both letter cases, and a digit or frequent case/class changes; rejects pure hex.
pub(crate) fn looks_random(s: &[u8]) -> bool {
    let (mut upper, mut lower, mut digit) = (false, false, false);
    let mut changes = 0usize;
    let mut prev_class = 0u8;
    for &b in s {
        let class = if b.is_ascii_uppercase() {
            upper = true;
            1
        } else if b.is_ascii_lowercase() {
            lower = true;
            2
        } else if b.is_ascii_digit() {
            digit = true;
            3
        } else {
            4
        };
        if prev_class != 0 && class != prev_class {
            changes += 1;
        }
        prev_class = class;
    }
    upper && lower && (digit || changes * 3 >= s.len())
}

/// The end of a JWT/JWE starting at the word `[ws, we)`, if it is one. Adds the bytes it
/// examines past the word to `work`.
fn jwt(line: &[u8], ws: usize, we: usize, work: &Cell<usize>) -> Option<(usize, &'static str)> {
    let w = &line[ws..we];
    if !(w.starts_with(b"eyJ") || w.starts_with(b"eyA") || w.starts_with(b"ewog")) || w.len() < 10 {
        return None;
    }
    // Segment ends (exclusive) after the header, at most 5 segments.
    let mut ends = [0usize; 5];
    ends[0] = we;
    let mut n = 1;
    let mut p = we;
    while n < 5 && line.get(p) == Some(&b'.') {
        let mut q = p + 1;
        while q < line.len() && is_word(line[q]) {
            q += 1;
        }
        ends[n] = q;
        n += 1;
        p = q;
    }
    work.set(work.get() + (p - we));
    // A trailing empty segment followed by text is a sentence's full stop, not a segment.
    let segments = match n {
        5 => 5,
        3 | 4 => 3,
        // Fail closed: a header and a JSON payload (`eyJ…`) without a signature is a JWS cut
        // short (a truncated log line); what there is of it is still redacted.
        2 if ends[1] - ends[0] > 8 && line[ends[0] + 1..].starts_with(b"eyJ") => {
            return Some((ends[1], "jwt"))
        }
        _ => return None,
    };
    let end = ends[segments - 1];
    // The payload (JWS) must be non-trivial; JWE may have an empty encrypted key.
    if segments == 3 && ends[1] - ends[0] < 3 {
        return None;
    }
    Some((end, if segments == 5 { "jwe" } else { "jwt" }))
}

fn hex(s: &[u8]) -> bool {
    all(s, |b| b.is_ascii_hexdigit())
}

fn lower_hex(s: &[u8]) -> bool {
    all(s, |b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Detects a token at the word `[ws, we)`. Returns the end of the token and its kind.
/// Adds the bytes it examines past the word to `work` (the word itself is the caller's).
pub(crate) fn detect(
    line: &[u8],
    ws: usize,
    we: usize,
    work: &Cell<usize>,
) -> Option<(usize, &'static str)> {
    let w = &line[ws..we];
    let len = w.len();
    if len < 10 {
        return None;
    }
    match w[0] {
        b'e' => return jwt(line, ws, we, work),
        b'g' => {
            if len >= 40 && w[1] == b'h' && b"pousr".contains(&w[2]) && w[3] == b'_' {
                return all(&w[4..], alnum).then_some((we, "github"));
            }
            if len >= 30 && w.starts_with(b"github_pat_") {
                return Some((we, "github"));
            }
            for p in [
                &b"glpat-"[..],
                b"gldt-",
                b"glrt-",
                b"glptt-",
                b"glcbt-",
                b"glft-",
            ] {
                if len >= p.len() + 20 && w.starts_with(p) {
                    return Some((we, "gitlab"));
                }
            }
        }
        b'G' if len >= 30 && w.starts_with(b"GOCSPX-") => return Some((we, "google_oauth")),
        b'h' if len >= 30 && w.starts_with(b"hf_") && all(&w[3..], alnum) => {
            return Some((we, "huggingface"));
        }
        b'p' if len >= 50 && w.starts_with(b"pypi-AgE") => return Some((we, "pypi")),
        b'd' => {
            if len == 71
                && matches!(&w[..7], b"dop_v1_" | b"doo_v1_" | b"dor_v1_")
                && lower_hex(&w[7..])
            {
                return Some((we, "digitalocean"));
            }
            if (36..=38).contains(&len) && w.starts_with(b"dapi") && hex(&w[4..36]) {
                return Some((we, "databricks"));
            }
        }
        b'k' if len == 36 && w.starts_with(b"key-") && hex(&w[4..]) => {
            return Some((we, "mailgun"));
        }
        b'S' if len == 34 && w[1] == b'K' && hex(&w[2..]) => return Some((we, "twilio")),
        b'P' if len >= 59 && w.starts_with(b"PMAK-") => return Some((we, "postman")),
        b's' | b'r' => {
            if len >= 38
                && matches!(&w[..6], b"shpat_" | b"shpss_" | b"shpca_" | b"shppa_")
                && hex(&w[6..])
            {
                return Some((we, "shopify"));
            }
            for p in [&b"sk_live_"[..], b"sk_test_", b"rk_live_", b"rk_test_"] {
                if len >= p.len() + 10 && w.starts_with(p) && all(&w[p.len()..], alnum) {
                    return Some((we, "stripe"));
                }
            }
            if len >= 23 && w.starts_with(b"sk-") && looks_random(&w[3..]) {
                let kind = if w.starts_with(b"sk-ant-") {
                    "anthropic"
                } else {
                    "openai"
                };
                return Some((we, kind));
            }
        }
        b'w' if len >= 20 && w.starts_with(b"whsec_") => return Some((we, "stripe")),

        b'x' => {
            if len >= 15 && w.starts_with(b"xox") && b"abposre".contains(&w[3]) && w[4] == b'-' {
                return Some((we, "slack"));
            }
            if len >= 15 && w.starts_with(b"xapp-") {
                return Some((we, "slack"));
            }
        }
        b'A' => {
            if len == 20
                && matches!(
                    &w[..4],
                    b"AKIA"
                        | b"ASIA"
                        | b"ABIA"
                        | b"ACCA"
                        | b"AGPA"
                        | b"AIDA"
                        | b"AROA"
                        | b"AIPA"
                        | b"ANPA"
                        | b"ANVA"
                        | b"APKA"
                )
                && all(&w[4..], |b| b.is_ascii_uppercase() || b.is_ascii_digit())
            {
                return Some((we, "aws_access_key_id"));
            }
            if len == 39 && w.starts_with(b"AIza") {
                return Some((we, "google_api_key"));
            }
            if len >= 50 && w.starts_with(b"ATATT3") {
                return Some((we, "atlassian"));
            }
        }
        b'n' if len == 40 && w.starts_with(b"npm_") && all(&w[4..], alnum) => {
            return Some((we, "npm"));
        }
        _ => {}
    }
    if len >= 23 {
        return api_key(w).then_some((we, "api_key"));
    }
    None
}

/// Tokens whose prefix is a short word followed by `.`: Google OAuth access tokens
/// (`ya29.…`), SendGrid API keys (`SG.<22>.<43>`) and HashiCorp Vault tokens (`hvs.…`).
/// Returns the end and the kind; adds the bytes it examines to `work`.
pub(crate) fn dotted(
    line: &[u8],
    ws: usize,
    we: usize,
    work: &Cell<usize>,
) -> Option<(usize, &'static str)> {
    let kind = match &line[ws..we] {
        b"ya29" => "google_oauth",
        b"SG" => "sendgrid",
        b"hvs" | b"hvb" | b"hvr" => "vault",
        _ => return None,
    };
    if line.get(we) != Some(&b'.') {
        return None;
    }
    let mut p = we + 1;
    while p < line.len() && (is_word(line[p]) || line[p] == b'.') {
        p += 1;
    }
    work.set(work.get() + (p - we));
    (p - we > 20).then_some((p, kind))
}

/// A tokenward API key by shape: prefix `[a-z][a-z0-9]{1,15}`, optional environment part
/// `_[a-z0-9]{1,16}` (`_live`, `_test`, …), `_`, then a random-looking base62 run of at least
/// 20 characters (body + 6-character checksum).
fn api_key(w: &[u8]) -> bool {
    if !w[0].is_ascii_lowercase() {
        return false;
    }
    let lower_digit = |s: &[u8]| all(s, |b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let mut parts = w.split(|&b| b == b'_');
    let (Some(prefix), Some(second)) = (parts.next(), parts.next()) else {
        return false;
    };
    if !(2..=16).contains(&prefix.len()) || !lower_digit(prefix) {
        return false;
    }
    let body = match parts.next() {
        None => second,
        Some(body) => {
            if parts.next().is_some() || !(1..=16).contains(&second.len()) || !lower_digit(second) {
                return false;
            }
            body
        }
    };
    body.len() >= 20 && all(body, alnum) && looks_random(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<&'static str> {
        let b = s.as_bytes();
        let we = b.iter().position(|&c| !is_word(c)).unwrap_or(b.len());
        detect(b, 0, we, &Cell::new(0)).map(|(_, k)| k)
    }

    #[test]
    fn provider_formats() {
        assert_eq!(
            d("ghp_16C7e42F292c6912E7710c838347Ae178B4a"),
            Some("github")
        );
        assert_eq!(d("AKIAIOSFODNN7EXAMPLE"), Some("aws_access_key_id"));
        assert_eq!(
            d("AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe"),
            Some("google_api_key")
        );
        assert_eq!(
            d("xoxb-2345678901-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"),
            Some("slack")
        );
        assert_eq!(d("sk_live_4eC39HqLyjWDarjtT1zdp7dc"), Some("stripe"));
        assert_eq!(
            d("tw_live_3xK9pQ2mZ7vR4tY8wB1nC5dF6gH0jL2kM4"),
            Some("api_key")
        );
        assert_eq!(d("acme_8Zk2LmQ9xT4vB7nR1pW3yH6jF0"), Some("api_key"));
        assert_eq!(
            d("acme_eu1_Q7wE3rT9yU1iO5pA2sD8fG4hJ6kL0zXcVbN4mQ2wE8rT6yU0iO3pA9sD1f"),
            Some("api_key")
        );
    }

    #[test]
    fn more_provider_formats() {
        for (t, k) in [
            ("GOCSPX-AbCdEfGh1234567890IjKlMnOpQr", "google_oauth"),
            ("hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567", "huggingface"),
            (
                "pypi-AgEIcHlwaS5vcmcCJGI5ZTBlNjE0LWJmZmQtNDg3Zi05NjBiLWM5ZTBkN2QyYjY0ZQ",
                "pypi",
            ),
            (
                "dop_v1_8f14e45fceea167a5a36dedd4bea2543c9f0f895fb98ab9159f51fd0297e236d",
                "digitalocean",
            ),
            ("dapi8f14e45fceea167a5a36dedd4bea2543", "databricks"),
            ("key-8f14e45fceea167a5a36dedd4bea2543", "mailgun"),
            ("SK8f14e45fceea167a5a36dedd4bea2543", "twilio"),
            ("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", "shopify"),
            ("glrt-AbCdEfGh1234567890IjKl", "gitlab"),
            (
                "PMAK-5f4dcc3b5aa765d61d8327de-8f14e45fceea167a5a36dedd4bea2543ab",
                "postman",
            ),
        ] {
            assert_eq!(d(t), Some(k), "{t}");
        }
        let w = &Cell::new(0);
        let sg = b"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";
        assert_eq!(dotted(sg, 0, 2, w), Some((sg.len(), "sendgrid")));
        let hvs = b"hvs.CAESIJlU9JMYEhOPYv4igdhm9PnK";
        assert_eq!(dotted(hvs, 0, 3, w), Some((hvs.len(), "vault")));
        assert_eq!(dotted(b"SG.short", 0, 2, w), None);
    }

    #[test]
    fn ordinary_words() {
        for w in [
            "test_userCanLoginWithValidCredentials",
            "req_8f14e45fceea167a5a36dedd4bea2543",
            "sha256_e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "550e8400-e29b-41d4-a716-446655440000",
            "sk-learn-preprocessing-module",
            "configuration_management_service",
        ] {
            assert_eq!(d(w), None, "{w}");
        }
    }

    #[test]
    fn jwt_segments() {
        let w = &Cell::new(0);
        let t = b"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl. next";
        assert_eq!(jwt(t, 0, 20, w), Some((t.len() - 6, "jwt")));
        let jwe = b"eyJhbGciOiJkaXIifQ..aXY.Y2lwaGVy.dGFn";
        assert_eq!(jwt(jwe, 0, 18, w), Some((jwe.len(), "jwe")));
        assert_eq!(jwt(b"eyJhbGciOiJIUzI1NiJ9 alone", 0, 20, w), None);
        assert_eq!(jwt(b"eyJhbGciOiJIUzI1NiJ9. Next", 0, 20, w), None);
        // Truncated after the payload: fail closed.
        let cut = b"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0";
        assert_eq!(jwt(cut, 0, 20, w), Some((cut.len(), "jwt")));
    }
}
