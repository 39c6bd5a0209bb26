//! `IdTokenVerifier` (core `oauth::id_token`).

use pyo3::prelude::*;
use tokenward::oauth::{self};
use tokenward::runtime;

use super::client::OAuthClient;
use super::convert::secret_arg;
use crate::apikeys::duration_arg;
use crate::error::{invalid_input, Builtin, IntoPyResult};

/// The options of `IdTokenVerifier(...)` / `IdTokenVerifier.for_client(...)`.
fn id_token_options(
    algorithms: Option<Vec<String>>,
    leeway: Option<&Bound<'_, PyAny>>,
    clock: Option<&Bound<'_, crate::clock::ManualClock>>,
) -> PyResult<oauth::IdTokenVerifierOptions> {
    let mut o = oauth::IdTokenVerifierOptions::new();
    if let Some(algs) = algorithms {
        let algs = algs
            .iter()
            .map(|a| a.parse::<tokenward::jwt::Algorithm>())
            .collect::<Result<Vec<_>, _>>()
            .py()?;
        o = o.with_algorithms(algs);
    }
    if let Some(l) = leeway {
        o = o.with_leeway(duration_arg(l, "leeway")?);
    }
    if let Some(c) = crate::clock::clock_arg(clock) {
        o = o.with_clock(c);
    }
    Ok(o)
}

/// Verifies OpenID Connect ID tokens of one provider for one client: signature (algorithms
/// intersected with the asymmetric allowlist), `iss`, `aud`, `azp`, `exp`/`iat`, and per login
/// the `nonce`, `max_age`, `at_hash` and `c_hash`.
#[pyclass(module = "tokenward", name = "IdTokenVerifier", frozen)]
pub struct IdTokenVerifier(pub(super) oauth::IdTokenVerifier);

#[pymethods]
impl IdTokenVerifier {
    /// `keys`: a `KeySet` (local keys) or a `RemoteKeySet` (the provider's published keys).
    #[new]
    #[pyo3(signature = (issuer, client_id, keys, *, algorithms=None, leeway=None, clock=None))]
    fn new(
        issuer: String,
        client_id: String,
        keys: &Bound<'_, PyAny>,
        algorithms: Option<Vec<String>>,
        leeway: Option<&Bound<'_, PyAny>>,
        clock: Option<&Bound<'_, crate::clock::ManualClock>>,
    ) -> PyResult<Self> {
        let options = id_token_options(algorithms, leeway, clock)?;
        let v = if let Ok(k) = keys.cast::<crate::jwt::KeySet>() {
            oauth::IdTokenVerifier::new(issuer, client_id, k.borrow().0.clone(), options)
        } else if let Ok(k) = keys.cast::<crate::jwt::RemoteKeySet>() {
            oauth::IdTokenVerifier::with_remote_keys(
                issuer,
                client_id,
                k.get().inner.clone(),
                options,
            )
        } else {
            return Err(invalid_input(
                Builtin::Type,
                "keys must be a KeySet or a RemoteKeySet",
            ));
        };
        Ok(IdTokenVerifier(v.py()?))
    }

    /// The verifier of a discovered client's provider: its issuer, `jwks_uri` and
    /// `id_token_signing_alg_values_supported` (intersected with the allowlist).
    #[staticmethod]
    #[pyo3(signature = (client, *, algorithms=None, leeway=None))]
    fn for_client(
        client: &OAuthClient,
        algorithms: Option<Vec<String>>,
        leeway: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let options = id_token_options(algorithms, leeway, None)?;
        Ok(IdTokenVerifier(
            oauth::IdTokenVerifier::for_client(&client.0, options).py()?,
        ))
    }

    /// The expected issuer.
    #[getter]
    fn issuer(&self) -> &str {
        self.0.issuer()
    }

    /// The client id (the expected audience).
    #[getter]
    fn client_id(&self) -> &str {
        self.0.client_id()
    }

    /// The accepted algorithms.
    #[getter]
    fn algorithms(&self) -> Vec<&'static str> {
        self.0.algorithms().iter().map(|a| a.as_str()).collect()
    }

    /// Verifies `id_token` (blocking; GIL released) and returns its claims.
    #[pyo3(signature = (id_token, *, nonce=None, max_age=None, access_token=None, code=None))]
    fn verify<'py>(
        &self,
        py: Python<'py>,
        id_token: &Bound<'py, PyAny>,
        nonce: Option<&Bound<'py, PyAny>>,
        max_age: Option<&Bound<'py, PyAny>>,
        access_token: Option<&Bound<'py, PyAny>>,
        code: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let token = secret_arg(id_token)?;
        let mut checks = oauth::IdTokenChecks::new();
        if let Some(n) = nonce {
            checks = checks.with_nonce(secret_arg(n)?);
        }
        if let Some(m) = max_age {
            checks = checks.with_max_age(duration_arg(m, "max_age")?);
        }
        if let Some(t) = access_token {
            checks = checks.with_access_token(secret_arg(t)?);
        }
        if let Some(c) = code {
            checks = checks.with_code(secret_arg(c)?);
        }
        let claims = py
            .detach(|| runtime::block_on(self.0.verify(token.expose(), &checks)))
            .py()?
            .py()?;
        crate::json::to_py(py, &serde_json::Value::Object(claims.into_map()))
    }

    fn __repr__(&self) -> String {
        format!(
            "IdTokenVerifier(issuer='{}', client_id='{}')",
            self.0.issuer(),
            self.0.client_id()
        )
    }
}
