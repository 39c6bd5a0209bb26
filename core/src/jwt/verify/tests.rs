//! `verify_as` and `verify_into`: what they hand out, and only after every check.

use super::*;
use crate::jwt::claims_builder::ValueBuilder;
use crate::jwt::{JwtIssueOptions, JwtIssuer, JwtIssuerOptions, JwtKey, JwtVerifierOptions};

#[derive(serde::Deserialize, Debug, PartialEq)]
struct AppClaims {
    sub: String,
    scope: String,
}

fn setup() -> (JwtIssuer, JwtVerifier) {
    let key = JwtKey::hmac(&[7u8; 32], Algorithm::HS256).unwrap();
    let issuer = JwtIssuer::new(key.clone(), JwtIssuerOptions::new()).unwrap();
    let options = JwtVerifierOptions::new([Algorithm::HS256]);
    (issuer, JwtVerifier::new(key, options).unwrap())
}

fn issue(issuer: &JwtIssuer, claims: Value) -> String {
    let options = JwtIssueOptions::new().with_subject("u1");
    let claims = claims.as_object().cloned().unwrap_or_default();
    issuer.issue(&claims, &options).unwrap()
}

#[test]
fn verify_as_gives_the_callers_struct_after_every_check() {
    let (issuer, verifier) = setup();
    let token = issue(&issuer, serde_json::json!({"scope": "read"}));
    let claims: AppClaims = verifier.verify_as(&token).unwrap();
    assert_eq!(
        claims,
        AppClaims {
            sub: "u1".into(),
            scope: "read".into()
        }
    );

    // Wrong shape: a clear code, never a panic.
    let token = issue(&issuer, serde_json::json!({"scope": 7}));
    let err = verifier.verify_as::<AppClaims>(&token).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidClaim);

    // The signature is still checked first.
    let mut forged = issue(&issuer, serde_json::json!({"scope": "read"}));
    let last = forged.pop();
    forged.push(if last == Some('A') { 'E' } else { 'A' });
    assert!(verifier.verify_as::<AppClaims>(&forged).is_err());
}

#[test]
fn verify_into_builds_in_the_same_pass_and_only_hands_out_checked_claims() {
    let (issuer, verifier) = setup();
    let token = issue(
        &issuer,
        serde_json::json!({"scope": "read", "n": [1, {"k": true}]}),
    );
    let members = verifier.verify_into(&token, &mut ValueBuilder).unwrap();
    assert_eq!(
        Claims::from_unique(members),
        verifier.verify(&token).unwrap()
    );

    // A failed claim check or signature drops what was built.
    let expired = issue(&issuer, serde_json::json!({"exp": 1}));
    let err = verifier
        .verify_into(&expired, &mut ValueBuilder)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Expired);
    let mut tampered = token.clone();
    tampered.insert(tampered.find('.').unwrap() + 2, 'A');
    assert!(verifier.verify_into(&tampered, &mut ValueBuilder).is_err());
}

/// A token over `payload` exactly as written, signed with the key of [`setup`].
fn signed(payload: &str) -> String {
    let key = JwtKey::hmac(&[7u8; 32], Algorithm::HS256).unwrap();
    let input = format!(
        "{}.{}",
        b64::encode(br#"{"alg":"HS256"}"#),
        b64::encode(payload.as_bytes())
    );
    let sig = key.sign(Algorithm::HS256, input.as_bytes()).unwrap();
    format!("{input}.{}", b64::encode(&sig))
}

#[test]
fn claims_built_when_read_equal_the_payload_parsed_at_once() {
    let (_, verifier) = setup();
    let payload = r#"{ "sub": "u\u00e9\n1", "exp": 99999999999, "big": 12345678901234567890123,
        "f": -1.50e0, "t": true, "n": null, "l": ["a", "b\"c"], "o": {"k": [1, {"x": "y"}]},
        "s": "", "t\u0065nant": "acme", "na\"me": 1, "é": 2 }"#;
    let whole: Map<String, Value> = serde_json::from_str(payload).unwrap();
    let claims = verifier.verify(&signed(payload)).unwrap();

    // Each member, read on its own, then all of them in every form.
    assert_eq!(claims.sub(), Some("ué\n1"));
    assert_eq!(claims["l"][1], "b\"c");
    assert_eq!(claims["o"]["k"][1]["x"], "y");
    assert_eq!(claims["big"], whole["big"]);
    assert_eq!(claims["f"].as_f64(), Some(-1.5));
    assert_eq!(claims["t"], true);
    assert_eq!(claims["s"], "");
    assert!(claims["n"].is_null() && claims.contains_key("n"));
    assert_eq!(claims.len(), whole.len());
    // Names with escapes read as their unescaped text; the others are read from the payload.
    assert_eq!(claims["tenant"], "acme");
    assert_eq!(claims["na\"me"], 1);
    assert_eq!(claims["é"], 2);
    assert_eq!(
        claims.keys().collect::<Vec<_>>(),
        ["sub", "exp", "big", "f", "t", "n", "l", "o", "s", "tenant", "na\"me", "é"]
    );
    let fresh = verifier.verify(&signed(payload)).unwrap();
    assert_eq!(fresh.clone().into_map(), whole);
    assert_eq!(
        fresh
            .iter()
            .map(|(n, v)| (n.to_owned(), v.clone()))
            .collect::<Map<_, _>>(),
        whole
    );
    assert_eq!(
        serde_json::to_value(&fresh).unwrap(),
        Value::Object(whole.clone())
    );
    assert_eq!(claims, Claims::from(whole.clone()));
    // Debug shows the values, built or not, in the token's order.
    assert!(
        format!("{fresh:?}").starts_with(r#"{"sub": String("ué\n1"), "exp": Number(99999999999),"#)
    );

    // As verified, the JSON is the payload itself; once edited, the members serialized.
    assert_eq!(fresh.to_json(), payload);
    let mut edited = fresh.clone();
    assert_eq!(
        edited.insert("sub".into(), Value::from("u2")),
        Some(Value::from("ué\n1"))
    );
    let mut expected = whole.clone();
    expected.insert("sub".into(), Value::from("u2"));
    let reparsed: Map<String, Value> = serde_json::from_str(&edited.to_json()).unwrap();
    assert_eq!(reparsed, expected);
    let mut removed = fresh.clone();
    assert_eq!(removed.remove("o"), whole.get("o").cloned());
    expected = whole.clone();
    expected.remove("o");
    let reparsed: Map<String, Value> = serde_json::from_str(&removed.to_json()).unwrap();
    assert_eq!(reparsed, expected);
    assert_eq!(
        fresh.to_json(),
        payload,
        "a clone's edits leave the original alone"
    );
}

#[test]
fn a_token_with_other_than_three_segments_is_malformed_and_says_why() {
    let (issuer, verifier) = setup();
    let token = issue(&issuer, serde_json::json!({}));
    let jwe = format!("{token}.a.b");
    for (bad, why) in [
        ("abc".to_string(), "three segments"),
        ("a.b".to_string(), "three segments"),
        (format!("{token}."), "three segments"),
        (format!("{token}.a.b.c"), "three segments"),
        (jwe, "JWE"),
    ] {
        let err = verifier.verify(&bad).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Malformed, "{bad}");
        assert!(err.to_string().contains(why), "{bad}: {err}");
    }
    assert!(verifier.verify(&token).is_ok());
}
