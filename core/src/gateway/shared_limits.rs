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
/// credential: nothing counted then), then the buckets of the other `KEYS` in order against
/// `ARGV` (interval in µs, burst) pairs; the first refusal stops (buckets before it stay
/// counted, as in the in-process pipeline). Answers one integer, `value * 4 + outcome`
/// ([`decode`]): outcome 1 allowed (value: the smallest remaining over the buckets), 2 limited
/// (value: retry after, µs), 3 revoked.
///
/// Every piece of work costs Redis's own time on each request, so the script does the
/// least: the revocation keys and the buckets are read by one `MGET`; one integer comes back
/// rather than a table (a table reply costs about 1.5 µs more); the arrival time goes to `SET`
/// as a Lua number, without `string.format` (Redis writes numbers exactly: `%.17g`, or the
/// shortest exact form since 7.2, which this script's `tonumber` reads back), and the clock's
/// strings are coerced by arithmetic.
const GCRA: &str = r"
if #KEYS == 0 then return -3 end
local revocations = tonumber(ARGV[1])
local values = redis.call('MGET', unpack(KEYS))
for i = 1, revocations do
  if values[i] then return 3 end
end
local t = redis.call('TIME')
local now = t[1] * 1000000 + t[2]
local remaining = -1
for i = revocations + 1, #KEYS do
  local b = i - revocations
  local interval = tonumber(ARGV[2 * b])
  local window = interval * ARGV[2 * b + 1]
  local tat = tonumber(values[i]) or now
  if tat < now then tat = now end
  local new_tat = tat + interval
  local used = new_tat - now
  if used > window then
    return (used - window) * 4 + 2
  end
  redis.call('SET', KEYS[i], new_tat, 'PX', math.ceil(used / 1000) + 1)
  local r = math.floor((window - used) / interval)
  if remaining < 0 or r < remaining then remaining = r end
end
return remaining * 4 + 1
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
        match self.check_unrevoked(&CheckArgs::new(Vec::new(), buckets))? {
            Decision::Counted(v) => Ok(v),
            // No revocation key was sent: an answer the script cannot give.
            Decision::Revoked => Err(unexpected_answer()),
        }
    }

    /// In one round trip on a blocking connection: refuses when any of the revocation keys of
    /// `args` exists, else counts one request in each of its buckets.
    pub(crate) fn check_unrevoked(&self, args: &CheckArgs) -> Result<Decision> {
        let answer: i64 = self
            .conn
            .call(|conn| args.invocation(&self.script).invoke(conn))?;
        decode(answer)
    }

    /// [`RedisLimiter::check_unrevoked`] for async callers, on the multiplexed connection: the
    /// checks of concurrent requests share one socket and reach Redis together, and no thread
    /// waits for the answer.
    pub(crate) async fn check_unrevoked_async(&self, args: &CheckArgs) -> Result<Decision> {
        let script = Arc::clone(&self.script);
        let args = args.clone();
        let answer: i64 = self
            .conn
            .run_async(move |mut conn| async move {
                args.invocation(&script).invoke_async(&mut conn).await
            })
            .await?;
        decode(answer)
    }
}

/// The keys and arguments of one run of the script, owned so an async call can carry them.
#[derive(Clone, Debug)]
pub(crate) struct CheckArgs {
    revocation_keys: Vec<String>,
    /// Full bucket keys with their (interval in µs, burst).
    buckets: Vec<(String, u64, u32)>,
}

impl CheckArgs {
    /// `revocation_keys` are full Redis keys; `buckets` are named without the prefix.
    pub(crate) fn new(revocation_keys: Vec<String>, buckets: &[(String, &RateLimit)]) -> CheckArgs {
        let buckets = buckets
            .iter()
            .map(|(name, limit)| {
                (
                    format!("{PREFIX}{name}"),
                    interval_micros(limit),
                    limit.burst.max(1),
                )
            })
            .collect();
        CheckArgs {
            revocation_keys,
            buckets,
        }
    }

    /// Whether the script also checks revocation keys (stages 4 to 6, not 6 alone).
    pub(crate) fn checks_revocations(&self) -> bool {
        !self.revocation_keys.is_empty()
    }

    fn invocation<'s>(&self, script: &'s Script) -> redis::ScriptInvocation<'s> {
        let mut invocation = script.prepare_invoke();
        invocation.arg(self.revocation_keys.len());
        for key in &self.revocation_keys {
            invocation.key(key);
        }
        for (key, interval, burst) in &self.buckets {
            invocation.key(key).arg(*interval).arg(*burst);
        }
        invocation
    }
}

/// The script's answer, `value * 4 + outcome`, as a decision.
fn decode(answer: i64) -> Result<Decision> {
    // The value of "allowed" is -1 only when no bucket was sent: nothing is left to count.
    let value = u64::try_from(answer >> 2).unwrap_or(0);
    match answer & 3 {
        1 => Ok(Decision::Counted(Verdict::Allowed { remaining: value })),
        2 => Ok(Decision::Counted(Verdict::Limited {
            retry_after: Duration::from_micros(value),
        })),
        3 => Ok(Decision::Revoked),
        _ => Err(unexpected_answer()),
    }
}

fn unexpected_answer() -> crate::Error {
    crate::Error::new(
        crate::ErrorCode::InvalidResponse,
        "redis: unexpected answer of the rate-limit script",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_decode_to_their_outcome_and_value() {
        assert!(matches!(
            decode(7 * 4 + 1).unwrap(),
            Decision::Counted(Verdict::Allowed { remaining: 7 })
        ));
        assert!(matches!(
            decode(-4 + 1).unwrap(),
            Decision::Counted(Verdict::Allowed { remaining: 0 })
        ));
        match decode(1_500_000 * 4 + 2).unwrap() {
            Decision::Counted(Verdict::Limited { retry_after }) => {
                assert_eq!(retry_after, Duration::from_micros(1_500_000));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(decode(3).unwrap(), Decision::Revoked));
        assert_eq!(
            decode(8).unwrap_err().code(),
            crate::ErrorCode::InvalidResponse
        );
    }
}
