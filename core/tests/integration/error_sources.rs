//! `Error::source()`: the foreign failure the core wrapped (reqwest, SQLite) is reachable by
//! walking the chain, and nothing in the chain repeats the URL (whose query may hold a secret).

use tokenward::ErrorCode;

/// The `Display` and `Debug` of every error in the chain below `err`.
#[cfg(feature = "http")]
fn chain(err: &tokenward::Error) -> Vec<String> {
    use std::error::Error as _;
    let mut out = Vec::new();
    let mut next = err.source();
    while let Some(e) = next {
        out.push(format!("{e} / {e:?}"));
        next = e.source();
    }
    out
}

#[cfg(feature = "http")]
#[tokio::test]
async fn a_refused_connection_keeps_the_transport_error_without_the_url() {
    use tokenward::jwt::{RemoteKeySet, RemoteKeySetOptions};
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    let url = "http://127.0.0.1:1/jwks.json?access_token=s3cr3t-in-query";
    let remote = RemoteKeySet::new(url, RemoteKeySetOptions::default()).unwrap();
    let err = remote.keys().await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Network);
    let chain = chain(&err);
    assert!(!chain.is_empty(), "no source for a transport failure");
    for text in &chain {
        assert!(
            !text.contains("s3cr3t"),
            "the query leaked into the chain: {text}"
        );
        assert!(
            !text.contains("jwks.json"),
            "the URL leaked into the chain: {text}"
        );
    }
    // Display and Debug of the error itself stay code + message.
    assert_eq!(
        err.to_string(),
        "network: the request failed (connection or protocol error)"
    );
}

#[cfg(feature = "sqlite")]
#[test]
fn a_sqlite_failure_keeps_the_rusqlite_error() {
    use std::error::Error as _;
    use tokenward::apikey::SqliteStore;
    let dir = std::env::temp_dir().join(format!("tw-error-sources-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("not-a-database.db");
    std::fs::write(&path, vec![b'x'; 4096]).unwrap();
    let err = SqliteStore::open(&path).unwrap_err();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(err.code(), ErrorCode::Storage);
    let source = err.source().expect("no source for a SQLite failure");
    let sqlite = source
        .downcast_ref::<rusqlite::Error>()
        .map(|e| e.sqlite_error_code());
    assert_eq!(sqlite, Some(Some(rusqlite::ErrorCode::NotADatabase)));
}

#[cfg(feature = "jwt")]
#[test]
fn a_plain_refusal_has_no_source() {
    use std::error::Error as _;
    use tokenward::jwt::{Algorithm, JwtKey, JwtVerifierOptions, KeySet};
    let key = JwtKey::generate(Algorithm::ES256).unwrap();
    let verifier = tokenward::jwt::JwtVerifier::new(
        KeySet::single(key),
        JwtVerifierOptions::new([Algorithm::ES256]),
    )
    .unwrap();
    let err = verifier.verify("not-a-jwt").unwrap_err();
    assert_eq!(err.code(), ErrorCode::Malformed);
    assert!(err.source().is_none());
}
