//! Where sessions live: the [`SessionStore`] trait, [`MemorySessionStore`], (feature `sqlite`)
//! [`SqliteSessionStore`], (feature `redis`) `RedisSessionStore` and (feature `postgres`)
//! `PostgresSessionStore`, opened from the same specification strings as API-key stores.
//! Records are keyed by the SHA-256 of the session id; the id is never stored.

mod memory;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "redis")]
mod redis_scripts;
mod session_store;
#[cfg(feature = "sqlite")]
mod sqlite;

use std::sync::Arc;

pub use memory::MemorySessionStore;
#[cfg(feature = "postgres")]
pub use postgres::PostgresSessionStore;
#[cfg(feature = "redis")]
pub use redis::{RedisSessionStore, DEFAULT_REDIS_SESSION_PREFIX};
pub use session_store::SessionStore;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteSessionStore;

use crate::{Error, ErrorCode, Result};

/// Opens a session store: `None`, `""` or `"memory"` for a new [`MemorySessionStore`];
/// `"sqlite:///abs/path.db"`, `"sqlite://relative.db"` or a plain file path for a
/// [`SqliteSessionStore`] (the file may be the API keys' database); `"redis://…"` or
/// `"rediss://…"` for a `RedisSessionStore` (feature `redis`); `"postgres://…"` or
/// `"postgresql://…"` for a `PostgresSessionStore` (feature `postgres`).
pub fn open(spec: Option<&str>) -> Result<Arc<dyn SessionStore>> {
    match spec.map(str::trim) {
        None | Some("") | Some("memory") | Some("memory://") => {
            Ok(Arc::new(MemorySessionStore::new()))
        }
        Some(s) if s.starts_with("postgres://") || s.starts_with("postgresql://") => {
            open_postgres(s)
        }
        Some(s) if s.starts_with("redis://") || s.starts_with("rediss://") => open_redis(s),
        Some(s) => {
            let path = s.strip_prefix("sqlite://").unwrap_or(s);
            if path.is_empty() || path.contains("://") {
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    "unsupported session store: use \"memory\", \"sqlite:///path.db\", a file \
                     path, redis://… or postgres://…",
                ));
            }
            open_sqlite(path)
        }
    }
}

#[cfg(feature = "redis")]
fn open_redis(url: &str) -> Result<Arc<dyn SessionStore>> {
    Ok(Arc::new(RedisSessionStore::open(url)?))
}

#[cfg(not(feature = "redis"))]
fn open_redis(_url: &str) -> Result<Arc<dyn SessionStore>> {
    Err(Error::new(
        ErrorCode::InvalidInput,
        "Redis session stores need tokenward's `redis` feature",
    ))
}

#[cfg(feature = "postgres")]
fn open_postgres(url: &str) -> Result<Arc<dyn SessionStore>> {
    Ok(Arc::new(PostgresSessionStore::open(url)?))
}

#[cfg(not(feature = "postgres"))]
fn open_postgres(_url: &str) -> Result<Arc<dyn SessionStore>> {
    Err(Error::new(
        ErrorCode::InvalidInput,
        "PostgreSQL session stores need tokenward's `postgres` feature",
    ))
}

#[cfg(feature = "sqlite")]
fn open_sqlite(path: &str) -> Result<Arc<dyn SessionStore>> {
    Ok(Arc::new(SqliteSessionStore::open(path)?))
}

#[cfg(not(feature = "sqlite"))]
fn open_sqlite(_path: &str) -> Result<Arc<dyn SessionStore>> {
    Err(Error::new(
        ErrorCode::InvalidInput,
        "SQLite session stores need tokenward's `sqlite` feature",
    ))
}
