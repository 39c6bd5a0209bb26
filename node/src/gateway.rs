//! The in-process gateway for JS: `Authenticator`, `RevocationList`, `ManualClock`.
//! Conversion only: the checks, their order and every outcome live in `tokenward::gateway`.
//!
//! `authenticate` returns its decision as data (`{ ok: true, … }` or `{ ok: false, … }`), never
//! throws for a refused request; it throws only for a programming error (`invalid_input`).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::napi;
use crate::napi::bindgen_prelude::{
    Buffer, ClassInstance, Either, FnArgs, FromNapiValue, Function, FunctionRef, JsObjectValue,
    Object, Unknown,
};
use crate::napi::{Env, JsValue, ValueType};
use napi_derive::napi;
use tokenward::clock::{Clock, SharedClock};
use tokenward::gateway::{self as core, ForwardedHeader, RateLimit, RevocationKind};
use tokenward::{Error, ErrorCode};

use crate::apikeys::ApiKeys;
use crate::error::{to_js, Code, IntoJsResult};
use crate::jwt::JwtVerifier;
use crate::oauth::OAuthClient;

fn invalid(msg: &'static str) -> napi::Error<Code> {
    to_js(Error::new(ErrorCode::InvalidInput, msg))
}

/// A napi failure while reading arguments, as an `invalid_input` error with napi's reason.
fn bad_arg(err: napi::Error) -> napi::Error<Code> {
    to_js(Error::new(
        ErrorCode::InvalidInput,
        format!("invalid argument: {}", err.reason),
    ))
}

fn internal(_: napi::Error) -> napi::Error<Code> {
    to_js(Error::new(
        ErrorCode::Internal,
        "converting the decision to JS failed",
    ))
}

/// A clock that moves only when told to, for tests and simulations. Accepted by
/// `Authenticator` (rate limits), `RevocationList` (expiry) and `JwtVerifier` (claim times).
#[napi]
pub struct ManualClock(pub(crate) Arc<tokenward::clock::ManualClock>);

/// Unix seconds from JS, bounded by the core (`invalid_input` for NaN, negative or huge values;
/// `UNIX_EPOCH + 1e19 s` would overflow `SystemTime`).
fn unix_time(seconds: f64) -> napi::Result<SystemTime, Code> {
    tokenward::clock::unix_time_from_secs_f64(seconds, "a time").js()
}

/// Seconds from JS, bounded by the core's `clock::MAX_DURATION_SECS`.
fn seconds(value: f64, what: &'static str) -> napi::Result<Duration, Code> {
    tokenward::clock::duration_from_secs_f64(value, what).js()
}

#[napi]
impl ManualClock {
    /// A clock frozen at `unixSeconds` (fractions allowed).
    #[napi(constructor, catch_unwind)]
    pub fn new(unix_seconds: f64) -> napi::Result<Self, Code> {
        let clock = tokenward::clock::ManualClock::at_unix(0);
        clock.set(unix_time(unix_seconds)?);
        Ok(ManualClock(clock))
    }

    /// Moves the clock forward by `seconds` (fractions allowed).
    #[napi(catch_unwind)]
    pub fn advance(&self, seconds: f64) -> napi::Result<(), Code> {
        self.0.advance(self::seconds(seconds, "advance")?);
        Ok(())
    }

    /// Sets the clock to `unixSeconds`.
    #[napi(catch_unwind)]
    pub fn set(&self, unix_seconds: f64) -> napi::Result<(), Code> {
        self.0.set(unix_time(unix_seconds)?);
        Ok(())
    }

    /// The current time in Unix seconds (with fractions).
    #[napi(getter, catch_unwind)]
    pub fn now(&self) -> f64 {
        self.0
            .now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64())
    }
}

impl ManualClock {
    pub(crate) fn shared(&self) -> SharedClock {
        self.0.clone()
    }
}

/// A rate limit: `rate` requests per `period` seconds, with bursts of up to `burst`.
#[napi(object)]
pub struct RateLimitOptions {
    /// Requests per period (at least 1).
    pub rate: u32,
    /// Requests that may arrive at once (at least 1).
    pub burst: u32,
    /// The period in seconds (default 1).
    pub period: Option<f64>,
}

fn rate_limit(o: &RateLimitOptions) -> napi::Result<RateLimit, Code> {
    let period = match o.period {
        None => core::DEFAULT_RATE_LIMIT_PERIOD,
        Some(p) => seconds(p, "a rate-limit period")?,
    };
    RateLimit::new(o.rate, period, o.burst).js()
}

