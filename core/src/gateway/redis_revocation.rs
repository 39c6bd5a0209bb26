//! [`RedisRevocationList`]: revocations kept in Redis, shared by every instance using it.
//!
//! Each revocation is one key, `tokenward:rv:<kind>:<id>`, that Redis expires at the
//! revocation's end (`EXPIREAT`), so the list needs no purge and holds only live entries. There is
//! no local cache: every check asks Redis (one `EXISTS` for the credential's id and subject), so
//! a revocation made on one instance is refused by every other from the next request on — the
//! window is one round trip (docs/distributed.md).
//!
//! Failure policy: a check that cannot reach Redis in time fails **closed** by default (the
//! authenticator refuses with 503 and the failure's code, `network` / `timeout` /
//! `invalid_response`); [`RedisRevocationList::with_fail_open`] accepts the credential instead
//! and emits a `gateway.revocation_unavailable` audit event.

use std::sync::Arc;
use std::time::Duration;

use redis::Script;

use super::revocation::RevocationKind;
use super::revocation_store::RevocationStore;
use crate::audit::{emit, AuditEvent};
use crate::backend::redis::RedisConn;
use crate::backend::DEFAULT_BACKEND_TIMEOUT;
use crate::clock::{self, SharedClock};
use crate::{Error, ErrorCode, Result};

/// Sets the key with an expiry at `ARGV[1]`, keeping a later existing expiry.
const REVOKE: &str = r"
local ends = tonumber(ARGV[1])
local current = redis.call('EXPIRETIME', KEYS[1])
if current < ends then
  redis.call('SET', KEYS[1], '1', 'EXAT', ARGV[1])
end
return 1
";

/// Revocations in Redis (see the module documentation).
#[derive(Debug, Clone)]
pub struct RedisRevocationList {
    conn: RedisConn,
    revoke: Arc<Script>,
    fail_open: bool,
    clock: SharedClock,
}

fn key(kind: RevocationKind, id: &str) -> String {
    format!("tokenward:rv:{}:{id}", kind.as_str())
}

impl RedisRevocationList {
    /// The list in the Redis at `url` (`redis://…`, `rediss://…`), failing closed, with
    /// [`DEFAULT_BACKEND_TIMEOUT`] per operation. No I/O here: the connection is made on first
    /// use and remade after a failure.
    pub fn open(url: &str) -> Result<RedisRevocationList> {
        Self::open_with_timeout(url, DEFAULT_BACKEND_TIMEOUT)
    }

    /// Like [`RedisRevocationList::open`] with another deadline per operation.
    pub fn open_with_timeout(url: &str, timeout: Duration) -> Result<RedisRevocationList> {
        Ok(RedisRevocationList {
            conn: RedisConn::open(url, timeout)?,
            revoke: Arc::new(Script::new(REVOKE)),
            fail_open: false,
            clock: clock::system(),
        })
    }

    /// When Redis cannot answer a check: accept the credential (`true`, with a
    /// `gateway.revocation_unavailable` audit event) instead of refusing it (`false`, the
    /// default).
    pub fn with_fail_open(mut self, fail_open: bool) -> Self {
        self.fail_open = fail_open;
        self
    }

    /// The clock that checks a revocation's expiry is in the future (default: the system's).
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }
}

impl RevocationStore for RedisRevocationList {
    fn is_shared(&self) -> bool {
        true
    }

    fn revoke(&self, kind: RevocationKind, id: &str, until: i64) -> Result<()> {
        if until <= self.clock.unix_seconds() || id.is_empty() {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "a revocation needs a non-empty id and an expiry in the future",
            ));
        }
        let (k, script) = (key(kind, id), Arc::clone(&self.revoke));
        let _: i64 = self
            .conn
            .call(|conn| script.key(k).arg(until).invoke(conn))?;
        emit(AuditEvent::success(kind.audit_action()).credential(id));
        Ok(())
    }

    fn unrevoke(&self, kind: RevocationKind, id: &str) -> Result<bool> {
        let k = key(kind, id);
        let removed: i64 = self
            .conn
            .call(|conn| redis::cmd("DEL").arg(k).query(conn))?;
        Ok(removed > 0)
    }

    fn is_any_revoked(&self, entries: &[(RevocationKind, &str)]) -> Result<bool> {
        if entries.is_empty() {
            return Ok(false);
        }
        let keys: Vec<String> = entries.iter().map(|(kind, id)| key(*kind, id)).collect();
        let found: Result<i64> = self
            .conn
            .call(|conn| redis::cmd("EXISTS").arg(keys).query(conn));
        self.settled(found.map(|n| n > 0))
    }

    fn as_redis(&self) -> Option<&RedisRevocationList> {
        Some(self)
    }
}

impl RedisRevocationList {
    /// The connection, for a check made together with the rate limits on the same server.
    pub(crate) fn conn(&self) -> &RedisConn {
        &self.conn
    }

    /// The Redis keys of `entries`.
    pub(crate) fn keys(entries: &[(RevocationKind, &str)]) -> Vec<String> {
        entries.iter().map(|(kind, id)| key(*kind, id)).collect()
    }

    /// Whether any of `keys` exists, asked on the multiplexed connection (async callers); the
    /// failure policy is the caller's to apply ([`RedisRevocationList::unavailable`]).
    pub(crate) async fn any_async(&self, keys: Vec<String>) -> Result<bool> {
        let found: i64 = self
            .conn
            .run_async(move |mut conn| async move {
                redis::cmd("EXISTS").arg(keys).query_async(&mut conn).await
            })
            .await?;
        Ok(found > 0)
    }

    /// A lookup's answer under the failure policy: a failed lookup is `Ok(false)` when failing
    /// open (with its audit event), else the error.
    pub(crate) fn settled(&self, found: Result<bool>) -> Result<bool> {
        found.or_else(|err| self.unavailable(err).map(|()| false))
    }

    /// The failure policy of a check that could not reach Redis: `Ok` (accepted, with a
    /// `gateway.revocation_unavailable` audit event) when failing open, else the error.
    pub(crate) fn unavailable(&self, err: Error) -> Result<()> {
        if self.fail_open {
            emit(AuditEvent::failure("gateway.revocation_unavailable", &err));
            Ok(())
        } else {
            Err(err)
        }
    }
}
