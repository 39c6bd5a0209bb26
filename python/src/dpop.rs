//! `tokenward.DpopKey` and `tokenward.DpopVerifier` (RFC 9449): conversion only, logic and
//! defaults in core.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use tokenward::dpop;

use crate::apikeys::duration_arg;
use crate::clock::{clock_arg, ManualClock};
use crate::error::{invalid_input, Builtin, IntoPyResult};
use crate::json::map_to_py;
use crate::secret::Secret;

/// A `str` or a `Secret`, as text.
fn secret_text(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(s) = obj.cast::<Secret>() {
        return Ok(s.get().0.expose().to_owned());
    }
    obj.extract()
        .map_err(|_| invalid_input(Builtin::Type, "expected str or Secret"))
}

/// A DPoP key pair (ES256 or EdDSA). ``repr`` shows the algorithm and thumbprint only; the
/// private key leaves through ``export_private_key()`` alone.
#[pyclass(module = "tokenward", name = "DpopKey", frozen)]
pub struct DpopKey(pub(crate) dpop::DpopKey);

#[pymethods]
impl DpopKey {
    /// A new key pair for ``algorithm`` (``"ES256"`` or ``"EdDSA"``).
    #[staticmethod]
    #[pyo3(signature = (algorithm="ES256"))]
    fn generate(py: Python<'_>, algorithm: &str) -> PyResult<DpopKey> {
        let alg = algorithm.parse::<tokenward::jwt::Algorithm>().py()?;
        Ok(DpopKey(py.detach(|| dpop::DpopKey::generate(alg)).py()?))
    }

    /// The key from the PKCS#8 PEM ``export_private_key()`` returned (``str`` or ``Secret``).
    #[staticmethod]
    fn from_private_key(pem: &Bound<'_, PyAny>) -> PyResult<DpopKey> {
        let pem = secret_text(pem)?;
        Ok(DpopKey(dpop::DpopKey::from_private_key(&pem).py()?))
    }

    /// The private key as PKCS#8 PEM, in a ``Secret``: for the platform keystore.
    fn export_private_key(&self) -> PyResult<Secret> {
        Ok(Secret(self.0.export_private_key().py()?))
    }

    /// ``"ES256"`` or ``"EdDSA"``.
    #[getter]
    fn algorithm(&self) -> &'static str {
        self.0.algorithm().as_str()
    }

    /// The RFC 7638 thumbprint (``jkt``) tokens are bound to.
    #[getter]
    fn thumbprint(&self) -> &str {
        self.0.thumbprint()
    }

    /// The public key as a JWK dict.
    fn public_jwk<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        map_to_py(py, self.0.public_jwk())
    }

    /// A proof for one request: ``htu`` is ``url`` without query and fragment; pass the
    /// ``access_token`` on resource requests (``ath``) and the server's ``nonce`` when it asked.
    #[pyo3(signature = (method, url, *, access_token=None, nonce=None, clock=None))]
    fn proof(
        &self,
        py: Python<'_>,
        method: &str,
        url: &str,
        access_token: Option<&Bound<'_, PyAny>>,
        nonce: Option<String>,
        clock: Option<&Bound<'_, ManualClock>>,
    ) -> PyResult<String> {
        let mut o = dpop::DpopProofOptions::new();
        if let Some(t) = access_token {
            o = o.with_access_token(secret_text(t)?);
        }
        if let Some(n) = nonce {
            o = o.with_nonce(n);
        }
        if let Some(c) = clock_arg(clock) {
            o = o.with_clock(c);
        }
        py.detach(|| self.0.proof(method, url, &o)).py()
    }

    fn __repr__(&self) -> String {
        format!(
            "DpopKey(algorithm='{}', thumbprint='{}')",
            self.0.algorithm().as_str(),
            self.0.thumbprint()
        )
    }
}

/// Verifies DPoP proofs (the server side); holds the replay cache.
#[pyclass(module = "tokenward", name = "DpopVerifier", frozen)]
pub struct DpopVerifier(pub(crate) Arc<dpop::DpopVerifier>);

