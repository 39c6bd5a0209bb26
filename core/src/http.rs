//! The one HTTP client of tokenward (remote JWKS, discovery, OAuth): timeouts on every
//! request, bounded response bodies, `https` only unless the host is loopback or the caller
//! explicitly opts in, and redirects only within the same origin.
//!
//! Redirects: a hop is followed only when its scheme, host and port are those of the request's
//! URL, at most five times. So an `https` request never continues over
//! plain `http` (a 307 would re-send a client secret, refresh token or code verifier in clear
//! text, and a downgraded JWKS fetch would let an on-path attacker serve keys), and never to
//! another port or host. Every hop is compared with the original URL, which itself passed
//! the URL check, so every hop satisfies the scheme policy too. A refused redirect is
//! `invalid_response`.

use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::Duration;

use reqwest::redirect;
use secrecy::zeroize::Zeroizing;
use serde_json::{Map, Value};

use crate::telemetry::HttpSpan;
pub(crate) use crate::telemetry::Operation;
use crate::{Error, ErrorCode};

/// Default whole-request timeout of [`HttpPolicy`] (5 s).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Per-request limits.
#[derive(Debug, Clone, Copy)]
pub struct HttpPolicy {
    /// Whole-request timeout (connect, send, read the body).
    pub timeout: Duration,
    /// Largest accepted response body, in bytes.
    pub max_body: usize,
    /// Allow plain `http://` to non-loopback hosts. Insecure: tokens and keys in clear text.
    pub dangerous_allow_http: bool,
}

impl Default for HttpPolicy {
    fn default() -> Self {
        HttpPolicy {
            timeout: DEFAULT_TIMEOUT,
            max_body: 256 * 1024,
            dangerous_allow_http: false,
        }
    }
}

/// A response with its body already read (and bounded). `Debug` prints the status and sizes
/// only: bodies hold token-endpoint answers (access and refresh tokens), headers may hold
/// cookies.
pub(crate) struct HttpResponse {
    /// HTTP status code.
    pub status: u16,
    /// Response headers.
    pub headers: reqwest::header::HeaderMap,
    /// The body, wiped when dropped (it may hold tokens).
    pub body: Zeroizing<Vec<u8>>,
    /// The request's span (`otel` feature), ended when the response is dropped.
    pub span: crate::telemetry::HttpSpan,
}

/// Appends `chunk` to `buf`. When `buf` must grow, the bytes move to a new allocation and the
/// old one is wiped (a plain `extend_from_slice` would leave the copy in freed memory).
pub(crate) fn append_wiping(buf: &mut Zeroizing<Vec<u8>>, chunk: &[u8]) {
    let needed = buf.len() + chunk.len();
    if needed > buf.capacity() {
        let mut grown = Zeroizing::new(Vec::with_capacity(needed.max(buf.capacity() * 2)));
        grown.extend_from_slice(buf);
        // The old buffer is dropped (and wiped) here.
        *buf = grown;
    }
    buf.extend_from_slice(chunk);
}

impl std::fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers.len())
            .field(
                "body",
                &format_args!("[REDACTED {} bytes]", self.body.len()),
            )
            .finish()
    }
}

/// Most redirects followed for one request.
pub const MAX_REDIRECTS: usize = 5;

/// Whether a redirect from a request to `original` may continue to `next`: same scheme (no
/// `https` → `http` downgrade, and no upgrade either, which would change the port), same host
/// and same port (explicit or the scheme's default). Credentials in the URL are refused.
pub(crate) fn redirect_allowed(original: &reqwest::Url, next: &reqwest::Url) -> bool {
    original.scheme() == next.scheme()
        && matches!(next.scheme(), "https" | "http")
        && original.host_str().is_some()
        && original.host_str() == next.host_str()
        && original.port_or_known_default() == next.port_or_known_default()
        && next.username().is_empty()
        && next.password().is_none()
}

static CLIENT: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();

/// The shared client (connection pool reused across requests).
pub(crate) fn client() -> Result<&'static reqwest::Client, Error> {
    CLIENT
        .get_or_init(|| builder().build().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| {
            Error::new(
                ErrorCode::Internal,
                format!("cannot build the HTTP client: {e}"),
            )
        })
}

