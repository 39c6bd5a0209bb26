//! The Redis connection every shared gateway store uses: redis-rs's `ConnectionManager` (one
//! multiplexed connection, reconnected automatically after a failure), created without I/O,
//! with a deadline on every operation and Redis errors mapped to tokenward codes.

use std::future::Future;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{ErrorKind, RedisError};

use crate::{Error, ErrorCode, Result};

/// A shared Redis connection (cheap to clone: the clones share one connection).
#[derive(Clone)]
pub(crate) struct RedisConn {
    manager: ConnectionManager,
    timeout: Duration,
}

impl std::fmt::Debug for RedisConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the URL: it may hold a password.
        f.debug_struct("RedisConn")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Whether `url` names a Redis server (`redis://`, `rediss://`, `redis+unix://`, `unix://`).
pub(crate) fn is_redis_url(url: &str) -> bool {
    ["redis://", "rediss://", "redis+unix://", "unix://"]
        .iter()
        .any(|p| url.starts_with(p))
}

/// A Redis error as a tokenward error: `timeout`, `network` (refused, dropped, I/O),
/// `invalid_response` (an answer of the wrong shape) or `server_error` (an error reply). The
/// message names the kind only (never the URL or a reply's content).
pub(crate) fn redis_error(err: RedisError) -> Error {
    let code = if err.is_timeout() {
        ErrorCode::Timeout
    } else if err.is_io_error() || err.is_connection_refusal() || err.is_connection_dropped() {
        ErrorCode::Network
    } else {
        match err.kind() {
            ErrorKind::Parse | ErrorKind::UnexpectedReturnType => ErrorCode::InvalidResponse,
            ErrorKind::InvalidClientConfig => ErrorCode::InvalidInput,
            ErrorKind::Server(_) | ErrorKind::Extension => ErrorCode::ServerError,
            _ => ErrorCode::Network,
        }
    };
    Error::new(code, format!("redis: {:?}", err.kind()))
}

impl RedisConn {
    /// Parses `url` and prepares the connection; connects on first use (so an application
    /// starts while Redis is down, and its requests get the documented failure policy).
    /// `invalid_input` for a URL redis-rs refuses.
    pub(crate) fn open(url: &str, timeout: Duration) -> Result<RedisConn> {
        let client = redis::Client::open(url).map_err(|_| {
            Error::new(
                ErrorCode::InvalidInput,
                "not a Redis URL (redis://[user:password@]host[:port][/db], rediss://…)",
            )
        })?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            // Reconnection is retried by the next request, not by long backoffs inside one.
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(10))
            .set_max_delay(Duration::from_millis(100));
        let rt = crate::runtime::runtime()?;
        let _guard = rt.enter();
        let manager =
            ConnectionManager::new_lazy_with_config(client, config).map_err(redis_error)?;
        Ok(RedisConn { manager, timeout })
    }

    /// Runs `op` on the connection from synchronous code, within the deadline.
    pub(crate) fn run<T, F, Fut>(&self, op: F) -> Result<T>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = std::result::Result<T, RedisError>> + Send + 'static,
        T: Send + 'static,
    {
        let fut = op(self.manager.clone());
        super::wait("redis", self.timeout, fut)?.map_err(redis_error)
    }
}
