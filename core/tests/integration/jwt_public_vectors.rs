//! The public vectors in tests/vectors/public: Wycheproof JWS and the RFC 7520 / RFC 8037
//! cookbook examples. Every "valid" case that strict policy refuses is listed with its reason.

use std::path::PathBuf;

use serde_json::Value;
use tokenward::jwt::{
    Algorithm, JwtIssuerOptions, JwtKey, JwtVerifier, JwtVerifierOptions, KeySet,
};

/// A file of tests/vectors/public (copied from their public sources with their licences; see
/// tests/vectors/public/README.md). A missing file fails the test that asked for it.
fn public(path: &str) -> Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/vectors/public")
        .join(path);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap()
}

fn verifier_for(jwk: &Value) -> Result<JwtVerifier, tokenward::Error> {
    let key = JwtKey::from_jwk(&jwk.to_string())?;
    let algorithms = match key.algorithm() {
        Some(a) => vec![a],
        None => Algorithm::ALL
            .iter()
            .copied()
            .filter(|a| a.family() == key.family())
            .collect(),
    };
    JwtVerifier::new(KeySet::single(key), JwtVerifierOptions::new(algorithms))
}

/// Valid Wycheproof cases that tokenward refuses on purpose, by test group key `alg`/comment.
fn refused_on_purpose(group: &Value, test: &Value) -> Option<&'static str> {
    if group["private"]["alg"] == "ES521" {
        return Some("P-521 (ES512/ES521) is not supported: not in the supported algorithm list");
    }
    if test["comment"]
        .as_str()
        .is_some_and(|c| c.starts_with("InvalidCharacterInserted"))
    {
        return Some("a '?' inside a segment: strict base64url refuses it instead of skipping it");
    }
    if group["private"]["alg"] == "PS256"
        && test["jws"]
            .as_str()
            .is_some_and(|j| j.starts_with("eyJhbGciOiJQUzM4NC"))
    {
        return Some(
            "the JWK pins alg PS256 and the token says PS384: a key is bound to its algorithm",
        );
    }
    if group["private"]["key_ops"] == serde_json::json!(["sign, verify"]) {
        return Some(
            "key_ops [\"sign, verify\"] is one unregistered operation, not sign and verify",
        );
    }
    if !test["jws"].is_string() {
        return Some("only the compact serialization is supported");
    }
    None
}

