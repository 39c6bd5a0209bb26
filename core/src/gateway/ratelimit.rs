//! GCRA rate limiting (the generic cell rate algorithm: a leaky bucket stored as one
//! timestamp per caller), in a sharded map with a bounded size.
//!
//! A limit of `rate` requests per `period` with a `burst` allows `burst` requests at once, then
//! one every `period / rate`. Each caller's state is its theoretical arrival time (TAT); an entry
//! whose TAT is in the past carries no information (the caller has its full burst again), so it
//! is dropped when the shard is full. If a shard is full of live entries, the entry closest to
//! expiry is evicted: memory stays bounded under an address-spraying attack, at the cost of
//! giving that one caller a fresh burst.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};
use std::time::{Duration, UNIX_EPOCH};

use parking_lot::Mutex;

use crate::clock::SharedClock;
use crate::{Error, ErrorCode, Result};

/// One limit: `rate` requests per `period`, with bursts of up to `burst`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests per period (≥ 1).
    pub rate: u32,
    /// The period.
    pub period: Duration,
    /// Requests that may arrive at once (≥ 1).
    pub burst: u32,
}

/// The period of a rate limit whose period is not given: one second.
pub const DEFAULT_RATE_LIMIT_PERIOD: Duration = Duration::from_secs(1);

impl RateLimit {
    /// `rate` requests per `period`, in bursts of up to `burst`, checked by
    /// [`RateLimit::validate`] (`invalid_input`).
    pub fn new(rate: u32, period: Duration, burst: u32) -> Result<RateLimit> {
        let limit = RateLimit {
            rate,
            period,
            burst,
        };
        limit.validate()?;
        Ok(limit)
    }

    /// `rate` requests per second with a burst of `burst`.
    pub fn per_second(rate: u32, burst: u32) -> RateLimit {
        RateLimit {
            rate,
            period: DEFAULT_RATE_LIMIT_PERIOD,
            burst,
        }
    }

    /// `rate` requests per minute with a burst of `burst`.
    pub fn per_minute(rate: u32, burst: u32) -> RateLimit {
        RateLimit {
            rate,
            period: Duration::from_secs(60),
            burst,
        }
    }

    /// Checks the values: rate and burst ≥ 1, a non-zero period, an interval ≥ 1 ns.
    pub fn validate(&self) -> Result<()> {
        if self.rate == 0 || self.burst == 0 || self.period.is_zero() {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "a rate limit needs rate ≥ 1, burst ≥ 1 and a non-zero period",
            ));
        }
        if self.interval_nanos() == 0 {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "the rate limit is finer than one nanosecond per request",
            ));
        }
        Ok(())
    }

    fn interval_nanos(&self) -> u64 {
        let n = self.period.as_nanos() / u128::from(self.rate.max(1));
        u64::try_from(n).unwrap_or(u64::MAX)
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Allowed; `remaining` more requests would be allowed right now.
    Allowed {
        /// Requests left in the burst.
        remaining: u64,
    },
    /// Refused; retry after this long.
    Limited {
        /// Time until the next request would be allowed.
        retry_after: Duration,
    },
}

/// Default maximum number of tracked callers per limiter.
pub const DEFAULT_MAX_ENTRIES: usize = 100_000;
const SHARDS: usize = 16;

/// A concurrent GCRA limiter keyed by `K` (a principal, an address).
pub struct Limiter<K> {
    shards: Box<[Mutex<HashMap<K, u64>>]>,
    per_shard: usize,
    hasher: std::collections::hash_map::RandomState,
    clock: SharedClock,
}

impl<K> std::fmt::Debug for Limiter<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiter")
            .field("shards", &self.shards.len())
            .field("per_shard", &self.per_shard)
            .finish_non_exhaustive()
    }
}

impl<K: Hash + Eq + Clone> Limiter<K> {
    /// A limiter tracking at most `max_entries` callers (rounded up to a multiple of 16).
    pub fn new(max_entries: usize, clock: SharedClock) -> Self {
        let per_shard = max_entries.div_ceil(SHARDS).max(1);
        Limiter {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            per_shard,
            hasher: Default::default(),
            clock,
        }
    }

