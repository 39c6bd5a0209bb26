//! Property-style tests of the scrubber on generated input: never panics, output bounded by
//! the input, idempotent, identical under any chunking, and multi-line PEM blocks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;

use tokenward::redact::{redact, Redactor, Replacement};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Fragments that exercise every rule, glued with random bytes.
const FRAGMENTS: &[&str] = &[
    "password=",
    "token: ",
    "Authorization: Bearer ",
    "Cookie: a=",
    "; ",
    "\"",
    "'",
    "\\\"",
    "eyJhbGciOiJIUzI1NiJ9",
    ".",
    "://",
    "@",
    ":",
    "=",
    " ",
    "\n",
    "-----BEGIN PRIVATE KEY-----",
    "-----END PRIVATE KEY-----",
    "MIIEvQIBADANBg",
    "ghp_",
    "AKIA",
    "tw_live_",
    "aB3dE5fG7hJ9kL1mN3pQ5rS",
    "[REDACTED:",
    "]",
    "&",
    "?",
    "{",
    "}",
    "Basic ",
    "-u ",
    "<password>",
    "é",
    "\r\n",
    "x",
    "Set-Cookie: ",
    "Expires=Wed, 21 Oct",
    "sk_live_",
    "xoxb-",
    "ya29.",
    "secret\":",
    "b'",
    "\t",
    ",",
];

fn random_text(rng: &mut Rng, max_parts: usize) -> String {
    let parts = rng.below(max_parts) + 1;
    let mut s = String::new();
    for _ in 0..parts {
        if rng.below(4) == 0 {
            // Random printable ASCII.
            for _ in 0..rng.below(12) {
                s.push((b' ' + rng.below(95) as u8) as char);
            }
        } else {
            s.push_str(FRAGMENTS[rng.below(FRAGMENTS.len())]);
        }
    }
    s
}

#[test]
fn random_input_never_panics_and_output_is_bounded() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..200_000 {
        let text = random_text(&mut rng, 40);
        let out = redact(&text);
        // Each redaction covers at least one input byte and writes at most 40 bytes.
        assert!(out.len() <= 40 * text.len() + 40, "{text:?} -> {out:?}");
        // Idempotent: our own replacements are never redacted again.
        assert_eq!(redact(&out), out, "{text:?}");
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(42);
    let r = Redactor::new();
    for _ in 0..5_000 {
        let len = rng.below(300);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let out = r.redact_bytes(&bytes);
        assert!(out.len() <= 40 * bytes.len() + 40);
    }
}

#[test]
fn chunking_never_changes_the_output() {
    let mut rng = Rng(7);
    let r = Redactor::new();
    for _ in 0..2_000 {
        let text = random_text(&mut rng, 60);
        let whole = r.redact(&text);
        let mut s = r.stream();
        let mut out = Vec::new();
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let n = 1 + rng.below(16);
            let end = (i + n).min(bytes.len());
            s.push(&bytes[i..end], &mut out);
            i = end;
        }
        s.finish(&mut out);
        assert_eq!(String::from_utf8_lossy(&out), whole, "{text:?}");
    }
}

#[test]
fn pathological_inputs_stay_linear() {
    // Inputs that make backtracking scrubbers quadratic; each must finish (no timing asserts).
    let n = 200_000;
    for unit in [
        "password=",
        "a:",
        "eyJ.",
        "\"token\":\"",
        "-----BEGIN PRIVATE KEY-----",
        "://:@",
        "Bearer ",
        "a=b;",
    ] {
        let text = unit.repeat(n / unit.len());
        let out = redact(&text);
        assert!(out.len() <= 40 * text.len());
    }
}

