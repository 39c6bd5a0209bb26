//! The SQLite store: an embedded, persistent database in one file, created and migrated on
//! open. WAL mode with one writer connection and a small pool of reader connections, so
//! verifies from many threads read in parallel while keys are created and revoked.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Row};

use super::{sqlite_schema, KeyStore, StoredKey};
use crate::apikey::hash::KeyHash;
use crate::apikey::record::KeyRecord;
use crate::{Error, ErrorCode, Result};

const COLUMNS: &str = "id, prefix, hash, display, owner, scopes, metadata, created_at, \
                       expires_at, revoked_at, last_used_at, replaced_by";

/// Keys in a SQLite database file.
pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

pub(crate) fn storage_error(err: rusqlite::Error) -> Error {
    Error::new(ErrorCode::Storage, format!("sqlite: {err}")).with_source(err)
}

fn json_error(err: serde_json::Error) -> Error {
    Error::new(ErrorCode::Storage, format!("stored API key record: {err}")).with_source(err)
}

pub(crate) fn connect(path: &Path, flags: OpenFlags) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags).map_err(storage_error)?;
    conn.busy_timeout(Duration::from_secs(5))
        .map_err(storage_error)?;
    // WAL: readers never block the writer; NORMAL sync is durable across application crashes
    // and keeps last-used writes cheap.
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
        .map_err(storage_error)?;
    Ok(conn)
}

impl SqliteStore {
    /// Opens (creating and migrating if needed) the database at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let mut writer = connect(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        sqlite_schema::migrate(&mut writer).map_err(storage_error)??;
        let readers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8));
        let readers = (0..readers)
            .map(|_| {
                connect(
                    &path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map(Mutex::new)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(SqliteStore {
            path,
            writer: Mutex::new(writer),
            readers,
            next_reader: AtomicUsize::new(0),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on a free reader connection (or waits for one).
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        let n = self.readers.len();
        for i in 0..n {
            if let Some(conn) = self.readers[(start + i) % n].try_lock() {
                return f(&conn);
            }
        }
        f(&self.readers[start % n].lock())
    }
}

/// A row as SQLite returns it; JSON columns and the hash are decoded by [`RawRow::finish`]
/// (outside the rusqlite closure, so their errors are tokenward errors).
struct RawRow {
    record: KeyRecord,
    scopes: String,
    metadata: String,
    hash: Vec<u8>,
}

fn read_row(row: &Row<'_>) -> rusqlite::Result<RawRow> {
    Ok(RawRow {
        record: KeyRecord {
            id: row.get(0)?,
            prefix: row.get(1)?,
            display: row.get(3)?,
            owner: row.get(4)?,
            scopes: Vec::new(),
            metadata: BTreeMap::new(),
            created_at: row.get(7)?,
            expires_at: row.get(8)?,
            revoked_at: row.get(9)?,
            last_used_at: row.get(10)?,
            replaced_by: row.get(11)?,
        },
        hash: row.get(2)?,
        scopes: row.get(5)?,
        metadata: row.get(6)?,
    })
}

impl RawRow {
    fn finish(self) -> Result<StoredKey> {
        let mut record = self.record;
        record.scopes = serde_json::from_str(&self.scopes).map_err(json_error)?;
        record.metadata = serde_json::from_str(&self.metadata).map_err(json_error)?;
        Ok(StoredKey {
            record: Arc::new(record),
            hash: KeyHash::from_slice(&self.hash)?,
        })
    }
}

fn get_on(conn: &Connection, id: &str) -> Result<Option<StoredKey>> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM tokenward_api_keys WHERE id = ?1"
        ))
        .map_err(storage_error)?;
    let raw = stmt
        .query_row([id], read_row)
        .optional()
        .map_err(storage_error)?;
    raw.map(RawRow::finish).transpose()
}

