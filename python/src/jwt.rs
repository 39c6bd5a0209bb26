//! `tokenward.Key`, `KeySet`, `JwtIssuer`, `JwtVerifier`: conversion only, logic in core.

use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use tokenward::jwt::{self, Algorithm, Family, IssueOptions, VerifierOptions};

use crate::error::{invalid_input, Builtin, IntoPyResult};
use crate::json::{dict_from_py, map_to_py, to_py, DictBuilder, KnownStrings};
use crate::secret::Secret;

fn alg(name: &str) -> PyResult<Algorithm> {
    Algorithm::parse(name).py()
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
#[pyclass(module = "tokenward", name = "Key", frozen, from_py_object)]
#[derive(Clone)]
pub struct Key(pub(crate) jwt::Key);

#[pymethods]
impl Key {
    /// An HMAC key; the secret must be at least as long as the hash output.
    #[staticmethod]
    fn hmac(secret: &Bound<'_, PyAny>, algorithm: &str) -> PyResult<Key> {
        Ok(Key(
            jwt::Key::hmac(&bytes_of(secret)?, alg(algorithm)?).py()?
        ))
    }

    /// A key from PEM (SPKI, PKCS#1, PKCS#8, SEC 1), optionally pinned to one algorithm.
    #[staticmethod]
    #[pyo3(signature = (pem, algorithm=None))]
    fn from_pem(pem: &str, algorithm: Option<&str>) -> PyResult<Key> {
        Ok(Key(jwt::Key::from_pem(
            pem,
            algorithm.map(alg).transpose()?,
        )
        .py()?))
    }

    /// A key from a JWK (dict or JSON str).
    #[staticmethod]
    fn from_jwk(jwk: &Bound<'_, PyAny>) -> PyResult<Key> {
        Ok(Key(jwt::Key::from_jwk(&json_text(jwk)?).py()?))
    }

    /// A new random key for `algorithm`.
    #[staticmethod]
    fn generate(py: Python<'_>, algorithm: &str) -> PyResult<Key> {
        let a = alg(algorithm)?;
        Ok(Key(py.detach(|| jwt::Key::generate(a)).py()?))
    }

    /// The same key with a `kid`.
    fn with_kid(&self, kid: &str) -> Key {
        Key(self.0.with_kid(kid))
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
            "Key(kid={:?}, algorithm={:?}, family={:?}, private={})",
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
    fn new(keys: Vec<Key>) -> PyResult<KeySet> {
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

    /// A JWKS fetched from `jwks_url` and cached (TTL / `Cache-Control`, refetch on unknown
    /// `kid` with a cooldown, single-flight, last good keys kept when refreshes fail).
    #[staticmethod]
    #[pyo3(signature = (jwks_url, *, ttl=600, cooldown=30, timeout=5.0, max_stale=21600, dangerous_allow_http=false))]
    fn remote(
        jwks_url: &str,
        ttl: u64,
        cooldown: u64,
        timeout: f64,
        max_stale: u64,
        dangerous_allow_http: bool,
    ) -> PyResult<RemoteKeySet> {
        let options = remote_options(ttl, cooldown, timeout, max_stale, dangerous_allow_http)?;
        Ok(RemoteKeySet {
            inner: jwt::RemoteKeySet::new(jwks_url, options).py()?,
            issuer: None,
        })
    }

    /// OpenID Connect discovery: the issuer's `jwks_uri` as a remote key set (blocking; the
    /// GIL is released while it fetches). The discovered issuer is `.issuer`.
    #[staticmethod]
    #[pyo3(signature = (issuer_url, *, ttl=600, cooldown=30, timeout=5.0, max_stale=21600, dangerous_allow_http=false))]
    fn discover(
        py: Python<'_>,
        issuer_url: &str,
        ttl: u64,
        cooldown: u64,
        timeout: f64,
        max_stale: u64,
        dangerous_allow_http: bool,
    ) -> PyResult<RemoteKeySet> {
        let options = remote_options(ttl, cooldown, timeout, max_stale, dangerous_allow_http)?;
        let (issuer, inner) = py
            .detach(|| tokenward::runtime::block_on(jwt::discover(issuer_url, options)))
            .py()?
            .py()?;
        Ok(RemoteKeySet {
            inner,
            issuer: Some(issuer),
        })
    }

    /// Adds a key (its `kid` must be new).
    fn add(&mut self, key: Key) -> PyResult<()> {
        self.0.insert(key.0).py()
    }

    /// The public keys as a JWKS dict.
    fn to_jwks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.0.to_jwks())
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

fn remote_options(
    ttl: u64,
    cooldown: u64,
    timeout: f64,
    max_stale: u64,
    allow_http: bool,
) -> PyResult<jwt::RemoteOptions> {
    // Durations are bounded by the core (InvalidInputError, never a panic).
    let mut options = jwt::RemoteOptions {
        ttl: Duration::from_secs(ttl),
        cooldown: Duration::from_secs(cooldown),
        max_stale: Duration::from_secs(max_stale),
        ..Default::default()
    };
    options.http.timeout = crate::oauth::positive_timeout(timeout)?;
    options.validate().py()?;
    options.http.dangerous_allow_http = allow_http;
    Ok(options)
}

/// A JWKS fetched from a URL and cached; pass it to `JwtVerifier`.
#[pyclass(module = "tokenward", name = "RemoteKeySet", frozen, from_py_object)]
#[derive(Clone)]
pub struct RemoteKeySet {
    inner: jwt::RemoteKeySet,
    issuer: Option<String>,
}

#[pymethods]
impl RemoteKeySet {
    /// The JWKS URL.
    #[getter]
    fn url(&self) -> &str {
        self.inner.url()
    }

    /// The issuer found by discovery, if this set came from `KeySet.discover`.
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
    #[pyo3(signature = (key, *, issuer=None, audience=None, ttl=900, typ="JWT", algorithm=None))]
    fn new(
        key: Key,
        issuer: Option<String>,
        audience: Option<&Bound<'_, PyAny>>,
        ttl: u64,
        typ: &str,
        algorithm: Option<&str>,
    ) -> PyResult<JwtIssuer> {
        let mut inner = jwt::JwtIssuer::new(key.0, algorithm.map(alg).transpose()?)
            .py()?
            .audience(one_or_many(audience)?)
            .ttl(Duration::from_secs(ttl))
            .typ(typ);
        if let Some(iss) = issuer {
            inner = inner.issuer(iss);
        }
        Ok(JwtIssuer(inner))
    }

    /// Signs `claims` plus `iat`, `nbf`, `exp`, `jti`, `iss`, `aud`; returns the token.
    #[pyo3(signature = (claims=None, *, ttl=None, subject=None, audience=None))]
    fn issue(
        &self,
        claims: Option<&Bound<'_, PyDict>>,
        ttl: Option<u64>,
        subject: Option<String>,
        audience: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let claims = claims
            .map(|c| dict_from_py(c, 0))
            .transpose()?
            .unwrap_or_default();
        let options = IssueOptions {
            ttl: ttl.map(Duration::from_secs),
            subject,
            audience: audience.map(|a| one_or_many(Some(a))).transpose()?,
        };
        self.0.issue(&claims, &options).py()
    }

    fn __repr__(&self) -> String {
        format!("JwtIssuer(key={:?})", self.0.key())
    }
}

/// Verifies tokens strictly; build once and reuse.
#[pyclass(module = "tokenward", name = "JwtVerifier", frozen)]
pub struct JwtVerifier {
    pub(crate) inner: jwt::JwtVerifier,
    /// Keys fetched over the network, when the verifier was built from a `RemoteKeySet`.
    pub(crate) remote: Option<jwt::RemoteKeySet>,
    /// Asymmetric verification is slow enough to release the GIL for.
    pub(crate) release_gil: bool,
    /// Strings shared between the dicts this verifier returns.
    strings: KnownStrings,
}

#[pymethods]
impl JwtVerifier {
    #[new]
    #[pyo3(signature = (keys, *, algorithms, issuer=None, audience=None, subject=None, leeway=60,
        required_claims=Vec::new(), require_exp=true, typ=None, max_age=None,
        max_token_size=16384, max_depth=16, clock=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        keys: &Bound<'_, PyAny>,
        algorithms: Vec<String>,
        issuer: Option<&Bound<'_, PyAny>>,
        audience: Option<&Bound<'_, PyAny>>,
        subject: Option<String>,
        leeway: u64,
        required_claims: Vec<String>,
        require_exp: bool,
        typ: Option<String>,
        max_age: Option<u64>,
        max_token_size: usize,
        max_depth: usize,
        clock: Option<&Bound<'_, crate::clock::ManualClock>>,
    ) -> PyResult<JwtVerifier> {
        let mut remote = None;
        let set = if let Ok(set) = keys.extract::<KeySet>() {
            set.0
        } else if let Ok(r) = keys.extract::<RemoteKeySet>() {
            remote = Some(r.inner);
            jwt::KeySet::new()
        } else if let Ok(key) = keys.extract::<Key>() {
            jwt::KeySet::single(key.0)
        } else {
            jwt::KeySet::from_jwks(&json_text(keys)?).py()?
        };
        let algorithms = algorithms
            .iter()
            .map(|a| alg(a))
            .collect::<PyResult<Vec<_>>>()?;
        let release_gil = algorithms.iter().any(|a| a.family() != Family::Hmac);
        let options = VerifierOptions {
            algorithms,
            issuers: one_or_many(issuer)?,
            audiences: one_or_many(audience)?,
            subject,
            leeway: Duration::from_secs(leeway),
            required_claims,
            require_exp,
            typ,
            max_age: max_age.map(Duration::from_secs),
            max_token_size,
            max_depth,
        };
        let strings =
            KnownStrings::new(keys.py(), options.issuers.iter().chain(&options.audiences));
        Ok(JwtVerifier {
            inner: match crate::clock::clock_arg(clock) {
                Some(c) => jwt::JwtVerifier::with_clock(set, options, c),
                None => jwt::JwtVerifier::new(set, options),
            }
            .py()?,
            remote,
            release_gil,
            strings,
        })
    }

    /// Verifies `token` and returns its claims as a dict; raises a `TokenwardError` with `.code`.
    fn verify<'py>(&self, py: Python<'py>, token: &str) -> PyResult<Bound<'py, PyDict>> {
        let claims = if let Some(remote) = &self.remote {
            py.detach(|| tokenward::runtime::block_on(remote.verify(&self.inner, token)))
                .py()?
        } else if self.release_gil {
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

    /// `await verifier.verify_async(token)`: runs `verify` in the event loop's default
    /// executor so remote key fetches never block the loop.
    fn verify_async<'py>(slf: &Bound<'py, Self>, token: String) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
        event_loop.call_method1(
            "run_in_executor",
            (py.None(), slf.getattr("verify")?, token),
        )
    }

    fn __repr__(&self) -> String {
        match &self.remote {
            Some(r) => format!("JwtVerifier(remote={:?})", r.url()),
            None => format!("JwtVerifier(keys={})", self.inner.keys().len()),
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
