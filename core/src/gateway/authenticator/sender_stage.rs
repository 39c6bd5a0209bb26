//! The sender-constraint step of the pipeline (FAPI 2.0, docs/fapi.md): with
//! `require_sender_constrained`, an access token must be bound to a key or certificate this
//! authenticator checks. The bindings themselves are checked before, in `dpop_stage.rs` and
//! `mtls_stage.rs`.

use serde_json::Value;

use super::Authenticator;
use crate::gateway::decision::{CredentialKind, Principal, Refusal};
use crate::ErrorCode;

impl Authenticator {
    /// Whether only sender-constrained access tokens are accepted
    /// ([`AuthenticatorOptions::with_require_sender_constrained`](super::AuthenticatorOptions::with_require_sender_constrained)).
    pub fn has_require_sender_constrained(&self) -> bool {
        self.require_sender_constrained
    }

    /// After the DPoP and mTLS stages: an access token (JWT or introspected) must carry
    /// `cnf.jkt` with DPoP on, or `cnf.x5t#S256` with mTLS-bound tokens on (those stages have
    /// then checked the proof or the certificate). Else `missing_claim`, 401 `invalid_token`
    /// with a `DPoP` challenge when DPoP is on, so the client knows what to use.
    pub(crate) fn sender_constrained(&self, principal: &Principal) -> Result<(), Refusal> {
        if !self.require_sender_constrained
            || !matches!(
                principal.kind,
                CredentialKind::Jwt | CredentialKind::Introspected
            )
        {
            return Ok(());
        }
        let cnf = match principal.claims.get("cnf") {
            Some(Value::Object(cnf)) => Some(cnf),
            _ => None,
        };
        let has =
            |member: &str| cnf.is_some_and(|c| matches!(c.get(member), Some(Value::String(_))));
        let bound =
            (self.dpop.is_some() && has("jkt")) || (self.mtls_bound_tokens && has("x5t#S256"));
        if bound {
            Ok(())
        } else {
            Err(self
                .challenger
                .unbound(ErrorCode::MissingClaim, self.dpop.is_some()))
        }
    }
}
