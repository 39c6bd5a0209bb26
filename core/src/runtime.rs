//! The library's own tokio runtime, started lazily on first network use and never dropped.
//!
//! Rust callers that already run tokio use the async APIs directly on theirs; [`block_on`]
//! runs them from synchronous code. The bindings (Python, Swift, Kotlin), which have no runtime
//! of their own, reach the runtime itself through `tokenward::__bindings::runtime`.

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::{Builder, Handle, Runtime};

use crate::{Error, ErrorCode};

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();

/// The shared runtime (two worker threads named `tokenward-io`).
pub(crate) fn runtime() -> Result<&'static Runtime, Error> {
    RUNTIME
        .get_or_init(|| {
            Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("tokenward-io")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| {
            Error::new(
                ErrorCode::Internal,
                format!("cannot start the runtime: {e}"),
            )
        })
}

/// A handle to the current runtime if the caller runs on one, else to the shared one.
pub(crate) fn handle() -> Result<Handle, Error> {
    match Handle::try_current() {
        Ok(h) => Ok(h),
        Err(_) => Ok(runtime()?.handle().clone()),
    }
}

/// Runs `future` to completion from synchronous code on the shared runtime.
///
/// Refuses (with `invalid_input`) when called from inside a tokio runtime, where blocking would
/// stall its workers: use the async API there.
pub fn block_on<F: Future>(future: F) -> Result<F::Output, Error> {
    if Handle::try_current().is_ok() {
        return Err(Error::new(
            ErrorCode::InvalidInput,
            "blocking call made from inside an async runtime; use the async API",
        ));
    }
    Ok(runtime()?.block_on(future))
}
