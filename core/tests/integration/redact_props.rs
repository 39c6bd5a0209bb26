//! Property-style tests of the scrubber on generated input: never panics, output bounded by
//! the input, idempotent, identical under any chunking, and multi-line PEM blocks.

use std::io::Write;
use std::str::FromStr;
use tokenward::redact::RedactorOptions;

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
    let r = Redactor::default();
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
    let r = Redactor::default();
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

/// A backslash right before a line break inside a quoted value (fuzz finding: the escape carried
/// the value into the next line in whole-input redaction but not in a stream, which sees one
/// line at a time). Both give the same output, and the next line is left alone.
#[test]
fn an_escaped_line_break_ends_a_quoted_value_in_both_modes() {
    let r = Redactor::default();
    for text in [
        "token=\"\\\n\0",
        "token=\"\\\nnext line stays\n",
        "password=\"abc\\\r\nuser=alice\n",
        "{\"secret\": \"s3cr3t-value\\\n\"}\nok\n",
    ] {
        let whole = r.redact(text);
        let mut s = r.stream();
        let mut out = Vec::new();
        for b in text.as_bytes() {
            s.push(std::slice::from_ref(b), &mut out);
        }
        s.finish(&mut out);
        assert_eq!(String::from_utf8_lossy(&out), whole, "{text:?}");
        assert_eq!(
            whole.matches('\n').count(),
            text.matches('\n').count(),
            "{text:?}"
        );
    }
    assert!(r
        .redact("token=\"\\\nnext line stays\n")
        .contains("next line stays"));
}

/// The scanner's work (bytes examined, see `RedactStream::work`) for `text` fed in `chunk`s.
fn work(r: &Redactor, text: &[u8], chunk: usize) -> u64 {
    let mut s = r.stream();
    let mut out = Vec::new();
    for piece in text.chunks(chunk.max(1)) {
        s.push(piece, &mut out);
    }
    s.finish(&mut out);
    s.work()
}

/// Most bytes examined per input byte on any input (measured maximum is far lower; see
/// `work_per_byte_is_bounded_on_random_input`).
const MAX_WORK_PER_BYTE: u64 = 40;

/// Units whose repetition made scrubbers (this one included, for the first) re-scan the line.
const PATHOLOGICAL: &[&str] = &[
    "password=${",
    "password=",
    "password=[REDACTED",
    "password=\"${",
    "a:",
    "eyJ.",
    "eyJhbGciOiJIUzI1NiJ9.",
    "\"token\":\"",
    "\\\"token\\\":\\\"",
    "-----BEGIN PRIVATE KEY-----",
    "-----BEGIN PRIVATE KEY----- -----END",
    "://:@",
    "https%3A%2F%2Fa%3A",
    "Bearer ",
    "Bearer%20",
    "a=b;",
    "Authorization: \"",
    "Authorization: '\\",
    "Authorization%3A%20Bearer%20",
    "Cookie: a=\"",
    "Cookie: ",
    "-u a:",
    "<password>",
    "password%3D",
    "%22password%22%3A%22",
    "password%253D",
    "ya29.",
    "SG.",
    "Ab1/",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY ",
    "pin: ",
    "x%2",
    "${",
];

#[test]
fn work_is_linear_in_the_line_length() {
    // Regression: `"password=${" * n` took the `${` value for a placeholder and re-scanned
    // it, once per key: work grew as n^2. Work (bytes examined), not time, for n and 2n.
    let r = Redactor::default();
    for unit in PATHOLOGICAL {
        let reps = 40_000 / unit.len() + 1;
        let small = unit.repeat(reps);
        let big = unit.repeat(2 * reps);
        let (w1, w2) = (
            work(&r, small.as_bytes(), usize::MAX),
            work(&r, big.as_bytes(), usize::MAX),
        );
        assert!(
            w2 <= 2 * w1 + 4096,
            "{unit:?}: work {w1} for {} bytes, {w2} for {} bytes",
            small.len(),
            big.len()
        );
        assert!(
            w2 <= MAX_WORK_PER_BYTE * big.len() as u64,
            "{unit:?}: {w2} for {} bytes",
            big.len()
        );
    }
}