/// A client of its own, with the shared client's policy, presenting `identity` (mutual TLS)
/// and trusting `roots` besides the platform's: for an `OAuthClient` with a client
/// certificate or extra CA certificates.
pub(crate) fn client_with_tls(
    identity: Option<reqwest::Identity>,
    roots: Vec<reqwest::Certificate>,
) -> Result<reqwest::Client, Error> {
    let mut b = builder().tls_certs_merge(roots);
    if let Some(id) = identity {
        b = b.identity(id);
    }
    // The builder's error may describe the certificate: no key material, but keep it short.
    b.build().map_err(|_| {
        Error::new(
            ErrorCode::InvalidKey,
            "the client certificate, its key or a CA certificate is not usable for TLS",
        )
    })
}

fn builder() -> reqwest::ClientBuilder {
    bundled_roots(reqwest::Client::builder())
        // Below the 5 s keep-alive of Node and many proxies: reusing a connection the
        // server is closing fails a POST with `network` (seen against Node servers).
        .pool_idle_timeout(Duration::from_secs(4))
        .redirect(redirect::Policy::custom(|attempt| {
            let allowed = attempt
                .previous()
                .first()
                .is_some_and(|first| redirect_allowed(first, attempt.url()));
            if attempt.previous().len() <= MAX_REDIRECTS && allowed {
                attempt.follow()
            } else {
                attempt.stop()
            }
        }))
        .user_agent(concat!("tokenward/", env!("CARGO_PKG_VERSION")))
}

/// Parses `url` and checks the scheme policy.
pub(crate) fn check_url(url: &str, policy: &HttpPolicy) -> Result<reqwest::Url, Error> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|_| Error::new(ErrorCode::InvalidInput, "not a valid URL"))?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if policy.dangerous_allow_http || is_loopback(&parsed) => Ok(parsed),
        "http" => Err(Error::new(
            ErrorCode::InvalidInput,
            "plain http is refused for non-loopback hosts (see dangerous_allow_http)",
        )),
        _ => Err(Error::new(
            ErrorCode::InvalidInput,
            "only http(s) URLs are supported",
        )),
    }
}

/// Android: server certificates are checked against Mozilla's root store compiled into the
/// library (webpki-root-certs). reqwest's default verifier there, rustls-platform-verifier,
/// fails every handshake until the app initialises it through JNI with a `Context` and ships
/// its Kotlin component, which a JNA-loaded library has no hook for.
#[cfg(target_os = "android")]
fn bundled_roots(builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    builder.tls_certs_only(
        webpki_root_certs::TLS_SERVER_ROOT_CERTS
            .iter()
            .filter_map(|der| reqwest::Certificate::from_der(der.as_ref()).ok()),
    )
}

/// Elsewhere the platform verifier (the operating system's trust store) stays.
#[cfg(not(target_os = "android"))]
fn bundled_roots(builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    builder
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Maps a transport error to a stable code. The reqwest error becomes the source, without its
/// URL (whose query or userinfo may carry a secret).
pub(crate) fn transport_error(err: reqwest::Error) -> Error {
    let error = if err.is_timeout() {
        Error::new(ErrorCode::Timeout, "the request timed out")
    } else if err.is_redirect() {
        Error::new(
            ErrorCode::InvalidResponse,
            "redirected to another scheme, host or port",
        )
    } else {
        Error::new(
            ErrorCode::Network,
            "the request failed (connection or protocol error)",
        )
    };
    error.with_source(err.without_url())
}

/// Sends `request` under `policy` and reads the body up to the size limit. The request has a
/// span (`otel` feature) naming `op`, which the response carries; a failure found here is
/// recorded on it, one found by the caller while reading the answer with
/// [`HttpSpan::fail`](crate::telemetry::HttpSpan).
pub(crate) async fn send(
    op: Operation,
    request: reqwest::RequestBuilder,
    policy: &HttpPolicy,
) -> Result<HttpResponse, Error> {
    let (client, request) = request.build_split();
    let request = request.map_err(transport_error)?;
    let span = HttpSpan::start(op, &request);
    let run = async {
        let mut response = client.execute(request).await.map_err(transport_error)?;
        let status = response.status().as_u16();
        span.status(status);
        if response.status().is_redirection() {
            return Err(Error::new(
                ErrorCode::InvalidResponse,
                "redirected to another scheme, host or port",
            ));
        }
        let headers = response.headers().clone();
        let mut body = Zeroizing::new(Vec::new());
        while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
            if body.len() + chunk.len() > policy.max_body {
                return Err(Error::new(
                    ErrorCode::InvalidResponse,
                    "the response body is too large",
                ));
            }
            append_wiping(&mut body, &chunk);
        }
        Ok((status, headers, body))
    };
    let result = match tokio::time::timeout(policy.timeout, run).await {
        Ok(result) => result,
        Err(_) => Err(Error::new(ErrorCode::Timeout, "the request timed out")),
    };
    match result {
        Ok((status, headers, body)) => Ok(HttpResponse {
            status,
            headers,
            body,
            span,
        }),
        Err(e) => {
            span.fail(e.code());
            Err(e)
        }
    }
}

