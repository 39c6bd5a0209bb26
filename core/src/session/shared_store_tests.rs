//! The Redis and PostgreSQL session stores against real servers (TOKENWARD_TEST_REDIS_URL,
//! TOKENWARD_TEST_POSTGRES_URL, started by scripts/servers.sh; the tests skip without them
//! outside CI): the lifecycle the memory and SQLite stores pass, instances sharing sessions,
//! concurrent rotation, what is stored, the bounded subject index, the newer-schema refusal and
//! the failure policy.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::tests::{code, lifecycle, options, T0};
use super::*;
use crate::clock::ManualClock;
use crate::ErrorCode;

fn server(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("{var} is not set: run the tests through scripts/servers.sh")
        }
        _ => {
            eprintln!("skipped: {var} is not set (scripts/servers.sh)");
            None
        }
    }
}

fn unique(name: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("tw_{name}_{}_{nanos}", std::process::id())
}

/// A Redis store under a key prefix no other test uses.
fn redis_store() -> Option<(String, String, RedisSessionStore)> {
    let url = server("TOKENWARD_TEST_REDIS_URL")?;
    let prefix = format!("{}:", unique("sessions"));
    let store =
        RedisSessionStore::open_with(&url, crate::backend::DEFAULT_BACKEND_TIMEOUT, &prefix)
            .unwrap();
    Some((url, prefix, store))
}

fn redis_cmd<T: redis::FromRedisValue + Send + 'static>(url: &str, cmd: redis::Cmd) -> T {
    let client = redis::Client::open(url).unwrap();
    let mut conn = client.get_connection().unwrap();
    cmd.query(&mut conn).unwrap()
}

/// A new, empty database on the PostgreSQL test server; its URL.
fn postgres_database(name: &str) -> Option<String> {
    let url = server("TOKENWARD_TEST_POSTGRES_URL")?;
    let db = unique(name);
    let (admin, create) = (url.clone(), format!("CREATE DATABASE {db}"));
    crate::runtime::block_on(async move {
        let (client, conn) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        client.batch_execute(&create).await.unwrap();
    })
    .unwrap();
    let (base, _) = url.rsplit_once('/').unwrap();
    Some(format!("{base}/{db}"))
}

fn pg_query(url: &str, sql: &str) -> Vec<String> {
    let (url, sql) = (url.to_owned(), sql.to_owned());
    crate::runtime::block_on(async move {
        let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        client
            .simple_query(&sql)
            .await
            .unwrap()
            .into_iter()
            .filter_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_owned),
                _ => None,
            })
            .collect()
    })
    .unwrap()
}

/// Two instances (two `Sessions` opened from the same URL) share sessions, rotations and
/// revocations; racing rotations of one id have one winner.
fn instances_share(spec: &str) {
    let clock = ManualClock::at_unix(T0);
    let open = || Arc::new(Sessions::new(options(&clock).with_store_spec(spec)).unwrap());
    let (a, b) = (open(), open());
    let subject = unique("subject");
    let issued = a.create(&subject, BTreeMap::new()).unwrap();
    assert_eq!(b.verify(issued.id.expose()).unwrap().subject, subject);
    let rotated = b.rotate(issued.id.expose(), None, None).unwrap();
    assert_eq!(code(a.verify(issued.id.expose())), "revoked");
    a.verify(rotated.id.expose()).unwrap();
    // Racing rotations of one id: exactly one wins, the others read `revoked`.
    let id = rotated.id.expose().to_owned();
    let winners: Vec<_> = (0..8)
        .map(|i| {
            let (s, id) = (if i % 2 == 0 { a.clone() } else { b.clone() }, id.clone());
            std::thread::spawn(move || s.rotate(&id, None, None))
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    let won: Vec<_> = winners.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(won.len(), 1);
    for r in &winners {
        if let Err(e) = r {
            assert_eq!(e.code(), ErrorCode::Revoked);
        }
    }
    let second = a.create(&subject, BTreeMap::new()).unwrap();
    assert_eq!(b.revoke_subject(&subject).unwrap(), 2);
    assert_eq!(code(a.verify(won[0].id.expose())), "revoked");
    assert_eq!(code(a.verify(second.id.expose())), "revoked");
    assert!(a.revoke(second.id.expose()).unwrap());
}

#[test]
fn redis_store_passes_the_lifecycle() {
    let Some((_, _, store)) = redis_store() else {
        return;
    };
    lifecycle(Arc::new(store));
}

#[test]
fn redis_instances_share_sessions() {
    let Some(url) = server("TOKENWARD_TEST_REDIS_URL") else {
        return;
    };
    instances_share(&url);
}

#[test]
fn redis_keeps_hashes_only_expires_keys_and_bounds_the_subject_index() {
    let Some((url, prefix, store)) = redis_store() else {
        return;
    };
    let clock = ManualClock::at_unix(T0);
    let s = Sessions::new(options(&clock).with_store(Arc::new(store))).unwrap();
    let issued = s.create("alice", BTreeMap::new()).unwrap();
    let keys: Vec<String> = redis_cmd(&url, redis::cmd("KEYS").arg(format!("{prefix}*")).clone());
    assert_eq!(keys.len(), 2, "{keys:?}"); // the session and alice's index
    let session_key = keys.iter().find(|k| k.contains(":s:")).unwrap();
    let body = &issued.id.expose()[4..];
    for k in &keys {
        assert!(!k.contains(body));
    }
    let fields: Vec<String> = redis_cmd(&url, redis::cmd("HVALS").arg(session_key).clone());
    assert!(!fields.iter().any(|v| v.contains(body)), "{fields:?}");
    // The key expires at the absolute end (3600 s after the login).
    let ttl: i64 = redis_cmd(&url, redis::cmd("TTL").arg(session_key).clone());
    assert!((3590..=3600).contains(&ttl), "{ttl}");
    // A subject logging in forever: its index holds the live sessions only.
    let index = format!("{prefix}u:bob");
    for _ in 0..30 {
        s.create("bob", BTreeMap::new()).unwrap();
        clock.advance(Duration::from_secs(600));
    }
    let members: i64 = redis_cmd(&url, redis::cmd("ZCARD").arg(&index).clone());
    assert!(members <= 7, "{members}"); // 3600 s / 600 s, plus the one just made
    let index_ttl: i64 = redis_cmd(&url, redis::cmd("TTL").arg(&index).clone());
    assert!((1..=3600).contains(&index_ttl), "{index_ttl}");
    // Revocation takes a session out of the index; revoke_subject empties it.
    let live = s.create("carol", BTreeMap::new()).unwrap();
    s.revoke(live.id.expose()).unwrap();
    let members: i64 = redis_cmd(
        &url,
        redis::cmd("ZCARD").arg(format!("{prefix}u:carol")).clone(),
    );
    assert_eq!(members, 0);
    assert!(s.revoke_subject("bob").unwrap() >= 6);
    let exists: i64 = redis_cmd(&url, redis::cmd("EXISTS").arg(&index).clone());
    assert_eq!(exists, 0);
}

#[test]
fn redis_failures_are_codes_and_debug_hides_the_password() {
    // Nothing listens: refused at once.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let url = format!("redis://user:hunter2secret@127.0.0.1:{port}/");
    let clock = ManualClock::at_unix(T0);
    let s = Sessions::new(options(&clock).with_store_spec(&url)).unwrap();
    let err = s.create("alice", BTreeMap::new()).unwrap_err();
    assert!(
        matches!(err.code(), ErrorCode::Network | ErrorCode::Timeout),
        "{err:?}"
    );
    assert!(!format!("{s:?} {err:?} {err}").contains("hunter2secret"));
    // Accepts and never answers: the deadline, not a hang.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let store = RedisSessionStore::open_with(
        &format!("redis://127.0.0.1:{port}/"),
        Duration::from_millis(200),
        "x:",
    )
    .unwrap();
    let s = Sessions::new(options(&clock).with_store(Arc::new(store))).unwrap();
    let started = std::time::Instant::now();
    let err = s.verify(&format!("tws_{}", "A".repeat(43))).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Timeout, "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(
        code(Sessions::new(
            options(&clock).with_store_spec("redis://[bad")
        )),
        "invalid_input"
    );
}

