//! A `tower` layer running the [`Authenticator`] in front of a service (axum, tonic, hyper).
//! Enabled by the `tower` cargo feature.
//!
//! On success the [`Principal`] is inserted into the request extensions (axum:
//! `Extension<Principal>`); on refusal the inner service is not called and the response carries
//! the refusal's status, `WWW-Authenticate` and `Retry-After`, with an empty body.
//!
//! The client address is read from the request extensions: by default a
//! `std::net::SocketAddr` or `std::net::IpAddr`; with axum pass
//! [`AuthLayer::client_ip`] a function reading `ConnectInfo<SocketAddr>`. The client
//! certificate of mutual TLS (for mTLS-bound tokens) is a
//! [`ClientCertificate`](super::mtls::ClientCertificate) extension the TLS acceptor inserts.
//!
//! ```ignore
//! let app = Router::new()
//!     .route("/things", get(handler))
//!     .layer(AuthLayer::new(auth).require(["read"]).client_ip(|ext| {
//!         ext.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
//!     }));
//! ```

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::header::{HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{Extensions, StatusCode};

use super::{Authenticator, Principal, Refusal, Request};

type ClientIpFn = Arc<dyn Fn(&Extensions) -> Option<IpAddr> + Send + Sync>;

fn default_client_ip(ext: &Extensions) -> Option<IpAddr> {
    ext.get::<SocketAddr>()
        .map(SocketAddr::ip)
        .or_else(|| ext.get::<IpAddr>().copied())
}

/// The client certificate a TLS acceptor put in the request extensions
/// ([`ClientCertificate`](super::mtls::ClientCertificate)), for mTLS-bound tokens.
fn client_certificate(ext: &Extensions) -> Option<&[u8]> {
    ext.get::<super::mtls::ClientCertificate>()
        .map(|c| c.0.as_slice())
}

/// Wraps services with [`AuthService`].
#[derive(Clone)]
pub struct AuthLayer {
    auth: Arc<Authenticator>,
    scopes: Arc<[String]>,
    client_ip: ClientIpFn,
}

impl std::fmt::Debug for AuthLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthLayer")
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl AuthLayer {
    /// A layer authenticating every request with `auth`, requiring no scope.
    pub fn new(auth: Arc<Authenticator>) -> Self {
        AuthLayer {
            auth,
            scopes: Arc::from(Vec::new()),
            client_ip: Arc::new(default_client_ip),
        }
    }

    /// Requires every scope in `scopes` (per route: apply a separate layer per route).
    pub fn require<I: IntoIterator<Item = S>, S: Into<String>>(mut self, scopes: I) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// How to find the socket peer address in the request extensions.
    pub fn client_ip(
        mut self,
        f: impl Fn(&Extensions) -> Option<IpAddr> + Send + Sync + 'static,
    ) -> Self {
        self.client_ip = Arc::new(f);
        self
    }
}

impl<S> tower_layer::Layer<S> for AuthLayer {
    type Service = AuthService<S>;

    fn layer(&self, inner: S) -> AuthService<S> {
        AuthService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service produced by [`AuthLayer`].
#[derive(Clone, Debug)]
pub struct AuthService<S> {
    inner: S,
    layer: AuthLayer,
}

/// The response future of [`AuthService`].
pub type ResponseFuture<R, E> = Pin<Box<dyn Future<Output = Result<R, E>> + Send>>;

/// The HTTP response for a refusal, with an empty body.
pub fn refusal_response<B: Default>(refusal: &Refusal) -> http::Response<B> {
    let mut res = http::Response::new(B::default());
    *res.status_mut() = StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::UNAUTHORIZED);
    if let Some(v) = refusal
        .www_authenticate
        .as_deref()
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        res.headers_mut().insert(WWW_AUTHENTICATE, v);
    }
    if let Some(secs) = refusal.retry_after_seconds() {
        res.headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(secs));
    }
    if let Some(v) = refusal
        .dpop_nonce
        .as_deref()
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        res.headers_mut()
            .insert(http::HeaderName::from_static("dpop-nonce"), v);
    }
    res
}

