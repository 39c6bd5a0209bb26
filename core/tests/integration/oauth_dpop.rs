//! The DPoP client (RFC 9449) against the real OAuth mock server, whose token endpoint and
//! protected resource (`/__dpop_api`) verify proofs with `jose` (tests/oauth/dpop.mjs): proofs
//! on every grant, the nonce challenge answered once (never twice), `token_type: DPoP` tokens
//! with `cnf.jkt`, resource requests with `ath` and the resource server's nonce, `dpop_jkt` in
//! the authorization URL, and the refusals' codes.

use crate::common;

use common::MockServer;
use tokenward::dpop::DpopKey;
use tokenward::jwt::{self, Algorithm};
use tokenward::oauth::{AccessToken, OAuthClient, OAuthClientOptions};
use tokenward::oauth::{AuthMethod, AuthorizationFlow, AuthorizationFlowOptions};
use tokenward::refresh::{retry_action, RetryAction, TokenSource, TokenSourceOptions};
use tokenward::{ErrorCode, Secret};

async fn client(server: &MockServer, key: Option<DpopKey>) -> OAuthClient {
    let mut options =
        OAuthClientOptions::default().with_client_secret(Secret::new("mock-secret").unwrap());
    if let Some(key) = key {
        options = options.with_dpop_key(key);
    }
    OAuthClient::discover(&server.issuer, "mock-client", options)
        .await
        .unwrap()
}

async fn last(server: &MockServer) -> serde_json::Value {
    server.control("/__dpop_last").await
}

