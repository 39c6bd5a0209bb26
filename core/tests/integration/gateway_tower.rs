//! The gateway's tower layer in a real axum server on localhost, called over real HTTP.
//!
//! `cargo test --release -p tokenward --features tower --test gateway_tower`

use std::net::SocketAddr;
use std::sync::Arc;
use tokenward::apikey::ApiKeysOptions;

use axum::extract::ConnectInfo;
use axum::routing::get;
use axum::{Extension, Router};
use tokenward::apikey::{ApiKeys, NewKey};
use tokenward::gateway::{AuthLayer, Authenticator, AuthenticatorOptions, Principal, RateLimit};

async fn whoami(Extension(p): Extension<Principal>) -> String {
    format!("{}:{:?}", p.subject, p.rate_limit_remaining)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_server_with_auth_layer() {
    let keys = Arc::new(ApiKeys::new("tw_test", ApiKeysOptions::default()).unwrap());
    let reader = keys
        .create(NewKey::new("acct_reader").scopes(["read"]))
        .unwrap();
    let auth = Arc::new(
        Authenticator::new(
            AuthenticatorOptions::new()
                .with_api_keys(keys)
                .with_realm("things")
                .with_rate_limit(RateLimit::per_minute(1, 3)),
        )
        .unwrap(),
    );
    let by_peer =
        |ext: &axum::http::Extensions| ext.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let app = Router::new()
        .route(
            "/read",
            get(whoami).layer(
                AuthLayer::new(auth.clone())
                    .require(["read"])
                    .client_ip(by_peer),
            ),
        )
        .route(
            "/write",
            get(whoami).layer(AuthLayer::new(auth).require(["write"]).client_ip(by_peer)),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    let client = reqwest::Client::new();
    let url = |p: &str| format!("http://{addr}{p}");

    let res = client
        .get(url("/read"))
        .header("X-API-Key", reader.secret.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "acct_reader:Some(2)");

    let res = client.get(url("/read")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["www-authenticate"], "Bearer realm=\"things\"");

    let res = client
        .get(url("/read"))
        .bearer_auth("eyJhbGciOiJIUzI1NiJ9.e30.c2ln")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("error=\"invalid_token\""));

    let res = client
        .get(url("/write"))
        .header("X-API-Key", reader.secret.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("scope=\"write\""));

    // Burst of 3: one used on /read, one on /write (refused for scope before the limit), so
    // two more succeed and the next is limited.
    for _ in 0..2 {
        let res = client
            .get(url("/read"))
            .header("X-API-Key", reader.secret.expose())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    let res = client
        .get(url("/read"))
        .header("X-API-Key", reader.secret.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
}
