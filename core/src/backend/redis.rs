//! The Redis connections every shared gateway store uses, created without I/O, with a deadline
//! on every operation and Redis errors mapped to tokenward codes.
//!
//! * [`RedisConn::call`], the per-request path (rate limits, revocations): a blocking
//!   redis-rs connection taken from a small pool and driven by the calling thread itself, so a
//!   synchronous `authenticate` costs the round trip and no hand-off to the runtime's threads
//!   and back (two thread wake-ups, most of the latency on a busy machine). A connection that
//!   failed is dropped; the next call connects anew (automatic reconnection).
//! * [`RedisConn::run`], for the async stores, and [`RedisConn::run_async`], the per-request
//!   path of async callers (`authenticate_async`): redis-rs's `ConnectionManager` (one
//!   multiplexed connection driven by the library's runtime, reconnected automatically after a
//!   failure), which sends the commands of concurrent requests together.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{ConnectionLike, ErrorKind, RedisError};
use tokio::runtime::{Handle, RuntimeFlavor};

use crate::{Error, ErrorCode, Result};

/// Idle blocking connections kept per server (more are made under load, then dropped).
const MAX_IDLE: usize = 32;

/// The blocking connections of one server (shared by the clones of a [`RedisConn`]).
struct Pool {
    client: redis::Client,
    /// The URL as given (never printed: it may hold a password), to recognise one server.
    url: String,
    idle: Mutex<Vec<redis::Connection>>,
}

/// A shared Redis connection (cheap to clone: the clones share the connections).
#[derive(Clone)]
pub(crate) struct RedisConn {
    manager: ConnectionManager,
    pool: Arc<Pool>,
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
            ConnectionManager::new_lazy_with_config(client.clone(), config).map_err(redis_error)?;
        let pool = Arc::new(Pool {
            client,
            url: url.trim().to_owned(),
            idle: Mutex::new(Vec::new()),
        });
        Ok(RedisConn {
            manager,
            pool,
            timeout,
        })
    }

    /// Whether `url` names the server of this connection (the same URL, spaces aside).
    pub(crate) fn is_server(&self, url: &str) -> bool {
        self.pool.url == url.trim()
    }

    /// Runs `op` on a blocking connection from synchronous code, within the deadline (connecting
    /// first when no idle connection is left). On a multi-thread tokio runtime the thread is
    /// handed over to blocking first (`block_in_place`), so the runtime's other tasks go on.
    pub(crate) fn call<T>(
        &self,
        op: impl FnOnce(&mut redis::Connection) -> std::result::Result<T, RedisError>,
    ) -> Result<T> {
        match Handle::try_current() {
            Ok(h) if h.runtime_flavor() == RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(|| self.call_here(op))
            }
            _ => self.call_here(op),
        }
    }

    fn call_here<T>(
        &self,
        op: impl FnOnce(&mut redis::Connection) -> std::result::Result<T, RedisError>,
    ) -> Result<T> {
        let idle = self.pool.idle.lock().pop();
        let (mut conn, fresh) = match idle {
            Some(conn) => (conn, false),
            None => (self.connect()?, true),
        };
        let out = op(&mut conn);
        // A connection that timed out or failed may still carry a late answer: never reuse it.
        // An error reply leaves it in step.
        let reusable = match &out {
            Ok(_) => !fresh || self.set_timeouts(&conn, self.timeout).is_ok(),
            Err(e) => matches!(e.kind(), ErrorKind::Server(_) | ErrorKind::Extension),
        };
        if reusable && conn.is_open() {
            let mut idle = self.pool.idle.lock();
            if idle.len() < MAX_IDLE {
                idle.push(conn);
            }
        }
        out.map_err(redis_error)
    }

    /// A new blocking connection whose first operation must finish within what is left of the
    /// deadline.
    fn connect(&self) -> Result<redis::Connection> {
        let started = Instant::now();
        let conn = self
            .pool
            .client
            .get_connection_with_timeout(self.timeout)
            .map_err(redis_error)?;
        let left = self
            .timeout
            .checked_sub(started.elapsed())
            .filter(|d| !d.is_zero())
            .ok_or_else(|| super::timeout_error("redis"))?;
        self.set_timeouts(&conn, left).map_err(redis_error)?;
        Ok(conn)
    }

    fn set_timeouts(&self, conn: &redis::Connection, d: Duration) -> redis::RedisResult<()> {
        conn.set_read_timeout(Some(d))?;
        conn.set_write_timeout(Some(d))
    }

    /// Runs `op` on the connection for an async caller, within the deadline. The operation
    /// runs on the library's runtime (which drives the connection and has timers whatever
    /// runtime or executor polls the caller).
    pub(crate) async fn run_async<T, F, Fut>(&self, op: F) -> Result<T>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = std::result::Result<T, RedisError>> + Send + 'static,
        T: Send + 'static,
    {
        let fut = op(self.manager.clone());
        let limit = self.timeout;
        let task = crate::runtime::handle()?.spawn(tokio::time::timeout(limit, fut));
        match task.await {
            Ok(Ok(answer)) => answer.map_err(redis_error),
            Ok(Err(_elapsed)) => Err(super::timeout_error("redis")),
            Err(_) => Err(Error::new(
                ErrorCode::Internal,
                "redis: the operation was cancelled",
            )),
        }
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
