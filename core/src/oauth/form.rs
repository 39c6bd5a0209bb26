//! `application/x-www-form-urlencoded` request bodies (the body is built here, not by reqwest,
//! so the secret parameters never pass through a Debug-printing type). The body holds client
//! secrets, refresh tokens and code verifiers: every buffer of it is wiped when dropped.

use secrecy::zeroize::{Zeroize, Zeroizing};

/// A form body under construction.
pub(crate) struct Form {
    body: String,
}

impl Form {
    pub(crate) fn new() -> Form {
        Form {
            body: String::new(),
        }
    }

    pub(crate) fn add(&mut self, name: &str, value: &str) -> &mut Form {
        // Encoded into a wiped buffer first, so the body grows (and reallocates) at most once
        // per member and each old allocation is wiped.
        let mut part = Zeroizing::new(String::with_capacity(name.len() + 1 + value.len() * 3));
        part.extend(url::form_urlencoded::byte_serialize(name.as_bytes()));
        part.push('=');
        part.extend(url::form_urlencoded::byte_serialize(value.as_bytes()));
        let needed = self.body.len() + 1 + part.len();
        if needed > self.body.capacity() {
            let mut grown = String::with_capacity(needed.max(self.body.capacity() * 2));
            grown.push_str(&self.body);
            std::mem::swap(&mut self.body, &mut grown);
            grown.zeroize();
        }
        if !self.body.is_empty() {
            self.body.push('&');
        }
        self.body.push_str(&part);
        self
    }

    /// The body for reqwest: a `Bytes` that owns a wiped buffer, so the copy reqwest keeps is
    /// zeroized when the request is done with it.
    pub(crate) fn finish(mut self) -> bytes::Bytes {
        let body = std::mem::take(&mut self.body).into_bytes();
        bytes::Bytes::from_owner(Zeroizing::new(body))
    }
}

impl Drop for Form {
    fn drop(&mut self) {
        self.body.zeroize();
    }
}

/// Form-encodes one value (RFC 6749 section 2.3.1 encodes client id and secret this way
/// before HTTP Basic).
pub(crate) fn encode_component(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Unpadded base64url.
pub(crate) fn b64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