/// A resource request the way the HTTP hooks make it: `request_headers`, then one retry as
/// `retry_action` says (a nonce challenge here).
async fn get_resource(server: &MockServer, token: &AccessToken) -> (u16, serde_json::Value) {
    let url = format!("{}/__dpop_api?page=1", server.issuer);
    let send = |nonce: Option<String>| {
        let url = url.clone();
        async move {
            let mut request = reqwest::Client::new().get(&url);
            for (name, value) in token
                .request_headers("GET", &url, nonce.as_deref())
                .unwrap()
            {
                request = request.header(name, value);
            }
            request.send().await.unwrap()
        }
    };
    let mut answer = send(None).await;
    let header =
        |a: &reqwest::Response, n: &str| a.headers().get(n).map(|v| v.to_str().unwrap().to_owned());
    let action = retry_action(
        answer.status().as_u16(),
        header(&answer, "www-authenticate").as_deref(),
        header(&answer, "dpop-nonce").as_deref(),
    );
    if let RetryAction::RetryWithNonce(nonce) = action {
        answer = send(Some(nonce)).await;
    }
    // As the hooks do: a DPoP-Nonce on any answer (a 200 too) is remembered for the origin.
    if let Some(nonce) = header(&answer, "dpop-nonce") {
        token.remember_dpop_nonce(&url, &nonce);
    }
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dpop_tokens_are_bound_and_used_with_proofs() {
    let server = MockServer::start();
    for alg in DpopKey::ALGORITHMS {
        let key = DpopKey::generate(alg).unwrap();
        let c = client(&server, Some(key.clone())).await;
        assert_eq!(c.dpop_key().unwrap().thumbprint(), key.thumbprint());
        let r = c.client_credentials(&["read".into()]).await.unwrap();
        assert!(r.access_token.is_dpop());
        assert_eq!(r.access_token.token_type(), "DPoP");
        // The server verified the proof and bound the token to the key.
        let (_, claims) = jwt::decode_unverified(r.access_token.expose()).unwrap();
        assert_eq!(claims["cnf"]["jkt"], key.thumbprint());
        let seen = last(&server).await;
        assert_eq!(seen["token"]["htm"], "POST");
        assert_eq!(seen["token"]["htu"], format!("{}/token", server.issuer));
        assert!(seen["token"]["ath"].is_null());

        // The resource request: Authorization: DPoP plus a proof with ath.
        let headers = r
            .access_token
            .request_headers("GET", "https://api.example/x", None)
            .unwrap();
        assert_eq!(headers[0].0, "Authorization");
        assert!(headers[0].1.starts_with("DPoP "));
        assert_eq!(headers[1].0, "DPoP");
        let (status, body) = get_resource(&server, &r.access_token).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["jkt"], key.thumbprint());
        assert_eq!(
            last(&server).await["api"]["ath"],
            tokenward::dpop::access_token_hash(r.access_token.expose())
        );
        assert_eq!(
            last(&server).await["api"]["htu"],
            format!("{}/__dpop_api", server.issuer)
        );

        // Refresh carries a proof too.
        let refreshed = c
            .refresh(&Secret::new("some-refresh").unwrap(), &[])
            .await
            .unwrap();
        assert!(refreshed.access_token.is_dpop());
    }
    // The token without its proof is refused by the resource server.
    let c = client(&server, Some(DpopKey::generate(Algorithm::ES256).unwrap())).await;
    let r = c.client_credentials(&[]).await.unwrap();
    let answer = reqwest::Client::new()
        .get(format!("{}/__dpop_api", server.issuer))
        .header("Authorization", r.access_token.authorization_header())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nonce_challenges_are_answered_once_and_not_twice() {
    let server = MockServer::start();
    let c = client(&server, Some(DpopKey::generate(Algorithm::ES256).unwrap())).await;
    server
        .control("/__dpop_nonce?token=require&api=require")
        .await;
    let r = c.client_credentials(&[]).await.unwrap();
    assert!(r.access_token.is_dpop());
    assert_eq!(server.count("token").await, 2, "one challenge, one retry");
    assert!(last(&server).await["token"]["nonce"].is_string());
    // The nonce is remembered for the origin: the next request needs no retry.
    c.client_credentials(&[]).await.unwrap();
    assert_eq!(server.count("token").await, 3);

    // The resource server's challenge: one retry with its nonce.
    let (status, body) = get_resource(&server, &r.access_token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(server.count("__dpop_api").await, 2);

    // A server that challenges every time: the client retries once, then reports the code.
    server.control("/__dpop_nonce?token=always").await;
    let err = c.client_credentials(&[]).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::UseDpopNonce);
    assert_eq!(server.count("token").await, 5, "exactly one retry");
}

/// RFC 9449 section 8.2: a `DPoP-Nonce` on a successful answer (token endpoint or resource) is
/// put in the next proof to that origin.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nonces_sent_on_successful_answers_are_used_next() {
    let server = MockServer::start();
    let c = client(&server, Some(DpopKey::generate(Algorithm::ES256).unwrap())).await;
    server
        .control("/__dpop_nonce?token=advertise&api=advertise")
        .await;
    let r = c.client_credentials(&[]).await.unwrap();
    let sent = last(&server).await["advertised"]["token"].clone();
    assert!(sent.is_string());
    c.client_credentials(&[]).await.unwrap();
    let seen = last(&server).await;
    assert_eq!(seen["token"]["nonce"], sent, "{seen}");
    assert_eq!(server.count("token").await, 2, "no challenge, no retry");

    let (status, body) = get_resource(&server, &r.access_token).await;
    assert_eq!(status, 200, "{body}");
    let sent = last(&server).await["advertised"]["api"].clone();
    assert!(sent.is_string());
    let (status, _) = get_resource(&server, &r.access_token).await;
    assert_eq!(status, 200);
    assert_eq!(last(&server).await["api"]["nonce"], sent);
    assert_eq!(server.count("__dpop_api").await, 2);
    // A bearer token ignores nonces (nothing to put them in).
    let bearer = client(&server, None)
        .await
        .client_credentials(&[])
        .await
        .unwrap();
    bearer.access_token.remember_dpop_nonce(&server.issuer, "n");
    assert!(!bearer.access_token.is_dpop());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bearer_stays_bearer_and_refusals_have_codes() {
    let server = MockServer::start();
    // No key: a bearer token, Authorization: Bearer only.
    let plain = client(&server, None).await;
    let r = plain.client_credentials(&[]).await.unwrap();
    assert!(!r.access_token.is_dpop());
    let headers = r
        .access_token
        .request_headers("GET", "https://api.example/", None)
        .unwrap();
    assert_eq!(headers.len(), 1);
    assert!(headers[0].1.starts_with("Bearer "));
    assert!(last(&server).await["token"].is_null(), "no proof was sent");

    // A server's invalid_dpop_proof / use_dpop_nonce map to the codes of the same names.
    let c = client(&server, Some(DpopKey::generate(Algorithm::EdDSA).unwrap())).await;
    for (error, code) in [
        ("invalid_dpop_proof", ErrorCode::InvalidDpopProof),
        ("use_dpop_nonce", ErrorCode::UseDpopNonce),
    ] {
        server
            .control(&format!("/__next_error?error={error}&status=400"))
            .await;
        assert_eq!(c.client_credentials(&[]).await.unwrap_err().code(), code);
    }

    // A DPoP answer to a client without a key is invalid_response.
    server.control("/__dpop_token_type").await;
    let err = plain.client_credentials(&[]).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidResponse);
    // A DPoP-bound token made without the key cannot make resource headers.
    let orphan = AccessToken::new(Secret::new("AT").unwrap(), "DPoP", None, vec![]);
    assert!(orphan.is_dpop());
    let err = orphan
        .request_headers("GET", "https://api.example/", None)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_source_and_authorization_flow_carry_the_key() {
    let server = MockServer::start();
    let key = DpopKey::generate(Algorithm::ES256).unwrap();
    let c = client(&server, Some(key.clone())).await;
    let source =
        TokenSource::client_credentials(c, vec!["read".into()], TokenSourceOptions::default())
            .unwrap();
    let token = source.token().await.unwrap();
    assert!(token.is_dpop());
    let (status, _) = get_resource(&server, &token).await;
    assert_eq!(status, 200);
    source.close();

    // The authorization flow sends dpop_jkt, and the code exchange proves the same key.
    let public = OAuthClient::discover(
        &server.issuer,
        "app",
        OAuthClientOptions::default()
            .with_auth_method(AuthMethod::PublicClient)
            .with_dpop_key(key.clone()),
    )
    .await
    .unwrap();
    let flow = AuthorizationFlow::new(
        &public,
        "http://127.0.0.1:9/callback",
        AuthorizationFlowOptions::new().with_scopes(["profile"]),
    )
    .unwrap();
    let url = reqwest::Url::parse(flow.authorization_url()).unwrap();
    let jkt = url
        .query_pairs()
        .find(|(k, _)| k == "dpop_jkt")
        .map(|(_, v)| v.into_owned());
    assert_eq!(jkt.as_deref(), Some(key.thumbprint()));
    let location = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(flow.authorization_url())
        .send()
        .await
        .unwrap()
        .headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(last(&server).await["authorize_dpop_jkt"], key.thumbprint());
    let tokens = flow.complete(&location).await.unwrap();
    assert!(tokens.access_token.is_dpop());

    // Without a key the URL has no dpop_jkt.
    let plain = OAuthClient::discover(
        &server.issuer,
        "app",
        OAuthClientOptions::default().with_auth_method(AuthMethod::PublicClient),
    )
    .await
    .unwrap();
    let flow = AuthorizationFlow::new(
        &plain,
        "http://127.0.0.1:9/callback",
        AuthorizationFlowOptions::new(),
    )
    .unwrap();
    assert!(!flow.authorization_url().contains("dpop_jkt"));
}
