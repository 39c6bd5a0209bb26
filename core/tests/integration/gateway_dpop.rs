//! DPoP at the gateway: `Authorization: DPoP` with its proof, the URL behind trusted proxies,
//! `cnf.jkt` binding, bound tokens refused as `Bearer`, and nonce challenges.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokenward::clock::ManualClock;
use tokenward::dpop::{DpopKey, DpopProofOptions, DpopVerifier, DpopVerifierOptions};
use tokenward::gateway::{Authenticator, AuthenticatorOptions, Refusal, Request};
use tokenward::jwt::{
    Algorithm, JwtIssuer, JwtIssuerOptions, JwtKey, JwtVerifier, JwtVerifierOptions,
};
use tokenward::ErrorCode;

const T0: u64 = 1_700_000_000;
const HMAC: &[u8] = b"gateway-dpop-test-secret-0123456789abcdef";

struct Setup {
    clock: Arc<ManualClock>,
    auth: Authenticator,
    issuer: JwtIssuer,
}

fn setup(
    dpop: DpopVerifierOptions,
    extra: impl FnOnce(AuthenticatorOptions) -> AuthenticatorOptions,
) -> Setup {
    let clock = ManualClock::at_unix(T0);
    let key = JwtKey::hmac(HMAC, Algorithm::HS256).unwrap();
    let issuer = JwtIssuer::new(
        key.clone(),
        JwtIssuerOptions::new().with_clock(clock.clone()),
    )
    .unwrap();
    let verifier = JwtVerifier::new(
        key,
        JwtVerifierOptions::new([Algorithm::HS256]).with_clock(clock.clone()),
    )
    .unwrap();
    let dpop = Arc::new(DpopVerifier::new(dpop.with_clock(clock.clone())).unwrap());
    let options = AuthenticatorOptions::new()
        .with_jwt(Arc::new(verifier))
        .with_dpop(dpop)
        .with_clock(clock.clone());
    Setup {
        clock,
        auth: Authenticator::new(extra(options)).unwrap(),
        issuer,
    }
}

impl Setup {
    fn token(&self, jkt: Option<&str>) -> String {
        let mut claims = serde_json::Map::new();
        claims.insert("sub".into(), "user-1".into());
        if let Some(jkt) = jkt {
            claims.insert("cnf".into(), json!({"jkt": jkt}));
        }
        self.issuer.issue(&claims, &Default::default()).unwrap()
    }

    fn proof(&self, key: &DpopKey, method: &str, url: &str, token: &str) -> String {
        key.proof(
            method,
            url,
            &DpopProofOptions::new()
                .with_access_token(token)
                .with_clock(self.clock.clone()),
        )
        .unwrap()
    }

    fn run(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        peer: &str,
    ) -> Result<(), Refusal> {
        let req = Request {
            method,
            path,
            headers,
            client_ip: Some(peer.parse::<IpAddr>().unwrap()),
            required_scopes: &[],
            client_certificate: None,
        };
        self.auth.authenticate(&req).map(|_| ())
    }
}

fn refused_dpop(r: Result<(), Refusal>, code: ErrorCode) -> Refusal {
    let refusal = r.unwrap_err();
    assert_eq!(refusal.code, code, "{refusal:?}");
    assert_eq!(refusal.status, 401);
    let challenge = refusal.www_authenticate.clone().unwrap();
    assert!(
        challenge.starts_with("DPoP realm=\"api\", error=\""),
        "{challenge}"
    );
    assert!(
        challenge.contains(&format!("error=\"{}\"", code.as_str())),
        "{challenge}"
    );
    assert_eq!(refusal.public_error().0, code.as_str());
    refusal
}

#[test]
fn a_bound_token_with_its_proof_is_accepted_and_only_once() {
    let s = setup(DpopVerifierOptions::new(), |o| o);
    let key = DpopKey::generate(Algorithm::ES256).unwrap();
    let token = s.token(Some(key.thumbprint()));
    let auth = format!("DPoP {token}");
    let proof = s.proof(&key, "GET", "https://api.example/orders", &token);
    let headers = [
        ("authorization", auth.as_str()),
        ("dpop", proof.as_str()),
        ("host", "api.example"),
    ];
    s.run("GET", "/orders?page=2", &headers, "203.0.113.9")
        .unwrap();
    refused_dpop(
        s.run("GET", "/orders", &headers, "203.0.113.9"),
        ErrorCode::InvalidDpopProof,
    );
}

