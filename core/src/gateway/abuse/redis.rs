//! Abuse counters on Redis: the operations of [`MemoryCounters`](super::memory::MemoryCounters)
//! as Lua scripts, so every instance sharing the Redis counts the same failures and concurrent
//! requests never race (Redis runs a script alone). Windows and lockouts are key expiries
//! (`PX`), measured by the Redis server.

use std::sync::Arc;
use std::time::Duration;

use redis::Script;

use super::config::{Lockout, Threshold};
use crate::backend::redis::RedisConn;
use crate::Result;

/// KEYS: lock keys. Returns the longest remaining lockout in ms (0: none).
const LOCKED: &str = r"
local best = 0
for _, key in ipairs(KEYS) do
  local t = redis.call('PTTL', key)
  if t > best then best = t end
end
return best
";

/// KEYS: (counter, lock) pairs; ARGV: window ms, failures, lockout ms. Returns a flat list of
/// (pair index from 1, failures) for the pairs this failure locked out.
const FAIL: &str = r"
local out = {}
for i = 1, #KEYS, 2 do
  local c = redis.call('INCR', KEYS[i])
  if c == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
  if c >= tonumber(ARGV[2]) then
    redis.call('DEL', KEYS[i])
    redis.call('SET', KEYS[i + 1], c, 'PX', ARGV[3])
    table.insert(out, (i + 1) / 2)
    table.insert(out, c)
  end
end
return out
";

/// KEYS: set, fired flag; ARGV: member, window ms, threshold. Returns the set's size the
/// first time in its window it reaches the threshold, else 0.
const DISTINCT: &str = r"
local limit = tonumber(ARGV[3])
local n = redis.call('SCARD', KEYS[1])
if n < limit and redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
  n = n + 1
  if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
end
if n >= limit and redis.call('SET', KEYS[2], 1, 'PX', ARGV[2], 'NX') then return n end
return 0
";

/// KEYS: counter; ARGV: window ms, threshold. Returns the count when it reaches the threshold.
const COUNT: &str = r"
local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if c == tonumber(ARGV[2]) then return c end
return 0
";

/// The Redis key prefix of abuse counters.
const PREFIX: &str = "tokenward:abuse:";

#[derive(Clone, Debug)]
pub(crate) struct RedisCounters {
    conn: RedisConn,
    scripts: Arc<[Script; 4]>,
}

impl RedisCounters {
    pub(crate) fn new(conn: RedisConn) -> Self {
        RedisCounters {
            conn,
            scripts: Arc::new([
                Script::new(LOCKED),
                Script::new(FAIL),
                Script::new(DISTINCT),
                Script::new(COUNT),
            ]),
        }
    }

    fn invoke<T>(&self, which: usize, keys: Vec<String>, args: Vec<String>) -> Result<T>
    where
        T: redis::FromRedisValue + Send + 'static,
    {
        let scripts = Arc::clone(&self.scripts);
        self.conn.run(move |mut conn| async move {
            let mut inv = scripts[which].prepare_invoke();
            for k in &keys {
                inv.key(k);
            }
            for a in &args {
                inv.arg(a);
            }
            inv.invoke_async(&mut conn).await
        })
    }

    pub(crate) fn locked(&self, keys: &[String]) -> Result<Option<Duration>> {
        let keys = keys.iter().map(|k| format!("{PREFIX}lock:{k}")).collect();
        let ms: i64 = self.invoke(0, keys, Vec::new())?;
        Ok((ms > 0).then(|| Duration::from_millis(ms.unsigned_abs())))
    }

    pub(crate) fn fail(&self, keys: &[String], lockout: &Lockout) -> Result<Vec<(usize, u64)>> {
        let mut ks = Vec::with_capacity(keys.len() * 2);
        for k in keys {
            ks.push(format!("{PREFIX}fail:{k}"));
            ks.push(format!("{PREFIX}lock:{k}"));
        }
        let args = vec![
            lockout.failures().window_ms().to_string(),
            lockout.failures().count().to_string(),
            lockout.duration_ms().to_string(),
        ];
        let flat: Vec<i64> = self.invoke(1, ks, args)?;
        Ok(flat
            .chunks_exact(2)
            .map(|p| (usize::try_from(p[0] - 1).unwrap_or(0), p[1].unsigned_abs()))
            .collect())
    }

    pub(crate) fn distinct(&self, key: &str, member: &str, t: &Threshold) -> Result<Option<u64>> {
        let keys = vec![format!("{PREFIX}set:{key}"), format!("{PREFIX}fired:{key}")];
        let args = vec![
            member.to_owned(),
            t.window_ms().to_string(),
            t.count().to_string(),
        ];
        let n: i64 = self.invoke(2, keys, args)?;
        Ok((n > 0).then_some(n.unsigned_abs()))
    }

    pub(crate) fn count(&self, key: &str, t: &Threshold) -> Result<Option<u64>> {
        let keys = vec![format!("{PREFIX}count:{key}")];
        let args = vec![t.window_ms().to_string(), t.count().to_string()];
        let n: i64 = self.invoke(3, keys, args)?;
        Ok((n > 0).then_some(n.unsigned_abs()))
    }
}
