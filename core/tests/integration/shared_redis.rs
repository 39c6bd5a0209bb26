//! Rate limits and revocations on a real Redis (TOKENWARD_TEST_REDIS_URL, started by
//! scripts/servers.sh; the failure tests start a redis-server of their own to kill it).

use std::net::IpAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;
use tokenward::apikey::{ApiKeys, ApiKeysOptions, NewKey};
use tokenward::audit::{subscribe, AuditEvent, AuditSink};
use tokenward::gateway::{
    open_revocations, Authenticator, AuthenticatorOptions, RateLimit, RedisRevocationList, Request,
    RevocationKind, RevocationStore,
};
use tokenward::session::{Sessions, SessionsOptions};
use tokenward::{ErrorCode, Secret};

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

/// A value no earlier run used (bucket keys outlive a test run in the shared Redis).
fn unique() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    nanos ^ (u64::from(std::process::id()) << 40)
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn keys() -> Arc<ApiKeys> {
    Arc::new(ApiKeys::new("tw_rd", ApiKeysOptions::default()).unwrap())
}

fn call(auth: &Authenticator, key: &Secret, ip: Option<IpAddr>) -> Result<u64, (ErrorCode, u16)> {
    let headers = [("x-api-key", key.expose())];
    let req = Request {
        headers: &headers,
        client_ip: ip,
        ..Request::default()
    };
    auth.authenticate(&req)
        .map(|p| p.rate_limit_remaining.unwrap_or(u64::MAX))
        .map_err(|r| (r.code, r.status))
}

fn shared(keys: &Arc<ApiKeys>, url: &str) -> AuthenticatorOptions {
    AuthenticatorOptions::new()
        .with_api_keys(keys.clone())
        .with_rate_limit_store(url)
}

#[test]
fn a_burst_spread_over_instances_and_threads_admits_exactly_the_burst() {
    let Some(url) = redis_url() else { return };
    let keys = keys();
    let key = keys.create(NewKey::new("alice")).unwrap().secret;
    let limit = RateLimit::per_minute(1, 50);
    // Two instances: two authenticators, two Redis connections.
    let instances: Vec<Arc<Authenticator>> = (0..2)
        .map(|_| Arc::new(Authenticator::new(shared(&keys, &url).with_rate_limit(limit)).unwrap()))
        .collect();
    let threads: Vec<_> = (0..16)
        .map(|t| {
            let (auth, key) = (instances[t % 2].clone(), key.clone());
            std::thread::spawn(move || (0..20).filter(|_| call(&auth, &key, None).is_ok()).count())
        })
        .collect();
    let admitted: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(admitted, 50);
    let (code, status) = call(&instances[0], &key, None).unwrap_err();
    assert_eq!((code, status), (ErrorCode::RateLimited, 429));
}

#[test]
fn async_callers_on_both_runtime_flavours_share_the_count() {
    let Some(url) = redis_url() else { return };
    let keys = keys();
    let key = keys.create(NewKey::new("bob")).unwrap().secret;
    let limit = RateLimit::per_minute(1, 30);
    let auth = Arc::new(Authenticator::new(shared(&keys, &url).with_rate_limit(limit)).unwrap());
    let multi = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    let admitted: usize = multi.block_on(async {
        let tasks: Vec<_> = (0..40)
            .map(|_| {
                let (auth, key) = (auth.clone(), key.clone());
                tokio::spawn(async move {
                    let headers = [("x-api-key", key.expose())];
                    let req = Request {
                        headers: &headers,
                        ..Request::default()
                    };
                    auth.authenticate_async(&req).await.is_ok()
                })
            })
            .collect();
        let mut n = 0;
        for t in tasks {
            n += usize::from(t.await.unwrap());
        }
        n
    });
    let single = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let more = single.block_on(async {
        let headers = [("x-api-key", key.expose())];
        let req = Request {
            headers: &headers,
            ..Request::default()
        };
        auth.authenticate_async(&req).await
    });
    assert_eq!(admitted, 30);
    assert_eq!(more.unwrap_err().code, ErrorCode::RateLimited);
}

