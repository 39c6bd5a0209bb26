//! Token requests: client credentials, refresh token (with rotation), authorization code + PKCE.

use super::errors::Failure;
use super::form::Form;
use super::TokenResponse;
use crate::audit::{self, AuditEvent};
use crate::{Error, Secret};

/// A grant to present at the token endpoint.
#[derive(Debug, Clone)]
pub enum Grant {
    /// `client_credentials` (RFC 6749 section 4.4).
    ClientCredentials {
        /// Requested scopes (may be empty).
        scopes: Vec<String>,
    },
    /// `refresh_token` (RFC 6749 section 6).
    RefreshToken {
        /// The refresh token.
        refresh_token: Secret,
        /// Requested scopes (empty: the originally granted ones).
        scopes: Vec<String>,
    },
    /// `authorization_code` with the PKCE verifier (RFC 6749 section 4.1.3, RFC 7636).
    AuthorizationCode {
        /// The code from the redirect.
        code: Secret,
        /// The redirect URI used in the authorization request.
        redirect_uri: String,
        /// The PKCE verifier, when PKCE was used.
        code_verifier: Option<Secret>,
    },
}

impl Grant {
    fn form(&self) -> (Form, &[String]) {
        let mut form = Form::new();
        let scopes: &[String] = match self {
            Grant::ClientCredentials { scopes } => {
                form.add("grant_type", "client_credentials");
                scopes
            }
            Grant::RefreshToken {
                refresh_token,
                scopes,
            } => {
                form.add("grant_type", "refresh_token")
                    .add("refresh_token", refresh_token.expose());
                scopes
            }
            Grant::AuthorizationCode {
                code,
                redirect_uri,
                code_verifier,
            } => {
                form.add("grant_type", "authorization_code")
                    .add("code", code.expose())
                    .add("redirect_uri", redirect_uri);
                if let Some(v) = code_verifier {
                    form.add("code_verifier", v.expose());
                }
                &[]
            }
        };
        if !scopes.is_empty() {
            form.add("scope", &scopes.join(" "));
        }
        (form, scopes)
    }
}

// `super::OAuthClient`, not a `use`: the client names `Grant` in its API, so this module must
// not import the client (a cycle in the module graph).
impl super::OAuthClient {
    /// Presents `grant` at the token endpoint.
    pub async fn request_token(&self, grant: &Grant) -> Result<TokenResponse, Error> {
        self.request_token_detailed(grant)
            .await
            .map_err(|f| f.error)
    }

    /// Like [`Self::request_token`], keeping the server's `Retry-After`.
    pub async fn request_token_detailed(&self, grant: &Grant) -> Result<TokenResponse, Failure> {
        let scopes = grant.form().1.to_vec();
        let result = async {
            let response = self.post_token_form(|| grant.form().0).await?;
            let now = self.clock().now();
            let parsed = TokenResponse::parse(&response.body, now, &scopes)?;
            Ok::<_, Failure>(self.bind_dpop(parsed)?)
        }
        .await;
        match &result {
            Ok(r) => audit::emit(
                AuditEvent::success("oauth.token")
                    .credential(r.access_token.secret().fingerprint()),
            ),
            Err(f) => audit::emit(AuditEvent::failure("oauth.token", &f.error)),
        }
        result
    }

    /// The client-credentials grant.
    pub async fn client_credentials(&self, scopes: &[String]) -> Result<TokenResponse, Error> {
        self.request_token(&Grant::ClientCredentials {
            scopes: scopes.to_vec(),
        })
        .await
    }

    /// The refresh-token grant. If the answer carries a new refresh token (rotation), it
    /// replaces the old one: keep `response.refresh_token` when present.
    pub async fn refresh(
        &self,
        refresh_token: &Secret,
        scopes: &[String],
    ) -> Result<TokenResponse, Error> {
        self.request_token(&Grant::RefreshToken {
            refresh_token: refresh_token.clone(),
            scopes: scopes.to_vec(),
        })
        .await
    }

    /// Exchanges an authorization code (with its PKCE verifier) for tokens.
    pub async fn exchange_code(
        &self,
        code: &Secret,
        redirect_uri: &str,
        pkce: Option<&super::Pkce>,
    ) -> Result<TokenResponse, Error> {
        self.request_token(&Grant::AuthorizationCode {
            code: code.clone(),
            redirect_uri: redirect_uri.to_owned(),
            code_verifier: pkce.map(|p| p.verifier().clone()),
        })
        .await
    }
}
