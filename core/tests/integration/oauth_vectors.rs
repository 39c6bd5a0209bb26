//! Runs tests/vectors/oauth.json: each token-endpoint answer is served by the local TestServer
//! and the client-credentials grant must give the expected code (or token fields).
//!
//! `cargo test --release -p tokenward --test oauth_vectors`

use crate::common;
use tokenward::oauth::OAuthClientOptions;

use std::time::Duration;

use crate::vector_files::load;
use common::{Reply, TestServer};
use serde_json::Value;
use tokenward::oauth::{Grant, OAuthClient};
use tokenward::Secret;

fn reply(v: &Value) -> Reply {
    let mut body = v["body"].as_str().unwrap().to_owned();
    if let Some(pad) = v.get("pad").and_then(Value::as_u64) {
        body.push_str(&" ".repeat(pad as usize));
    }
    let mut r = Reply::json(v["status"].as_u64().unwrap() as u16, body);
    if let Some(h) = v.get("headers").and_then(Value::as_object) {
        for (name, value) in h {
            r = r.header(name, value.as_str().unwrap());
        }
    }
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth_token_endpoint_vectors() {
    let doc = load("oauth.json");
    let scopes: Vec<String> = doc["request_scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect();
    let vectors = doc["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 40);
    let server = TestServer::start(|_| Reply::json(500, "")).await;
    let client = OAuthClient::new(
        server.url("/token"),
        "vector-client",
        OAuthClientOptions::default().with_client_secret(Secret::new("vector-secret").unwrap()),
    )
    .unwrap();
    let mut names = std::collections::HashSet::new();
    for v in vectors {
        let name = v["name"].as_str().unwrap();
        assert!(
            names.insert(name.to_owned()),
            "duplicate vector name {name}"
        );
        let r = reply(v);
        server.set(move |_| r.clone());
        let result = client
            .request_token_detailed(&Grant::ClientCredentials {
                scopes: scopes.clone(),
            })
            .await;
        let sent = server.last();
        assert_eq!(sent.path, "/token", "{name}");
        assert_eq!(
            sent.form("grant_type").as_deref(),
            Some("client_credentials"),
            "{name}"
        );
        let expect = &v["expect"];
        if let Some(code) = expect.get("code") {
            let failure = match result {
                Ok(_) => panic!("{name}: expected {code}, got a token"),
                Err(f) => f,
            };
            assert_eq!(
                failure.error.code().as_str(),
                code.as_str().unwrap(),
                "{name}"
            );
            if let Some(text) = expect.get("message_excludes").and_then(Value::as_str) {
                assert!(!failure.error.message().contains(text), "{name}");
                assert!(!failure.error.to_string().contains(text), "{name}");
            }
            if let Some(ra) = expect.get("retry_after") {
                assert_eq!(
                    failure.retry_after,
                    ra.as_u64().map(Duration::from_secs),
                    "{name}"
                );
            }
        } else {
            let t = match result {
                Ok(t) => t,
                Err(f) => panic!("{name}: expected a token, got {}", f.error.code().as_str()),
            };
            if expect.get("access_token") == Some(&Value::Bool(true)) {
                assert!(!t.access_token.expose().is_empty(), "{name}");
            }
            if let Some(e) = expect.get("expires_in") {
                assert_eq!(t.expires_in.map(|d| d.as_secs()), e.as_u64(), "{name}");
            }
            if let Some(s) = expect.get("scopes") {
                let want: Vec<&str> = s
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap())
                    .collect();
                assert_eq!(t.access_token.scopes(), want.as_slice(), "{name}");
            }
            if let Some(rt) = expect.get("refresh_token").and_then(Value::as_bool) {
                assert_eq!(t.refresh_token.is_some(), rt, "{name}");
            }
        }
    }
}
