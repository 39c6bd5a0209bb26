//! Proof Key for Code Exchange (RFC 7636), S256 only.

use aws_lc_rs::digest;

use super::form::b64url;
use crate::{Error, ErrorCode, Secret};

/// A PKCE verifier (secret, kept by the app) and its S256 challenge (sent in the
/// authorization request).
#[derive(Debug, Clone)]
pub struct Pkce {
    verifier: Secret,
    challenge: String,
}

impl Pkce {
    /// A fresh verifier of 32 random bytes (43 base64url characters) and its challenge.
    pub fn generate() -> Result<Pkce, Error> {
        let mut bytes = [0u8; 32];
        aws_lc_rs::rand::fill(&mut bytes)
            .map_err(|_| Error::new(ErrorCode::Internal, "the system random generator failed"))?;
        Pkce::from_verifier(&b64url(&bytes))
    }

    /// Wraps an existing verifier: 43–128 characters of `[A-Za-z0-9-._~]`.
    pub fn from_verifier(verifier: &str) -> Result<Pkce, Error> {
        let ok_char = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
        if !(43..=128).contains(&verifier.len()) || !verifier.bytes().all(ok_char) {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "a PKCE verifier has 43 to 128 unreserved characters",
            ));
        }
        let challenge = b64url(digest::digest(&digest::SHA256, verifier.as_bytes()).as_ref());
        Ok(Pkce {
            verifier: Secret::new(verifier)?,
            challenge,
        })
    }

    /// The verifier, sent with the code exchange.
    pub fn verifier(&self) -> &Secret {
        &self.verifier
    }

    /// The S256 code challenge.
    pub fn challenge(&self) -> &str {
        &self.challenge
    }

    /// Always `S256`.
    pub fn method(&self) -> &'static str {
        "S256"
    }

    /// The authorization URL to open in the browser: `authorize_url` with `response_type=code`,
    /// `client_id`, `redirect_uri`, `state`, `scope` (when `scopes` is not empty) and the
    /// challenge. The arguments are in this order in every language (`scopes` last: it is the
    /// optional one in the bindings).
    pub fn authorization_url(
        &self,
        authorize_url: &str,
        client_id: &str,
        redirect_uri: &str,
        state: &str,
        scopes: &[String],
    ) -> Result<String, Error> {
        let mut url = reqwest::Url::parse(authorize_url)
            .map_err(|_| Error::new(ErrorCode::InvalidInput, "not a valid URL"))?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("response_type", "code")
                .append_pair("client_id", client_id)
                .append_pair("redirect_uri", redirect_uri);
            if !scopes.is_empty() {
                q.append_pair("scope", &scopes.join(" "));
            }
            q.append_pair("state", state)
                .append_pair("code_challenge", &self.challenge)
                .append_pair("code_challenge_method", "S256");
        }
        Ok(url.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b() {
        let p = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
        assert_eq!(p.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assert!(!format!("{p:?}").contains("dBjft"));
    }

    #[test]
    fn generated_verifiers_are_valid_and_distinct() {
        let (a, b) = (Pkce::generate().unwrap(), Pkce::generate().unwrap());
        assert_eq!(a.verifier().expose().len(), 43);
        assert_ne!(a.verifier().expose(), b.verifier().expose());
        assert!(Pkce::from_verifier("short").is_err());
        let url = a
            .authorization_url(
                "https://as.example/authorize",
                "app",
                "app://cb",
                "st",
                &["openid".into()],
            )
            .unwrap();
        assert!(url.contains("code_challenge_method=S256") && url.contains(a.challenge()));
        assert!(
            url.contains("&state=st&") && url.contains("&scope=openid&"),
            "{url}"
        );
    }
}
