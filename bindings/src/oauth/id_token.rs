//! `IdTokenVerifier` and its options (core `oauth::id_token`).

use std::sync::Arc;
use std::time::Duration;

use tokenward::oauth as core;

use super::client::OAuthClient;
use super::convert::{bounded, display_as_core_debug, on_runtime};
use crate::error::FfiResult;
use crate::secret::Secret;

/// Optional settings of an `IdTokenVerifier` (unset fields keep the core's default).
#[derive(uniffi::Record)]
pub struct IdTokenVerifierOptions {
    /// Accepted algorithms (intersected with the asymmetric allowlist; default: discovery's,
    /// else all of the allowlist).
    #[uniffi(default = None)]
    pub algorithms: Option<Vec<crate::jwt::Algorithm>>,
    /// Tolerance for `exp`, `iat` and `auth_time` (default 60 s).
    #[uniffi(default = None)]
    pub leeway: Option<Duration>,
}

impl From<IdTokenVerifierOptions> for core::IdTokenVerifierOptions {
    fn from(o: IdTokenVerifierOptions) -> Self {
        let mut c = core::IdTokenVerifierOptions::new();
        if let Some(algs) = o.algorithms {
            c = c.with_algorithms(algs.into_iter().map(Into::into));
        }
        if let Some(l) = o.leeway {
            c = c.with_leeway(l);
        }
        c
    }
}

/// What one login expects of its ID token (unset fields are not checked).
#[derive(uniffi::Record)]
pub struct IdTokenChecks {
    /// The `nonce` the login sent.
    #[uniffi(default = None)]
    pub nonce: Option<String>,
    /// The `max_age` the login sent: `auth_time` must be no older.
    #[uniffi(default = None)]
    pub max_age: Option<Duration>,
    /// The access token issued with it (compared with `at_hash`).
    #[uniffi(default = None)]
    pub access_token: Option<Arc<Secret>>,
    /// The authorization code (compared with `c_hash`).
    #[uniffi(default = None)]
    pub code: Option<Arc<Secret>>,
}

/// Verifies OpenID Connect ID tokens of one provider for one client: signature (algorithms
/// intersected with the asymmetric allowlist), `iss`, `aud`, `azp`, `exp`/`iat`, and per login
/// the `nonce`, `max_age`, `at_hash` and `c_hash`.
#[derive(uniffi::Object, Debug)]
#[uniffi::export(Debug, Display)]
pub struct IdTokenVerifier(pub(super) Arc<core::IdTokenVerifier>);

display_as_core_debug!(IdTokenVerifier);

#[uniffi::export]
impl IdTokenVerifier {
    /// A verifier of `issuer`'s ID tokens for `clientId` with local `keys`.
    #[uniffi::constructor(default(options))]
    pub fn new(
        issuer: String,
        client_id: String,
        keys: Arc<crate::jwt::KeySet>,
        options: IdTokenVerifierOptions,
    ) -> FfiResult<Arc<Self>> {
        let keys = keys.lock()?.clone();
        Ok(Arc::new(IdTokenVerifier(Arc::new(
            core::IdTokenVerifier::new(issuer, client_id, keys, options.into())?,
        ))))
    }

    /// A verifier with the provider's published keys (fetched and cached).
    #[uniffi::constructor(default(options))]
    pub fn with_remote_keys(
        issuer: String,
        client_id: String,
        keys: Arc<crate::remote::RemoteKeySet>,
        options: IdTokenVerifierOptions,
    ) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(IdTokenVerifier(Arc::new(
            core::IdTokenVerifier::with_remote_keys(
                issuer,
                client_id,
                keys.inner.clone(),
                options.into(),
            )?,
        ))))
    }

    /// The verifier of a discovered client's provider (issuer, `jwks_uri`, algorithms).
    #[uniffi::constructor(default(options))]
    pub fn for_client(
        client: Arc<OAuthClient>,
        options: IdTokenVerifierOptions,
    ) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(IdTokenVerifier(Arc::new(
            core::IdTokenVerifier::for_client(&client.0, options.into())?,
        ))))
    }

    /// The expected issuer.
    pub fn issuer(&self) -> String {
        self.0.issuer().to_owned()
    }

    /// The client id (the expected audience).
    pub fn client_id(&self) -> String {
        self.0.client_id().to_owned()
    }

    /// The accepted algorithms.
    pub fn algorithms(&self) -> Vec<crate::jwt::Algorithm> {
        self.0.algorithms().iter().map(|a| (*a).into()).collect()
    }

    /// Verifies `idToken` and returns its claims as JSON. Refusals: `INVALID_NONCE`,
    /// `INVALID_AUDIENCE`, `EXPIRED`, `INVALID_CLAIM` (`max_age`, `at_hash`, `c_hash`), …
    #[uniffi::method(default(checks))]
    pub async fn verify(&self, id_token: String, checks: IdTokenChecks) -> FfiResult<String> {
        let mut c = core::IdTokenChecks::new();
        if let Some(n) = checks.nonce {
            c = c.with_nonce(tokenward::Secret::new(n)?);
        }
        if let Some(m) = bounded(checks.max_age)? {
            c = c.with_max_age(m);
        }
        if let Some(t) = checks.access_token {
            c = c.with_access_token(t.0.clone());
        }
        if let Some(code) = checks.code {
            c = c.with_code(code.0.clone());
        }
        let v = self.0.clone();
        let claims = on_runtime(async move { v.verify(&id_token, &c).await }).await?;
        Ok(claims.to_json())
    }
}
