//! DPoP (RFC 9449) at the token endpoint: a proof on every token request, one retry on the
//! server's `use_dpop_nonce` challenge, and `token_type: DPoP` answers bound to the key.
//!
//! `super::OAuthClient` is named by path, not imported: the client module does not depend on
//! this one, and this one adds methods to it.

use super::errors::{self, Failure};
use super::form::Form;
use super::TokenResponse;
use crate::http::{HttpResponse, Operation};
use crate::{Error, ErrorCode};

/// The `DPoP-Nonce` header of an answer, when it holds a usable nonce.
pub(crate) fn dpop_nonce(response: &HttpResponse) -> Option<&str> {
    response
        .headers
        .get("dpop-nonce")
        .and_then(|v| v.to_str().ok())
        .filter(|n| crate::dpop::is_valid_nonce(n))
}

impl super::OAuthClient {
    /// POSTs the token request `form()` makes: with a `DPoP` proof when the client has a key,
    /// once more with the server's nonce when it answers `use_dpop_nonce` (never twice).
    pub(crate) async fn post_token_form(
        &self,
        form: impl Fn() -> Form,
    ) -> Result<HttpResponse, Failure> {
        let url = self.token_url();
        let Some(signer) = self.dpop_signer() else {
            return self.post_form(Operation::Token, url, form()).await;
        };
        let mut nonce: Option<String> = None;
        for attempt in 0..2 {
            let proof = signer.proof("POST", url, None, nonce.as_deref())?;
            let response = self
                .send_form(Operation::Token, url, form(), Some(&proof))
                .await?;
            let fresh = dpop_nonce(&response).map(str::to_owned);
            if let Some(n) = &fresh {
                signer.remember_nonce(url, n);
            }
            if (200..300).contains(&response.status) {
                return Ok(response);
            }
            let failure = errors::failure(&response);
            if attempt == 0 && failure.error.code() == ErrorCode::UseDpopNonce && fresh.is_some() {
                nonce = fresh;
                continue;
            }
            return Err(failure);
        }
        Err(Error::new(
            ErrorCode::Internal,
            "unreachable: the DPoP retry loop ended",
        )
        .into())
    }

    /// Binds a `token_type: DPoP` answer to the client's key; without a key such an answer
    /// is `invalid_response` (the client cannot use the token).
    pub(crate) fn bind_dpop(&self, mut response: TokenResponse) -> Result<TokenResponse, Error> {
        if !response.access_token.is_dpop() {
            return Ok(response);
        }
        let signer = self.dpop_signer().ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidResponse,
                "the server issued a DPoP-bound token but the client has no DPoP key",
            )
        })?;
        response.access_token = response.access_token.with_dpop_signer(signer.clone());
        Ok(response)
    }
}
