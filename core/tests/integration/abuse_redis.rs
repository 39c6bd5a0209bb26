//! Abuse detection on a real Redis (TOKENWARD_TEST_REDIS_URL, started by scripts/servers.sh):
//! failures counted on one instance lock the address out on another, and an unreachable
//! Redis falls back to local counting (with a `gateway.abuse_fallback` event) or fails closed.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;
use tokenward::apikey::{ApiKeys, ApiKeysOptions, NewKey};
use tokenward::audit::{subscribe, AuditEvent, AuditSink};
use tokenward::gateway::{
    AbuseDetection, Authenticator, AuthenticatorOptions, Lockout, Request, Threshold,
};

/// The server's URL; `None` (the test skips) outside CI, a failure under CI.
fn redis_url() -> Option<String> {
    match std::env::var("TOKENWARD_TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("TOKENWARD_TEST_REDIS_URL is not set: run the tests through scripts/servers.sh")
        }
        _ => {
            eprintln!("skipped: TOKENWARD_TEST_REDIS_URL is not set (scripts/servers.sh)");
            None
        }
    }
}

/// An address no earlier run used (counters outlive a run in the shared Redis).
fn fresh_ip() -> IpAddr {
    let n = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        ^ (u64::from(std::process::id()) << 32);
    // Addresses are counted per /64: vary the network part.
    IpAddr::V6(std::net::Ipv6Addr::new(
        0x2001,
        0xdb8,
        (n >> 32) as u16,
        (n >> 16) as u16,
        n as u16,
        0,
        0,
        1,
    ))
}

#[derive(Default)]
struct Recorder(Mutex<Vec<(String, String)>>);

impl AuditSink for Recorder {
    fn record(&self, e: &AuditEvent) {
        if let Some(id) = &e.request_id {
            self.0.lock().push((id.clone(), e.action.to_owned()));
        }
    }
}

fn auth(keys: &Arc<ApiKeys>, store: &str, fail_open: bool) -> Authenticator {
    let lockout = Lockout::new(
        Threshold::new(3, Duration::from_secs(60)).unwrap(),
        Duration::from_secs(30),
    )
    .unwrap();
    Authenticator::new(
        AuthenticatorOptions::new()
            .with_api_keys(keys.clone())
            .with_failure_rate_limit(None)
            .with_request_id_header("x-request-id")
            .with_backend_timeout(Duration::from_millis(300))
            .with_abuse_detection(
                AbuseDetection::new()
                    .with_lockout(Some(lockout))
                    .with_store(store)
                    .with_store_fail_open(fail_open),
            ),
    )
    .unwrap()
}

fn call(a: &Authenticator, credential: &str, ip: IpAddr, rid: &str) -> (u16, String, u64) {
    let headers = [("x-api-key", credential), ("x-request-id", rid)];
    match a.authenticate(&Request {
        headers: &headers,
        client_ip: Some(ip),
        ..Request::default()
    }) {
        Ok(_) => (200, String::new(), 0),
        Err(r) => (
            r.status,
            r.code_str().to_owned(),
            r.retry_after.map_or(0, |d| d.as_secs()),
        ),
    }
}

#[test]
fn a_lockout_counted_on_one_instance_holds_on_another() {
    let Some(url) = redis_url() else { return };
    let keys = Arc::new(ApiKeys::new("tw_ab", ApiKeysOptions::default()).unwrap());
    let good = keys.create(NewKey::new("acct")).unwrap();
    let (a, b) = (auth(&keys, &url, false), auth(&keys, &url, false));
    let ip = fresh_ip();
    let rec = Arc::new(Recorder::default());
    let _sub = subscribe(rec.clone());
    for i in 0..2 {
        assert_eq!(call(&a, &format!("bad-{i}-{ip}"), ip, "redis-a").0, 401);
    }
    assert_eq!(call(&b, &format!("bad-b-{ip}"), ip, "redis-b").0, 401);
    // The third failure (on b) locked the address on both instances.
    let (status, code, retry) = call(&a, good.secret.expose(), ip, "redis-a");
    assert_eq!((status, code.as_str()), (429, "rate_limited"));
    assert!((29..=30).contains(&retry), "{retry}");
    assert_eq!(call(&b, good.secret.expose(), fresh_ip(), "redis-b").0, 200);
    let lockouts = rec
        .0
        .lock()
        .iter()
        .filter(|(id, action)| id.starts_with("redis-") && action == "abuse.lockout")
        .count();
    assert_eq!(lockouts, 1);
}

#[test]
fn an_unreachable_store_falls_back_or_fails_closed() {
    // Port 1: nothing listens there, the connection is refused at once.
    let down = "redis://127.0.0.1:1";
    let keys = Arc::new(ApiKeys::new("tw_ab", ApiKeysOptions::default()).unwrap());
    let good = keys.create(NewKey::new("acct")).unwrap();
    let rec = Arc::new(Recorder::default());
    let _sub = subscribe(rec.clone());

    let closed = auth(&keys, down, false);
    let (status, code, _) = call(&closed, good.secret.expose(), fresh_ip(), "down-closed");
    assert_eq!(status, 503);
    assert!(["network", "timeout"].contains(&code.as_str()), "{code}");

    let open = auth(&keys, down, true);
    let ip = fresh_ip();
    for i in 0..3 {
        assert_eq!(call(&open, &format!("bad-{i}"), ip, "down-open").0, 401);
    }
    // Counted in this process instead: the address is locked out.
    assert_eq!(call(&open, good.secret.expose(), ip, "down-open").0, 429);
    let seen = rec.0.lock().clone();
    let count = |action: &str| {
        seen.iter()
            .filter(|(id, a)| id == "down-open" && a == action)
            .count()
    };
    assert!(count("gateway.abuse_fallback") >= 4);
    assert_eq!(count("abuse.lockout"), 1);
}