#[test]
fn multi_line_pem_block_is_one_redaction() {
    let text = "key loaded:\n-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oe4wqQ\nAwEHoUQDQgAE\n-----END EC PRIVATE KEY----- done\nnext line\n";
    let out = redact(text);
    assert!(
        out.starts_with("key loaded:\n[REDACTED:private_key:"),
        "{out}"
    );
    assert!(out.ends_with("] done\nnext line\n"), "{out}");
    assert!(!out.contains("MHcCAQ"));
    let block = &text[12..text.find(" done").unwrap()];
    assert!(out.contains(&tokenward::fingerprint(block.as_bytes())));
    // Truncated block: redacted up to the first line that is not PEM body.
    let cut =
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nERROR stream closed\n";
    let out = redact(cut);
    assert!(out.starts_with("[REDACTED:private_key:"), "{out}");
    assert!(out.ends_with("]\nERROR stream closed\n"), "{out}");
}

#[test]
fn builder_names_patterns_and_styles() {
    let r = Redactor::builder()
        .name("ssn")
        .pattern("order", r"order#([0-9]{6})")
        .replacement(Replacement::Kind)
        .build()
        .unwrap();
    assert_eq!(
        r.redact("user ssn=123-45-6789 order#123456 password=x1"),
        "user ssn=[REDACTED:ssn] order#[REDACTED:order] password=[REDACTED:password]"
    );
    let plain = Redactor::builder()
        .replacement(Replacement::Plain)
        .build()
        .unwrap();
    assert_eq!(plain.redact("token=abc123"), "token=[REDACTED]");
    let tpl = Redactor::builder()
        .replacement(Replacement::parse("<{kind}>").unwrap())
        .build()
        .unwrap();
    assert_eq!(tpl.redact("token=abc123"), "token=<token>");
    assert_eq!(
        Redactor::builder()
            .pattern("x", "(")
            .build()
            .unwrap_err()
            .code()
            .as_str(),
        "invalid_input"
    );
    assert!(Redactor::builder().name("").build().is_err());
    assert!(Redactor::builder()
        .pattern("bad kind!", "a")
        .build()
        .is_err());
}

#[test]
fn writer_redacts_and_flushes_the_last_line_on_finish() {
    let mut w = Redactor::new().writer_into(Vec::new());
    w.write_all(b"first access_token=abc1").unwrap();
    w.write_all(b"23def\nsecond password=hun").unwrap();
    w.write_all(b"ter2").unwrap();
    let out = String::from_utf8(w.finish().unwrap()).unwrap();
    assert!(
        out.starts_with("first access_token=[REDACTED:token:"),
        "{out}"
    );
    assert!(
        out.contains("\nsecond password=[REDACTED:password:"),
        "{out}"
    );
    assert!(!out.contains("abc123def") && !out.contains("hunter2"));
}

#[test]
fn very_long_lines_use_bounded_memory() {
    let r = Redactor::builder().max_line(4096).build().unwrap();
    let mut s = r.stream();
    let mut out = Vec::new();
    let unit = b"word password=hunter2 filler ";
    for _ in 0..10_000 {
        s.push(unit, &mut out);
    }
    s.finish(&mut out);
    assert!(format!("{s:?}").contains("pending_bytes: 0"));
    let out = String::from_utf8(out).unwrap();
    assert!(!out.contains("hunter2"));
    assert_eq!(out.matches("[REDACTED:password:").count(), 10_000);
}

#[test]
fn tracing_events_are_scrubbed() {
    use std::sync::{Arc, Mutex};
    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buf = Buf::default();
    let sink = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(tokenward::redact::RedactingMakeWriter::new(
            Redactor::new(),
            move || sink.clone(),
        ))
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!(
            api_key = "tw_live_3xK9pQ2mZ7vR4tY8wB1nC5dF6gH0jL2kM4",
            "calling with Authorization: Bearer abcDEF123456"
        );
        tracing::warn!("no newline at the end password=hunter2");
    });
    let out = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    assert!(
        !out.contains("3xK9pQ2m") && !out.contains("abcDEF123456") && !out.contains("hunter2"),
        "{out}"
    );
    assert_eq!(out.matches("[REDACTED:").count(), 3, "{out}");
}
