//! The SQLite schema and its migrations, tracked with `PRAGMA user_version`: the API key table
//! and the session table (one file may hold both).

use rusqlite::Connection;

use crate::{Error, ErrorCode, Result};

/// Migration `i` moves the schema from version `i` to `i + 1`. Append only; never edit.
const MIGRATIONS: &[&str] = &[
    // 1: the key table. `hash` is the HMAC/SHA-256 of the full key; the key itself is never
    // stored. `scopes` is a JSON array, `metadata` a JSON object; times are Unix seconds.
    "CREATE TABLE tokenward_api_keys (
        id           TEXT PRIMARY KEY NOT NULL,
        prefix       TEXT NOT NULL,
        hash         BLOB NOT NULL,
        display      TEXT NOT NULL,
        owner        TEXT NOT NULL,
        scopes       TEXT NOT NULL,
        metadata     TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        expires_at   INTEGER,
        revoked_at   INTEGER,
        last_used_at INTEGER,
        replaced_by  TEXT
    ) WITHOUT ROWID;
    CREATE INDEX tokenward_api_keys_owner ON tokenward_api_keys (owner, created_at);",
    // 2: the session table (core/src/session). `hash` is the SHA-256 of the session id; the
    // id itself is never stored. `data` is a JSON object; times are Unix seconds.
    "CREATE TABLE tokenward_sessions (
        hash         BLOB PRIMARY KEY NOT NULL,
        handle       TEXT NOT NULL,
        subject      TEXT NOT NULL,
        data         TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        expires_at   INTEGER NOT NULL,
        revoked_at   INTEGER
    ) WITHOUT ROWID;
    CREATE INDEX tokenward_sessions_subject ON tokenward_sessions (subject);
    CREATE INDEX tokenward_sessions_expires ON tokenward_sessions (expires_at);",
];

/// The schema version this build writes.
pub(crate) const VERSION: usize = MIGRATIONS.len();

/// Brings the database to [`VERSION`] in one transaction. A database written by a newer
/// tokenward is refused rather than misread (the inner `Err`). SQLite's own failures are the
/// outer `Err`, which the store maps like every other SQLite error (so this module does not
/// depend on the store).
pub(crate) fn migrate(conn: &mut Connection) -> rusqlite::Result<Result<()>> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let current: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let current = usize::try_from(current).unwrap_or(usize::MAX);
    if current > VERSION {
        return Ok(Err(Error::new(
            ErrorCode::Storage,
            "the database was written by a newer tokenward (schema version too high)",
        )));
    }
    for sql in &MIGRATIONS[current..] {
        tx.execute_batch(sql)?;
    }
    if current < VERSION {
        tx.pragma_update(None, "user_version", VERSION as i64)?;
    }
    tx.commit().map(Ok)
}