#[test]
fn bearer_use_of_a_bound_token_and_dpop_use_of_an_unbound_one_are_refused() {
    let s = setup(DpopVerifierOptions::new(), |o| o);
    let key = DpopKey::generate(Algorithm::EdDSA).unwrap();
    let bound = s.token(Some(key.thumbprint()));
    let bearer = format!("Bearer {bound}");
    let proof = s.proof(&key, "GET", "https://api.example/orders", &bound);
    refused_dpop(
        s.run(
            "GET",
            "/orders",
            &[
                ("authorization", &bearer),
                ("dpop", &proof),
                ("host", "api.example"),
            ],
            "203.0.113.9",
        ),
        ErrorCode::InvalidDpopProof,
    );
    // An unbound token still works as Bearer…
    let plain = s.token(None);
    let bearer = format!("Bearer {plain}");
    s.run(
        "GET",
        "/orders",
        &[("authorization", &bearer)],
        "203.0.113.9",
    )
    .unwrap();
    // …but not with the DPoP scheme.
    let auth = format!("DPoP {plain}");
    let proof = s.proof(&key, "GET", "https://api.example/orders", &plain);
    refused_dpop(
        s.run(
            "GET",
            "/orders",
            &[
                ("authorization", &auth),
                ("dpop", &proof),
                ("host", "api.example"),
            ],
            "203.0.113.9",
        ),
        ErrorCode::InvalidDpopProof,
    );
}

#[test]
fn proofs_of_another_key_request_or_token_are_refused() {
    let s = setup(DpopVerifierOptions::new(), |o| o);
    let key = DpopKey::generate(Algorithm::ES256).unwrap();
    let token = s.token(Some(key.thumbprint()));
    let auth = format!("DPoP {token}");
    let run = |proof: &str, method: &str, host: &str| {
        s.run(
            method,
            "/orders",
            &[("authorization", &auth), ("dpop", proof), ("host", host)],
            "203.0.113.9",
        )
    };
    let other = DpopKey::generate(Algorithm::ES256).unwrap();
    refused_dpop(
        run(
            &s.proof(&other, "GET", "https://api.example/orders", &token),
            "GET",
            "api.example",
        ),
        ErrorCode::InvalidDpopProof,
    );
    refused_dpop(
        run(
            &s.proof(&key, "POST", "https://api.example/orders", &token),
            "GET",
            "api.example",
        ),
        ErrorCode::InvalidDpopProof,
    );
    refused_dpop(
        run(
            &s.proof(&key, "GET", "https://api.example/orders", &token),
            "GET",
            "evil.example",
        ),
        ErrorCode::InvalidDpopProof,
    );
    refused_dpop(
        run(
            &s.proof(&key, "GET", "https://api.example/orders", "another-token"),
            "GET",
            "api.example",
        ),
        ErrorCode::InvalidDpopProof,
    );
    refused_dpop(
        run("not.a.proof", "GET", "api.example"),
        ErrorCode::InvalidDpopProof,
    );
    // No DPoP header, or two.
    refused_dpop(
        s.run(
            "GET",
            "/orders",
            &[("authorization", &auth), ("host", "api.example")],
            "203.0.113.9",
        ),
        ErrorCode::InvalidDpopProof,
    );
    let p = s.proof(&key, "GET", "https://api.example/orders", &token);
    refused_dpop(
        s.run(
            "GET",
            "/orders",
            &[
                ("authorization", &auth),
                ("dpop", &p),
                ("dpop", &p),
                ("host", "api.example"),
            ],
            "203.0.113.9",
        ),
        ErrorCode::InvalidDpopProof,
    );
    // The genuine proof still passes (nothing above was refused for an unrelated reason).
    run(&p, "GET", "api.example").unwrap();
}

