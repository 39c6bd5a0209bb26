//! Mutual-TLS client authentication (RFC 8705 section 2) against a real TLS server on
//! loopback that requires a client certificate; every certificate is made here with rcgen.
//! The server issues tokens bound to the certificate it saw (`cnf.x5t#S256`), and those
//! tokens then pass a gateway with `mtls_bound_tokens` only with that certificate.

use std::sync::{Arc, Mutex};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use serde_json::json;
use tokenward::gateway::mtls::certificate_thumbprint;
use tokenward::oauth::{
    AuthMethod, AuthorizationFlow, AuthorizationFlowOptions, ClientCertificate, OAuthClient,
    OAuthClientOptions, ServerMetadata,
};
use tokenward::{ErrorCode, Secret};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{self, RootCertStore, ServerConfig};

/// A certificate with its key, PEM and DER.
struct Made {
    pem: String,
    der: CertificateDer<'static>,
    key: KeyPair,
}

fn params(cn: &str, sans: &[&str]) -> CertificateParams {
    let mut p =
        CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    p.distinguished_name.push(DnType::CommonName, cn);
    p
}

struct Pki {
    ca: Made,
    server: Made,
    client: Made,
    /// A self-signed client certificate (`self_signed_tls_client_auth`).
    self_signed: Made,
    /// A client certificate from another CA, unknown to the server.
    stranger: Made,
}

fn ca(cn: &str) -> (Made, CertificateParams) {
    let key = KeyPair::generate().unwrap();
    let mut p = params(cn, &[]);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let cert = p.self_signed(&key).unwrap();
    (
        Made {
            pem: cert.pem(),
            der: cert.der().clone(),
            key,
        },
        p,
    )
}

fn leaf(cn: &str, sans: &[&str], issuer: &Issuer<'_, &KeyPair>) -> Made {
    let key = KeyPair::generate().unwrap();
    let cert = params(cn, sans).signed_by(&key, issuer).unwrap();
    Made {
        pem: cert.pem(),
        der: cert.der().clone(),
        key,
    }
}

fn pki() -> Pki {
    let (ca_made, ca_params) = ca("test CA");
    let issuer = Issuer::from_params(&ca_params, &ca_made.key);
    let server = leaf("server", &["127.0.0.1", "localhost"], &issuer);
    let client = leaf("client app", &[], &issuer);
    let (other_ca, other_params) = ca("other CA");
    let stranger = leaf(
        "stranger",
        &[],
        &Issuer::from_params(&other_params, &other_ca.key),
    );
    let ss_key = KeyPair::generate().unwrap();
    let ss = params("self-signed app", &[]).self_signed(&ss_key).unwrap();
    Pki {
        ca: ca_made,
        server,
        client,
        self_signed: Made {
            pem: ss.pem(),
            der: ss.der().clone(),
            key: ss_key,
        },
        stranger,
    }
}

/// What the server saw of one request.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    head: String,
    body: String,
    thumbprint: String,
}

/// A TLS server on loopback that requires a client certificate issued by one of `roots`, and
/// answers as a token, introspection and revocation endpoint.
struct Server {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    refused_handshakes: Arc<Mutex<usize>>,
}

async fn serve(pki: &Pki, roots: &[&CertificateDer<'static>]) -> Server {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut store = RootCertStore::empty();
    for r in roots {
        store.add((*r).clone()).unwrap();
    }
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(store), provider.clone())
        .build()
        .unwrap();
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![pki.server.der.clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.server.key.serialize_der())),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "https://127.0.0.1:{}",
        listener.local_addr().unwrap().port()
    );
    let seen = Arc::new(Mutex::new(Vec::new()));
    let refused = Arc::new(Mutex::new(0));
    let (seen2, refused2) = (seen.clone(), refused.clone());
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            let (seen, refused) = (seen2.clone(), refused2.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    *refused.lock().unwrap() += 1;
                    return;
                };
                let cert = tls.get_ref().1.peer_certificates().unwrap()[0].clone();
                let thumbprint = certificate_thumbprint(&cert).unwrap();
                loop {
                    let Some((head, body)) = read_request(&mut tls).await else {
                        return;
                    };
                    let path = head.split(' ').nth(1).unwrap_or_default().to_owned();
                    let answer = match path.as_str() {
                        "/token" => json!({
                            "access_token": format!("at-bound-to-{thumbprint}"),
                            "token_type": "Bearer",
                            "expires_in": 3600,
                        })
                        .to_string(),
                        "/par" => json!({
                            "request_uri": "urn:ietf:params:oauth:request_uri:mtls",
                            "expires_in": 60,
                        })
                        .to_string(),
                        "/introspect" => {
                            json!({"active": true, "sub": "app", "cnf": {"x5t#S256": thumbprint}})
                                .to_string()
                        }
                        _ => "{}".to_owned(),
                    };
                    seen.lock().unwrap().push(Seen {
                        path,
                        head,
                        body,
                        thumbprint: thumbprint.clone(),
                    });
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{answer}",
                        answer.len()
                    );
                    if tls.write_all(response.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    Server {
        url,
        seen,
        refused_handshakes: refused,
    }
}