#[pymethods]
impl DpopVerifier {
    #[new]
    #[pyo3(signature = (*, algorithms=None, max_age=None, leeway=None, replay_cache_size=None,
        nonce_lifetime=None, clock=None, replay_cache_store=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        algorithms: Option<Vec<String>>,
        max_age: Option<&Bound<'_, PyAny>>,
        leeway: Option<&Bound<'_, PyAny>>,
        replay_cache_size: Option<usize>,
        nonce_lifetime: Option<&Bound<'_, PyAny>>,
        clock: Option<&Bound<'_, ManualClock>>,
        replay_cache_store: Option<String>,
    ) -> PyResult<Self> {
        let mut o = dpop::DpopVerifierOptions::new();
        if let Some(url) = replay_cache_store {
            o = o.with_replay_cache_store(url);
        }
        if let Some(algs) = algorithms {
            let algs = algs
                .iter()
                .map(|a| a.parse::<tokenward::jwt::Algorithm>().py())
                .collect::<PyResult<Vec<_>>>()?;
            o = o.with_algorithms(algs);
        }
        if let Some(d) = max_age {
            o = o.with_max_age(duration_arg(d, "max_age")?);
        }
        if let Some(d) = leeway {
            o = o.with_leeway(duration_arg(d, "leeway")?);
        }
        if let Some(n) = replay_cache_size {
            o = o.with_replay_cache_size(n);
        }
        if let Some(d) = nonce_lifetime {
            o = o.with_nonce_lifetime(duration_arg(d, "nonce_lifetime")?);
        }
        if let Some(c) = clock_arg(clock) {
            o = o.with_clock(c);
        }
        Ok(DpopVerifier(Arc::new(dpop::DpopVerifier::new(o).py()?)))
    }

    /// Verifies ``proof`` for ``method`` on ``url`` (as the server sees it); ``access_token``
    /// checks ``ath``, ``jkt`` the token's ``cnf.jkt``. Returns ``{"jkt", "jti", "iat"}``;
    /// refusals raise with code ``invalid_dpop_proof`` or ``use_dpop_nonce``.
    #[pyo3(signature = (proof, method, url, *, access_token=None, jkt=None))]
    fn verify<'py>(
        &self,
        py: Python<'py>,
        proof: &str,
        method: &str,
        url: &str,
        access_token: Option<&Bound<'_, PyAny>>,
        jkt: Option<String>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let mut checks = dpop::DpopChecks::new();
        if let Some(t) = access_token {
            checks = checks.with_access_token(secret_text(t)?);
        }
        if let Some(j) = jkt {
            checks = checks.with_jkt(j);
        }
        let v = py
            .detach(|| self.0.verify(proof, method, url, &checks))
            .py()?;
        let d = PyDict::new(py);
        d.set_item("jkt", v.jkt)?;
        d.set_item("jti", v.jti)?;
        d.set_item("iat", v.iat)?;
        Ok(d)
    }

    /// The ``DPoP-Nonce`` to send now, or ``None`` without nonces.
    fn nonce(&self) -> Option<String> {
        self.0.nonce()
    }

    /// How many ``jti`` values the replay cache holds.
    #[getter]
    fn replay_cache_len(&self) -> usize {
        self.0.replay_cache_len()
    }

    fn __repr__(&self) -> String {
        format!(
            "DpopVerifier(requires_nonce={})",
            if self.0.requires_nonce() {
                "True"
            } else {
                "False"
            }
        )
    }
}

/// What an HTTP hook does with an answer (the core's rule, shared by every language's hooks):
/// ``kind`` is ``"no_retry"``, ``"refresh_and_retry"`` or ``"retry_with_nonce"`` (then
/// ``nonce`` is the resource server's ``DPoP-Nonce``).
#[pyclass(module = "tokenward", name = "RetryAction", frozen, eq)]
#[derive(PartialEq)]
pub struct RetryAction(tokenward::refresh::RetryAction);

#[pymethods]
impl RetryAction {
    /// ``"no_retry"``, ``"refresh_and_retry"`` or ``"retry_with_nonce"``.
    #[getter]
    fn kind(&self) -> &'static str {
        use tokenward::refresh::RetryAction as A;
        match self.0 {
            A::NoRetry => "no_retry",
            A::RefreshAndRetry => "refresh_and_retry",
            A::RetryWithNonce(_) => "retry_with_nonce",
        }
    }

    /// The nonce to retry with (``retry_with_nonce``), else ``None``.
    #[getter]
    fn nonce(&self) -> Option<&str> {
        match &self.0 {
            tokenward::refresh::RetryAction::RetryWithNonce(n) => Some(n),
            _ => None,
        }
    }

    fn __repr__(&self) -> String {
        match self.nonce() {
            Some(n) => format!("RetryAction(kind='{}', nonce={n:?})", self.kind()),
            None => format!("RetryAction(kind='{}')", self.kind()),
        }
    }
}

/// What an HTTP hook does with an answer ``status`` given its ``WWW-Authenticate`` values
/// (joined by ``", "``) and ``DPoP-Nonce`` header: retry once with the nonce (a DPoP
/// ``use_dpop_nonce`` challenge), refresh the token and retry once (``token_rejected``), or
/// nothing.
#[pyfunction]
#[pyo3(signature = (status, www_authenticate=None, dpop_nonce=None))]
pub fn retry_action(
    status: i64,
    www_authenticate: Option<&str>,
    dpop_nonce: Option<&str>,
) -> RetryAction {
    RetryAction(match u16::try_from(status) {
        Ok(s) => tokenward::refresh::retry_action(s, www_authenticate, dpop_nonce),
        Err(_) => tokenward::refresh::RetryAction::NoRetry,
    })
}
