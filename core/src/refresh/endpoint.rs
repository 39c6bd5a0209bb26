//! What a [`super::TokenSource`] asks for tokens: normally an [`OAuthClient`].

use std::future::Future;
use std::pin::Pin;
use std::time::SystemTime;

use crate::oauth::{Failure, Grant, OAuthClient, TokenResponse};

/// A boxed future returned by [`TokenEndpoint::request`].
pub type TokenFuture<'a> =
    Pin<Box<dyn Future<Output = Result<TokenResponse, Failure>> + Send + 'a>>;

/// A token endpoint: presents a grant, answers with tokens or a failure.
pub trait TokenEndpoint: Send + Sync + 'static {
    /// Presents `grant`.
    fn request<'a>(&'a self, grant: &'a Grant) -> TokenFuture<'a>;

    /// The wall-clock time used for `expires_at`.
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

impl TokenEndpoint for OAuthClient {
    fn request<'a>(&'a self, grant: &'a Grant) -> TokenFuture<'a> {
        Box::pin(self.request_token_detailed(grant))
    }

    fn now(&self) -> SystemTime {
        self.clock().now()
    }
}
