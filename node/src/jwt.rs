//! JWT for JS: `JwtKey`, `KeySet`, `JwtIssuer`, `JwtVerifier`. Conversion only; every check is in
//! `tokenward::jwt`.

use secrecy::zeroize::Zeroizing;
use std::sync::Arc;
use std::time::Duration;

use crate::napi;
use crate::napi::bindgen_prelude::{
    Buffer, ClassInstance, Either, Either4, FromNapiValue, Function, FunctionRef, JsObjectValue,
    Object, Unknown,
};
use crate::napi::{Env, JsValue};
use napi_derive::napi;
use serde_json::{Map, Value};
use tokenward::jwt::{self as core, Algorithm};
use tokenward::{Error, ErrorCode};

use crate::error::{to_js, Code, IntoJsResult};
use crate::secret::Secret;

fn invalid_input(msg: &'static str) -> Error {
    Error::new(ErrorCode::InvalidInput, msg)
}

/// An `alg` name, parsed by the core's `FromStr` (`algorithm_not_allowed` for `none` and
/// unknown names). Typed `Algorithm` (a string-literal union) in index.d.ts.
fn parse_alg(name: &str) -> tokenward::Result<Algorithm> {
    name.parse()
}

/// Whole seconds from a JS number: integral, and bounded by the core's
/// `clock::duration_from_secs_f64` (`invalid_input` for NaN, infinite, negative or huge).
fn seconds(value: f64) -> tokenward::Result<Duration> {
    if value.fract() != 0.0 {
        return Err(invalid_input(
            "durations are whole, non-negative numbers of seconds",
        ));
    }
    tokenward::clock::duration_from_secs_f64(value, "a duration")
}

fn one_or_many(value: Either<String, Vec<String>>) -> Vec<String> {
    match value {
        Either::A(one) => vec![one],
        Either::B(many) => many,
    }
}

/// A JS object (a JWK or JWKS document) as a JSON object.
fn object_to_map(env: &Env, obj: Object<'_>) -> tokenward::Result<Map<String, Value>> {
    env.from_js_value::<Map<String, Value>, _>(obj)
        .map_err(|_| Error::new(ErrorCode::InvalidKey, "the key document is not plain JSON"))
}

/// A JWS key bound to one algorithm family (HMAC keys to one algorithm). Build it with the
/// static factories; printed forms never show key material.
#[napi]
pub struct JwtKey(pub(crate) core::JwtKey);

