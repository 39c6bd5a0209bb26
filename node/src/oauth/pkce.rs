//! `Pkce` (core `oauth::pkce`).

use crate::napi;
use napi_derive::napi;
use tokenward::oauth::{self};

use crate::error::{Code, IntoJsResult};
use crate::secret::Secret;

/// A PKCE (RFC 7636, S256) verifier and its challenge, for the authorization-code flow.
#[napi]
pub struct Pkce(pub(crate) oauth::Pkce);

#[napi]
impl Pkce {
    /// A fresh random verifier (43 characters) and its challenge.
    #[napi(factory, catch_unwind)]
    pub fn generate() -> napi::Result<Self, Code> {
        Ok(Pkce(oauth::Pkce::generate().js()?))
    }

    /// Wraps an existing verifier (43–128 unreserved characters).
    #[napi(factory, catch_unwind)]
    pub fn from_verifier(verifier: String) -> napi::Result<Self, Code> {
        Ok(Pkce(oauth::Pkce::from_verifier(&verifier).js()?))
    }

    /// The verifier (a `Secret`; sent with the code exchange).
    #[napi(getter, catch_unwind)]
    pub fn verifier(&self) -> Secret {
        Secret(self.0.verifier().clone())
    }

    /// The S256 code challenge.
    #[napi(getter, catch_unwind)]
    pub fn challenge(&self) -> String {
        self.0.challenge().to_owned()
    }

    /// Always `S256`.
    #[napi(getter, catch_unwind)]
    pub fn method(&self) -> &'static str {
        self.0.method()
    }

    /// The URL to open in the browser: `authorizeUrl` with `response_type=code`, `client_id`,
    /// `redirect_uri`, `state`, `scope` and the challenge (the same argument order in every
    /// language).
    #[napi(catch_unwind)]
    pub fn authorization_url(
        &self,
        authorize_url: String,
        client_id: String,
        redirect_uri: String,
        state: String,
        scopes: Option<Vec<String>>,
    ) -> napi::Result<String, Code> {
        self.0
            .authorization_url(
                &authorize_url,
                &client_id,
                &redirect_uri,
                &state,
                &scopes.unwrap_or_default(),
            )
            .js()
    }

    /// Redacted: the challenge only.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn to_display_string(&self) -> String {
        format!("Pkce(challenge={}, method=S256)", self.0.challenge())
    }

    /// Redacted: the challenge only.
    #[napi(js_name = "toJSON", catch_unwind)]
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "challenge": self.0.challenge(), "method": "S256" })
    }
}

// ---------------------------------------------------------------------------------------------
// The app login flow
