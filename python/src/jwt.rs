//! `tokenward.JwtKey`, `KeySet`, `RemoteKeySet`, `JwtIssuer`, `JwtVerifier`,
//! `RemoteJwtVerifier`: conversion only, logic and defaults in core.

use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use tokenward::jwt::{
    self, Algorithm, Family, JwtIssueOptions, JwtIssuerOptions, JwtVerifierOptions,
    RemoteKeySetOptions,
};

use crate::apikeys::duration_arg;
use crate::error::{invalid_input, Builtin, IntoPyResult};
use crate::json::{dict_from_py, map_to_py, to_py, DictBuilder, KnownStrings};
use crate::secret::Secret;

/// An `alg` name, parsed by the core (`AlgorithmNotAllowedError` for `none` and unknown names).
fn alg(name: &str) -> PyResult<Algorithm> {
    name.parse::<Algorithm>().py()
}

/// A `timedelta` or seconds argument that may be `None` (the core default).
fn opt_duration(value: Option<&Bound<'_, PyAny>>, name: &str) -> PyResult<Option<Duration>> {
    match value {
        Some(v) if !v.is_none() => duration_arg(v, name).map(Some),
        _ => Ok(None),
    }
}
/// A str or a sequence of str, as a list.
fn one_or_many(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<String>> {
    match obj {
        None => Ok(Vec::new()),
        Some(o) if o.is_none() => Ok(Vec::new()),
        Some(o) if o.is_instance_of::<PyString>() => Ok(vec![o.extract()?]),
        Some(o) => o.extract(),
    }
}

/// Text or bytes, as bytes.
fn bytes_of(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    let s: String = obj
        .extract()
        .map_err(|_| invalid_input(Builtin::Type, "expected str or bytes"))?;
    Ok(s.into_bytes())
}

/// A JSON document given as str or dict, serialized.
fn json_text(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(d) = obj.cast::<PyDict>() {
        return Ok(serde_json::Value::Object(dict_from_py(d, 0)?).to_string());
    }
    obj.extract()
        .map_err(|_| invalid_input(Builtin::Type, "expected a JSON str or a dict"))
}

/// A JWS key bound to one algorithm family. `repr` never shows key material.
#[pyclass(module = "tokenward", name = "JwtKey", frozen, from_py_object)]
#[derive(Clone)]
pub struct JwtKey(pub(crate) jwt::JwtKey);

#[pymethods]
impl JwtKey {
    /// An HMAC key; the secret must be at least as long as the hash output.
    #[staticmethod]
    fn hmac(secret: &Bound<'_, PyAny>, algorithm: &str) -> PyResult<JwtKey> {
        Ok(JwtKey(
            jwt::JwtKey::hmac(&bytes_of(secret)?, alg(algorithm)?).py()?,
        ))
    }

    /// A key from PEM (SPKI, PKCS#1, PKCS#8, SEC 1), optionally pinned to one algorithm.
    #[staticmethod]
    #[pyo3(signature = (pem, algorithm=None))]
    fn from_pem(pem: &str, algorithm: Option<&str>) -> PyResult<JwtKey> {
        Ok(JwtKey(
            jwt::JwtKey::from_pem(pem, algorithm.map(alg).transpose()?).py()?,
        ))
    }

    /// A key from a JWK (dict or JSON str).
    #[staticmethod]
    fn from_jwk(jwk: &Bound<'_, PyAny>) -> PyResult<JwtKey> {
        Ok(JwtKey(jwt::JwtKey::from_jwk(&json_text(jwk)?).py()?))
    }

    /// A new random key for `algorithm`.
    #[staticmethod]
    fn generate(py: Python<'_>, algorithm: &str) -> PyResult<JwtKey> {
        let a = alg(algorithm)?;
        Ok(JwtKey(py.detach(|| jwt::JwtKey::generate(a)).py()?))
    }

    /// The same key with a `kid`.
    fn with_kid(&self, kid: &str) -> JwtKey {
        JwtKey(self.0.with_kid(kid))
    }

    /// The same key pinned to one algorithm of its family.
    fn with_algorithm(&self, algorithm: &str) -> PyResult<JwtKey> {
        Ok(JwtKey(self.0.with_algorithm(alg(algorithm)?).py()?))
    }

    /// The public key as a JWK dict (asymmetric keys only).
    fn to_jwk<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.0.to_jwk().py()?)
    }

    /// The public key as PEM (SPKI).
    fn to_public_pem(&self) -> PyResult<String> {
        self.0.to_public_pem().py()
    }

    /// The private key as PKCS#8 PEM, wrapped in a `Secret`.
    fn to_private_pem(&self) -> PyResult<Secret> {
        Ok(Secret(self.0.to_private_pem().py()?))
    }

    /// The key id, if any.
    #[getter]
    fn kid(&self) -> Option<&str> {
        self.0.kid()
    }

    /// The algorithm the key is pinned to, if any.
    #[getter]
    fn algorithm(&self) -> Option<&'static str> {
        self.0.algorithm().map(Algorithm::as_str)
    }

    /// Whether the key can sign.
    #[getter]
    fn can_sign(&self) -> bool {
        self.0.can_sign()
    }

    fn __repr__(&self) -> String {
        format!(
            "JwtKey(kid={:?}, algorithm={:?}, family={:?}, private={})",
            self.0.kid(),
            self.0.algorithm().map(Algorithm::as_str),
            self.0.family(),
            if self.0.can_sign() { "True" } else { "False" }
        )
    }
}

