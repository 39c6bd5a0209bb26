//! Sessions in PostgreSQL, for several instances behind a load balancer: the API keys' pool and
//! failure policy (docs/distributed.md), the `sessions` component of the schema migrated on open
//! under the shared advisory lock, every operation one statement or one transaction. No local
//! cache: a revocation through one instance is refused by every other at once.

use std::time::Duration;

use tokio_postgres::Row;

use super::session_store::SessionStore;
use crate::apikey::KeyHash;
use crate::backend::postgres::{pg_error, row_error, PgPool, Schema};
use crate::backend::DEFAULT_BACKEND_TIMEOUT;
use crate::session::SessionRecord;
use crate::{Error, ErrorCode, Result};

/// Migration `i` moves the sessions' schema from version `i` to `i + 1`. Append only.
const MIGRATIONS: &[&str] = &[
    // 1: as in SQLite: `hash` is the SHA-256 of the id (never the id); `data` a JSON object;
    // times in Unix seconds.
    "CREATE TABLE tokenward_sessions (
        hash         BYTEA PRIMARY KEY,
        handle       TEXT NOT NULL,
        subject      TEXT NOT NULL,
        data         TEXT NOT NULL,
        created_at   BIGINT NOT NULL,
        last_seen_at BIGINT NOT NULL,
        expires_at   BIGINT NOT NULL,
        revoked_at   BIGINT
    );
    CREATE INDEX tokenward_sessions_subject ON tokenward_sessions (subject)
        WHERE revoked_at IS NULL;
    CREATE INDEX tokenward_sessions_expires ON tokenward_sessions (expires_at);",
];

static SCHEMA: Schema = Schema {
    component: "sessions",
    migrations: MIGRATIONS,
    newer: "the session database was written by a newer tokenward (schema version too high)",
};

/// Most connections the pool opens.
const POOL_SIZE: usize = 16;

const COLUMNS: &str = "handle, subject, data, created_at, last_seen_at, expires_at, revoked_at";

/// Sessions in a PostgreSQL database (`"postgres://…"`).
pub struct PostgresSessionStore {
    pool: PgPool,
}

impl std::fmt::Debug for PostgresSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the URL: it may hold a password.
        f.debug_struct("PostgresSessionStore")
            .field("timeout", &self.pool.timeout())
            .finish_non_exhaustive()
    }
}

fn json_error(err: serde_json::Error) -> Error {
    Error::new(ErrorCode::Storage, format!("stored session data: {err}")).with_source(err)
}

fn decode(row: &Row) -> Result<SessionRecord> {
    let bad = |_| row_error("tokenward_sessions");
    let data: String = row.try_get(2).map_err(bad)?;
    Ok(SessionRecord {
        handle: row.try_get(0).map_err(bad)?,
        subject: row.try_get(1).map_err(bad)?,
        data: serde_json::from_str(&data).map_err(json_error)?,
        created_at: row.try_get(3).map_err(bad)?,
        last_seen_at: row.try_get(4).map_err(bad)?,
        idle_expires_at: 0,
        expires_at: row.try_get(5).map_err(bad)?,
        revoked_at: row.try_get(6).map_err(bad)?,
    })
}

/// The parameters of an insert, owned (they move into the future).
struct Insert {
    hash: Vec<u8>,
    record: SessionRecord,
    data: String,
}

impl Insert {
    fn of(hash: &KeyHash, record: &SessionRecord) -> Result<Insert> {
        Ok(Insert {
            hash: hash.as_bytes().to_vec(),
            record: record.clone(),
            data: serde_json::to_string(&record.data).map_err(json_error)?,
        })
    }

