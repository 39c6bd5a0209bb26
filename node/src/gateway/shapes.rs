//! The JS helpers of an `Authenticator`: reading the request fields and building the decision
//! objects with object literals.

use crate::napi;
use crate::napi::bindgen_prelude::{FnArgs, Function, FunctionRef, JsObjectValue, Object, Unknown};
use crate::napi::Env;

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

pub(super) struct Shapes {
    pub(super) read: FunctionRef<Unknown<'static>, Unknown<'static>>,
    pub(super) principal: FunctionRef<PrincipalArgs, Unknown<'static>>,
    pub(super) refusal: FunctionRef<RefusalArgs, Unknown<'static>>,
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

pub(super) fn shapes(env: &Env, relevant: &[String]) -> napi::Result<Shapes> {
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

pub(super) fn json_parse(env: &Env) -> napi::Result<FunctionRef<String, Unknown<'static>>> {
    let json: Object<'_> = env.get_global()?.get_named_property("JSON")?;
    let parse: Function<'_, String, Unknown<'static>> = json.get_named_property("parse")?;
    parse.create_ref()
}
