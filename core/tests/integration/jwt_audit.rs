//! JWT issue/verify emit audit events that identify the token by fingerprint, never by value.

use std::sync::Arc;

use parking_lot::Mutex;
use tokenward::audit::{self, AuditEvent, AuditSink, Outcome};
use tokenward::jwt::{
    Algorithm, JwtIssueOptions, JwtIssuer, JwtIssuerOptions, JwtKey, JwtVerifier,
    JwtVerifierOptions,
};

struct Collect(Mutex<Vec<AuditEvent>>);

impl AuditSink for Collect {
    fn record(&self, event: &AuditEvent) {
        self.0.lock().push(event.clone());
    }
}

#[test]
fn issue_and_verify_are_audited_without_token_material() {
    let sink = Arc::new(Collect(Mutex::new(Vec::new())));
    // Scoped (not add_sink + clear_sinks): the other tests of this binary run beside this one.
    let subscription = audit::subscribe(sink.clone());
    let key = JwtKey::hmac(&[9u8; 32], Algorithm::HS256).unwrap();
    let issuer = JwtIssuer::new(key.clone(), JwtIssuerOptions::new()).unwrap();
    let token = issuer
        .issue(
            &Default::default(),
            &JwtIssueOptions::new().with_subject("alice"),
        )
        .unwrap();
    let verifier = JwtVerifier::new(key, JwtVerifierOptions::new([Algorithm::HS256])).unwrap();
    verifier.verify(&token).unwrap();
    let forged = format!("{}x", &token[..token.len() - 1]);
    assert!(verifier.verify(&forged).is_err());
    drop(subscription);

    let events = sink.0.lock().clone();
    let actions: Vec<(&str, Outcome, Option<&str>)> = events
        .iter()
        .map(|e| {
            (
                e.action,
                e.outcome,
                e.code.map(tokenward::ErrorCode::as_str),
            )
        })
        .collect();
    assert!(actions.contains(&("jwt.issue", Outcome::Success, None)));
    assert!(actions.contains(&("jwt.verify", Outcome::Success, None)));
    assert!(actions
        .iter()
        .any(|(a, o, c)| *a == "jwt.verify" && *o == Outcome::Failure && c.is_some()));
    let fp = tokenward::fingerprint(token.as_bytes());
    assert!(events
        .iter()
        .any(|e| e.credential_id.as_deref() == Some(fp.as_str())
            && e.subject.as_deref() == Some("alice")));
    for e in &events {
        let printed = format!("{e:?}");
        for segment in token.split('.') {
            assert!(!printed.contains(segment), "{printed}");
        }
    }
}
