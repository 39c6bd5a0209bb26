//! `Authenticator` (core `gateway::authenticator`).

use std::sync::Arc;

use tokenward::gateway as core;
use tokenward::Error;

use super::decision::AuthDecision;
use super::options::AuthenticatorOptions;
use super::request::AuthRequest;
use crate::error::FfiResult;
use crate::oauth::on_runtime;

/// The in-process gateway: request credentials + client address → `Principal` or `Refusal`.
/// Build once; safe to share between threads.
#[derive(uniffi::Object, Debug)]
pub struct Authenticator(Arc<core::Authenticator>);

fn decision(result: Result<core::Principal, core::Refusal>) -> AuthDecision {
    match result {
        Ok(p) => AuthDecision::Allowed {
            principal: p.into(),
        },
        Err(r) => AuthDecision::Refused { refusal: r.into() },
    }
}

#[uniffi::export]
impl Authenticator {
    /// Validates `options`; fails with `invalid_input` (no credential type, a bad CIDR, a
    /// zero rate limit, a realm with control characters).
    #[uniffi::constructor]
    pub fn new(options: AuthenticatorOptions) -> FfiResult<Arc<Self>> {
        let inner = core::Authenticator::new(options.into_core())?;
        Ok(Arc::new(Authenticator(Arc::new(inner))))
    }

    /// Authenticates and authorizes one request. A refusal is returned
    /// (`AuthDecision.Refused`), not thrown; only an unparsable `client_ip` throws
    /// (`invalid_input`). Never blocks, except to introspect an uncached opaque token when
    /// `introspection` is configured (prefer `authenticate_async` there).
    pub fn authenticate(&self, request: AuthRequest) -> FfiResult<AuthDecision> {
        let request = request.into_core()?;
        Ok(decision(request.view(|r| self.0.authenticate_blocking(r))))
    }

    /// `authenticate` for async callers: an opaque token is introspected on the core runtime
    /// without blocking the caller. Without introspection it answers at once.
    pub async fn authenticate_async(&self, request: AuthRequest) -> FfiResult<AuthDecision> {
        let request = request.into_core()?;
        let inner = self.0.clone();
        on_runtime(
            async move { Ok::<_, Error>(decision(request.authenticate_async(&inner).await)) },
        )
        .await
    }

    /// Whether opaque bearer tokens go to introspection (prefer `authenticate_async` then).
    pub fn has_introspection(&self) -> bool {
        self.0.has_introspection()
    }

    /// Whether JWTs are verified with remote keys (`remote_jwt`): `authenticate` then uses the
    /// cached keys only, `authenticate_async` fetches them.
    pub fn has_remote_jwt(&self) -> bool {
        self.0.has_remote_jwt()
    }

    /// Whether any state of the pipeline is on Redis or PostgreSQL: `authenticate` then waits
    /// for network round trips (prefer `authenticate_async` on an event loop).
    pub fn has_shared_stores(&self) -> bool {
        self.0.has_shared_stores()
    }

    /// Number of cached introspection answers (0 without introspection).
    pub fn introspection_cache_len(&self) -> u64 {
        self.0.introspection_cache_len() as u64
    }

    /// The `DPoP-Nonce` to send now (also on accepted requests, to rotate it); `None` without
    /// DPoP nonces.
    pub fn dpop_nonce(&self) -> Option<String> {
        self.0.dpop_nonce()
    }

    /// The lower-case names of the headers this configuration reads; other headers cannot
    /// change a decision, so an adapter may pass only these.
    pub fn header_names(&self) -> Vec<String> {
        self.0.header_names().to_vec()
    }
}
