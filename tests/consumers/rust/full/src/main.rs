//! A crate that depends on the packaged `tokenward` with its default features, as a user
//! who ran `cargo add tokenward` would: JWT, API keys in SQLite, redaction.

use std::sync::Arc;

use tokenward::apikey::{ApiKeys, ApiKeysOptions, NewKey, SqliteStore};
use tokenward::jwt::{
    Algorithm, JwtIssueOptions, JwtIssuer, JwtIssuerOptions, JwtKey, JwtVerifier,
    JwtVerifierOptions,
};
use tokenward::{Error, ErrorCode};

fn check(what: &str, ok: bool) -> Result<(), Error> {
    if ok {
        println!("ok: {what}");
        Ok(())
    } else {
        Err(Error::new(ErrorCode::Internal, format!("FAILED: {what}")))
    }
}

fn main() -> Result<(), Error> {
    // JWT: issue with ES256, verify with an allowlist; a tampered token is refused.
    let key = JwtKey::generate(Algorithm::ES256)?;
    let issuer = JwtIssuer::new(key.clone(), JwtIssuerOptions::new().with_issuer("https://auth.example"))?;
    let mut custom = serde_json::Map::new();
    custom.insert("scope".into(), "orders:read".into());
    let options = JwtIssueOptions::new().with_subject("user-1");
    let token = issuer.issue(&custom, &options)?;
    let verifier = JwtVerifier::new(
        key,
        JwtVerifierOptions::new([Algorithm::ES256]).with_issuers(["https://auth.example"]),
    )?;
    let claims = verifier.verify(&token)?;
    check("jwt verifies", claims.sub() == Some("user-1") && claims["scope"] == "orders:read")?;
    let tampered = format!("{}x", token);
    check(
        "tampered jwt is refused",
        verifier.verify(&tampered).is_err(),
    )?;

    // API keys in a SQLite file: verify, and the file never holds the key.
    let dir = std::env::temp_dir().join(format!("tokenward-consumer-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| Error::new(ErrorCode::Internal, e.to_string()))?;
    let path = dir.join("keys.db");
    let sqlite = |path| -> Result<ApiKeysOptions, Error> {
        Ok(ApiKeysOptions::default().with_store(Arc::new(SqliteStore::open(path)?)))
    };
    let keys = ApiKeys::new("tw_live", sqlite(&path)?)?;
    let issued = keys.create(NewKey::new("acct_42").scopes(["read"]))?;
    check(
        "api key verifies from sqlite",
        keys.verify(issued.secret.expose())?.owner == "acct_42",
    )?;
    let reopened = ApiKeys::new("tw_live", sqlite(&path)?)?;
    check(
        "api key survives reopening the database",
        reopened.verify(issued.secret.expose())?.owner == "acct_42",
    )?;
    let db = std::fs::read(&path).map_err(|e| Error::new(ErrorCode::Internal, e.to_string()))?;
    let secret = issued.secret.expose().as_bytes();
    check(
        "sqlite file holds no plaintext key",
        !db.windows(secret.len()).any(|w| w == secret),
    )?;
    std::fs::remove_dir_all(&dir).ok();

    // Redaction.
    let line = format!("GET /cb?access_token=abc123def456 key={}", issued.secret.expose());
    let clean = tokenward::redact::redact(&line);
    check(
        "redact removes the token and the api key",
        !clean.contains("abc123def456")
            && !clean.contains(issued.secret.expose())
            && clean.contains("[REDACTED:"),
    )?;
    println!("consumer full: all checks passed");
    Ok(())
}