/// Keys addressed by `kid`.
#[pyclass(module = "tokenward", name = "KeySet", from_py_object)]
#[derive(Clone, Default)]
pub struct KeySet(pub(crate) jwt::KeySet);

#[pymethods]
impl KeySet {
    #[new]
    #[pyo3(signature = (keys=Vec::new()))]
    fn new(keys: Vec<JwtKey>) -> PyResult<KeySet> {
        let mut set = jwt::KeySet::new();
        for k in keys {
            set.insert(k.0).py()?;
        }
        Ok(KeySet(set))
    }

    /// A key set from a JWKS document (dict or JSON str).
    #[staticmethod]
    fn from_jwks(document: &Bound<'_, PyAny>) -> PyResult<KeySet> {
        Ok(KeySet(jwt::KeySet::from_jwks(&json_text(document)?).py()?))
    }

    /// Adds a key (its `kid` must be new).
    fn insert(&mut self, key: JwtKey) -> PyResult<()> {
        self.0.insert(key.0).py()
    }

    /// The public keys as a JWKS dict.
    fn to_jwks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.0.to_jwks())
    }

    /// The key ids, in insertion order (keys without `kid` are left out).
    #[getter]
    fn kids(&self) -> Vec<String> {
        self.0
            .keys()
            .iter()
            .filter_map(|k| k.kid().map(str::to_owned))
            .collect()
    }

    fn __len__(&self) -> usize {
        self.0.len()
    }

    fn __repr__(&self) -> String {
        let kids: Vec<String> = self
            .0
            .keys()
            .iter()
            .map(|k| format!("{:?}", k.kid()))
            .collect();
        format!("KeySet(kids=[{}])", kids.join(", "))
    }
}

/// The core options of the `RemoteKeySet` keyword arguments (`None`: the core default).
fn remote_options(
    ttl: Option<&Bound<'_, PyAny>>,
    cooldown: Option<&Bound<'_, PyAny>>,
    max_stale: Option<&Bound<'_, PyAny>>,
    timeout: Option<&Bound<'_, PyAny>>,
    allow_http: bool,
) -> PyResult<RemoteKeySetOptions> {
    // Durations are bounded by the core (InvalidInputError, never a panic).
    let mut options = RemoteKeySetOptions::new();
    if let Some(ttl) = opt_duration(ttl, "ttl")? {
        options = options.with_ttl(ttl);
    }
    if let Some(cooldown) = opt_duration(cooldown, "cooldown")? {
        options = options.with_cooldown(cooldown);
    }
    if let Some(max_stale) = opt_duration(max_stale, "max_stale")? {
        options = options.with_max_stale(max_stale);
    }
    let mut http = tokenward::http::HttpPolicy::default();
    if let Some(timeout) = opt_duration(timeout, "timeout")? {
        if timeout.is_zero() {
            return Err(invalid_input(Builtin::Value, "timeout must be positive"));
        }
        http.timeout = timeout;
    }
    http.dangerous_allow_http = allow_http;
    Ok(options.with_http(http))
}

/// A JWKS fetched from a URL and cached (TTL / `Cache-Control`, refetch on unknown `kid` with
/// a cooldown, single-flight, last good keys kept when refreshes fail); pass it to
/// `RemoteJwtVerifier`.
#[pyclass(module = "tokenward", name = "RemoteKeySet", frozen, from_py_object)]
#[derive(Clone)]
pub struct RemoteKeySet {
    pub(crate) inner: jwt::RemoteKeySet,
    issuer: Option<String>,
}

