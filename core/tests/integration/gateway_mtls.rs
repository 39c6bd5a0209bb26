//! Mutual-TLS-bound tokens at the gateway (RFC 8705 section 3): the shared vectors
//! (`tests/vectors/mtls.json`), and the option's effect on the headers read.

use std::net::IpAddr;
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;
use tokenward::clock::ManualClock;
use tokenward::dpop::{DpopVerifier, DpopVerifierOptions};
use tokenward::gateway::mtls::certificate_thumbprint;
use tokenward::gateway::{Authenticator, AuthenticatorOptions, Request};
use tokenward::jwt::{Algorithm, JwtKey, JwtVerifier, JwtVerifierOptions};

use crate::vector_files::load;

fn authenticator(setup: &Value, mtls: bool) -> Authenticator {
    authenticator_with(setup, mtls, |o| o)
}

fn authenticator_with(
    setup: &Value,
    mtls: bool,
    extra: impl FnOnce(AuthenticatorOptions) -> AuthenticatorOptions,
) -> Authenticator {
    let clock = ManualClock::at_unix(setup["now"].as_u64().unwrap());
    let j = &setup["jwt"];
    let key = JwtKey::hmac(
        j["hmac_secret"].as_str().unwrap().as_bytes(),
        Algorithm::HS256,
    )
    .unwrap();
    let verifier = JwtVerifier::new(
        key,
        JwtVerifierOptions::new([Algorithm::HS256]).with_clock(clock.clone()),
    )
    .unwrap();
    let proxies = setup["trusted_proxies"].as_array().unwrap();
    Authenticator::new(extra(
        AuthenticatorOptions::new()
            .with_jwt(Arc::new(verifier))
            .with_trusted_proxies(proxies.iter().map(|p| p.as_str().unwrap()))
            .with_mtls_bound_tokens(mtls && setup["mtls_bound_tokens"].as_bool().unwrap())
            .with_clock(clock),
    ))
    .unwrap()
}

/// The certificate named `name` in the vectors: DER, or PEM text for `NAME_pem`.
fn certificate(doc: &Value, name: &str) -> Vec<u8> {
    let (base, pem) = match name.strip_suffix("_pem") {
        Some(b) => (b, true),
        None => (name, false),
    };
    let b64 = doc["certificates"][base].as_str().unwrap();
    if pem {
        let mut text = String::from("-----BEGIN CERTIFICATE-----\n");
        for chunk in b64.as_bytes().chunks(64) {
            text.push_str(std::str::from_utf8(chunk).unwrap());
            text.push('\n');
        }
        text.push_str("-----END CERTIFICATE-----\n");
        text.into_bytes()
    } else {
        STANDARD.decode(b64).unwrap()
    }
}

fn expand(doc: &Value, value: &str) -> String {
    match value
        .strip_prefix("{client_cert:")
        .and_then(|v| v.strip_suffix('}'))
    {
        Some(name) => format!(":{}:", doc["certificates"][name].as_str().unwrap()),
        None => value.to_owned(),
    }
}

#[test]
fn thumbprints_match_the_vectors() {
    let doc = load("mtls.json");
    for (name, thumb) in doc["thumbprints"].as_object().unwrap() {
        for form in [name.clone(), format!("{name}_pem")] {
            let cert = certificate(&doc, &form);
            assert_eq!(
                certificate_thumbprint(&cert).unwrap(),
                thumb.as_str().unwrap()
            );
        }
    }
}

#[test]
fn mtls_vectors() {
    let doc = load("mtls.json");
    let auth = authenticator(&doc["setup"], true);
    assert!(auth.header_names().iter().any(|n| n == "client-cert"));
    for case in doc["cases"].as_array().unwrap() {
        check(&doc, &auth, case);
    }
}

