//! The `htu` comparison of RFC 9449 section 4.3: the URL without query and fragment, after
//! syntax- and scheme-based normalisation (RFC 3986 sections 6.2.2 and 6.2.3).

use crate::{Error, ErrorCode};

fn bad() -> Error {
    Error::new(ErrorCode::InvalidInput, "not an absolute http(s) URL")
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Percent-encodings in upper case, unreserved characters decoded (RFC 3986 section 6.2.2).
fn normalize_percent(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = &path[i + 1..i + 3];
            let digits = bytes[i + 1].is_ascii_hexdigit() && bytes[i + 2].is_ascii_hexdigit();
            if let (true, Ok(v)) = (digits, u8::from_str_radix(hex, 16)) {
                if is_unreserved(v) {
                    out.push(char::from(v));
                } else {
                    out.push('%');
                    out.push_str(&hex.to_ascii_uppercase());
                }
                i += 3;
                continue;
            }
        }
        out.push(char::from(bytes[i]));
        i += 1;
    }
    out
}

/// `url` as a DPoP proof's `htu` is compared: an absolute `http`/`https` URL without user
/// information, query and fragment; scheme and host in lower case, the default port removed,
/// dot segments resolved, an empty path as `/`, percent-encodings normalised. A URL that is
/// not an absolute http(s) URL is `invalid_input`.
pub fn normalize_htu(url: &str) -> Result<String, Error> {
    // Every request is normalised once: most URLs are in normal form already.
    match already_normal(url) {
        Some(normal) => Ok(normal.to_owned()),
        None => parse_and_normalize(url),
    }
}

/// `url` without its query and fragment when that is already what [`normalize_htu`] returns,
/// checked without parsing: `http://` or `https://`, a host of lower-case DNS labels (ASCII
/// letters, digits, hyphens; no `xn--`) whose last one starts with a letter (so it is no IPv4
/// address), no port and no user information, then a path of characters URLs never escape or
/// change, without dot segments and percent signs. `None` when in doubt.
fn already_normal(url: &str) -> Option<&str> {
    let url = &url[..url.find(['?', '#']).unwrap_or(url.len())];
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let (host, path) = rest.split_at(rest.find('/')?);
    let label = |l: &str| {
        !l.is_empty()
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    let last = host.rsplit('.').next()?;
    if !host.split('.').all(label)
        || !last.starts_with(|c: char| c.is_ascii_lowercase())
        || host.contains("xn--")
    {
        return None;
    }
    let plain = |b: u8| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&b);
    let dot_segment = path.split('/').any(|s| s == "." || s == "..");
    (path.bytes().all(plain) && !dot_segment).then_some(url)
}

/// [`normalize_htu`] through a full URL parse.
fn parse_and_normalize(url: &str) -> Result<String, Error> {
    let mut parsed = url::Url::parse(url).map_err(|_| bad())?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(bad());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad());
    }
    parsed.set_query(None);
    parsed.set_fragment(None);
    // Without a percent sign there is nothing to normalise (and no second path parse to pay).
    if parsed.path().contains('%') {
        let path = normalize_percent(parsed.path());
        parsed.set_path(&path);
    }
    // `url` serialises ASCII only (the path is percent-encoded), so this is the whole URL.
    Ok(parsed.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equivalent_urls_normalise_to_one() {
        let want = "https://api.example/a/b~c";
        for url in [
            "https://api.example/a/b~c",
            "HTTPS://API.Example:443/a/b~c",
            "https://api.example/a/./x/../b%7Ec?q=1#f",
            "https://api.example/a/b%7ec",
        ] {
            assert_eq!(normalize_htu(url).unwrap(), want, "{url}");
        }
        assert_eq!(normalize_htu("http://h:80").unwrap(), "http://h/");
        assert_eq!(normalize_htu("http://h:8080/p").unwrap(), "http://h:8080/p");
        assert_eq!(normalize_htu("https://h/a%2fb").unwrap(), "https://h/a%2Fb");
        assert_ne!(
            normalize_htu("https://h/a").unwrap(),
            normalize_htu("https://h/a/").unwrap()
        );
    }

    /// Tricky spellings, and many generated ones: the shortcut never disagrees with the full
    /// parse, and normalising twice changes nothing (what `verify` relies on to compare a
    /// proof's `htu` with the normalised request URL before normalising it).
    #[test]
    fn the_shortcut_agrees_with_the_parser() {
        let mut urls: Vec<String> = [
            "https://api.example/orders",
            "https://api.example/a//b/c:d@e!$&'()*+,;=~_-.x?q=1#f",
            "https://-a-.b--c.example/x",
            "https://ab--cd.example/x",
            "https://xn--nxasmq6b.example/x",
            "https://a..b/x",
            "https://a.b./x",
            "https://1.2.3/x",
            "https://0x7f.1/x",
            "https://a.0x1/x",
            "https://a.1e/x",
            "https://localhost/",
            "https://h/a/./b",
            "https://h/a/../b",
            "https://h/.",
            "https://h/..",
            "https://h/a/.%2e/b",
            "https://h/%7e",
            "https://h/ a",
            "https://h/a ?q",
            "https://h/a\tb",
            "https://h/a\\b",
            "https://h:443/a",
            "https://u@h/a",
            "http://h",
            "HTTPS://H/a",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut pick = |choices: &[&str]| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            choices[(seed % choices.len() as u64) as usize].to_string()
        };
        for _ in 0..100_000 {
            let mut url = pick(&[
                "https://", "http://", "https://", "HTTP://", "https:/", "ftp://",
            ]);
            let labels = [
                "a", "b1", "ab", "a-b", "-", "0", "1e", "0x", "xn--", "Z", "é", "",
            ];
            url += &pick(&labels);
            for _ in 0..2 {
                url += &pick(&["", "", ".", ".", "..", "a"]);
                url += &pick(&labels);
            }
            url += &pick(&["", "", "", ":80", ":443", ":8080", "@", ":"]);
            url += "/";
            for _ in 0..3 {
                url += &pick(&[
                    "a", "b", "/", "/a", "/b", "~", "'", ":@", "?q", "#f", "/.", "/..", ".", "%2e",
                    "%7E", " ", "\t", "[", "|", "\\",
                ]);
            }
            urls.push(url);
        }
        for url in &urls {
            let full = parse_and_normalize(url);
            if let Some(short) = already_normal(url) {
                assert_eq!(Some(short), full.as_deref().ok(), "{url}");
            }
            if let Ok(normal) = &full {
                assert_eq!(normalize_htu(normal).unwrap(), *normal, "{url}");
            }
        }
        let short = urls.iter().filter(|u| already_normal(u).is_some()).count();
        assert!(short > 300, "{short} URLs took the shortcut");
    }

    #[test]
    fn non_http_relative_and_userinfo_urls_are_refused() {
        for url in [
            "/path",
            "ftp://h/p",
            "https://user:pw@h/p",
            "mailto:a@b",
            "",
        ] {
            assert_eq!(
                normalize_htu(url).unwrap_err().code(),
                ErrorCode::InvalidInput,
                "{url}"
            );
        }
    }
}
