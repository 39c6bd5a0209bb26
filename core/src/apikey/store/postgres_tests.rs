//! The PostgreSQL store against a real server (TOKENWARD_TEST_POSTGRES_URL, started by
//! scripts/servers.sh): each test in a database of its own.

use std::time::Duration;

use super::*;
use crate::apikey::{ApiKeys, ApiKeysOptions, NewKey};
use tokio_postgres::NoTls;

/// The server's URL; `None` (the test skips) outside CI, a failure under CI.
pub(crate) fn server_url() -> Option<String> {
    match std::env::var("TOKENWARD_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!(
                "TOKENWARD_TEST_POSTGRES_URL is not set: run the tests through scripts/servers.sh"
            )
        }
        _ => {
            eprintln!("skipped: TOKENWARD_TEST_POSTGRES_URL is not set (scripts/servers.sh)");
            None
        }
    }
}

/// A new, empty database on the test server; its URL.
pub(crate) fn fresh_database(name: &str) -> Option<String> {
    let url = server_url()?;
    let db = format!(
        "tw_{name}_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    let admin = url.clone();
    let create = format!("CREATE DATABASE {db}");
    crate::runtime::block_on(async move {
        let (client, conn) = tokio_postgres::connect(&admin, NoTls).await.unwrap();
        tokio::spawn(conn);
        client.batch_execute(&create).await.unwrap();
    })
    .unwrap();
    let (base, _) = url.rsplit_once('/').unwrap();
    Some(format!("{base}/{db}"))
}

/// Runs `sql` on `url` and returns the rows' first columns as text.
fn query(url: &str, sql: &str) -> Vec<Vec<Option<String>>> {
    let (url, sql) = (url.to_owned(), sql.to_owned());
    crate::runtime::block_on(async move {
        let (client, conn) = tokio_postgres::connect(&url, NoTls).await.unwrap();
        tokio::spawn(conn);
        client
            .simple_query(&sql)
            .await
            .unwrap()
            .into_iter()
            .filter_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => {
                    Some((0..r.len()).map(|i| r.get(i).map(str::to_owned)).collect())
                }
                _ => None,
            })
            .collect()
    })
    .unwrap()
}

#[test]
fn conforms_and_persists_across_reopen() {
    let Some(url) = fresh_database("conform") else {
        return;
    };
    {
        let store = PostgresStore::open(&url).unwrap();
        super::super::conformance::run(&store);
    }
    let reopened = PostgresStore::open(&url).unwrap();
    assert_eq!(reopened.list("alice").unwrap().len(), 2);
    let version = query(
        &url,
        "SELECT version FROM tokenward_schema WHERE component = 'api_keys'",
    );
    assert_eq!(version, [[Some(schema::VERSION.to_string())]]);
}

#[test]
fn opens_by_url_and_refuses_a_newer_schema() {
    let Some(url) = fresh_database("newer") else {
        return;
    };
    assert!(format!("{:?}", super::super::open(Some(&url)).unwrap()).contains("PostgresStore"));
    assert!(!format!("{:?}", super::super::open(Some(&url)).unwrap()).contains("tokenward@"));
    query(&url, "UPDATE tokenward_schema SET version = 99");
    assert_eq!(
        PostgresStore::open(&url).unwrap_err().code(),
        ErrorCode::Storage
    );
}

#[test]
fn stores_only_the_hash_and_instances_share_keys() {
    let Some(url) = fresh_database("hash") else {
        return;
    };
    let a = ApiKeys::new(
        "tw_pg",
        ApiKeysOptions::default().with_store_spec(&url).unwrap(),
    )
    .unwrap();
    let b = ApiKeys::new(
        "tw_pg",
        ApiKeysOptions::default().with_store_spec(&url).unwrap(),
    )
    .unwrap();
    let issued = a.create(NewKey::new("alice").scopes(["read"])).unwrap();
    assert_eq!(b.verify(issued.secret.expose()).unwrap().owner, "alice");
    let secret = issued.secret.expose().to_owned();
    let (_, random) = secret.rsplit_once('_').unwrap();
    let dump = query(&url, "SELECT t::text FROM tokenward_api_keys t");
    let text = format!("{dump:?}");
    assert!(text.contains(&issued.record.id));
    assert!(!text.contains(random), "the key itself is stored");
    assert!(!text.contains(&secret));
}

