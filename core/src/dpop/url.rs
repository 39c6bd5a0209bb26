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
    let mut parsed = url::Url::parse(url).map_err(|_| bad())?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(bad());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad());
    }
    parsed.set_query(None);
    parsed.set_fragment(None);
    let path = normalize_percent(parsed.path());
    parsed.set_path(&path);
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
