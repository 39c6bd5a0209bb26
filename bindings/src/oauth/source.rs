//! `TokenSource`, its status and listener (core `refresh::source`).

use std::sync::Arc;

use tokenward::oauth as core;
use tokenward::refresh;
use tokenward::Error;

use super::client::OAuthClient;
use super::convert::{display_as_core_debug, on_runtime};
use super::source_options::TokenSourceOptions;
use super::token::{AccessToken, TokenResponse};
use crate::error::{ErrorCode as FfiErrorCode, FfiResult};
use crate::secret::Secret;

/// The grant a source seeded with a token response uses when the response has no refresh
/// token (`client_credentials`).
#[derive(uniffi::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FallbackGrant {
    /// The client-credentials grant for the given scopes.
    ClientCredentials,
}

impl From<FallbackGrant> for refresh::FallbackGrant {
    fn from(f: FallbackGrant) -> Self {
        match f {
            FallbackGrant::ClientCredentials => refresh::FallbackGrant::ClientCredentials,
        }
    }
}

/// Where a `TokenSource` stands (snake_case names: `asString()` / `description`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
#[uniffi::export(Display)]
pub enum TokenSourceStatus {
    /// No token requested yet.
    Empty,
    /// A usable token is held and refreshes normally.
    Ready,
    /// The last request failed transiently; retrying with backoff.
    Retrying,
    /// The grant was refused (e.g. `invalid_grant`): the user must sign in again. No more
    /// requests are made.
    ReauthenticationRequired,
    /// `stop()` was called.
    Closed,
}

impl From<refresh::TokenSourceStatus> for TokenSourceStatus {
    fn from(s: refresh::TokenSourceStatus) -> Self {
        use refresh::TokenSourceStatus as Core;
        match s {
            Core::Empty => TokenSourceStatus::Empty,
            Core::Ready => TokenSourceStatus::Ready,
            Core::Retrying => TokenSourceStatus::Retrying,
            Core::ReauthenticationRequired => TokenSourceStatus::ReauthenticationRequired,
            Core::Closed => TokenSourceStatus::Closed,
        }
    }
}

impl From<TokenSourceStatus> for refresh::TokenSourceStatus {
    fn from(s: TokenSourceStatus) -> Self {
        use refresh::TokenSourceStatus as Core;
        match s {
            TokenSourceStatus::Empty => Core::Empty,
            TokenSourceStatus::Ready => Core::Ready,
            TokenSourceStatus::Retrying => Core::Retrying,
            TokenSourceStatus::ReauthenticationRequired => Core::ReauthenticationRequired,
            TokenSourceStatus::Closed => Core::Closed,
        }
    }
}

#[uniffi::export]
impl TokenSourceStatus {
    /// The snake_case name (`ready`, `reauthentication_required`, …), as Python and Node
    /// return it.
    pub fn as_string(&self) -> String {
        refresh::TokenSourceStatus::from(*self).as_str().to_owned()
    }
}

impl std::fmt::Display for TokenSourceStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(refresh::TokenSourceStatus::from(*self).as_str())
    }
}

/// Hooks of a `TokenSource` (implemented in Swift or Kotlin). Called on a library thread,
/// inline with the refresh: keep them cheap or hand off.
#[uniffi::export(with_foreign)]
pub trait TokenSourceListener: Send + Sync {
    /// A new token response arrived; persist a rotated `refreshToken()` from here.
    fn on_refresh(&self, tokens: Arc<TokenResponse>);
    /// A token request failed with `code` (`INVALID_GRANT`, `NETWORK`, …; its stable string
    /// is `code.asString()` / `code.description`); the message never contains secret material.
    fn on_error(&self, code: crate::error::ErrorCode, message: String);
}

/// An access token that is always valid when asked for: refreshed ahead of expiry in the
/// background, one request however many callers ask at once, `invalid_grant` terminal.
/// `close()` stops it (Kotlin: `AutoCloseable`, so `use {}` works); it also stops when released
/// (Swift `deinit`).
/// Printed with the core's `Debug` (the status only).
#[derive(uniffi::Object, Debug)]
#[uniffi::export(Debug, Display)]
pub struct TokenSource(pub(crate) refresh::TokenSource);

display_as_core_debug!(TokenSource);

/// Releasing the object closes the source (Kotlin `close()` / `use {}`, Swift `deinit`), even
/// when a clone of the core source is still held by a call in flight.
impl Drop for TokenSource {
    fn drop(&mut self) {
        self.0.close();
    }
}