#[test]
fn the_url_is_the_one_a_trusted_proxy_forwarded() {
    let s = setup(DpopVerifierOptions::new(), |o| {
        o.with_trusted_proxies(["10.0.0.0/8"])
    });
    let key = DpopKey::generate(Algorithm::ES256).unwrap();
    let token = s.token(Some(key.thumbprint()));
    let auth = format!("DPoP {token}");
    let public = "https://api.example/orders";
    let headers = |proof: &str| {
        vec![
            ("authorization".to_owned(), auth.clone()),
            ("dpop".to_owned(), proof.to_owned()),
            ("host".to_owned(), "backend:8080".to_owned()),
            ("x-forwarded-for".to_owned(), "198.51.100.7".to_owned()),
            ("x-forwarded-proto".to_owned(), "https".to_owned()),
            ("x-forwarded-host".to_owned(), "api.example".to_owned()),
        ]
    };
    let run = |proof: &str, peer: &str| {
        let owned = headers(proof);
        let lines: Vec<(&str, &str)> = owned
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        s.run("GET", "/orders", &lines, peer)
    };
    // Through the proxy: the forwarded scheme and host.
    run(&s.proof(&key, "GET", public, &token), "10.1.2.3").unwrap();
    // From an untrusted peer the forwarded headers are ignored: Host is backend:8080.
    refused_dpop(
        run(&s.proof(&key, "GET", public, &token), "203.0.113.9"),
        ErrorCode::InvalidDpopProof,
    );
    run(
        &s.proof(&key, "GET", "https://backend:8080/orders", &token),
        "203.0.113.9",
    )
    .unwrap();
    for name in [
        "dpop",
        "host",
        "x-forwarded-proto",
        "x-forwarded-host",
        "x-forwarded-for",
    ] {
        assert!(s.auth.header_names().iter().any(|n| n == name), "{name}");
    }
}

#[test]
fn a_configured_origin_wins_and_is_validated() {
    let s = setup(DpopVerifierOptions::new(), |o| {
        o.with_dpop_origin("https://API.example:443")
    });
    let key = DpopKey::generate(Algorithm::ES256).unwrap();
    let token = s.token(Some(key.thumbprint()));
    let auth = format!("DPoP {token}");
    let proof = s.proof(&key, "DELETE", "https://api.example/orders/7", &token);
    s.run(
        "DELETE",
        "/orders/7",
        &[
            ("authorization", &auth),
            ("dpop", &proof),
            ("host", "ignored"),
        ],
        "203.0.113.9",
    )
    .unwrap();
    for bad in [
        "https://api.example/base",
        "api.example",
        "https://api.example?x",
    ] {
        let err = Authenticator::new(
            AuthenticatorOptions::new()
                .with_jwt(Arc::new(
                    JwtVerifier::new(
                        JwtKey::hmac(HMAC, Algorithm::HS256).unwrap(),
                        JwtVerifierOptions::new([Algorithm::HS256]),
                    )
                    .unwrap(),
                ))
                .with_dpop(Arc::new(
                    DpopVerifier::new(DpopVerifierOptions::new()).unwrap(),
                ))
                .with_dpop_origin(bad),
        )
        .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{bad}");
    }
}

#[test]
fn nonces_are_challenged_with_a_dpop_nonce_header() {
    let s = setup(
        DpopVerifierOptions::new().with_nonce_lifetime(Duration::from_secs(60)),
        |o| o,
    );
    let key = DpopKey::generate(Algorithm::ES256).unwrap();
    let token = s.token(Some(key.thumbprint()));
    let auth = format!("DPoP {token}");
    let url = "https://api.example/orders";
    let proof = s.proof(&key, "GET", url, &token);
    let refusal = refused_dpop(
        s.run(
            "GET",
            "/orders",
            &[
                ("authorization", &auth),
                ("dpop", &proof),
                ("host", "api.example"),
            ],
            "203.0.113.9",
        ),
        ErrorCode::UseDpopNonce,
    );
    let nonce = refusal.dpop_nonce.unwrap();
    assert_eq!(Some(nonce.clone()), s.auth.dpop_nonce());
    let retry = key
        .proof(
            "GET",
            url,
            &DpopProofOptions::new()
                .with_access_token(&token)
                .with_nonce(nonce)
                .with_clock(s.clock.clone()),
        )
        .unwrap();
    s.run(
        "GET",
        "/orders",
        &[
            ("authorization", &auth),
            ("dpop", &retry),
            ("host", "api.example"),
        ],
        "203.0.113.9",
    )
    .unwrap();
}

