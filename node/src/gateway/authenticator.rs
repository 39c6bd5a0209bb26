//! `Authenticator` (core `gateway::authenticator`).

use std::collections::HashMap;
use std::sync::Arc;

use crate::napi;
use crate::napi::bindgen_prelude::{
    Buffer, ClassInstance, Either, FnArgs, FromNapiValue, JsObjectValue, Object, Unknown,
};
use crate::napi::{Env, JsValue, ValueType};
use napi_derive::napi;
use tokenward::gateway::{self as core, ForwardedHeader};

use super::clock::{seconds, ManualClock};
use super::convert::{bad_arg, internal, invalid};
use super::decision::decision_object;
use super::ratelimit::{rate_limit, RateLimitOptions};
use super::request::{element, get, parse_ip, push_value, unsafe_cast};
use super::revocation::RevocationList;
use super::shapes::{json_parse, shapes, Shapes};
use crate::apikeys::ApiKeys;
use crate::error::{Code, IntoJsResult};
use crate::jwt::JwtVerifier;
use crate::oauth::OAuthClient;

/// The in-process gateway: build once, call `authenticate` per request.
#[napi]
pub struct Authenticator {
    inner: Arc<core::Authenticator>,
    /// JS helpers that read the request fields and build the decision objects: an object
    /// literal built by the engine costs a fraction of property-by-property napi calls.
    shapes: Shapes,
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
        if let Some(v) =
            get::<ClassInstance<'_, crate::jwt_remote::RemoteJwtVerifier>>(&options, "remoteJwt")?
        {
            o = o.with_remote_jwt(Arc::new(v.0.clone()));
        }
        if let Some(on) = get::<bool>(&options, "mtlsBoundTokens")? {
            o = o.with_mtls_bound_tokens(on);
        }
        if let Some(on) = get::<bool>(&options, "requireSenderConstrained")? {
            o = o.with_require_sender_constrained(on);
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

    /// Whether JWTs are verified with remote keys (`remoteJwt`): `authenticate` then uses the
    /// cached keys only, `authenticateAsync` fetches them.
    #[napi(getter, catch_unwind)]
    pub fn has_remote_jwt(&self) -> bool {
        self.inner.has_remote_jwt()
    }

    /// Whether any state of the pipeline is on Redis or PostgreSQL: `authenticate` then blocks
    /// the event loop for network round trips, `authenticateAsync` does not (the adapters use
    /// it by default then).
    #[napi(getter, catch_unwind)]
    pub fn has_shared_stores(&self) -> bool {
        self.inner.has_shared_stores()
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