#[napi]
impl JwtKey {
    /// An HMAC key for `algorithm` (`HS256`, `HS384`, `HS512`). Secrets shorter than the hash
    /// output throw `invalid_key`.
    #[napi(
        factory,
        catch_unwind,
        ts_args_type = "secret: string | Buffer, algorithm: Algorithm"
    )]
    pub fn hmac(secret: Either<String, Buffer>, algorithm: String) -> napi::Result<Self, Code> {
        let alg = parse_alg(&algorithm).js()?;
        // Our copies of key material (napi copies JS strings into Rust ones) are wiped on drop.
        let key = match secret {
            Either::A(text) => core::JwtKey::hmac(Zeroizing::new(text).as_bytes(), alg),
            Either::B(bytes) => core::JwtKey::hmac(&bytes, alg),
        };
        Ok(JwtKey(key.js()?))
    }

    /// A key from PEM (SPKI, PKCS#8 or PKCS#1). `algorithm` pins the key to one algorithm of
    /// its family; RSA keys without it verify every RS/PS algorithm.
    #[napi(
        factory,
        catch_unwind,
        ts_args_type = "pem: string, algorithm?: Algorithm | undefined | null"
    )]
    pub fn from_pem(pem: String, algorithm: Option<String>) -> napi::Result<Self, Code> {
        let alg = algorithm.as_deref().map(parse_alg).transpose().js()?;
        Ok(JwtKey(
            core::JwtKey::from_pem(&Zeroizing::new(pem), alg).js()?,
        ))
    }

    /// A key from a JWK (an object or its JSON text). `kty`, `crv` and `alg` must agree;
    /// private members make a signing key.
    #[napi(factory, catch_unwind)]
    pub fn from_jwk(env: Env, jwk: Either<String, Object>) -> napi::Result<Self, Code> {
        let key = match jwk {
            Either::A(text) => core::JwtKey::from_jwk(&Zeroizing::new(text)),
            Either::B(obj) => {
                let map = object_to_map(&env, obj).js()?;
                core::JwtKey::from_jwk(&Zeroizing::new(Value::Object(map).to_string()))
            }
        };
        Ok(JwtKey(key.js()?))
    }

    /// Generates a new private key for `algorithm` (RSA 2048 bits; HMAC a random secret as
    /// long as the hash output).
    #[napi(factory, catch_unwind, ts_args_type = "algorithm: Algorithm")]
    pub fn generate(algorithm: String) -> napi::Result<Self, Code> {
        let alg = parse_alg(&algorithm).js()?;
        Ok(JwtKey(core::JwtKey::generate(alg).js()?))
    }

    /// The same key with a `kid`.
    #[napi(catch_unwind)]
    pub fn with_kid(&self, kid: String) -> JwtKey {
        JwtKey(self.0.with_kid(kid))
    }

    /// The same key pinned to one algorithm of its family.
    #[napi(catch_unwind, ts_args_type = "algorithm: Algorithm")]
    pub fn with_algorithm(&self, algorithm: String) -> napi::Result<JwtKey, Code> {
        let alg = parse_alg(&algorithm).js()?;
        Ok(JwtKey(self.0.with_algorithm(alg).js()?))
    }

    /// The public JWK (with `kid`, `alg`, `use: "sig"`). HMAC keys are never exported
    /// (`invalid_key`).
    #[napi(catch_unwind)]
    pub fn to_jwk(&self) -> napi::Result<Map<String, Value>, Code> {
        match self.0.to_jwk().js()? {
            Value::Object(jwk) => Ok(jwk),
            _ => Err(to_js(Error::new(ErrorCode::Internal, "a JWK is an object"))),
        }
    }

    /// The public key as a PEM `PUBLIC KEY` block (SPKI).
    #[napi(catch_unwind)]
    pub fn to_public_pem(&self) -> napi::Result<String, Code> {
        self.0.to_public_pem().js()
    }

    /// The private key as a PKCS#8 PEM block, wrapped in a `Secret` (call `expose()` to read).
    #[napi(catch_unwind)]
    pub fn to_private_pem(&self) -> napi::Result<Secret, Code> {
        Ok(Secret(self.0.to_private_pem().js()?))
    }

    /// The key id, or `null`.
    #[napi(getter, catch_unwind)]
    pub fn kid(&self) -> Option<String> {
        self.0.kid().map(str::to_owned)
    }

    /// The algorithm the key is pinned to, or `null` (an RSA key usable with any RS/PS alg).
    #[napi(getter, catch_unwind, ts_return_type = "Algorithm | null")]
    pub fn algorithm(&self) -> Option<&'static str> {
        self.0.algorithm().map(Algorithm::as_str)
    }

    /// Whether the key can sign (an HMAC secret or a private key).
    #[napi(getter, catch_unwind)]
    pub fn can_sign(&self) -> bool {
        self.0.can_sign()
    }
}

/// Keys addressed by `kid`. A token without `kid` selects the only key that accepts its
/// algorithm.
#[napi]
pub struct KeySet(pub(crate) core::KeySet);

#[napi]
impl KeySet {
    /// An empty set, or one holding `keys`. Duplicate `kid`s throw `invalid_key`.
    #[napi(constructor, catch_unwind)]
    pub fn new(keys: Option<Vec<ClassInstance<'_, JwtKey>>>) -> napi::Result<Self, Code> {
        let mut set = core::KeySet::new();
        for key in keys.unwrap_or_default() {
            set.insert(key.0.clone()).js()?;
        }
        Ok(KeySet(set))
    }

