//! Pushed authorization requests (RFC 9126) against the real OAuth mock server
//! (`tests/oauth/mock-server.mjs` with the PAR endpoint of `tests/oauth/par.mjs`): the pushed
//! parameters (PKCE, state, nonce, dpop_jkt) with client authentication, the short
//! authorization URL, the whole login through it, and the refusals with their codes.

use crate::common::MockServer;

use tokenward::dpop::DpopKey;
use tokenward::jwt::{self, Algorithm};
use tokenward::oauth::{
    AuthMethod, AuthorizationFlow, AuthorizationFlowOptions, OAuthClient, OAuthClientOptions,
};
use tokenward::{ErrorCode, Secret};

const REDIRECT: &str = "http://127.0.0.1:9/callback";

/// Stands in for the browser: GETs the authorization URL and returns where it redirects to.
async fn follow(url: &str) -> String {
    let answer = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(url)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 302, "{url}");
    answer.headers()["location"].to_str().unwrap().to_owned()
}

async fn confidential(server: &MockServer, options: OAuthClientOptions) -> OAuthClient {
    OAuthClient::discover(
        &server.issuer,
        "app",
        options.with_client_secret(Secret::new("app-secret").unwrap()),
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_server_pushed_login_with_client_authentication_and_dpop_jkt() {
    let server = MockServer::start();
    let key = DpopKey::generate(Algorithm::ES256).unwrap();
    let client = confidential(
        &server,
        OAuthClientOptions::default().with_dpop_key(key.clone()),
    )
    .await;
    let meta = client.server_metadata().unwrap();
    assert_eq!(
        meta.pushed_authorization_request_endpoint.as_deref(),
        Some(format!("{}/par", server.issuer).as_str())
    );
    assert!(!meta.require_pushed_authorization_requests);

    let flow = AuthorizationFlow::start(
        &client,
        REDIRECT,
        AuthorizationFlowOptions::new().with_scopes(["openid", "profile"]),
    )
    .await
    .unwrap();
    let request_uri = flow.request_uri().unwrap().to_owned();
    assert!(request_uri.starts_with("urn:ietf:params:oauth:request_uri:"));
    // The browser sees client_id and request_uri only.
    let url = url::Url::parse(flow.authorization_url()).unwrap();
    let names: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
    assert_eq!(names, ["client_id", "request_uri"]);
    assert!(!flow.authorization_url().contains("code_challenge"));

    // The server got the parameters with Basic client authentication.
    let last = server.control("/__par_last").await;
    assert_eq!(last["auth"], "basic");
    let params = &last["params"];
    assert_eq!(params["client_id"], "app");
    assert_eq!(params["state"], flow.state());
    assert_eq!(params["nonce"], flow.nonce().unwrap());
    assert_eq!(params["code_challenge"], flow.pkce().challenge());
    assert_eq!(params["code_challenge_method"], "S256");
    assert_eq!(params["redirect_uri"], REDIRECT);
    assert_eq!(params["scope"], "openid profile");
    assert_eq!(params["dpop_jkt"], key.thumbprint());

    // The whole login through the pushed request: the server checked the PKCE verifier
    // against the pushed challenge and the code's dpop_jkt against the token request's proof.
    let location = follow(flow.authorization_url()).await;
    let tokens = flow.complete(&location).await.unwrap();
    assert!(tokens.access_token.is_dpop());
    let (_, claims) = jwt::decode_unverified(tokens.id_token.as_ref().unwrap().expose()).unwrap();
    assert_eq!(claims["nonce"], flow.nonce().unwrap());
    // The request_uri is single-use.
    let again = reqwest::get(flow.authorization_url()).await.unwrap();
    assert_eq!(again.status(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_server_pushed_login_of_a_public_client_and_client_secret_post() {
    let server = MockServer::start();
    let public = OAuthClient::discover(
        &server.issuer,
        "mobile",
        OAuthClientOptions::default().with_auth_method(AuthMethod::PublicClient),
    )
    .await
    .unwrap();
    let flow = AuthorizationFlow::start(&public, REDIRECT, AuthorizationFlowOptions::new())
        .await
        .unwrap();
    let last = server.control("/__par_last").await;
    assert_eq!(last["auth"], "none");
    assert_eq!(last["params"]["client_id"], "mobile");
    let tokens = flow
        .complete(&follow(flow.authorization_url()).await)
        .await
        .unwrap();
    assert!(tokens.refresh_token.is_some());

    let post = confidential(
        &server,
        OAuthClientOptions::default().with_auth_method(AuthMethod::ClientSecretPost),
    )
    .await;
    AuthorizationFlow::start(&post, REDIRECT, AuthorizationFlowOptions::new())
        .await
        .unwrap();
    let last = server.control("/__par_last").await;
    assert_eq!(last["auth"], "post");
    assert_eq!(last["params"]["client_id"], "app");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_server_requires_pushed_requests() {
    let server = MockServer::start();
    server.control("/__par?mode=require").await;
    let client = confidential(&server, OAuthClientOptions::default()).await;
    assert!(
        client
            .server_metadata()
            .unwrap()
            .require_pushed_authorization_requests
    );
    // `new` makes no request, so it cannot honour the server's requirement.
    let err =
        AuthorizationFlow::new(&client, REDIRECT, AuthorizationFlowOptions::new()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    // The server indeed refuses an unpushed request.
    let plain = OAuthClient::new(
        format!("{}/token", server.issuer),
        "app",
        OAuthClientOptions::default()
            .with_client_secret(Secret::new("app-secret").unwrap())
            .with_authorization_url(format!("{}/authorize", server.issuer)),
    )
    .unwrap();
    let unpushed =
        AuthorizationFlow::new(&plain, REDIRECT, AuthorizationFlowOptions::new()).unwrap();
    assert_eq!(
        reqwest::get(unpushed.authorization_url())
            .await
            .unwrap()
            .status(),
        400
    );
    // `start` pushes and the login goes through.
    let flow = AuthorizationFlow::start(&client, REDIRECT, AuthorizationFlowOptions::new())
        .await
        .unwrap();
    flow.complete(&follow(flow.authorization_url()).await)
        .await
        .unwrap();

    // A client that knows no PAR endpoint, asked to require pushing: invalid_input, no request.
    let before = server.count("par").await;
    let err = AuthorizationFlow::start(
        &plain,
        REDIRECT,
        AuthorizationFlowOptions::new().with_require_pushed_authorization(true),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    // Without the requirement it is the plain flow.
    let unpushed = AuthorizationFlow::start(&plain, REDIRECT, AuthorizationFlowOptions::new())
        .await
        .unwrap();
    assert!(unpushed.request_uri().is_none());
    assert!(unpushed.authorization_url().contains("code_challenge="));
    // An explicit endpoint pushes even without discovery.
    let pushed = AuthorizationFlow::start(
        &plain,
        REDIRECT,
        AuthorizationFlowOptions::new()
            .with_pushed_authorization_url(format!("{}/par", server.issuer)),
    )
    .await
    .unwrap();
    assert!(pushed.request_uri().is_some());
    assert_eq!(server.count("par").await, before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_server_pushed_request_refusals() {
    let server = MockServer::start();
    let client = confidential(&server, OAuthClientOptions::default()).await;
    let start =
        |options: AuthorizationFlowOptions| AuthorizationFlow::start(&client, REDIRECT, options);

    // The server answers 400 invalid_request: the RFC 6749 mapping, nothing of its description.
    server.control("/__par?mode=error").await;
    let err = start(AuthorizationFlowOptions::new()).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(
        err.message().contains("invalid_request"),
        "{}",
        err.message()
    );
    assert!(!err.message().contains("tok_SECRET"));

    // A 201 without request_uri, or with expires_in 0: invalid_response.
    server.control("/__par?mode=no_request_uri").await;
    let err = start(AuthorizationFlowOptions::new()).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidResponse);
    server.control("/__par?mode=bad_expiry").await;
    let err = start(AuthorizationFlowOptions::new()).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidResponse);
    server.control("/__par?mode=ok").await;

    // A PAR endpoint over plain http off loopback is refused before any request.
    let before = server.count("par").await;
    let err = start(
        AuthorizationFlowOptions::new().with_pushed_authorization_url("http://as.example/par"),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert_eq!(server.count("par").await, before);
    // `new` refuses an explicit PAR endpoint (it would be ignored).
    let err = AuthorizationFlow::new(
        &client,
        REDIRECT,
        AuthorizationFlowOptions::new()
            .with_pushed_authorization_url(format!("{}/par", server.issuer)),
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    // Nothing refused reached /authorize or the token endpoint.
    assert_eq!(server.count("token").await, 0);
}
