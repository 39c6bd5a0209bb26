//! `Pkce` (core `oauth::pkce`).

use std::sync::Arc;

use tokenward::oauth as core;

use super::convert::display_as_core_debug;
use crate::error::FfiResult;
use crate::secret::Secret;

/// A PKCE verifier (secret, kept by the app) and its S256 challenge (RFC 7636). The printed
/// form is the core's `Debug`: the verifier is a redacted `Secret`.
#[derive(uniffi::Object, Debug)]
#[uniffi::export(Debug, Display)]
pub struct Pkce(pub(super) core::Pkce);

display_as_core_debug!(Pkce);

#[uniffi::export]
impl Pkce {
    /// A fresh verifier (32 random bytes) and its challenge.
    #[uniffi::constructor]
    pub fn generate() -> FfiResult<Arc<Self>> {
        Ok(Arc::new(Pkce(core::Pkce::generate()?)))
    }

    /// Wraps an existing verifier (43–128 unreserved characters; else `invalid_input`).
    #[uniffi::constructor]
    pub fn from_verifier(verifier: String) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(Pkce(core::Pkce::from_verifier(&verifier)?)))
    }

    /// The verifier, sent with the code exchange.
    pub fn verifier(&self) -> Arc<Secret> {
        Arc::new(Secret(self.0.verifier().clone()))
    }

    /// The S256 code challenge.
    pub fn challenge(&self) -> String {
        self.0.challenge().to_owned()
    }

    /// Always `S256`.
    pub fn method(&self) -> String {
        self.0.method().to_owned()
    }

    /// The authorization URL to open in the browser (the same argument order in every
    /// language).
    #[uniffi::method(default(scopes = []))]
    pub fn authorization_url(
        &self,
        authorize_url: String,
        client_id: String,
        redirect_uri: String,
        state: String,
        scopes: Vec<String>,
    ) -> FfiResult<String> {
        Ok(self
            .0
            .authorization_url(&authorize_url, &client_id, &redirect_uri, &state, &scopes)?)
    }
}
