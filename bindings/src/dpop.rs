//! DPoP for Swift and Kotlin (RFC 9449): `DpopKey` and `DpopVerifier`. Conversion only; every
//! check is in `tokenward::dpop`.

use secrecy::zeroize::Zeroizing;
use std::sync::Arc;
use std::time::Duration;

use tokenward::dpop as core;

use crate::clock::ManualClock;
use crate::error::FfiResult;
use crate::jwt::Algorithm;
use crate::secret::Secret;

/// A DPoP key pair (ES256 or EdDSA). Its printed form shows the algorithm and thumbprint; the
/// private key leaves through `exportPrivateKey()` alone (for the platform keystore).
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct DpopKey(pub(crate) core::DpopKey);

impl std::fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.0, f)
    }
}

impl std::fmt::Display for DpopKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "DpopKey(algorithm: {}, thumbprint: {})",
            self.0.algorithm().as_str(),
            self.0.thumbprint()
        )
    }
}

/// What a proof carries besides the request.
#[derive(uniffi::Record, Default)]
pub struct DpopProofOptions {
    /// The access token the request carries: the proof gets its hash as `ath`.
    #[uniffi(default = None)]
    pub access_token: Option<String>,
    /// The server's `DPoP-Nonce`.
    #[uniffi(default = None)]
    pub nonce: Option<String>,
    /// The clock `iat` is read from (tests); the system clock when `None`.
    #[uniffi(default = None)]
    pub clock: Option<Arc<ManualClock>>,
}

#[uniffi::export]
impl DpopKey {
    /// A new key pair for `algorithm` (`ES256` or `EdDSA`; others fail with `invalid_input`).
    #[uniffi::constructor]
    pub fn generate(algorithm: Algorithm) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(DpopKey(core::DpopKey::generate(
            algorithm.into(),
        )?)))
    }

    /// The key from the PKCS#8 PEM `exportPrivateKey()` returned.
    #[uniffi::constructor]
    pub fn from_private_key(pem: String) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(DpopKey(core::DpopKey::from_private_key(
            &Zeroizing::new(pem),
        )?)))
    }

    /// The private key as PKCS#8 PEM in a `Secret` (the one way out).
    pub fn export_private_key(&self) -> FfiResult<Arc<Secret>> {
        Ok(Arc::new(Secret(self.0.export_private_key()?)))
    }

    /// `ES256` or `EdDSA`.
    pub fn algorithm(&self) -> Algorithm {
        self.0.algorithm().into()
    }

    /// The RFC 7638 thumbprint (`jkt`) tokens are bound to.
    pub fn thumbprint(&self) -> String {
        self.0.thumbprint().to_owned()
    }

    /// The public key as a JWK (JSON text).
    pub fn public_jwk(&self) -> String {
        serde_json::Value::Object(self.0.public_jwk().clone()).to_string()
    }

    /// A proof for one request: `htu` is `url` without query and fragment.
    #[uniffi::method(default(options = None))]
    pub fn proof(
        &self,
        method: String,
        url: String,
        options: Option<DpopProofOptions>,
    ) -> FfiResult<String> {
        let options = options.unwrap_or_default();
        let mut o = core::DpopProofOptions::new();
        if let Some(t) = options.access_token {
            o = o.with_access_token(t);
        }
        if let Some(n) = options.nonce {
            o = o.with_nonce(n);
        }
        if let Some(c) = options.clock {
            o = o.with_clock(c.shared());
        }
        Ok(self.0.proof(&method, &url, &o)?)
    }
}

/// Options of `DpopVerifier`; each `None` keeps the core default.
#[derive(uniffi::Record, Default)]
pub struct DpopVerifierOptions {
    /// Accepted proof algorithms; `None`: ES256 and EdDSA (asymmetric only).
    #[uniffi(default = None)]
    pub algorithms: Option<Vec<Algorithm>>,
    /// How old a proof's `iat` may be; `None`: 60 s.
    #[uniffi(default = None)]
    pub max_age: Option<Duration>,
    /// Clock skew tolerated on `iat`; `None`: 5 s.
    #[uniffi(default = None)]
    pub leeway: Option<Duration>,
    /// `jti` values remembered; `None`: 100 000.
    #[uniffi(default = None)]
    pub replay_cache_size: Option<u32>,
    /// Require server nonces valid for one to two of this lifetime.
    #[uniffi(default = None)]
    pub nonce_lifetime: Option<Duration>,
    /// The clock (tests); the system clock when `None`.
    #[uniffi(default = None)]
    pub clock: Option<Arc<ManualClock>>,
    /// Where the `jti` replay cache lives: `"memory"` (`None`, the default) or `"redis://…"`,
    /// shared by every instance using that Redis (fails closed when Redis cannot answer).
    #[uniffi(default = None)]
    pub replay_cache_store: Option<String>,
}