#[test]
fn work_is_linear_for_every_pair_of_fragments_and_any_chunking() {
    let r = Redactor::default();
    for a in FRAGMENTS.iter().chain(PATHOLOGICAL) {
        for b in FRAGMENTS.iter().chain(PATHOLOGICAL) {
            let unit = format!("{a}{b}");
            let reps = 2_000 / unit.len() + 1;
            let small = unit.repeat(reps);
            let big = unit.repeat(2 * reps);
            let w1 = work(&r, small.as_bytes(), usize::MAX);
            let w2 = work(&r, big.as_bytes(), usize::MAX);
            assert!(
                w2 <= 2 * w1 + 512 && w2 <= MAX_WORK_PER_BYTE * big.len() as u64,
                "{unit:?}: {w1} for {} bytes, {w2} for {}",
                small.len(),
                big.len()
            );
        }
    }
    // The bound holds for any chunking of the stream.
    for unit in PATHOLOGICAL {
        let text = unit.repeat(4_000 / unit.len() + 1);
        for chunk in [1, 3, 64, 4096] {
            let w = work(&r, text.as_bytes(), chunk);
            assert!(
                w <= MAX_WORK_PER_BYTE * text.len() as u64,
                "{unit:?} in chunks of {chunk}: {w} for {} bytes",
                text.len()
            );
        }
    }
}

#[test]
fn work_per_byte_is_bounded_on_random_input() {
    let r = Redactor::default();
    let mut rng = Rng(0x5eed);
    let mut worst = 0.0f64;
    for _ in 0..20_000 {
        let text = random_text(&mut rng, 80);
        let w = work(&r, text.as_bytes(), 1 + rng.below(32));
        worst = worst.max(w as f64 / text.len() as f64);
        assert!(
            w <= MAX_WORK_PER_BYTE * text.len() as u64 + 64,
            "{text:?}: {w}"
        );
    }
    println!("worst work per byte on random input: {worst:.1}");
}

#[test]
fn a_ten_megabyte_line_is_redacted_in_linear_work_and_fails_closed() {
    // No line cap is needed for time: the scanner is linear. A crafted 10 MB line is
    // redacted whole; the unterminated `${` value is a password (fail closed), not a
    // placeholder to re-scan.
    let text = "password=${".repeat(1 << 20);
    let r = Redactor::default();
    let w = work(&r, text.as_bytes(), 1 << 16);
    assert!(w <= MAX_WORK_PER_BYTE * text.len() as u64, "{w}");
    let out = redact(&text);
    assert!(
        out.starts_with("password=[REDACTED:password]"),
        "{}",
        &out[..64]
    );
    assert!(out.len() < 64, "{}", out.len());
}

#[test]
fn low_entropy_named_fields_get_no_fingerprint() {
    // Regression: `password=hunter2` became `[REDACTED:password:<48 bits of sha256>]`, which
    // a dictionary reverses. People's secrets are redacted without a fingerprint.
    for (text, secret, kind) in [
        ("password=hunter2", "hunter2", "password"),
        ("DB_PASSWD: 'hunter2'", "hunter2", "password"),
        ("pin=4921", "4921", "pin"),
        (
            "{\"security_answer\": \"fluffy\"}",
            "fluffy",
            "secret_answer",
        ),
        ("postgres://app:hunter2@db/main", "hunter2", "password"),
        (
            "curl -u bob:hunter2 https://x.example",
            "hunter2",
            "password",
        ),
        (
            "Authorization: Basic Ym9iOmh1bnRlcjI=",
            "Ym9iOmh1bnRlcjI=",
            "basic",
        ),
    ] {
        let out = redact(text);
        assert!(
            out.contains(&format!("[REDACTED:{kind}]")),
            "{text} -> {out}"
        );
        assert!(
            !out.contains(&tokenward::fingerprint(secret.as_bytes())),
            "{out}"
        );
        assert!(!out.contains(secret), "{out}");
    }
    // The caller's own names and patterns (an SSN) are not fingerprinted either.
    let r = Redactor::new(RedactorOptions::default().with_names(["ssn"])).unwrap();
    assert_eq!(r.redact("ssn=123-45-6789"), "ssn=[REDACTED:ssn]");
    // High-entropy secrets keep their fingerprint for correlation, also in a password field.
    let key = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
    let fp = tokenward::fingerprint(key.as_bytes());
    assert_eq!(
        redact(&format!("password={key}")),
        format!("password=[REDACTED:github:{fp}]")
    );
    assert_eq!(
        redact(&format!("token {key}")),
        format!("token [REDACTED:github:{fp}]")
    );
    // Templates get an empty fingerprint for them.
    let tpl = Redactor::new(
        RedactorOptions::default()
            .with_replacement(Replacement::from_str("<{kind}|{fingerprint}>").unwrap()),
    )
    .unwrap();
    assert_eq!(tpl.redact("password=hunter2"), "password=<password|>");
}