    /// Parses a JWKS document (`{"keys": [...]}`), as an object or JSON text. Entries not meant
    /// for signatures and unsupported key types are skipped; an invalid supported entry throws
    /// `invalid_key`.
    #[napi(factory, catch_unwind)]
    pub fn from_jwks(env: Env, document: Either<String, Object>) -> napi::Result<Self, Code> {
        let set = match document {
            Either::A(text) => core::KeySet::from_jwks(&text),
            Either::B(obj) => core::KeySet::from_jwks_value(&object_to_map(&env, obj).js()?),
        };
        Ok(KeySet(set.js()?))
    }

    /// The public keys as a JWKS document (for `/.well-known/jwks.json`); HMAC keys are left
    /// out.
    #[napi(catch_unwind)]
    pub fn to_jwks(&self) -> Value {
        self.0.to_jwks()
    }

    /// Adds a key; a duplicate `kid` throws `invalid_key`.
    #[napi(catch_unwind)]
    pub fn insert(&mut self, key: &JwtKey) -> napi::Result<(), Code> {
        self.0.insert(key.0.clone()).js()
    }

    /// The number of keys (the core's `len`; `size` like a JS `Map` or `Set`).
    #[napi(getter, catch_unwind)]
    pub fn size(&self) -> u32 {
        u32::try_from(self.0.len()).unwrap_or(u32::MAX)
    }

    /// The key ids, in insertion order (keys without `kid` are left out).
    #[napi(getter, catch_unwind)]
    pub fn kids(&self) -> Vec<String> {
        self.0
            .keys()
            .iter()
            .filter_map(|k| k.kid().map(str::to_owned))
            .collect()
    }
}

/// Options of `new JwtIssuer(key, options)`; an unset field keeps the core default.
#[napi(object, object_to_js = false)]
pub struct JwtIssuerOptions<'a> {
    /// The signing algorithm; required when the key is not pinned to one.
    #[napi(ts_type = "Algorithm")]
    pub algorithm: Option<String>,
    /// The `iss` claim.
    pub issuer: Option<String>,
    /// The default `aud` claim.
    pub audience: Option<Either<String, Vec<String>>>,
    /// Lifetime of issued tokens, in whole seconds (default 900).
    pub ttl: Option<f64>,
    /// The `typ` header (default `JWT`).
    pub typ: Option<String>,
    /// The clock for `iat`/`nbf`/`exp` (tests); the system clock when unset.
    pub clock: Option<ClassInstance<'a, crate::gateway::ManualClock>>,
}

fn issuer_options(o: JwtIssuerOptions<'_>) -> tokenward::Result<core::JwtIssuerOptions> {
    let mut options = core::JwtIssuerOptions::new();
    if let Some(alg) = o.algorithm {
        options = options.with_algorithm(parse_alg(&alg)?);
    }
    if let Some(iss) = o.issuer {
        options = options.with_issuer(iss);
    }
    if let Some(aud) = o.audience {
        options = options.with_audience(one_or_many(aud));
    }
    if let Some(ttl) = o.ttl {
        options = options.with_ttl(seconds(ttl)?);
    }
    if let Some(typ) = o.typ {
        options = options.with_typ(typ);
    }
    if let Some(clock) = o.clock {
        options = options.with_clock(clock.shared());
    }
    Ok(options)
}

/// Per-call options of `JwtIssuer.issue`.
#[napi(object)]
pub struct JwtIssueOptions {
    /// Lifetime of this token, in whole seconds.
    pub ttl: Option<f64>,
    /// The `sub` claim.
    pub subject: Option<String>,
    /// The `aud` claim instead of the issuer's.
    pub audience: Option<Either<String, Vec<String>>>,
}

/// Signs claims with one key, setting `iat`, `nbf`, `exp`, `jti`, `iss`, `aud` and the
/// `alg`/`typ`/`kid` headers.
#[napi]
pub struct JwtIssuer(core::JwtIssuer);

