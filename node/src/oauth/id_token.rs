//! `IdTokenVerifier` and its options (core `oauth::id_token`).

use crate::napi;
use crate::napi::bindgen_prelude::Either;
use napi_derive::napi;
use tokenward::oauth::{self};

use super::client::OAuthClient;
use super::convert::{failure, secs};
use crate::error::{Code, IntoJsResult};
use crate::jwt_remote::Failure;

/// Optional settings of an `IdTokenVerifier`.
#[napi(object)]
pub struct IdTokenVerifierOptions {
    /// Accepted algorithms (intersected with the asymmetric allowlist; default: discovery's,
    /// else all of the allowlist).
    #[napi(ts_type = "Array<Algorithm>")]
    pub algorithms: Option<Vec<String>>,
    /// Tolerance in seconds for `exp`, `iat` and `auth_time` (default 60).
    pub leeway: Option<f64>,
}

fn id_token_options(
    options: Option<IdTokenVerifierOptions>,
) -> tokenward::Result<oauth::IdTokenVerifierOptions> {
    let mut o = oauth::IdTokenVerifierOptions::new();
    let Some(opts) = options else { return Ok(o) };
    if let Some(algs) = opts.algorithms {
        let algs = algs
            .iter()
            .map(|a| a.parse::<tokenward::jwt::Algorithm>())
            .collect::<tokenward::Result<Vec<_>>>()?;
        o = o.with_algorithms(algs);
    }
    if let Some(l) = opts.leeway {
        o = o.with_leeway(secs(l, "leeway")?);
    }
    Ok(o)
}

/// What one login expects of its ID token.
#[napi(object)]
pub struct IdTokenChecks {
    /// The `nonce` the login sent.
    pub nonce: Option<String>,
    /// The `max_age` (seconds) the login sent: `auth_time` must be no older.
    pub max_age: Option<f64>,
    /// The access token issued with it (compared with `at_hash`).
    pub access_token: Option<String>,
    /// The authorization code (compared with `c_hash`).
    pub code: Option<String>,
}

/// Verifies OpenID Connect ID tokens of one provider for one client.
#[napi]
pub struct IdTokenVerifier(pub(crate) oauth::IdTokenVerifier);

#[napi]
impl IdTokenVerifier {
    /// A verifier of `issuer`'s ID tokens for `clientId`, with a `KeySet` or a `RemoteKeySet`.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        issuer: String,
        client_id: String,
        keys: Either<&crate::jwt::KeySet, &crate::jwt_remote::RemoteKeySet>,
        options: Option<IdTokenVerifierOptions>,
    ) -> napi::Result<Self, Code> {
        let o = id_token_options(options).js()?;
        let v = match keys {
            Either::A(k) => oauth::IdTokenVerifier::new(issuer, client_id, k.0.clone(), o),
            Either::B(k) => {
                oauth::IdTokenVerifier::with_remote_keys(issuer, client_id, k.inner.clone(), o)
            }
        };
        Ok(IdTokenVerifier(v.js()?))
    }

    /// The verifier of a discovered client's provider (issuer, `jwks_uri`, algorithms).
    #[napi(factory, catch_unwind)]
    pub fn for_client(
        client: &OAuthClient,
        options: Option<IdTokenVerifierOptions>,
    ) -> napi::Result<Self, Code> {
        let o = id_token_options(options).js()?;
        Ok(IdTokenVerifier(
            oauth::IdTokenVerifier::for_client(&client.0, o).js()?,
        ))
    }

    /// The expected issuer.
    #[napi(getter, catch_unwind)]
    pub fn issuer(&self) -> String {
        self.0.issuer().to_owned()
    }

    /// The client id (the expected audience).
    #[napi(getter, catch_unwind)]
    pub fn client_id(&self) -> String {
        self.0.client_id().to_owned()
    }

    /// The accepted algorithms.
    #[napi(getter, catch_unwind, ts_return_type = "Array<Algorithm>")]
    pub fn algorithms(&self) -> Vec<&'static str> {
        self.0.algorithms().iter().map(|a| a.as_str()).collect()
    }

    /// Verifies an ID token (use `verify`): the claims as JSON text, or the failure.
    #[napi(js_name = "verifyRaw", skip_typescript, catch_unwind)]
    pub async fn verify_raw(
        &self,
        id_token: String,
        checks: Option<IdTokenChecks>,
    ) -> napi::Result<Either<String, Failure>> {
        crate::unwind::caught(async move {
            let built = (|| -> tokenward::Result<oauth::IdTokenChecks> {
                let mut c = oauth::IdTokenChecks::new();
                let Some(k) = checks else { return Ok(c) };
                if let Some(n) = k.nonce {
                    c = c.with_nonce(tokenward::Secret::new(n)?);
                }
                if let Some(m) = k.max_age {
                    c = c.with_max_age(secs(m, "maxAge")?);
                }
                if let Some(t) = k.access_token {
                    c = c.with_access_token(tokenward::Secret::new(t)?);
                }
                if let Some(code) = k.code {
                    c = c.with_code(tokenward::Secret::new(code)?);
                }
                Ok(c)
            })();
            let result = match built {
                Ok(c) => self.0.verify(&id_token, &c).await,
                Err(e) => Err(e),
            };
            Ok(match result {
                Ok(claims) => Either::A(claims.to_json()),
                Err(e) => Either::B(failure(e)),
            })
        })
        .await
    }
}
