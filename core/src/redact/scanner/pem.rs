//! PEM private-key blocks: the opening line, and the body and end lines the stream reads.

use super::{is_b64, n_min, Scanner};

impl<'a> Scanner<'a> {
    /// `-----BEGIN … PRIVATE KEY-----` (also `PGP PRIVATE KEY BLOCK`, also percent-encoded):
    /// the whole block, or `Err` when it continues past the line.
    pub(super) fn pem(&mut self, ws: usize, we: usize) -> Result<usize, usize> {
        let buf = self.buf;
        let lim = n_min(buf.len(), we + 64);
        let tail = &buf[we..lim];
        self.tick(tail.len());
        let Some(m) = tail.windows(5).position(|x| x == b"-----") else {
            return Ok(we);
        };
        let label = &tail[..m];
        let contains = |needle: &[u8]| label.windows(needle.len()).any(|x| x == needle);
        if !label.iter().all(|&b| {
            matches!(b, b' ' | b'%' | b'+' | b'_') || b.is_ascii_uppercase() || b.is_ascii_digit()
        }) || !contains(b"PRIVATE")
            || !contains(b"KEY")
        {
            return Ok(we);
        }
        let body = we + m + 5;
        // The END marker on the same line; the search stops there (not at the end of the
        // line), so what it walked is consumed either way.
        let mut p = body;
        while p < buf.len() && buf[p] != b'\n' {
            if buf[p..].starts_with(b"-----END") && matches!(self.at(p + 8), b' ' | b'%' | b'+') {
                let mut q = p + 9;
                while q < buf.len() && buf[q] != b'\n' {
                    if buf[q..].starts_with(b"-----") {
                        self.tick(q + 5 - body);
                        self.push(ws, q + 5, "private_key");
                        return Ok(q + 5);
                    }
                    q += 1;
                }
                p = q;
                break;
            }
            p += 1;
        }
        self.tick(p - body);
        Err(ws)
    }
}

/// Is `line` (without its `\n`) part of an open PEM block: base64, an armor header, empty,
/// or (fail closed) a garbled or prefixed line that still carries a base64 run of 16 or more
/// characters with both cases and a digit. The block ends at its `-----END` line or at the
/// first line that cannot hold key material.
pub(crate) fn pem_body_line(line: &[u8]) -> bool {
    let t = line.trim_ascii();
    if t.iter()
        .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    {
        return true;
    }
    const HEADERS: [&[u8]; 7] = [
        b"Proc-Type:",
        b"DEK-Info:",
        b"Comment:",
        b"Version:",
        b"Hash:",
        b"Charset:",
        b"MessageID:",
    ];
    if HEADERS.iter().any(|h| t.starts_with(h)) {
        return true;
    }
    t.split(|&b| !is_b64(b)).any(|run| {
        run.len() >= 16
            && run.iter().any(u8::is_ascii_uppercase)
            && run.iter().any(u8::is_ascii_lowercase)
            && run.iter().any(u8::is_ascii_digit)
    })
}

/// Finds `-----END …-----` (also `-----END%20…`) in `line`; returns the end of the marker.
pub(crate) fn pem_end(line: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(p) = line[from..].windows(8).position(|x| x == b"-----END") {
        let p = from + p + 8;
        if matches!(line.get(p), Some(b' ' | b'%' | b'+')) {
            let q = line[p..].windows(5).position(|x| x == b"-----")?;
            return Some(p + q + 5);
        }
        from = p;
    }
    None
}
