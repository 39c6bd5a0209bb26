//! `verify_as` and `verify_into`: what they hand out, and only after every check.

use super::*;
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
