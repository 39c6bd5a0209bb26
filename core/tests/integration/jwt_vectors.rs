//! Runs tests/vectors/jwt_attacks.json (the same file every binding runs).

use std::time::Duration;

use crate::vector_files::load;
use serde_json::Value;
use tokenward::jwt::{Algorithm, JwtVerifier, JwtVerifierOptions, KeySet};

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

fn options(defaults: &Value, overrides: Option<&Value>) -> JwtVerifierOptions {
    let get = |name: &str| {
        overrides
            .and_then(|o| o.get(name))
            .or_else(|| defaults.get(name))
    };
    let mut opts = JwtVerifierOptions::new(
        strings(get("algorithms").unwrap())
            .iter()
            .map(|a| Algorithm::parse(a).unwrap())
            .collect::<Vec<_>>(),
    )
    .with_issuers(
        get("issuer")
            .map(|i| vec![i.as_str().unwrap().to_owned()])
            .unwrap_or_default(),
    )
    .with_audiences(get("audience").map(strings).unwrap_or_default())
    .with_leeway(Duration::from_secs(
        get("leeway").and_then(Value::as_u64).unwrap_or(60),
    ));
    if let Some(v) = get("require_exp") {
        opts = opts.with_require_exp(v.as_bool().unwrap());
    }
    if let Some(v) = get("max_age") {
        opts = opts.with_max_age(Duration::from_secs(v.as_u64().unwrap()));
    }
    if let Some(v) = get("required_claims") {
        opts = opts.with_required_claims(strings(v));
    }
    if let Some(v) = get("typ") {
        opts = opts.with_typ(v.as_str().unwrap());
    }
    if let Some(v) = get("max_token_size") {
        opts = opts.with_max_token_size(v.as_u64().unwrap() as usize);
    }
    opts
}

#[test]
fn attack_vectors_give_the_expected_codes() {
    let keys = load("jwt_keys.json");
    let set = KeySet::from_jwks(&keys["verification_jwks"].to_string()).unwrap();
    let doc = load("jwt_attacks.json");
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 40);
    let mut failures = Vec::new();
    for case in cases {
        let verifier =
            JwtVerifier::new(set.clone(), options(&doc["defaults"], case.get("options"))).unwrap();
        let got = match verifier.verify(case["token"].as_str().unwrap()) {
            Ok(_) => "ok".to_owned(),
            Err(e) => {
                // No error message may echo token material.
                assert!(!e.message().contains("eyJ"), "{}", case["name"]);
                e.code().as_str().to_owned()
            }
        };
        if got != case["expect"] {
            failures.push(format!(
                "{}: expected {}, got {got}",
                case["name"], case["expect"]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
