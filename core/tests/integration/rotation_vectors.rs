//! `tests/vectors/rotation.json`: the gateway on rotating keys as sequences of served key sets
//! and authentications (sync / async), with their outcomes and the key set's fetch counts. The
//! JWKS is served by the OAuth mock server (`/__jwks_doc?id=...`).

use crate::common::MockServer;
use crate::vector_files;

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokenward::gateway::{Authenticator, AuthenticatorOptions, Request};
use tokenward::jwt::{
    Algorithm, JwtVerifierOptions, RemoteJwtVerifier, RemoteKeySet, RemoteKeySetOptions,
};

fn text(v: &Value) -> &str {
    v.as_str().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_vectors() {
    let v = vector_files::load("rotation.json");
    let server = MockServer::start();
    let algorithms: Vec<Algorithm> = v["algorithms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| text(a).parse().unwrap())
        .collect();
    let mut checked = 0;
    for (n, case) in v["cases"].as_array().unwrap().iter().enumerate() {
        let name = text(&case["name"]);
        let id = format!("rust-{n}");
        let cooldown = Duration::from_secs(v["cooldown_seconds"].as_u64().unwrap());
        let keys = RemoteKeySet::new(
            &format!("{}/__jwks_doc?id={id}", server.issuer),
            RemoteKeySetOptions::new().with_cooldown(cooldown),
        )
        .unwrap();
        let options = JwtVerifierOptions::new(algorithms.clone())
            .with_issuers([text(&v["issuer"])])
            .with_audiences([text(&v["audience"])]);
        let verifier = RemoteJwtVerifier::new(keys.clone(), options).unwrap();
        let auth =
            Authenticator::new(AuthenticatorOptions::new().with_remote_jwt(Arc::new(verifier)))
                .unwrap();
        for (i, step) in case["steps"].as_array().unwrap().iter().enumerate() {
            if let Some(set) = step.get("serve") {
                let doc = v["key_sets"][text(set)].to_string();
                let doc: String = url::form_urlencoded::byte_serialize(doc.as_bytes()).collect();
                server
                    .control(&format!("/__jwks_doc?id={id}&doc={doc}"))
                    .await;
                continue;
            }
            let header = format!("Bearer {}", text(&v["tokens"][text(&step["token"])]));
            let pairs = [("authorization", header.as_str())];
            let req = Request {
                headers: &pairs,
                ..Request::default()
            };
            let decision = if text(&step["path"]) == "sync" {
                auth.authenticate(&req)
            } else {
                auth.authenticate_async(&req).await
            };
            let got = match decision {
                Ok(_) => "ok".to_owned(),
                Err(r) => format!("{}/{}", r.code.as_str(), r.status),
            };
            assert_eq!(got, text(&step["expect"]), "{name}: step {i}");
            assert_eq!(
                keys.fetch_count(),
                step["fetches"].as_u64().unwrap(),
                "{name}: step {i} fetches"
            );
            checked += 1;
        }
    }
    assert!(checked >= 25, "{checked}");
}