#[napi]
impl JwtIssuer {
    /// An issuer signing with `key` (which must hold private material or be an HMAC secret).
    #[napi(constructor, catch_unwind)]
    pub fn new(key: &JwtKey, options: Option<JwtIssuerOptions>) -> napi::Result<Self, Code> {
        let options = match options {
            Some(o) => issuer_options(o).js()?,
            None => core::JwtIssuerOptions::new(),
        };
        Ok(JwtIssuer(
            core::JwtIssuer::new(key.0.clone(), options).js()?,
        ))
    }

    /// Signs `claims` (custom claims override the registered defaults) and returns the
    /// compact token.
    #[napi(catch_unwind)]
    pub fn issue(
        &self,
        claims: Option<Map<String, Value>>,
        options: Option<JwtIssueOptions>,
    ) -> napi::Result<String, Code> {
        let mut opts = core::JwtIssueOptions::new();
        if let Some(o) = options {
            if let Some(ttl) = o.ttl {
                opts = opts.with_ttl(seconds(ttl).js()?);
            }
            if let Some(sub) = o.subject {
                opts = opts.with_subject(sub);
            }
            if let Some(aud) = o.audience {
                opts = opts.with_audience(one_or_many(aud));
            }
        }
        self.0.issue(&claims.unwrap_or_default(), &opts).js()
    }
}

/// Options of `new JwtVerifier(keys, options)` and `new RemoteJwtVerifier(keys, options)`.
/// `algorithms` is required; an unset field keeps the core default.
#[napi(object, object_to_js = false)]
pub struct JwtVerifierOptions<'a> {
    /// The algorithms a token may use (case-sensitive; there is no `none`).
    #[napi(ts_type = "Array<Algorithm>")]
    pub algorithms: Vec<String>,
    /// Accepted `iss` value(s); unset means `iss` is not compared (its type still is).
    pub issuers: Option<Either<String, Vec<String>>>,
    /// Audience(s) this verifier identifies with. Unset means tokens with an `aud` are refused.
    pub audiences: Option<Either<String, Vec<String>>>,
    /// The expected `sub`.
    pub subject: Option<String>,
    /// Clock skew tolerated on `exp`/`nbf`/`iat`, in whole seconds (default 60).
    pub leeway: Option<f64>,
    /// Claims that must be present.
    pub required_claims: Option<Vec<String>>,
    /// Whether `exp` is required (default true).
    pub require_exp: Option<bool>,
    /// The expected `typ` header (case-insensitive, `application/` optional).
    pub typ: Option<String>,
    /// Maximum age from `iat`, in whole seconds.
    pub max_age: Option<f64>,
    /// Maximum token size in bytes (default 16384).
    pub max_token_size: Option<u32>,
    /// Maximum JSON nesting depth (default 16).
    pub max_depth: Option<u32>,
    /// The clock for `exp`/`nbf`/`iat` (tests); the system clock when unset.
    pub clock: Option<ClassInstance<'a, crate::gateway::ManualClock>>,
}

pub(crate) fn verifier_options(
    o: JwtVerifierOptions<'_>,
) -> tokenward::Result<core::JwtVerifierOptions> {
    let algorithms = o
        .algorithms
        .iter()
        .map(|a| parse_alg(a))
        .collect::<tokenward::Result<Vec<_>>>()?;
    let mut opts = core::JwtVerifierOptions::new(algorithms);
    if let Some(iss) = o.issuers {
        opts = opts.with_issuers(one_or_many(iss));
    }
    if let Some(aud) = o.audiences {
        opts = opts.with_audiences(one_or_many(aud));
    }
    if let Some(sub) = o.subject {
        opts = opts.with_subject(sub);
    }
    if let Some(leeway) = o.leeway {
        opts = opts.with_leeway(seconds(leeway)?);
    }
    if let Some(required) = o.required_claims {
        opts = opts.with_required_claims(required);
    }
    if let Some(require_exp) = o.require_exp {
        opts = opts.with_require_exp(require_exp);
    }
    if let Some(typ) = o.typ {
        opts = opts.with_typ(typ);
    }
    if let Some(max_age) = o.max_age {
        opts = opts.with_max_age(seconds(max_age)?);
    }
    if let Some(size) = o.max_token_size {
        opts = opts.with_max_token_size(size as usize);
    }
    if let Some(depth) = o.max_depth {
        opts = opts.with_max_depth(depth as usize);
    }
    if let Some(clock) = o.clock {
        opts = opts.with_clock(clock.shared());
    }
    Ok(opts)
}

