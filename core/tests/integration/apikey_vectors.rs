//! Runs tests/vectors/apikeys.json (the same file every binding runs).

use crate::vector_files::load;
use regex_automata::meta::Regex;
use serde_json::Value;
use tokenward::apikey::{ApiKeys, KEY_PATTERN};

fn input(case: &Value) -> String {
    if let Some(key) = case["key"].as_str() {
        return key.to_owned();
    }
    let rep = &case["key_repeat"];
    rep["unit"]
        .as_str()
        .unwrap()
        .repeat(rep["count"].as_u64().unwrap() as usize)
}

fn code<T>(r: tokenward::Result<T>) -> Option<&'static str> {
    r.err().map(|e| e.code().as_str())
}

#[test]
fn pattern_is_the_published_one() {
    let doc = load("apikeys.json");
    assert_eq!(doc["pattern"], KEY_PATTERN);
    assert_eq!(
        doc["alphabet"],
        std::str::from_utf8(tokenward::apikey::base62::ALPHABET).unwrap()
    );
}

#[test]
fn format_cases() {
    let doc = load("apikeys.json");
    let full = Regex::new(&format!("^(?:{KEY_PATTERN})$")).unwrap();
    let cases = doc["format"].as_array().unwrap();
    assert!(cases.len() >= 20);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let key = input(case);
        assert_eq!(
            full.is_match(&key),
            case["matches_pattern"].as_bool().unwrap(),
            "{name}"
        );
        match ApiKeys::check_format(&key) {
            Ok(parsed) => {
                assert!(
                    case.get("error").is_none(),
                    "{name}: expected {}",
                    case["error"]
                );
                assert_eq!(parsed.prefix(), case["prefix"], "{name}");
                assert_eq!(parsed.id(), case["id"], "{name}");
                assert_eq!(parsed.display(), case["display"], "{name}");
                assert_eq!(&key[key.len() - 6..], case["checksum"], "{name}");
            }
            Err(err) => assert_eq!(err.code().as_str(), case["error"], "{name}"),
        }
    }
}

#[test]
fn verify_cases() {
    let doc = load("apikeys.json");
    let keys = ApiKeys::new(
        doc["verify"]["prefix"].as_str().unwrap(),
        Default::default(),
    )
    .unwrap();
    for case in doc["verify"]["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        assert_eq!(
            code(keys.verify(&input(case))),
            case["error"].as_str(),
            "{name}"
        );
    }
}