#[test]
fn without_dpop_enabled_the_scheme_is_not_a_credential() {
    let clock = ManualClock::at_unix(T0);
    let key = JwtKey::hmac(HMAC, Algorithm::HS256).unwrap();
    let verifier = JwtVerifier::new(
        key,
        JwtVerifierOptions::new([Algorithm::HS256]).with_clock(clock.clone()),
    )
    .unwrap();
    let auth =
        Authenticator::new(AuthenticatorOptions::new().with_jwt(Arc::new(verifier))).unwrap();
    let req = Request {
        method: "GET",
        path: "/",
        headers: &[("authorization", "DPoP abc.def.ghi"), ("dpop", "x")],
        client_ip: None,
        required_scopes: &[],
        client_certificate: None,
    };
    assert_eq!(
        auth.authenticate(&req).unwrap_err().code,
        ErrorCode::MissingCredentials
    );
    assert!(!auth.has_dpop());
    assert!(!auth.header_names().iter().any(|n| n == "dpop"));
}

#[test]
fn ambiguous_or_malformed_dpop_requests_are_400() {
    let s = setup(DpopVerifierOptions::new(), |o| o);
    let key = DpopKey::generate(Algorithm::ES256).unwrap();
    let token = s.token(Some(key.thumbprint()));
    let auth = format!("DPoP {token}");
    let bearer = format!("Bearer {token}");
    let proof = s.proof(&key, "GET", "https://api.example/orders", &token);
    for headers in [
        vec![
            ("authorization", auth.as_str()),
            ("authorization", auth.as_str()),
            ("dpop", proof.as_str()),
        ],
        vec![
            ("authorization", auth.as_str()),
            ("authorization", bearer.as_str()),
            ("dpop", proof.as_str()),
        ],
        vec![("authorization", "DPoP a b"), ("dpop", proof.as_str())],
        vec![
            ("authorization", auth.as_str()),
            ("x-api-key", "tw_x"),
            ("dpop", proof.as_str()),
        ],
    ] {
        let mut all = headers.clone();
        all.push(("host", "api.example"));
        let refusal = s.run("GET", "/orders", &all, "203.0.113.9").unwrap_err();
        assert_eq!(
            (refusal.code, refusal.status),
            (ErrorCode::Malformed, 400),
            "{headers:?}"
        );
        assert!(refusal
            .www_authenticate
            .unwrap()
            .contains("error=\"invalid_request\""));
    }
}

/// `require_sender_constrained` with DPoP: a bound token with its proof passes, an unbound
/// bearer token is refused with a DPoP challenge.
#[test]
fn only_sender_constrained_tokens_when_required() {
    let s = setup(DpopVerifierOptions::new(), |o| {
        o.with_require_sender_constrained(true)
    });
    let key = DpopKey::generate(Algorithm::ES256).unwrap();
    let token = s.token(Some(key.thumbprint()));
    let auth = format!("DPoP {token}");
    let proof = s.proof(&key, "GET", "https://api.example/orders", &token);
    let headers = [
        ("authorization", auth.as_str()),
        ("dpop", proof.as_str()),
        ("host", "api.example"),
    ];
    s.run("GET", "/orders", &headers, "203.0.113.9").unwrap();
    let bearer = format!("Bearer {}", s.token(None));
    let refusal = s
        .run(
            "GET",
            "/orders",
            &[("authorization", bearer.as_str())],
            "203.0.113.9",
        )
        .unwrap_err();
    assert_eq!(
        (refusal.status, refusal.code),
        (401, ErrorCode::MissingClaim)
    );
    assert_eq!(
        refusal.www_authenticate.as_deref(),
        Some(
            r#"DPoP realm="api", error="invalid_token", error_description="the access token is invalid""#
        )
    );
}
