//! `LoopbackRedirect` (core `oauth::loopback`, RFC 8252 §7.3).

use std::sync::Arc;
use std::time::Duration;

use tokenward::oauth as core;

use super::convert::{bounded, on_runtime};
use super::flow::AuthorizationFlow;
use super::token::TokenResponse;
use crate::error::FfiResult;

/// The default wait for the browser's redirect.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// The redirect of a desktop or command-line login (RFC 8252 §7.3): listens on `127.0.0.1` on
/// an ephemeral port. Give `redirectUri()` to the `AuthorizationFlow`, open its URL, then
/// `complete(flow)`: one `GET /callback` is answered with a page saying the browser can be
/// closed (other paths: 404, the wait goes on), then the listener closes. Printed with its
/// port only.
#[derive(uniffi::Object, Debug)]
pub struct LoopbackRedirect(Arc<core::LoopbackRedirect>);

#[uniffi::export]
impl LoopbackRedirect {
    /// Binds `127.0.0.1` on an ephemeral port (`NETWORK` when the system refuses).
    #[uniffi::constructor]
    pub fn new() -> FfiResult<Arc<Self>> {
        Ok(Arc::new(LoopbackRedirect(Arc::new(
            core::LoopbackRedirect::new()?,
        ))))
    }

    /// `http://127.0.0.1:PORT/callback`.
    pub fn redirect_uri(&self) -> String {
        self.0.redirect_uri().to_owned()
    }

    /// The port listened on.
    pub fn port(&self) -> u16 {
        self.0.port()
    }

    /// Waits (`timeout`, default 300 s, then `TIMEOUT`) for the one redirect and completes
    /// `flow` with it (`AuthorizationFlow.complete`'s refusals).
    #[uniffi::method(default(timeout = None))]
    pub async fn complete(
        &self,
        flow: Arc<AuthorizationFlow>,
        timeout: Option<Duration>,
    ) -> FfiResult<Arc<TokenResponse>> {
        let timeout = bounded(timeout)?.unwrap_or(DEFAULT_TIMEOUT);
        let (redirect, flow) = (self.0.clone(), flow.0.clone());
        let r = on_runtime(async move { redirect.complete(&flow, timeout).await }).await?;
        Ok(Arc::new(TokenResponse(r)))
    }
}
