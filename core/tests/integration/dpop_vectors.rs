//! Runs tests/vectors/dpop.json (the same file every binding runs): DPoP proofs made by hand
//! with the fixed test keys, verified at the file's fixed time; and the file's keys imported
//! with their thumbprints.

use std::time::Duration;

use crate::vector_files::load;
use tokenward::clock::ManualClock;
use tokenward::dpop::{DpopChecks, DpopKey, DpopVerifier, DpopVerifierOptions};
use tokenward::jwt::Algorithm;

#[test]
fn dpop_proofs_match_vectors() {
    let v = load("dpop.json");
    let now = v["now"].as_u64().unwrap();
    let conf = &v["verifier"];
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.len() >= 40);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let options = DpopVerifierOptions::new()
            .with_algorithms(
                conf["algorithms"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap().parse::<Algorithm>().unwrap()),
            )
            .with_max_age(Duration::from_secs(conf["max_age"].as_u64().unwrap()))
            .with_leeway(Duration::from_secs(conf["leeway"].as_u64().unwrap()))
            .with_clock(ManualClock::at_unix(now));
        let verifier = DpopVerifier::new(options).unwrap();
        let mut checks = DpopChecks::new();
        if let Some(t) = case["access_token"].as_str() {
            checks = checks.with_access_token(t);
        }
        if let Some(j) = case["jkt"].as_str() {
            checks = checks.with_jkt(j);
        }
        let run = || match verifier.verify(
            case["proof"].as_str().unwrap(),
            case["method"].as_str().unwrap(),
            case["url"].as_str().unwrap(),
            &checks,
        ) {
            Ok(_) => "ok".to_owned(),
            Err(e) => e.code().as_str().to_owned(),
        };
        assert_eq!(run(), case["expect"].as_str().unwrap(), "{name}");
        if let Some(again) = case["expect_again"].as_str() {
            assert_eq!(run(), again, "{name} (again)");
        }
    }
}

#[test]
fn dpop_keys_import_with_their_thumbprints() {
    let v = load("dpop.json");
    for k in v["keys"].as_array().unwrap() {
        let key = DpopKey::from_private_key(k["private_key"].as_str().unwrap()).unwrap();
        assert_eq!(key.thumbprint(), k["jkt"].as_str().unwrap());
        assert_eq!(key.algorithm().as_str(), k["algorithm"].as_str().unwrap());
        assert_eq!(
            serde_json::Value::Object(key.public_jwk().clone()),
            k["jwk"]
        );
    }
}