    fn now_nanos(&self) -> u64 {
        let d = self
            .clock
            .now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
    }

    /// Counts one request of `key` against `limit`.
    pub fn check<Q>(&self, key: &Q, limit: &RateLimit) -> Verdict
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        let now = self.now_nanos();
        let t = limit.interval_nanos().max(1);
        let window = t.saturating_mul(u64::from(limit.burst.max(1)));
        let idx = (self.hasher.hash_one(key) as usize) % self.shards.len();
        let Some(shard) = self.shards.get(idx) else {
            return Verdict::Allowed { remaining: 0 };
        };
        let mut map = shard.lock();
        let tat = map.get(key).copied().unwrap_or(now).max(now);
        let new_tat = tat.saturating_add(t);
        let used = new_tat - now;
        if used > window {
            return Verdict::Limited {
                retry_after: Duration::from_nanos(used - window),
            };
        }
        if let Some(v) = map.get_mut(key) {
            *v = new_tat;
        } else {
            if map.len() >= self.per_shard {
                map.retain(|_, v| *v > now);
                if map.len() >= self.per_shard {
                    evict_oldest(&mut map, (self.per_shard / 16).max(1));
                }
            }
            map.insert(key.to_owned(), new_tat);
        }
        Verdict::Allowed {
            remaining: (window - used) / t,
        }
    }

    /// Whether one more request of `key` would be refused, without counting it: the time until
    /// it would be allowed, or `None`. The failure budget of an authenticator peeks before it
    /// does any verification work and counts (with [`Limiter::check`]) only refused attempts.
    pub fn peek<Q>(&self, key: &Q, limit: &RateLimit) -> Option<Duration>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let now = self.now_nanos();
        let t = limit.interval_nanos().max(1);
        let window = t.saturating_mul(u64::from(limit.burst.max(1)));
        let idx = (self.hasher.hash_one(key) as usize) % self.shards.len();
        let tat = self.shards.get(idx)?.lock().get(key).copied()?.max(now);
        let used = tat.saturating_add(t) - now;
        (used > window).then(|| Duration::from_nanos(used - window))
    }

    /// Callers currently tracked.
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().len()).sum()
    }

    /// Whether no caller is tracked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Removes the `k` entries closest to expiry (smallest TAT): one O(n) pass per `k` inserts,
