//! The PostgreSQL schema of API keys, tracked in `tokenward_schema` (one row per component) and
//! applied by [`PgPool::migrate`](crate::backend::postgres::PgPool::migrate) in one transaction
//! under an advisory lock, so instances starting at once migrate exactly once.

use crate::backend::postgres::Schema;

/// Migration `i` moves the schema from version `i` to `i + 1`. Append only; never edit.
const MIGRATIONS: &[&str] = &[
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

/// The API keys' component of the schema (its migrations run under the shared advisory lock).
pub(super) static SCHEMA: Schema = Schema {
    component: "api_keys",
    migrations: MIGRATIONS,
    newer: "the API key database was written by a newer tokenward (schema version too high)",
};

/// The schema version this build writes.
#[cfg_attr(not(test), allow(dead_code))]
pub(super) const VERSION: i32 = MIGRATIONS.len() as i32;
