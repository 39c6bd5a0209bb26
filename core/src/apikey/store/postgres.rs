//! The PostgreSQL store: keys in a shared database, for several instances behind a load
//! balancer. tokio-postgres connections in a deadpool pool (docs/distributed.md says why),
//! every operation under a deadline, the schema created and migrated on open.
//!
//! A small local cache answers repeated verifies of one key without a round trip; an entry is
//! used for at most [`DEFAULT_POSTGRES_CACHE_TTL`] (so a key revoked through another instance
//! is refused here within that window), dropped at once when this instance revokes or rotates
//! the key, and the cache holds at most [`DEFAULT_POSTGRES_CACHE_SIZE`] keys.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use tokio_postgres::Row;

use super::{postgres_schema as schema, KeyStore, StoredKey};
use crate::apikey::hash::KeyHash;
use crate::apikey::record::KeyRecord;
use crate::backend::postgres::{pg_error, PgPool};
use crate::backend::DEFAULT_BACKEND_TIMEOUT;
use crate::{Error, ErrorCode, Result};

/// How long a cached key is used without asking the database (the revocation window across
/// instances).
pub const DEFAULT_POSTGRES_CACHE_TTL: Duration = Duration::from_secs(1);
/// Most keys the local cache holds.
pub const DEFAULT_POSTGRES_CACHE_SIZE: usize = 10_000;
/// Most connections the pool opens.
pub const DEFAULT_POSTGRES_POOL_SIZE: usize = 16;

const COLUMNS: &str = "id, prefix, hash, display, owner, scopes, metadata, created_at, \
                       expires_at, revoked_at, last_used_at, replaced_by";

/// Keys in a PostgreSQL database.
pub struct PostgresStore {
    pool: PgPool,
    cache: Mutex<HashMap<String, (Instant, StoredKey)>>,
    cache_ttl: Duration,
    cache_size: usize,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the URL: it may hold a password.
        f.debug_struct("PostgresStore")
            .field("timeout", &self.pool.timeout())
            .field("cache_ttl", &self.cache_ttl)
            .finish_non_exhaustive()
    }
}

fn json_error(err: serde_json::Error) -> Error {
    Error::new(ErrorCode::Storage, format!("stored API key record: {err}")).with_source(err)
}

fn row_error(_: tokio_postgres::Error) -> Error {
    crate::backend::postgres::row_error("tokenward_api_keys")
}

fn decode(row: &Row) -> Result<StoredKey> {
    let scopes: String = row.try_get(5).map_err(row_error)?;
    let metadata: String = row.try_get(6).map_err(row_error)?;
    let hash: Vec<u8> = row.try_get(2).map_err(row_error)?;
    let record = KeyRecord {
        id: row.try_get(0).map_err(row_error)?,
        prefix: row.try_get(1).map_err(row_error)?,
        display: row.try_get(3).map_err(row_error)?,
        owner: row.try_get(4).map_err(row_error)?,
        scopes: serde_json::from_str(&scopes).map_err(json_error)?,
        metadata: serde_json::from_str::<BTreeMap<String, String>>(&metadata)
            .map_err(json_error)?,
        created_at: row.try_get(7).map_err(row_error)?,
        expires_at: row.try_get(8).map_err(row_error)?,
        revoked_at: row.try_get(9).map_err(row_error)?,
        last_used_at: row.try_get(10).map_err(row_error)?,
        replaced_by: row.try_get(11).map_err(row_error)?,
    };
    Ok(StoredKey {
        record: Arc::new(record),
        hash: KeyHash::from_slice(&hash)?,
    })
}

/// The parameters of an insert, owned (they move into the future).
struct InsertArgs {
    id: String,
    prefix: String,
    hash: Vec<u8>,
    display: String,
    owner: String,
    scopes: String,
    metadata: String,
    created_at: i64,
    expires_at: Option<i64>,
    revoked_at: Option<i64>,
    last_used_at: Option<i64>,
    replaced_by: Option<String>,
}

impl InsertArgs {
    fn of(key: &StoredKey) -> Result<InsertArgs> {
        let r = &key.record;
        Ok(InsertArgs {
            id: r.id.clone(),
            prefix: r.prefix.clone(),
            hash: key.hash.as_bytes().to_vec(),
            display: r.display.clone(),
            owner: r.owner.clone(),
            scopes: serde_json::to_string(&r.scopes).map_err(json_error)?,
            metadata: serde_json::to_string(&r.metadata).map_err(json_error)?,
            created_at: r.created_at,
            expires_at: r.expires_at,
            revoked_at: r.revoked_at,
            last_used_at: r.last_used_at,
            replaced_by: r.replaced_by.clone(),
        })
    }

