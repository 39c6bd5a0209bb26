//! `TokenSource` and its options (core `refresh::source`, `refresh::options`).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use crate::napi;
use crate::napi::bindgen_prelude::{Either, Either3, Function};
use crate::napi::threadsafe_function::ThreadsafeFunctionCallMode;
use napi_derive::napi;
use tokenward::__bindings::runtime;
use tokenward::oauth::{self};
use tokenward::refresh::{self, FallbackGrant, TokenSourceOptions as CoreSourceOptions};
use tokenward::{Error, ErrorCode};

use super::client::OAuthClient;
use super::convert::{failure, parse, secret_arg, secs};
use super::job::Job;
use super::token::{AccessToken, TokenResponse};
use crate::error::{to_js, Code, IntoJsResult};
use crate::jwt_remote::Failure;
use crate::secret::Secret;
use crate::unwind::listener;

/// When a `TokenSource` refreshes and how it retries (durations in seconds); unset values are
/// the core's defaults.
#[napi(object)]
#[derive(Default)]
pub struct TokenSourceOptions {
    /// Refresh when less than `min(refreshAhead, lifetime × refreshAheadFraction)` remains
    /// (default 300).
    pub refresh_ahead: Option<f64>,
    /// See `refreshAhead` (default 0.5).
    pub refresh_ahead_fraction: Option<f64>,
    /// Random part of the refresh window by which the refresh moves earlier (default 0.1).
    pub jitter: Option<f64>,
    /// Stop handing out a token when less than `min(expiryMargin, lifetime / 4)` remains
    /// (default 5).
    pub expiry_margin: Option<f64>,
    /// Lifetime assumed when the server gives no `expires_in` (default 3600).
    pub default_lifetime: Option<f64>,
    /// First retry delay after a transient failure (default 1); doubles each time.
    pub backoff_initial: Option<f64>,
    /// Longest retry delay (default 60).
    pub backoff_max: Option<f64>,
    /// Refresh in the background (default true); otherwise on demand.
    pub background: Option<bool>,
}

pub(crate) fn source_options(
    o: Option<TokenSourceOptions>,
) -> tokenward::Result<CoreSourceOptions> {
    let mut r = CoreSourceOptions::default();
    let Some(o) = o else { return Ok(r) };
    // Ranges are checked by the core's TokenSource constructors.
    if let Some(v) = o.refresh_ahead {
        r = r.with_refresh_ahead(secs(v, "refreshAhead")?);
    }
    if let Some(v) = o.refresh_ahead_fraction {
        r = r.with_refresh_ahead_fraction(v);
    }
    if let Some(v) = o.jitter {
        r = r.with_jitter(v);
    }
    if let Some(v) = o.expiry_margin {
        r = r.with_expiry_margin(secs(v, "expiryMargin")?);
    }
    if let Some(v) = o.default_lifetime {
        r = r.with_default_lifetime(secs(v, "defaultLifetime")?);
    }
    if let Some(v) = o.backoff_initial {
        r = r.with_backoff_initial(secs(v, "backoffInitial")?);
    }
    if let Some(v) = o.backoff_max {
        r = r.with_backoff_max(secs(v, "backoffMax")?);
    }
    if let Some(v) = o.background {
        r = r.with_background(v);
    }
    Ok(r)
}

fn hook_error() -> napi::Error<Code> {
    to_js(Error::new(
        ErrorCode::Internal,
        "cannot register the callback",
    ))
}

/// Polls `fut` once without a waker (the caller re-polls it on a runtime if it is pending).
fn poll_once<F: Future + ?Sized>(fut: Pin<&mut F>) -> Poll<F::Output> {
    fut.poll(&mut Context::from_waker(Waker::noop()))
}

/// A token request in flight (returned by `tokenStart`; `TokenSource.token()` awaits it).
/// Internal: `tools/public-dts.mjs` keeps it out of the published types.
#[napi]
pub struct PendingToken(Job<oauth::AccessToken>);

#[napi]
impl PendingToken {
    /// Waits for the token: the token, or the failure.
    #[napi(skip_typescript, catch_unwind)]
    pub async fn wait(&self) -> napi::Result<Either<AccessToken, Failure>> {
        crate::unwind::caught(async move { Ok(self.0.wait("token request", AccessToken).await) })
            .await
    }
}

/// An access token that is always valid when asked for: refreshed in the background ahead of
/// expiry, one request however many callers wait, `invalid_grant` terminal
/// (`status === 'reauthentication_required'`). Stops on `close()` or when garbage-collected;
/// it never keeps Node's event loop alive.
#[napi]
pub struct TokenSource(pub(crate) refresh::TokenSource);

#[napi]
impl TokenSource {
    /// A source using the client-credentials grant for `scopes`.
    #[napi(factory, catch_unwind)]
    pub fn client_credentials(
        client: &OAuthClient,
        scopes: Option<Vec<String>>,
        options: Option<TokenSourceOptions>,
    ) -> napi::Result<Self, Code> {
        Ok(TokenSource(
            refresh::TokenSource::client_credentials(
                client.0.clone(),
                scopes.unwrap_or_default(),
                source_options(options).js()?,
            )
            .js()?,
        ))
    }

    /// A source refreshing with `refreshToken` (rotated tokens replace it: see `onRefresh`).
    #[napi(factory, catch_unwind)]
    pub fn from_refresh_token(
        client: &OAuthClient,
        refresh_token: Either<String, &Secret>,
        scopes: Option<Vec<String>>,
        options: Option<TokenSourceOptions>,
    ) -> napi::Result<Self, Code> {
        Ok(TokenSource(
            refresh::TokenSource::from_refresh_token(
                client.0.clone(),
                secret_arg(refresh_token).js()?,
                scopes.unwrap_or_default(),
                source_options(options).js()?,
            )
            .js()?,
        ))
    }