#[pymethods]
impl RemoteKeySet {
    /// A cached key set for `jwks_url` (https, or http on loopback); fetched on first use.
    #[new]
    #[pyo3(signature = (jwks_url, *, ttl=None, cooldown=None, max_stale=None, timeout=None,
        dangerous_allow_http=false))]
    fn new(
        jwks_url: &str,
        ttl: Option<&Bound<'_, PyAny>>,
        cooldown: Option<&Bound<'_, PyAny>>,
        max_stale: Option<&Bound<'_, PyAny>>,
        timeout: Option<&Bound<'_, PyAny>>,
        dangerous_allow_http: bool,
    ) -> PyResult<RemoteKeySet> {
        let options = remote_options(ttl, cooldown, max_stale, timeout, dangerous_allow_http)?;
        Ok(RemoteKeySet {
            inner: jwt::RemoteKeySet::new(jwks_url, options).py()?,
            issuer: None,
        })
    }

    /// OpenID Connect discovery: the issuer's `jwks_uri` as a remote key set (blocking; the
    /// GIL is released while it fetches). The discovered issuer is `.issuer`.
    #[staticmethod]
    #[pyo3(signature = (issuer_url, *, ttl=None, cooldown=None, max_stale=None, timeout=None,
        dangerous_allow_http=false))]
    fn discover(
        py: Python<'_>,
        issuer_url: &str,
        ttl: Option<&Bound<'_, PyAny>>,
        cooldown: Option<&Bound<'_, PyAny>>,
        max_stale: Option<&Bound<'_, PyAny>>,
        timeout: Option<&Bound<'_, PyAny>>,
        dangerous_allow_http: bool,
    ) -> PyResult<RemoteKeySet> {
        let options = remote_options(ttl, cooldown, max_stale, timeout, dangerous_allow_http)?;
        let (issuer, inner) = py
            .detach(|| tokenward::runtime::block_on(jwt::discover(issuer_url, options)))
            .py()?
            .py()?;
        Ok(RemoteKeySet {
            inner,
            issuer: Some(issuer),
        })
    }

    /// The JWKS URL.
    #[getter]
    fn url(&self) -> &str {
        self.inner.url()
    }

    /// The issuer found by discovery, if this set came from `RemoteKeySet.discover`.
    #[getter]
    fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// Number of HTTP fetches made so far.
    #[getter]
    fn fetch_count(&self) -> u64 {
        self.inner.fetch_count()
    }

    /// The current keys (fetching if needed; blocking, GIL released).
    fn keys(&self, py: Python<'_>) -> PyResult<KeySet> {
        let keys = py
            .detach(|| tokenward::runtime::block_on(self.inner.keys()))
            .py()?
            .py()?;
        Ok(KeySet(keys))
    }

    fn __repr__(&self) -> String {
        format!("RemoteKeySet(url={:?})", self.inner.url())
    }
}

/// Signs claims with one key.
#[pyclass(module = "tokenward", name = "JwtIssuer", frozen)]
pub struct JwtIssuer(jwt::JwtIssuer);

#[pymethods]
impl JwtIssuer {
    #[new]
    #[pyo3(signature = (key, *, algorithm=None, issuer=None, audience=None, ttl=None, typ=None,
        clock=None))]
    fn new(
        key: JwtKey,
        algorithm: Option<&str>,
        issuer: Option<String>,
        audience: Option<&Bound<'_, PyAny>>,
        ttl: Option<&Bound<'_, PyAny>>,
        typ: Option<String>,
        clock: Option<&Bound<'_, crate::clock::ManualClock>>,
    ) -> PyResult<JwtIssuer> {
        let mut options = JwtIssuerOptions::new().with_audience(one_or_many(audience)?);
        if let Some(a) = algorithm {
            options = options.with_algorithm(alg(a)?);
        }
        if let Some(iss) = issuer {
            options = options.with_issuer(iss);
        }
        if let Some(ttl) = opt_duration(ttl, "ttl")? {
            options = options.with_ttl(ttl);
        }
        if let Some(typ) = typ {
            options = options.with_typ(typ);
        }
        if let Some(c) = crate::clock::clock_arg(clock) {
            options = options.with_clock(c);
        }
        Ok(JwtIssuer(jwt::JwtIssuer::new(key.0, options).py()?))
    }

    /// Signs `claims` plus `iat`, `nbf`, `exp`, `jti`, `iss`, `aud`; returns the token.
    #[pyo3(signature = (claims=None, *, ttl=None, subject=None, audience=None))]
    fn issue(
        &self,
        claims: Option<&Bound<'_, PyDict>>,
        ttl: Option<&Bound<'_, PyAny>>,
        subject: Option<String>,
        audience: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let claims = claims
            .map(|c| dict_from_py(c, 0))
            .transpose()?
            .unwrap_or_default();
        let mut options = JwtIssueOptions::new();
        if let Some(ttl) = opt_duration(ttl, "ttl")? {
            options = options.with_ttl(ttl);
        }
        if let Some(sub) = subject {
            options = options.with_subject(sub);
        }
        if let Some(aud) = audience {
            options = options.with_audience(one_or_many(Some(aud))?);
        }
        self.0.issue(&claims, &options).py()
    }

    fn __repr__(&self) -> String {
        format!("JwtIssuer(key={:?})", self.0.key())
    }
}

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
/// blocks (GIL released) while keys are fetched; `verify_async` runs it in the event loop's
/// default executor.
#[pyclass(module = "tokenward", name = "RemoteJwtVerifier", frozen)]
pub struct RemoteJwtVerifier(jwt::RemoteJwtVerifier);

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

    /// `await verifier.verify_async(token)`: runs `verify` in the event loop's default
    /// executor so key fetches never block the loop.
    fn verify_async<'py>(slf: &Bound<'py, Self>, token: String) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
        event_loop.call_method1(
            "run_in_executor",
            (py.None(), slf.getattr("verify")?, token),
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