#[uniffi::export]
impl TokenSource {
    /// A source using the client-credentials grant for `scopes`.
    #[uniffi::constructor(default(scopes = [], options))]
    pub fn client_credentials(
        client: Arc<OAuthClient>,
        scopes: Vec<String>,
        options: TokenSourceOptions,
    ) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(TokenSource(
            refresh::TokenSource::client_credentials(
                client.0.clone(),
                scopes,
                options.try_into()?,
            )?,
        )))
    }

    /// A source refreshing with `refreshToken`; rotated refresh tokens replace it (see
    /// `TokenSourceListener.onRefresh`).
    #[uniffi::constructor(default(scopes = [], options))]
    pub fn from_refresh_token(
        client: Arc<OAuthClient>,
        refresh_token: Arc<Secret>,
        scopes: Vec<String>,
        options: TokenSourceOptions,
    ) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(TokenSource(
            refresh::TokenSource::from_refresh_token(
                client.0.clone(),
                refresh_token.0.clone(),
                scopes,
                options.try_into()?,
            )?,
        )))
    }

    /// A source seeded with `response` (e.g. from `exchangeCode`): it serves that access
    /// token, then refreshes with the response's refresh token, or, when it has none, with
    /// `fallback` for `scopes`; without either it fails with `invalid_input`.
    #[uniffi::constructor(default(scopes = [], fallback = None, options))]
    pub fn from_token_response(
        client: Arc<OAuthClient>,
        response: Arc<TokenResponse>,
        scopes: Vec<String>,
        fallback: Option<FallbackGrant>,
        options: TokenSourceOptions,
    ) -> FfiResult<Arc<Self>> {
        let fallback = fallback.map(|f| refresh::FallbackGrant::from(f).grant(scopes));
        Ok(Arc::new(TokenSource(
            refresh::TokenSource::from_token_response(
                Arc::new(client.0.clone()),
                response.0.clone(),
                fallback,
                options.try_into()?,
            )?,
        )))
    }

    /// A valid token: the current one while usable, else the result of one shared request.
    /// Never returns an expired token.
    pub async fn token(&self) -> FfiResult<Arc<AccessToken>> {
        // Hot path: a usable token needs no task on the runtime (that hop costs ~15 µs).
        if let Some(t) = self.0.cached() {
            return Ok(Arc::new(AccessToken(t)));
        }
        let source = self.0.clone();
        let t = on_runtime(async move { source.token().await }).await?;
        Ok(Arc::new(AccessToken(t)))
    }

    /// Requests a new token now (e.g. after the API answered 401); concurrent calls share one
    /// request.
    pub async fn force_refresh(&self) -> FfiResult<Arc<AccessToken>> {
        let source = self.0.clone();
        let t = on_runtime(async move { source.force_refresh().await }).await?;
        Ok(Arc::new(AccessToken(t)))
    }

    /// Adds `listener`, called after every refresh and every failed request. Listeners live
    /// as long as the source.
    pub fn add_listener(&self, listener: Arc<dyn TokenSourceListener>) {
        let l = Arc::clone(&listener);
        self.0.on_refresh(Arc::new(move |r: &core::TokenResponse| {
            l.on_refresh(Arc::new(TokenResponse(r.clone())));
        }));
        self.0.on_error(Arc::new(move |e: &Error| {
            listener.on_error(e.code().into(), e.message().to_owned());
        }));
    }

    /// The current status.
    pub fn status(&self) -> TokenSourceStatus {
        self.0.status().into()
    }

    /// The code of the last failed request, when the last request failed.
    pub fn last_error_code(&self) -> Option<FfiErrorCode> {
        self.0.last_error().map(|e| e.code().into())
    }

    /// Completed token requests so far (successful or not).
    pub fn request_count(&self) -> u64 {
        self.0.request_count()
    }

    /// Stops the background task; later `token()` calls fail with `invalid_input`. Kotlin's
    /// `close()` (so `use {}`) also releases the object.
    pub fn close(&self) {
        self.0.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releasing_a_token_source_closes_it() {
        let client = core::OAuthClient::new(
            "https://as.example/token",
            "svc",
            core::OAuthClientOptions::default().with_auth_method(core::AuthMethod::PublicClient),
        )
        .unwrap();
        let source = refresh::TokenSource::client_credentials(
            client,
            Vec::new(),
            refresh::TokenSourceOptions::default(),
        )
        .unwrap();
        // A clone the way a call in flight holds one.
        let in_flight = source.clone();
        drop(TokenSource(source));
        assert_eq!(in_flight.status(), refresh::TokenSourceStatus::Closed);
    }
}
