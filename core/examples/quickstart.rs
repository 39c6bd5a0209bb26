//! A tour of the main jobs: API keys, a JWT issued and verified, a log line scrubbed, and a
//! request through the in-process gateway. Run: `cargo run -p tokenward --example quickstart`.
use std::sync::Arc;
use tokenward::apikey::ApiKeysOptions;

use tokenward::apikey::{ApiKeys, NewKey};
use tokenward::gateway::{Authenticator, AuthenticatorOptions, RateLimit, Request};
use tokenward::jwt::{
    Algorithm, JwtIssueOptions, JwtIssuer, JwtIssuerOptions, JwtKey, JwtVerifier,
    JwtVerifierOptions,
};
use tokenward::redact::Redactor;
use tokenward::ErrorCode;

fn main() -> Result<(), tokenward::Error> {
    // API keys: the secret is shown once; the store keeps a hash.
    let keys = Arc::new(ApiKeys::new("tw_live", ApiKeysOptions::default())?);
    let issued = keys.create(NewKey::new("acct_42").scopes(["read"]))?;
    println!(
        "issued API key {} (printed form: {})",
        issued.record.id, issued.secret
    );
    let record = keys.verify(issued.secret.expose())?;
    println!("verified: owner {}", record.owner);

    // JWT: an explicit algorithm allowlist, issuer checked.
    let key = JwtKey::generate(Algorithm::EdDSA)?;
    let issuer = JwtIssuer::new(
        key.clone(),
        JwtIssuerOptions::new().with_issuer("https://auth.example"),
    )?;
    let options = JwtIssueOptions::new().with_subject("user-1");
    let token = issuer.issue(&serde_json::Map::new(), &options)?;
    let verifier = JwtVerifier::new(
        key,
        JwtVerifierOptions::new([Algorithm::EdDSA]).with_issuers(["https://auth.example"]),
    )?;
    let claims = verifier.verify(&token)?;
    println!("JWT verified: sub = {:?}", claims.sub());
    // A different signature: its first character changed (the last ones carry padding bits).
    let start = token.rfind('.').map_or(0, |dot| dot + 1);
    let first = if token[start..].starts_with('A') {
        "B"
    } else {
        "A"
    };
    let tampered = format!("{}{first}{}", &token[..start], &token[start + 1..]);
    match verifier.verify(&tampered) {
        Err(refused) => println!("tampered JWT refused: {}", refused.code()),
        Ok(_) => return Err(unexpected("a tampered JWT verified")),
    }

    // Redaction: secrets in a log line become fingerprints.
    let line = format!(
        "GET /v1 Authorization: Bearer {token} api_key={}",
        issued.secret.expose()
    );
    println!("log line: {}", Redactor::default().redact(&line));

    // Gateway: the API key authenticates a request; a request without one gets a 401.
    let auth = Authenticator::new(
        AuthenticatorOptions::new()
            .with_api_keys(keys)
            .with_rate_limit(RateLimit::per_second(100, 20)),
    )?;
    let headers = [("x-api-key", issued.secret.expose())];
    let request = Request {
        method: "GET",
        path: "/v1/things",
        headers: &headers,
        client_ip: "198.51.100.7".parse().ok(),
        required_scopes: &["read"],
        client_certificate: None,
    };
    match auth.authenticate(&request) {
        Ok(principal) => println!("gateway: {} allowed", principal.subject),
        Err(refusal) => return Err(unexpected(refusal.code_str())),
    }
    let anonymous = Request {
        headers: &[],
        ..request
    };
    match auth.authenticate(&anonymous) {
        Err(refusal) => println!(
            "gateway: no credentials -> {} {}",
            refusal.status,
            refusal.code_str()
        ),
        Ok(_) => return Err(unexpected("a request without credentials was let through")),
    }
    Ok(())
}

/// The example's own failure: tokenward did not behave as this tour expects.
fn unexpected(what: &str) -> tokenward::Error {
    tokenward::Error::new(ErrorCode::Internal, format!("unexpected: {what}"))
}
