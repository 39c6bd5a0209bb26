//! Redaction over streams: [`RedactStream`], chunks in, redacted bytes out (the
//! [`std::io::Write`] adapter over it, `RedactingWriter`, is in redactor.rs).
//!
//! Every rule except PEM blocks works within one line, so the stream processes complete lines
//! and keeps only the unfinished last line (and, inside a PEM block, a running hash). The
//! output is therefore byte-identical to [`super::Redactor::redact`] on the whole input,
//! however the input is chunked. Lines longer than [`super::Redactor::max_line`] are cut at
//! the last blank not preceded by `:`/`=` so memory stays bounded; a key and its value
//! separated by such a cut may then be missed (tokens themselves never contain blanks and are
//! never split).
//!
//! The stream reads a `Redactor`'s compiled [`Rules`], never the `Redactor` itself, so that
//! `redactor` can hand out streams without the two modules depending on each other.

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use super::rules::Rules;
use super::scanner::pem::{pem_body_line, pem_end};
use super::scanner::{Kind, Scanner, Span, Stop};
use crate::FINGERPRINT_LEN;

/// An open multi-line PEM private-key block.
struct PemBlock {
    hasher: Sha256,
    /// The block's last line ended with `\n` (hashed only if the block continues).
    pending_nl: bool,
}

/// Incremental redaction of a byte stream. Feed chunks with [`RedactStream::push`], then call
/// [`RedactStream::finish`]; redacted bytes are appended to the `out` buffer you pass.
pub struct RedactStream {
    rules: Arc<Rules>,
    pending: Vec<u8>,
    pem: Option<PemBlock>,
    spans: Vec<Span>,
    changed: bool,
    work: u64,
}

impl std::fmt::Debug for RedactStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedactStream")
            .field("pending_bytes", &self.pending.len())
            .field("in_pem_block", &self.pem.is_some())
            .finish()
    }
}

impl RedactStream {
    pub(super) fn new(rules: Arc<Rules>) -> Self {
        RedactStream {
            rules,
            pending: Vec::new(),
            pem: None,
            spans: Vec::new(),
            changed: false,
            work: 0,
        }
    }

    /// Bytes examined so far by the scanner, the stream and the PEM-block reader: a measure
    /// of work, used by tests to check that it grows linearly with the input whatever the
    /// input and its chunking. Not a stable API.
    #[doc(hidden)]
    pub fn work(&self) -> u64 {
        self.work
    }

    /// Whether anything has been redacted so far.
    pub fn changed(&self) -> bool {
        self.changed
    }

