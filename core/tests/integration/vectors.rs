//! Runs the shared conformance vectors in `tests/vectors/` (the same files every binding runs).

use crate::vector_files::load;
use tokenward::{fingerprint, ErrorCode, Secret};

#[test]
fn error_codes_match_vectors_in_order() {
    let doc = load("error_codes.json");
    let expected = doc["codes"].as_array().unwrap();
    assert_eq!(expected.len(), ErrorCode::ALL.len());
    for (code, vector) in ErrorCode::ALL.iter().zip(expected) {
        assert_eq!(code.as_str(), vector["code"]);
        assert_eq!(code.category().as_str(), vector["category"], "{code}");
        assert_eq!(
            u64::from(code.http_status()),
            vector["http_status"],
            "{code}"
        );
    }
}

#[test]
fn secrets_and_fingerprints_match_vectors() {
    let doc = load("secrets.json");
    assert_eq!(fingerprint(b""), doc["fingerprint_of_empty"]);
    for case in doc["cases"].as_array().unwrap() {
        let name = &case["name"];
        let input = case["input"].as_str().unwrap();
        match Secret::new(input) {
            Ok(secret) => {
                assert_eq!(secret.fingerprint(), case["fingerprint"], "{name}");
                assert_eq!(fingerprint(input.as_bytes()), case["fingerprint"], "{name}");
                assert!(!format!("{secret:?}{secret}").contains(input), "{name}");
            }
            Err(err) => assert_eq!(err.code().as_str(), case["error"], "{name}"),
        }
    }
}