#[test]
fn wycheproof_json_web_signature() {
    let doc = public("wycheproof/json_web_signature_test.json");
    let (mut valid_ok, mut invalid_refused, mut refused_valid) = (0, 0, Vec::new());
    let mut failures = Vec::new();
    for group in doc["testGroups"].as_array().unwrap() {
        let verifier = verifier_for(&group["private"]);
        for test in group["tests"].as_array().unwrap() {
            let id = &test["tcId"];
            let outcome = match (&verifier, test["jws"].as_str()) {
                (Ok(v), Some(jws)) => v.verify_signature(jws).map(|_| ()),
                (Err(e), _) => Err(e.clone()),
                (Ok(_), None) => Err(tokenward::Error::new(
                    tokenward::ErrorCode::Malformed,
                    "JSON serialization",
                )),
            };
            match (test["result"].as_str(), outcome) {
                (Some("valid"), Ok(())) => valid_ok += 1,
                (Some("valid"), Err(e)) => match refused_on_purpose(group, test) {
                    Some(reason) => refused_valid.push(format!("tc{id}: {reason}")),
                    None => failures.push(format!("tc{id} valid but refused: {e}")),
                },
                (_, Err(_)) => invalid_refused += 1,
                // tc367/tc370 are byte-identical to the valid tc357 (their padding was lost in
                // the published file), so they verify exactly as tc357 must.
                (_, Ok(())) if test["jws"] == json_of_tc357(&doc) => {}
                (_, Ok(())) => {
                    failures.push(format!("tc{id} ({}) invalid but accepted", test["comment"]))
                }
            }
        }
    }
    println!("wycheproof: {valid_ok} valid accepted, {invalid_refused} invalid refused, {} valid refused on purpose:", refused_valid.len());
    for r in &refused_valid {
        println!("  {r}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(valid_ok >= 30 && invalid_refused >= 340);
}

fn json_of_tc357(doc: &Value) -> Value {
    doc["testGroups"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|g| g["tests"].as_array().into_iter().flatten())
        .find(|t| t["tcId"] == 357)
        .map(|t| t["jws"].clone())
        .unwrap_or(Value::Null)
}

#[test]
fn rfc7520_cookbook_jws() {
    for (file, supported) in [
        ("jose-cookbook/jws/4_1.rsa_v15_signature.json", true),
        ("jose-cookbook/jws/4_2.rsa-pss_signature.json", true),
        // ES512 on P-521 is outside the supported list: the key is refused with invalid_key.
        ("jose-cookbook/jws/4_3.ecdsa_signature.json", false),
        (
            "jose-cookbook/jws/4_4.hmac-sha2_integrity_protection.json",
            true,
        ),
    ] {
        let doc = public(file);
        // An RSA JWK without `alg` is bound to RS* (RFC 8725 §3.1); the cookbook names the
        // algorithm beside the key, as a deployment would pin it.
        let mut jwk = doc["input"]["key"].clone();
        if jwk.get("alg").is_none() {
            jwk["alg"] = doc["input"]["alg"].clone();
        }
        let verifier = verifier_for(&jwk);
        let compact = doc["output"]["compact"].as_str().unwrap();
        if supported {
            let payload = verifier.unwrap().verify_signature(compact).unwrap();
            assert_eq!(
                payload,
                doc["input"]["payload"].as_str().unwrap().as_bytes(),
                "{file}"
            );
        } else {
            assert_eq!(
                verifier.unwrap_err().code().as_str(),
                "invalid_key",
                "{file}"
            );
        }
    }
}

/// RFC 7797 (`b64: false`) is not supported, so a token that asks for it through `crit` must be
/// refused for exactly that reason, even when its signature is correct under the vector's key.
#[test]
fn rfc7797_unencoded_payload_is_refused() {
    let doc = public("jose-cookbook/rfc7797/4.2.hmac-sha2_b64_false.json");
    let jwk = &doc["input"]["key"];
    let secret = base64_url(jwk["k"].as_str().unwrap());
    let hmac_key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &secret);
    let sign = |input: &str| {
        let tag = aws_lc_rs::hmac::sign(&hmac_key, input.as_bytes());
        base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            tag.as_ref(),
        )
    };
    // The vector's own signature is right over its signing input: the key and layout are as read.
    assert_eq!(
        sign(doc["signing"]["sig-input"].as_str().unwrap()),
        doc["signing"]["sig"].as_str().unwrap()
    );
    let verifier = verifier_for(jwk).unwrap();

    // The vector's protected header with `crit: ["b64"]`, over a payload a compact token can hold.
    let header = serde_json::to_vec(&doc["signing"]["protected"]).unwrap();
    let header = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, header);
    let input = format!("{header}.{}", "e30");
    let token = format!("{input}.{}", sign(&input));
    let err = verifier.verify_signature(&token).unwrap_err();
    assert_eq!(err.code().as_str(), "unsupported_critical_header", "{err}");

    // The same header without `b64`/`crit` and the same signature scheme verifies: the refusal
    // above is the header's doing, not the key's or the signature's.
    let plain = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        br#"{"alg":"HS256"}"#,
    );
    let input = format!("{plain}.e30");
    let token = format!("{input}.{}", sign(&input));
    assert_eq!(verifier.verify_signature(&token).unwrap(), b"{}");

    // The published detached form (payload `$.02` sent beside the token) is refused too.
    let detached = format!(
        "{}..{}",
        doc["signing"]["protected_b64u"].as_str().unwrap(),
        doc["signing"]["sig"].as_str().unwrap()
    );
    assert!(verifier.verify_signature(&detached).is_err());
}

fn base64_url(text: &str) -> Vec<u8> {
    base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, text).unwrap()
}

#[test]
fn rfc8037_ed25519() {
    let doc = public("jose-cookbook/curve25519/jws.json");
    let key = find_obj(&doc, "key")
        .or_else(|| find_obj(&doc, "jwk"))
        .expect("key");
    let compact = find_str(&doc, "compact").expect("compact");
    let payload = verifier_for(&key)
        .unwrap()
        .verify_signature(&compact)
        .unwrap();
    assert!(!payload.is_empty());
}

fn find_str(v: &Value, name: &str) -> Option<String> {
    match v {
        Value::Object(m) => m
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| m.values().find_map(|c| find_str(c, name))),
        Value::Array(a) => a.iter().find_map(|c| find_str(c, name)),
        _ => None,
    }
}

