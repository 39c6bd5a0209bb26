//! [`Detector`]: abuse detection as the gateway runs it — lockout checks before validation,
//! failure accounting after a refused credential, and the signals, each counted in this
//! process or in Redis (falling back to this process, or failing closed, when Redis cannot
//! answer).

use std::time::Duration;

use super::config::AbuseDetection;
use super::memory::MemoryCounters;
use crate::audit::Severity;
use crate::clock::SharedClock;
use crate::{Error, ErrorCode, Result};

#[cfg(feature = "redis")]
use super::redis::RedisCounters as SharedCounters;

/// Without `redis` there is no shared store: a type without values, so the shared branch of
/// [`Detector::on_store`] type-checks and never runs.
#[cfg(not(feature = "redis"))]
pub(crate) enum SharedCounters {}

#[cfg(not(feature = "redis"))]
impl SharedCounters {
    fn locked(&self, _: &[String]) -> Result<Option<Duration>> {
        match *self {}
    }
    fn fail(&self, _: &[String], _: &super::config::Lockout) -> Result<Vec<(usize, u64)>> {
        match *self {}
    }
    fn distinct(&self, _: &str, _: &str, _: &super::config::Threshold) -> Result<Option<u64>> {
        match *self {}
    }
    fn count(&self, _: &str, _: &super::config::Threshold) -> Result<Option<u64>> {
        match *self {}
    }
}

/// An abuse signal (or a store fallback) to emit as an audit event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Signal {
    pub(crate) action: &'static str,
    pub(crate) severity: Severity,
    pub(crate) code: Option<ErrorCode>,
    pub(crate) count: Option<u64>,
    /// The public id of the credential concerned (API key id or fingerprint).
    pub(crate) credential: Option<String>,
    /// The subject or key id concerned.
    pub(crate) subject: Option<String>,
}

impl Signal {
    fn new(action: &'static str, severity: Severity, count: u64) -> Signal {
        Signal {
            action,
            severity,
            code: None,
            count: Some(count),
            credential: None,
            subject: None,
        }
    }
}

/// What a failing request is counted under.
pub(crate) struct Failure<'a> {
    /// `ip:<address bucket>`.
    pub(crate) ip: Option<&'a str>,
    /// The credential's public id (API key id) or fingerprint.
    pub(crate) credential: Option<&'a str>,
    /// The fingerprint of the whole credential (distinct credentials per address).
    pub(crate) fingerprint: Option<&'a str>,
}

/// Abuse detection of one authenticator.
#[derive(Debug)]
pub(crate) struct Detector {
    config: AbuseDetection,
    memory: MemoryCounters,
    #[cfg(feature = "redis")]
    redis: Option<super::redis::RedisCounters>,
}

impl Detector {
    /// Whether the counters are on Redis.
    pub(crate) fn is_shared(&self) -> bool {
        #[cfg(feature = "redis")]
        return self.redis.is_some();
        #[cfg(not(feature = "redis"))]
        false
    }

