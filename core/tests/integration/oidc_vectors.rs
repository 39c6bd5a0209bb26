//! Runs tests/vectors/oidc.json (the same file every binding runs): ID tokens verified with
//! the local key set of the file.

use std::time::Duration;

use crate::vector_files::load;
use serde_json::Value;
use tokenward::jwt::{Algorithm, KeySet};
use tokenward::oauth::{IdTokenChecks, IdTokenVerifier, IdTokenVerifierOptions};
use tokenward::Secret;

#[tokio::test]
async fn id_tokens_match_vectors() {
    let v = load("oidc.json");
    let jwks = v["jwks"].to_string();
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.len() >= 30);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let opts = &case["options"];
        let client_id = opts["client_id"]
            .as_str()
            .unwrap_or(v["client_id"].as_str().unwrap());
        let mut options = IdTokenVerifierOptions::new();
        if let Some(algs) = opts["algorithms"].as_array() {
            options = options.with_algorithms(
                algs.iter()
                    .filter_map(|a| a.as_str().unwrap().parse::<Algorithm>().ok()),
            );
        }
        let verifier = IdTokenVerifier::new(
            v["issuer"].as_str().unwrap(),
            client_id,
            KeySet::from_jwks(&jwks).unwrap(),
            options,
        )
        .unwrap();
        let c = &case["checks"];
        let mut checks = IdTokenChecks::new();
        if let Some(n) = c["nonce"].as_str() {
            checks = checks.with_nonce(Secret::new(n).unwrap());
        }
        if let Some(m) = c["max_age"].as_u64() {
            checks = checks.with_max_age(Duration::from_secs(m));
        }
        if let Some(t) = c["access_token"].as_str() {
            checks = checks.with_access_token(Secret::new(t).unwrap());
        }
        if let Some(code) = c["code"].as_str() {
            checks = checks.with_code(Secret::new(code).unwrap());
        }
        let got = match verifier
            .verify(case["token"].as_str().unwrap(), &checks)
            .await
        {
            Ok(_) => "ok".to_owned(),
            Err(e) => e.code().as_str().to_owned(),
        };
        assert_eq!(got, case["expect"].as_str().unwrap(), "{name}");
    }
}

#[test]
fn only_safe_algorithms_are_ever_allowed() {
    let only_hmac = IdTokenVerifier::new(
        "https://id.example",
        "app",
        KeySet::new(),
        IdTokenVerifierOptions::new().with_algorithms([Algorithm::HS256]),
    );
    assert_eq!(only_hmac.unwrap_err().code().as_str(), "invalid_input");
    let _ = Value::Null;
}
