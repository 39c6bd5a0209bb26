//! Minimal PEM armour: one block, label and DER bytes; and the reverse.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use secrecy::zeroize::Zeroizing;

use crate::{Error, ErrorCode};

/// Decodes the first PEM block of `text` into (label, DER). The DER (private key material,
/// for a private key) and the base64 copy of it are wiped when dropped.
pub(crate) fn decode(text: &str) -> Result<(String, Zeroizing<Vec<u8>>), Error> {
    let bad = || Error::new(ErrorCode::InvalidKey, "not a PEM block");
    let start = text.find("-----BEGIN ").ok_or_else(bad)?;
    let rest = &text[start + 11..];
    let label_end = rest.find("-----").ok_or_else(bad)?;
    let label = &rest[..label_end];
    let body_and_end = &rest[label_end + 5..];
    let end_marker = format!("-----END {label}-----");
    let body_end = body_and_end.find(&end_marker).ok_or_else(bad)?;
    let body: Zeroizing<String> = Zeroizing::new(
        body_and_end[..body_end]
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect(),
    );
    let der = Zeroizing::new(STANDARD.decode(body.as_bytes()).map_err(|_| bad())?);
    Ok((label.to_owned(), der))
}

/// Encodes DER bytes as a PEM block with `label`. The intermediate base64 copy is wiped; the
/// result is sized up front (no reallocation leaves copies behind) for callers that wrap it in
/// a [`crate::Secret`].
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    let b64 = Zeroizing::new(STANDARD.encode(der));
    let lines = b64.len().div_ceil(64);
    let mut out = String::with_capacity(2 * (label.len() + 16) + b64.len() + lines);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}
