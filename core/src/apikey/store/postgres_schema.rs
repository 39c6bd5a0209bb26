//! The PostgreSQL schema and its migrations, tracked in `tokenward_schema` (one row per
//! component) and applied in one transaction under an advisory lock, so instances starting at
//! once migrate exactly once.

use crate::{Error, ErrorCode, Result};

/// Migration `i` moves the schema from version `i` to `i + 1`. Append only; never edit.
pub(super) const MIGRATIONS: &[&str] = &[
    // 1: the key table, as in SQLite: `hash` is the HMAC/SHA-256 of the full key (never the key
    // itself); `scopes` a JSON array and `metadata` a JSON object (text); times in Unix seconds.
    "CREATE TABLE tokenward_api_keys (
        id           TEXT PRIMARY KEY,
        prefix       TEXT NOT NULL,
        hash         BYTEA NOT NULL,
        display      TEXT NOT NULL,
        owner        TEXT NOT NULL,
        scopes       TEXT NOT NULL,
        metadata     TEXT NOT NULL,
        created_at   BIGINT NOT NULL,
        expires_at   BIGINT,
        revoked_at   BIGINT,
        last_used_at BIGINT,
        replaced_by  TEXT
    );
    CREATE INDEX tokenward_api_keys_owner ON tokenward_api_keys (owner, created_at);",
];

/// The schema version this build writes.
pub(super) const VERSION: i32 = MIGRATIONS.len() as i32;

/// The advisory lock key of the migrations (any constant; "tokenward" in ASCII, truncated).
const LOCK: i64 = 0x746f_6b65_6e77_6172;

/// The statements before the version is read: take the lock, make sure the version table exists.
pub(super) const PREPARE: &str = "CREATE TABLE IF NOT EXISTS tokenward_schema (
        component TEXT PRIMARY KEY,
        version   INTEGER NOT NULL
    )";

pub(super) fn lock_sql() -> String {
    format!("SELECT pg_advisory_xact_lock({LOCK})")
}

pub(super) const READ_VERSION: &str =
    "SELECT version FROM tokenward_schema WHERE component = 'api_keys'";

pub(super) const WRITE_VERSION: &str = "INSERT INTO tokenward_schema (component, version) \
     VALUES ('api_keys', $1) ON CONFLICT (component) DO UPDATE SET version = EXCLUDED.version";

/// The migrations to run from `current`, or the refusal of a schema written by a newer build.
pub(super) fn pending(current: i32) -> Result<&'static [&'static str]> {
    if current > VERSION {
        return Err(Error::new(
            ErrorCode::Storage,
            "the API key database was written by a newer tokenward (schema version too high)",
        ));
    }
    let from = usize::try_from(current).unwrap_or(0);
    Ok(MIGRATIONS.get(from..).unwrap_or(&[]))
}