fn find_obj(v: &Value, name: &str) -> Option<Value> {
    match v {
        Value::Object(m) => m
            .get(name)
            .filter(|o| o.is_object())
            .cloned()
            .or_else(|| m.values().find_map(|c| find_obj(c, name))),
        Value::Array(a) => a.iter().find_map(|c| find_obj(c, name)),
        _ => None,
    }
}

/// Keys from DER (SubjectPublicKeyInfo and PKCS#8), for RSA, EC and Ed25519: a token signed
/// with the private DER key verifies with the public DER key, and not with another key.
#[test]
fn der_keys_import_and_verify() {
    use tokenward::jwt::{JwtIssueOptions, JwtIssuer};
    fn der_of(pem: &str) -> Vec<u8> {
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, body).unwrap()
    }
    for alg in [Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA] {
        let original = JwtKey::generate(alg).unwrap();
        let private = JwtKey::from_private_der(
            &der_of(original.to_private_pem().unwrap().expose()),
            Some(alg),
        )
        .unwrap();
        let public =
            JwtKey::from_public_der(&der_of(&original.to_public_pem().unwrap()), Some(alg))
                .unwrap();
        assert!(!public.can_sign(), "{alg:?}: a public key that signs");
        let token = JwtIssuer::new(private, JwtIssuerOptions::new().with_algorithm(alg))
            .unwrap()
            .issue(&serde_json::Map::new(), &JwtIssueOptions::new())
            .unwrap();
        let verify = |key: JwtKey| {
            JwtVerifier::new(KeySet::single(key), JwtVerifierOptions::new([alg]))
                .unwrap()
                .verify_signature(&token)
        };
        assert!(verify(public).is_ok(), "{alg:?}");
        let other = JwtKey::generate(alg).unwrap();
        let other = JwtKey::from_public_der(&der_of(&other.to_public_pem().unwrap()), Some(alg));
        assert_eq!(
            verify(other.unwrap()).unwrap_err().code().as_str(),
            "invalid_signature"
        );
        // Garbage is a clear error with its code.
        assert_eq!(
            JwtKey::from_public_der(b"\x30\x03\x02\x01", Some(alg))
                .unwrap_err()
                .code()
                .as_str(),
            "invalid_key"
        );
    }
}

/// A JWK import applies the checks of DER import (found by the jwk_import fuzz target): an even
/// RSA modulus, one over 8192 bits or an exponent outside the odd 3..2^33 is refused, and what
/// imports re-imports from its own PEM.
#[test]
fn rsa_jwk_refused_where_der_would_refuse_it() {
    let key = JwtKey::generate(Algorithm::RS256).unwrap();
    let jwk = key.to_jwk().unwrap();
    let n = base64_url(jwk["n"].as_str().unwrap());
    let encode =
        |b: &[u8]| base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, b);
    let public = |n: &[u8], e: &[u8]| {
        serde_json::json!({"kty": "RSA", "alg": "RS256", "n": encode(n), "e": encode(e)})
            .to_string()
    };
    let good = JwtKey::from_jwk(&public(&n, &[1, 0, 1])).unwrap();
    let again = JwtKey::from_pem(&good.to_public_pem().unwrap(), Some(Algorithm::RS256));
    assert!(again.is_ok(), "a JWK key's PEM must import again");
    let mut even = n.clone();
    *even.last_mut().unwrap() &= 0xfe;
    // 2048..=8192 bits on every path (fuzz finding 5: a 16,448-bit JWK imported, its PEM did
    // not).
    let mut widest = vec![0xffu8; 1024];
    widest[0] = 0xc1;
    let widest_key = JwtKey::from_jwk(&public(&widest, &[1, 0, 1])).unwrap();
    assert!(JwtKey::from_pem(&widest_key.to_public_pem().unwrap(), Some(Algorithm::RS256)).is_ok());
    let mut too_wide = widest.clone();
    too_wide.insert(0, 0x01);
    for (n, e, why) in [
        (&too_wide, &[1u8, 0, 1][..], "8193-bit modulus"),
        (&even, &[1u8, 0, 1][..], "even modulus"),
        (&n, &[1, 0, 0, 0, 0, 1][..], "exponent 2^40 + 1"),
        (&n, &[1, 0, 0], "even exponent"),
        (&n, &[1], "exponent 1"),
    ] {
        let err = JwtKey::from_jwk(&public(n, e)).unwrap_err();
        assert_eq!(err.code().as_str(), "invalid_key", "{why}");
    }
}
