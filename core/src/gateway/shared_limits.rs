//! Rate limits on Redis: the GCRA of [`ratelimit`](super::ratelimit) (one theoretical arrival
//! time per bucket), decided by one server-side script per request, so every instance sharing
//! the Redis counts against the same buckets and concurrent requests never race: Redis runs a
//! script alone, and the script reads and writes the address and principal buckets in one go.
//!
//! Time is the Redis server's (`TIME`, microseconds), not the instances' clocks, so clock skew
//! between instances changes nothing. A bucket key expires when its arrival time has passed (it
//! then carries no information: the caller has its full burst again).
//!
//! When the authenticator's revocation list is on the same Redis, the same script first checks
//! the credential's revocation keys (`RedisLimiter::check_unrevoked`), so an `authenticate`
//! with both costs one round trip.

use std::sync::Arc;
use std::time::Duration;

use redis::Script;

use super::ratelimit::{RateLimit, Verdict};
use crate::backend::redis::RedisConn;
use crate::Result;

/// Checks first whether any of the first `ARGV[1]` keys exists (the revocations of the
/// credential: `{-1, 0}` then, nothing counted), then the buckets of the other `KEYS` in order
/// against `ARGV` (interval in µs, burst) pairs; the first refusal stops (buckets before it
/// stay counted, as in the in-process pipeline). Returns `{1, remaining}` (the smallest over
/// the buckets) or `{0, retry_after_us}`.
///
/// Each `redis.call` costs about a microsecond of Redis's time, so the revocation keys and the
/// buckets are read by one `MGET`; `%d` formats the arrival time (an integer below 2^53) at a
/// fraction of the cost of `%.0f`.
const GCRA: &str = r"
if #KEYS == 0 then return {1, -1} end
local revocations = tonumber(ARGV[1])
local values = redis.call('MGET', unpack(KEYS))
for i = 1, revocations do
  if values[i] then return {-1, 0} end
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local remaining = -1
for i = revocations + 1, #KEYS do
  local b = i - revocations
  local interval = tonumber(ARGV[2 * b])
  local window = interval * tonumber(ARGV[2 * b + 1])
  local tat = tonumber(values[i]) or now
  if tat < now then tat = now end
  local new_tat = tat + interval
  local used = new_tat - now
  if used > window then
    return {0, used - window}
  end
  redis.call('SET', KEYS[i], string.format('%d', new_tat), 'PX', math.ceil(used / 1000) + 1)
  local r = math.floor((window - used) / interval)
  if remaining < 0 or r < remaining then remaining = r end
end
return {1, remaining}
";

/// The Redis key prefix of rate-limit buckets.
const PREFIX: &str = "tokenward:rl:";

/// What the script decided.
#[derive(Debug)]
pub(crate) enum Decision {
    /// One of the revocation keys exists: refused, nothing counted.
    Revoked,
    /// The rate limits' verdict.
    Counted(Verdict),
}

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
        match self.check_unrevoked(&[], buckets)? {
            Decision::Counted(v) => Ok(v),
            // No revocation key was sent: an answer the script cannot give.
            Decision::Revoked => Err(crate::Error::new(
                crate::ErrorCode::InvalidResponse,
                "redis: unexpected answer of the rate-limit script",
            )),
        }
    }

    /// In one round trip: refuses when any of `revocation_keys` (full Redis keys) exists, else
    /// counts one request in each of `buckets`.
    pub(crate) fn check_unrevoked(
        &self,
        revocation_keys: &[String],
        buckets: &[(String, &RateLimit)],
    ) -> Result<Decision> {
        let (allowed, value): (i64, i64) = self.conn.call(|conn| {
            let mut invocation = self.script.prepare_invoke();
            invocation.arg(revocation_keys.len());
            for key in revocation_keys {
                invocation.key(key);
            }
            for (name, limit) in buckets {
                invocation
                    .key(format!("{PREFIX}{name}"))
                    .arg(interval_micros(limit))
                    .arg(limit.burst.max(1));
            }
            invocation.invoke(conn)
        })?;
        let value = u64::try_from(value).unwrap_or(0);
        Ok(match allowed {
            1 => Decision::Counted(Verdict::Allowed { remaining: value }),
            0 => Decision::Counted(Verdict::Limited {
                retry_after: Duration::from_micros(value),
            }),
            _ => Decision::Revoked,
        })
    }
}
