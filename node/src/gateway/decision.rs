//! The decision objects handed back to JS (core `gateway::decision`).

use crate::napi;
use crate::napi::bindgen_prelude::{Function, JsObjectValue, Object, Unknown};
use crate::napi::Env;
use tokenward::gateway::{self as core};

/// The decision as `{ ok: true, … }` or `{ ok: false, … }`.
pub(super) fn decision_object(
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
