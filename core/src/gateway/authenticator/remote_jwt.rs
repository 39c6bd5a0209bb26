//! The JWT step with a remote key set ([`AuthenticatorOptions::with_remote_jwt`]): the
//! synchronous pass verifies with the cached keys only; when keys must be fetched first (none
//! cached yet, or an unknown `kid` while a refetch is allowed) the pass stops before any side
//! effect, [`Authenticator::authenticate_async`] awaits the remote verifier (which follows the
//! remote key set's rules: cache lifetime, cooldown between refetches, single-flight, backoff)
//! and runs the pass again with its answer. The synchronous entry points refuse such a token
//! with `invalid_input` / 500, like an opaque token without a cached introspection answer.
//!
//! [`AuthenticatorOptions::with_remote_jwt`]: super::AuthenticatorOptions::with_remote_jwt

use super::pipeline::unavailable;
use super::{Authenticator, Lookup, SharedCalls, Stop};
use crate::gateway::decision::{BearerError, Principal, Refusal};
use crate::gateway::Request;
use crate::jwt::{Claims, RemoteJwtVerifier};
use crate::{Error, ErrorCode};

impl Authenticator {
    /// Whether JWTs are verified with a remote key set (then a token whose keys are not cached
    /// yet needs [`Authenticator::authenticate_async`]).
    pub fn has_remote_jwt(&self) -> bool {
        self.remote_jwt.is_some()
    }

    /// Whether a JWT verifier (local or remote) is configured.
    pub(super) fn has_jwt(&self) -> bool {
        self.jwt.is_some() || self.remote_jwt.is_some()
    }

    /// The claims of `token` by the remote verifier: from the fresh answer of the second pass,
    /// else from the cached keys; stops the pass when keys must be fetched.
    pub(super) fn remote_claims<'r>(
        &self,
        remote: &RemoteJwtVerifier,
        token: &'r str,
        lookup: Lookup<'_>,
    ) -> Result<Claims, Stop<'r>> {
        let answer = match lookup {
            Lookup::Verified(answer) => answer.clone(),
            _ => match remote.verify_cached(token) {
                Some(answer) => answer,
                None if matches!(lookup, Lookup::Suspend) => return Err(Stop::FetchKeys(token)),
                None => return Err(self.use_async().into()),
            },
        };
        answer.map_err(|e| self.remote_refusal(&e).into())
    }

    /// A failure of the remote verifier: the key endpoint failing is 503 with its code, no
    /// challenge (the token was not judged); a configuration error is 500; anything else
    /// refuses the token (401 `invalid_token`).
    fn remote_refusal(&self, e: &Error) -> Refusal {
        match e.code() {
            ErrorCode::Network
            | ErrorCode::Timeout
            | ErrorCode::ServerError
            | ErrorCode::InvalidResponse => unavailable(e),
            ErrorCode::InvalidInput | ErrorCode::Internal => Refusal {
                status: 500,
                ..unavailable(e)
            },
            code => self.challenger.bearer(code, BearerError::InvalidToken, &[]),
        }
    }

    /// The second pass after the remote verifier fetched keys for `token`.
    pub(super) async fn finish_remote_jwt(
        &self,
        req: &Request<'_>,
        token: &str,
    ) -> Result<Principal, Refusal> {
        let answer = match &self.remote_jwt {
            Some(remote) => remote.verify(token).await,
            None => Err(Error::new(
                ErrorCode::Internal,
                "no remote JWT verifier is configured",
            )),
        };
        let pass = self.pass_with(req, Lookup::Verified(&answer), SharedCalls::Deferred);
        self.settle(req, pass).await
    }
}
