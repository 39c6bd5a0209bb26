//! Tests of `flow.rs` (beside it to keep the flow itself under 500 lines).
use super::*;
use crate::oauth::{AuthMethod, OAuthClientOptions, ServerMetadata};

fn client() -> OAuthClient {
    OAuthClient::new(
        "https://as.example/token",
        "app",
        OAuthClientOptions::default()
            .with_auth_method(AuthMethod::PublicClient)
            .with_authorization_url("https://as.example/authorize"),
    )
    .unwrap()
}

fn discovered(iss_supported: bool) -> OAuthClient {
    let mut doc = serde_json::Map::new();
    doc.insert("issuer".into(), "https://as.example".into());
    doc.insert("token_endpoint".into(), "https://as.example/token".into());
    doc.insert(
        "authorization_endpoint".into(),
        "https://as.example/authorize".into(),
    );
    doc.insert(
        "authorization_response_iss_parameter_supported".into(),
        iss_supported.into(),
    );
    let meta = ServerMetadata::from_document(&doc, "https://as.example").unwrap();
    OAuthClient::from_metadata(
        &meta,
        "app",
        OAuthClientOptions::default().with_auth_method(AuthMethod::PublicClient),
    )
    .unwrap()
}

fn param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}

fn flow(client: &OAuthClient, scopes: &[&str]) -> AuthorizationFlow {
    let keys = IdTokenVerifier::new(
        "https://as.example",
        "app",
        crate::jwt::KeySet::new(),
        IdTokenVerifierOptions::new(),
    )
    .unwrap();
    AuthorizationFlow::new(
        client,
        "http://127.0.0.1:8765/cb",
        AuthorizationFlowOptions::new()
            .with_scopes(scopes.iter().copied())
            .with_id_token_verifier(keys),
    )
    .unwrap()
}

#[test]
fn builds_the_url_with_fresh_values() {
    let (a, b) = (flow(&client(), &["openid"]), flow(&client(), &["read"]));
    let url = a.authorization_url();
    assert_eq!(param(url, "state").as_deref(), Some(a.state()));
    assert_eq!(param(url, "nonce").as_deref(), a.nonce());
    assert_eq!(
        param(url, "code_challenge").as_deref(),
        Some(a.pkce().challenge())
    );
    assert_eq!(param(url, "code_challenge_method").as_deref(), Some("S256"));
    assert_eq!(param(url, "scope").as_deref(), Some("openid"));
    assert_eq!(a.state().len(), 43);
    assert_ne!(a.state(), b.state());
    assert!(b.nonce().is_none() && param(b.authorization_url(), "nonce").is_none());
    assert!(!format!("{a:?}").contains(a.state()));
}

#[test]
fn refuses_bad_redirects_with_codes() {
    let f = flow(&client(), &["openid"]);
    let s = f.state().to_owned();
    let code = |url: String| f.code_from_redirect(&url).map(|c| c.expose().to_owned());
    let base = "http://127.0.0.1:8765/cb";
    assert_eq!(code(format!("{base}?code=c1&state={s}")).unwrap(), "c1");
    let err = |url: String| code(url).unwrap_err().code().as_str();
    assert_eq!(err(format!("{base}?code=c1&state=x{s}")), "invalid_state");
    assert_eq!(err(format!("{base}?code=c1")), "invalid_state");
    assert_eq!(
        err(format!("{base}?error=access_denied&state={s}")),
        "access_denied"
    );
    // An error redirect with a forged state is a forgery first.
    assert_eq!(
        err(format!("{base}?error=access_denied&state=forged")),
        "invalid_state"
    );
    assert_eq!(
        err(format!("{base}?error=login_required&state={s}")),
        "interaction_required"
    );
    assert_eq!(
        err(format!("{base}?error=invalid_scope&state={s}")),
        "invalid_scope"
    );
    let hostile = code(format!("{base}?error=tok_live_abc&state={s}")).unwrap_err();
    assert_eq!(hostile.code().as_str(), "invalid_response");
    assert!(!hostile.message().contains("tok_live"));
    assert_eq!(err(format!("{base}?state={s}")), "invalid_response");
    assert_eq!(
        err(format!("{base}?code=a&code=b&state={s}")),
        "invalid_response"
    );
    assert_eq!(
        err(format!("http://127.0.0.1:9999/cb?code=c1&state={s}")),
        "invalid_input"
    );
    assert_eq!(err("not a url".to_owned()), "invalid_input");
}

#[test]
fn checks_iss_per_rfc9207() {
    let base = "http://127.0.0.1:8765/cb";
    let f = flow(&discovered(true), &[]);
    let s = f.state().to_owned();
    let res = |url: String| f.code_from_redirect(&url).map(|_| ());
    assert!(res(format!(
        "{base}?code=c&state={s}&iss=https%3A%2F%2Fas.example"
    ))
    .is_ok());
    let err = |url: String| res(url).unwrap_err().code().as_str();
    assert_eq!(
        err(format!(
            "{base}?code=c&state={s}&iss=https%3A%2F%2Fevil.example"
        )),
        "invalid_issuer"
    );
    assert_eq!(err(format!("{base}?code=c&state={s}")), "invalid_issuer");
    // Checked before the error: a mix-up attacker's error is not believed either.
    assert_eq!(
        err(format!(
            "{base}?error=access_denied&state={s}&iss=https%3A%2F%2Fevil.example"
        )),
        "invalid_issuer"
    );
    // Not advertised: iss is optional, but a wrong one is still refused.
    let g = flow(&discovered(false), &[]);
    let t = g.state().to_owned();
    assert!(g
        .code_from_redirect(&format!("{base}?code=c&state={t}"))
        .is_ok());
    assert_eq!(
        g.code_from_redirect(&format!("{base}?code=c&state={t}&iss=https%3A%2F%2Fx"))
            .unwrap_err()
            .code(),
        ErrorCode::InvalidIssuer
    );
}

#[test]
fn needs_an_authorization_endpoint_and_a_usable_redirect_uri() {
    let bare = OAuthClient::new(
        "https://as.example/token",
        "app",
        OAuthClientOptions::default().with_auth_method(AuthMethod::PublicClient),
    )
    .unwrap();
    let o = AuthorizationFlowOptions::new;
    assert_eq!(
        AuthorizationFlow::new(&bare, "app:/cb", o())
            .unwrap_err()
            .code(),
        ErrorCode::InvalidInput
    );
    for bad in ["/relative", "app:/cb#frag"] {
        assert_eq!(
            AuthorizationFlow::new(&client(), bad, o())
                .unwrap_err()
                .code(),
            ErrorCode::InvalidInput
        );
    }
    // An OpenID Connect login needs the provider's keys: discovered, or a verifier.
    assert_eq!(
        AuthorizationFlow::new(&client(), "app:/cb", o().with_scopes(["openid"]))
            .unwrap_err()
            .code(),
        ErrorCode::InvalidInput
    );
    let f = AuthorizationFlow::new(&client(), "com.example.app:/oauth", o()).unwrap();
    let s = f.state().to_owned();
    assert!(f
        .code_from_redirect(&format!("com.example.app:/oauth?code=x&state={s}"))
        .is_ok());
}
