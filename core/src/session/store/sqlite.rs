//! Sessions in a SQLite file, created and migrated on open with the API keys' migrations (one
//! file may hold both tables). One connection in WAL mode behind a mutex.

use std::path::{Path, PathBuf};

use parking_lot::Mutex;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Row};

use super::session_store::SessionStore;
use crate::apikey::store::sqlite::{connect, storage_error};
use crate::apikey::store::sqlite_schema;
use crate::apikey::KeyHash;
use crate::session::SessionRecord;
use crate::{Error, ErrorCode, Result};

const COLUMNS: &str = "handle, subject, data, created_at, last_seen_at, expires_at, revoked_at";

/// Sessions in a SQLite database file.
pub struct SqliteSessionStore {
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for SqliteSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteSessionStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn json_error(err: serde_json::Error) -> Error {
    Error::new(ErrorCode::Storage, format!("stored session data: {err}")).with_source(err)
}

impl SqliteSessionStore {
    /// Opens (creating and migrating if needed) the database at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let mut conn = connect(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        sqlite_schema::migrate(&mut conn).map_err(storage_error)??;
        Ok(SqliteSessionStore {
            path,
            conn: Mutex::new(conn),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn read_row(row: &Row<'_>) -> rusqlite::Result<(SessionRecord, String)> {
    Ok((
        SessionRecord {
            handle: row.get(0)?,
            subject: row.get(1)?,
            data: Default::default(),
            created_at: row.get(3)?,
            last_seen_at: row.get(4)?,
            idle_expires_at: 0,
            expires_at: row.get(5)?,
            revoked_at: row.get(6)?,
        },
        row.get(2)?,
    ))
}

fn get_on(conn: &Connection, hash: &KeyHash) -> Result<Option<SessionRecord>> {
    let raw = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM tokenward_sessions WHERE hash = ?1"
        ))
        .and_then(|mut stmt| stmt.query_row([&hash.as_bytes()[..]], read_row).optional())
        .map_err(storage_error)?;
    raw.map(|(mut record, data)| {
        record.data = serde_json::from_str(&data).map_err(json_error)?;
        Ok(record)
    })
    .transpose()
}

fn insert_on(conn: &Connection, hash: &KeyHash, r: &SessionRecord) -> Result<()> {
    let data = serde_json::to_string(&r.data).map_err(json_error)?;
    conn.prepare_cached(
        "INSERT INTO tokenward_sessions (hash, handle, subject, data, created_at, last_seen_at, \
         expires_at, revoked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            &hash.as_bytes()[..],
            r.handle,
            r.subject,
            data,
            r.created_at,
            r.last_seen_at,
            r.expires_at,
            r.revoked_at,
        ])
    })
    .map_err(storage_error)?;
    Ok(())
}

impl SessionStore for SqliteSessionStore {
    fn insert(&self, hash: &KeyHash, record: &SessionRecord) -> Result<()> {
        insert_on(&self.conn.lock(), hash, record)
    }

    fn get(&self, hash: &KeyHash) -> Result<Option<SessionRecord>> {
        get_on(&self.conn.lock(), hash)
    }

    fn touch(&self, hash: &KeyHash, at: i64) -> Result<()> {
        self.conn
            .lock()
            .prepare_cached(
                "UPDATE tokenward_sessions SET last_seen_at = ?2 \
                 WHERE hash = ?1 AND last_seen_at < ?2",
            )
            .and_then(|mut stmt| stmt.execute(params![&hash.as_bytes()[..], at]))
            .map_err(storage_error)?;
        Ok(())
    }

    fn revoke(&self, hash: &KeyHash, at: i64) -> Result<bool> {
        let n = self
            .conn
            .lock()
            .prepare_cached(
                "UPDATE tokenward_sessions SET revoked_at = MIN(COALESCE(revoked_at, ?2), ?2) \
                 WHERE hash = ?1",
            )
            .and_then(|mut stmt| stmt.execute(params![&hash.as_bytes()[..], at]))
            .map_err(storage_error)?;
        Ok(n > 0)
    }

    fn revoke_subject(&self, subject: &str, at: i64) -> Result<u64> {
        let n = self
            .conn
            .lock()
            .prepare_cached(
                "UPDATE tokenward_sessions SET revoked_at = ?2 \
                 WHERE subject = ?1 AND revoked_at IS NULL",
            )
            .and_then(|mut stmt| stmt.execute(params![subject, at]))
            .map_err(storage_error)?;
        Ok(n as u64)
    }

    fn rotate(
        &self,
        old: &KeyHash,
        at: i64,
        new_hash: &KeyHash,
        new: &SessionRecord,
    ) -> Result<bool> {
        let mut conn = self.conn.lock();
        let tx = conn.transaction().map_err(storage_error)?;
        let changed = tx
            .execute(
                "UPDATE tokenward_sessions SET revoked_at = ?2 \
                 WHERE hash = ?1 AND revoked_at IS NULL",
                params![&old.as_bytes()[..], at],
            )
            .map_err(storage_error)?;
        if changed == 0 {
            return Ok(false);
        }
        insert_on(&tx, new_hash, new)?;
        tx.commit().map_err(storage_error)?;
        Ok(true)
    }

    fn purge(&self, now: i64, idle_secs: i64) -> Result<u64> {
        let n = self
            .conn
            .lock()
            .execute(
                "DELETE FROM tokenward_sessions WHERE revoked_at IS NOT NULL \
                 OR expires_at <= ?1 OR last_seen_at + ?2 <= ?1",
                params![now, idle_secs],
            )
            .map_err(storage_error)?;
        Ok(n as u64)
    }
}
