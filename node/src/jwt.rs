//! JWT for JS: `Key`, `KeySet`, `JwtIssuer`, `JwtVerifier`. Conversion only; every check is in
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

fn parse_alg(name: &str) -> tokenward::Result<Algorithm> {
    Algorithm::parse(name)
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
pub struct Key(pub(crate) core::Key);

#[napi]
impl Key {
    /// An HMAC key for `alg` (`HS256`, `HS384`, `HS512`). Secrets shorter than the hash output
    /// throw `invalid_key`.
    #[napi(factory, catch_unwind)]
    pub fn hmac(secret: Either<String, Buffer>, alg: String) -> napi::Result<Self, Code> {
        let alg = parse_alg(&alg).js()?;
        // Our copies of key material (napi copies JS strings into Rust ones) are wiped on drop.
        let key = match secret {
            Either::A(text) => core::Key::hmac(Zeroizing::new(text).as_bytes(), alg),
            Either::B(bytes) => core::Key::hmac(&bytes, alg),
        };
        Ok(Key(key.js()?))
    }

    /// A key from PEM (SPKI, PKCS#8 or PKCS#1). `alg` pins the key to one algorithm of its
    /// family; RSA keys without it verify every RS/PS algorithm.
    #[napi(factory, catch_unwind)]
    pub fn from_pem(pem: String, alg: Option<String>) -> napi::Result<Self, Code> {
        let alg = alg.as_deref().map(parse_alg).transpose().js()?;
        Ok(Key(core::Key::from_pem(&Zeroizing::new(pem), alg).js()?))
    }

    /// A key from a JWK (an object or its JSON text). `kty`, `crv` and `alg` must agree;
    /// private members make a signing key.
    #[napi(factory, catch_unwind)]
    pub fn from_jwk(env: Env, jwk: Either<String, Object>) -> napi::Result<Self, Code> {
        let key = match jwk {
            Either::A(text) => core::Key::from_jwk(&Zeroizing::new(text)),
            Either::B(obj) => {
                let map = object_to_map(&env, obj).js()?;
                core::Key::from_jwk(&Zeroizing::new(Value::Object(map).to_string()))
            }
        };
        Ok(Key(key.js()?))
    }

    /// Generates a new private key for `alg` (RSA 2048 bits; HMAC a random secret as long as
    /// the hash output).
    #[napi(factory, catch_unwind)]
    pub fn generate(alg: String) -> napi::Result<Self, Code> {
        let alg = parse_alg(&alg).js()?;
        Ok(Key(core::Key::generate(alg).js()?))
    }

    /// The same key with a `kid`.
    #[napi(catch_unwind)]
    pub fn with_kid(&self, kid: String) -> Key {
        Key(self.0.with_kid(kid))
    }

    /// The same key pinned to one algorithm of its family.
    #[napi(catch_unwind)]
    pub fn with_algorithm(&self, alg: String) -> napi::Result<Key, Code> {
        let alg = parse_alg(&alg).js()?;
        Ok(Key(self.0.with_alg(alg).js()?))
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
    #[napi(getter, catch_unwind)]
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
    pub fn new(keys: Option<Vec<ClassInstance<'_, Key>>>) -> napi::Result<Self, Code> {
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
    pub fn add(&mut self, key: &Key) -> napi::Result<(), Code> {
        self.0.insert(key.0.clone()).js()
    }

    /// The number of keys.
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

/// Options of `new JwtIssuer(key, options)`.
#[napi(object)]
pub struct JwtIssuerOptions {
    /// The `iss` claim.
    pub issuer: Option<String>,
    /// The default `aud` claim.
    pub audience: Option<Either<String, Vec<String>>>,
    /// Lifetime of issued tokens in seconds (default 900).
    pub ttl: Option<f64>,
    /// The `typ` header (default `JWT`).
    pub typ: Option<String>,
    /// The signing algorithm; required when the key is not pinned to one.
    pub algorithm: Option<String>,
}

/// Per-call options of `JwtIssuer.issue`.
#[napi(object)]
pub struct JwtIssueOptions {
    /// Lifetime of this token in seconds.
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
    pub fn new(key: &Key, options: Option<JwtIssuerOptions>) -> napi::Result<Self, Code> {
        let options = options.unwrap_or(JwtIssuerOptions {
            issuer: None,
            audience: None,
            ttl: None,
            typ: None,
            algorithm: None,
        });
        let alg = options
            .algorithm
            .as_deref()
            .map(parse_alg)
            .transpose()
            .js()?;
        let mut issuer = core::JwtIssuer::new(key.0.clone(), alg).js()?;
        if let Some(iss) = options.issuer {
            issuer = issuer.issuer(iss);
        }
        if let Some(aud) = options.audience {
            issuer = issuer.audience(one_or_many(aud));
        }
        if let Some(ttl) = options.ttl {
            issuer = issuer.ttl(seconds(ttl).js()?);
        }
        if let Some(typ) = options.typ {
            issuer = issuer.typ(typ);
        }
        Ok(JwtIssuer(issuer))
    }

    /// Signs `claims` (custom claims override the registered defaults) and returns the
    /// compact token.
    #[napi(catch_unwind)]
    pub fn issue(
        &self,
        claims: Option<Map<String, Value>>,
        options: Option<JwtIssueOptions>,
    ) -> napi::Result<String, Code> {
        let mut opts = core::IssueOptions::default();
        if let Some(o) = options {
            opts.ttl = o.ttl.map(seconds).transpose().js()?;
            opts.subject = o.subject;
            opts.audience = o.audience.map(one_or_many);
        }
        self.0.issue(&claims.unwrap_or_default(), &opts).js()
    }
}

/// Options of `new JwtVerifier(keys, options)`. `algorithms` is required.
#[napi(object)]
pub struct JwtVerifierOptions {
    /// The algorithms a token may use (case-sensitive; there is no `none`).
    pub algorithms: Vec<String>,
    /// Accepted `iss` value(s); unset means `iss` is not compared (its type still is).
    pub issuer: Option<Either<String, Vec<String>>>,
    /// Audience(s) this verifier identifies with. Unset means tokens with an `aud` are refused.
    pub audience: Option<Either<String, Vec<String>>>,
    /// The expected `sub`.
    pub subject: Option<String>,
    /// Clock skew tolerated on `exp`/`nbf`/`iat`, in seconds (default 60).
    pub leeway: Option<f64>,
    /// Claims that must be present.
    pub required_claims: Option<Vec<String>>,
    /// Whether `exp` is required (default true).
    pub require_exp: Option<bool>,
    /// The expected `typ` header (case-insensitive, `application/` optional).
    pub typ: Option<String>,
    /// Maximum age from `iat`, in seconds.
    pub max_age: Option<f64>,
    /// Maximum token size in bytes (default 16384).
    pub max_token_size: Option<u32>,
    /// Maximum JSON nesting depth (default 16).
    pub max_depth: Option<u32>,
}

fn verifier_options(o: JwtVerifierOptions) -> tokenward::Result<core::VerifierOptions> {
    let mut opts = core::VerifierOptions {
        algorithms: o
            .algorithms
            .iter()
            .map(|a| parse_alg(a))
            .collect::<tokenward::Result<_>>()?,
        ..core::VerifierOptions::default()
    };
    if let Some(iss) = o.issuer {
        opts.issuers = one_or_many(iss);
    }
    if let Some(aud) = o.audience {
        opts.audiences = one_or_many(aud);
    }
    opts.subject = o.subject;
    if let Some(leeway) = o.leeway {
        opts.leeway = seconds(leeway)?;
    }
    if let Some(required) = o.required_claims {
        opts.required_claims = required;
    }
    if let Some(require_exp) = o.require_exp {
        opts.require_exp = require_exp;
    }
    opts.typ = o.typ;
    opts.max_age = o.max_age.map(seconds).transpose()?;
    if let Some(size) = o.max_token_size {
        opts.max_token_size = size as usize;
    }
    if let Some(depth) = o.max_depth {
        opts.max_depth = depth as usize;
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

/// Builds a core verifier with no local keys, for `RemoteJwtVerifier`.
pub(crate) fn verifier_options_for_remote(
    options: JwtVerifierOptions,
) -> napi::Result<core::JwtVerifier, Code> {
    let options = verifier_options(options).js()?;
    core::JwtVerifier::new(core::KeySet::new(), options).js()
}

#[napi]
impl JwtVerifier {
    /// A verifier for `keys` (a `KeySet`, a `Key`, or a JWKS document as an object or JSON
    /// text). Throws `invalid_input` when `algorithms` is empty. `clock` (a `ManualClock`, for
    /// tests) replaces the system clock.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        env: Env,
        keys: Either4<&KeySet, &Key, String, Object>,
        options: JwtVerifierOptions,
        clock: Option<&crate::gateway::ManualClock>,
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
            inner: match clock {
                Some(c) => core::JwtVerifier::with_clock(keys, options, c.shared()).js()?,
                None => core::JwtVerifier::new(keys, options).js()?,
            },
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
    /// `fn(token)` -> claims object, `fn(token, true)` -> JSON text. See `jwt_fast.rs`.
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
