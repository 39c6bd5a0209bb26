//! A crate that depends on the packaged `tokenward` with `default-features = false,
//! features = ["jwt"]` (a JWT-only or mobile user): issue and verify without SQLite, an HTTP
//! stack or tokio in the build.

use tokenward::jwt::{Algorithm, JwtIssueOptions, JwtIssuer, JwtVerifier, JwtKey, KeySet, JwtVerifierOptions, JwtIssuerOptions};
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
    let key = JwtKey::generate(Algorithm::EdDSA)?.with_kid("k1");
    let issuer = JwtIssuer::new(key.clone(), JwtIssuerOptions::new().with_issuer("https://auth.example").with_audience(["api"]))?;
    let options = JwtIssueOptions::new().with_subject("device-7");
    let token = issuer.issue(&serde_json::Map::new(), &options)?;
    // The verifier gets the public half only, through a JWKS round trip.
    let jwks = KeySet::from(key).to_jwks().to_string();
    let verifier = JwtVerifier::new(
        KeySet::from_jwks(&jwks)?,
        JwtVerifierOptions::new([Algorithm::EdDSA]).with_issuers(["https://auth.example"]).with_audiences(["api"]),
    )?;
    check("jwt verifies", verifier.verify(&token)?.sub() == Some("device-7"))?;
    let wrong_alg = JwtVerifier::new(
        KeySet::from_jwks(&jwks)?,
        JwtVerifierOptions::new([Algorithm::ES256]),
    )?;
    check(
        "an algorithm outside the allowlist is refused",
        wrong_alg.verify(&token).err().map(|e| e.code()) == Some(ErrorCode::AlgorithmNotAllowed),
    )?;
    println!("consumer jwt-only: all checks passed");
    Ok(())
}
