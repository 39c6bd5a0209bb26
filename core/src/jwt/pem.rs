//! Minimal PEM armour: one block, label and DER bytes; and the reverse.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::{Error, ErrorCode};

/// Decodes the first PEM block of `text` into (label, DER).
pub(crate) fn decode(text: &str) -> Result<(String, Vec<u8>), Error> {
    let bad = || Error::new(ErrorCode::InvalidKey, "not a PEM block");
    let start = text.find("-----BEGIN ").ok_or_else(bad)?;
    let rest = &text[start + 11..];
    let label_end = rest.find("-----").ok_or_else(bad)?;
    let label = &rest[..label_end];
    let body_and_end = &rest[label_end + 5..];
    let end_marker = format!("-----END {label}-----");
    let body_end = body_and_end.find(&end_marker).ok_or_else(bad)?;
    let body: String = body_and_end[..body_end]
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let der = STANDARD.decode(body).map_err(|_| bad())?;
    Ok((label.to_owned(), der))
}

/// Encodes DER bytes as a PEM block with `label`.
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