/// Options of `new RevocationList(options)`; an unset field keeps the core default.
#[napi(object, object_to_js = false)]
pub struct RevocationListOptions<'a> {
    /// Most live entries held (default 1 000 000; at least 1); `revoke` throws
    /// `invalid_input` when full.
    pub max_entries: Option<u32>,
    /// The clock that decides which entries have expired (tests); the system clock when unset.
    pub clock: Option<ClassInstance<'a, ManualClock>>,
    /// Where the list lives: `"memory"` (the default, this process) or `"redis://…"` (shared by
    /// every instance using that Redis).
    pub store: Option<String>,
    /// With a shared store: accept a credential when Redis cannot answer (default `false`:
    /// the authenticator refuses with 503).
    pub fail_open: Option<bool>,
}

/// The core's parse: its error lists the kinds.
fn revocation_kind(kind: &str) -> napi::Result<RevocationKind, Code> {
    kind.parse().js()
}

/// An expiring, bounded revocation list by JWT `jti`, API key id or subject. Share one list
/// between authenticators; entries are dropped after their expiry. In Redis
/// (`{ store: "redis://…" }`) it is shared by every instance using that Redis.
#[napi]
pub struct RevocationList {
    /// The in-process list (`None` for a shared store).
    local: Option<Arc<core::RevocationList>>,
    pub(crate) store: Arc<dyn core::RevocationStore>,
}

#[napi]
impl RevocationList {
    /// `new RevocationList({ maxEntries, clock, store, failOpen })`; throws `invalid_input` for
    /// a `maxEntries` of 0 or an unsupported store.
    #[napi(constructor, catch_unwind)]
    pub fn new(options: Option<RevocationListOptions>) -> napi::Result<Self, Code> {
        let mut o = core::RevocationListOptions::new();
        let (mut store, mut fail_open) = (None, false);
        if let Some(options) = options {
            if let Some(max) = options.max_entries {
                o = o.with_max_entries(max as usize);
            }
            if let Some(clock) = options.clock {
                o = o.with_clock(clock.shared());
            }
            store = options.store;
            fail_open = options.fail_open.unwrap_or(false);
        }
        match store.as_deref().map(str::trim) {
            None | Some("") | Some("memory") => {
                let local = Arc::new(core::RevocationList::new(o).js()?);
                Ok(RevocationList {
                    store: local.clone(),
                    local: Some(local),
                })
            }
            Some(url) => Ok(RevocationList {
                local: None,
                store: core::open_revocations(Some(url), fail_open).js()?,
            }),
        }
    }