/// Verifies tokens against keys and a policy (RFC 8725). Build once, reuse for every token.
#[napi]
pub struct JwtVerifier {
    pub(crate) inner: core::JwtVerifier,
    /// `JSON.parse`, looked up once. Claims reach JS as JSON text parsed by the engine: a
    /// `__proto__` member then stays an own property (napi's object conversion assigns it,
    /// changing the object's prototype), and it is faster than building the object over napi.
    json_parse: FunctionRef<String, Unknown<'static>>,
}

fn internal(_: napi::Error) -> napi::Error<Code> {
    to_js(Error::new(
        ErrorCode::Internal,
        "converting between JS and JSON failed",
    ))
}

fn json_parse(env: &Env) -> napi::Result<FunctionRef<String, Unknown<'static>>> {
    let json: Object<'_> = env.get_global()?.get_named_property("JSON")?;
    let parse: Function<'_, String, Unknown<'static>> = json.get_named_property("parse")?;
    parse.create_ref()
}

#[napi]
impl JwtVerifier {
    /// A verifier for `keys` (a `KeySet`, a `JwtKey`, or a JWKS document as an object or JSON
    /// text). Throws `invalid_input` when `algorithms` is empty.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        env: Env,
        keys: Either4<&KeySet, &JwtKey, String, Object>,
        options: JwtVerifierOptions,
    ) -> napi::Result<Self, Code> {
        let keys = match keys {
            Either4::A(set) => set.0.clone(),
            Either4::B(key) => core::KeySet::single(key.0.clone()),
            Either4::C(text) => core::KeySet::from_jwks(&text).js()?,
            Either4::D(obj) => {
                core::KeySet::from_jwks_value(&object_to_map(&env, obj).js()?).js()?
            }
        };
        let options = verifier_options(options).js()?;
        Ok(JwtVerifier {
            inner: core::JwtVerifier::new(keys, options).js()?,
            json_parse: json_parse(&env).map_err(internal)?,
        })
    }

    /// Verifies `token` and returns its claims as a plain object; throws an `Error` whose
    /// `.code` says why otherwise (`expired`, `invalid_signature`, …).
    #[napi(ts_return_type = "Record<string, any>", catch_unwind)]
    pub fn verify(&self, env: Env, token: String) -> napi::Result<Unknown<'static>, Code> {
        let json = self.verify_json(token)?;
        let parse = self.json_parse.borrow_back(&env).map_err(internal)?;
        parse.call(json).map_err(internal)
    }

    /// Verifies `token` and returns its claims as JSON text (to forward them unchanged).
    #[napi(catch_unwind)]
    pub fn verify_json(&self, token: String) -> napi::Result<String, Code> {
        self.inner.verify_json(&token).js()
    }

    /// Internal (used by `index.js`): a raw N-API function verifying with this verifier,
    /// `fn(token)` -> claims object, `fn(token, true)` -> JSON text. See `jwt_fast/`.
    #[napi(js_name = "fastVerifier", skip_typescript, catch_unwind)]
    pub fn fast_verifier(
        &self,
        env: Env,
        compile: Function<'_, Unknown<'_>, Unknown<'_>>,
        generic: Function<'_, Unknown<'_>, Unknown<'_>>,
    ) -> napi::Result<Unknown<'static>> {
        // The core verifier is cloned once into an `Arc` owned by the function (a clone shares
        // the clock and the header cache); `inner` stays a plain value for the gateway.
        let verifier = Arc::new(self.inner.clone());
        // SAFETY: `env` is the env of this call and both functions are values of it; the
        // returned value is a function of the same env.
        unsafe {
            let func = crate::jwt_fast::create(env.raw(), verifier, compile.raw(), generic.raw())?;
            Unknown::from_napi_value(env.raw(), func)
        }
    }
}
