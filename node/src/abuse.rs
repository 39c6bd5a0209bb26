//! `Threshold`, `Lockout`, `AbuseDetection` (abuse detection of the gateway) and `AuditLog`
//! (audit events as ECS JSON lines) for JS. Conversions only: the logic is in
//! `tokenward::gateway::abuse` and `tokenward::audit`.

use std::sync::{Arc, Mutex, PoisonError};

use crate::napi;
use crate::napi::bindgen_prelude::{ClassInstance, FromNapiValue, Object, Unknown};
use crate::napi::ValueType;
use napi_derive::napi;
use tokenward::audit::{self, Subscription};
use tokenward::gateway::abuse as core;
use tokenward::{Error, ErrorCode};

use crate::error::{to_js, Code, IntoJsResult};

fn seconds(value: f64, what: &'static str) -> napi::Result<std::time::Duration, Code> {
    tokenward::clock::duration_from_secs_f64(value, what).js()
}

fn bad(name: &str, reason: &str) -> napi::Error<Code> {
    to_js(Error::new(
        ErrorCode::InvalidInput,
        format!("option {name}: {reason}"),
    ))
}

/// `count` occurrences within `windowSeconds`; a count of 0 or an empty window throws
/// `invalid_input`.
#[napi]
pub struct Threshold(pub(crate) core::Threshold);

#[napi]
impl Threshold {
    #[napi(constructor, catch_unwind)]
    pub fn new(count: u32, window_seconds: f64) -> napi::Result<Self, Code> {
        let window = seconds(window_seconds, "windowSeconds")?;
        Ok(Threshold(core::Threshold::new(count, window).js()?))
    }

    /// The number of occurrences.
    #[napi(getter, catch_unwind)]
    pub fn count(&self) -> u32 {
        self.0.count()
    }

    /// The window, in seconds.
    #[napi(getter, catch_unwind)]
    pub fn window(&self) -> f64 {
        self.0.window().as_secs_f64()
    }
}

/// Lock an address or a credential out for `durationSeconds` after `failures` refused
/// credentials; an empty duration throws `invalid_input`.
#[napi]
pub struct Lockout(pub(crate) core::Lockout);

#[napi]
impl Lockout {
    #[napi(constructor, catch_unwind)]
    pub fn new(failures: &Threshold, duration_seconds: f64) -> napi::Result<Self, Code> {
        let duration = seconds(duration_seconds, "durationSeconds")?;
        Ok(Lockout(core::Lockout::new(failures.0, duration).js()?))
    }

    /// The failures that trigger the lockout.
    #[napi(getter, catch_unwind)]
    pub fn failures(&self) -> Threshold {
        Threshold(self.0.failures())
    }

    /// How long the lockout lasts, in seconds.
    #[napi(getter, catch_unwind)]
    pub fn duration(&self) -> f64 {
        self.0.duration().as_secs_f64()
    }
}

/// `Some(None)` for null (off), `None` for absent or undefined (the default), else the value.
fn tri<T: FromNapiValue>(obj: &Object<'_>, name: &str) -> napi::Result<Option<Option<T>>, Code> {
    let v: Option<Unknown<'_>> = obj.get(name).map_err(|e| bad(name, &e.reason))?;
    let Some(v) = v else { return Ok(None) };
    match v.get_type().map_err(|e| bad(name, &e.reason))? {
        ValueType::Undefined => Ok(None),
        ValueType::Null => Ok(Some(None)),
        _ => obj
            .get::<T>(name)
            .map(|t| t.map(Some))
            .map_err(|e| bad(name, &e.reason)),
    }
}

/// Abuse detection for `new Authenticator({ abuseDetection })` (docs/abuse.md): every signal
/// on at its default unless given; `null` turns a signal (or the lockout) off.
#[napi]
#[derive(Clone)]
pub struct AbuseDetection(pub(crate) core::AbuseDetection);

#[napi]
impl AbuseDetection {
    #[napi(
        constructor,
        ts_args_type = "options?: AbuseDetectionOptions",
        catch_unwind
    )]
    pub fn new(options: Option<Object<'_>>) -> napi::Result<Self, Code> {
        let mut a = core::AbuseDetection::new();
        let Some(o) = options else {
            return Ok(AbuseDetection(a));
        };
        if let Some(l) = tri::<ClassInstance<'_, Lockout>>(&o, "lockout")? {
            a = a.with_lockout(l.map(|l| l.0));
        }
        let t = |name: &str| -> napi::Result<Option<Option<core::Threshold>>, Code> {
            Ok(tri::<ClassInstance<'_, Threshold>>(&o, name)?.map(|t| t.map(|t| t.0)))
        };
        if let Some(v) = t("enumeration")? {
            a = a.with_enumeration(v);
        }
        if let Some(v) = t("distributedFailures")? {
            a = a.with_distributed_failures(v);
        }
        if let Some(v) = t("keySpread")? {
            a = a.with_key_spread(v);
        }
        if let Some(v) = t("scopeEscalation")? {
            a = a.with_scope_escalation(v);
        }
        if let Some(Some(s)) = tri::<String>(&o, "store")? {
            a = a.with_store(s);
        }
        if let Some(Some(f)) = tri::<bool>(&o, "storeFailOpen")? {
            a = a.with_store_fail_open(f);
        }
        Ok(AbuseDetection(a))
    }
}

/// Writes every audit event as one line of ECS JSON (docs/audit.md) to `stdout`, `stderr` or
/// `file:///absolute/path` (created with mode 0600) until `cancel()`; it stays registered
/// until then, even when this object is garbage-collected.
#[napi]
pub struct AuditLog {
    log: Arc<audit::AuditLog>,
    sub: Mutex<Option<Subscription>>,
}

#[napi]
impl AuditLog {
    /// Opens `target` and registers it for every audit event.
    #[napi(factory, catch_unwind)]
    pub fn open(target: String) -> napi::Result<Self, Code> {
        let log = Arc::new(audit::AuditLog::open(&target).js()?);
        let sub = audit::subscribe(log.clone());
        Ok(AuditLog {
            log,
            sub: Mutex::new(Some(sub)),
        })
    }

    /// Stops writing events (cancelling twice does nothing).
    #[napi(catch_unwind)]
    pub fn cancel(&self) {
        let sub = self
            .sub
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        drop(sub);
    }

    /// Lines written so far.
    #[napi(catch_unwind)]
    pub fn written(&self) -> f64 {
        self.log.written() as f64
    }

    /// Events that could not be written.
    #[napi(catch_unwind)]
    pub fn failed(&self) -> f64 {
        self.log.failed() as f64
    }
}

impl Drop for AuditLog {
    fn drop(&mut self) {
        let sub = self
            .sub
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(sub) = sub {
            sub.keep();
        }
    }
}