    /// Revokes `id` of `kind` until `until` (Unix seconds, in the future; for a `jti`, the
    /// token's `exp` is enough). Throws `invalid_input` for a past expiry or a full list.
    #[napi(
        ts_args_type = "kind: 'jti' | 'key_id' | 'subject', id: string, until: number",
        catch_unwind
    )]
    pub fn revoke(&self, kind: String, id: String, until: f64) -> napi::Result<(), Code> {
        if !until.is_finite() {
            return Err(invalid("until is a number of Unix seconds"));
        }
        let kind = revocation_kind(&kind)?;
        self.store.revoke(kind, &id, until.ceil() as i64).js()
    }

    /// Lifts a revocation; returns whether one existed.
    #[napi(
        ts_args_type = "kind: 'jti' | 'key_id' | 'subject', id: string",
        catch_unwind
    )]
    pub fn unrevoke(&self, kind: String, id: String) -> napi::Result<bool, Code> {
        self.store.unrevoke(revocation_kind(&kind)?, &id).js()
    }

    /// Whether `id` of `kind` is revoked now.
    #[napi(
        ts_args_type = "kind: 'jti' | 'key_id' | 'subject', id: string",
        catch_unwind
    )]
    pub fn is_revoked(&self, kind: String, id: String) -> napi::Result<bool, Code> {
        self.store.is_revoked(revocation_kind(&kind)?, &id).js()
    }

    /// Drops expired entries; returns how many remain (a shared store expires its entries
    /// itself: 0).
    #[napi(catch_unwind)]
    pub fn purge(&self) -> u32 {
        let n = self.local.as_ref().map_or(0, |l| l.purge());
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// Entries held (live or not yet purged; 0 for a shared store).
    #[napi(getter, catch_unwind)]
    pub fn size(&self) -> u32 {
        let n = self.local.as_ref().map_or(0, |l| l.len());
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

/// The in-process gateway: build once, call `authenticate` per request.
#[napi]
pub struct Authenticator {
    inner: Arc<core::Authenticator>,
    /// JS helpers that read the request fields and build the decision objects: an object
    /// literal built by the engine costs a fraction of property-by-property napi calls.
    shapes: Shapes,
}

/// Arguments of the principal factory: kind, subject, key id, scopes, claims JSON, remaining.
type PrincipalArgs = FnArgs<(
    &'static str,
    String,
    Option<String>,
    Vec<String>,
    Option<String>,
    Option<f64>,
)>;
/// Arguments of the refusal factory: code, status, `WWW-Authenticate`, `Retry-After`, the
/// public error and description, `DPoP-Nonce`.
type RefusalArgs = FnArgs<(
    &'static str,
    u32,
    Option<String>,
    Option<f64>,
    &'static str,
    &'static str,
    Option<String>,
)>;

struct Shapes {
    read: FunctionRef<Unknown<'static>, Unknown<'static>>,
    principal: FunctionRef<PrincipalArgs, Unknown<'static>>,
    refusal: FunctionRef<RefusalArgs, Unknown<'static>>,
}

/// The helpers. Claims are parsed by `JSON.parse` (captured once): a `__proto__` claim stays an
/// own property, as in `JwtVerifier.verify`.
const SHAPES_JS: &str = r#"((relevant) => {
  const parse = JSON.parse
  const wanted = new Set(relevant)
  // A header object (req.headers) becomes flat name, value lines of the wanted headers only;
  // arrays (pairs, rawHeaders) are converted natively. Values are checked natively.
  const lines = (h) => {
    if (h === null || typeof h !== 'object' || Array.isArray(h)) return h
    const out = []
    for (const name in h) {
      if (!wanted.has(name.toLowerCase())) continue
      const v = h[name]
      if (Array.isArray(v)) for (const x of v) out.push(name, x)
      else if (v !== undefined && v !== null) out.push(name, v)
    }
    return out
  }
  return {
    read: (r) => (r === null || typeof r !== 'object') ? null
      : [r.method, r.path, lines(r.headers), r.clientIp, r.requiredScopes, r.clientCertificate],
    principal: (kind, subject, keyId, scopes, claims, rateLimitRemaining) => ({
      ok: true, kind, subject, keyId, scopes, claims: claims === null ? {} : parse(claims), rateLimitRemaining,
    }),
    refusal: (code, status, wwwAuthenticate, retryAfter, error, errorDescription, dpopNonce) =>
      ({ ok: false, code, status, wwwAuthenticate, retryAfter, error, errorDescription, dpopNonce }),
  }
})"#;

fn shapes(env: &Env, relevant: &[String]) -> napi::Result<Shapes> {
    let make: Function<'_, Vec<String>, Object<'_>> = env.run_script(SHAPES_JS)?;
    let obj = make.call(relevant.to_vec())?;
    let read: Function<'_, Unknown<'static>, Unknown<'static>> = obj.get_named_property("read")?;
    let principal: Function<'_, PrincipalArgs, Unknown<'static>> =
        obj.get_named_property("principal")?;
    let refusal: Function<'_, RefusalArgs, Unknown<'static>> = obj.get_named_property("refusal")?;
    Ok(Shapes {
        read: read.create_ref()?,
        principal: principal.create_ref()?,
        refusal: refusal.create_ref()?,
    })
}

fn json_parse(env: &Env) -> napi::Result<FunctionRef<String, Unknown<'static>>> {
    let json: Object<'_> = env.get_global()?.get_named_property("JSON")?;
    let parse: Function<'_, String, Unknown<'static>> = json.get_named_property("parse")?;
    parse.create_ref()
}

fn get<T: FromNapiValue>(obj: &Object<'_>, name: &str) -> napi::Result<Option<T>, Code> {
    match obj.get::<Unknown<'_>>(name).map_err(bad_arg)? {
        None => Ok(None),
        Some(v) if v.get_type().map_err(bad_arg)? == ValueType::Null => Ok(None),
        Some(_) => obj.get::<T>(name).map_err(|e| {
            to_js(Error::new(
                ErrorCode::InvalidInput,
                format!("option {name}: {}", e.reason),
            ))
        }),
    }
}