#[test]
fn addresses_count_per_64_and_plans_and_overrides_apply() {
    let Some(url) = redis_url() else { return };
    let keys = keys();
    let u = unique();
    let net = format!("2001:db8:{:x}:{:x}", (u >> 16) & 0xffff, u & 0xffff);
    let ip = |host: &str| -> Option<IpAddr> { format!("{net}::{host}").parse().ok() };
    let a = Authenticator::new(shared(&keys, &url).with_ip_rate_limit(RateLimit::per_minute(1, 3)))
        .unwrap();
    let b = Authenticator::new(shared(&keys, &url).with_ip_rate_limit(RateLimit::per_minute(1, 3)))
        .unwrap();
    let k1 = keys.create(NewKey::new("c1")).unwrap().secret;
    let k2 = keys.create(NewKey::new("c2")).unwrap().secret;
    assert_eq!(call(&a, &k1, ip("1")), Ok(2));
    assert_eq!(call(&b, &k2, ip("2")), Ok(1));
    assert_eq!(call(&a, &k2, ip("3")), Ok(0));
    assert_eq!(
        call(&b, &k1, ip("4")).unwrap_err().0,
        ErrorCode::RateLimited
    );

    let gold = keys
        .create(NewKey::new("g").metadata("plan", "gold"))
        .unwrap();
    let special = keys.create(NewKey::new("s")).unwrap();
    let plain = keys.create(NewKey::new("p")).unwrap();
    let auth = Authenticator::new(
        shared(&keys, &url)
            .with_rate_limit(RateLimit::per_minute(1, 1))
            .with_plan("gold", RateLimit::per_minute(1, 4))
            .with_rate_limit_override(special.record.id.clone(), RateLimit::per_minute(1, 2)),
    )
    .unwrap();
    let count = |k: &Secret| (0..6).filter(|_| call(&auth, k, None).is_ok()).count();
    assert_eq!(count(&gold.secret), 4);
    assert_eq!(count(&special.secret), 2);
    assert_eq!(count(&plain.secret), 1);
}

#[test]
fn revocations_are_shared_and_expire_with_the_credential() {
    let Some(url) = redis_url() else { return };
    let keys = keys();
    let issued = keys
        .create(NewKey::new(format!("dora{}", unique())))
        .unwrap();
    let here = open_revocations(Some(&url), false).unwrap();
    let there = Arc::new(RedisRevocationList::open(&url).unwrap());
    let auth = Authenticator::new(
        AuthenticatorOptions::new()
            .with_api_keys(keys.clone())
            .with_revocation_store(there.clone()),
    )
    .unwrap();
    assert!(call(&auth, &issued.secret, None).is_ok());
    let until = now() + 600;
    here.revoke(RevocationKind::KeyId, &issued.record.id, until)
        .unwrap();
    // The other instance refuses from the next request on: the window is one round trip.
    assert_eq!(
        call(&auth, &issued.secret, None).unwrap_err(),
        (ErrorCode::Revoked, 401)
    );
    assert!(there
        .is_revoked(RevocationKind::KeyId, &issued.record.id)
        .unwrap());
    assert!(!there
        .is_revoked(RevocationKind::Jti, &issued.record.id)
        .unwrap());
    // The entry expires when the revocation ends, and an earlier end never shortens it.
    here.revoke(RevocationKind::KeyId, &issued.record.id, until - 300)
        .unwrap();
    let expires = redis_cli(
        &url,
        &[
            "EXPIRETIME",
            &format!("tokenward:rv:key_id:{}", issued.record.id),
        ],
    );
    assert_eq!(expires.trim(), until.to_string());
    assert!(here
        .unrevoke(RevocationKind::KeyId, &issued.record.id)
        .unwrap());
    assert!(call(&auth, &issued.secret, None).is_ok());
    // By subject.
    there
        .revoke(RevocationKind::Subject, &issued.record.owner, now() + 5)
        .unwrap();
    assert_eq!(
        call(&auth, &issued.secret, None).unwrap_err().0,
        ErrorCode::Revoked
    );
    // Refused input, as the in-process list.
    assert_eq!(
        here.revoke(RevocationKind::Jti, "x", now() - 1)
            .unwrap_err()
            .code(),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        open_revocations(Some("mysql://x"), false)
            .unwrap_err()
            .code(),
        ErrorCode::InvalidInput
    );
}

