//! Kept tokens with a scripted endpoint: the JSON form and its redaction, save on every
//! rotation (with the new refresh token, or the kept one when the server does not rotate),
//! restore without a request while the kept token is usable, refresh when it is not, clear on
//! `invalid_grant`, store failures reported without failing `token()`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;

use super::{
    StoredTokens, TokenEndpoint, TokenFuture, TokenSource, TokenSourceOptions, TokenStore,
};
use crate::oauth::{AccessToken, Failure, Grant, TokenResponse};
use crate::{Error, ErrorCode, Result, Secret};

/// Answers `AT-n` / `RT-n` (or `invalid_grant` once `refuse` is set); counts requests.
#[derive(Default)]
struct Endpoint {
    calls: AtomicUsize,
    refuse: Mutex<bool>,
    rotate: Mutex<bool>,
    grants: Mutex<Vec<String>>,
}

impl TokenEndpoint for Endpoint {
    fn request<'a>(&'a self, grant: &'a Grant) -> TokenFuture<'a> {
        Box::pin(async move {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            if let Grant::RefreshToken { refresh_token, .. } = grant {
                self.grants.lock().push(refresh_token.expose().to_owned());
            }
            if *self.refuse.lock() {
                return Err(Failure::from(Error::new(
                    ErrorCode::InvalidGrant,
                    "refused",
                )));
            }
            let rotate = *self.rotate.lock();
            Ok(TokenResponse {
                access_token: AccessToken::new(
                    Secret::new(format!("AT-{n}")).unwrap(),
                    "Bearer",
                    Some(SystemTime::now() + Duration::from_secs(3600)),
                    vec!["read".into()],
                ),
                expires_in: Some(Duration::from_secs(3600)),
                refresh_token: rotate.then(|| Secret::new(format!("RT-{n}")).unwrap()),
                id_token: None,
                id_token_claims: None,
            })
        })
    }
}

#[derive(Default)]
struct Memory {
    kept: Mutex<Option<String>>,
    saves: AtomicUsize,
    clears: AtomicUsize,
    fail: Mutex<bool>,
}

impl TokenStore for Memory {
    fn save(&self, tokens: &StoredTokens) -> Result<()> {
        if *self.fail.lock() {
            return Err(Error::new(ErrorCode::InvalidGrant, "disk full"));
        }
        self.saves.fetch_add(1, Ordering::SeqCst);
        *self.kept.lock() = Some(tokens.to_json());
        Ok(())
    }
    fn load(&self) -> Result<Option<StoredTokens>> {
        self.kept
            .lock()
            .as_deref()
            .map(StoredTokens::from_json)
            .transpose()
    }
    fn clear(&self) -> Result<()> {
        self.clears.fetch_add(1, Ordering::SeqCst);
        *self.kept.lock() = None;
        Ok(())
    }
}

fn options() -> TokenSourceOptions {
    TokenSourceOptions::default().with_background(false)
}

fn kept(access: &str, expires_at: SystemTime, refresh: Option<&str>) -> StoredTokens {
    StoredTokens::new(
        Secret::new(access).unwrap(),
        "Bearer",
        expires_at.duration_since(UNIX_EPOCH).unwrap().as_secs(),
        refresh.map(|r| Secret::new(r).unwrap()),
        vec!["read".into()],
        Some(Secret::new("ID-secret").unwrap()),
    )
    .unwrap()
}

fn endpoint(rotate: bool) -> Arc<Endpoint> {
    let e = Arc::new(Endpoint::default());
    *e.rotate.lock() = rotate;
    e
}

