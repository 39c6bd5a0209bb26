// docs/jwt.md (Rust): a verifier, a token it accepts, and the caller's own claims type.
# use tokenward::jwt::{Algorithm, IssueOptions, JwtIssuer, JwtVerifier, Key, VerifierOptions};
# let key = Key::generate(Algorithm::EdDSA)?;
# let mut extra = serde_json::Map::new();
# extra.insert("scope".into(), "read".into());
# let options = IssueOptions { subject: Some("user-1".into()), ..Default::default() };
# let token = JwtIssuer::new(key.clone(), None)?.issue(&extra, &options)?;
# let verifier = JwtVerifier::new(key, VerifierOptions { algorithms: vec![Algorithm::EdDSA], ..Default::default() })?;
# #[derive(serde::Deserialize)]
# struct MyClaims { sub: String, scope: String }
