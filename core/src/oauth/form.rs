//! `application/x-www-form-urlencoded` request bodies (the body is built here, not by reqwest,
//! so the secret parameters never pass through a Debug-printing type).

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
        if !self.body.is_empty() {
            self.body.push('&');
        }
        self.body
            .extend(url::form_urlencoded::byte_serialize(name.as_bytes()));
        self.body.push('=');
        self.body
            .extend(url::form_urlencoded::byte_serialize(value.as_bytes()));
        self
    }

    pub(crate) fn finish(self) -> String {
        self.body
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
