//! Shared backends (Redis, PostgreSQL) behind the synchronous interfaces of the gateway and the
//! key stores: the bridge from synchronous callers to the library's runtime, with a deadline on
//! every operation, so a backend that is down, slow or answering garbage is an error value
//! (`network`, `timeout`, `invalid_response`, `storage`), never a hang or a panic.
//! docs/distributed.md is the user-facing description.

#[cfg(feature = "postgres")]
pub(crate) mod postgres;
#[cfg(feature = "redis")]
pub(crate) mod redis;

use std::future::Future;
use std::time::Duration;

use tokio::runtime::{Handle, RuntimeFlavor};

use crate::{Error, ErrorCode, Result};

/// How long one backend operation (a round trip, or a connection attempt and a round trip) may
/// take by default before it fails with `timeout`.
pub const DEFAULT_BACKEND_TIMEOUT: Duration = Duration::from_millis(500);

#[cfg_attr(not(any(feature = "redis", feature = "postgres")), allow(dead_code))]
pub(crate) fn timeout_error(what: &str) -> Error {
    Error::new(ErrorCode::Timeout, format!("{what}: no answer in time"))
}

/// Runs `future` to completion from synchronous code, failing with `timeout` after `limit`.
///
/// * Outside any tokio runtime: on the calling thread, with the library's runtime driving I/O.
/// * On a multi-thread tokio runtime (an `authenticate_async` caller, a binding's worker): the
///   thread is handed over to blocking first (`block_in_place`), so the runtime's other tasks
///   keep running.
/// * On a current-thread runtime, which cannot lend its thread: the future runs on the
///   library's runtime and this thread waits for its answer.
#[cfg_attr(not(any(feature = "redis", feature = "postgres")), allow(dead_code))]
pub(crate) fn wait<F>(what: &str, limit: Duration, future: F) -> Result<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let timed = async move { tokio::time::timeout(limit, future).await };
    let out = match Handle::try_current() {
        Err(_) => crate::runtime::runtime()?.block_on(timed),
        Ok(h) if h.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(|| h.block_on(timed))
        }
        Ok(_) => {
            let (tx, rx) = std::sync::mpsc::sync_channel(1);
            crate::runtime::runtime()?.spawn(async move {
                let _ = tx.send(timed.await);
            });
            // The timeout above bounds the task; the margin covers scheduling only.
            rx.recv_timeout(limit + Duration::from_secs(1))
                .map_err(|_| timeout_error(what))?
        }
    };
    out.map_err(|_| timeout_error(what))
}