/// What the request says about the token a proof accompanies.
#[derive(uniffi::Record, Default)]
pub struct DpopChecks {
    /// The request's access token: `ath` must be its hash.
    #[uniffi(default = None)]
    pub access_token: Option<String>,
    /// The token's `cnf.jkt`: the proof's key must have it.
    #[uniffi(default = None)]
    pub jkt: Option<String>,
}

/// An accepted proof.
#[derive(uniffi::Record, Debug, Clone, PartialEq, Eq)]
pub struct VerifiedDpopProof {
    /// The thumbprint of the proof's key.
    pub jkt: String,
    /// The proof's `jti`.
    pub jti: String,
    /// The proof's `iat` (Unix seconds).
    pub iat: i64,
}

/// Verifies DPoP proofs (the server side); holds the replay cache.
#[derive(uniffi::Object, Debug)]
pub struct DpopVerifier(pub(crate) Arc<core::DpopVerifier>);

#[uniffi::export]
impl DpopVerifier {
    /// A verifier; invalid options fail with `invalid_input`.
    #[uniffi::constructor(default(options = None))]
    pub fn new(options: Option<DpopVerifierOptions>) -> FfiResult<Arc<Self>> {
        let options = options.unwrap_or_default();
        let mut o = core::DpopVerifierOptions::new();
        if let Some(algs) = options.algorithms {
            o = o.with_algorithms(algs.into_iter().map(Into::into));
        }
        if let Some(d) = options.max_age {
            o = o.with_max_age(d);
        }
        if let Some(d) = options.leeway {
            o = o.with_leeway(d);
        }
        if let Some(n) = options.replay_cache_size {
            o = o.with_replay_cache_size(usize::try_from(n).unwrap_or(usize::MAX));
        }
        if let Some(d) = options.nonce_lifetime {
            o = o.with_nonce_lifetime(d);
        }
        if let Some(c) = options.clock {
            o = o.with_clock(c.shared());
        }
        if let Some(url) = options.replay_cache_store {
            o = o.with_replay_cache_store(url);
        }
        Ok(Arc::new(DpopVerifier(Arc::new(core::DpopVerifier::new(
            o,
        )?))))
    }

    /// Verifies `proof` for `method` on `url` (as the server sees it). Fails with
    /// `INVALID_DPOP_PROOF` or `USE_DPOP_NONCE`.
    #[uniffi::method(default(checks = None))]
    pub fn verify(
        &self,
        proof: String,
        method: String,
        url: String,
        checks: Option<DpopChecks>,
    ) -> FfiResult<VerifiedDpopProof> {
        let checks = checks.unwrap_or_default();
        let mut c = core::DpopChecks::new();
        if let Some(t) = checks.access_token {
            c = c.with_access_token(t);
        }
        if let Some(j) = checks.jkt {
            c = c.with_jkt(j);
        }
        let v = self.0.verify(&proof, &method, &url, &c)?;
        Ok(VerifiedDpopProof {
            jkt: v.jkt,
            jti: v.jti,
            iat: v.iat,
        })
    }

    /// The `DPoP-Nonce` to send now, or `None` without nonces.
    pub fn nonce(&self) -> Option<String> {
        self.0.nonce()
    }

    /// How many `jti` values the replay cache holds.
    pub fn replay_cache_len(&self) -> u64 {
        u64::try_from(self.0.replay_cache_len()).unwrap_or(u64::MAX)
    }
}

/// What an HTTP hook does with an answer (the core's rule, shared by every language's hooks).
#[derive(uniffi::Enum, Debug, Clone, PartialEq, Eq)]
pub enum RetryAction {
    /// Hand the answer back as it is.
    NoRetry,
    /// The token was rejected: refresh it and send the request once more.
    RefreshAndRetry,
    /// A DPoP resource server asks for a nonce: send the request once more with a new proof
    /// carrying it (same token).
    RetryWithNonce {
        /// The server's `DPoP-Nonce`.
        nonce: String,
    },
}

/// What an HTTP hook does with an answer `status` given its `WWW-Authenticate` values (joined
/// by `", "`) and `DPoP-Nonce` header: retry once with the nonce (a DPoP `use_dpop_nonce`
/// challenge), refresh the token and retry once (`tokenRejected`), or nothing.
#[uniffi::export(default(www_authenticate = None, dpop_nonce = None))]
pub fn retry_action(
    status: i32,
    www_authenticate: Option<String>,
    dpop_nonce: Option<String>,
) -> RetryAction {
    use tokenward::refresh::RetryAction as A;
    let action = u16::try_from(status).map_or(A::NoRetry, |s| {
        tokenward::refresh::retry_action(s, www_authenticate.as_deref(), dpop_nonce.as_deref())
    });
    match action {
        A::NoRetry => RetryAction::NoRetry,
        A::RefreshAndRetry => RetryAction::RefreshAndRetry,
        A::RetryWithNonce(nonce) => RetryAction::RetryWithNonce { nonce },
    }
}
