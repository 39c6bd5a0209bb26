//! `JwtVerifier`, `RemoteJwtVerifier` and `decode_unverified` (core `jwt::verify`, `jwt::remote`).

use pyo3::prelude::*;
use pyo3::types::PyDict;
use tokenward::jwt::{self, Family, JwtVerifierOptions};

use super::convert::{alg, json_text, one_or_many, opt_duration};
use super::key::JwtKey;
use super::keyset::KeySet;
use super::remote::RemoteKeySet;
use crate::error::{invalid_input, Builtin, IntoPyResult};
use crate::json::{map_to_py, DictBuilder, KnownStrings};

/// The `#[pymethods]` block of a verifier class whose constructor takes `keys` and the verifier
/// keyword arguments shared by `JwtVerifier` and `RemoteJwtVerifier`: one signature and one
/// parameter list for both. The constructor body sees the keyword arguments as core options
/// (`$options`; an omitted keyword keeps the core default) and whether verification should
/// release the GIL (`$release_gil`).
macro_rules! verifier_class {
    (
        impl $class:ident {
            fn new($keys:ident: $keys_ty:ty, $options:ident, $release_gil:ident) $body:block
            $($methods:tt)*
        }
    ) => {
        #[pymethods]
        impl $class {
            #[new]
            #[pyo3(signature = (keys, *, algorithms, issuers=None, audiences=None, subject=None,
                leeway=None, required_claims=Vec::new(), require_exp=true, typ=None, max_age=None,
                max_token_size=jwt::DEFAULT_MAX_TOKEN_SIZE, max_depth=jwt::DEFAULT_MAX_DEPTH,
                clock=None, cache_size=0))]
            #[allow(clippy::too_many_arguments)]
            fn new(
                $keys: $keys_ty,
                algorithms: Vec<String>,
                issuers: Option<&Bound<'_, PyAny>>,
                audiences: Option<&Bound<'_, PyAny>>,
                subject: Option<String>,
                leeway: Option<&Bound<'_, PyAny>>,
                required_claims: Vec<String>,
                require_exp: bool,
                typ: Option<String>,
                max_age: Option<&Bound<'_, PyAny>>,
                max_token_size: usize,
                max_depth: usize,
                clock: Option<&Bound<'_, crate::clock::ManualClock>>,
                cache_size: usize,
            ) -> PyResult<$class> {
                let algorithms = algorithms
                    .iter()
                    .map(|a| alg(a))
                    .collect::<PyResult<Vec<_>>>()?;
                // Asymmetric verification is slow enough to release the GIL for.
                let $release_gil = algorithms.iter().any(|a| a.family() != Family::Hmac);
                let mut options = JwtVerifierOptions::new(algorithms)
                    .with_issuers(one_or_many(issuers)?)
                    .with_audiences(one_or_many(audiences)?)
                    .with_required_claims(required_claims)
                    .with_require_exp(require_exp)
                    .with_max_token_size(max_token_size)
                    .with_max_depth(max_depth)
                    .with_cache_size(cache_size);
                if let Some(sub) = subject {
                    options = options.with_subject(sub);
                }
                if let Some(leeway) = opt_duration(leeway, "leeway")? {
                    options = options.with_leeway(leeway);
                }
                if let Some(typ) = typ {
                    options = options.with_typ(typ);
                }
                if let Some(max_age) = opt_duration(max_age, "max_age")? {
                    options = options.with_max_age(max_age);
                }
                if let Some(c) = crate::clock::clock_arg(clock) {
                    options = options.with_clock(c);
                }
                let $options = options;
                $body
            }
            $($methods)*
        }
    };
}

/// Verifies tokens strictly against local keys; build once and reuse.
#[pyclass(module = "tokenward", name = "JwtVerifier", frozen)]
pub struct JwtVerifier {
    pub(crate) inner: jwt::JwtVerifier,
    /// Asymmetric verification is slow enough to release the GIL for.
    pub(crate) release_gil: bool,
    /// Strings shared between the dicts this verifier returns.
    strings: KnownStrings,
}

