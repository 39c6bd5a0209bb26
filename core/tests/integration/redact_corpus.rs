//! Runs the shared redaction corpus (tests/redaction/corpus.json): recall must be 100% and the
//! false-positive rate 0%. The same corpus is run by the Python, Node, Kotlin and Swift suites.

use serde_json::Value;
use tokenward::redact::{redact, Redactor};

fn corpus() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/redaction/corpus.json"
    );
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect()
}

#[test]
fn corpus_recall_and_false_positives() {
    let c = corpus();
    let secret = c["secret"].as_array().unwrap();
    let clean = strs(&c["clean"]);
    let mut missed = Vec::new();
    for case in secret {
        let text = case["text"].as_str().unwrap();
        let out = redact(text);
        let leaked = strs(&case["secrets"]).into_iter().any(|s| out.contains(s));
        let lost = strs(&case["keep"]).into_iter().any(|k| !out.contains(k));
        if leaked || lost || !out.contains("[REDACTED:") {
            missed.push(format!("{text}\n  -> {out}"));
        }
    }
    let mut false_positives = Vec::new();
    for text in &clean {
        let out = redact(text);
        if out != *text {
            false_positives.push(format!("{text}\n  -> {out}"));
        }
    }
    let recall = 100.0 * (secret.len() - missed.len()) as f64 / secret.len() as f64;
    let fp_rate = 100.0 * false_positives.len() as f64 / clean.len() as f64;
    println!(
        "redaction corpus: {} secret lines, recall {recall:.1}%; {} clean lines, false positives {fp_rate:.1}%",
        secret.len(),
        clean.len()
    );
    assert!(secret.len() >= 60 && clean.len() >= 40);
    assert!(missed.is_empty(), "missed:\n{}", missed.join("\n"));
    assert!(
        false_positives.is_empty(),
        "false positives:\n{}",
        false_positives.join("\n")
    );
}

#[test]
fn corpus_as_one_stream_matches_line_by_line() {
    let c = corpus();
    let mut lines: Vec<&str> = c["secret"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["text"].as_str().unwrap())
        .collect();
    lines.extend(strs(&c["clean"]));
    // Cases are separated by a line that cannot hold key material: a PEM block left open by
    // a truncated case (fail closed) would otherwise go on through the next case's base64.
    let sep = "\n--\n";
    let whole = lines.join(sep);
    let expected: Vec<String> = lines.iter().map(|l| redact(l)).collect();
    assert_eq!(redact(&whole), expected.join(sep));
    // Any chunking gives the same bytes.
    let r = Redactor::default();
    for chunk in [1, 7, 64, 1000] {
        let mut s = r.stream();
        let mut out = Vec::new();
        for piece in whole.as_bytes().chunks(chunk) {
            s.push(piece, &mut out);
        }
        s.finish(&mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            expected.join(sep),
            "chunk {chunk}"
        );
    }
}