    /// Consumes `chunk`; appends the redacted form of every completed line to `out`.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        self.work += chunk.len() as u64;
        match chunk.iter().rposition(|&b| b == b'\n') {
            None => self.pending.extend_from_slice(chunk),
            Some(nl) => {
                if self.pending.is_empty() {
                    self.process_complete(&chunk[..=nl], out);
                } else {
                    let mut lines = std::mem::take(&mut self.pending);
                    lines.extend_from_slice(&chunk[..=nl]);
                    self.process_complete(&lines, out);
                    lines.clear();
                    self.pending = lines;
                }
                self.pending.extend_from_slice(&chunk[nl + 1..]);
            }
        }
        if self.pending.len() > self.rules.max_line() {
            self.cut(out);
        }
    }

    /// Flushes the unfinished last line and any open PEM block to `out`.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        let rest = std::mem::take(&mut self.pending);
        self.process_complete(&rest, out);
        if let Some(pem) = self.pem.take() {
            self.close_pem(pem, out);
        }
    }

    /// Processes an over-long unfinished line in pieces cut at blanks.
    fn cut(&mut self, out: &mut Vec<u8>) {
        let max = self.rules.max_line();
        while self.pending.len() > max {
            let p = &self.pending;
            let cut = (1..max)
                .rev()
                .find(|&i| {
                    matches!(p[i], b' ' | b'\t')
                        && !matches!(p[i - 1], b':' | b'=' | b' ' | b'\t' | b',')
                })
                .map_or(max, |i| i + 1);
            self.work += (max - cut + 1) as u64;
            let head: Vec<u8> = self.pending.drain(..cut).collect();
            self.process_complete(&head, out);
        }
    }

    /// Processes `buf`, which ends at a line end (or at the end of the input).
    pub(crate) fn process_complete(&mut self, buf: &[u8], out: &mut Vec<u8>) {
        let mut pos = 0;
        while pos < buf.len() {
            if let Some(pem) = self.pem.take() {
                pos = self.pem_lines(pem, buf, pos, out);
                continue;
            }
            self.spans.clear();
            let mut scanner = Scanner::new(buf, self.rules.extra_names(), &mut self.spans);
            let stop = scanner.scan(pos);
            self.work += scanner.work() as u64;
            let region_end = match stop {
                Stop::End => buf.len(),
                Stop::PemOpen(at) => at,
            };
            if self.rules.has_patterns() {
                self.add_pattern_spans(buf, pos, region_end);
            }
            self.emit(buf, pos, region_end, out);
            match stop {
                Stop::End => pos = buf.len(),
                Stop::PemOpen(at) => {
                    let eol = buf[at..]
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(buf.len(), |p| at + p);
                    self.work += (eol - at) as u64;
                    let mut hasher = Sha256::new();
                    hasher.update(&buf[at..eol]);
                    self.pem = Some(PemBlock {
                        hasher,
                        pending_nl: eol < buf.len(),
                    });
                    pos = (eol + 1).min(buf.len());
                }
            }
        }
    }

    fn add_pattern_spans(&mut self, buf: &[u8], from: usize, to: usize) {
        let mut start = from;
        for line in buf[from..to].split(|&b| b == b'\n') {
            self.rules.pattern_spans(line, start, &mut self.spans);
            start += line.len() + 1;
        }
        self.spans
            .sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
        let mut merged: Vec<Span> = Vec::with_capacity(self.spans.len());
        for s in self.spans.drain(..) {
            match merged.last_mut() {
                Some(last) if s.start < last.end => last.end = last.end.max(s.end),
                _ => merged.push(s),
            }
        }
        self.spans = merged;
    }

    fn emit(&mut self, buf: &[u8], from: usize, to: usize, out: &mut Vec<u8>) {
        self.changed |= !self.spans.is_empty();
        let mut cursor = from;
        let fp_needed = self.rules.needs_fingerprint();
        for s in &self.spans {
            if s.start < cursor || s.end > to {
                continue;
            }
            out.extend_from_slice(&buf[cursor..s.start]);
            let fp = if fp_needed && self.rules.fingerprints(s.kind) {
                self.work += (s.end - s.start) as u64;
                crate::fingerprint(&buf[s.start..s.end])
            } else {
                String::new()
            };
            self.rules.write_replacement(s.kind, &fp, out);
            cursor = s.end;
        }
        out.extend_from_slice(&buf[cursor..to]);
    }

    /// Consumes lines of an open PEM block; returns where normal scanning resumes.
    fn pem_lines(
        &mut self,
        mut pem: PemBlock,
        buf: &[u8],
        mut pos: usize,
        out: &mut Vec<u8>,
    ) -> usize {
        while pos < buf.len() {
            let eol = buf[pos..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(buf.len(), |p| pos + p);
            let line = &buf[pos..eol];
            // pem_end and pem_body_line each walk the line a bounded number of times.
            self.work += 3 * (line.len() as u64 + 1);
            if let Some(end) = pem_end(line) {
                if pem.pending_nl {
                    pem.hasher.update(b"\n");
                }
                pem.hasher.update(&line[..end]);
                pem.pending_nl = false;
                self.close_pem(pem, out);
                return pos + end;
            }
            if !pem_body_line(line) {
                self.close_pem(pem, out);
                return pos;
            }
            if pem.pending_nl {
                pem.hasher.update(b"\n");
            }
            pem.hasher.update(line);
            pem.pending_nl = eol < buf.len();
            pos = (eol + 1).min(buf.len());
        }
        self.pem = Some(pem);
        pos
    }

    fn close_pem(&mut self, pem: PemBlock, out: &mut Vec<u8>) {
        self.changed = true;
        let digest = pem.hasher.finalize();
        let fp = URL_SAFE_NO_PAD.encode(&digest[..FINGERPRINT_LEN / 4 * 3]);
        self.rules
            .write_replacement(Kind::Builtin("private_key"), &fp, out);
        if pem.pending_nl {
            out.push(b'\n');
        }
    }
}
