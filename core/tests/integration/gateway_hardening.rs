//! Hardening of the gateway (issue 14 items 2, 6 and 8): the failure budget per client address,
//! bounded introspection, distinct rate-limit buckets for JWTs without `sub`, and `Debug` of
//! every public type that can hold a credential.
//!
//! `cargo test --release -p tokenward --test gateway_hardening`
#![cfg(feature = "gateway")]

use crate::common;
use tokenward::apikey::ApiKeysOptions;
use tokenward::oauth::OAuthClientOptions;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{Reply, TestServer};
use serde_json::json;
use tokenward::apikey::{ApiKeys, KeyStore, MemoryStore, NewKey, StoredKey};
use tokenward::clock::{ManualClock, SharedClock};
use tokenward::gateway::{
    Authenticator, AuthenticatorOptions, CredentialSources, OwnedRequest, RateLimit, Refusal,
    Request,
};
use tokenward::http::HttpPolicy;
use tokenward::jwt::{
    Algorithm, JwtIssuer, JwtIssuerOptions, JwtKey, JwtVerifier, JwtVerifierOptions, KeySet,
};
use tokenward::oauth::{Grant, OAuthClient, Pkce, TokenResponse};
use tokenward::{KeyRecord, Secret, TokenSource};

const T0: u64 = 1_700_000_000;
const HMAC: &[u8] = b"gateway-hardening-secret-0123456789abcdef";

/// A key store that counts lookups: the failure budget must refuse before any.
#[derive(Debug, Default)]
struct CountingStore {
    inner: MemoryStore,
    gets: AtomicUsize,
}

impl KeyStore for CountingStore {
    fn insert(&self, key: StoredKey) -> tokenward::Result<()> {
        self.inner.insert(key)
    }
    fn get(&self, id: &str) -> tokenward::Result<Option<StoredKey>> {
        self.gets.fetch_add(1, Ordering::SeqCst);
        self.inner.get(id)
    }
    fn list(&self, owner: &str) -> tokenward::Result<Vec<Arc<KeyRecord>>> {
        self.inner.list(owner)
    }
    fn revoke(&self, id: &str, at: i64) -> tokenward::Result<Option<Arc<KeyRecord>>> {
        self.inner.revoke(id, at)
    }
    fn rotate(&self, id: &str, old: i64, successor: StoredKey) -> tokenward::Result<bool> {
        self.inner.rotate(id, old, successor)
    }
    fn touch(&self, id: &str, at: i64) -> tokenward::Result<()> {
        self.inner.touch(id, at)
    }
}

fn call(auth: &Authenticator, ip: &str, headers: &[(&str, &str)]) -> Result<(), Refusal> {
    auth.authenticate(&Request {
        method: "GET",
        path: "/v1/things",
        headers,
        client_ip: ip.parse().ok(),
        required_scopes: &[],
        client_certificate: None,
    })
    .map(|_| ())
}

fn status(r: &Result<(), Refusal>) -> (u16, &'static str) {
    match r {
        Ok(()) => (200, "ok"),
        Err(r) => (r.status, r.code.as_str()),
    }
}

struct Fixture {
    auth: Authenticator,
    store: Arc<CountingStore>,
    good: String,
    /// A well-formed key that is not stored (checksum valid: reaches the store).
    unknown: String,
    clock: Arc<ManualClock>,
}

fn fixture(configure: impl FnOnce(AuthenticatorOptions) -> AuthenticatorOptions) -> Fixture {
    let clock = ManualClock::at_unix(T0);
    let shared: SharedClock = clock.clone();
    let store = Arc::new(CountingStore::default());
    let keys = Arc::new(
        ApiKeys::new(
            "tw_test",
            ApiKeysOptions::default()
                .with_store(store.clone())
                .with_clock(shared.clone()),
        )
        .unwrap(),
    );
    let good = keys.create(NewKey::new("acct")).unwrap();
    let other = ApiKeys::new("tw_test", ApiKeysOptions::default()).unwrap();
    let unknown = other.create(NewKey::new("x")).unwrap();
    let auth = Authenticator::new(configure(
        AuthenticatorOptions::new()
            .with_api_keys(keys)
            .with_clock(shared),
    ))
    .unwrap();
    Fixture {
        auth,
        store,
        good: good.secret.expose().to_owned(),
        unknown: unknown.secret.expose().to_owned(),
        clock,
    }
}

