//! Shared test fixtures: a minimal HTTP/1.1 server whose every request is recorded and answered by
//! a handler the test controls (status, headers, body, delay).
#![allow(dead_code, clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One received request.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A form field of the body.
    pub fn form(&self, name: &str) -> Option<String> {
        url::form_urlencoded::parse(self.body.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

/// One answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub headers: Vec<(String, String)>,
    pub delay: Duration,
}

impl Reply {
    pub fn json(status: u16, body: impl Into<String>) -> Reply {
        Reply {
            status,
            body: body.into(),
            headers: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn delay(mut self, d: Duration) -> Reply {
        self.delay = d;
        self
    }
}

type Handler = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

pub struct TestServer {
    pub base: String,
    handler: Arc<Mutex<Handler>>,
    pub requests: Arc<Mutex<Vec<Request>>>,
    hits: Arc<AtomicUsize>,
}

async fn read_request(sock: &mut tokio::net::TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let path = first.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let len = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[head_end..]).into_owned();
    Some(Request {
        method,
        path,
        headers,
        body,
    })
}

impl TestServer {
    pub async fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let handler: Arc<Mutex<Handler>> = Arc::new(Mutex::new(Arc::new(handler)));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let hits = Arc::new(AtomicUsize::new(0));
        let (h, r, c) = (handler.clone(), requests.clone(), hits.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let (h, r, c) = (h.clone(), r.clone(), c.clone());
                tokio::spawn(async move {
                    let Some(req) = read_request(&mut sock).await else {
                        return;
                    };
                    c.fetch_add(1, Ordering::SeqCst);
                    let handler = h.lock().clone();
                    let reply = handler(&req);
                    r.lock().push(req);
                    tokio::time::sleep(reply.delay).await;
                    let mut head = format!(
                        "HTTP/1.1 {} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
                        reply.status,
                        reply.body.len()
                    );
                    for (n, v) in &reply.headers {
                        head.push_str(&format!("{n}: {v}\r\n"));
                    }
                    head.push_str("\r\n");
                    let _ = sock.write_all(head.as_bytes()).await;
                    let _ = sock.write_all(reply.body.as_bytes()).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        TestServer {
            base,
            handler,
            requests,
            hits,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn set(&self, handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) {
        *self.handler.lock() = Arc::new(handler);
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    pub fn last(&self) -> Request {
        self.requests.lock().last().cloned().unwrap()
    }
}

/// A token answer.
pub fn token_body(access: &str, expires_in: i64, refresh: Option<&str>) -> String {
    let mut v = serde_json::json!({"access_token": access, "token_type": "Bearer", "expires_in": expires_in});
    if let Some(r) = refresh {
        v["refresh_token"] = r.into();
    }
    v.to_string()
}

/// Starts `n` concurrent `token()` callers on `src`; each resolves to the token it received.
pub fn spawn_token_callers(
    src: &tokenward::refresh::TokenSource,
    n: usize,
) -> Vec<tokio::task::JoinHandle<tokenward::Result<String>>> {
    (0..n)
        .map(|_| {
            let s = src.clone();
            tokio::spawn(async move { s.token().await.map(|t| t.expose().to_owned()) })
        })
        .collect()
}

/// The real OAuth 2.0 / OIDC server (`tests/oauth/mock-server.mjs`, npm `oauth2-mock-server`;
/// needs `node` and `npm install` in node/), killed on drop.
pub struct MockServer {
    child: Child,
    pub issuer: String,
}

impl MockServer {
    pub fn start() -> MockServer {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut child = Command::new("node")
            .arg("tests/oauth/mock-server.mjs")
            .current_dir(&root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node must be installed to run the oauth2-mock-server tests");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let info: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|_| {
            panic!("mock server did not start (is `npm install` done in node/?): {line:?}")
        });
        MockServer {
            child,
            issuer: info["issuer"].as_str().unwrap().to_owned(),
        }
    }

    /// POSTs to a control endpoint of the server (e.g. `/__stats`).
    pub async fn control(&self, path: &str) -> serde_json::Value {
        reqwest::Client::new()
            .post(format!("{}{path}", self.issuer))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// How many requests `endpoint` (e.g. `token`) has answered.
    pub async fn count(&self, endpoint: &str) -> u64 {
        self.control("/__stats").await[endpoint]
            .as_u64()
            .unwrap_or(0)
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `authenticate_async` of the API key `key` (sent as `x-api-key`): the principal's remaining
/// requests, or the refusal's code and status.
pub async fn api_key_async(
    auth: std::sync::Arc<tokenward::gateway::Authenticator>,
    key: tokenward::Secret,
) -> Result<Option<u64>, (tokenward::ErrorCode, u16)> {
    let headers = [("x-api-key", key.expose())];
    let req = tokenward::gateway::Request {
        headers: &headers,
        ..tokenward::gateway::Request::default()
    };
    auth.authenticate_async(&req)
        .await
        .map(|p| p.rate_limit_remaining)
        .map_err(|r| (r.code, r.status))
}
