//! Kept tokens: the shared vectors `tests/vectors/stored_tokens.json`, and a `TokenStore`
//! against the real OAuth server (`tests/oauth/mock-server.mjs`): every rotation saved with
//! the new refresh token, a restore with a fresh token makes no request (counted by the
//! server), a restore with an expired token refreshes with the kept refresh token,
//! `invalid_grant` clears the store, no secret in any printed form or error.

use crate::common;
use crate::vector_files;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::MockServer;
use parking_lot::Mutex;
use serde_json::Value;
use tokenward::oauth::{OAuthClient, OAuthClientOptions};
use tokenward::refresh::{StoredTokens, TokenSource, TokenSourceOptions, TokenStore};
use tokenward::{ErrorCode, Result, Secret};

#[test]
fn stored_tokens_vectors() {
    let v = vector_files::load("stored_tokens.json");
    for case in v["valid"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let t = StoredTokens::from_json(case["json"].as_str().unwrap()).unwrap();
        let e = &case["expect"];
        let opt = |s: Option<&Secret>| s.map(|s| s.expose().to_owned());
        assert_eq!(t.access_token().expose(), e["access_token"], "{name}");
        assert_eq!(t.token_type(), e["token_type"], "{name}");
        assert_eq!(t.expires_at(), e["expires_at"].as_u64().unwrap(), "{name}");
        assert_eq!(
            opt(t.refresh_token()).as_deref(),
            e["refresh_token"].as_str(),
            "{name}"
        );
        assert_eq!(
            opt(t.id_token()).as_deref(),
            e["id_token"].as_str(),
            "{name}"
        );
        let scopes: Vec<&str> = e["scopes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        assert_eq!(t.scopes(), scopes, "{name}");
        let again = StoredTokens::from_json(&t.to_json()).unwrap();
        assert_eq!(again.to_json(), t.to_json(), "{name}");
        let printed = format!("{t:?} {t}");
        assert!(
            !printed.contains(t.access_token().expose()),
            "{name}: {printed}"
        );
    }
    for case in v["invalid"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let input = match &case["input_repeat"] {
            Value::Object(r) => format!(
                "{}{}{}",
                r["prefix"].as_str().unwrap(),
                r["fill"]
                    .as_str()
                    .unwrap()
                    .repeat(r["count"].as_u64().unwrap() as usize),
                r["suffix"].as_str().unwrap()
            ),
            _ => case["json"].as_str().unwrap().to_owned(),
        };
        let e = StoredTokens::from_json(&input).unwrap_err();
        assert_eq!(e.code().as_str(), case["code"], "{name}");
    }
}

/// A store holding the JSON form, as an application's would; records what it was asked.
#[derive(Default)]
struct Kept {
    json: Mutex<Option<String>>,
    log: Mutex<Vec<&'static str>>,
}

impl TokenStore for Kept {
    fn save(&self, tokens: &StoredTokens) -> Result<()> {
        self.log.lock().push("save");
        *self.json.lock() = Some(tokens.to_json());
        Ok(())
    }
    fn load(&self) -> Result<Option<StoredTokens>> {
        self.log.lock().push("load");
        self.json
            .lock()
            .as_deref()
            .map(StoredTokens::from_json)
            .transpose()
    }
    fn clear(&self) -> Result<()> {
        self.log.lock().push("clear");
        *self.json.lock() = None;
        Ok(())
    }
}

impl Kept {
    fn tokens(&self) -> Option<StoredTokens> {
        self.json
            .lock()
            .as_deref()
            .map(|j| StoredTokens::from_json(j).unwrap())
    }
}

async fn client(server: &MockServer) -> OAuthClient {
    let options =
        OAuthClientOptions::default().with_client_secret(Secret::new("mock-secret").unwrap());
    OAuthClient::discover(&server.issuer, "mock-client", options)
        .await
        .unwrap()
}

fn options() -> TokenSourceOptions {
    TokenSourceOptions::default().with_background(false)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_tokens_against_the_real_server() {
    let server = MockServer::start();
    let c = client(&server).await;

    // Rotation: each new refresh token is saved after it is installed.
    let store = Arc::new(Kept::default());
    let src = TokenSource::from_refresh_token(
        c.clone(),
        Secret::new("initial-refresh").unwrap(),
        vec![],
        options(),
    )
    .unwrap();
    src.keep_tokens(store.clone()).unwrap();
    let at = src.token().await.unwrap();
    let first = store.tokens().unwrap();
    assert_eq!(first.access_token().expose(), at.expose());
    let rt1 = first.refresh_token().unwrap().expose().to_owned();
    assert_ne!(rt1, "initial-refresh");
    assert!(first.id_token().is_some());
    src.force_refresh().await.unwrap();
    let second = store.tokens().unwrap();
    assert_ne!(second.refresh_token().unwrap().expose(), rt1);
    assert_eq!(*store.log.lock(), ["save", "save"]);
    src.close();

    // Restore with a fresh token: no request at all.
    server.control("/__reset").await;
    let restored = TokenSource::restore(Arc::new(c.clone()), store.clone(), options()).unwrap();
    assert_eq!(
        restored.token().await.unwrap().expose(),
        second.access_token().expose()
    );
    assert_eq!(server.count("token").await, 0);
    let printed = format!("{restored:?} {second:?} {second}");
    for secret in [
        second.access_token().expose(),
        second.refresh_token().unwrap().expose(),
    ] {
        assert!(!printed.contains(secret), "{printed}");
    }
    restored.close();

    // Restore with an expired token: the first token() refreshes with the kept refresh token.
    let expired = StoredTokens::new(
        second.access_token().clone(),
        "Bearer",
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            - 60,
        second.refresh_token().cloned(),
        vec![],
        None,
    )
    .unwrap();
    store.save(&expired).unwrap();
    let restored = TokenSource::restore(Arc::new(c.clone()), store.clone(), options()).unwrap();
    assert_eq!(server.count("token").await, 0);
    let fresh = restored.token().await.unwrap();
    assert_ne!(fresh.expose(), second.access_token().expose());
    assert!(fresh.expires_at().unwrap() > SystemTime::now() + Duration::from_secs(60));
    assert_eq!(server.count("token").await, 1);
    assert_eq!(
        store.tokens().unwrap().access_token().expose(),
        fresh.expose()
    );

    // invalid_grant: the dead refresh token is cleared, not restored next time.
    server.control("/__next_error?error=invalid_grant").await;
    let e = restored.force_refresh().await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidGrant);
    assert_eq!(store.log.lock().last(), Some(&"clear"));
    assert!(store.tokens().is_none());
    let e = TokenSource::restore(Arc::new(c), store.clone(), options()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(!format!("{e} {e:?}").contains(fresh.expose()));
}