#[test]
fn refused_credentials_spend_a_budget_per_address_then_nothing_is_verified() {
    let f = fixture(|b| b.with_failure_rate_limit(Some(RateLimit::per_minute(1, 3))));
    let bad = [("x-api-key", f.unknown.as_str())];
    let good = [("x-api-key", f.good.as_str())];
    let a = "203.0.113.9";
    for _ in 0..3 {
        assert_eq!(status(&call(&f.auth, a, &bad)), (401, "unknown_key"));
    }
    let lookups = f.store.gets.load(Ordering::SeqCst);
    assert_eq!(lookups, 3);
    // Spent: refused before any lookup, whatever the credential, with Retry-After.
    let r = call(&f.auth, a, &bad).unwrap_err();
    assert_eq!(
        (r.status, r.code.as_str(), r.retry_after_seconds()),
        (429, "rate_limited", Some(60))
    );
    let r = call(&f.auth, a, &good).unwrap_err();
    assert_eq!((r.status, r.code.as_str()), (429, "rate_limited"));
    assert_eq!(
        f.store.gets.load(Ordering::SeqCst),
        lookups,
        "no store lookup"
    );
    // Other addresses are not affected; a good credential spends nothing.
    for _ in 0..10 {
        assert_eq!(status(&call(&f.auth, "203.0.113.10", &good)), (200, "ok"));
    }
    assert_eq!(
        status(&call(&f.auth, "203.0.113.10", &bad)),
        (401, "unknown_key")
    );
    // After one interval one more attempt is allowed.
    f.clock.advance(Duration::from_secs(60));
    assert_eq!(status(&call(&f.auth, a, &good)), (200, "ok"));
    assert_eq!(status(&call(&f.auth, a, &bad)), (401, "unknown_key"));
    assert_eq!(status(&call(&f.auth, a, &good)).0, 429);
}

#[test]
fn failure_budget_counts_ipv6_per_64_and_ignores_missing_credentials() {
    let f = fixture(|b| b.with_failure_rate_limit(Some(RateLimit::per_minute(1, 2))));
    let bad = [("x-api-key", f.unknown.as_str())];
    let good = [("x-api-key", f.good.as_str())];
    // Missing credentials and malformed requests do not spend the budget.
    for _ in 0..10 {
        assert_eq!(status(&call(&f.auth, "2001:db8:1:2::1", &[])).0, 401);
        assert_eq!(
            status(&call(
                &f.auth,
                "2001:db8:1:2::1",
                &[("authorization", "Bearer a b")]
            ))
            .0,
            400
        );
    }
    assert_eq!(status(&call(&f.auth, "2001:db8:1:2::1", &bad)).0, 401);
    assert_eq!(status(&call(&f.auth, "2001:db8:1:2::ffff", &bad)).0, 401);
    // The same /64 shares the budget; the next /64 has its own.
    assert_eq!(status(&call(&f.auth, "2001:db8:1:2:abcd::7", &good)).0, 429);
    assert_eq!(
        status(&call(&f.auth, "2001:db8:1:3::1", &good)),
        (200, "ok")
    );
}

#[test]
fn failure_budget_is_on_by_default_and_can_be_turned_off() {
    let f = fixture(|b| b);
    let bad = [("x-api-key", f.unknown.as_str())];
    for i in 0..20 {
        assert_eq!(
            status(&call(&f.auth, "198.51.100.7", &bad)).0,
            401,
            "attempt {i}"
        );
    }
    let r = call(&f.auth, "198.51.100.7", &bad).unwrap_err();
    assert_eq!(
        (r.status, r.retry_after),
        (429, Some(Duration::from_secs(6)))
    );

    let f = fixture(|b| b.with_failure_rate_limit(None));
    let bad = [("x-api-key", f.unknown.as_str())];
    for _ in 0..100 {
        assert_eq!(status(&call(&f.auth, "198.51.100.7", &bad)).0, 401);
    }
    // A bad limit is refused at build time.
    assert!(Authenticator::new(
        AuthenticatorOptions::new()
            .with_api_keys(Arc::new(
                ApiKeys::new("tw_test", ApiKeysOptions::default()).unwrap()
            ))
            .with_failure_rate_limit(Some(RateLimit::per_second(0, 1)))
    )
    .is_err());
}

fn hs256() -> (JwtIssuer, Arc<JwtVerifier>) {
    let key = JwtKey::hmac(HMAC, Algorithm::HS256).unwrap();
    let issuer = JwtIssuer::new(key.clone(), JwtIssuerOptions::new()).unwrap();
    let verifier = JwtVerifier::new(
        KeySet::single(key),
        JwtVerifierOptions::new([Algorithm::HS256]),
    )
    .unwrap();
    (issuer, Arc::new(verifier))
}

