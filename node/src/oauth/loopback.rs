//! `LoopbackRedirect` (core `oauth::loopback`, RFC 8252 §7.3).

use std::time::Duration;

use crate::napi;
use crate::napi::bindgen_prelude::Either;
use napi_derive::napi;
use tokenward::oauth;

use super::convert::{failure, secs};
use crate::error::{Code, IntoJsResult};
use crate::jwt_remote::Failure;

/// The default wait for the browser's redirect.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// The redirect of a CLI or desktop login (RFC 8252 §7.3): listens on `127.0.0.1` on an
/// ephemeral port. Give `redirectUri` to the `AuthorizationFlow`, open its URL, then
/// `await redirect.complete(flow, timeoutSeconds)`: one `GET /callback` is answered with a page
/// saying the browser can be closed (other paths: 404, the wait goes on), then the listener
/// closes. No wait within the timeout (default 300 s): an `Error` with code `timeout`.
#[napi]
pub struct LoopbackRedirect(oauth::LoopbackRedirect);

#[napi]
impl LoopbackRedirect {
    /// Binds `127.0.0.1` on an ephemeral port (code `network` when the system refuses).
    #[napi(constructor, catch_unwind)]
    pub fn new() -> napi::Result<Self, Code> {
        Ok(LoopbackRedirect(oauth::LoopbackRedirect::new().js()?))
    }

    /// `http://127.0.0.1:PORT/callback`.
    #[napi(getter, catch_unwind)]
    pub fn redirect_uri(&self) -> String {
        self.0.redirect_uri().to_owned()
    }

    /// The port listened on.
    #[napi(getter, catch_unwind)]
    pub fn port(&self) -> u32 {
        u32::from(self.0.port())
    }

    /// Waits for the redirect and returns its URL, or the failure (use `complete`).
    #[napi(js_name = "waitRaw", skip_typescript, catch_unwind)]
    pub async fn wait_raw(&self, timeout: Option<f64>) -> napi::Result<Either<String, Failure>> {
        crate::unwind::caught(async move {
            let timeout = match timeout.map(|t| secs(t, "timeout")).transpose() {
                Ok(t) => t.unwrap_or(DEFAULT_TIMEOUT),
                Err(e) => return Ok(Either::B(failure(e))),
            };
            Ok(match self.0.wait(timeout).await {
                Ok(url) => Either::A(url.expose().to_owned()),
                Err(e) => Either::B(failure(e)),
            })
        })
        .await
    }

    /// Redacted: the port only.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn to_display_string(&self) -> String {
        format!("LoopbackRedirect(port={})", self.0.port())
    }
}