    async fn run(&self, client: &impl deadpool_postgres::GenericClient) -> Result<()> {
        let sql = format!(
            "INSERT INTO tokenward_api_keys ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        );
        let stmt = client.prepare_cached(&sql).await.map_err(pg_error)?;
        client
            .execute(
                &stmt,
                &[
                    &self.id,
                    &self.prefix,
                    &self.hash,
                    &self.display,
                    &self.owner,
                    &self.scopes,
                    &self.metadata,
                    &self.created_at,
                    &self.expires_at,
                    &self.revoked_at,
                    &self.last_used_at,
                    &self.replaced_by,
                ],
            )
            .await
            .map_err(pg_error)?;
        Ok(())
    }
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user[:password]@host[:port]/database`, libpq's key=value
    /// form too), creating and migrating the schema, with the default deadline, pool size and
    /// cache. Fails with `invalid_input` for a malformed URL, `network` / `timeout` when the
    /// server cannot be reached, `storage` for a schema written by a newer tokenward.
    pub fn open(url: &str) -> Result<PostgresStore> {
        Self::open_with(url, DEFAULT_BACKEND_TIMEOUT, DEFAULT_POSTGRES_CACHE_TTL)
    }

    /// Like [`PostgresStore::open`] with a deadline per operation and a cache lifetime
    /// (`Duration::ZERO` turns the cache off: every verify asks the database).
    pub fn open_with(url: &str, timeout: Duration, cache_ttl: Duration) -> Result<PostgresStore> {
        let pool = PgPool::open(url, timeout, DEFAULT_POSTGRES_POOL_SIZE)?;
        let store = PostgresStore {
            pool,
            cache: Mutex::new(HashMap::new()),
            cache_ttl,
            cache_size: DEFAULT_POSTGRES_CACHE_SIZE,
        };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&self) -> Result<()> {
        self.pool.migrate(&schema::SCHEMA)
    }

    /// Runs `op` with a pooled connection, within the deadline.
    fn with_client<T, F, Fut>(&self, op: F) -> Result<T>
    where
        F: FnOnce(deadpool_postgres::Object) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<T>> + Send,
        T: Send + 'static,
    {
        self.pool.run(op)
    }

    fn fetch(&self, id: &str) -> Result<Option<StoredKey>> {
        let id = id.to_owned();
        self.with_client(move |client| async move {
            let sql = format!("SELECT {COLUMNS} FROM tokenward_api_keys WHERE id = $1");
            let stmt = client.prepare_cached(&sql).await.map_err(pg_error)?;
            let row = client.query_opt(&stmt, &[&id]).await.map_err(pg_error)?;
            row.as_ref().map(decode).transpose()
        })
    }

    fn forget(&self, id: &str) {
        self.cache.lock().remove(id);
    }

    fn remember(&self, key: &StoredKey) {
        if self.cache_ttl.is_zero() {
            return;
        }
        let now = Instant::now();
        let mut cache = self.cache.lock();
        if cache.len() >= self.cache_size {
            cache.retain(|_, (at, _)| now.duration_since(*at) < self.cache_ttl);
            if cache.len() >= self.cache_size {
                cache.clear();
            }
        }
        cache.insert(key.record.id.clone(), (now, key.clone()));
    }
}

impl KeyStore for PostgresStore {
    fn is_shared(&self) -> bool {
        true
    }

    fn insert(&self, key: StoredKey) -> Result<()> {
        let args = InsertArgs::of(&key)?;
        self.with_client(move |client| async move { args.run(&client).await })
    }

    fn get(&self, id: &str) -> Result<Option<StoredKey>> {
        if let Some((at, key)) = self.cache.lock().get(id) {
            if at.elapsed() < self.cache_ttl {
                return Ok(Some(key.clone()));
            }
        }
        let found = self.fetch(id)?;
        match &found {
            Some(key) => self.remember(key),
            None => self.forget(id),
        }
        Ok(found)
    }

    fn list(&self, owner: &str) -> Result<Vec<Arc<KeyRecord>>> {
        let owner = owner.to_owned();
        self.with_client(move |client| async move {
            let sql = format!(
                "SELECT {COLUMNS} FROM tokenward_api_keys WHERE owner = $1 \
                 ORDER BY created_at, id"
            );
            let stmt = client.prepare_cached(&sql).await.map_err(pg_error)?;
            let rows = client.query(&stmt, &[&owner]).await.map_err(pg_error)?;
            rows.iter().map(|r| Ok(decode(r)?.record)).collect()
        })
    }

    fn revoke(&self, id: &str, at: i64) -> Result<Option<Arc<KeyRecord>>> {
        self.forget(id);
        let id = id.to_owned();
        self.with_client(move |client| async move {
            let sql = format!(
                "UPDATE tokenward_api_keys SET revoked_at = COALESCE(revoked_at, $2) \
                 WHERE id = $1 RETURNING {COLUMNS}"
            );
            let stmt = client.prepare_cached(&sql).await.map_err(pg_error)?;
            let row = client
                .query_opt(&stmt, &[&id, &at])
                .await
                .map_err(pg_error)?;
            Ok(row.as_ref().map(decode).transpose()?.map(|k| k.record))
        })
    }

    fn rotate(&self, id: &str, old_expires_at: i64, successor: StoredKey) -> Result<bool> {
        self.forget(id);
        let args = InsertArgs::of(&successor)?;
        let id = id.to_owned();
        self.with_client(move |mut client| async move {
            let tx = client.transaction().await.map_err(pg_error)?;
            let changed = tx
                .execute(
                    "UPDATE tokenward_api_keys SET expires_at = $2, replaced_by = $3 WHERE id = $1",
                    &[&id, &old_expires_at, &args.id],
                )
                .await
                .map_err(pg_error)?;
            if changed == 0 {
                return Ok(false); // dropping `tx` rolls back
            }
            args.run(&tx).await?;
            tx.commit().await.map_err(pg_error)?;
            Ok(true)
        })
    }

    fn touch(&self, id: &str, at: i64) -> Result<()> {
        if let Some((_, key)) = self.cache.lock().get_mut(id) {
            if key.record.last_used_at.is_none_or(|t| t < at) {
                let mut record = KeyRecord::clone(&key.record);
                record.last_used_at = Some(at);
                key.record = Arc::new(record);
            }
        }
        let id = id.to_owned();
        self.with_client(move |client| async move {
            let stmt = client
                .prepare_cached(
                    "UPDATE tokenward_api_keys SET last_used_at = $2 \
                     WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)",
                )
                .await
                .map_err(pg_error)?;
            client.execute(&stmt, &[&id, &at]).await.map_err(pg_error)?;
            Ok(())
        })
    }
}

#[cfg(test)]
#[path = "postgres_tests.rs"]
mod tests;