/// Element `i` of the request fields: `None` when undefined or null.
fn element<T: FromNapiValue>(
    fields: &Object<'_>,
    i: u32,
    name: &'static str,
) -> napi::Result<Option<T>, Code> {
    let v: Unknown<'_> = fields.get_element(i).map_err(bad_arg)?;
    match v.get_type().map_err(bad_arg)? {
        ValueType::Undefined | ValueType::Null => Ok(None),
        _ => T::from_unknown(v).map(Some).map_err(|e| {
            to_js(Error::new(
                ErrorCode::InvalidInput,
                format!("request.{name}: {}", e.reason),
            ))
        }),
    }
}

/// Parses a socket or configured address; tolerates an IPv6 zone (`fe80::1%eth0`).
fn parse_ip(s: &str) -> napi::Result<IpAddr, Code> {
    let s = s.split_once('%').map_or(s, |(a, _)| a);
    s.parse()
        .map_err(|_| invalid("clientIp is not an IP address"))
}

#[napi]
impl Authenticator {
    /// `new Authenticator(options)`: see `AuthenticatorOptions`. At least one of `apiKeys`,
    /// `jwt` and `introspection` is required; invalid options throw `invalid_input`.
    #[napi(
        constructor,
        ts_args_type = "options: AuthenticatorOptions",
        catch_unwind
    )]
    pub fn new(env: Env, options: Object<'_>) -> napi::Result<Self, Code> {
        let mut o = core::AuthenticatorOptions::new();
        if let Some(keys) = get::<ClassInstance<'_, ApiKeys>>(&options, "apiKeys")? {
            o = o.with_api_keys(keys.0.clone());
        }
        if let Some(v) = get::<ClassInstance<'_, JwtVerifier>>(&options, "jwt")? {
            o = o.with_jwt(Arc::new(v.inner.clone()));
        }
        if let Some(client) = get::<ClassInstance<'_, OAuthClient>>(&options, "introspection")? {
            o = o.with_introspection(Arc::new(client.0.clone()));
        }
        if let Some(s) = get::<ClassInstance<'_, crate::sessions::Sessions>>(&options, "sessions")?
        {
            o = o.with_sessions(s.0.clone());
        }
        if let Some(realm) = get::<String>(&options, "realm")? {
            o = o.with_realm(realm);
        }
        if let Some(h) = get::<String>(&options, "apiKeyHeader")? {
            o = o.with_api_key_header(Some(h));
        }
        if let Some(name) = get::<String>(&options, "queryParam")? {
            o = o.with_query_param(name);
        }
        if let Some(name) = get::<String>(&options, "cookie")? {
            o = o.with_cookie(name);
        }
        if let Some(n) = get::<u32>(&options, "maxHeaderLen")? {
            o = o.with_max_header_len(n as usize);
        }
        if let Some(nets) = get::<Vec<String>>(&options, "ipAllow")? {
            o = o.with_ip_allow(nets);
        }
        if let Some(nets) = get::<Vec<String>>(&options, "ipDeny")? {
            o = o.with_ip_deny(nets);
        }
        if let Some(proxies) = get::<Vec<String>>(&options, "trustedProxies")? {
            o = o.with_trusted_proxies(proxies);
        }
        if let Some(h) = get::<String>(&options, "forwardedHeader")? {
            o = o.with_forwarded_header(h.parse::<ForwardedHeader>().js()?);
        }
        if let Some(l) = get::<RateLimitOptions>(&options, "rateLimit")? {
            o = o.with_rate_limit(rate_limit(&l)?);
        }
        if let Some(l) = get::<RateLimitOptions>(&options, "ipRateLimit")? {
            o = o.with_ip_rate_limit(rate_limit(&l)?);
        }
        // Absent: the core default (on).
        if let Some(l) = get::<RateLimitOptions>(&options, "failureRateLimit")? {
            o = o.with_failure_rate_limit(Some(rate_limit(&l)?));
        }
        if let Some(m) = get::<HashMap<String, RateLimitOptions>>(&options, "rateLimitOverrides")? {
            for (who, l) in m {
                o = o.with_rate_limit_override(who, rate_limit(&l)?);
            }
        }
        if let Some(m) = get::<HashMap<String, RateLimitOptions>>(&options, "plans")? {
            for (plan, l) in m {
                o = o.with_plan(plan, rate_limit(&l)?);
            }
        }
        if let Some(list) = get::<ClassInstance<'_, RevocationList>>(&options, "revocations")? {
            o = o.with_revocation_store(list.store.clone());
        }
        if let Some(url) = get::<String>(&options, "rateLimitStore")? {
            o = o.with_rate_limit_store(url);
        }
        if let Some(fail_open) = get::<bool>(&options, "rateLimitStoreFailOpen")? {
            o = o.with_rate_limit_store_fail_open(fail_open);
        }
        if let Some(clock) = get::<ClassInstance<'_, ManualClock>>(&options, "clock")? {
            o = o.with_clock(clock.shared());
        }
        if let Some(n) = get::<u32>(&options, "maxTracked")? {
            o = o.with_max_tracked(n as usize);
        }
        if let Some(t) = get::<f64>(&options, "introspectionCacheTtl")? {
            o = o.with_introspection_cache_ttl(seconds(t, "introspectionCacheTtl")?);
        }
        if let Some(t) = get::<f64>(&options, "introspectionNegativeTtl")? {
            o = o.with_introspection_negative_ttl(seconds(t, "introspectionNegativeTtl")?);
        }
        if let Some(n) = get::<u32>(&options, "introspectionCacheSize")? {
            o = o.with_introspection_cache_size(n as usize);
        }
        if let Some(l) = get::<RateLimitOptions>(&options, "introspectionRateLimit")? {
            o = o.with_introspection_rate_limit(Some(rate_limit(&l)?));
        }
        if let Some(n) = get::<u32>(&options, "introspectionMaxInflight")? {
            o = o.with_introspection_max_inflight(n as usize);
        }
        if let Some(v) = get::<ClassInstance<'_, crate::dpop::DpopVerifier>>(&options, "dpop")? {
            o = o.with_dpop(v.0.clone());
        }
        if let Some(origin) = get::<String>(&options, "dpopOrigin")? {
            o = o.with_dpop_origin(origin);
        }
        if let Some(a) =
            get::<ClassInstance<'_, crate::abuse::AbuseDetection>>(&options, "abuseDetection")?
        {
            o = o.with_abuse_detection(a.0.clone());
        }
        if let Some(h) = get::<String>(&options, "requestIdHeader")? {
            o = o.with_request_id_header(h);
        }
        if let Some(on) = get::<bool>(&options, "mtlsBoundTokens")? {
            o = o.with_mtls_bound_tokens(on);
        }
        let inner = core::Authenticator::new(o).js()?;
        let shapes = shapes(&env, inner.header_names()).map_err(internal)?;
        Ok(Authenticator {
            inner: Arc::new(inner),
            shapes,
        })
    }

    /// Authenticates and authorizes one request. `headers` is Node's `req.headers` object
    /// (`string | string[]` values), an array of `[name, value]` pairs, or a flat
    /// `req.rawHeaders` array; names are compared case-insensitively. Returns the decision —
    /// a refusal is a value, not an exception; throws only for invalid arguments.
    #[napi(
        ts_args_type = "request: AuthRequest",
        ts_return_type = "AuthDecision",
        catch_unwind
    )]
    pub fn authenticate(
        &self,
        env: Env,
        request: Unknown<'static>,
    ) -> napi::Result<Unknown<'static>, Code> {
        let req = self.read_request(&env, request)?;
        let decision = req.view(|r| self.inner.authenticate(r));
        self.decision(&env, decision).map_err(internal)
    }

    /// Whether the authenticator introspects opaque tokens (then prefer `authenticateAsync`).
    #[napi(getter, catch_unwind)]
    pub fn has_introspection(&self) -> bool {
        self.inner.has_introspection()
    }

    /// The `DPoP-Nonce` to send now (also on accepted requests, to rotate it), or `null`
    /// without DPoP nonces.
    #[napi(catch_unwind)]
    pub fn dpop_nonce(&self) -> Option<String> {
        self.inner.dpop_nonce()
    }

    /// The lower-case names of the headers this configuration reads; other headers cannot
    /// change a decision, so an adapter may pass only these.
    #[napi(getter, catch_unwind)]
    pub fn header_names(&self) -> Vec<String> {
        self.inner.header_names().to_vec()
    }

    /// Like `authenticate`, and an opaque bearer token without a cached answer is introspected
    /// (RFC 7662) through the `introspection` client first. Resolves to the decision (never
    /// rejects for a refusal); a failing introspection endpoint gives a 503 refusal whose
    /// `code` is the failure's (`network`, `timeout`, …). Invalid arguments throw
    /// `invalid_input` synchronously, before a Promise exists.
    #[napi(
        ts_args_type = "request: AuthRequest",
        ts_return_type = "Promise<AuthDecision>",
        catch_unwind
    )]
    pub fn authenticate_async<'env>(
        &self,
        env: &'env Env,
        request: Unknown<'static>,
    ) -> napi::Result<napi::bindgen_prelude::PromiseRaw<'env, Object<'static>>, Code> {
        let req = self.read_request(env, request)?;
        let inner = self.inner.clone();
        // A panic while polling comes back as Err(()) and rejects with code `internal`.
        let fut = crate::unwind::catch(async move { req.authenticate_async(&inner).await });
        let fut = async move { Ok(fut.await) };
        env.spawn_future_with_callback(fut, |env, decision| {
            let decision = decision.map_err(|()| crate::unwind::internal_error(env))?;
            let parse = json_parse(env)?;
            let parse = parse.borrow_back(env)?;
            decision_object(env, decision, &parse)
        })
        .map_err(internal)
    }
}

