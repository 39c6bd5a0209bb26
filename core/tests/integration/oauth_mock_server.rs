//! Against a real OAuth 2.0 / OIDC server: the npm package `oauth2-mock-server`, started from
//! `tests/oauth/mock-server.mjs` (needs `node` and `npm install` in node/; a missing node
//! fails the test rather than skipping it). Covers discovery, client credentials, refresh
//! with rotation, authorization code + PKCE, introspection, revocation, the token source
//! (single-flight counted by the server, terminal invalid_grant), and verification of the
//! issued tokens with tokenward's JwtVerifier through the server's JWKS.

use crate::common;

use std::time::Duration;

use common::MockServer;
use tokenward::jwt::{self, Algorithm, JwtVerifierOptions, RemoteJwtVerifier, RemoteKeySetOptions};
use tokenward::oauth::{OAuthClient, OAuthClientOptions, Pkce, TokenTypeHint};
use tokenward::refresh::{TokenSource, TokenSourceOptions, TokenSourceStatus as Status};
use tokenward::{ErrorCode, Secret};

async fn client(server: &MockServer) -> OAuthClient {
    let options =
        OAuthClientOptions::default().with_client_secret(Secret::new("mock-secret").unwrap());
    let client = OAuthClient::discover(&server.issuer, "mock-client", options)
        .await
        .unwrap();
    let meta = client.server_metadata().unwrap();
    assert_eq!(meta.issuer, server.issuer);
    assert!(meta.introspection_endpoint.is_some() && meta.revocation_endpoint.is_some());
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_server_grants_introspection_revocation_and_jwks_verification() {
    let server = MockServer::start();
    let c = client(&server).await;

    let r = c
        .client_credentials(&["read".into(), "write".into()])
        .await
        .unwrap();
    assert_eq!(r.access_token.token_type(), "Bearer");
    assert_eq!(r.access_token.scopes(), ["read", "write"]);
    assert_eq!(r.expires_in, Some(Duration::from_secs(3600)));

    // The token verifies with tokenward's verifier through OIDC discovery + JWKS.
    let (iss, remote) = jwt::discover(&server.issuer, RemoteKeySetOptions::default())
        .await
        .unwrap();
    let verifier = RemoteJwtVerifier::new(
        remote,
        JwtVerifierOptions::new([Algorithm::RS256]).with_issuers([iss]),
    )
    .unwrap();
    let claims = verifier.verify(r.access_token.expose()).await.unwrap();
    assert_eq!(claims["scope"], "read write");

    // Refresh with rotation: a new refresh token each time.
    let first = c
        .refresh(&Secret::new("initial-refresh").unwrap(), &[])
        .await
        .unwrap();
    let rt1 = first.refresh_token.clone().unwrap();
    let second = c.refresh(&rt1, &[]).await.unwrap();
    assert_ne!(second.refresh_token.unwrap().expose(), rt1.expose());
    assert!(first.id_token.is_some());
    verifier.verify(first.access_token.expose()).await.unwrap();

    // Introspection and revocation.
    let live = r.access_token.secret();
    assert!(
        c.introspect(live, Some(TokenTypeHint::AccessToken))
            .await
            .unwrap()
            .active
    );
    c.revoke(live, Some(TokenTypeHint::AccessToken))
        .await
        .unwrap();
    assert!(!c.introspect(live, None).await.unwrap().active);
    assert_eq!(server.count("introspect").await, 2);
    assert_eq!(server.count("revoke").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_server_authorization_code_with_pkce() {
    let server = MockServer::start();
    let c = client(&server).await;
    let pkce = Pkce::generate().unwrap();
    let redirect = "http://127.0.0.1:9/callback";
    let url = pkce
        .authorization_url(
            c.authorization_url().unwrap(),
            "app",
            redirect,
            "st-1",
            &["openid".into()],
        )
        .unwrap();
    // Stand in for the browser: the mock signs the user in at once and redirects with a code.
    let answer = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(url)
        .send()
        .await
        .unwrap();
    let location = reqwest::Url::parse(answer.headers()["location"].to_str().unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let tokens = c
        .exchange_code(&Secret::new(code).unwrap(), redirect, Some(&pkce))
        .await
        .unwrap();
    assert!(tokens.refresh_token.is_some());

    // A wrong verifier is refused by the server.
    let again = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(
            pkce.authorization_url(c.authorization_url().unwrap(), "app", redirect, "st-2", &[])
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let location = reqwest::Url::parse(again.headers()["location"].to_str().unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let other = Pkce::generate().unwrap();
    assert!(c
        .exchange_code(&Secret::new(code).unwrap(), redirect, Some(&other))
        .await
        .is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_server_token_source_single_flight_and_terminal_failure() {
    let server = MockServer::start();
    let c = client(&server).await;
    server.control("/__delay?ms=200").await;
    let src = TokenSource::client_credentials(
        c.clone(),
        vec!["read".into()],
        TokenSourceOptions::default(),
    )
    .unwrap();
    let tasks = common::spawn_token_callers(&src, 1000);
    let mut tokens = std::collections::HashSet::new();
    for t in tasks {
        tokens.insert(t.await.unwrap().unwrap());
    }
    assert_eq!(tokens.len(), 1);
    assert_eq!(
        server.count("token").await,
        1,
        "exactly one token request on the server"
    );
    src.close();

    // Refresh-token source: rotation, then invalid_grant is terminal.
    server.control("/__reset").await;
    let src = TokenSource::from_refresh_token(
        c,
        Secret::new("rt-0").unwrap(),
        vec![],
        TokenSourceOptions::default(),
    )
    .unwrap();
    let rotated = std::sync::Arc::new(parking_lot::Mutex::new(Vec::<String>::new()));
    let r = rotated.clone();
    src.on_refresh(std::sync::Arc::new(move |resp| {
        r.lock().push(
            resp.refresh_token
                .as_ref()
                .unwrap()
                .fingerprint()
                .to_owned(),
        )
    }));
    src.token().await.unwrap();
    let t2 = src.force_refresh().await.unwrap();
    assert_eq!(server.count("token").await, 2);
    let fps = rotated.lock().clone();
    assert_eq!(fps.len(), 2);
    assert_ne!(fps[0], fps[1], "each refresh rotates the refresh token");
    server.control("/__next_error?error=invalid_grant").await;
    assert_eq!(
        src.force_refresh().await.unwrap_err().code(),
        ErrorCode::InvalidGrant
    );
    assert_eq!(src.status(), Status::ReauthenticationRequired);
    assert_eq!(
        src.force_refresh().await.unwrap_err().code(),
        ErrorCode::InvalidGrant
    );
    assert_eq!(server.count("token").await, 3);
    // The still-valid token is served.
    assert_eq!(
        src.token().await.unwrap().secret().fingerprint(),
        t2.secret().fingerprint()
    );
}

/// Stands in for the browser: GETs the authorization URL (the mock signs the user in at once)
/// and returns where it redirects to.
async fn follow(url: &str) -> String {
    let answer = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(url)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 302);
    answer.headers()["location"].to_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_server_authorization_flow_and_its_refusals() {
    use tokenward::oauth::{AuthMethod, AuthorizationFlow, AuthorizationFlowOptions};
    let server = MockServer::start();
    let options = OAuthClientOptions::default().with_auth_method(AuthMethod::PublicClient);
    let c = OAuthClient::discover(&server.issuer, "app", options)
        .await
        .unwrap();
    assert!(
        c.server_metadata()
            .unwrap()
            .authorization_response_iss_parameter_supported
    );
    let redirect = "http://127.0.0.1:9/callback";
    let new_flow = || {
        AuthorizationFlow::new(
            &c,
            redirect,
            AuthorizationFlowOptions::new().with_scopes(["openid", "profile"]),
        )
        .unwrap()
    };

    let flow = new_flow();
    let location = follow(flow.authorization_url()).await;
    assert!(location.contains("iss="), "{location}");
    let tokens = flow.complete(&location).await.unwrap();
    assert!(tokens.refresh_token.is_some());
    // The server saw this flow's PKCE challenge (it checked the verifier) and its nonce.
    let (_, claims) = jwt::decode_unverified(tokens.id_token.as_ref().unwrap().expose()).unwrap();
    assert_eq!(claims["nonce"], flow.nonce().unwrap());
    assert_eq!(server.count("token").await, 1);

    // Another attempt's redirect: the state is not this flow's.
    let (first, second) = (new_flow(), new_flow());
    let other = follow(second.authorization_url()).await;
    let err = first.complete(&other).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidState);

    // The user said no: the server redirects with error=access_denied.
    server
        .control("/__authorize_error?error=access_denied")
        .await;
    let denied = new_flow();
    let err = denied
        .complete(&follow(denied.authorization_url()).await)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::AccessDenied);

    // A mix-up: the redirect names another issuer (RFC 9207).
    server
        .control("/__authorize_iss?value=https%3A%2F%2Fevil.example")
        .await;
    let mixed = new_flow();
    let err = mixed
        .complete(&follow(mixed.authorization_url()).await)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidIssuer);

    // No refused redirect reached the token endpoint.
    assert_eq!(server.count("token").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_server_id_tokens_verify_through_the_flow() {
    use tokenward::oauth::{
        AuthMethod, AuthorizationFlow, AuthorizationFlowOptions, IdTokenChecks, IdTokenVerifier,
        IdTokenVerifierOptions,
    };
    let server = MockServer::start();
    let options = OAuthClientOptions::default().with_auth_method(AuthMethod::PublicClient);
    let c = OAuthClient::discover(&server.issuer, "app", options)
        .await
        .unwrap();
    // Discovery lists RS256 only: the allowlist is that, intersected with the safe list.
    let verifier = IdTokenVerifier::for_client(&c, IdTokenVerifierOptions::new()).unwrap();
    assert_eq!(verifier.algorithms(), [Algorithm::RS256]);
    let flow = AuthorizationFlow::new(
        &c,
        "http://127.0.0.1:9/callback",
        AuthorizationFlowOptions::new().with_scopes(["openid"]),
    )
    .unwrap();
    let tokens = flow
        .complete(&follow(flow.authorization_url()).await)
        .await
        .unwrap();
    let claims = tokens.id_token_claims.as_ref().unwrap();
    assert_eq!(claims.sub(), Some("johndoe"));
    assert_eq!(claims["nonce"], flow.nonce().unwrap());
    assert_eq!(claims.iss(), Some(server.issuer.as_str()));

    // The same real ID token: another nonce, another client.
    let id_token = tokens.id_token.as_ref().unwrap().expose();
    let wrong_nonce = IdTokenChecks::new().with_nonce(Secret::new("not-the-nonce").unwrap());
    let err = verifier.verify(id_token, &wrong_nonce).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidNonce);
    let other = OAuthClient::discover(
        &server.issuer,
        "other-app",
        OAuthClientOptions::default().with_auth_method(AuthMethod::PublicClient),
    )
    .await
    .unwrap();
    let for_other = IdTokenVerifier::for_client(&other, IdTokenVerifierOptions::new()).unwrap();
    let err = for_other
        .verify(id_token, &IdTokenChecks::new())
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidAudience);

    // An expired ID token from the server (its lifetime set in the past).
    server.control("/__id_token_ttl?seconds=-600").await;
    let late = AuthorizationFlow::new(
        &c,
        "http://127.0.0.1:9/callback",
        AuthorizationFlowOptions::new().with_scopes(["openid"]),
    )
    .unwrap();
    let err = late
        .complete(&follow(late.authorization_url()).await)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Expired);
}
