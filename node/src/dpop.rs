//! DPoP for JS (RFC 9449): `DpopKey` and `DpopVerifier`. Conversion only; every check is in
//! `tokenward::dpop`.

use secrecy::zeroize::Zeroizing;
use std::sync::Arc;

use crate::napi;
use crate::napi::bindgen_prelude::ClassInstance;
use napi_derive::napi;
use serde_json::{Map, Value};
use tokenward::dpop as core;

use crate::error::{Code, IntoJsResult};
use crate::gateway::ManualClock;
use crate::secret::Secret;

fn seconds(value: f64, what: &'static str) -> napi::Result<std::time::Duration, Code> {
    tokenward::clock::duration_from_secs_f64(value, what).js()
}

/// Options of `DpopKey.proof`.
#[napi(object, object_to_js = false)]
pub struct DpopProofOptions<'a> {
    /// The access token the request carries: the proof gets its hash as `ath`.
    pub access_token: Option<String>,
    /// The server's `DPoP-Nonce`.
    pub nonce: Option<String>,
    /// The clock `iat` is read from (tests); the system clock when unset.
    pub clock: Option<ClassInstance<'a, ManualClock>>,
}

/// A DPoP key pair (ES256 or EdDSA). Printed forms show the algorithm and thumbprint only;
/// the private key leaves through `exportPrivateKey()` alone.
#[napi]
pub struct DpopKey(pub(crate) core::DpopKey);

#[napi]
impl DpopKey {
    /// A new key pair for `algorithm` (default `ES256`).
    #[napi(factory, catch_unwind, ts_args_type = "algorithm?: 'ES256' | 'EdDSA'")]
    pub fn generate(algorithm: Option<String>) -> napi::Result<Self, Code> {
        let alg = algorithm
            .as_deref()
            .unwrap_or("ES256")
            .parse::<tokenward::jwt::Algorithm>()
            .js()?;
        Ok(DpopKey(core::DpopKey::generate(alg).js()?))
    }

    /// The key from the PKCS#8 PEM `exportPrivateKey()` returned.
    #[napi(factory, catch_unwind)]
    pub fn from_private_key(pem: String) -> napi::Result<Self, Code> {
        Ok(DpopKey(
            core::DpopKey::from_private_key(&Zeroizing::new(pem)).js()?,
        ))
    }

    /// The private key as PKCS#8 PEM in a `Secret` (the one way out).
    #[napi(catch_unwind)]
    pub fn export_private_key(&self) -> napi::Result<Secret, Code> {
        Ok(Secret(self.0.export_private_key().js()?))
    }

    /// `ES256` or `EdDSA`.
    #[napi(getter, catch_unwind, ts_return_type = "'ES256' | 'EdDSA'")]
    pub fn algorithm(&self) -> &'static str {
        self.0.algorithm().as_str()
    }

    /// The RFC 7638 thumbprint (`jkt`) tokens are bound to.
    #[napi(getter, catch_unwind)]
    pub fn thumbprint(&self) -> String {
        self.0.thumbprint().to_owned()
    }

    /// The public key as a JWK.
    #[napi(catch_unwind)]
    pub fn public_jwk(&self) -> Map<String, Value> {
        self.0.public_jwk().clone()
    }

    /// A proof for one request: `htu` is `url` without query and fragment.
    #[napi(catch_unwind)]
    pub fn proof(
        &self,
        method: String,
        url: String,
        options: Option<DpopProofOptions<'_>>,
    ) -> napi::Result<String, Code> {
        let mut o = core::DpopProofOptions::new();
        if let Some(opts) = options {
            if let Some(t) = opts.access_token {
                o = o.with_access_token(t);
            }
            if let Some(n) = opts.nonce {
                o = o.with_nonce(n);
            }
            if let Some(c) = opts.clock {
                o = o.with_clock(c.shared());
            }
        }
        self.0.proof(&method, &url, &o).js()
    }

    /// `DpopKey(ES256, <thumbprint>)`.
    #[napi(catch_unwind)]
    #[allow(clippy::inherent_to_string)]
    pub fn to_string(&self) -> String {
        format!(
            "DpopKey({}, {})",
            self.0.algorithm().as_str(),
            self.0.thumbprint()
        )
    }
}

/// Options of `new DpopVerifier(options)`; an unset field keeps the core default.
#[napi(object, object_to_js = false)]
pub struct DpopVerifierOptions<'a> {
    /// Accepted proof algorithms (default `['ES256', 'EdDSA']`; asymmetric only).
    pub algorithms: Option<Vec<String>>,
    /// Seconds a proof's `iat` may be old (default 60).
    pub max_age: Option<f64>,
    /// Seconds of clock skew tolerated on `iat` (default 5).
    pub leeway: Option<f64>,
    /// `jti` values remembered (default 100 000).
    pub replay_cache_size: Option<u32>,
    /// Require server nonces valid for this many seconds (one to two lifetimes).
    pub nonce_lifetime: Option<f64>,
    /// The clock (tests); the system clock when unset.
    pub clock: Option<ClassInstance<'a, ManualClock>>,
    /// Where the `jti` replay cache lives: `'memory'` (default) or `'redis://…'`, shared by
    /// every instance using that Redis (fails closed when Redis cannot answer).
    pub replay_cache_store: Option<String>,
}

