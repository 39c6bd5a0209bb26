//! The OAuth 2.0 client against a local HTTP server: grants, client authentication, error
//! mapping, bounds, introspection, revocation and discovery.

use crate::common;

use std::str::FromStr;
use std::time::Duration;

use base64::Engine;
use common::{token_body, Reply, TestServer};
use tokenward::http::HttpPolicy;
use tokenward::jwt::{Algorithm, JwtKey, JwtVerifier, JwtVerifierOptions, KeySet};
use tokenward::oauth::{AuthMethod, OAuthClient, OAuthClientOptions, Pkce, TokenTypeHint};
use tokenward::{ErrorCode, Secret};

fn secret(s: &str) -> Secret {
    Secret::new(s).unwrap()
}

fn client(server: &TestServer, method: AuthMethod) -> OAuthClient {
    OAuthClient::new(
        server.url("/token"),
        "my client",
        OAuthClientOptions::default()
            .with_client_secret(secret("s3cr3t:&="))
            .with_auth_method(method)
            .with_introspection_url(server.url("/introspect"))
            .with_revocation_url(server.url("/revoke")),
    )
    .unwrap()
}

#[tokio::test]
async fn client_credentials_with_basic_auth() {
    let server = TestServer::start(|_| Reply::json(200, r#"{"access_token":"AT1","token_type":"Bearer","expires_in":3600,"scope":"read write"}"#)).await;
    let c = client(&server, AuthMethod::ClientSecretBasic);
    let r = c
        .client_credentials(&["read".into(), "write".into()])
        .await
        .unwrap();
    assert_eq!(r.access_token.expose(), "AT1");
    assert_eq!(r.access_token.scopes(), ["read", "write"]);
    assert_eq!(r.expires_in, Some(Duration::from_secs(3600)));
    let req = server.last();
    assert_eq!(req.method, "POST");
    assert_eq!(
        req.form("grant_type").as_deref(),
        Some("client_credentials")
    );
    assert_eq!(req.form("scope").as_deref(), Some("read write"));
    assert_eq!(req.form("client_secret"), None);
    // RFC 6749 2.3.1: id and secret are form-encoded before base64.
    let expected = base64::engine::general_purpose::STANDARD.encode("my+client:s3cr3t%3A%26%3D");
    assert_eq!(
        req.header("authorization"),
        Some(format!("Basic {expected}").as_str())
    );
    assert!(req
        .header("content-type")
        .unwrap()
        .starts_with("application/x-www-form-urlencoded"));
    assert!(!format!("{r:?} {c:?}").contains("AT1"));
    assert!(!format!("{c:?}").contains("s3cr3t"));
}

#[tokio::test]
async fn client_secret_post_and_refresh_rotation() {
    let server =
        TestServer::start(|_| Reply::json(200, token_body("AT2", 60, Some("RT-new")))).await;
    let c = client(&server, AuthMethod::ClientSecretPost);
    let r = c.refresh(&secret("RT-old"), &[]).await.unwrap();
    assert_eq!(r.refresh_token.as_ref().unwrap().expose(), "RT-new");
    let req = server.last();
    assert_eq!(req.header("authorization"), None);
    assert_eq!(req.form("grant_type").as_deref(), Some("refresh_token"));
    assert_eq!(req.form("refresh_token").as_deref(), Some("RT-old"));
    assert_eq!(req.form("client_id").as_deref(), Some("my client"));
    assert_eq!(req.form("client_secret").as_deref(), Some("s3cr3t:&="));
}

#[tokio::test]
async fn private_key_jwt_assertion_rfc7523() {
    let server = TestServer::start(|_| Reply::json(200, token_body("AT3", 60, None))).await;
    let key = JwtKey::generate(Algorithm::ES256)
        .unwrap()
        .with_kid("client-key");
    let c = OAuthClient::new(
        server.url("/token"),
        "svc",
        OAuthClientOptions::default().with_private_key(key.clone()),
    )
    .unwrap();
    assert_eq!(c.auth_method(), AuthMethod::PrivateKeyJwt);
    c.client_credentials(&[]).await.unwrap();
    let req = server.last();
    assert_eq!(
        req.form("client_assertion_type").as_deref(),
        Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    );
    let assertion = req.form("client_assertion").unwrap();
    let verifier = JwtVerifier::new(
        KeySet::single(key),
        JwtVerifierOptions::new([Algorithm::ES256])
            .with_issuers(["svc"])
            .with_audiences([server.url("/token")]),
    )
    .unwrap();
    let claims = verifier.verify(&assertion).unwrap();
    assert_eq!(claims["sub"], "svc");
    assert!(claims["jti"].as_str().unwrap().len() >= 16);
    let lifetime = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    assert!(lifetime > 0 && lifetime <= 60);
    // A second assertion has another jti.
    c.client_credentials(&[]).await.unwrap();
    assert_ne!(server.last().form("client_assertion").unwrap(), assertion);
}

/// FAPI 2.0 / RFC 7523bis: with a known issuer (configured or discovered) the assertion's
/// sole audience is the issuer identifier, not the token endpoint.
#[tokio::test]
async fn private_key_jwt_audience_is_the_issuer_when_known() {
    let server = TestServer::start(|_| Reply::json(200, token_body("AT", 60, None))).await;
    let issuer = server.url("/as");
    let meta_doc = serde_json::json!({"issuer": issuer, "token_endpoint": server.url("/token")});
    let body = meta_doc.to_string();
    server.set(move |req| {
        if req.path.starts_with("/as/.well-known/") {
            Reply::json(200, body.clone())
        } else {
            Reply::json(200, token_body("AT", 60, None))
        }
    });
    let key = JwtKey::generate(Algorithm::ES256).unwrap();
    let audience_of = |assertion: &str| {
        let (_, claims) = tokenward::jwt::decode_unverified(assertion).unwrap();
        claims["aud"].clone()
    };
    // Configured.
    let configured = OAuthClient::new(
        server.url("/token"),
        "svc",
        OAuthClientOptions::default()
            .with_private_key(key.clone())
            .with_issuer(issuer.clone()),
    )
    .unwrap();
    assert_eq!(configured.issuer(), Some(issuer.as_str()));
    configured.client_credentials(&[]).await.unwrap();
    let assertion = server.last().form("client_assertion").unwrap();
    assert_eq!(audience_of(&assertion), serde_json::json!(issuer));
    // Discovered.
    let discovered = OAuthClient::discover(
        &issuer,
        "svc",
        OAuthClientOptions::default().with_private_key(key.clone()),
    )
    .await
    .unwrap();
    assert_eq!(discovered.issuer(), Some(issuer.as_str()));
    discovered.client_credentials(&[]).await.unwrap();
    let assertion = server.last().form("client_assertion").unwrap();
    assert_eq!(audience_of(&assertion), serde_json::json!(issuer));
    // Unknown: the token endpoint (RFC 7523).
    let plain = OAuthClient::new(
        server.url("/token"),
        "svc",
        OAuthClientOptions::default().with_private_key(key),
    )
    .unwrap();
    assert_eq!(plain.issuer(), None);
    plain.client_credentials(&[]).await.unwrap();
    let assertion = server.last().form("client_assertion").unwrap();
    assert_eq!(
        audience_of(&assertion),
        serde_json::json!(server.url("/token"))
    );
}

#[tokio::test]
async fn authorization_code_with_pkce() {
    let server = TestServer::start(|_| Reply::json(200, token_body("AT4", 60, Some("RT4")))).await;
    let c = OAuthClient::new(
        server.url("/token"),
        "app",
        OAuthClientOptions::default().with_auth_method(AuthMethod::PublicClient),
    )
    .unwrap();
    let pkce = Pkce::generate().unwrap();
    let url = pkce
        .authorization_url(
            "https://as.example/authorize?x=1",
            "app",
            "app://callback",
            "st-1&evil=1",
            &["openid".to_owned()],
        )
        .unwrap();
    let query: std::collections::HashMap<String, String> = reqwest::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    assert_eq!(
        query["state"], "st-1&evil=1",
        "state is one encoded parameter"
    );
    assert!(!query.contains_key("evil"));
    assert_eq!(query["code_challenge"], pkce.challenge());
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["x"], "1");
    let r = c
        .exchange_code(&secret("the-code"), "app://callback", Some(&pkce))
        .await
        .unwrap();
    assert_eq!(r.refresh_token.unwrap().expose(), "RT4");
    let req = server.last();
    assert_eq!(
        req.form("grant_type").as_deref(),
        Some("authorization_code")
    );
    assert_eq!(req.form("code").as_deref(), Some("the-code"));
    assert_eq!(req.form("redirect_uri").as_deref(), Some("app://callback"));
    assert_eq!(
        req.form("code_verifier").as_deref(),
        Some(pkce.verifier().expose())
    );
    assert_eq!(req.form("client_id").as_deref(), Some("app"));
}

#[tokio::test]
async fn errors_map_to_codes_without_secrets() {
    let cases: Vec<(Reply, &str)> = vec![
        (
            Reply::json(
                400,
                r#"{"error":"invalid_grant","error_description":"RT-SECRET is bad"}"#,
            ),
            "invalid_grant",
        ),
        (
            Reply::json(401, r#"{"error":"invalid_client"}"#),
            "invalid_client",
        ),
        (
            Reply::json(400, r#"{"error":"invalid_scope"}"#),
            "invalid_scope",
        ),
        (
            Reply::json(400, r#"{"error":"unauthorized_client"}"#),
            "unauthorized_client",
        ),
        (
            Reply::json(400, r#"{"error":"unsupported_grant_type"}"#),
            "unsupported_grant_type",
        ),
        (Reply::json(500, "boom"), "server_error"),
        (
            Reply::json(503, r#"{"error":"temporarily_unavailable"}"#),
            "server_error",
        ),
        (
            Reply::json(429, "").header("retry-after", "3"),
            "rate_limited",
        ),
        (Reply::json(200, "<html>garbage"), "invalid_response"),
        (
            Reply::json(200, r#"{"token_type":"Bearer"}"#),
            "invalid_response",
        ),
        (
            Reply::json(200, r#"{"access_token":"x","expires_in":-5}"#),
            "invalid_response",
        ),
        (
            Reply::json(200, r#"{"access_token":"x","expires_in":99999999}"#),
            "invalid_response",
        ),
        (Reply::json(404, "not found"), "invalid_response"),
        (Reply::json(200, "x".repeat(300 * 1024)), "invalid_response"),
    ];
    for (reply, code) in cases {
        let r = reply.clone();
        let server = TestServer::start(move |_| r.clone()).await;
        let c = client(&server, AuthMethod::ClientSecretBasic);
        let err = c.refresh(&secret("RT-SECRET"), &[]).await.unwrap_err();
        assert_eq!(err.code().as_str(), code, "{reply:?}");
        assert!(!err.to_string().contains("RT-SECRET") && !err.to_string().contains("s3cr3t"));
    }
}

#[tokio::test]
async fn timeouts_and_connection_failures() {
    let server = TestServer::start(|_| {
        Reply::json(200, token_body("late", 60, None)).delay(Duration::from_secs(5))
    })
    .await;
    let c = OAuthClient::new(
        server.url("/token"),
        "id",
        OAuthClientOptions::default()
            .with_client_secret(secret("s"))
            .with_http_policy(HttpPolicy {
                timeout: Duration::from_millis(150),
                ..Default::default()
            }),
    )
    .unwrap();
    assert_eq!(
        c.client_credentials(&[]).await.unwrap_err().code(),
        ErrorCode::Timeout
    );

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let c = OAuthClient::new(
        format!("http://127.0.0.1:{port}/token"),
        "id",
        OAuthClientOptions::default().with_client_secret(secret("s")),
    )
    .unwrap();
    assert_eq!(
        c.client_credentials(&[]).await.unwrap_err().code(),
        ErrorCode::Network
    );
}

#[test]
fn builder_refuses_bad_settings() {
    let b = |o: OAuthClientOptions| OAuthClient::new("https://as.example/token", "id", o);
    let d = OAuthClientOptions::default;
    assert_eq!(b(d()).unwrap_err().code(), ErrorCode::InvalidInput); // no secret
    assert_eq!(
        b(d().with_auth_method(AuthMethod::PrivateKeyJwt))
            .unwrap_err()
            .code(),
        ErrorCode::InvalidInput
    );
    assert!(OAuthClient::new(
        "http://as.example/token",
        "id",
        OAuthClientOptions::default().with_client_secret(secret("s"))
    )
    .is_err());
    assert!(b(d().with_auth_method(AuthMethod::PublicClient)).is_ok());
    // The timeout is checked here, once for every binding: zero and absurd values are refused.
    let public = || d().with_auth_method(AuthMethod::PublicClient);
    for bad in [Duration::ZERO, Duration::from_secs(u64::MAX)] {
        assert_eq!(
            b(public().with_timeout(bad)).unwrap_err().code(),
            ErrorCode::InvalidInput,
            "{bad:?}"
        );
    }
    assert!(b(public().with_timeout(Duration::from_millis(1))).is_ok());
    for method in AuthMethod::ALL {
        assert_eq!(AuthMethod::from_str(method.as_str()).unwrap(), method);
    }
    assert_eq!(
        AuthMethod::from_str("client_secret_jwt")
            .unwrap_err()
            .code(),
        ErrorCode::InvalidInput
    );
}

#[tokio::test]
async fn introspection_and_revocation() {
    let server = TestServer::start(|req| match req.path.as_str() {
        "/introspect" if req.form("token").as_deref() == Some("AT-live") => Reply::json(
            200,
            r#"{"active":true,"scope":"a b","client_id":"my client","sub":"u1","exp":1900000000}"#,
        ),
        "/introspect" => Reply::json(200, r#"{"active":false}"#),
        "/revoke" => Reply::json(200, ""),
        _ => Reply::json(404, ""),
    })
    .await;
    let c = client(&server, AuthMethod::ClientSecretBasic);
    let i = c
        .introspect(&secret("AT-live"), Some(TokenTypeHint::AccessToken))
        .await
        .unwrap();
    assert!(i.active);
    assert_eq!(i.scopes, ["a", "b"]);
    assert_eq!(i.subject.as_deref(), Some("u1"));
    assert_eq!(
        server.last().form("token_type_hint").as_deref(),
        Some("access_token")
    );
    assert!(server.last().header("authorization").is_some());
    assert!(!c.introspect(&secret("AT-dead"), None).await.unwrap().active);
    c.revoke(&secret("RT-x"), Some(TokenTypeHint::RefreshToken))
        .await
        .unwrap();
    assert_eq!(server.last().path, "/revoke");
    assert_eq!(server.last().form("token").as_deref(), Some("RT-x"));
    // Without endpoints: invalid_input.
    let bare = OAuthClient::new(
        server.url("/token"),
        "id",
        OAuthClientOptions::default().with_client_secret(secret("s")),
    )
    .unwrap();
    assert_eq!(
        bare.revoke(&secret("x"), None).await.unwrap_err().code(),
        ErrorCode::InvalidInput
    );
}

#[tokio::test]
async fn discovery_falls_back_to_openid_configuration_and_checks_issuer() {
    let server = TestServer::start(|_| Reply::json(404, "")).await;
    let base = server.base.clone();
    let b2 = base.clone();
    server.set(move |req| match req.path.as_str() {
        "/.well-known/openid-configuration" => Reply::json(
            200,
            serde_json::json!({
                "issuer": b2, "token_endpoint": format!("{b2}/token"),
                "introspection_endpoint": format!("{b2}/introspect"),
                "revocation_endpoint": format!("{b2}/revoke"),
                "jwks_uri": format!("{b2}/jwks"),
                "token_endpoint_auth_methods_supported": ["client_secret_post"],
            })
            .to_string(),
        ),
        "/token" => Reply::json(200, token_body("AT5", 60, None)),
        _ => Reply::json(404, ""),
    });
    let options = OAuthClientOptions::default().with_client_secret(secret("s"));
    let c = OAuthClient::discover(&base, "id", options).await.unwrap();
    assert_eq!(
        c.server_metadata().unwrap().jwks_uri.as_deref(),
        Some(format!("{base}/jwks").as_str())
    );
    // The server lists client_secret_post only: discovery picks it.
    assert_eq!(c.auth_method(), AuthMethod::ClientSecretPost);
    // An explicit method wins over the server's list.
    let explicit = OAuthClientOptions::default()
        .with_client_secret(secret("s"))
        .with_auth_method(AuthMethod::ClientSecretBasic);
    let c2 = OAuthClient::discover(&base, "id", explicit).await.unwrap();
    assert_eq!(c2.auth_method(), AuthMethod::ClientSecretBasic);
    assert_eq!(
        c.client_credentials(&[])
            .await
            .unwrap()
            .access_token
            .expose(),
        "AT5"
    );
    // Another issuer's document is refused.
    let err = OAuthClient::discover(
        &format!("{base}/other"),
        "id",
        OAuthClientOptions::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidResponse);
}