#[test]
fn postgres_store_passes_the_lifecycle() {
    let Some(url) = postgres_database("sess_life") else {
        return;
    };
    lifecycle(Arc::new(PostgresSessionStore::open(&url).unwrap()));
}

#[test]
fn postgres_instances_share_sessions() {
    let Some(url) = postgres_database("sess_share") else {
        return;
    };
    instances_share(&url);
}

#[test]
fn postgres_keeps_hashes_only_and_refuses_a_newer_schema() {
    let Some(url) = postgres_database("sess_schema") else {
        return;
    };
    // The API keys and the sessions share the database and the version table.
    drop(crate::apikey::store::open(Some(&url)).unwrap());
    let clock = ManualClock::at_unix(T0);
    let password_url = url.replacen("tokenward@", "tokenward:hunter2secret@", 1);
    let s = Sessions::new(options(&clock).with_store_spec(&password_url)).unwrap();
    assert!(!format!("{s:?}").contains("hunter2secret"));
    assert!(format!("{s:?}").contains("PostgresSessionStore"));
    let issued = s.create("alice", BTreeMap::new()).unwrap();
    let dump = pg_query(&url, "SELECT t::text FROM tokenward_sessions t").join("\n");
    assert!(dump.contains("alice"));
    assert!(
        !dump.contains(&issued.id.expose()[4..]),
        "the id itself is stored"
    );
    assert_eq!(
        pg_query(
            &url,
            "SELECT component || '=' || version FROM tokenward_schema ORDER BY 1"
        ),
        ["api_keys=1", "sessions=1"]
    );
    pg_query(
        &url,
        "UPDATE tokenward_schema SET version = 99 WHERE component = 'sessions'",
    );
    assert_eq!(
        PostgresSessionStore::open(&url).unwrap_err().code(),
        ErrorCode::Storage
    );
    // The API keys' component is not concerned.
    drop(crate::apikey::store::open(Some(&url)).unwrap());
}

#[test]
fn postgres_failures_are_codes() {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let err = PostgresSessionStore::open_with(
        &format!("postgres://u:hunter2secret@127.0.0.1:{port}/db"),
        Duration::from_millis(200),
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Timeout, "{err:?}");
    assert!(!format!("{err:?} {err}").contains("hunter2secret"));
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let err = PostgresSessionStore::open(&format!("postgres://u@127.0.0.1:{port}/db")).unwrap_err();
    assert!(
        matches!(err.code(), ErrorCode::Network | ErrorCode::Timeout),
        "{err:?}"
    );
    assert_eq!(
        PostgresSessionStore::open("postgres://[bad")
            .unwrap_err()
            .code(),
        ErrorCode::InvalidInput
    );
}
