//! Sessions in Redis, for several instances behind a load balancer: the gateway's connection and
//! failure policy (docs/distributed.md), each operation one command or one Lua script
//! (`redis_scripts.rs` describes the keys). A session's key expires at its absolute end, so
//! Redis forgets ended sessions by itself; `purge` deletes revoked and idle ones earlier.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use redis::{AsyncCommands, Script};

use super::redis_scripts as lua;
use super::session_store::SessionStore;
use crate::apikey::KeyHash;
use crate::backend::redis::RedisConn;
use crate::backend::DEFAULT_BACKEND_TIMEOUT;
use crate::session::SessionRecord;
use crate::{Error, ErrorCode, Result};

/// The key prefix unless configured otherwise.
pub const DEFAULT_REDIS_SESSION_PREFIX: &str = "tokenward:session:";

/// Keys per `SCAN` step and per purge script.
const PURGE_BATCH: usize = 500;

struct Scripts {
    insert: Script,
    touch: Script,
    revoke: Script,
    revoke_subject: Script,
    rotate: Script,
    purge: Script,
}

/// Sessions in Redis (`"redis://…"`, `"rediss://…"`).
pub struct RedisSessionStore {
    conn: RedisConn,
    prefix: String,
    scripts: Arc<Scripts>,
}

impl std::fmt::Debug for RedisSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the URL: it may hold a password.
        f.debug_struct("RedisSessionStore")
            .field("prefix", &self.prefix)
            .field("conn", &self.conn)
            .finish()
    }
}

fn hex(hash: &KeyHash) -> String {
    use std::fmt::Write;
    hash.as_bytes()
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

fn json_error(err: serde_json::Error) -> Error {
    Error::new(ErrorCode::Storage, format!("stored session data: {err}")).with_source(err)
}

fn shape_error() -> Error {
    Error::new(
        ErrorCode::InvalidResponse,
        "redis: a stored session has an unexpected shape",
    )
}

/// The insert script's arguments for `record`, whose key lives `ttl_ms`.
fn insert_args(hash: &KeyHash, r: &SessionRecord) -> Result<Vec<String>> {
    // The key expires at the absolute end as seen by the caller's clock (a relative expiry:
    // clocks of the instances and of Redis need not agree).
    let ttl_ms = r
        .expires_at
        .saturating_sub(r.last_seen_at)
        .clamp(1, i64::MAX / 1000)
        * 1000;
    Ok(vec![
        r.handle.clone(),
        r.subject.clone(),
        serde_json::to_string(&r.data).map_err(json_error)?,
        r.created_at.to_string(),
        r.last_seen_at.to_string(),
        r.expires_at.to_string(),
        r.revoked_at.map(|t| t.to_string()).unwrap_or_default(),
        ttl_ms.to_string(),
        hex(hash),
    ])
}

fn decode(mut f: BTreeMap<String, String>) -> Result<Option<SessionRecord>> {
    if f.is_empty() {
        return Ok(None);
    }
    let mut take = |k: &str| f.remove(k).ok_or_else(shape_error);
    let int = |v: String| v.parse::<i64>().map_err(|_| shape_error());
    let handle = take("handle")?;
    let subject = take("subject")?;
    let data = serde_json::from_str(&take("data")?).map_err(json_error)?;
    let created_at = int(take("created")?)?;
    let last_seen_at = int(take("seen")?)?;
    let expires_at = int(take("expires")?)?;
    let revoked_at = f.remove("revoked").map(int).transpose()?;
    Ok(Some(SessionRecord {
        handle,
        subject,
        data,
        created_at,
        last_seen_at,
        idle_expires_at: 0,
        expires_at,
        revoked_at,
    }))
}

impl RedisSessionStore {
    /// Prepares the connection to `url` with the default deadline and key prefix; connects on
    /// first use (an application starts while Redis is down; its requests then fail with
    /// `network` / `timeout`). `invalid_input` for a URL that is not Redis's.
    pub fn open(url: &str) -> Result<Self> {
        Self::open_with(url, DEFAULT_BACKEND_TIMEOUT, DEFAULT_REDIS_SESSION_PREFIX)
    }

    /// Like [`RedisSessionStore::open`] with a deadline per operation and a key prefix
    /// (several applications on one Redis).
    pub fn open_with(url: &str, timeout: Duration, prefix: &str) -> Result<Self> {
        if !crate::backend::redis::is_redis_url(url) {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "not a Redis URL (redis://[user:password@]host[:port][/db], rediss://…)",
            ));
        }
        Ok(RedisSessionStore {
            conn: RedisConn::open(url, timeout)?,
            prefix: prefix.to_owned(),
            scripts: Arc::new(Scripts {
                insert: Script::new(&lua::insert()),
                touch: Script::new(lua::TOUCH),
                revoke: Script::new(lua::REVOKE),
                revoke_subject: Script::new(lua::REVOKE_SUBJECT),
                rotate: Script::new(&lua::rotate()),
                purge: Script::new(lua::PURGE),
            }),
        })
    }

    fn key(&self, hash: &KeyHash) -> String {
        format!("{}s:{}", self.prefix, hex(hash))
    }

    fn index(&self, subject: &str) -> String {
        format!("{}u:{subject}", self.prefix)
    }

    fn invoke<T>(
        &self,
        pick: fn(&Scripts) -> &Script,
        keys: Vec<String>,
        args: Vec<String>,
    ) -> Result<T>
    where
        T: redis::FromRedisValue + Send + 'static,
    {
        let scripts = Arc::clone(&self.scripts);
        self.conn.run(move |mut conn| async move {
            let mut inv = pick(&scripts).prepare_invoke();
            for k in &keys {
                inv.key(k);
            }
            for a in &args {
                inv.arg(a);
            }
            inv.invoke_async(&mut conn).await
        })
    }
}

