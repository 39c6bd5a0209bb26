//! Runtime adaptation and argument conversions shared by the OAuth objects.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokenward::http::HttpPolicy;
use tokenward::{Error, ErrorCode};

use crate::error::FfiResult;

/// A task on the core runtime, aborted when the awaiting foreign call is dropped (cancelled).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl<T> Future for AbortOnDrop<T> {
    type Output = Result<T, tokio::task::JoinError>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx)
    }
}

/// Runs `future` on the core's shared runtime and awaits it from whatever executor polls the
/// returned future (the foreign language's).
pub(crate) async fn on_runtime<F, T>(future: F) -> FfiResult<T>
where
    F: Future<Output = Result<T, Error>> + Send + 'static,
    T: Send + 'static,
{
    let handle = tokenward::__bindings::runtime::runtime()?.handle().clone();
    match AbortOnDrop(handle.spawn(future)).await {
        Ok(result) => Ok(result?),
        Err(_) => {
            Err(Error::new(ErrorCode::Internal, "the operation was cancelled or failed").into())
        }
    }
}

fn invalid(msg: &'static str) -> crate::error::TokenwardError {
    Error::new(ErrorCode::InvalidInput, msg).into()
}

/// `value` when within the core's `clock::MAX_DURATION` (larger values would overflow
/// deadlines); the core's check, not one of this binding's own.
pub(crate) fn bounded(value: Option<Duration>) -> FfiResult<Option<Duration>> {
    Ok(value
        .map(|d| tokenward::clock::check_duration(d, "a duration"))
        .transpose()?)
}

/// The default HTTP policy with `timeout` (positive) when given.
pub(crate) fn http_policy(timeout: Option<Duration>) -> FfiResult<HttpPolicy> {
    let mut policy = HttpPolicy::default();
    if let Some(t) = bounded(timeout)? {
        if t.is_zero() {
            return Err(invalid("timeout must be positive"));
        }
        policy.timeout = t;
    }
    Ok(policy)
}

/// `Display` (Kotlin `toString`, Swift `description`) of a wrapper whose core type has a
/// secret-free `Debug` but no `Display`: the core's `Debug`, so no binding restates a format.
macro_rules! display_as_core_debug {
    ($($wrapper:ty),+) => {$(
        impl std::fmt::Display for $wrapper {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Debug::fmt(&self.0, f)
            }
        }
    )+};
}
pub(crate) use display_as_core_debug;