#[test]
fn json_round_trip_and_redaction() {
    let t = kept(
        "AT-secret",
        UNIX_EPOCH + Duration::from_secs(99),
        Some("RT-secret"),
    );
    let json = t.to_json();
    assert!(json.starts_with(r#"{"v":1,"#), "{json}");
    let back = StoredTokens::from_json(&json).unwrap();
    assert_eq!(back.to_json(), json);
    assert_eq!(back.expires_at(), 99);
    assert_eq!(back.refresh_token().unwrap().expose(), "RT-secret");
    let printed = format!("{t:?} {t} {}", t.redacted());
    for secret in ["AT-secret", "RT-secret", "ID-secret"] {
        assert!(!printed.contains(secret), "{printed}");
    }
    let e = StoredTokens::from_json(&json.replace(r#""v":1"#, r#""v":9"#)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Malformed);
    assert!(!e.to_string().contains("AT-secret"));
    let big = format!("{{\"v\":1,\"access_token\":\"{}\"}}", "A".repeat(64 * 1024));
    assert_eq!(
        StoredTokens::from_json(&big).unwrap_err().code(),
        ErrorCode::TokenTooLarge
    );
}

#[tokio::test]
async fn every_rotation_is_saved_with_its_refresh_token() {
    let ep = endpoint(true);
    let store = Arc::new(Memory::default());
    let src = TokenSource::new(
        ep.clone(),
        Grant::RefreshToken {
            refresh_token: Secret::new("RT-0").unwrap(),
            scopes: vec![],
        },
        None,
        options(),
    )
    .unwrap();
    src.keep_tokens(store.clone()).unwrap();
    assert_eq!(
        store.saves.load(Ordering::SeqCst),
        0,
        "nothing to keep before a token"
    );
    src.token().await.unwrap();
    let t = store.load().unwrap().unwrap();
    assert_eq!(
        (
            t.access_token().expose(),
            t.refresh_token().unwrap().expose()
        ),
        ("AT-1", "RT-1")
    );
    src.force_refresh().await.unwrap();
    let t = store.load().unwrap().unwrap();
    assert_eq!(
        (
            t.access_token().expose(),
            t.refresh_token().unwrap().expose()
        ),
        ("AT-2", "RT-2")
    );
    assert_eq!(store.saves.load(Ordering::SeqCst), 2);

    // A server that does not rotate: the refresh token in use is kept.
    *ep.rotate.lock() = false;
    src.force_refresh().await.unwrap();
    let t = store.load().unwrap().unwrap();
    assert_eq!(
        (
            t.access_token().expose(),
            t.refresh_token().unwrap().expose()
        ),
        ("AT-3", "RT-2")
    );
}

#[tokio::test]
async fn keep_tokens_saves_the_current_token_at_once() {
    let ep = endpoint(true);
    let store = Arc::new(Memory::default());
    let response = TokenResponse {
        access_token: AccessToken::new(
            Secret::new("AT-login").unwrap(),
            "Bearer",
            Some(SystemTime::now() + Duration::from_secs(600)),
            vec![],
        ),
        expires_in: Some(Duration::from_secs(600)),
        refresh_token: Some(Secret::new("RT-login").unwrap()),
        id_token: None,
        id_token_claims: None,
    };
    let src = TokenSource::from_token_response(ep, response, None, options()).unwrap();
    src.keep_tokens(store.clone()).unwrap();
    let t = store.load().unwrap().unwrap();
    assert_eq!(
        (
            t.access_token().expose(),
            t.refresh_token().unwrap().expose()
        ),
        ("AT-login", "RT-login")
    );
}

#[tokio::test]
async fn restore_serves_a_usable_token_without_a_request() {
    let ep = endpoint(true);
    let store = Arc::new(Memory::default());
    store
        .save(&kept(
            "AT-kept",
            SystemTime::now() + Duration::from_secs(1800),
            Some("RT-kept"),
        ))
        .unwrap();
    let src = TokenSource::restore(ep.clone(), store.clone(), options()).unwrap();
    assert_eq!(src.token().await.unwrap().expose(), "AT-kept");
    assert_eq!(ep.calls.load(Ordering::SeqCst), 0);
    // The next rotation presents the kept refresh token and is kept in turn.
    src.force_refresh().await.unwrap();
    assert_eq!(*ep.grants.lock(), ["RT-kept"]);
    assert_eq!(
        store
            .load()
            .unwrap()
            .unwrap()
            .refresh_token()
            .unwrap()
            .expose(),
        "RT-1"
    );
}

#[tokio::test]
async fn restore_refreshes_an_expired_or_nearly_expired_token() {
    for left in [0u64, 4] {
        let ep = endpoint(true);
        let store = Arc::new(Memory::default());
        let at = SystemTime::now() + Duration::from_secs(left)
            - Duration::from_secs(if left == 0 { 60 } else { 0 });
        store.save(&kept("AT-old", at, Some("RT-kept"))).unwrap();
        // The default expiry margin is 5 s.
        let src = TokenSource::restore(ep.clone(), store.clone(), options()).unwrap();
        assert_eq!(
            ep.calls.load(Ordering::SeqCst),
            0,
            "restore itself never requests"
        );
        assert_eq!(src.token().await.unwrap().expose(), "AT-1");
        assert_eq!(*ep.grants.lock(), ["RT-kept"]);
    }
}

#[tokio::test]
async fn restore_refusals() {
    let ep = endpoint(true);
    let store = Arc::new(Memory::default());
    let e = TokenSource::restore(ep.clone(), store.clone(), options()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    store
        .save(&kept(
            "AT-x",
            SystemTime::now() + Duration::from_secs(900),
            None,
        ))
        .unwrap();
    let e = TokenSource::restore(ep.clone(), store.clone(), options()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    *store.kept.lock() = Some(r#"{"v":2}"#.into());
    let e = TokenSource::restore(ep, store, options()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Storage);
}

#[tokio::test]
async fn invalid_grant_clears_the_store() {
    let ep = endpoint(true);
    let store = Arc::new(Memory::default());
    store
        .save(&kept("AT-old", UNIX_EPOCH, Some("RT-dead")))
        .unwrap();
    let src = TokenSource::restore(ep.clone(), store.clone(), options()).unwrap();
    *ep.refuse.lock() = true;
    assert_eq!(
        src.token().await.unwrap_err().code(),
        ErrorCode::InvalidGrant
    );
    assert_eq!(store.clears.load(Ordering::SeqCst), 1);
    assert!(store.load().unwrap().is_none());
}

#[tokio::test]
async fn a_failing_save_is_reported_not_raised() {
    let ep = endpoint(true);
    let store = Arc::new(Memory::default());
    let src = TokenSource::new(
        ep,
        Grant::RefreshToken {
            refresh_token: Secret::new("RT-0").unwrap(),
            scopes: vec![],
        },
        None,
        options(),
    )
    .unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    src.on_error(Arc::new(move |e: &Error| s.lock().push(e.code())));
    src.keep_tokens(store.clone()).unwrap();
    *store.fail.lock() = true;
    assert_eq!(src.token().await.unwrap().expose(), "AT-1");
    // Reported as `storage` (never the store's own `invalid_grant`, which would clear).
    assert_eq!(*seen.lock(), [ErrorCode::Storage]);
    assert_eq!(store.clears.load(Ordering::SeqCst), 0);
}