    /// `invalid_input` for a store other than `memory` or (feature `redis`) `redis://…`.
    pub(crate) fn new(
        config: AbuseDetection,
        clock: SharedClock,
        max_tracked: usize,
        backend_timeout: Duration,
    ) -> Result<Detector> {
        let store = config.store.trim();
        let memory_store = matches!(store, "" | "memory" | "memory://");
        #[cfg(feature = "redis")]
        let redis = if memory_store {
            None
        } else if crate::backend::redis::is_redis_url(store) {
            Some(super::redis::RedisCounters::new(
                crate::backend::redis::RedisConn::open(store, backend_timeout)?,
            ))
        } else {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "unsupported abuse-detection store: use \"memory\" or redis://…",
            ));
        };
        #[cfg(not(feature = "redis"))]
        {
            let _ = backend_timeout;
            if !memory_store {
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    "unsupported abuse-detection store: use \"memory\" or redis://… (feature `redis`)",
                ));
            }
        }
        Ok(Detector {
            config,
            memory: MemoryCounters::new(clock, max_tracked),
            #[cfg(feature = "redis")]
            redis,
        })
    }

    /// Runs `shared` on Redis when configured, else (or when Redis fails and the store fails
    /// open, with a `gateway.abuse_fallback` signal) `local`; a failure when it fails closed.
    fn on_store<T>(
        &self,
        signals: &mut Vec<Signal>,
        shared: impl FnOnce(&SharedCounters) -> Result<T>,
        local: impl FnOnce(&MemoryCounters) -> T,
    ) -> Result<T> {
        #[cfg(feature = "redis")]
        if let Some(r) = &self.redis {
            match shared(r) {
                Ok(v) => return Ok(v),
                Err(e) if !self.config.store_fail_open => return Err(e),
                Err(e) => signals.push(Signal {
                    action: "gateway.abuse_fallback",
                    severity: Severity::Medium,
                    code: Some(e.code()),
                    count: None,
                    credential: None,
                    subject: None,
                }),
            }
        }
        #[cfg(not(feature = "redis"))]
        let _ = (shared, signals);
        Ok(local(&self.memory))
    }

    /// The remaining lockout of the address or the credential, if either is locked out.
    pub(crate) fn locked(
        &self,
        keys: &[String],
        signals: &mut Vec<Signal>,
    ) -> Result<Option<Duration>> {
        if self.config.lockout.is_none() || keys.is_empty() {
            return Ok(None);
        }
        self.on_store(signals, |r| r.locked(keys), |m| m.locked(keys))
    }

    /// Counts a refused credential: toward the lockout of its address and of the credential,
    /// and the enumeration and distributed-failure signals.
    pub(crate) fn failure(&self, f: &Failure<'_>, signals: &mut Vec<Signal>) -> Result<()> {
        if let Some(lockout) = &self.config.lockout {
            let mut keys = Vec::with_capacity(2);
            keys.extend(f.ip.map(|ip| format!("ip:{ip}")));
            keys.extend(f.credential.map(|c| format!("cred:{c}")));
            if !keys.is_empty() {
                let locked = self.on_store(
                    signals,
                    |r| r.fail(&keys, lockout),
                    |m| m.fail(&keys, lockout),
                )?;
                for (i, n) in locked {
                    let mut s = Signal::new("abuse.lockout", Severity::High, n);
                    s.code = Some(ErrorCode::RateLimited);
                    if keys.get(i).is_some_and(|k| k.starts_with("cred:")) {
                        s.credential = f.credential.map(str::to_owned);
                    }
                    signals.push(s);
                }
            }
        }
        if let (Some(t), Some(ip), Some(fp)) = (&self.config.enumeration, f.ip, f.fingerprint) {
            let key = format!("enum:{ip}");
            if let Some(n) = self.on_store(
                signals,
                |r| r.distinct(&key, fp, t),
                |m| m.distinct(&key, fp, t),
            )? {
                signals.push(Signal::new("abuse.enumeration", Severity::High, n));
            }
        }
        if let (Some(t), Some(ip), Some(c)) =
            (&self.config.distributed_failures, f.ip, f.credential)
        {
            let key = format!("dist:{c}");
            if let Some(n) = self.on_store(
                signals,
                |r| r.distinct(&key, ip, t),
                |m| m.distinct(&key, ip, t),
            )? {
                let mut s = Signal::new("abuse.distributed_failures", Severity::High, n);
                s.credential = Some(c.to_owned());
                signals.push(s);
            }
        }
        Ok(())
    }

    /// Records a success of `principal` (key id or subject) from `ip`: the key-spread signal.
    pub(crate) fn success(
        &self,
        principal: &str,
        ip: Option<&str>,
        signals: &mut Vec<Signal>,
    ) -> Result<()> {
        if let (Some(t), Some(ip)) = (&self.config.key_spread, ip) {
            let key = format!("spread:{principal}");
            if let Some(n) = self.on_store(
                signals,
                |r| r.distinct(&key, ip, t),
                |m| m.distinct(&key, ip, t),
            )? {
                let mut s = Signal::new("abuse.key_spread", Severity::Medium, n);
                s.subject = Some(principal.to_owned());
                signals.push(s);
            }
        }
        Ok(())
    }

    /// Records an `insufficient_scope` refusal of `principal`: the scope-escalation signal.
    pub(crate) fn insufficient_scope(
        &self,
        principal: &str,
        signals: &mut Vec<Signal>,
    ) -> Result<()> {
        if let Some(t) = &self.config.scope_escalation {
            let key = format!("scope:{principal}");
            if let Some(n) = self.on_store(signals, |r| r.count(&key, t), |m| m.count(&key, t))? {
                let mut s = Signal::new("abuse.scope_escalation", Severity::Medium, n);
                s.code = Some(ErrorCode::InsufficientScope);
                s.subject = Some(principal.to_owned());
                signals.push(s);
            }
        }
        Ok(())
    }
}