/// GETs a JSON object. 5xx is `server_error`; other non-2xx, non-JSON or oversize bodies are
/// `invalid_response`.
pub(crate) async fn get_json(
    op: Operation,
    url: &str,
    policy: &HttpPolicy,
) -> Result<(Map<String, Value>, HttpResponse), Error> {
    let url = check_url(url, policy)?;
    let response = send(
        op,
        client()?.get(url).header("accept", "application/json"),
        policy,
    )
    .await?;
    match json_answer(&response) {
        Ok(map) => Ok((map, response)),
        Err(e) => {
            response.span.fail(e.code());
            Err(e)
        }
    }
}

/// The JSON object of a 2xx answer (see [`get_json`]).
fn json_answer(response: &HttpResponse) -> Result<Map<String, Value>, Error> {
    if response.status >= 500 {
        return Err(Error::new(
            ErrorCode::ServerError,
            format!("the server answered {}", response.status),
        ));
    }
    if !(200..300).contains(&response.status) {
        return Err(Error::new(
            ErrorCode::InvalidResponse,
            format!("the server answered {}", response.status),
        ));
    }
    crate::json::parse_object(&response.body, 16, "not a JSON object").map_err(|_| {
        Error::new(
            ErrorCode::InvalidResponse,
            "the response is not a JSON object",
        )
    })
}

/// `Cache-Control: max-age` of a response, if any (at most [`crate::clock::MAX_DURATION`]).
pub(crate) fn max_age(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::CACHE_CONTROL)?.to_str().ok()?;
    value.split(',').find_map(|d| {
        let d = d.trim();
        let secs = d.strip_prefix("max-age=")?;
        secs.trim_matches('"')
            .parse::<u64>()
            .ok()
            .map(|s| Duration::from_secs(s.min(crate::clock::MAX_DURATION_SECS)))
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{append_wiping, redirect_allowed};
    use secrecy::zeroize::Zeroizing;

    #[test]
    fn append_wiping_keeps_every_byte_in_order() {
        let mut buf = Zeroizing::new(Vec::new());
        let mut expected = Vec::new();
        for i in 0..200u8 {
            let chunk = vec![i; usize::from(i % 7) + 1];
            append_wiping(&mut buf, &chunk);
            expected.extend_from_slice(&chunk);
            assert!(buf.capacity() >= buf.len());
        }
        assert_eq!(*buf, expected);
    }

    fn url(s: &str) -> reqwest::Url {
        reqwest::Url::parse(s).unwrap()
    }

    #[test]
    fn redirect_policy_refuses_downgrades_port_and_host_changes() {
        let from = url("https://auth.example/token");
        for (next, allowed) in [
            ("https://auth.example/other", true),
            ("https://auth.example:443/other", true),
            ("http://auth.example/token", false),
            ("http://auth.example:443/token", false),
            ("https://auth.example:8443/token", false),
            ("https://evil.example/token", false),
            ("https://user:pw@auth.example/token", false),
        ] {
            assert_eq!(redirect_allowed(&from, &url(next)), allowed, "{next}");
        }
        let plain = url("http://127.0.0.1:8080/jwks");
        assert!(redirect_allowed(&plain, &url("http://127.0.0.1:8080/keys")));
        assert!(!redirect_allowed(
            &plain,
            &url("http://127.0.0.1:8081/jwks")
        ));
        assert!(!redirect_allowed(
            &plain,
            &url("https://127.0.0.1:8080/jwks")
        ));
        assert!(!redirect_allowed(
            &plain,
            &url("http://localhost:8080/jwks")
        ));
    }
}
