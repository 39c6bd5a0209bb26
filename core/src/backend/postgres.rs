//! The PostgreSQL plumbing every shared store uses: a deadpool pool of tokio-postgres
//! connections built without I/O, every operation under a deadline, errors mapped to tokenward
//! codes, and the versioned migrations of one component (`tokenward_schema`, one row per
//! component) applied in one transaction under an advisory lock, so instances starting at once
//! migrate exactly once and a schema written by a newer build is refused.

use std::future::Future;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime};
use tokio_postgres::NoTls;

use crate::{Error, ErrorCode, Result};

/// A pool and its deadline (cheap to clone: the clones share the pool).
#[derive(Clone)]
pub(crate) struct PgPool {
    pool: Pool,
    timeout: Duration,
}

impl std::fmt::Debug for PgPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the URL: it may hold a password.
        f.debug_struct("PgPool")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// A tokio-postgres error as a tokenward error: `storage` for a statement the server refused
/// (its message and SQLSTATE), `network` for a connection or protocol failure,
/// `invalid_response` for a value of an unexpected type.
pub(crate) fn pg_error(err: tokio_postgres::Error) -> Error {
    if let Some(db) = err.as_db_error() {
        // A statement the server refused (a duplicate id, a missing table, …).
        return Error::new(
            ErrorCode::Storage,
            format!("postgres: {} ({})", db.message(), db.code().code()),
        );
    }
    let code = if err.is_closed() {
        ErrorCode::Network
    } else if err.to_string().contains("error deserializing") {
        ErrorCode::InvalidResponse
    } else {
        ErrorCode::Network
    };
    Error::new(code, "postgres: connection or protocol failure")
}

pub(crate) fn pool_error(err: PoolError) -> Error {
    match err {
        PoolError::Timeout(_) => super::timeout_error("postgres"),
        PoolError::Backend(e) => pg_error(e),
        _ => Error::new(ErrorCode::Network, "postgres: no connection"),
    }
}

/// A row of `table` that does not decode.
pub(crate) fn row_error(table: &str) -> Error {
    Error::new(
        ErrorCode::InvalidResponse,
        format!("postgres: a row of {table} has an unexpected shape"),
    )
}

/// The migrations of one component of the schema.
pub(crate) struct Schema {
    /// Its row in `tokenward_schema`.
    pub component: &'static str,
    /// Migration `i` moves the component from version `i` to `i + 1`. Append only.
    pub migrations: &'static [&'static str],
    /// The refusal of a newer version.
    pub newer: &'static str,
}

impl Schema {
    /// The version this build writes.
    pub(crate) fn version(&self) -> i32 {
        i32::try_from(self.migrations.len()).unwrap_or(i32::MAX)
    }

    /// The migrations to run from `current`, or the refusal of a schema written by a newer build.
    pub(crate) fn pending(&self, current: i32) -> Result<&'static [&'static str]> {
        if current > self.version() {
            return Err(Error::new(ErrorCode::Storage, self.newer));
        }
        let from = usize::try_from(current).unwrap_or(0);
        Ok(self.migrations.get(from..).unwrap_or(&[]))
    }
}

/// The advisory lock key of the migrations (any constant; "tokenward" in ASCII, truncated).
const LOCK: i64 = 0x746f_6b65_6e77_6172;

const PREPARE: &str = "CREATE TABLE IF NOT EXISTS tokenward_schema (
        component TEXT PRIMARY KEY,
        version   INTEGER NOT NULL
    )";

const READ_VERSION: &str = "SELECT version FROM tokenward_schema WHERE component = $1";

const WRITE_VERSION: &str = "INSERT INTO tokenward_schema (component, version) \
     VALUES ($1, $2) ON CONFLICT (component) DO UPDATE SET version = EXCLUDED.version";

impl PgPool {
    /// Parses `url` (`postgres://user[:password]@host[:port]/database`, libpq's key=value form
    /// too) and builds the pool; connects on first use. `invalid_input` for a malformed URL.
    pub(crate) fn open(url: &str, timeout: Duration, size: usize) -> Result<PgPool> {
        let config: tokio_postgres::Config = url.parse().map_err(|_| {
            Error::new(
                ErrorCode::InvalidInput,
                "not a PostgreSQL URL (postgres://user[:password]@host[:port]/database)",
            )
        })?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(size)
            .wait_timeout(Some(timeout))
            .create_timeout(Some(timeout))
            .recycle_timeout(Some(timeout))
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|_| Error::new(ErrorCode::Internal, "postgres: cannot build the pool"))?;
        Ok(PgPool { pool, timeout })
    }

    /// The deadline of one operation.
    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Creates or migrates `schema`'s component (`storage` for a newer schema).
    pub(crate) fn migrate(&self, schema: &'static Schema) -> Result<()> {
        let pool = self.pool.clone();
        // Migrations may take longer than one operation.
        super::wait("postgres", self.timeout * 10, async move {
            let mut client = pool.get().await.map_err(pool_error)?;
            let tx = client.transaction().await.map_err(pg_error)?;
            tx.batch_execute(&format!("SELECT pg_advisory_xact_lock({LOCK})"))
                .await
                .map_err(pg_error)?;
            tx.batch_execute(PREPARE).await.map_err(pg_error)?;
            let current: i32 = match tx
                .query_opt(READ_VERSION, &[&schema.component])
                .await
                .map_err(pg_error)?
            {
                Some(row) => row.try_get(0).map_err(|_| row_error("tokenward_schema"))?,
                None => 0,
            };
            let pending = schema.pending(current)?;
            for sql in pending {
                tx.batch_execute(sql).await.map_err(pg_error)?;
            }
            if !pending.is_empty() {
                tx.execute(WRITE_VERSION, &[&schema.component, &schema.version()])
                    .await
                    .map_err(pg_error)?;
            }
            tx.commit().await.map_err(pg_error)
        })?
    }

    /// Runs `op` with a pooled connection, within the deadline.
    pub(crate) fn run<T, F, Fut>(&self, op: F) -> Result<T>
    where
        F: FnOnce(deadpool_postgres::Object) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T>> + Send,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        super::wait("postgres", self.timeout, async move {
            let client = pool.get().await.map_err(pool_error)?;
            op(client).await
        })?
    }
}
