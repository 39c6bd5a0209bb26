//! Strict base64url for JWS segments: no padding, no whitespace, no non-zero trailing bits.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::{Error, ErrorCode};

/// Decodes one segment, refusing any non-canonical encoding.
pub(crate) fn decode(segment: &[u8], what: &'static str) -> Result<Vec<u8>, Error> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| Error::new(ErrorCode::Malformed, what))
}

/// Encodes bytes as unpadded base64url.
pub(crate) fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_padding_whitespace_and_trailing_bits() {
        assert_eq!(decode(b"YWI", "x").unwrap(), b"ab");
        for bad in [&b"YWI="[..], b"YW I", b"YWJ", b"YW+I", b"YW/I", b"Y\nWI"] {
            assert!(decode(bad, "x").is_err(), "{:?}", std::str::from_utf8(bad));
        }
    }
}
