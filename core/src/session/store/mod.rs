//! Where sessions live: the [`SessionStore`] trait, [`MemorySessionStore`] and (feature
//! `sqlite`) [`SqliteSessionStore`], opened from the same specification strings as API-key
//! stores. Records are keyed by the SHA-256 of the session id; the id is never stored.

mod memory;
mod session_store;
#[cfg(feature = "sqlite")]
mod sqlite;

use std::sync::Arc;

pub use memory::MemorySessionStore;
pub use session_store::SessionStore;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteSessionStore;

use crate::{Error, ErrorCode, Result};

/// Opens a session store: `None`, `""` or `"memory"` for a new [`MemorySessionStore`];
/// `"sqlite:///abs/path.db"`, `"sqlite://relative.db"` or a plain file path for a
/// [`SqliteSessionStore`] (the file may be the API keys' database).
pub fn open(spec: Option<&str>) -> Result<Arc<dyn SessionStore>> {
    match spec.map(str::trim) {
        None | Some("") | Some("memory") | Some("memory://") => {
            Ok(Arc::new(MemorySessionStore::new()))
        }
        Some(s) => {
            let path = s.strip_prefix("sqlite://").unwrap_or(s);
            if path.is_empty() || path.contains("://") {
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    "unsupported session store: use \"memory\", \"sqlite:///path.db\" or a file path",
                ));
            }
            open_sqlite(path)
        }
    }
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