/// Options of `DpopVerifier.verify`.
#[napi(object)]
pub struct DpopChecks {
    /// The request's access token: `ath` must be its hash.
    pub access_token: Option<String>,
    /// The token's `cnf.jkt`: the proof's key must have it.
    pub jkt: Option<String>,
}

/// An accepted proof.
#[napi(object)]
pub struct VerifiedDpopProof {
    /// The thumbprint of the proof's key.
    pub jkt: String,
    /// The proof's `jti`.
    pub jti: String,
    /// The proof's `iat` (Unix seconds).
    pub iat: f64,
}

/// Verifies DPoP proofs (the server side); holds the replay cache.
#[napi]
pub struct DpopVerifier(pub(crate) Arc<core::DpopVerifier>);

#[napi]
impl DpopVerifier {
    /// `new DpopVerifier(options?)`; invalid options throw `invalid_input`.
    #[napi(constructor, catch_unwind)]
    pub fn new(options: Option<DpopVerifierOptions<'_>>) -> napi::Result<Self, Code> {
        let mut o = core::DpopVerifierOptions::new();
        if let Some(opts) = options {
            if let Some(algs) = opts.algorithms {
                let algs = algs
                    .iter()
                    .map(|a| a.parse::<tokenward::jwt::Algorithm>().js())
                    .collect::<napi::Result<Vec<_>, Code>>()?;
                o = o.with_algorithms(algs);
            }
            if let Some(s) = opts.max_age {
                o = o.with_max_age(seconds(s, "maxAge")?);
            }
            if let Some(s) = opts.leeway {
                o = o.with_leeway(seconds(s, "leeway")?);
            }
            if let Some(n) = opts.replay_cache_size {
                o = o.with_replay_cache_size(n as usize);
            }
            if let Some(s) = opts.nonce_lifetime {
                o = o.with_nonce_lifetime(seconds(s, "nonceLifetime")?);
            }
            if let Some(c) = opts.clock {
                o = o.with_clock(c.shared());
            }
            if let Some(url) = opts.replay_cache_store {
                o = o.with_replay_cache_store(url);
            }
        }
        Ok(DpopVerifier(Arc::new(core::DpopVerifier::new(o).js()?)))
    }

    /// Verifies `proof` for `method` on `url` (as the server sees it). Throws
    /// `invalid_dpop_proof` or `use_dpop_nonce`.
    #[napi(catch_unwind)]
    pub fn verify(
        &self,
        proof: String,
        method: String,
        url: String,
        checks: Option<DpopChecks>,
    ) -> napi::Result<VerifiedDpopProof, Code> {
        let mut c = core::DpopChecks::new();
        if let Some(checks) = checks {
            if let Some(t) = checks.access_token {
                c = c.with_access_token(t);
            }
            if let Some(j) = checks.jkt {
                c = c.with_jkt(j);
            }
        }
        let v = self.0.verify(&proof, &method, &url, &c).js()?;
        Ok(VerifiedDpopProof {
            jkt: v.jkt,
            jti: v.jti,
            iat: v.iat as f64,
        })
    }

    /// The `DPoP-Nonce` to send now, or `null` without nonces.
    #[napi(catch_unwind)]
    pub fn nonce(&self) -> Option<String> {
        self.0.nonce()
    }

    /// How many `jti` values the replay cache holds.
    #[napi(getter, catch_unwind)]
    pub fn replay_cache_len(&self) -> u32 {
        u32::try_from(self.0.replay_cache_len()).unwrap_or(u32::MAX)
    }
}

/// What an HTTP hook does with an answer (the core's rule, shared by every language's hooks).
#[napi(object)]
pub struct RetryAction {
    /// `no_retry`, `refresh_and_retry` or `retry_with_nonce`.
    #[napi(ts_type = "'no_retry' | 'refresh_and_retry' | 'retry_with_nonce'")]
    pub kind: String,
    /// The nonce to retry with (`retry_with_nonce`), else null.
    pub nonce: Option<String>,
}

/// What an HTTP hook does with an answer `status` given its `WWW-Authenticate` values (joined
/// by `", "`) and `DPoP-Nonce` header: retry once with the nonce (a DPoP `use_dpop_nonce`
/// challenge), refresh the token and retry once (`tokenRejected`), or nothing.
#[napi(catch_unwind)]
pub fn retry_action(
    status: u32,
    www_authenticate: Option<String>,
    dpop_nonce: Option<String>,
) -> RetryAction {
    use tokenward::refresh::RetryAction as A;
    let action = u16::try_from(status).map_or(A::NoRetry, |s| {
        tokenward::refresh::retry_action(s, www_authenticate.as_deref(), dpop_nonce.as_deref())
    });
    let (kind, nonce) = match action {
        A::NoRetry => ("no_retry", None),
        A::RefreshAndRetry => ("refresh_and_retry", None),
        A::RetryWithNonce(n) => ("retry_with_nonce", Some(n)),
    };
    RetryAction {
        kind: kind.to_owned(),
        nonce,
    }
}
