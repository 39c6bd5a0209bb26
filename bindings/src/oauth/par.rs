//! `AuthorizationFlow.start` for Swift and Kotlin (RFC 9126 pushed authorization requests):
//! an `async` constructor run on the core's runtime.
//! Conversion only; the request, its checks and the error mapping live in the core.

use std::sync::Arc;

use tokenward::oauth as core;

use crate::error::FfiResult;

use super::client::OAuthClient;
use super::convert::on_runtime;
use super::flow::{AuthorizationFlow, AuthorizationFlowOptions};

#[uniffi::export]
impl AuthorizationFlow {
    /// A flow like the constructor's, pushed to the server first (RFC 9126) when it has a
    /// pushed authorization request endpoint (the discovered one, or
    /// `options.pushedAuthorizationUrl`): `authorizationUrl()` then carries only `client_id`
    /// and `request_uri`. Fails with `INVALID_INPUT` when pushing is required and no endpoint
    /// is known, or for the server's `invalid_request`; `INVALID_RESPONSE` for an answer
    /// without `request_uri`.
    #[uniffi::constructor(default(options))]
    pub async fn start(
        client: Arc<OAuthClient>,
        redirect_uri: String,
        options: AuthorizationFlowOptions,
    ) -> FfiResult<Arc<Self>> {
        let options = options.into_core();
        let client = client.0.clone();
        let flow = on_runtime(async move {
            core::AuthorizationFlow::start(&client, redirect_uri, options).await
        })
        .await?;
        Ok(Arc::new(AuthorizationFlow(Arc::new(flow))))
    }

    /// The `request_uri` of the pushed authorization request, or `null`/`nil` when not pushed.
    pub fn request_uri(&self) -> Option<String> {
        self.0.request_uri().map(str::to_owned)
    }
}
