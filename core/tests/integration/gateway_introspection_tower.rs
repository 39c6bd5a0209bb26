//! The tower layer with opaque tokens: an axum server whose `AuthLayer` introspects opaque
//! bearer tokens (at the local TestServer) in the response future.
//!
//! `cargo test --release -p tokenward --features tower --test gateway_introspection_tower`
#![cfg(feature = "tower")]

use crate::common;
use tokenward::apikey::ApiKeysOptions;
use tokenward::oauth::OAuthClientOptions;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::routing::get;
use axum::{Extension, Router};
use common::{Reply, TestServer};
use tokenward::apikey::{ApiKeys, NewKey};
use tokenward::gateway::{AuthLayer, Authenticator, AuthenticatorOptions, Principal};
use tokenward::oauth::OAuthClient;
use tokenward::Secret;

async fn whoami(Extension(p): Extension<Principal>) -> String {
    format!("{}:{}", p.kind.as_str(), p.subject)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_layer_introspects_opaque_tokens() {
    let idp = TestServer::start(|r: &common::Request| match r.form("token").as_deref() {
        Some("opaque-live") => Reply::json(
            200,
            r#"{"active":true,"sub":"svc-1","scope":"read","exp":99999999999}"#,
        ),
        Some("opaque-slow") => Reply::json(500, "down"),
        _ => Reply::json(200, r#"{"active":false}"#),
    })
    .await;
    let client = Arc::new(
        OAuthClient::new(
            idp.url("/token"),
            "gw",
            OAuthClientOptions::default()
                .with_client_secret(Secret::new("s").unwrap())
                .with_introspection_url(idp.url("/introspect")),
        )
        .unwrap(),
    );
    let keys = Arc::new(ApiKeys::new("tw_test", ApiKeysOptions::default()).unwrap());
    let key = keys.create(NewKey::new("acct").scopes(["read"])).unwrap();
    let auth = Arc::new(
        Authenticator::new(
            AuthenticatorOptions::new()
                .with_api_keys(keys)
                .with_introspection(client),
        )
        .unwrap(),
    );
    let app = Router::new().route(
        "/read",
        get(whoami).layer(AuthLayer::new(auth.clone()).require(["read"])),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let http = reqwest::Client::new();
    let get = |token: String| {
        let http = http.clone();
        async move {
            http.get(format!("http://{addr}/read"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
        }
    };

    let res = get("opaque-live".into()).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "introspected:svc-1");
    // Second time from the cache (decided synchronously in `call`).
    let res = get("opaque-live".into()).await;
    assert_eq!(res.status(), 200);
    assert_eq!(idp.hits(), 1);

    let res = get("opaque-dead".into()).await;
    assert_eq!(res.status(), 401);
    assert!(res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("error=\"invalid_token\""));

    let res = get("opaque-slow".into()).await;
    assert_eq!(res.status(), 503);
    assert!(res.headers().get("www-authenticate").is_none());

    // API keys never reach the introspection endpoint.
    let before = idp.hits();
    let res = get(key.secret.expose().to_owned()).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "api_key:acct");
    assert_eq!(idp.hits(), before);
}