    /// A source seeded with a token response (e.g. from `exchangeCode`): no request until it
    /// needs refreshing; then it uses the response's refresh token, or, when it has none, the
    /// `fallback` grant (`'client_credentials'`) for `scopes`. Without either it throws
    /// `invalid_input`.
    #[napi(factory, catch_unwind)]
    pub fn from_token_response(
        client: &OAuthClient,
        response: &TokenResponse,
        scopes: Option<Vec<String>>,
        #[napi(ts_arg_type = "'client_credentials' | undefined | null")] fallback: Option<String>,
        options: Option<TokenSourceOptions>,
    ) -> napi::Result<Self, Code> {
        let fallback = parse::<FallbackGrant>(fallback.as_deref())
            .js()?
            .map(|f| f.grant(scopes.unwrap_or_default()));
        Ok(TokenSource(
            refresh::TokenSource::from_token_response(
                Arc::new(client.0.clone()),
                response.0.clone(),
                fallback,
                source_options(options).js()?,
            )
            .js()?,
        ))
    }

    /// Starts `token()` (use `token()`): the usable token or the failure right away, or a
    /// `PendingToken` when a request is needed. When the usable token has the fingerprint
    /// `knownFingerprint`, answers null instead of a new `AccessToken` object (the caller
    /// already holds it; creating the object is most of the cost of the hot path).
    #[napi(js_name = "tokenStart", skip_typescript, catch_unwind)]
    pub fn token_start(
        &self,
        known_fingerprint: Option<String>,
    ) -> Option<Either3<AccessToken, Failure, PendingToken>> {
        let rt = match runtime::runtime() {
            Ok(rt) => rt,
            Err(e) => return Some(Either3::B(failure(e))),
        };
        let source = self.0.clone();
        let mut fut = Box::pin(async move { source.token().await });
        let polled = {
            let _entered = rt.enter();
            poll_once(fut.as_mut())
        };
        Some(match polled {
            Poll::Ready(Ok(t)) => {
                if known_fingerprint.as_deref() == Some(t.secret().fingerprint()) {
                    return None;
                }
                Either3::A(AccessToken(t))
            }
            Poll::Ready(Err(e)) => Either3::B(failure(e)),
            Poll::Pending => Either3::C(PendingToken(Job::new(rt.spawn(fut)))),
        })
    }

    /// Requests a new token now (use `forceRefresh`); concurrent calls share one request.
    #[napi(js_name = "forceRefreshRaw", skip_typescript, catch_unwind)]
    pub async fn force_refresh_raw(&self) -> napi::Result<Either<AccessToken, Failure>> {
        crate::unwind::caught(async move {
            let source = self.0.clone();
            let result = match runtime::runtime() {
                Ok(rt) => rt
                    .spawn(async move { source.force_refresh().await })
                    .await
                    .unwrap_or_else(|_| {
                        Err(Error::new(
                            ErrorCode::Internal,
                            "the token request was aborted",
                        ))
                    }),
                Err(e) => Err(e),
            };
            Ok(match result {
                Ok(t) => Either::A(AccessToken(t)),
                Err(e) => Either::B(failure(e)),
            })
        })
        .await
    }

    /// Calls `callback(response)` after each refresh, asynchronously on the main thread
    /// (persist a rotated `response.refreshToken` from here). The callback does not keep Node
    /// alive.
    #[napi(catch_unwind)]
    pub fn on_refresh(&self, callback: Function<TokenResponse, ()>) -> napi::Result<(), Code> {
        let tsfn = listener(callback).map_err(|_| hook_error())?;
        self.0.on_refresh(Arc::new(move |r: &oauth::TokenResponse| {
            tsfn.call(
                TokenResponse(r.clone()),
                ThreadsafeFunctionCallMode::NonBlocking,
            );
        }));
        Ok(())
    }

    /// Calls `callback({ code, message })` after each failed request (use `onError`, which
    /// passes an `Error` with `.code`).
    #[napi(js_name = "onErrorRaw", skip_typescript, catch_unwind)]
    pub fn on_error_raw(&self, callback: Function<Failure, ()>) -> napi::Result<(), Code> {
        let tsfn = listener(callback).map_err(|_| hook_error())?;
        self.0.on_error(Arc::new(move |e: &Error| {
            tsfn.call(failure(e.clone()), ThreadsafeFunctionCallMode::NonBlocking);
        }));
        Ok(())
    }

    /// Where the source stands.
    #[napi(
        getter,
        catch_unwind,
        ts_return_type = "'empty' | 'ready' | 'retrying' | 'reauthentication_required' | 'closed'"
    )]
    pub fn status(&self) -> &'static str {
        self.0.status().as_str()
    }

    /// Completed token requests so far (successful or not).
    #[napi(getter, catch_unwind)]
    pub fn request_count(&self) -> f64 {
        self.0.request_count() as f64
    }

    /// The code of the last failed request while the source is retrying or needs
    /// re-authentication, else null.
    #[napi(getter, catch_unwind)]
    pub fn last_error_code(&self) -> Option<&'static str> {
        self.0.last_error().map(|e| e.code().as_str())
    }

    /// Stops the background task; later calls reject with `invalid_input`.
    #[napi(catch_unwind)]
    pub fn close(&self) {
        self.0.close();
    }

    /// `TokenSource(status=…)`.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn to_display_string(&self) -> String {
        format!("TokenSource(status={})", self.0.status().as_str())
    }
}