fn push_value(
    out: &mut Vec<(String, String)>,
    name: &str,
    value: Unknown<'_>,
) -> napi::Result<(), Code> {
    match value.get_type().map_err(bad_arg)? {
        ValueType::Undefined | ValueType::Null => Ok(()),
        ValueType::String => {
            let v: String = unsafe_cast(&value)?;
            out.push((name.to_owned(), v));
            Ok(())
        }
        ValueType::Object => {
            let arr: Vec<String> = unsafe_cast(&value)
                .map_err(|_| invalid("a header value is a string or an array of strings"))?;
            out.extend(arr.into_iter().map(|v| (name.to_owned(), v)));
            Ok(())
        }
        _ => Err(invalid("a header value is a string or an array of strings")),
    }
}

/// Converts a value whose type was just checked.
fn unsafe_cast<T: FromNapiValue>(value: &Unknown<'_>) -> napi::Result<T, Code> {
    T::from_unknown(*value).map_err(bad_arg)
}

impl Authenticator {
    fn is_relevant(&self, name: &str) -> bool {
        self.inner
            .header_names()
            .iter()
            .any(|r| r.eq_ignore_ascii_case(name))
    }

    fn read_headers(&self, headers: Unknown<'_>) -> napi::Result<Vec<(String, String)>, Code> {
        let mut out = Vec::new();
        match headers.get_type().map_err(bad_arg)? {
            ValueType::Undefined | ValueType::Null => return Ok(out),
            ValueType::Object => {}
            _ => return Err(invalid("headers is an object or an array")),
        }
        let obj: Object<'_> = unsafe_cast(&headers)?;
        if obj.is_array().map_err(bad_arg)? {
            let len = obj.get_array_length().map_err(bad_arg)?;
            if len == 0 {
                return Ok(out);
            }
            let first: Unknown<'_> = obj.get_element(0).map_err(bad_arg)?;
            if first.get_type().map_err(bad_arg)? == ValueType::String {
                // A flat `rawHeaders` array: name, value, name, value, …
                if len % 2 != 0 {
                    return Err(invalid("a flat header array has an even length"));
                }
                for i in (0..len).step_by(2) {
                    let name: String = obj.get_element(i).map_err(bad_arg)?;
                    if self.is_relevant(&name) {
                        let value: String = obj.get_element(i + 1).map_err(bad_arg)?;
                        out.push((name, value));
                    }
                }
            } else {
                for i in 0..len {
                    let pair: Vec<String> = obj
                        .get_element(i)
                        .map_err(|_| invalid("headers pairs are [name, value] strings"))?;
                    let [name, value]: [String; 2] = pair
                        .try_into()
                        .map_err(|_| invalid("headers pairs are [name, value] strings"))?;
                    if self.is_relevant(&name) {
                        out.push((name, value));
                    }
                }
            }
            return Ok(out);
        }
        for name in Object::keys(&obj).map_err(bad_arg)? {
            if self.is_relevant(&name) {
                let value: Unknown<'_> = obj.get_named_property(&name).map_err(bad_arg)?;
                push_value(&mut out, &name, value)?;
            }
        }
        Ok(out)
    }