fn jwt(issuer: &JwtIssuer, claims: serde_json::Value) -> String {
    let serde_json::Value::Object(map) = claims else {
        panic!("claims must be an object")
    };
    issuer.issue(&map, &Default::default()).unwrap()
}

/// JWTs without `sub` used to share the bucket `s:` — one caller could starve all others.
#[test]
fn jwts_without_sub_do_not_share_one_rate_limit_bucket() {
    let (issuer, verifier) = hs256();
    let auth = Authenticator::new(
        AuthenticatorOptions::new()
            .with_jwt(verifier)
            .with_rate_limit(RateLimit::per_minute(1, 1))
            .with_clock(ManualClock::at_unix(T0)),
    )
    .unwrap();
    let t1 = jwt(&issuer, json!({"scope": "read"}));
    let t2 = jwt(&issuer, json!({"scope": "read", "jti": "another"}));
    let h = |t: &str| format!("Bearer {t}");
    let (h1, h2) = (h(&t1), h(&t2));
    assert_eq!(
        status(&call(&auth, "198.51.100.1", &[("authorization", &h1)])).0,
        200
    );
    assert_eq!(
        status(&call(&auth, "198.51.100.2", &[("authorization", &h2)])).0,
        200
    );
    assert_eq!(
        status(&call(&auth, "198.51.100.1", &[("authorization", &h1)])).0,
        429
    );
    // Tokens of one client (`client_id`, RFC 9068) share that client's bucket.
    let c1 = h(&jwt(&issuer, json!({"client_id": "svc-a", "jti": "1"})));
    let c2 = h(&jwt(&issuer, json!({"client_id": "svc-a", "jti": "2"})));
    let c3 = h(&jwt(&issuer, json!({"azp": "svc-b"})));
    assert_eq!(
        status(&call(&auth, "198.51.100.3", &[("authorization", &c1)])).0,
        200
    );
    assert_eq!(
        status(&call(&auth, "198.51.100.3", &[("authorization", &c2)])).0,
        429
    );
    assert_eq!(
        status(&call(&auth, "198.51.100.3", &[("authorization", &c3)])).0,
        200
    );
    // A subject is still one bucket across tokens.
    let s1 = h(&jwt(&issuer, json!({"sub": "u", "jti": "1"})));
    let s2 = h(&jwt(&issuer, json!({"sub": "u", "jti": "2"})));
    assert_eq!(
        status(&call(&auth, "198.51.100.4", &[("authorization", &s1)])).0,
        200
    );
    assert_eq!(
        status(&call(&auth, "198.51.100.4", &[("authorization", &s2)])).0,
        429
    );
}

fn introspecting(
    server: &TestServer,
    clock: &Arc<ManualClock>,
    configure: impl FnOnce(AuthenticatorOptions) -> AuthenticatorOptions,
) -> Authenticator {
    let shared: SharedClock = clock.clone();
    let client = OAuthClient::new(
        server.url("/token"),
        "gw",
        OAuthClientOptions::default()
            .with_client_secret(Secret::new("gw-secret").unwrap())
            .with_introspection_url(server.url("/introspect"))
            .with_http_policy(HttpPolicy {
                timeout: Duration::from_secs(5),
                ..HttpPolicy::default()
            })
            .with_clock(shared.clone()),
    )
    .unwrap();
    Authenticator::new(configure(
        AuthenticatorOptions::new()
            .with_introspection(Arc::new(client))
            .with_clock(shared),
    ))
    .unwrap()
}

async fn call_async(auth: &Authenticator, ip: &str, token: &str) -> Result<(), Refusal> {
    let h = format!("Bearer {token}");
    auth.authenticate_async(&Request {
        method: "GET",
        path: "/",
        headers: &[("authorization", &h)],
        client_ip: ip.parse().ok(),
        required_scopes: &[],
        client_certificate: None,
    })
    .await
    .map(|_| ())
}

/// Random opaque tokens from one address: after the failure budget no more POSTs go out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_opaque_tokens_stop_reaching_the_introspection_endpoint() {
    let server = TestServer::start(|req| {
        let active = req.form("token").as_deref() == Some("good-token");
        Reply::json(200, json!({"active": active, "sub": "u"}).to_string())
    })
    .await;
    let clock = ManualClock::at_unix(T0);
    let auth = introspecting(&server, &clock, |b| {
        b.with_failure_rate_limit(Some(RateLimit::per_minute(1, 5)))
    });
    for i in 0..50 {
        let r = call_async(&auth, "203.0.113.50", &format!("random-{i}")).await;
        let want = if i < 5 { 401 } else { 429 };
        assert_eq!(status(&r).0, want, "attempt {i}");
    }
    assert_eq!(server.hits(), 5, "one POST per budget unit, then none");
    // Another client with a good token is unaffected.
    assert_eq!(
        status(&call_async(&auth, "203.0.113.51", "good-token").await),
        (200, "ok")
    );
}