/// so a full shard under an address-spraying attack costs amortised O(n / k) per request.
fn evict_oldest<K: Hash + Eq + Clone>(map: &mut HashMap<K, u64>, k: usize) {
    let mut tats: Vec<u64> = map.values().copied().collect();
    let k = k.min(tats.len());
    if k == 0 {
        return;
    }
    let (_, &mut threshold, _) = tats.select_nth_unstable(k - 1);
    let mut budget = k;
    map.retain(|_, v| {
        if *v < threshold {
            budget -= 1;
            false
        } else {
            true
        }
    });
    let ties: Vec<K> = map
        .iter()
        .filter(|(_, v)| **v == threshold)
        .take(budget)
        .map(|(key, _)| key.clone())
        .collect();
    for key in ties {
        map.remove(&key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    #[test]
    fn gcra_burst_then_steady_rate() {
        let clock = ManualClock::at_unix(1_700_000_000);
        let l: Limiter<String> = Limiter::new(1000, clock.clone());
        let lim = RateLimit::per_second(10, 3); // one every 100 ms, bursts of 3
        assert_eq!(l.check("a", &lim), Verdict::Allowed { remaining: 2 });
        assert_eq!(l.check("a", &lim), Verdict::Allowed { remaining: 1 });
        assert_eq!(l.check("a", &lim), Verdict::Allowed { remaining: 0 });
        assert_eq!(
            l.check("a", &lim),
            Verdict::Limited {
                retry_after: Duration::from_millis(100)
            }
        );
        // Another caller is independent.
        assert_eq!(l.check("b", &lim), Verdict::Allowed { remaining: 2 });
        clock.advance(Duration::from_millis(40));
        assert_eq!(
            l.check("a", &lim),
            Verdict::Limited {
                retry_after: Duration::from_millis(60)
            }
        );
        clock.advance(Duration::from_millis(60));
        assert_eq!(l.check("a", &lim), Verdict::Allowed { remaining: 0 });
        // After a full idle window the burst is back.
        clock.advance(Duration::from_secs(1));
        assert_eq!(l.check("a", &lim), Verdict::Allowed { remaining: 2 });
    }

    #[test]
    fn steady_rate_over_time() {
        let clock = ManualClock::at_unix(1_700_000_000);
        let l: Limiter<u32> = Limiter::new(10, clock.clone());
        let lim = RateLimit::per_minute(60, 1);
        let mut allowed = 0;
        for _ in 0..600 {
            if matches!(l.check(&1, &lim), Verdict::Allowed { .. }) {
                allowed += 1;
            }
            clock.advance(Duration::from_millis(100));
        }
        assert_eq!(allowed, 60);
    }

    #[test]
    fn size_is_bounded() {
        let clock = ManualClock::at_unix(1_700_000_000);
        let l: Limiter<u32> = Limiter::new(64, clock.clone());
        let lim = RateLimit::per_minute(1, 1);
        for i in 0..10_000u32 {
            assert!(matches!(l.check(&i, &lim), Verdict::Allowed { .. }));
        }
        assert!(l.len() <= 64, "{}", l.len());
        // Expired entries are swept when a shard is full.
        clock.advance(Duration::from_secs(120));
        for i in 20_000..20_100u32 {
            l.check(&i, &lim);
        }
        assert!(l.len() <= 64);
    }

    #[test]
    fn eviction_removes_exactly_the_oldest() {
        let mut m: HashMap<u32, u64> = (0..10u32).map(|i| (i, u64::from(i / 2))).collect();
        evict_oldest(&mut m, 3);
        assert_eq!(m.len(), 7);
        assert!(!m.contains_key(&0) && !m.contains_key(&1));
        assert!((4..10).all(|i| m.contains_key(&i)));
        evict_oldest(&mut m, 100);
        assert!(m.is_empty());
    }

    #[test]
    fn peek_does_not_count() {
        let clock = ManualClock::at_unix(1_700_000_000);
        let l: Limiter<String> = Limiter::new(1000, clock.clone());
        let lim = RateLimit::per_second(10, 2);
        for _ in 0..5 {
            assert_eq!(l.peek("a", &lim), None);
        }
        assert_eq!(l.check("a", &lim), Verdict::Allowed { remaining: 1 });
        assert_eq!(l.peek("a", &lim), None);
        assert_eq!(l.check("a", &lim), Verdict::Allowed { remaining: 0 });
        assert_eq!(l.peek("a", &lim), Some(Duration::from_millis(100)));
        clock.advance(Duration::from_millis(100));
        assert_eq!(l.peek("a", &lim), None);
    }

    #[test]
    fn invalid_limits() {
        assert!(RateLimit::per_second(0, 1).validate().is_err());
        assert!(RateLimit::per_second(1, 0).validate().is_err());
        assert!(RateLimit {
            rate: 10,
            period: Duration::ZERO,
            burst: 1
        }
        .validate()
        .is_err());
        assert!(RateLimit::per_second(5, 5).validate().is_ok());
    }

    #[test]
    fn concurrent_checks_never_exceed_the_burst() {
        let clock = ManualClock::at_unix(1_700_000_000);
        let l: std::sync::Arc<Limiter<String>> = std::sync::Arc::new(Limiter::new(1000, clock));
        let lim = RateLimit::per_minute(1, 50);
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let l = l.clone();
                std::thread::spawn(move || {
                    (0..100)
                        .filter(|_| matches!(l.check("k", &lim), Verdict::Allowed { .. }))
                        .count()
                })
            })
            .collect();
        let total: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(total, 50);
    }
}
