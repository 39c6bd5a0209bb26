// docs/jwt.md (Rust): a verifier, a token it accepts, and the caller's own claims type.
# use tokenward::jwt::{Algorithm, JwtIssueOptions, JwtIssuer, JwtIssuerOptions, JwtKey, JwtVerifier, JwtVerifierOptions};
# let key = JwtKey::generate(Algorithm::EdDSA)?;
# let mut extra = serde_json::Map::new();
# extra.insert("scope".into(), "read".into());
# let options = JwtIssueOptions::new().with_subject("user-1");
# let token = JwtIssuer::new(key.clone(), JwtIssuerOptions::new())?.issue(&extra, &options)?;
# let verifier = JwtVerifier::new(key, JwtVerifierOptions::new([Algorithm::EdDSA]))?;
# #[derive(serde::Deserialize)]
# struct MyClaims { sub: String, scope: String }
