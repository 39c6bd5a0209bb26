//! `token_rejected` (core `refresh::challenge`).

/// Whether a response with `status` and `wwwAuthenticate` (the `WWW-Authenticate` values, joined
/// by `", "`) says the access token sent was rejected, so that one refresh and one retry may
/// help: the rule of the OkHttp and `URLSession` hooks.
#[uniffi::export]
pub fn token_rejected(status: i32, www_authenticate: Option<String>) -> bool {
    u16::try_from(status)
        .is_ok_and(|s| tokenward::refresh::token_rejected(s, www_authenticate.as_deref()))
}
