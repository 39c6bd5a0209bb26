//! The gateway on rotating keys: an `Authenticator` with a remote JWT verifier, against the real
//! oauth2-mock-server (discovery, JWKS, key rotation, a token of another issuer) and a local
//! JWKS server (cooldown, cache lifetime with a background refresh, endpoint down).

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::{MockServer, Reply, TestServer};
use tokenward::clock::ManualClock;
use tokenward::gateway::{Authenticator, AuthenticatorOptions, CredentialKind, Request};
use tokenward::jwt::{
    self, Algorithm, JwtIssueOptions, JwtIssuer, JwtIssuerOptions, JwtKey, JwtVerifierOptions,
    KeySet, RemoteJwtVerifier, RemoteKeySet, RemoteKeySetOptions,
};
use tokenward::oauth::{OAuthClient, OAuthClientOptions};
use tokenward::{ErrorCode, Secret};

fn headers(token: &str) -> [(&'static str, String); 1] {
    [("authorization", format!("Bearer {token}"))]
}

/// Authenticates `token` (sync or async) and returns the refusal's (code, status) or "ok".
macro_rules! decide {
    ($auth:expr, $token:expr) => {{
        let h = headers($token);
        let pairs = [(h[0].0, h[0].1.as_str())];
        let req = Request {
            headers: &pairs,
            ..Request::default()
        };
        $auth
            .authenticate(&req)
            .map(|_| ())
            .map_err(|r| (r.code, r.status))
    }};
    ($auth:expr, $token:expr, async) => {{
        let h = headers($token);
        let pairs = [(h[0].0, h[0].1.as_str())];
        let req = Request {
            headers: &pairs,
            ..Request::default()
        };
        $auth
            .authenticate_async(&req)
            .await
            .map(|p| {
                assert_eq!(p.kind, CredentialKind::Jwt);
            })
            .map_err(|r| (r.code, r.status))
    }};
}

async fn access_token(client: &OAuthClient) -> String {
    let r = client.client_credentials(&["read".into()]).await.unwrap();
    r.access_token.expose().to_owned()
}

fn kid(token: &str) -> String {
    let (header, _) = jwt::decode_unverified(token).unwrap();
    header["kid"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_rotated_at_the_provider_is_picked_up_and_the_discovered_issuer_enforced() {
    let server = MockServer::start();
    let client = OAuthClient::discover(
        &server.issuer,
        "mock-client",
        OAuthClientOptions::default().with_client_secret(Secret::new("mock-secret").unwrap()),
    )
    .await
    .unwrap();
    let options = RemoteKeySetOptions::new().with_cooldown(Duration::ZERO);
    let (issuer, keys) = jwt::discover(&server.issuer, options).await.unwrap();
    assert_eq!(keys.issuer(), Some(issuer.as_str()));
    // No issuer named: the discovered one is enforced.
    let verifier =
        RemoteJwtVerifier::new(keys.clone(), JwtVerifierOptions::new([Algorithm::RS256])).unwrap();
    let auth = Authenticator::new(AuthenticatorOptions::new().with_remote_jwt(Arc::new(verifier)))
        .unwrap();
    assert!(auth.has_remote_jwt());

    let first = access_token(&client).await;
    // The synchronous path never fetches: nothing is cached yet.
    assert_eq!(decide!(auth, &first), Err((ErrorCode::InvalidInput, 500)));
    assert_eq!(keys.fetch_count(), 0);
    assert_eq!(decide!(auth, &first, async), Ok(()));
    assert_eq!(keys.fetch_count(), 1);
    // Now the synchronous path serves it from the cached keys.
    assert_eq!(decide!(auth, &first), Ok(()));

    // The provider rotates: a token signed with the new key.
    server.control("/__rotate_keys").await;
    let second = access_token(&client).await;
    assert_ne!(kid(&first), kid(&second));
    assert_eq!(decide!(auth, &second), Err((ErrorCode::InvalidInput, 500)));
    assert_eq!(keys.fetch_count(), 1, "the synchronous path made a request");
    assert_eq!(decide!(auth, &second, async), Ok(()));
    assert_eq!(keys.fetch_count(), 2);
    assert_eq!(decide!(auth, &second), Ok(()));
    assert_eq!(decide!(auth, &first), Ok(()));

    // A token of another issuer, signed with the provider's key, is refused.
    server
        .control("/__token_iss?value=https://other.example")
        .await;
    let foreign = access_token(&client).await;
    assert_eq!(
        decide!(auth, &foreign, async),
        Err((ErrorCode::InvalidIssuer, 401))
    );
    assert_eq!(
        decide!(auth, &foreign),
        Err((ErrorCode::InvalidIssuer, 401))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verifier_naming_another_issuer_than_discovery_is_refused() {
    let server = MockServer::start();
    let (issuer, keys) = jwt::discover(&server.issuer, RemoteKeySetOptions::new())
        .await
        .unwrap();
    let other = JwtVerifierOptions::new([Algorithm::RS256]).with_issuers(["https://other.example"]);
    let err = RemoteJwtVerifier::new(keys.clone(), other).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.message().contains("discovered"), "{}", err.message());
    let same = JwtVerifierOptions::new([Algorithm::RS256]).with_issuers([issuer]);
    RemoteJwtVerifier::new(keys, same).unwrap();
    // Both a local and a remote verifier: refused.
    let local =
        jwt::JwtVerifier::new(KeySet::new(), JwtVerifierOptions::new([Algorithm::RS256])).unwrap();
    let remote = RemoteJwtVerifier::new(
        RemoteKeySet::new(
            &format!("{}/jwks", server.issuer),
            RemoteKeySetOptions::new(),
        )
        .unwrap(),
        JwtVerifierOptions::new([Algorithm::RS256]),
    )
    .unwrap();
    let err = Authenticator::new(
        AuthenticatorOptions::new()
            .with_jwt(Arc::new(local))
            .with_remote_jwt(Arc::new(remote)),
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
}

fn signer(kid: &str) -> (JwtIssuer, String) {
    let key = JwtKey::generate(Algorithm::ES256).unwrap().with_kid(kid);
    let jwks = KeySet::single(key.clone()).to_jwks().to_string();
    (JwtIssuer::new(key, JwtIssuerOptions::new()).unwrap(), jwks)
}

fn token(issuer: &JwtIssuer) -> String {
    issuer
        .issue(&Default::default(), &JwtIssueOptions::new())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cooldown_cache_lifetime_and_a_failing_endpoint() {
    let (a, jwks_a) = signer("a");
    let (b, jwks_b) = signer("b");
    let body = jwks_a.clone();
    let server = TestServer::start(move |_| Reply::json(200, body.clone())).await;
    let clock = ManualClock::at_unix(1_900_000_000);
    let keys = RemoteKeySet::new(
        &server.url("/jwks.json"),
        RemoteKeySetOptions::new()
            .with_clock(clock.clone())
            .with_ttl(Duration::from_secs(600)),
    )
    .unwrap();
    let verifier =
        RemoteJwtVerifier::new(keys.clone(), JwtVerifierOptions::new([Algorithm::ES256])).unwrap();
    let auth = Authenticator::new(AuthenticatorOptions::new().with_remote_jwt(Arc::new(verifier)))
        .unwrap();
    assert_eq!(decide!(auth, &token(&a), async), Ok(()));
    assert_eq!(server.hits(), 1);

    // Within the cooldown an unknown kid is refused key_not_found on both paths, no request.
    server.set(move |_| Reply::json(200, jwks_b.clone()));
    assert_eq!(
        decide!(auth, &token(&b)),
        Err((ErrorCode::KeyNotFound, 401))
    );
    assert_eq!(
        decide!(auth, &token(&b), async),
        Err((ErrorCode::KeyNotFound, 401))
    );
    assert_eq!(server.hits(), 1);

    // Past the cache lifetime the synchronous path keeps serving the cached keys and starts
    // one refresh in the background.
    clock.advance(Duration::from_secs(601));
    assert_eq!(decide!(auth, &token(&a)), Ok(()));
    // The refreshed set (b's key) lands without any asynchronous call.
    let mut refreshed = decide!(auth, &token(&b));
    for _ in 0..300 {
        if refreshed.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        refreshed = decide!(auth, &token(&b));
    }
    assert_eq!(refreshed, Ok(()));
    assert_eq!(keys.fetch_count(), 2);

    // A key endpoint that is down: 503 with the failure's code, no challenge.
    let down =
        RemoteKeySet::new("http://127.0.0.1:9/jwks.json", RemoteKeySetOptions::new()).unwrap();
    let down = RemoteJwtVerifier::new(down, JwtVerifierOptions::new([Algorithm::ES256])).unwrap();
    let auth =
        Authenticator::new(AuthenticatorOptions::new().with_remote_jwt(Arc::new(down))).unwrap();
    let refused = decide!(auth, &token(&a), async).unwrap_err();
    assert_eq!(refused, (ErrorCode::Network, 503));
}