/// One HTTP/1.1 request: head and body (by `content-length`); `None` at end of stream.
async fn read_request<S: tokio::io::AsyncRead + Unpin>(s: &mut S) -> Option<(String, String)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..end]).to_string();
    let len = head
        .lines()
        .find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    while buf.len() < end + len {
        let n = s.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some((
        head,
        String::from_utf8_lossy(&buf[end..end + len]).to_string(),
    ))
}

fn identity(m: &Made) -> ClientCertificate {
    ClientCertificate::from_pem(m.pem.clone(), Secret::new(m.key.serialize_pem()).unwrap()).unwrap()
}

fn options(pki: &Pki, cert: Option<&Made>) -> OAuthClientOptions {
    let o = OAuthClientOptions::default()
        .with_ca_certificates(pki.ca.pem.clone())
        .with_introspection_url("https://127.0.0.1:1/unused")
        .with_revocation_url("https://127.0.0.1:1/unused");
    match cert {
        Some(m) => o.with_client_certificate(identity(m)),
        None => o,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_client_auth_presents_the_certificate_on_every_call() {
    let pki = pki();
    let server = serve(&pki, &[&pki.ca.der]).await;
    let expected = certificate_thumbprint(&pki.client.der).unwrap();
    let client = OAuthClient::new(
        format!("{}/token", server.url),
        "app",
        options(&pki, Some(&pki.client))
            .with_introspection_url(format!("{}/introspect", server.url))
            .with_revocation_url(format!("{}/revoke", server.url)),
    )
    .unwrap();
    // A certificate and no secret: tls_client_auth.
    assert_eq!(client.auth_method(), AuthMethod::TlsClientAuth);
    let token = client.client_credentials(&[]).await.unwrap();
    assert_eq!(
        token.access_token.expose(),
        format!("at-bound-to-{expected}")
    );
    let secret = Secret::new(token.access_token.expose()).unwrap();
    let info = client.introspect(&secret, None).await.unwrap();
    assert!(info.active);
    client.revoke(&secret, None).await.unwrap();

    let seen = server.seen.lock().unwrap().clone();
    let paths: Vec<&str> = seen.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(paths, ["/token", "/introspect", "/revoke"]);
    for s in &seen {
        assert_eq!(s.thumbprint, expected, "{}", s.path);
        assert!(s.body.contains("client_id=app"), "{}", s.body);
        assert!(!s.body.contains("client_secret"), "{}", s.body);
        assert!(!s.head.to_ascii_lowercase().contains("authorization:"));
    }
    // The key never shows in Debug.
    let debug = format!("{:?}{:?}", client, identity(&pki.client));
    assert!(!debug.contains("PRIVATE KEY"), "{debug}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_certificate_the_server_refuses_the_handshake() {
    let pki = pki();
    let server = serve(&pki, &[&pki.ca.der]).await;
    for cert in [None, Some(&pki.stranger)] {
        let mut o = options(&pki, cert).with_auth_method(AuthMethod::ClientSecretPost);
        o = o.with_client_secret(Secret::new("s3cret").unwrap());
        let client = OAuthClient::new(format!("{}/token", server.url), "app", o).unwrap();
        let err = client.client_credentials(&[]).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::Network, "{err}");
    }
    assert!(server.seen.lock().unwrap().is_empty());
    // Under TLS 1.3 the client can see the server's alert before the server's task has counted
    // the refusal: wait for the count (bounded), rather than read it once.
    let mut refused = 0;
    for _ in 0..250 {
        refused = *server.refused_handshakes.lock().unwrap();
        if refused >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(refused >= 2, "{refused} refused handshakes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_signed_tls_client_auth() {
    let pki = pki();
    // The server knows the self-signed certificate itself (as from the client's JWKS).
    let server = serve(&pki, &[&pki.self_signed.der]).await;
    let client = OAuthClient::new(
        format!("{}/token", server.url),
        "app",
        options(&pki, Some(&pki.self_signed)).with_auth_method(AuthMethod::SelfSignedTlsClientAuth),
    )
    .unwrap();
    assert_eq!(client.auth_method().as_str(), "self_signed_tls_client_auth");
    client.client_credentials(&[]).await.unwrap();
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(
        seen[0].thumbprint,
        certificate_thumbprint(&pki.self_signed.der).unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_mtls_endpoint_aliases_are_used_with_a_certificate() {
    let pki = pki();
    let server = serve(&pki, &[&pki.ca.der]).await;
    let doc = json!({
        "issuer": "https://as.example",
        "token_endpoint": "https://as.example/token",
        "introspection_endpoint": "https://as.example/introspect",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "tls_client_auth"],
        "mtls_endpoint_aliases": {
            "token_endpoint": format!("{}/token", server.url),
            "introspection_endpoint": format!("{}/introspect", server.url),
        },
    });
    let meta =
        ServerMetadata::from_document(doc.as_object().unwrap(), "https://as.example").unwrap();
    assert_eq!(meta.mtls_endpoint_aliases.len(), 2);
    let cert = OAuthClientOptions::default()
        .with_ca_certificates(pki.ca.pem.clone())
        .with_client_certificate(identity(&pki.client));
    let client = OAuthClient::from_metadata(&meta, "app", cert).unwrap();
    assert_eq!(client.token_url(), format!("{}/token", server.url));
    assert_eq!(client.auth_method(), AuthMethod::TlsClientAuth);
    client.client_credentials(&[]).await.unwrap();
    let secret = Secret::new("at").unwrap();
    assert!(client.introspect(&secret, None).await.unwrap().active);
    // Without a certificate the plain endpoints stay.
    let plain = OAuthClient::from_metadata(
        &meta,
        "app",
        OAuthClientOptions::default().with_client_secret(Secret::new("s").unwrap()),
    )
    .unwrap();
    assert_eq!(plain.token_url(), "https://as.example/token");
}

/// RFC 8705 section 5: the pushed authorization request goes to the
/// `pushed_authorization_request_endpoint` alias, over the connection with the certificate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushed_authorization_requests_use_the_mtls_alias() {
    let pki = pki();
    let server = serve(&pki, &[&pki.ca.der]).await;
    let doc = json!({
        "issuer": "https://as.example",
        "authorization_endpoint": "https://as.example/authorize",
        "token_endpoint": "https://as.example/token",
        "pushed_authorization_request_endpoint": "https://as.example/par",
        "mtls_endpoint_aliases": {
            "token_endpoint": format!("{}/token", server.url),
            "pushed_authorization_request_endpoint": format!("{}/par", server.url),
        },
    });
    let meta =
        ServerMetadata::from_document(doc.as_object().unwrap(), "https://as.example").unwrap();
    let options = OAuthClientOptions::default()
        .with_ca_certificates(pki.ca.pem.clone())
        .with_client_certificate(identity(&pki.client));
    let client = OAuthClient::from_metadata(&meta, "app", options).unwrap();
    assert_eq!(
        client
            .server_metadata()
            .unwrap()
            .pushed_authorization_request_endpoint
            .as_deref(),
        Some(format!("{}/par", server.url).as_str())
    );
    let flow = AuthorizationFlow::start(
        &client,
        "http://127.0.0.1/callback",
        AuthorizationFlowOptions::new().with_require_pushed_authorization(true),
    )
    .await
    .unwrap();
    assert_eq!(
        flow.request_uri(),
        Some("urn:ietf:params:oauth:request_uri:mtls")
    );
    assert!(flow
        .authorization_url()
        .starts_with("https://as.example/authorize?"));
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/par");
    assert_eq!(
        seen[0].thumbprint,
        certificate_thumbprint(&pki.client.der).unwrap()
    );
    assert!(seen[0].body.contains("code_challenge="), "{}", seen[0].body);
    // Without a certificate the plain endpoint stays.
    let plain = OAuthClient::from_metadata(
        &meta,
        "app",
        OAuthClientOptions::default().with_client_secret(Secret::new("s").unwrap()),
    )
    .unwrap();
    assert_eq!(
        plain
            .server_metadata()
            .unwrap()
            .pushed_authorization_request_endpoint
            .as_deref(),
        Some("https://as.example/par")
    );
}

#[test]
fn certificate_methods_need_a_certificate_and_bad_pem_is_refused() {
    for m in [
        AuthMethod::TlsClientAuth,
        AuthMethod::SelfSignedTlsClientAuth,
    ] {
        let e = OAuthClient::new(
            "https://as.example/token",
            "app",
            OAuthClientOptions::default().with_auth_method(m),
        )
        .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        assert_eq!(m.as_str().parse::<AuthMethod>().unwrap(), m);
    }
    let pki = pki();
    // A key that is not the certificate's is refused when the client is built, or at the
    // latest by the handshake; a garbled key at once.
    let e = ClientCertificate::from_pem(
        pki.client.pem.clone(),
        Secret::new("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----").unwrap(),
    );
    if let Err(e) = e {
        assert_eq!(e.code(), ErrorCode::InvalidKey);
        assert!(!e.to_string().contains("AAAA"));
    }
}
