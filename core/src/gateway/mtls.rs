//! Mutual-TLS-bound access tokens at the gateway (RFC 8705 section 3): a token whose `cnf`
//! claim holds `x5t#S256` is accepted only from a request that presents the client certificate
//! with that SHA-256 thumbprint. The certificate comes from the TLS layer (the adapter passes it
//! as [`Request::client_certificate`](super::Request::client_certificate)), or, when the socket
//! peer is a trusted proxy that terminated TLS, from its RFC 9440 `Client-Cert` header.
//!
//! This module holds the parsing and the thumbprint; the step that reads a request is an
//! `Authenticator` method in `authenticator/mtls_stage.rs`.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::{Error, ErrorCode};

/// The RFC 9440 header a TLS-terminating proxy forwards the client certificate in.
pub const CLIENT_CERT_HEADER: &str = "client-cert";

/// Largest certificate accepted, DER or PEM, in bytes.
const MAX_CERTIFICATE_LEN: usize = 16 * 1024;

/// The client certificate of a mutual-TLS connection (DER), as a request extension: a TLS
/// acceptor in front of the `tower` layer inserts it, and the layer passes it on as
/// [`Request::client_certificate`](super::Request::client_certificate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCertificate(pub Vec<u8>);

fn malformed(message: &'static str) -> Error {
    Error::new(ErrorCode::Malformed, message)
}

/// The DER bytes of one certificate given as DER or as PEM (the first `CERTIFICATE` block of a
/// chain, e.g. ASGI's `client_cert_chain` or nginx's `$ssl_client_escaped_cert` unescaped).
/// `malformed` for anything else. The DER is checked only for its outer SEQUENCE: the TLS
/// layer or the proxy has verified the certificate; the gateway only compares thumbprints.
pub fn certificate_der(cert: &[u8]) -> Result<Vec<u8>, Error> {
    if cert.len() > MAX_CERTIFICATE_LEN {
        return Err(malformed("the client certificate is too large"));
    }
    let der = if cert.first() == Some(&0x30) {
        cert.to_vec()
    } else {
        let text = std::str::from_utf8(cert)
            .map_err(|_| malformed("the client certificate is neither DER nor PEM"))?;
        let begin = "-----BEGIN CERTIFICATE-----";
        let start = text
            .find(begin)
            .ok_or_else(|| malformed("the client certificate is neither DER nor PEM"))?
            + begin.len();
        let body = text[start..]
            .split("-----END CERTIFICATE-----")
            .next()
            .filter(|_| text[start..].contains("-----END CERTIFICATE-----"))
            .ok_or_else(|| malformed("the client certificate PEM block is not closed"))?;
        let b64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        STANDARD
            .decode(b64)
            .map_err(|_| malformed("the client certificate PEM is not base64"))?
    };
    if der.first() != Some(&0x30) || der.len() < 2 {
        return Err(malformed("the client certificate is not DER"));
    }
    Ok(der)
}

/// The RFC 8705 `x5t#S256` thumbprint of a certificate (DER or PEM): base64url (no padding)
/// of the SHA-256 of its DER encoding.
pub fn certificate_thumbprint(cert: &[u8]) -> Result<String, Error> {
    let der = certificate_der(cert)?;
    Ok(URL_SAFE_NO_PAD.encode(Sha256::digest(&der)))
}

/// The DER certificate of one RFC 9440 `Client-Cert` value: an RFC 8941 byte sequence,
/// `:base64:`.
pub(crate) fn parse_client_cert_header(value: &str) -> Result<Vec<u8>, Error> {
    let inner = value
        .trim_matches([' ', '\t'])
        .strip_prefix(':')
        .and_then(|v| v.strip_suffix(':'))
        .ok_or_else(|| malformed("Client-Cert is not a byte sequence (:base64:)"))?;
    if inner.len() > MAX_CERTIFICATE_LEN * 4 / 3 + 4 {
        return Err(malformed("the client certificate is too large"));
    }
    let der = STANDARD
        .decode(inner)
        .map_err(|_| malformed("Client-Cert is not base64"))?;
    certificate_der(&der)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn der_pem_and_header_forms_give_one_thumbprint() {
        let der = [0x30u8, 0x03, 0x02, 0x01, 0x01];
        let pem = format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            STANDARD.encode(der)
        );
        let t = certificate_thumbprint(&der).unwrap();
        assert_eq!(t, certificate_thumbprint(pem.as_bytes()).unwrap());
        assert_eq!(t, URL_SAFE_NO_PAD.encode(Sha256::digest(der)));
        let header = format!(":{}:", STANDARD.encode(der));
        assert_eq!(parse_client_cert_header(&header).unwrap(), der);
        for bad in ["", "abc", ":abc", "::", ":!!!:", "MAMCAQE="] {
            assert_eq!(
                parse_client_cert_header(bad).unwrap_err().code(),
                ErrorCode::Malformed,
                "{bad}"
            );
        }
        assert!(certificate_der(b"-----BEGIN CERTIFICATE-----\nMAMCAQE=").is_err());
        assert!(certificate_der(b"hello").is_err());
        assert!(certificate_der(&[]).is_err());
    }
}