#[test]
fn fail_closed_pem_blocks() {
    // PGP private key blocks, with armor headers and checksum.
    let pgp = "exported:\n-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\nlQOYBF0Z1x4BCAC3rPz8\nAbCdEf0123456789+/Xy\n=Ab12\n-----END PGP PRIVATE KEY BLOCK-----\nnext\n";
    let out = redact(pgp);
    assert!(
        out.starts_with("exported:\n[REDACTED:private_key:"),
        "{out}"
    );
    assert!(
        out.ends_with("]\nnext\n") && !out.contains("lQOYBF0Z"),
        "{out}"
    );
    // Without its END line, a block is redacted as long as lines can hold key material:
    // a log prefix in front of a body line does not end it.
    let cut = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn\n2024-05-01 ERROR MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nERROR stream closed\n";
    let out = redact(cut);
    assert!(!out.contains("MIIE") && !out.contains("0Z3VS5"), "{out}");
    assert!(out.ends_with("]\nERROR stream closed\n"), "{out}");
    // Begun after a JSON `\n` escape, truncated, on one line: redacted to the end of the line.
    let json =
        r#"{"k":"x\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC","user":"bob"}"#;
    let out = redact(json);
    assert!(
        out.starts_with(r#"{"k":"x\n[REDACTED:private_key:"#),
        "{out}"
    );
    assert!(!out.contains("MIIEvQ"), "{out}");
    // Percent-encoded, complete.
    let enc = "key=-----BEGIN%20PRIVATE%20KEY-----%0AMIIEvQIBADANBgkqhkiG9w0BAQEFAASC%0A-----END%20PRIVATE%20KEY----- ok";
    let out = redact(enc);
    assert!(out.ends_with("] ok") && !out.contains("MIIEvQ"), "{out}");
    // Chunking does not change any of this.
    for text in [pgp, cut, json, enc] {
        let r = Redactor::default();
        let mut s = r.stream();
        let mut o = Vec::new();
        for piece in text.as_bytes().chunks(5) {
            s.push(piece, &mut o);
        }
        s.finish(&mut o);
        assert_eq!(String::from_utf8(o).unwrap(), redact(text));
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
    let r = Redactor::new(
        RedactorOptions::default()
            .with_names(["ssn"])
            .with_patterns([("order", r"order#([0-9]{6})")])
            .with_replacement(Replacement::Kind),
    )
    .unwrap();
    assert_eq!(
        r.redact("user ssn=123-45-6789 order#123456 password=x1"),
        "user ssn=[REDACTED:ssn] order#[REDACTED:order] password=[REDACTED:password]"
    );
    let plain =
        Redactor::new(RedactorOptions::default().with_replacement(Replacement::Plain)).unwrap();
    assert_eq!(plain.redact("token=abc123"), "token=[REDACTED]");
    let tpl = Redactor::new(
        RedactorOptions::default().with_replacement(Replacement::from_str("<{kind}>").unwrap()),
    )
    .unwrap();
    assert_eq!(tpl.redact("token=abc123"), "token=<token>");
    assert_eq!(
        Redactor::new(RedactorOptions::default().with_patterns([("x", "(")]))
            .unwrap_err()
            .code()
            .as_str(),
        "invalid_input"
    );
    assert!(Redactor::new(RedactorOptions::default().with_names([""])).is_err());
    assert!(Redactor::new(RedactorOptions::default().with_patterns([("bad kind!", "a")])).is_err());
    // A line limit below the minimum is refused, not silently raised.
    let short = RedactorOptions::default().with_max_line(tokenward::redact::MIN_MAX_LINE - 1);
    assert_eq!(
        Redactor::new(short).unwrap_err().code().as_str(),
        "invalid_input"
    );
    let smallest = RedactorOptions::default().with_max_line(tokenward::redact::MIN_MAX_LINE);
    assert_eq!(Redactor::new(smallest).unwrap().max_line(), 1024);
    assert_eq!(
        Redactor::default().max_line(),
        tokenward::redact::DEFAULT_MAX_LINE
    );
}

#[test]
fn writer_redacts_and_flushes_the_last_line_on_finish() {
    let mut w = Redactor::default().writer_into(Vec::new());
    w.write_all(b"first access_token=abc1").unwrap();
    w.write_all(b"23def\nsecond password=hun").unwrap();
    w.write_all(b"ter2").unwrap();
    let out = String::from_utf8(w.finish().unwrap()).unwrap();
    assert!(
        out.starts_with("first access_token=[REDACTED:token:"),
        "{out}"
    );
    assert!(
        out.contains("\nsecond password=[REDACTED:password]"),
        "{out}"
    );
    assert!(!out.contains("abc123def") && !out.contains("hunter2"));
}

#[test]
fn very_long_lines_use_bounded_memory() {
    let r = Redactor::new(RedactorOptions::default().with_max_line(4096)).unwrap();
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
    assert_eq!(out.matches("[REDACTED:password]").count(), 10_000);
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
            Redactor::default(),
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