fn insert_on(conn: &Connection, key: &StoredKey) -> Result<()> {
    let r = &key.record;
    let scopes = serde_json::to_string(&r.scopes).map_err(json_error)?;
    let metadata = serde_json::to_string(&r.metadata).map_err(json_error)?;
    let mut stmt = conn
        .prepare_cached(&format!(
            "INSERT INTO tokenward_api_keys ({COLUMNS}) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
        ))
        .map_err(storage_error)?;
    stmt.execute(params![
        r.id,
        r.prefix,
        &key.hash.as_bytes()[..],
        r.display,
        r.owner,
        scopes,
        metadata,
        r.created_at,
        r.expires_at,
        r.revoked_at,
        r.last_used_at,
        r.replaced_by,
    ])
    .map_err(storage_error)?;
    Ok(())
}

impl KeyStore for SqliteStore {
    fn insert(&self, key: StoredKey) -> Result<()> {
        insert_on(&self.writer.lock(), &key)
    }

    fn get(&self, id: &str) -> Result<Option<StoredKey>> {
        self.read(|conn| get_on(conn, id))
    }

    fn list(&self, owner: &str) -> Result<Vec<Arc<KeyRecord>>> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM tokenward_api_keys WHERE owner = ?1 \
                     ORDER BY created_at, id"
                ))
                .map_err(storage_error)?;
            let rows = stmt
                .query_map([owner], read_row)
                .map_err(storage_error)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(storage_error)?;
            rows.into_iter()
                .map(|raw| Ok(raw.finish()?.record))
                .collect()
        })
    }

    fn revoke(&self, id: &str, at: i64) -> Result<Option<Arc<KeyRecord>>> {
        let conn = self.writer.lock();
        conn.prepare_cached(
            "UPDATE tokenward_api_keys SET revoked_at = COALESCE(revoked_at, ?2) WHERE id = ?1",
        )
        .and_then(|mut stmt| stmt.execute(params![id, at]))
        .map_err(storage_error)?;
        Ok(get_on(&conn, id)?.map(|k| k.record))
    }

    fn rotate(&self, id: &str, old_expires_at: i64, successor: StoredKey) -> Result<bool> {
        let mut conn = self.writer.lock();
        let tx = conn.transaction().map_err(storage_error)?;
        let changed = tx
            .execute(
                "UPDATE tokenward_api_keys SET expires_at = ?2, replaced_by = ?3 WHERE id = ?1",
                params![id, old_expires_at, successor.record.id],
            )
            .map_err(storage_error)?;
        if changed == 0 {
            return Ok(false); // dropping `tx` rolls back
        }
        insert_on(&tx, &successor)?;
        tx.commit().map_err(storage_error)?;
        Ok(true)
    }

    fn touch(&self, id: &str, at: i64) -> Result<()> {
        let conn = self.writer.lock();
        let mut stmt = conn
            .prepare_cached(
                "UPDATE tokenward_api_keys SET last_used_at = ?2 \
                 WHERE id = ?1 AND (last_used_at IS NULL OR last_used_at < ?2)",
            )
            .map_err(storage_error)?;
        stmt.execute(params![id, at]).map_err(storage_error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conforms_and_persists_across_reopen() {
        let dir = std::env::temp_dir().join(format!("tw-sqlite-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("keys.db");
        {
            let store = SqliteStore::open(&path).unwrap();
            super::super::conformance::run(&store);
        }
        let reopened = SqliteStore::open(&path).unwrap();
        assert_eq!(reopened.list("alice").unwrap().len(), 2);
        let version: i64 = reopened
            .writer
            .lock()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, sqlite_schema::VERSION as i64);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn newer_schema_is_refused() {
        let dir = std::env::temp_dir().join(format!("tw-sqlite-new-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("keys.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch("PRAGMA user_version = 99")
            .unwrap();
        assert_eq!(
            SqliteStore::open(&path).unwrap_err().code(),
            ErrorCode::Storage
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
