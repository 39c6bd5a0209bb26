//! Lifecycle tests of [`Sessions`] with a [`ManualClock`], on every store.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;

use super::*;
use crate::audit::{add_sink, AuditEvent, AuditSink};
use crate::clock::{Clock, ManualClock};
use crate::Secret;

pub(super) const T0: u64 = 1_700_000_000;

pub(super) fn code<T>(r: crate::Result<T>) -> &'static str {
    r.err().map_or("ok", |e| e.code().as_str())
}

pub(super) fn options(clock: &Arc<ManualClock>) -> SessionsOptions {
    SessionsOptions::new()
        .with_clock(clock.clone())
        .with_idle_timeout(Duration::from_secs(600))
        .with_absolute_timeout(Duration::from_secs(3600))
}

fn data(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The whole lifecycle on `store`.
pub(super) fn lifecycle(store: Arc<dyn SessionStore>) {
    let clock = ManualClock::at_unix(T0);
    let s = Sessions::new(options(&clock).with_store(store)).unwrap();
    let a = s.create("alice", data(&[("scope", "read")])).unwrap();
    let id = a.id.expose().to_owned();
    assert!(id.starts_with("tws_"));
    assert_eq!(a.record.subject, "alice");
    assert_eq!(a.record.expires_at, T0 as i64 + 3600);
    assert_eq!(a.record.idle_expires_at, T0 as i64 + 600);
    // Idle timeout slides with use, the absolute one does not.
    for _ in 0..5 {
        clock.advance(Duration::from_secs(599));
        let r = s.verify(&id).unwrap();
        assert_eq!(r.data["scope"], "read");
    }
    clock.advance(Duration::from_secs(600));
    assert_eq!(code(s.verify(&id)), "expired");
    let b = s.create("bob", BTreeMap::new()).unwrap();
    clock.advance(Duration::from_secs(599));
    s.verify(b.id.expose()).unwrap();
    clock.advance(Duration::from_secs(599));
    s.verify(b.id.expose()).unwrap();
    // Rotation: the old id is revoked, the new one keeps the absolute deadline.
    let b2 = s.rotate(b.id.expose(), None, None).unwrap();
    assert_ne!(b2.id.expose(), b.id.expose());
    assert_eq!(b2.record.expires_at, b.record.expires_at);
    assert_eq!(code(s.verify(b.id.expose())), "revoked");
    assert_eq!(code(s.rotate(b.id.expose(), None, None)), "revoked");
    // A new subject (login) starts a new absolute window and may replace the data.
    let b3 = s
        .rotate(
            b2.id.expose(),
            Some("carol"),
            Some(data(&[("role", "admin")])),
        )
        .unwrap();
    assert_eq!(b3.record.subject, "carol");
    assert_eq!(b3.record.created_at, clock.unix_seconds());
    assert_eq!(
        s.verify(b3.id.expose()).unwrap().data,
        data(&[("role", "admin")])
    );
    // Absolute timeout.
    let c = s.create("carol", BTreeMap::new()).unwrap();
    for _ in 0..6 {
        clock.advance(Duration::from_secs(590));
        s.verify(c.id.expose()).unwrap();
    }
    clock.advance(Duration::from_secs(60));
    assert_eq!(code(s.verify(c.id.expose())), "expired");
    // Revoke one, revoke all of a subject.
    let d1 = s.create("dave", BTreeMap::new()).unwrap();
    let d2 = s.create("dave", BTreeMap::new()).unwrap();
    let e = s.create("erin", BTreeMap::new()).unwrap();
    assert!(s.revoke(d1.id.expose()).unwrap());
    assert_eq!(code(s.verify(d1.id.expose())), "revoked");
    assert_eq!(s.revoke_subject("dave").unwrap(), 1);
    assert_eq!(code(s.verify(d2.id.expose())), "revoked");
    s.verify(e.id.expose()).unwrap();
    // Unknown and malformed ids.
    let unknown = format!("tws_{}", "A".repeat(43));
    assert_eq!(code(s.verify(&unknown)), "unknown_key");
    assert!(!s.revoke(&unknown).unwrap());
    assert_eq!(code(s.verify("tws_short")), "malformed");
    assert_eq!(code(s.create("", BTreeMap::new())), "invalid_input");
    // Purge keeps only live sessions.
    let purged = s.purge().unwrap();
    assert!(purged >= 5, "{purged}");
    assert_eq!(code(s.verify(d1.id.expose())), "unknown_key");
    s.verify(e.id.expose()).unwrap();
}

#[test]
fn lifecycle_in_memory() {
    lifecycle(Arc::new(MemorySessionStore::new()));
}

#[cfg(feature = "sqlite")]
#[test]
fn lifecycle_in_sqlite_shared_with_api_keys() {
    let dir = std::env::temp_dir().join(format!("tw-sessions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("app.db");
    // The API keys' database holds the session table too.
    let keys = crate::apikey::SqliteStore::open(&path).unwrap();
    drop(keys);
    lifecycle(Arc::new(SqliteSessionStore::open(&path).unwrap()));
    // Persistent: a second handle sees what the first wrote.
    let clock = ManualClock::at_unix(T0);
    let s = Sessions::new(options(&clock).with_store_spec(format!("sqlite://{}", path.display())))
        .unwrap();
    let a = s.create("x", data(&[("k", "v")])).unwrap();
    let again = Sessions::new(options(&clock).with_store_spec(path.display().to_string())).unwrap();
    assert_eq!(
        again.verify(a.id.expose()).unwrap().data,
        data(&[("k", "v")])
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn csrf_tokens_are_bound_to_the_session() {
    let clock = ManualClock::at_unix(T0);
    let secret = Secret::new("0123456789abcdef0123456789abcdef").unwrap();
    let s = Sessions::new(options(&clock).with_csrf_secret(secret.clone())).unwrap();
    let a = s.create("alice", BTreeMap::new()).unwrap();
    let b = s.create("bob", BTreeMap::new()).unwrap();
    let ta = s.csrf_token(a.id.expose()).unwrap();
    assert_eq!(ta.len(), 43);
    s.verify_csrf(a.id.expose(), &ta).unwrap();
    assert_eq!(
        code(s.verify_csrf(b.id.expose(), &ta)),
        "invalid_csrf_token"
    );
    assert_eq!(code(s.verify_csrf(a.id.expose(), "")), "invalid_csrf_token");
    assert_eq!(
        code(s.verify_csrf(a.id.expose(), &ta[1..])),
        "invalid_csrf_token"
    );
    // Another process with the same secret agrees; another secret does not.
    let same = Sessions::new(options(&clock).with_csrf_secret(secret)).unwrap();
    same.verify_csrf(a.id.expose(), &ta).unwrap();
    let other = Sessions::new(options(&clock)).unwrap();
    assert_eq!(
        code(other.verify_csrf(a.id.expose(), &ta)),
        "invalid_csrf_token"
    );
    // Rotation renews it.
    let a2 = s.rotate(a.id.expose(), None, None).unwrap();
    assert_ne!(s.csrf_token(a2.id.expose()).unwrap(), ta);
    let short = Secret::new("too short").unwrap();
    assert_eq!(
        code(Sessions::new(options(&clock).with_csrf_secret(short))),
        "invalid_input"
    );
}

#[test]
fn options_are_checked() {
    let clock = ManualClock::at_unix(T0);
    let bad = [
        options(&clock).with_idle_timeout(Duration::from_secs(7200)),
        options(&clock).with_idle_timeout(Duration::ZERO),
        options(&clock).with_absolute_timeout(Duration::from_secs(u64::MAX / 4)),
        options(&clock).with_cookie(SessionCookie::new().with_domain(Some("a.example".into()))),
        options(&clock).with_store_spec("ftp://localhost"),
        options(&clock)
            .with_store_spec("memory")
            .with_store(Arc::new(MemorySessionStore::new())),
    ];
    for o in bad {
        assert_eq!(code(Sessions::new(o)), "invalid_input");
    }
    let s = Sessions::new(options(&clock)).unwrap();
    let a = s.create("alice", BTreeMap::new()).unwrap();
    assert_eq!(
        s.set_cookie(a.id.expose()).unwrap(),
        format!(
            "__Host-tw_session={}; Path=/; Secure; HttpOnly; SameSite=Lax",
            a.id.expose()
        )
    );
    assert_eq!(code(s.set_cookie("tws_x; Domain=evil")), "malformed");
    assert!(s.clear_cookie().contains("Max-Age=0"));
}

#[derive(Default)]
struct Capture(Mutex<Vec<String>>);

impl AuditSink for Capture {
    fn record(&self, event: &AuditEvent) {
        self.0.lock().push(format!("{event:?}"));
    }
}

#[test]
fn the_id_and_csrf_secret_are_never_printed() {
    let capture = Arc::new(Capture::default());
    add_sink(capture.clone());
    let clock = ManualClock::at_unix(T0);
    let csrf = "0123456789abcdef0123456789abcdef-csrf";
    let s = Sessions::new(options(&clock).with_csrf_secret(Secret::new(csrf).unwrap())).unwrap();
    let a = s.create("alice", BTreeMap::new()).unwrap();
    let id = a.id.expose().to_owned();
    let body = &id[4..];
    let token = s.csrf_token(&id).unwrap();
    let rotated = s.rotate(&id, None, None).unwrap();
    s.revoke(rotated.id.expose()).unwrap();
    let mut printed = vec![
        format!("{a:?}"),
        format!("{:?}", a.record),
        format!("{s:?}"),
        format!(
            "{:?}",
            SessionsOptions::new().with_csrf_secret(Secret::new(csrf).unwrap())
        ),
        format!("{rotated:?}"),
    ];
    for e in [
        s.verify(&id).unwrap_err(),
        s.verify(&format!("{id}x")).unwrap_err(),
        s.verify_csrf(rotated.id.expose(), &token).unwrap_err(),
    ] {
        printed.push(format!("{e:?} {e}"));
    }
    printed.extend(capture.0.lock().iter().cloned());
    assert!(printed.len() >= 10);
    for p in &printed {
        assert!(!p.contains(body), "{p}");
        assert!(!p.contains(&rotated.id.expose()[4..]), "{p}");
        assert!(!p.contains(csrf), "{p}");
        assert!(!p.contains(&token), "{p}");
    }
}
