//! The in-process counters of abuse detection: fixed windows (a window starts at its first
//! occurrence), lockouts, and sets of distinct members, bounded in number of keys.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, SystemTime};

use parking_lot::Mutex;

use super::config::{Lockout, Threshold};
use crate::clock::{add, SharedClock};

struct Count {
    until: SystemTime,
    n: u64,
}

struct Distinct {
    until: SystemTime,
    members: HashSet<String>,
    fired: bool,
}

#[derive(Default)]
struct State {
    counts: HashMap<String, Count>,
    locks: HashMap<String, SystemTime>,
    sets: HashMap<String, Distinct>,
}

/// Counters in this process.
pub(crate) struct MemoryCounters {
    state: Mutex<State>,
    clock: SharedClock,
    max_tracked: usize,
}

impl std::fmt::Debug for MemoryCounters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryCounters").finish_non_exhaustive()
    }
}

/// Makes room for one more key in `map`: expired entries go first, then an arbitrary one.
fn room<V>(map: &mut HashMap<String, V>, max: usize, live: impl Fn(&V) -> bool) {
    if map.len() < max {
        return;
    }
    map.retain(|_, v| live(v));
    if map.len() >= max {
        if let Some(k) = map.keys().next().cloned() {
            map.remove(&k);
        }
    }
}

impl MemoryCounters {
    pub(crate) fn new(clock: SharedClock, max_tracked: usize) -> Self {
        MemoryCounters {
            state: Mutex::new(State::default()),
            clock,
            max_tracked: max_tracked.max(1),
        }
    }

    /// The longest remaining lockout of `keys`, if any is locked.
    pub(crate) fn locked(&self, keys: &[String]) -> Option<Duration> {
        let now = self.clock.now();
        let mut s = self.state.lock();
        let mut best: Option<Duration> = None;
        for k in keys {
            match s.locks.get(k) {
                Some(until) if *until > now => {
                    let left = until.duration_since(now).unwrap_or_default();
                    best = Some(best.map_or(left, |b| b.max(left)));
                }
                Some(_) => {
                    s.locks.remove(k);
                }
                None => {}
            }
        }
        best
    }

    /// Counts one failure on each of `keys`; returns the (index, failures) of the keys this
    /// failure locked out.
    pub(crate) fn fail(&self, keys: &[String], lockout: &Lockout) -> Vec<(usize, u64)> {
        let now = self.clock.now();
        let max = self.max_tracked;
        let mut s = self.state.lock();
        let mut out = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            let n = {
                if !s.counts.contains_key(k) {
                    room(&mut s.counts, max, |c| c.until > now);
                }
                let c = s
                    .counts
                    .entry(k.clone())
                    .or_insert(Count { until: now, n: 0 });
                if c.until <= now {
                    *c = Count {
                        until: add(now, lockout.failures().window()),
                        n: 0,
                    };
                }
                c.n += 1;
                c.n
            };
            if n >= u64::from(lockout.failures().count()) {
                s.counts.remove(k);
                if !s.locks.contains_key(k) {
                    room(&mut s.locks, max, |u| *u > now);
                }
                s.locks.insert(k.clone(), add(now, lockout.duration()));
                out.push((i, n));
            }
        }
        out
    }

    /// Adds `member` to the set `key`; `Some(size)` the first time in the window the set
    /// reaches the threshold.
    pub(crate) fn distinct(&self, key: &str, member: &str, t: &Threshold) -> Option<u64> {
        let now = self.clock.now();
        let max = self.max_tracked;
        let mut s = self.state.lock();
        if !s.sets.contains_key(key) {
            room(&mut s.sets, max, |d| d.until > now);
            s.sets.insert(
                key.to_owned(),
                Distinct {
                    until: now,
                    members: HashSet::new(),
                    fired: false,
                },
            );
        }
        let d = s.sets.get_mut(key)?;
        if d.until <= now {
            *d = Distinct {
                until: add(now, t.window()),
                members: HashSet::new(),
                fired: false,
            };
        }
        let limit = t.count() as usize;
        if d.members.len() < limit && !d.members.contains(member) {
            d.members.insert(member.to_owned());
        }
        if d.members.len() >= limit && !d.fired {
            d.fired = true;
            return Some(d.members.len() as u64);
        }
        None
    }

    /// Counts one occurrence on `key`; `Some(n)` when the count reaches the threshold.
    pub(crate) fn count(&self, key: &str, t: &Threshold) -> Option<u64> {
        let now = self.clock.now();
        let max = self.max_tracked;
        let mut s = self.state.lock();
        if !s.counts.contains_key(key) {
            room(&mut s.counts, max, |c| c.until > now);
        }
        let c = s
            .counts
            .entry(key.to_owned())
            .or_insert(Count { until: now, n: 0 });
        if c.until <= now {
            *c = Count {
                until: add(now, t.window()),
                n: 0,
            };
        }
        c.n += 1;
        (c.n == u64::from(t.count())).then_some(c.n)
    }
}