#[test]
fn a_revocation_elsewhere_is_honoured_within_the_cache_window() {
    let Some(url) = fresh_database("window") else {
        return;
    };
    let ttl = Duration::from_millis(300);
    let store_a: Arc<dyn KeyStore> = Arc::new(PostgresStore::open(&url).unwrap());
    let store_b: Arc<dyn KeyStore> =
        Arc::new(PostgresStore::open_with(&url, DEFAULT_BACKEND_TIMEOUT, ttl).unwrap());
    let a = ApiKeys::new("tw_pg", ApiKeysOptions::default().with_store(store_a)).unwrap();
    let b = ApiKeys::new("tw_pg", ApiKeysOptions::default().with_store(store_b)).unwrap();
    let issued = a.create(NewKey::new("alice")).unwrap();
    b.verify(issued.secret.expose()).unwrap(); // now cached in b
    a.revoke(&issued.record.id).unwrap();
    // Revoked through this instance: refused at once.
    assert_eq!(
        a.verify(issued.secret.expose()).unwrap_err().code(),
        ErrorCode::Revoked
    );
    // Through the other: refused at the latest once the window has passed.
    std::thread::sleep(ttl);
    assert_eq!(
        b.verify(issued.secret.expose()).unwrap_err().code(),
        ErrorCode::Revoked
    );
}

#[test]
fn last_used_writes_are_coalesced() {
    let Some(url) = fresh_database("touch") else {
        return;
    };
    let clock = crate::clock::ManualClock::at_unix(1_700_000_000);
    let keys = ApiKeys::new(
        "tw_pg",
        ApiKeysOptions::default()
            .with_store_spec(&url)
            .unwrap()
            .with_clock(clock.clone()),
    )
    .unwrap();
    let issued = keys.create(NewKey::new("alice")).unwrap();
    let last_used = || query(&url, "SELECT last_used_at FROM tokenward_api_keys");
    keys.verify(issued.secret.expose()).unwrap();
    assert_eq!(last_used(), [[Some("1700000000".to_owned())]]);
    // Within the granularity (60 s): no write.
    clock.advance(Duration::from_secs(30));
    for _ in 0..20 {
        keys.verify(issued.secret.expose()).unwrap();
    }
    assert_eq!(last_used(), [[Some("1700000000".to_owned())]]);
    clock.advance(Duration::from_secs(31));
    keys.verify(issued.secret.expose()).unwrap();
    assert_eq!(last_used(), [[Some("1700000061".to_owned())]]);
}

#[test]
fn a_server_that_is_down_is_an_error_not_a_hang() {
    // A port nothing listens on: refused at once.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let err = PostgresStore::open(&format!("postgres://u@127.0.0.1:{port}/db")).unwrap_err();
    assert!(
        matches!(err.code(), ErrorCode::Network | ErrorCode::Timeout),
        "{err:?}"
    );
    // A server that accepts and never answers: the deadline.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let err = PostgresStore::open_with(
        &format!("postgres://u@127.0.0.1:{port}/db"),
        Duration::from_millis(200),
        Duration::ZERO,
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Timeout, "{err:?}");
    // A server that answers garbage.
    let garbage = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = garbage.local_addr().unwrap().port();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for stream in garbage.incoming().take(4) {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 512];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi");
        }
    });
    let err = PostgresStore::open(&format!("postgres://u@127.0.0.1:{port}/db")).unwrap_err();
    assert!(
        matches!(err.code(), ErrorCode::Network | ErrorCode::InvalidResponse),
        "{err:?}"
    );
    assert_eq!(
        PostgresStore::open("postgres://[bad").unwrap_err().code(),
        ErrorCode::InvalidInput
    );
}

#[test]
fn dropped_connections_are_replaced() {
    let Some(url) = fresh_database("reconnect") else {
        return;
    };
    let keys = ApiKeys::new(
        "tw_pg",
        ApiKeysOptions::default().with_store(Arc::new(
            PostgresStore::open_with(&url, DEFAULT_BACKEND_TIMEOUT, Duration::ZERO).unwrap(),
        )),
    )
    .unwrap();
    let issued = keys.create(NewKey::new("alice")).unwrap();
    keys.verify(issued.secret.expose()).unwrap();
    // The server ends every connection of this database (what a restart does to the pool).
    query(
        &url,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    );
    // Calls may see dead connections (an error, never a panic or a hang) until the pool has
    // noticed them all and opened a new one: within a few calls.
    let mut recovered = false;
    for _ in 0..20 {
        match keys.verify(issued.secret.expose()) {
            Ok(record) => {
                assert_eq!(record.owner, "alice");
                recovered = true;
                break;
            }
            Err(e) => {
                assert!(
                    matches!(
                        e.code(),
                        ErrorCode::Network | ErrorCode::Storage | ErrorCode::Timeout
                    ),
                    "{e:?}"
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    assert!(recovered);
}