fn duplicate() -> Error {
    Error::new(ErrorCode::Storage, "duplicate session")
}

impl SessionStore for RedisSessionStore {
    fn is_shared(&self) -> bool {
        true
    }

    fn insert(&self, hash: &KeyHash, record: &SessionRecord) -> Result<()> {
        let keys = vec![self.key(hash), self.index(&record.subject)];
        let done: i64 = self.invoke(|s| &s.insert, keys, insert_args(hash, record)?)?;
        if done == 1 {
            Ok(())
        } else {
            Err(duplicate())
        }
    }

    fn get(&self, hash: &KeyHash) -> Result<Option<SessionRecord>> {
        let key = self.key(hash);
        let fields: BTreeMap<String, String> = self
            .conn
            .run(move |mut conn| async move { conn.hgetall(key).await })?;
        decode(fields)
    }

    fn touch(&self, hash: &KeyHash, at: i64) -> Result<()> {
        let _: i64 = self.invoke(|s| &s.touch, vec![self.key(hash)], vec![at.to_string()])?;
        Ok(())
    }

    fn revoke(&self, hash: &KeyHash, at: i64) -> Result<bool> {
        let args = vec![at.to_string(), self.index(""), hex(hash)];
        let n: i64 = self.invoke(|s| &s.revoke, vec![self.key(hash)], args)?;
        Ok(n == 1)
    }

    fn revoke_subject(&self, subject: &str, at: i64) -> Result<u64> {
        let args = vec![at.to_string(), format!("{}s:", self.prefix)];
        let n: i64 = self.invoke(|s| &s.revoke_subject, vec![self.index(subject)], args)?;
        Ok(n.unsigned_abs())
    }

    fn rotate(
        &self,
        old: &KeyHash,
        at: i64,
        new_hash: &KeyHash,
        new: &SessionRecord,
    ) -> Result<bool> {
        let keys = vec![self.key(old), self.key(new_hash), self.index(&new.subject)];
        let mut args = vec![at.to_string(), self.index(""), hex(old)];
        args.extend(insert_args(new_hash, new)?);
        let done: i64 = self.invoke(|s| &s.rotate, keys, args)?;
        match done {
            1 => Ok(true),
            0 => Ok(false),
            _ => Err(duplicate()),
        }
    }

    fn purge(&self, now: i64, idle_secs: i64) -> Result<u64> {
        let pattern = format!("{}s:*", self.prefix);
        let mut cursor = 0u64;
        let mut purged = 0u64;
        loop {
            let pattern = pattern.clone();
            let (next, keys): (u64, Vec<String>) = self.conn.run(move |mut conn| async move {
                redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("MATCH")
                    .arg(&pattern)
                    .arg("COUNT")
                    .arg(PURGE_BATCH)
                    .query_async(&mut conn)
                    .await
            })?;
            if !keys.is_empty() {
                let args = vec![now.to_string(), idle_secs.to_string(), self.index("")];
                let n: i64 = self.invoke(|s| &s.purge, keys, args)?;
                purged += n.unsigned_abs();
            }
            if next == 0 {
                return Ok(purged);
            }
            cursor = next;
        }
    }
}
