//! Which field names carry secrets (`access_token`, `X-Api-Key`, `dbPassword`, …).
//!
//! A name is split into segments at `_`, `-`, `.` and lower→upper case changes; the decision
//! looks at the last segment (and the one before it), so `token_type`, `expires_in`,
//! `max_tokens` and `public_key` are not sensitive while `csrf_token`, `clientSecret` and
//! `x-api-key` are.

/// What to do with the value of a sensitive name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// Redact the whole value with this kind.
    Value(&'static str),
    /// An extra name configured by the user (index into the redactor's names).
    Extra(usize),
    /// `Authorization`-style: keep the scheme, redact the credentials.
    Authorization,
    /// `Cookie` / `Set-Cookie`: redact each cookie value, keep names and attributes.
    Cookie,
    /// Like `Value`, but only after `=` (`?auth=…`), never `auth: …` in prose.
    EqOnly(&'static str),
}

/// Qualifiers that make a trailing `key` segment sensitive (`api_key`, `secret-key`, …).
const KEY_QUALIFIERS: &[&[u8]] = &[
    b"api",
    b"access",
    b"secret",
    b"private",
    b"signing",
    b"client",
    b"account",
    b"master",
    b"encryption",
    b"auth",
    b"app",
    b"subscription",
    b"license",
    b"service",
    b"webhook",
    b"session",
    b"hmac",
];

/// Pagination and cancellation "tokens" are not credentials.
const NON_SECRET_TOKEN_QUALIFIERS: &[&[u8]] = &[
    b"page",
    b"continuation",
    b"pagination",
    b"cancellation",
    b"sync",
];

/// Classifies `word` (ASCII letters, digits, `_`, `-`).
pub(crate) fn classify(word: &[u8], extra: &[String]) -> Option<Class> {
    let len = word.len();
    if !(2..=64).contains(&len) {
        return None;
    }
    let mut buf = [0u8; 64];
    for (dst, b) in buf.iter_mut().zip(word) {
        *dst = b.to_ascii_lowercase();
    }
    let lower = &buf[..len];

    if !extra.is_empty() {
        if let Some(i) = classify_extra(lower, extra) {
            return Some(Class::Extra(i));
        }
    }
    if !candidate(lower) {
        return None;
    }

    // The last two segments, as (start, end) into `lower`.
    let (mut prev_r, mut last_r) = ((0, 0), (0, 0));
    let mut start = 0;
    for i in 0..=len {
        let boundary = if i == len {
            true
        } else {
            let b = word[i];
            b == b'_'
                || b == b'-'
                || b == b'.'
                || (i > start && b.is_ascii_uppercase() && word[i - 1].is_ascii_lowercase())
        };
        if boundary {
            if i > start {
                prev_r = last_r;
                last_r = (start, i);
            }
            start = if i < len && word[i].is_ascii_alphanumeric() {
                i
            } else {
                i + 1
            };
        }
    }
    let prev = &lower[prev_r.0..prev_r.1];
    let last = &lower[last_r.0..last_r.1];
    let whole_is = |w: &[u8]| prev.is_empty() && last == w;

    if last == b"authorization" {
        return Some(Class::Authorization);
    }
    if last == b"cookie" || last == b"cookies" {
        return Some(Class::Cookie);
    }
    if last.ends_with(b"token") {
        if last == b"token" && NON_SECRET_TOKEN_QUALIFIERS.contains(&prev) {
            return None;
        }
        return Some(Class::Value("token"));
    }
    if last.ends_with(b"secret") {
        return Some(Class::Value("secret"));
    }
    if last.ends_with(b"password")
        || last.ends_with(b"passwd")
        || last == b"passphrase"
        || last == b"pwd"
        || (last == b"pass" && !prev.is_empty())
    {
        return Some(Class::Value("password"));
    }
    if matches!(last, b"pin" | b"pincode" | b"passcode" | b"otp" | b"totp") {
        return Some(Class::Value("pin"));
    }
    if (last == b"answer" && matches!(prev, b"secret" | b"security"))
        || last == b"secretanswer"
        || last == b"securityanswer"
    {
        return Some(Class::Value("secret_answer"));
    }
    if last == b"key" && KEY_QUALIFIERS.contains(&prev) {
        let kind = if prev == b"private" {
            "private_key"
        } else {
            "api_key"
        };
        return Some(Class::Value(kind));
    }
    if matches!(
        last,
        b"apikey"
            | b"accesskey"
            | b"secretkey"
            | b"signingkey"
            | b"authkey"
            | b"appkey"
            | b"accountkey"
            | b"masterkey"
            | b"encryptionkey"
            | b"clientkey"
    ) {
        return Some(Class::Value("api_key"));
    }
    if last == b"privatekey" {
        return Some(Class::Value("private_key"));
    }
    if matches!(
        last,
        b"sessionid" | b"jsessionid" | b"phpsessid" | b"sessid"
    ) || (prev == b"session" && last == b"id")
        || whole_is(b"session")
    {
        return Some(Class::Value("session"));
    }
    if last == b"signature" || whole_is(b"sig") {
        return Some(Class::Value("signature"));
    }
    if last == b"credential" || last == b"credentials" {
        return Some(Class::Value("credential"));
    }
    if whole_is(b"auth") {
        return Some(Class::EqOnly("token"));
    }
    None
}

/// Cheap pre-check on the (lower-cased) word's ending: can any rule below match?
fn candidate(w: &[u8]) -> bool {
    let Some(&last) = w.last() else {
        return false;
    };
    let any = |suffixes: &[&[u8]]| suffixes.iter().any(|s| w.ends_with(s));
    match last {
        b'n' => any(&[b"token", b"authorization", b"session", b"pin"]),
        b't' => any(&[b"secret"]),
        b'd' => any(&[
            b"password",
            b"passwd",
            b"pwd",
            b"sessid",
            b"session_id",
            b"session-id",
            b"sessionid",
        ]),
        b'e' => any(&[
            b"passphrase",
            b"cookie",
            b"signature",
            b"pincode",
            b"passcode",
        ]),
        b'p' => any(&[b"otp"]),
        b'r' => any(&[b"answer"]),
        b's' => any(&[b"pass", b"cookies", b"credentials"]),
        b'y' => any(&[b"key"]),
        b'l' => any(&[b"credential"]),
        b'g' => w == b"sig",
        b'h' => w == b"auth",
        _ => false,
    }
}

fn classify_extra(lower: &[u8], extra: &[String]) -> Option<usize> {
    let mut buf = [0u8; 64];
    for (dst, b) in buf.iter_mut().zip(lower) {
        *dst = if *b == b'-' || *b == b'.' { b'_' } else { *b };
    }
    let norm = &buf[..lower.len()];
    extra.iter().position(|name| {
        let n = name.as_bytes();
        norm == n
            || (norm.len() > n.len() && norm.ends_with(n) && norm[norm.len() - n.len() - 1] == b'_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(w: &str) -> Option<Class> {
        classify(w.as_bytes(), &[])
    }

    #[test]
    fn sensitive_names() {
        for w in [
            "access_token",
            "refresh_token",
            "id_token",
            "client_secret",
            "password",
            "api_key",
            "apiKey",
            "secret",
            "token",
            "X-Api-Key",
            "x-auth-token",
            "csrftoken",
            "dbPassword",
            "DB_PASSWORD",
            "pwd",
            "aws_secret_access_key",
            "AccountKey",
            "sessionid",
            "session_id",
            "X-Amz-Signature",
            "sig",
            "GITHUB_TOKEN",
            "private_key",
            "pin",
            "card_pin",
            "passcode",
            "otp",
            "security_answer",
            "secretAnswer",
        ] {
            assert!(c(w).is_some(), "{w}");
        }
        assert_eq!(c("Authorization"), Some(Class::Authorization));
        assert_eq!(c("Proxy-Authorization"), Some(Class::Authorization));
        assert_eq!(c("Set-Cookie"), Some(Class::Cookie));
    }

    #[test]
    fn ordinary_names() {
        for w in [
            "token_type",
            "expires_in",
            "max_tokens",
            "public_key",
            "primary_key",
            "key",
            "secret_name",
            "password_length",
            "next_page_token",
            "pass",
            "token_endpoint",
            "tokens",
            "keyId",
            "user",
            "id",
            "spin",
            "answer",
            "pinned",
        ] {
            assert!(c(w).is_none(), "{w}");
        }
    }

    #[test]
    fn extra_names_match_whole_or_suffix() {
        let extra = vec!["ssn".to_owned(), "card_number".to_owned()];
        assert_eq!(classify(b"ssn", &extra), Some(Class::Extra(0)));
        assert_eq!(classify(b"user-ssn", &extra), Some(Class::Extra(0)));
        assert_eq!(classify(b"Card-Number", &extra), Some(Class::Extra(1)));
        assert_eq!(classify(b"lessn", &extra), None);
    }
}
