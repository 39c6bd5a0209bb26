//! Where key records live: the [`KeyStore`] trait and its implementations.
//!
//! The trait is synchronous and speaks in whole operations (insert, get, revoke, rotate,
//! touch, list) rather than generic updates, so a store can make each one atomic in its own
//! way: a Redis store would use `HSET`/`MULTI`, a PostgreSQL store one transaction. Callers only
//! ever see `Arc<dyn KeyStore>`, so adding a store changes no caller.

mod key_store;
mod memory;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "postgres")]
mod postgres_schema;
#[cfg(feature = "sqlite")]
pub(crate) mod sqlite;
#[cfg(feature = "sqlite")]
pub(crate) mod sqlite_schema;

use std::sync::Arc;

pub use key_store::{KeyStore, StoredKey};
pub use memory::MemoryStore;
#[cfg(feature = "postgres")]
pub use postgres::{
    PostgresStore, DEFAULT_POSTGRES_CACHE_SIZE, DEFAULT_POSTGRES_CACHE_TTL,
    DEFAULT_POSTGRES_POOL_SIZE,
};
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;

use crate::{Error, ErrorCode, Result};

/// Opens a store from a specification string shared by every binding and the CLI:
/// `None`, `""` or `"memory"` for a new [`MemoryStore`]; `"sqlite:///abs/path.db"`,
/// `"sqlite://relative.db"` or a plain file path for a [`SqliteStore`];
/// `"postgres://…"` or `"postgresql://…"` for a `PostgresStore` (feature `postgres`).
pub fn open(spec: Option<&str>) -> Result<Arc<dyn KeyStore>> {
    match spec.map(str::trim) {
        None | Some("") | Some("memory") | Some("memory://") => Ok(Arc::new(MemoryStore::new())),
        Some(s) if s.starts_with("postgres://") || s.starts_with("postgresql://") => {
            open_postgres(s)
        }
        Some(s) => {
            let path = s.strip_prefix("sqlite://").unwrap_or(s);
            if path.is_empty() || path.contains("://") {
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    "unsupported store: use \"memory\", \"sqlite:///path.db\", a file path \
                     or postgres://…",
                ));
            }
            open_sqlite(path)
        }
    }
}

#[cfg(feature = "sqlite")]
fn open_sqlite(path: &str) -> Result<Arc<dyn KeyStore>> {
    Ok(Arc::new(SqliteStore::open(path)?))
}

#[cfg(not(feature = "sqlite"))]
fn open_sqlite(_path: &str) -> Result<Arc<dyn KeyStore>> {
    Err(Error::new(
        ErrorCode::InvalidInput,
        "SQLite stores need tokenward's `sqlite` feature",
    ))
}

#[cfg(feature = "postgres")]
fn open_postgres(url: &str) -> Result<Arc<dyn KeyStore>> {
    Ok(Arc::new(PostgresStore::open(url)?))
}

#[cfg(not(feature = "postgres"))]
fn open_postgres(_url: &str) -> Result<Arc<dyn KeyStore>> {
    Err(Error::new(
        ErrorCode::InvalidInput,
        "PostgreSQL stores need tokenward's `postgres` feature",
    ))
}

#[cfg(test)]
pub(crate) mod conformance;

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "sqlite")]
    #[test]
    fn open_parses_specs() {
        assert!(format!("{:?}", open(None).unwrap()).contains("MemoryStore"));
        assert!(format!("{:?}", open(Some("memory")).unwrap()).contains("MemoryStore"));
        for bad in ["redis://localhost", "sqlite://"] {
            assert_eq!(
                open(Some(bad)).unwrap_err().code(),
                ErrorCode::InvalidInput,
                "{bad}"
            );
        }
        let dir = std::env::temp_dir().join(format!("tw-open-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("k.db");
        let spec = format!("sqlite://{}", path.display());
        assert!(format!("{:?}", open(Some(&spec)).unwrap()).contains("SqliteStore"));
        assert!(path.exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
