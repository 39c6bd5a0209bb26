//! `AuthorizationFlow.start` for JS (RFC 9126 pushed authorization requests). Conversion only: the request, its checks and the error mapping live in the core
//! (`tokenward::oauth`, `par.rs`).

use crate::napi;
use crate::napi::bindgen_prelude::Either;
use napi_derive::napi;
use tokenward::__bindings::runtime;
use tokenward::oauth;

use super::client::OAuthClient;
use super::convert::failure;
use super::flow::{flow_options, AuthorizationFlow, AuthorizationFlowOptions};
use super::job::Job;
use crate::jwt_remote::Failure;

/// A pushed start in flight (returned by `startRaw`; `AuthorizationFlow.start()` awaits it).
/// Internal: `tools/public-dts.mjs` keeps it out of the published types.
#[napi]
pub struct PendingFlow(Job<oauth::AuthorizationFlow>);

#[napi]
impl PendingFlow {
    /// Waits for the pushed authorization request: the flow, or the failure.
    #[napi(skip_typescript, catch_unwind)]
    pub async fn wait(&self) -> napi::Result<Either<AuthorizationFlow, Failure>> {
        crate::unwind::caught(async move {
            Ok(self
                .0
                .wait("pushed authorization request", AuthorizationFlow)
                .await)
        })
        .await
    }
}

#[napi]
impl AuthorizationFlow {
    /// Starts a flow (use `AuthorizationFlow.start`, which rejects with `.code`): pushed to the
    /// server first (RFC 9126) when it has a PAR endpoint. The options are read here,
    /// synchronously; the request runs on the library runtime and `PendingFlow.wait()` awaits it.
    #[napi(js_name = "startRaw", skip_typescript, catch_unwind)]
    pub fn start_raw(
        client: &OAuthClient,
        redirect_uri: String,
        options: Option<AuthorizationFlowOptions<'_>>,
    ) -> Either<PendingFlow, Failure> {
        let start = || -> tokenward::Result<_> {
            let options = flow_options(options)?;
            let client = client.0.clone();
            let rt = runtime::runtime()?;
            Ok(rt.spawn(async move {
                oauth::AuthorizationFlow::start(&client, redirect_uri, options).await
            }))
        };
        match start() {
            Ok(job) => Either::A(PendingFlow(Job::new(job))),
            Err(e) => Either::B(failure(e)),
        }
    }

    /// The `request_uri` of the pushed authorization request, or null when not pushed.
    #[napi(getter, catch_unwind)]
    pub fn request_uri(&self) -> Option<String> {
        self.0.request_uri().map(str::to_owned)
    }
}
