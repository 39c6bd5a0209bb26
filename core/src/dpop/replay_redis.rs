//! The DPoP `jti` replay cache in Redis, shared by every instance of a gateway using it.
//!
//! One key per accepted proof, `tokenward:dpop:jti:<hex SHA-256 of the jti>`, written with
//! `SET … NX EX <seconds>` for the rest of the proof's acceptance window (its `iat` plus the
//! maximum age and the leeway): the first instance to write it accepts the proof, every other
//! (and the same one again) sees a replay. One round trip per proof; Redis expires the keys, so
//! nothing needs a purge. A Redis that cannot answer in time fails closed: the proof is not
//! accepted and the error carries the failure's code (docs/distributed.md).

use std::fmt::Write;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::backend::redis::RedisConn;
use crate::Result;

/// `jti`s in Redis (see the module documentation).
#[derive(Debug)]
pub(crate) struct RedisReplayCache {
    conn: RedisConn,
}

fn key(jti: &str) -> String {
    let digest = Sha256::digest(jti.as_bytes());
    let mut k = String::with_capacity(19 + 64);
    k.push_str("tokenward:dpop:jti:");
    for b in digest {
        let _ = write!(k, "{b:02x}");
    }
    k
}

impl RedisReplayCache {
    /// No I/O here: the connection is made on first use and remade after a failure.
    pub(crate) fn open(url: &str, timeout: Duration) -> Result<RedisReplayCache> {
        Ok(RedisReplayCache {
            conn: RedisConn::open(url, timeout)?,
        })
    }

    /// Records `jti` until `until` (Unix seconds, the verifier's clock); `false` when another
    /// proof (on any instance) already used it. The expiry is relative, so the Redis server's
    /// clock does not matter.
    pub(crate) fn insert(&self, jti: &str, now: i64, until: i64) -> Result<bool> {
        let k = key(jti);
        let ttl = until.saturating_sub(now).max(0).saturating_add(1);
        let set: Option<String> = self.conn.run(move |mut conn| async move {
            redis::cmd("SET")
                .arg(k)
                .arg(1)
                .arg("NX")
                .arg("EX")
                .arg(ttl)
                .query_async(&mut conn)
                .await
        })?;
        Ok(set.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_fixed_size_hashes() {
        let k = key("a jti of any length, even with spaces and : colons");
        assert_eq!(k.len(), 19 + 64);
        assert!(k.starts_with("tokenward:dpop:jti:"));
        assert_ne!(key("a"), key("b"));
    }
}
