//! `tokenward tour`: a walk through the capabilities on embedded defaults (no network, no files).

use serde_json::json;
use tokenward::apikey::ApiKeysOptions;
use tokenward::jwt::{
    Algorithm, JwtIssueOptions, JwtIssuer, JwtIssuerOptions, JwtKey, JwtVerifier,
    JwtVerifierOptions, KeySet,
};
use tokenward::{Result, Secret};

/// Runs the tour.
pub fn run() -> Result<()> {
    println!(
        "tokenward {} — a tour on embedded defaults\n",
        env!("CARGO_PKG_VERSION")
    );
    secrets()?;
    errors();
    jwt()?;
    api_keys()?;
    redaction();
    println!("\nRun `tokenward --help` for the commands.");
    Ok(())
}

fn secrets() -> Result<()> {
    println!("1. Secrets print redacted; reading one is an explicit call.");
    let secret = Secret::new("tw_demo_0123456789abcdef")?;
    println!("   println!(\"{{secret}}\")   -> {secret}");
    println!("   println!(\"{{secret:?}}\") -> {secret:?}");
    println!("   fingerprint             -> {}", secret.fingerprint());
    Ok(())
}

fn errors() {
    println!(
        "\n2. Every failure has a stable code, the same in Rust, Python, Node, Swift and Kotlin."
    );
    if let Err(err) = Secret::new("") {
        println!(
            "   Secret::new(\"\") -> code={} message={:?}",
            err.code(),
            err.message()
        );
    }
}

fn jwt() -> Result<()> {
    println!("\n3. JWT: issue with a fresh Ed25519 key, publish its JWKS, verify strictly.");
    let key = JwtKey::generate(Algorithm::EdDSA)?.with_kid("tour-2026");
    let issuer = JwtIssuer::new(
        key.clone(),
        JwtIssuerOptions::new()
            .with_issuer("https://auth.tour.example")
            .with_audience(["api://tour"]),
    )?;
    let claims = json!({"scope": "orders:read"})
        .as_object()
        .cloned()
        .unwrap_or_default();
    let token = issuer.issue(&claims, &JwtIssueOptions::new().with_subject("alice"))?;
    let jwks = KeySet::single(key).to_jwks();
    println!(
        "   JWKS to publish: {} key(s), kid={}",
        jwks["keys"].as_array().map_or(0, Vec::len),
        jwks["keys"][0]["kid"]
    );
    let verifier = JwtVerifier::new(
        KeySet::from_jwks(&jwks.to_string())?,
        JwtVerifierOptions::new([Algorithm::EdDSA])
            .with_issuers(["https://auth.tour.example"])
            .with_audiences(["api://tour"]),
    )?;
    let verified = verifier.verify(&token)?;
    println!(
        "   verified: sub={} scope={} (token {})",
        verified["sub"],
        verified["scope"],
        Secret::new(token.clone())?
    );
    let tampered = tamper(&token);
    show_refusal("   tampered payload", verifier.verify(&tampered));
    let none_alg = format!(
        "eyJhbGciOiJub25lIn0.{}.",
        token.split('.').nth(1).unwrap_or_default()
    );
    show_refusal("   alg=none", verifier.verify(&none_alg));
    let wrong_aud = JwtVerifier::new(
        KeySet::from_jwks(&jwks.to_string())?,
        JwtVerifierOptions::new([Algorithm::EdDSA]).with_audiences(["api://other"]),
    )?;
    show_refusal("   other audience", wrong_aud.verify(&token));
    Ok(())
}

fn api_keys() -> Result<()> {
    use tokenward::apikey::NewKey;
    println!("\n4. API keys: checksummed, stored only as a hash, verified in constant time.");
    let keys = tokenward::ApiKeys::new("tw_live", ApiKeysOptions::default())?;
    let issued = keys.create(NewKey::new("acme").scopes(["orders:read"]))?;
    println!(
        "   created {} for {} (the plaintext exists only now: {})",
        issued.record.display, issued.record.owner, issued.secret
    );
    let record = keys.verify(issued.secret.expose())?;
    println!("   verify -> id={} scopes={:?}", record.id, record.scopes);
    let mut typo = issued.secret.expose().to_owned();
    let last = typo.pop().unwrap_or('a');
    typo.push(if last == 'a' { 'b' } else { 'a' });
    show_refusal("   one typo (no database hit)", keys.verify(&typo));
    keys.revoke(&record.id)?;
    show_refusal("   after revoke", keys.verify(issued.secret.expose()));
    Ok(())
}

fn redaction() {
    println!("\n5. Redaction: scrub secrets from text that was logged without care.");
    let line = "POST /token client_secret=s3cr3t-Value-42 Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXZhbHVl";
    println!("   in : {line}");
    println!("   out: {}", tokenward::redact::redact(line));
}

fn tamper(token: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let forged = tokenward::jwt::decode_unverified(token)
        .map(|(_, mut claims)| {
            claims.insert("sub".into(), "mallory".into());
            base64_url(claims.to_json().as_bytes())
        })
        .unwrap_or_default();
    format!(
        "{}.{}.{}",
        parts.first().unwrap_or(&""),
        forged,
        parts.get(2).unwrap_or(&"")
    )
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn show_refusal<T>(label: &str, result: Result<T>) {
    match result {
        Ok(_) => println!("{label}: ACCEPTED (unexpected)"),
        Err(e) => println!("{label}: refused with code={}", e.code()),
    }
}