    fn read_request(
        &self,
        env: &Env,
        request: Unknown<'static>,
    ) -> napi::Result<core::OwnedRequest, Code> {
        let read = self.shapes.read.borrow_back(env).map_err(internal)?;
        let fields = read.call(request).map_err(internal)?;
        if fields.get_type().map_err(bad_arg)? != ValueType::Object {
            return Err(invalid("the request is an object"));
        }
        let fields: Object<'_> = Object::from_unknown(fields).map_err(bad_arg)?;
        let method = element::<String>(&fields, 0, "method")?.unwrap_or_else(|| "GET".to_owned());
        let path = element::<String>(&fields, 1, "path")?.unwrap_or_else(|| "/".to_owned());
        let headers = match element::<Unknown<'_>>(&fields, 2, "headers")? {
            Some(h) => self.read_headers(h)?,
            None => Vec::new(),
        };
        let client_ip = element::<String>(&fields, 3, "clientIp")?
            .as_deref()
            .map(parse_ip)
            .transpose()?;
        let scopes = element::<Vec<String>>(&fields, 4, "requiredScopes")?.unwrap_or_default();
        let client_certificate =
            element::<Either<Buffer, String>>(&fields, 5, "clientCertificate")?
                .map(crate::mtls::cert_bytes);
        Ok(core::OwnedRequest {
            method,
            path,
            headers,
            client_ip,
            required_scopes: scopes,
            client_certificate,
        })
    }

    fn decision(
        &self,
        env: &Env,
        decision: Result<core::Principal, core::Refusal>,
    ) -> napi::Result<Unknown<'static>> {
        match decision {
            Ok(p) => {
                let claims = (!p.claims.is_empty()).then(|| p.claims.to_json());
                let make = self.shapes.principal.borrow_back(env)?;
                make.call(FnArgs::from((
                    p.kind.as_str(),
                    p.subject,
                    p.key_id,
                    p.scopes,
                    claims,
                    p.rate_limit_remaining.map(|r| r as f64),
                )))
            }
            Err(r) => {
                let make = self.shapes.refusal.borrow_back(env)?;
                let (error, description) = r.public_error();
                make.call(FnArgs::from((
                    r.code_str(),
                    u32::from(r.status),
                    r.www_authenticate,
                    r.retry_after.map(|d| d.as_secs_f64()),
                    error,
                    description,
                    r.dpop_nonce,
                )))
            }
        }
    }
}