/// The outbound rate bound: beyond it an uncached token is refused 503 `rate_limited` with
/// Retry-After and nothing is sent; a cached good token keeps working.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn introspection_is_rate_bounded_and_cached_tokens_keep_working() {
    let server = TestServer::start(|req| {
        let active = req.form("token").as_deref() == Some("good-token");
        Reply::json(200, json!({"active": active, "sub": "u"}).to_string())
    })
    .await;
    let clock = ManualClock::at_unix(T0);
    let auth = introspecting(&server, &clock, |b| {
        b.with_failure_rate_limit(None)
            .with_introspection_rate_limit(Some(RateLimit::per_minute(1, 3)))
    });
    assert_eq!(
        status(&call_async(&auth, "203.0.113.1", "good-token").await).0,
        200
    );
    for i in 0..2 {
        let r = call_async(&auth, &format!("203.0.113.{}", 10 + i), &format!("r{i}")).await;
        assert_eq!(status(&r).0, 401);
    }
    assert_eq!(server.hits(), 3);
    for i in 0..20 {
        let r = call_async(&auth, &format!("203.0.113.{}", 20 + i), &format!("x{i}")).await;
        let r = r.unwrap_err();
        assert_eq!((r.status, r.code.as_str()), (503, "rate_limited"));
        assert_eq!(r.retry_after, Some(Duration::from_secs(60)));
        assert!(r.www_authenticate.is_none());
    }
    assert_eq!(server.hits(), 3, "nothing sent beyond the bound");
    // Cached answers (active and inactive) are still served.
    assert_eq!(
        status(&call_async(&auth, "203.0.113.1", "good-token").await).0,
        200
    );
    assert_eq!(
        status(&call_async(&auth, "203.0.113.10", "r0").await).0,
        401
    );
    assert_eq!(server.hits(), 3);
    assert!(Authenticator::new(
        AuthenticatorOptions::new()
            .with_api_keys(Arc::new(
                ApiKeys::new("tw_test", ApiKeysOptions::default()).unwrap()
            ))
            .with_introspection_max_inflight(0)
    )
    .is_err());
}

/// At most `introspection_max_inflight` requests at once; more distinct tokens are refused
/// 503 without a request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn introspection_concurrency_is_bounded() {
    let server = TestServer::start(|_| {
        Reply::json(200, json!({"active": false}).to_string()).delay(Duration::from_millis(400))
    })
    .await;
    let clock = ManualClock::at_unix(T0);
    let auth = Arc::new(introspecting(&server, &clock, |b| {
        b.with_failure_rate_limit(None)
            .with_introspection_max_inflight(2)
    }));
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let auth = auth.clone();
            tokio::spawn(async move {
                status(&call_async(&auth, "203.0.113.7", &format!("t{i}")).await).0
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses.sort_unstable();
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        2,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 503).count(),
        6,
        "{statuses:?}"
    );
    assert_eq!(server.hits(), 2);
}

