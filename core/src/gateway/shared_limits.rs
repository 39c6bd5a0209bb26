//! Rate limits on Redis: the GCRA of [`ratelimit`](super::ratelimit) (one theoretical arrival
//! time per bucket), decided by one server-side script per request, so every instance sharing
//! the Redis counts against the same buckets and concurrent requests never race: Redis runs a
//! script alone, and the script reads and writes the address and principal buckets in one go.
//!
//! Time is the Redis server's (`TIME`, microseconds), not the instances' clocks, so clock skew
//! between instances changes nothing. A bucket key expires when its arrival time has passed (it
//! then carries no information: the caller has its full burst again).

use std::sync::Arc;
use std::time::Duration;

use redis::Script;

use super::ratelimit::{RateLimit, Verdict};
use crate::backend::redis::RedisConn;
use crate::Result;

/// Checks the buckets of `KEYS` in order against `ARGV` (interval in µs, burst) pairs; the
/// first refusal stops (buckets before it stay counted, as in the in-process pipeline).
/// Returns `{1, remaining}` (the smallest over the buckets) or `{0, retry_after_us}`.
const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local remaining = -1
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i - 1])
  local window = interval * tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', key)) or now
  if tat < now then tat = now end
  local new_tat = tat + interval
  local used = new_tat - now
  if used > window then
    return {0, used - window}
  end
  redis.call('SET', key, string.format('%.0f', new_tat), 'PX', math.ceil(used / 1000) + 1)
  local r = math.floor((window - used) / interval)
  if remaining < 0 or r < remaining then remaining = r end
end
return {1, remaining}
";

/// The Redis key prefix of rate-limit buckets.
const PREFIX: &str = "tokenward:rl:";

/// A GCRA limiter whose state is in Redis.
#[derive(Clone, Debug)]
pub(crate) struct RedisLimiter {
    conn: RedisConn,
    script: Arc<Script>,
}

fn interval_micros(limit: &RateLimit) -> u64 {
    let n = limit.period.as_micros() / u128::from(limit.rate.max(1));
    u64::try_from(n).unwrap_or(u64::MAX).max(1)
}

impl RedisLimiter {
    pub(crate) fn new(conn: RedisConn) -> RedisLimiter {
        RedisLimiter {
            conn,
            script: Arc::new(Script::new(GCRA)),
        }
    }

    /// Counts one request in each of `buckets` (names without the prefix) in one round trip.
    pub(crate) fn check(&self, buckets: &[(String, &RateLimit)]) -> Result<Verdict> {
        let keys: Vec<(String, u64, u32)> = buckets
            .iter()
            .map(|(name, limit)| {
                (
                    format!("{PREFIX}{name}"),
                    interval_micros(limit),
                    limit.burst.max(1),
                )
            })
            .collect();
        let script = Arc::clone(&self.script);
        let (allowed, value): (i64, i64) = self.conn.run(move |mut conn| async move {
            let mut invocation = script.prepare_invoke();
            for (key, interval, burst) in &keys {
                invocation.key(key).arg(*interval).arg(*burst);
            }
            invocation.invoke_async(&mut conn).await
        })?;
        let value = u64::try_from(value).unwrap_or(0);
        Ok(if allowed == 1 {
            Verdict::Allowed { remaining: value }
        } else {
            Verdict::Limited {
                retry_after: Duration::from_micros(value),
            }
        })
    }
}