/// `require_sender_constrained`: unbound access tokens are refused, with a `DPoP` challenge
/// when DPoP is on.
#[test]
fn sender_constrained_vectors() {
    let doc = load("mtls.json");
    let section = &doc["sender_constrained"];
    assert_eq!(section["require_sender_constrained"], true);
    for case in section["cases"].as_array().unwrap() {
        let dpop = case["dpop"].as_bool().unwrap();
        let auth = authenticator_with(&doc["setup"], true, |o| {
            let o = o.with_require_sender_constrained(true);
            if dpop {
                o.with_dpop(Arc::new(
                    DpopVerifier::new(DpopVerifierOptions::new()).unwrap(),
                ))
            } else {
                o
            }
        });
        assert!(auth.has_require_sender_constrained());
        check(&doc, &auth, case);
    }
}

/// Runs one vector case against `auth`.
fn check(doc: &Value, auth: &Authenticator, case: &Value) {
    let name = case["name"].as_str().unwrap();
    let r = &case["request"];
    let headers: Vec<(String, String)> = r["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h[0].as_str().unwrap().to_owned(),
                expand(doc, h[1].as_str().unwrap()),
            )
        })
        .collect();
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let cert = r["client_certificate"]
        .as_str()
        .map(|n| certificate(doc, n));
    let req = Request {
        method: "GET",
        path: "/v1/things",
        headers: &pairs,
        client_ip: Some(r["client_ip"].as_str().unwrap().parse::<IpAddr>().unwrap()),
        required_scopes: &[],
        client_certificate: cert.as_deref(),
    };
    let e = &case["expect"];
    match auth.authenticate(&req) {
        Ok(p) => assert_eq!(e["status"], 200, "{name}: accepted as {}", p.subject),
        Err(refusal) => {
            assert_eq!(
                (refusal.status, refusal.code_str()),
                (
                    e["status"].as_u64().unwrap() as u16,
                    e["code"].as_str().unwrap_or("-")
                ),
                "{name}"
            );
            assert_eq!(
                refusal.public_error().0,
                e["error"].as_str().unwrap(),
                "{name}"
            );
            if let Some(www) = e.get("www_authenticate") {
                assert_eq!(refusal.www_authenticate.as_deref(), www.as_str(), "{name}");
            }
        }
    }
}

/// The option needs something that checks a binding.
#[test]
fn require_sender_constrained_needs_dpop_or_mtls() {
    let doc = load("mtls.json");
    let err = Authenticator::new(
        AuthenticatorOptions::new()
            .with_jwt(Arc::new(
                JwtVerifier::new(
                    JwtKey::hmac(b"0123456789abcdef0123456789abcdef", Algorithm::HS256).unwrap(),
                    JwtVerifierOptions::new([Algorithm::HS256]),
                )
                .unwrap(),
            ))
            .with_require_sender_constrained(true),
    )
    .unwrap_err();
    assert_eq!(err.code(), tokenward::ErrorCode::InvalidInput);
    assert!(!authenticator(&doc["setup"], true).has_require_sender_constrained());
}

#[test]
fn without_the_option_bound_tokens_are_bearer_tokens() {
    let doc = load("mtls.json");
    let auth = authenticator(&doc["setup"], false);
    assert!(!auth.has_mtls_bound_tokens());
    assert!(!auth.header_names().iter().any(|n| n == "client-cert"));
    let bound = &doc["cases"][2]["request"]["headers"][0][1];
    let headers = [("Authorization", bound.as_str().unwrap())];
    let req = Request {
        method: "GET",
        path: "/",
        headers: &headers,
        client_ip: None,
        required_scopes: &[],
        client_certificate: None,
    };
    assert!(auth.authenticate(&req).is_ok());
}

#[test]
fn debug_of_a_request_shows_the_certificate_size_only() {
    let cert = [0x30u8, 3, 2, 1, 1];
    let req = Request {
        client_certificate: Some(&cert),
        ..Request::default()
    };
    assert!(format!("{req:?}").contains("client_certificate: Some(\"[5 bytes]\")"));
}