/// The decision as `{ ok: true, … }` or `{ ok: false, … }`.
fn decision_object(
    env: &Env,
    decision: Result<core::Principal, core::Refusal>,
    parse: &Function<'_, String, Unknown<'static>>,
) -> napi::Result<Object<'static>> {
    match decision {
        Ok(p) => {
            let mut o = Object::new(env)?;
            o.set_c_named_property(c"ok", true)?;
            o.set_c_named_property(c"kind", p.kind.as_str())?;
            o.set_c_named_property(c"subject", p.subject)?;
            o.set_c_named_property(c"keyId", p.key_id)?;
            o.set_c_named_property(c"scopes", p.scopes)?;
            if p.claims.is_empty() {
                o.set_c_named_property(c"claims", Object::new(env)?)?;
            } else {
                let text = p.claims.to_json();
                o.set_c_named_property(c"claims", parse.call(text)?)?;
            }
            o.set_c_named_property(
                c"rateLimitRemaining",
                p.rate_limit_remaining.map(|r| r as f64),
            )?;
            Ok(o)
        }
        Err(r) => refusal_object(env, &r),
    }
}

fn refusal_object(env: &Env, r: &core::Refusal) -> napi::Result<Object<'static>> {
    let mut o = Object::new(env)?;
    o.set_c_named_property(c"ok", false)?;
    o.set_c_named_property(c"code", r.code_str())?;
    o.set_c_named_property(c"status", u32::from(r.status))?;
    o.set_c_named_property(c"wwwAuthenticate", r.www_authenticate.as_deref())?;
    o.set_c_named_property(c"retryAfter", r.retry_after.map(|d| d.as_secs_f64()))?;
    o.set_c_named_property(c"dpopNonce", r.dpop_nonce.as_deref())?;
    let (error, description) = r.public_error();
    o.set_c_named_property(c"error", error)?;
    o.set_c_named_property(c"errorDescription", description)?;
    Ok(o)
}
