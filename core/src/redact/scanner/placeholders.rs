//! Values that are placeholders or prose, not secrets (`${DB_PASSWORD}`, `<hidden>`, `token: a`).

use crate::redact::tokens::is_word;

/// `rest` is `[allowed]*` optionally followed by `close`, at most 128 bytes.
pub(super) fn template_rest(rest: &[u8], close: &[u8], allowed: impl Fn(u8) -> bool) -> bool {
    let body = rest.strip_suffix(close).unwrap_or(rest);
    rest.len() <= 128 && body.iter().all(|&b| allowed(b))
}

/// Values that are placeholders, not secrets. Template forms count only when the whole value
/// is one (`${DB_PASSWORD}`, `{{ .Values.token }}`, our own `[REDACTED:…]`): an unterminated
/// `${` followed by anything else is redacted (fail closed), and a placeholder's bytes are
/// never scanned again.
pub(super) fn is_placeholder(v: &[u8]) -> bool {
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
pub(super) fn is_prose_word(v: &[u8]) -> bool {
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
