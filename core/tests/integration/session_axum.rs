//! Sessions end to end with axum and the tower layer: an axum server on localhost and a
//! browser-like client (reqwest with a cookie jar that keeps `__Host-` cookies only with
//! `Secure`, `Path=/` and no `Domain`, as a browser does; localhost is a secure context). Log
//! in (rotating the anonymous id), an authenticated request, the CSRF token on unsafe methods,
//! rotation on privilege change, log out, and a server-side revocation.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Extension, Router};
use tokenward::gateway::{AuthLayer, Authenticator, AuthenticatorOptions, Principal};
use tokenward::session::{Sessions, SessionsOptions};

fn sid(sessions: &Sessions, headers: &HeaderMap) -> Option<String> {
    let name = sessions.cookie().name();
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn data(scope: &str) -> BTreeMap<String, String> {
    BTreeMap::from([("scope".to_owned(), scope.to_owned())])
}

/// The response of a handler that set a session: its cookie and its CSRF token.
fn issued(sessions: &Sessions, id: &str) -> axum::response::Response {
    (
        [(header::SET_COOKIE, sessions.set_cookie(id).unwrap())],
        sessions.csrf_token(id).unwrap(),
    )
        .into_response()
}

fn app(sessions: Arc<Sessions>) -> Router {
    let auth = Arc::new(
        Authenticator::new(AuthenticatorOptions::new().with_sessions(sessions.clone())).unwrap(),
    );
    let (s1, s2, s3, s4) = (
        sessions.clone(),
        sessions.clone(),
        sessions.clone(),
        sessions,
    );
    Router::new()
        .route(
            "/anonymous",
            post(move || async move {
                let a = s1.create("anonymous", BTreeMap::new()).unwrap();
                issued(&s1, a.id.expose())
            }),
        )
        .route(
            "/login",
            post(move |headers: HeaderMap| async move {
                let login = match sid(&s2, &headers) {
                    // The anonymous session becomes the user's: a new id (no fixation).
                    Some(old) => s2.rotate(&old, Some("alice"), Some(data("read"))).unwrap(),
                    None => s2.create("alice", data("read")).unwrap(),
                };
                issued(&s2, login.id.expose())
            }),
        )
        .route(
            "/me",
            get(|Extension(p): Extension<Principal>| async move {
                format!("{}:{}", p.subject, p.kind.as_str())
            })
            .layer(AuthLayer::new(auth.clone()).require(["read"])),
        )
        .route(
            "/sudo",
            post(move |headers: HeaderMap| async move {
                let old = sid(&s3, &headers).unwrap();
                let more = s3.rotate(&old, None, Some(data("read admin"))).unwrap();
                issued(&s3, more.id.expose())
            })
            .layer(AuthLayer::new(auth.clone())),
        )
        .route(
            "/logout",
            post(move |headers: HeaderMap| async move {
                s4.revoke(&sid(&s4, &headers).unwrap()).unwrap();
                ([(header::SET_COOKIE, s4.clear_cookie())], "bye").into_response()
            })
            .layer(AuthLayer::new(auth)),
        )
}

/// A cookie jar with a browser's rules for `__Host-` cookies.
struct Browser {
    client: reqwest::Client,
    base: String,
    jar: HashMap<String, String>,
    refused: usize,
}

impl Browser {
    fn new(base: &str) -> Self {
        Browser {
            client: reqwest::Client::new(),
            base: base.to_owned(),
            jar: HashMap::new(),
            refused: 0,
        }
    }

    async fn call(&mut self, method: &str, path: &str, csrf: Option<&str>) -> (u16, String) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if !self.jar.is_empty() {
            let cookie: Vec<String> = self.jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
            req = req.header("cookie", cookie.join("; "));
        }
        if let Some(token) = csrf {
            req = req.header("x-csrf-token", token);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        for line in res.headers().get_all("set-cookie") {
            let line = line.to_str().unwrap();
            let mut parts = line.split(';').map(str::trim);
            let (k, v) = parts.next().unwrap().split_once('=').unwrap();
            let attrs: Vec<String> = parts.map(str::to_ascii_lowercase).collect();
            let host_ok = attrs.iter().any(|a| a == "secure")
                && attrs.iter().any(|a| a == "path=/")
                && !attrs.iter().any(|a| a.starts_with("domain="));
            if k.starts_with("__Host-") && !host_ok {
                self.refused += 1;
            } else if attrs.iter().any(|a| a == "max-age=0") {
                self.jar.remove(k);
            } else {
                self.jar.insert(k.to_owned(), v.to_owned());
            }
        }
        (status, res.text().await.unwrap())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_sessions_with_a_cookie_jar() {
    let sessions = Arc::new(Sessions::new(SessionsOptions::new()).unwrap());
    let name = sessions.cookie().name().to_owned();
    assert_eq!(name, "__Host-tw_session");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    let router = app(sessions.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let mut b = Browser::new(&base);
    assert_eq!(b.call("GET", "/me", None).await.0, 401);
    assert_eq!(b.call("POST", "/anonymous", None).await.0, 200);
    let anonymous = b.jar[&name].clone();
    assert!(anonymous.starts_with("tws_"));
    let (status, csrf) = b.call("POST", "/login", None).await;
    assert_eq!(status, 200);
    assert_ne!(b.jar[&name], anonymous, "login rotates the id");
    assert_eq!(
        b.call("GET", "/me", None).await,
        (200, "alice:session".to_owned())
    );
    // The pre-login id is dead: a fixated cookie is worthless.
    let mut stale = Browser::new(&base);
    stale.jar.insert(name.clone(), anonymous);
    assert_eq!(stale.call("GET", "/me", None).await.0, 401);
    // Unsafe methods need this session's CSRF token.
    assert_eq!(
        b.call("POST", "/sudo", None).await.0,
        StatusCode::FORBIDDEN.as_u16()
    );
    assert_eq!(b.call("POST", "/sudo", Some("forged")).await.0, 403);
    let before = b.jar[&name].clone();
    let (status, csrf2) = b.call("POST", "/sudo", Some(&csrf)).await;
    assert_eq!(status, 200);
    assert_ne!(b.jar[&name], before, "a privilege change rotates the id");
    let mut old = Browser::new(&base);
    old.jar.insert(name.clone(), before);
    assert_eq!(old.call("GET", "/me", None).await.0, 401);
    assert_eq!(b.call("POST", "/logout", Some(&csrf)).await.0, 403);
    assert_eq!(b.call("POST", "/logout", Some(&csrf2)).await.0, 200);
    assert!(
        !b.jar.contains_key(&name),
        "the clearing Set-Cookie removed it"
    );
    assert_eq!(b.call("GET", "/me", None).await.0, 401);
    assert_eq!(b.refused, 0);

    // A server-side revocation ("log out everywhere") logs another browser out.
    let mut c = Browser::new(&base);
    assert_eq!(c.call("POST", "/login", None).await.0, 200);
    assert_eq!(c.call("GET", "/me", None).await.0, 200);
    let revoker = sessions.clone();
    let n = tokio::task::spawn_blocking(move || revoker.revoke_subject("alice"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(c.call("GET", "/me", None).await.0, 401);
}
