//! `Redactor::redact` against `RedactStream` / `RedactingWriter` fed the same bytes in arbitrary
//! chunks: the output must be byte-identical. Work bound: the bytes the scanner examines
//! (`RedactStream::work`) stay under 40 per input byte for every chunking. Sanity: the output
//! never grows more than a replacement per input byte, redaction is deterministic, and the
//! `String` API agrees with the byte API.
//!
//! Input: byte 0 picks the redactor, byte 1 the number of cuts, then one byte per cut
//! (positions, scaled to the text), then the text.
#![no_main]

use std::io::Write;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tokenward::redact::{Redactor, RedactorOptions, Replacement};

/// The bound the redaction tests assert (core/tests/integration/redact_props.rs).
const MAX_WORK_PER_BYTE: u64 = 40;

fn redactors() -> &'static [Redactor; 3] {
    static R: OnceLock<[Redactor; 3]> = OnceLock::new();
    R.get_or_init(|| {
        let configured = Redactor::new(
            RedactorOptions::default()
                .with_names(["session-id", "x.internal.key"])
                .with_patterns([
                    ("custom", r"sk-[a-z0-9]{8,}"),
                    ("digits", r"\b[0-9]{12,19}\b"),
                ])
                .with_replacement(Replacement::Kind),
        );
        let templated = Redactor::new(
            RedactorOptions::default()
                .with_replacement(Replacement::Template("<{kind}|{fingerprint}>".into())),
        );
        match (configured, templated) {
            (Ok(a), Ok(b)) => [Redactor::default(), a, b],
            _ => panic!("the fuzz redactors must build"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let [mode, cuts, rest @ ..] = data else {
        return;
    };
    let ncuts = usize::from(*cuts % 16).min(rest.len());
    let (cut_bytes, text) = rest.split_at(ncuts);
    let redactor = &redactors()[usize::from(*mode % 3)];

    let whole = redactor.redact_bytes(text);
    assert_eq!(redactor.redact_bytes(text), whole, "not deterministic");
    // Each replacement is at most ~70 bytes and replaces at least one byte.
    assert!(
        whole.len() <= text.len() * 80 + 80,
        "output {} bytes for {} input bytes",
        whole.len(),
        text.len()
    );

    let mut points: Vec<usize> = cut_bytes
        .iter()
        .map(|&b| usize::from(b) * text.len() / 255)
        .collect();
    points.sort_unstable();
    let mut chunks = Vec::with_capacity(points.len() + 1);
    let mut start = 0;
    for p in points {
        chunks.push(&text[start..p]);
        start = p;
    }
    chunks.push(&text[start..]);

    let mut stream = redactor.stream();
    let mut streamed = Vec::new();
    for chunk in &chunks {
        stream.push(chunk, &mut streamed);
    }
    stream.finish(&mut streamed);
    // Work bound: bytes examined by the scanner (RedactStream::work, the redaction tests'
    // measure) stay within MAX_WORK_PER_BYTE per input byte, whatever the chunking.
    let work = stream.work();
    assert!(
        work <= MAX_WORK_PER_BYTE * text.len() as u64 + 64,
        "work {work} for {} bytes in {} chunks",
        text.len(),
        chunks.len()
    );
    assert_eq!(
        String::from_utf8_lossy(&streamed),
        String::from_utf8_lossy(&whole),
        "stream differs under chunking {:?}",
        chunks.iter().map(|c| c.len()).collect::<Vec<_>>()
    );
    // A replacement can equal the text it replaces (a template without fingerprint over
    // a value that already reads `<password|>`), so only one direction holds.
    assert!(
        stream.changed() || whole == text,
        "output changed but changed() is false"
    );

    let mut writer = redactor.writer_into(Vec::new());
    for chunk in &chunks {
        assert!(writer.write_all(chunk).is_ok());
    }
    match writer.finish() {
        Ok(written) => assert!(written == whole, "writer differs"),
        Err(e) => panic!("writing into a Vec failed: {e}"),
    }

    if let Ok(s) = std::str::from_utf8(text) {
        let redacted = redactor.redact(s);
        assert_eq!(redacted.as_bytes(), &whole[..]);
        let cow = redactor.redact_cow(s);
        assert_eq!(cow.as_bytes(), &whole[..]);
        // Borrowed means nothing was replaced; the converse does not hold (a replacement can
        // read exactly like the text it replaced).
        if matches!(cow, std::borrow::Cow::Borrowed(_)) {
            assert_eq!(&whole[..], text);
        }
    }
});