verifier_class! {
impl JwtVerifier {
    fn new(keys: &Bound<'_, PyAny>, options, release_gil) {
        let set = if let Ok(set) = keys.extract::<KeySet>() {
            set.0
        } else if keys.extract::<RemoteKeySet>().is_ok() {
            return Err(invalid_input(
                Builtin::Type,
                "a RemoteKeySet goes to RemoteJwtVerifier; JwtVerifier takes local keys",
            ));
        } else if let Ok(key) = keys.extract::<JwtKey>() {
            jwt::KeySet::single(key.0)
        } else {
            jwt::KeySet::from_jwks(&json_text(keys)?).py()?
        };
        let strings = KnownStrings::new(
            keys.py(),
            options.issuers().iter().chain(options.audiences()),
        );
        Ok(JwtVerifier {
            inner: jwt::JwtVerifier::new(set, options).py()?,
            release_gil,
            strings,
        })
    }

    /// Verifies `token` and returns its claims as a dict; raises a `TokenwardError` with `.code`.
    fn verify<'py>(&self, py: Python<'py>, token: &str) -> PyResult<Bound<'py, PyDict>> {
        let claims = if self.release_gil {
            // Asymmetric signatures cost tens of microseconds: worth letting other threads run.
            py.detach(|| self.inner.verify(token))
        } else {
            // HMAC: the dict is built during the verifier's own pass over the payload (faster
            // than converting its claims, and than json.loads of the text; see docs/jwt.md).
            let mut builder = DictBuilder::new(py, &self.strings);
            return match self.inner.verify_into(token, &mut builder) {
                Ok(dict) => builder.finish(dict),
                Err(e) => match builder.error {
                    Some(error) => Err(error),
                    None => Err(e).py(),
                },
            };
        };
        map_to_py(py, &claims.py()?)
    }

    /// Number of tokens in the verified-token cache (0 without `cache_size`).
    fn cache_len(&self) -> usize {
        self.inner.cache_len()
    }

    fn __repr__(&self) -> String {
        format!("JwtVerifier(keys={})", self.inner.keys().len())
    }
}
}

/// Verifies tokens against a `RemoteKeySet` with the same options as `JwtVerifier`. `verify`
/// blocks (GIL released) while keys are fetched; `verify_async` answers from cached keys at
/// once and fetches on the library's runtime.
#[pyclass(module = "tokenward", name = "RemoteJwtVerifier", frozen)]
pub struct RemoteJwtVerifier(pub(crate) jwt::RemoteJwtVerifier);

verifier_class! {
impl RemoteJwtVerifier {
    fn new(keys: RemoteKeySet, options, _release_gil) {
        Ok(RemoteJwtVerifier(
            jwt::RemoteJwtVerifier::new(keys.inner, options).py()?,
        ))
    }

    /// Verifies `token` (fetching keys when needed; blocking, GIL released) and returns its
    /// claims as a dict; raises a `TokenwardError` with `.code`.
    fn verify<'py>(&self, py: Python<'py>, token: &str) -> PyResult<Bound<'py, PyDict>> {
        let claims = py
            .detach(|| tokenward::runtime::block_on(self.0.verify(token)))
            .py()?
            .py()?;
        map_to_py(py, &claims)
    }

    /// `await verifier.verify_async(token)`: with the keys cached (fresh, or within
    /// `max_stale` while one refresh runs in the background) the token is verified on the
    /// calling thread and the awaitable is already done; keys to fetch first (none cached, an
    /// unknown `kid` the cooldown allows refetching) are fetched on the library's runtime,
    /// never blocking the event loop.
    fn verify_async<'py>(&self, py: Python<'py>, token: String) -> PyResult<Bound<'py, PyAny>> {
        if let Some(r) = py.detach(|| self.0.verify_cached(&token)) {
            return crate::aio::Ready::of(py, r.py().and_then(|c| map_to_py(py, &c)));
        }
        let verifier = self.0.clone();
        crate::aio::spawn(
            py,
            async move { verifier.verify(&token).await },
            |py, claims| Ok(map_to_py(py, &claims)?.into_any().unbind()),
        )
    }

    fn __repr__(&self) -> String {
        format!("RemoteJwtVerifier(url={:?})", self.0.keys().url())
    }
}
}

/// Decodes header and claims WITHOUT verification, for display and debugging only.
#[pyfunction]
pub(crate) fn decode_unverified<'py>(
    py: Python<'py>,
    token: &str,
) -> PyResult<(Bound<'py, PyDict>, Bound<'py, PyDict>)> {
    let (header, claims) = jwt::decode_unverified(token).py()?;
    Ok((map_to_py(py, &header)?, map_to_py(py, &claims)?))
}
