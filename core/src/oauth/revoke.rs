//! Token revocation (RFC 7009).

use super::form::Form;
use super::{OAuthClient, TokenTypeHint};
use crate::audit::{self, AuditEvent};
use crate::http::Operation;
use crate::{Error, Secret};

impl OAuthClient {
    /// Revokes `token`. Success includes the server not knowing the token (RFC 7009
    /// section 2.2).
    pub async fn revoke(
        &self,
        token: &Secret,
        token_type_hint: Option<TokenTypeHint>,
    ) -> Result<(), Error> {
        let mut form = Form::new();
        form.add("token", token.expose());
        if let Some(hint) = token_type_hint {
            form.add("token_type_hint", hint.as_str());
        }
        let url = self.revocation_endpoint()?.to_owned();
        let result = self
            .post_form(Operation::Revocation, &url, form)
            .await
            .map(|_| ())
            .map_err(|f| f.error);
        match &result {
            Ok(()) => {
                audit::emit(AuditEvent::success("oauth.revoke").credential(token.fingerprint()))
            }
            Err(e) => {
                audit::emit(AuditEvent::failure("oauth.revoke", e).credential(token.fingerprint()))
            }
        }
        result
    }
}