/// `Debug` of every public type that can hold a credential: non-empty, and without the secret.
#[test]
fn debug_never_prints_credentials() {
    const SECRET: &str = "s3cr3t-VALUE-9f8e7d6c5b4a39281706";
    let mut outputs: Vec<(&str, String)> = Vec::new();
    let mut check = |name: &'static str, out: String| outputs.push((name, out));

    // Gateway requests: headers (Authorization, X-API-Key, Cookie) and query credentials.
    let auth_header = format!("Bearer {SECRET}");
    let cookie = format!("session={SECRET}");
    let path = format!("/v1/things?api_key={SECRET}");
    let headers = [
        ("authorization", auth_header.as_str()),
        ("x-api-key", SECRET),
        ("cookie", cookie.as_str()),
    ];
    let req = Request {
        method: "GET",
        path: &path,
        headers: &headers,
        client_ip: "198.51.100.7".parse().ok(),
        required_scopes: &["read"],
        client_certificate: None,
    };
    check("Request", format!("{req:?}"));
    check("Request alt", format!("{req:#?}"));
    let owned = OwnedRequest {
        method: "GET".into(),
        path: path.clone(),
        headers: headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
        client_ip: None,
        required_scopes: vec!["read".into()],
        client_certificate: None,
    };
    check("OwnedRequest", format!("{owned:?}"));
    let sources = CredentialSources::default();
    let found = sources
        .extract("/", &[("authorization", auth_header.as_str())])
        .unwrap();
    assert_eq!(found.value, SECRET);
    check("Found", format!("{found:?}"));

    // Secrets and API keys.
    let secret = Secret::new(SECRET).unwrap();
    check("Secret", format!("{secret:?}"));
    let keys = ApiKeys::new(
        "tw_test",
        ApiKeysOptions::default().with_pepper(Secret::new(format!("{SECRET}-pepper")).unwrap()),
    )
    .unwrap();
    let issued = keys
        .create(NewKey::new("acct").metadata("plan", "pro"))
        .unwrap();
    let key = issued.secret.expose().to_owned();
    let key_secret_part = &key[key.len() - 30..];
    check("IssuedKey", format!("{issued:?}"));
    check("KeyRecord", format!("{:?}", keys.verify(&key).unwrap()));
    check(
        "ParsedKey",
        format!("{:?}", ApiKeys::check_format(&key).unwrap()),
    );
    check("ApiKeys", format!("{keys:?}"));

    // JWT key material.
    let hmac = JwtKey::hmac(SECRET.as_bytes(), Algorithm::HS256).unwrap();
    check("JwtKey (HMAC)", format!("{hmac:?}"));
    let ec = JwtKey::generate(Algorithm::ES256).unwrap();
    let pem = ec.to_private_pem().unwrap();
    let pem_body: String = pem.expose().lines().nth(1).unwrap().to_owned();
    check("Secret (PEM)", format!("{pem:?}"));
    let from_pem = JwtKey::from_pem(pem.expose(), Some(Algorithm::ES256)).unwrap();
    check("JwtKey (PEM)", format!("{from_pem:?}"));
    let set = KeySet::single(hmac.clone());
    check("KeySet", format!("{set:?}"));
    check(
        "JwtIssuer",
        format!(
            "{:?}",
            JwtIssuer::new(hmac.clone(), JwtIssuerOptions::new()).unwrap()
        ),
    );
    let verifier = JwtVerifier::new(set, JwtVerifierOptions::new([Algorithm::HS256])).unwrap();
    check("JwtVerifier", format!("{verifier:?}"));

    // OAuth.
    let client = OAuthClient::new(
        "https://id.example/token",
        "svc",
        OAuthClientOptions::default().with_client_secret(Secret::new(SECRET).unwrap()),
    )
    .unwrap();
    check("OAuthClient", format!("{client:?}"));
    let body = json!({"access_token": SECRET, "token_type": "Bearer", "expires_in": 60,
                      "refresh_token": SECRET, "id_token": SECRET})
    .to_string();
    let response =
        TokenResponse::parse(body.as_bytes(), std::time::SystemTime::now(), &[]).unwrap();
    check("TokenResponse", format!("{response:?}"));
    check("AccessToken", format!("{:?}", response.access_token));
    let grant = Grant::RefreshToken {
        refresh_token: Secret::new(SECRET).unwrap(),
        scopes: vec![],
    };
    check("Grant", format!("{grant:?}"));
    let verifier_str = format!("{SECRET}{SECRET}");
    check(
        "Pkce",
        format!("{:?}", Pkce::from_verifier(&verifier_str).unwrap()),
    );
    let source = TokenSource::from_token_response(
        Arc::new(client),
        response,
        Some(Grant::ClientCredentials { scopes: vec![] }),
        Default::default(),
    )
    .unwrap();
    check("TokenSource", format!("{source:?}"));

    // The authenticator holding all of it, and its decisions.
    let (issuer, _) = hs256();
    let token = jwt(&issuer, json!({"sub": "u", "scope": "read"}));
    let auth = Authenticator::new(
        AuthenticatorOptions::new()
            .with_api_keys(Arc::new(keys))
            .with_jwt(Arc::new(verifier)),
    )
    .unwrap();
    check("Authenticator", format!("{auth:?}"));
    let h = format!("Bearer {token}");
    let decision = auth.authenticate(&Request {
        headers: &[("authorization", &h)],
        ..Request::default()
    });
    check("Refusal/Principal", format!("{decision:?}"));
    let principal = auth
        .authenticate(&Request {
            headers: &[("x-api-key", &key)],
            ..Request::default()
        })
        .unwrap();
    check("Principal", format!("{principal:?}"));

    let sig = token.rsplit('.').next().unwrap().to_owned();
    for (name, out) in &outputs {
        assert!(!out.is_empty(), "{name}: empty Debug");
        for needle in [SECRET, key_secret_part, pem_body.as_str(), sig.as_str()] {
            assert!(!out.contains(needle), "{name} prints a credential: {out}");
        }
    }
    assert_eq!(outputs.len(), 24, "every type above is checked");
}