    async fn run(&self, client: &impl deadpool_postgres::GenericClient) -> Result<()> {
        let r = &self.record;
        let stmt = client
            .prepare_cached(&format!(
                "INSERT INTO tokenward_sessions (hash, {COLUMNS}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            ))
            .await
            .map_err(pg_error)?;
        client
            .execute(
                &stmt,
                &[
                    &self.hash,
                    &r.handle,
                    &r.subject,
                    &self.data,
                    &r.created_at,
                    &r.last_seen_at,
                    &r.expires_at,
                    &r.revoked_at,
                ],
            )
            .await
            .map_err(pg_error)?;
        Ok(())
    }
}

impl PostgresSessionStore {
    /// Connects to `url`, creating and migrating the schema, with the default deadline
    /// ([`DEFAULT_BACKEND_TIMEOUT`] per operation). Fails with `invalid_input` for a malformed
    /// URL, `network` / `timeout` when the server cannot be reached, `storage` for a schema
    /// written by a newer tokenward.
    pub fn open(url: &str) -> Result<Self> {
        Self::open_with(url, DEFAULT_BACKEND_TIMEOUT)
    }

    /// Like [`PostgresSessionStore::open`] with a deadline per operation.
    pub fn open_with(url: &str, timeout: Duration) -> Result<Self> {
        let pool = PgPool::open(url, timeout, POOL_SIZE)?;
        pool.migrate(&SCHEMA)?;
        Ok(PostgresSessionStore { pool })
    }

    /// Runs one statement returning the affected rows.
    fn execute(
        &self,
        sql: &'static str,
        hash: Option<&KeyHash>,
        text: String,
        at: i64,
    ) -> Result<u64> {
        let hash = hash.map(|h| h.as_bytes().to_vec());
        self.pool.run(move |client| async move {
            let stmt = client.prepare_cached(sql).await.map_err(pg_error)?;
            match hash {
                Some(h) => client.execute(&stmt, &[&h, &at]).await,
                None => client.execute(&stmt, &[&text, &at]).await,
            }
            .map_err(pg_error)
        })
    }
}

impl SessionStore for PostgresSessionStore {
    fn is_shared(&self) -> bool {
        true
    }

    fn insert(&self, hash: &KeyHash, record: &SessionRecord) -> Result<()> {
        let insert = Insert::of(hash, record)?;
        self.pool
            .run(move |client| async move { insert.run(&client).await })
    }

    fn get(&self, hash: &KeyHash) -> Result<Option<SessionRecord>> {
        let hash = hash.as_bytes().to_vec();
        self.pool.run(move |client| async move {
            let stmt = client
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM tokenward_sessions WHERE hash = $1"
                ))
                .await
                .map_err(pg_error)?;
            let row = client.query_opt(&stmt, &[&hash]).await.map_err(pg_error)?;
            row.as_ref().map(decode).transpose()
        })
    }

    fn touch(&self, hash: &KeyHash, at: i64) -> Result<()> {
        self.execute(
            "UPDATE tokenward_sessions SET last_seen_at = $2 \
             WHERE hash = $1 AND last_seen_at < $2",
            Some(hash),
            String::new(),
            at,
        )?;
        Ok(())
    }

    fn revoke(&self, hash: &KeyHash, at: i64) -> Result<bool> {
        let n = self.execute(
            "UPDATE tokenward_sessions SET revoked_at = LEAST(COALESCE(revoked_at, $2), $2) \
             WHERE hash = $1",
            Some(hash),
            String::new(),
            at,
        )?;
        Ok(n > 0)
    }

    fn revoke_subject(&self, subject: &str, at: i64) -> Result<u64> {
        self.execute(
            "UPDATE tokenward_sessions SET revoked_at = $2 \
             WHERE subject = $1 AND revoked_at IS NULL",
            None,
            subject.to_owned(),
            at,
        )
    }

    fn rotate(
        &self,
        old: &KeyHash,
        at: i64,
        new_hash: &KeyHash,
        new: &SessionRecord,
    ) -> Result<bool> {
        let insert = Insert::of(new_hash, new)?;
        let old = old.as_bytes().to_vec();
        self.pool.run(move |mut client| async move {
            let tx = client.transaction().await.map_err(pg_error)?;
            let changed = tx
                .execute(
                    "UPDATE tokenward_sessions SET revoked_at = $2 \
                     WHERE hash = $1 AND revoked_at IS NULL",
                    &[&old, &at],
                )
                .await
                .map_err(pg_error)?;
            if changed == 0 {
                return Ok(false); // dropping `tx` rolls back
            }
            insert.run(&tx).await?;
            tx.commit().await.map_err(pg_error)?;
            Ok(true)
        })
    }

    fn purge(&self, now: i64, idle_secs: i64) -> Result<u64> {
        self.pool.run(move |client| async move {
            client
                .execute(
                    "DELETE FROM tokenward_sessions WHERE revoked_at IS NOT NULL \
                     OR expires_at <= $1 OR last_seen_at + $2 <= $1",
                    &[&now, &idle_secs],
                )
                .await
                .map_err(pg_error)
        })
    }
}
