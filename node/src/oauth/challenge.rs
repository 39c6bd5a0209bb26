//! `tokenRejected` (core `refresh::challenge`).

use crate::napi;
use napi_derive::napi;

/// Whether a response with `status` and `wwwAuthenticate` (the `WWW-Authenticate` values, joined
/// by `", "`) says the access token sent was rejected, so that one refresh and one retry may
/// help: the rule of `fetchWithTokenSource` and `useTokenSource` (axios).
#[napi(catch_unwind)]
pub fn token_rejected(status: u32, www_authenticate: Option<String>) -> bool {
    u16::try_from(status)
        .is_ok_and(|s| tokenward::refresh::token_rejected(s, www_authenticate.as_deref()))
}