/// The borrowed header lines of an `http::Request`. Non-UTF-8 values cannot be credentials:
/// they become a value no check accepts.
fn header_lines(headers: &http::HeaderMap) -> Vec<(&str, &str)> {
    headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.to_str().unwrap_or("\u{fffd}")))
        .collect()
}

fn target(uri: &http::Uri) -> &str {
    uri.path_and_query()
        .map_or_else(|| uri.path(), |pq| pq.as_str())
}

/// Runs the authenticator on an `http::Request`, synchronously: an opaque token (with
/// introspection configured) is accepted only from the introspection cache. Prefer
/// [`authenticate_http_async`].
pub fn authenticate_http<B>(
    auth: &Authenticator,
    req: &http::Request<B>,
    required_scopes: &[&str],
    client_ip: Option<IpAddr>,
) -> Result<Principal, Refusal> {
    let headers = header_lines(req.headers());
    auth.authenticate(&Request {
        method: req.method().as_str(),
        path: target(req.uri()),
        headers: &headers,
        client_ip,
        required_scopes,
        client_certificate: client_certificate(req.extensions()),
    })
}

/// Runs [`Authenticator::authenticate_async`] on an `http::Request` (introspecting opaque
/// tokens when needed).
pub async fn authenticate_http_async<B>(
    auth: &Authenticator,
    req: &http::Request<B>,
    required_scopes: &[&str],
    client_ip: Option<IpAddr>,
) -> Result<Principal, Refusal> {
    let headers = header_lines(req.headers());
    auth.authenticate_async(&Request {
        method: req.method().as_str(),
        path: target(req.uri()),
        headers: &headers,
        client_ip,
        required_scopes,
        client_certificate: client_certificate(req.extensions()),
    })
    .await
}

/// The response to a decision: the inner service's, or the refusal's.
fn respond<S, B, R>(
    inner: &mut S,
    mut req: http::Request<B>,
    decision: Result<Principal, Refusal>,
) -> ResponseFuture<http::Response<R>, S::Error>
where
    S: tower_service::Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
    R: Default + Send + 'static,
{
    match decision {
        Ok(principal) => {
            req.extensions_mut().insert(principal);
            Box::pin(inner.call(req))
        }
        Err(refusal) => {
            let res = refusal_response::<R>(&refusal);
            Box::pin(async move { Ok(res) })
        }
    }
}

/// Decisions that need no network I/O are made in `call`; an opaque token without a cached
/// introspection answer is introspected in the response future
/// ([`Authenticator::authenticate_async`]), so the executor is never blocked.
impl<S, B, R> tower_service::Service<http::Request<B>> for AuthService<S>
where
    S: tower_service::Service<http::Request<B>, Response = http::Response<R>>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    S::Error: 'static,
    B: Send + 'static,
    R: Default + Send + 'static,
{
    type Response = http::Response<R>;
    type Error = S::Error;
    type Future = ResponseFuture<http::Response<R>, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let layer = &self.layer;
        let ip = (layer.client_ip)(req.extensions());
        let now = {
            let scopes: Vec<&str> = layer.scopes.iter().map(String::as_str).collect();
            let headers = header_lines(req.headers());
            layer.auth.decide_now(&Request {
                method: req.method().as_str(),
                path: target(req.uri()),
                headers: &headers,
                client_ip: ip,
                required_scopes: &scopes,
                client_certificate: client_certificate(req.extensions()),
            })
        };
        if let Some(decision) = now {
            return respond(&mut self.inner, req, decision);
        }
        // The readied service goes into the future; a clone takes its place.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let auth = layer.auth.clone();
        let scopes = layer.scopes.clone();
        // Only the head is borrowed across the await (the body need not be `Sync`).
        let (parts, body) = req.into_parts();
        Box::pin(async move {
            let decision = {
                let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
                let headers = header_lines(&parts.headers);
                auth.authenticate_async(&Request {
                    method: parts.method.as_str(),
                    path: target(&parts.uri),
                    headers: &headers,
                    client_ip: ip,
                    required_scopes: &scopes,
                    client_certificate: client_certificate(&parts.extensions),
                })
                .await
            };
            respond(&mut inner, http::Request::from_parts(parts, body), decision).await
        })
    }
}