fn redis_cli(url: &str, args: &[&str]) -> String {
    let out = Command::new("redis-cli")
        .arg("-u")
        .arg(url)
        .args(args)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

/// A redis-server of this test's own, on `port`.
/// One authenticator per failure policy on the Redis at `url`, all counting rate limits there:
/// revocations there failing closed, revocations there failing open, no revocation list (the
/// rate-limit fallback), and no revocation list with fail-closed rate limits.
fn policies(keys: &Arc<ApiKeys>, url: &str) -> [Arc<Authenticator>; 4] {
    let limit = RateLimit::per_minute(1, 1000);
    let list = |fail_open| {
        Arc::new(
            RedisRevocationList::open(url)
                .unwrap()
                .with_fail_open(fail_open),
        )
    };
    let make = |options: AuthenticatorOptions| {
        Arc::new(Authenticator::new(options.with_rate_limit(limit)).unwrap())
    };
    [
        make(shared(keys, url).with_revocation_store(list(false))),
        make(shared(keys, url).with_revocation_store(list(true))),
        make(shared(keys, url)),
        make(shared(keys, url).with_rate_limit_store_fail_open(false)),
    ]
}

/// A `redis-server` of this test's own on a free port: its URL, port and process.
fn scratch_redis() -> (String, u16, Child) {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    (
        format!("redis://127.0.0.1:{port}/"),
        port,
        start_redis(port),
    )
}

fn start_redis(port: u16) -> Child {
    let child = Command::new("redis-server")
        .args([
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--port",
        ])
        .arg(port.to_string())
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server (scripts/servers.sh installs it)");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

#[derive(Default)]
struct Events(Mutex<Vec<(&'static str, Option<ErrorCode>)>>);

impl AuditSink for Events {
    fn record(&self, event: &AuditEvent) {
        self.0.lock().push((event.action, event.code));
    }
}

#[test]
fn killing_redis_applies_the_policy_and_service_recovers() {
    if redis_url().is_none() {
        return;
    }
    let (url, port, mut server) = scratch_redis();
    let keys = keys();
    let key = keys.create(NewKey::new("erin")).unwrap();
    let [strict, lenient, _, closed] = policies(&keys, &url);
    for auth in [&strict, &lenient, &closed] {
        assert!(call(auth, &key.secret, None).is_ok());
    }

    server.kill().unwrap();
    server.wait().unwrap();
    let events = Arc::new(Events::default());
    let sub = subscribe(events.clone());
    // Revocation checks fail closed: 503 with the failure's code.
    let (code, status) = call(&strict, &key.secret, None).unwrap_err();
    assert_eq!(status, 503);
    assert!(
        matches!(code, ErrorCode::Network | ErrorCode::Timeout),
        "{code:?}"
    );
    // Opted into fail-open revocations and the default rate-limit fallback: served, counted
    // in this process, and both said in audit events.
    assert!(call(&lenient, &key.secret, None).is_ok());
    let seen = events.0.lock().clone();
    assert!(
        seen.iter()
            .any(|(a, _)| *a == "gateway.revocation_unavailable"),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .any(|(a, _)| *a == "gateway.rate_limit_fallback"),
        "{seen:?}"
    );
    // Fail-closed rate limits: 503.
    assert_eq!(call(&closed, &key.secret, None).unwrap_err().1, 503);
    assert!(RedisRevocationList::open(&url)
        .unwrap()
        .revoke(RevocationKind::Jti, "j", now() + 60)
        .is_err());
    drop(sub);

    // The server comes back on the same port: every instance recovers by itself.
    let mut server = start_redis(port);
    let recovered = |auth: &Authenticator| {
        (0..50).any(|_| {
            let ok = call(auth, &key.secret, None).is_ok();
            if !ok {
                std::thread::sleep(Duration::from_millis(50));
            }
            ok
        })
    };
    assert!(recovered(&strict));
    assert!(recovered(&closed));
    server.kill().unwrap();
    server.wait().unwrap();
}

#[test]
fn slow_or_garbage_servers_are_errors_not_hangs() {
    if redis_url().is_none() {
        return;
    }
    // Accepts and never answers: the deadline.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("redis://{}/", silent.local_addr().unwrap());
    let list = RedisRevocationList::open_with_timeout(&url, Duration::from_millis(200)).unwrap();
    let err = list.is_revoked(RevocationKind::Jti, "j").unwrap_err();
    assert_eq!(err.code(), ErrorCode::Timeout, "{err:?}");
    // Answers something that is not RESP.
    let garbage = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("redis://{}/", garbage.local_addr().unwrap());
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for stream in garbage.incoming().take(8) {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 512];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n\x00\xff garbage");
        }
    });
    let list = RedisRevocationList::open_with_timeout(&url, Duration::from_millis(500)).unwrap();
    let err = list.is_revoked(RevocationKind::Jti, "j").unwrap_err();
    assert!(
        matches!(
            err.code(),
            ErrorCode::InvalidResponse
                | ErrorCode::Network
                | ErrorCode::ServerError
                | ErrorCode::Timeout
        ),
        "{err:?}"
    );
    assert!(!format!("{err:?}").contains("127.0.0.1"));
    // URLs are checked without I/O.
    assert_eq!(
        RedisRevocationList::open("redis://[").unwrap_err().code(),
        ErrorCode::InvalidInput
    );
    let bad = Authenticator::new(
        AuthenticatorOptions::new()
            .with_api_keys(keys())
            .with_rate_limit_store("memcached://x"),
    );
    assert_eq!(bad.unwrap_err().code(), ErrorCode::InvalidInput);
    let dbg = format!(
        "{:?}",
        AuthenticatorOptions::new().with_rate_limit_store("redis://user:hunter2@127.0.0.1/")
    );
    assert!(!dbg.contains("hunter2"), "{dbg}");
}

#[test]
fn async_callers_get_the_same_policy_when_redis_dies_and_recover() {
    if redis_url().is_none() {
        return;
    }
    let (url, port, mut server) = scratch_redis();
    let keys = keys();
    let key = keys.create(NewKey::new("frank")).unwrap();
    // With both on the same Redis, async callers run the joint script on the multiplexed
    // connection; with the rate limits alone there, the rate-limit script.
    let [strict, lenient, limits_only, limits_closed] = policies(&keys, &url);
    // With the revocation list alone there (rate limits counted here), its own lookup.
    let list_alone = |fail_open| {
        let list = RedisRevocationList::open(&url)
            .unwrap()
            .with_fail_open(fail_open);
        let options = AuthenticatorOptions::new()
            .with_api_keys(keys.clone())
            .with_rate_limit(RateLimit::per_minute(1, 1000))
            .with_revocation_store(Arc::new(list));
        Arc::new(Authenticator::new(options).unwrap())
    };
    let (list_closed, list_open) = (list_alone(false), list_alone(true));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let call_async = |auth: &Arc<Authenticator>| {
        runtime.block_on(crate::common::api_key_async(
            auth.clone(),
            key.secret.clone(),
        ))
    };
    assert_eq!(call_async(&strict), Ok(Some(999)));
    assert!(call_async(&lenient).is_ok());
    assert!(call_async(&limits_only).is_ok());
    assert!(call_async(&limits_closed).is_ok());
    assert_eq!(call_async(&list_closed), Ok(Some(999)));
    assert_eq!(call_async(&list_open), Ok(Some(999)));

    server.kill().unwrap();
    server.wait().unwrap();
    let events = Arc::new(Events::default());
    let sub = subscribe(events.clone());
    let (code, status) = call_async(&strict).unwrap_err();
    assert_eq!(status, 503);
    assert!(
        matches!(code, ErrorCode::Network | ErrorCode::Timeout),
        "{code:?}"
    );
    // Fail-open revocations, and the rate limit counted in this process instead.
    assert!(call_async(&lenient).is_ok());
    let seen = events.0.lock().clone();
    for action in [
        "gateway.revocation_unavailable",
        "gateway.rate_limit_fallback",
    ] {
        assert!(seen.iter().any(|(a, _)| *a == action), "{action}: {seen:?}");
    }
    assert!(call_async(&limits_only).is_ok());
    assert_eq!(call_async(&limits_closed).unwrap_err().1, 503);
    let (code, status) = call_async(&list_closed).unwrap_err();
    assert_eq!(status, 503);
    assert!(
        matches!(code, ErrorCode::Network | ErrorCode::Timeout),
        "{code:?}"
    );
    let unavailable = |events: &Events| {
        let seen = events.0.lock();
        seen.iter()
            .filter(|(a, _)| *a == "gateway.revocation_unavailable")
            .count()
    };
    let before = unavailable(&events);
    assert_eq!(call_async(&list_open), Ok(Some(998)));
    assert_eq!(unavailable(&events), before + 1);
    drop(sub);

    let mut server = start_redis(port);
    // Each authenticator's multiplexed connection reconnects on its own schedule: give each
    // one up to 2.5 s, and check the answer it recovers with.
    let recovered = |auth: &Arc<Authenticator>| {
        let mut answer = call_async(auth);
        for _ in 0..50 {
            if answer.is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
            answer = call_async(auth);
        }
        answer
    };
    assert!(recovered(&strict).is_ok());
    assert!(recovered(&limits_closed).is_ok());
    assert_eq!(recovered(&list_closed), Ok(Some(998)));
    server.kill().unwrap();
    server.wait().unwrap();
}

#[test]
fn an_authenticator_says_whether_its_state_is_shared() {
    // Naming a Redis connects to nothing: no server is needed.
    let url = "redis://127.0.0.1:1/";
    let keys = keys();
    let with = |options: AuthenticatorOptions| {
        Authenticator::new(options.with_api_keys(keys.clone()))
            .unwrap()
            .has_shared_stores()
    };
    let limit = RateLimit::per_minute(1, 10);
    assert!(!with(AuthenticatorOptions::new().with_rate_limit(limit)));
    assert!(with(
        AuthenticatorOptions::new()
            .with_rate_limit(limit)
            .with_rate_limit_store(url)
    ));
    assert!(with(AuthenticatorOptions::new().with_revocation_store(
        Arc::new(RedisRevocationList::open(url).unwrap())
    )));
    assert!(!with(
        AuthenticatorOptions::new().with_revocation_store(open_revocations(None, false).unwrap())
    ));
    let sessions = |spec: &str| {
        Arc::new(
            Sessions::new(
                SessionsOptions::new()
                    .with_store_spec(spec)
                    .with_csrf_secret(Secret::new("0123456789abcdef0123456789abcdef").unwrap()),
            )
            .unwrap(),
        )
    };
    assert!(with(
        AuthenticatorOptions::new().with_sessions(sessions(url))
    ));
    assert!(!with(
        AuthenticatorOptions::new().with_sessions(sessions("memory"))
    ));
}
