//! The loopback redirect of a native app (RFC 8252 §7.3): a CLI or desktop app listens on
//! `127.0.0.1` on an ephemeral port, gives `http://127.0.0.1:PORT/callback` to the
//! [`AuthorizationFlow`], opens the authorization URL in the browser and receives the redirect
//! itself.
//!
//! [`LoopbackRedirect::wait`] accepts connections until exactly one `GET /callback…` request
//! arrives (answered with a small page saying the browser can be closed); requests to other
//! paths get a 404 and the wait goes on; once the redirect is received the listener is closed,
//! so a second request is refused. Nothing here logs, and the `Debug` output shows the port
//! only: the redirect carries the authorization code and `state`.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr, TcpListener as StdListener};
use std::sync::Mutex;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use super::{AuthorizationFlow, TokenResponse};
use crate::{Error, ErrorCode, Secret};

/// The path of the redirect URI.
pub const LOOPBACK_CALLBACK_PATH: &str = "/callback";
/// The largest request head read from the browser (request line and headers).
const MAX_HEAD: usize = 16 * 1024;
/// How long one connection may take to send its request head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

const PAGE: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Sign-in</title></head><body><p>The sign-in answer reached the application. \
You can close this window.</p></body></html>";

/// A listener on `127.0.0.1:PORT` for one authorization redirect (RFC 8252 §7.3).
pub struct LoopbackRedirect {
    port: u16,
    redirect_uri: String,
    listener: Mutex<Option<StdListener>>,
}

impl fmt::Debug for LoopbackRedirect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoopbackRedirect")
            .field("port", &self.port)
            .finish()
    }
}

impl LoopbackRedirect {
    /// Binds `127.0.0.1` on an ephemeral port (`network` when the system refuses).
    pub fn new() -> Result<LoopbackRedirect, Error> {
        let listener = StdListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .map_err(|e| {
                Error::new(
                    ErrorCode::Network,
                    format!("cannot listen on 127.0.0.1: {e}"),
                )
            })?;
        let port = listener
            .local_addr()
            .map_err(|e| Error::new(ErrorCode::Network, format!("no local address: {e}")))?
            .port();
        Ok(LoopbackRedirect {
            port,
            redirect_uri: format!("http://127.0.0.1:{port}{LOOPBACK_CALLBACK_PATH}"),
            listener: Mutex::new(Some(listener)),
        })
    }

    /// The port listened on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT/callback`: the redirect URI of the [`AuthorizationFlow`].
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Waits up to `timeout` for the redirect and returns its full URL (it holds the code:
    /// hand it to [`AuthorizationFlow::complete`]). Refusals: `timeout` when no redirect came
    /// (the listener stays usable for another wait); `invalid_input` once a redirect has been
    /// received (the listener is closed then).
    pub async fn wait(&self, timeout: Duration) -> Result<Secret, Error> {
        let taken = self
            .listener
            .lock()
            .map_err(|_| Error::new(ErrorCode::Internal, "loopback listener lock poisoned"))?
            .take()
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::InvalidInput,
                    "this loopback redirect was already received (or is awaited elsewhere)",
                )
            })?;
        let unusable = |e: std::io::Error| {
            Error::new(ErrorCode::Network, format!("cannot use the listener: {e}"))
        };
        // Put back unless the redirect arrives: after a timeout, and when this wait is dropped
        // (a cancelled task), the listener stays usable for another wait.
        let mut restore = Restore {
            slot: &self.listener,
            listener: Some(taken.try_clone().map_err(unusable)?),
        };
        let listener = TcpListener::from_std(taken).map_err(unusable)?;
        match tokio::time::timeout(timeout, self.accept_redirect(&listener)).await {
            Ok(url) => {
                restore.listener = None;
                Ok(url)
            }
            Err(_) => Err(Error::new(
                ErrorCode::Timeout,
                "no authorization redirect reached the loopback listener in time",
            )),
        }
    }

    /// [`LoopbackRedirect::wait`], then [`AuthorizationFlow::complete`] with the redirect.
    pub async fn complete(
        &self,
        flow: &AuthorizationFlow,
        timeout: Duration,
    ) -> Result<TokenResponse, Error> {
        let url = self.wait(timeout).await?;
        flow.complete(url.expose()).await
    }

    /// Accepts connections (each read concurrently, so an idle pre-connection of the browser
    /// blocks nothing) until one is the redirect.
    async fn accept_redirect(&self, listener: &TcpListener) -> Secret {
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    if let Ok((stream, _)) = accepted {
                        let port = self.port;
                        connections.spawn(async move { serve(stream, port).await });
                    }
                }
                Some(done) = connections.join_next(), if !connections.is_empty() => {
                    if let Ok(Some(url)) = done {
                        return url;
                    }
                }
            }
        }
    }
}

/// Puts the listener back into its slot when dropped (see [`LoopbackRedirect::wait`]).
struct Restore<'a> {
    slot: &'a Mutex<Option<StdListener>>,
    listener: Option<StdListener>,
}

impl Drop for Restore<'_> {
    fn drop(&mut self) {
        if let (Some(l), Ok(mut slot)) = (self.listener.take(), self.slot.lock()) {
            *slot = Some(l);
        }
    }
}

/// Reads one request; answers the redirect (returned) with the page, anything else with 404.
async fn serve(mut stream: TcpStream, port: u16) -> Option<Secret> {
    let head = tokio::time::timeout(HEAD_TIMEOUT, read_head(&mut stream))
        .await
        .ok()??;
    let mut parts = head.split(' ');
    let (method, target) = (parts.next()?, parts.next()?);
    let path = target.split(['?', '#']).next().unwrap_or_default();
    let redirect =
        method == "GET" && path == LOOPBACK_CALLBACK_PATH && parts.next()?.starts_with("HTTP/1.");
    let reply = if redirect {
        format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\n\
             cache-control: no-store\r\nreferrer-policy: no-referrer\r\nconnection: close\r\n\r\n{PAGE}",
            PAGE.len()
        )
    } else {
        "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_owned()
    };
    let _ = stream.write_all(reply.as_bytes()).await;
    let _ = stream.shutdown().await;
    if !redirect {
        return None;
    }
    Secret::new(format!("http://127.0.0.1:{port}{target}")).ok()
}

/// The request line of the head (`None` for a closed, oversized or non-UTF-8 request).
async fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 || buf.len() + n > MAX_HEAD {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let line = buf.split(|&b| b == b'\r').next()?;
    String::from_utf8(line.to_vec()).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    async fn get(port: u16, target: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let req = format!("GET {target} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n");
        s.write_all(req.as_bytes()).await.unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        out
    }

    #[tokio::test]
    async fn one_redirect_other_paths_404_then_refused() {
        let lr = LoopbackRedirect::new().unwrap();
        let port = lr.port();
        assert_eq!(
            lr.redirect_uri(),
            format!("http://127.0.0.1:{port}/callback")
        );
        assert!(!format!("{lr:?}").contains("callback"));
        let client = tokio::spawn(async move {
            // An idle connection blocks nothing.
            let _idle = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
            assert!(get(port, "/favicon.ico").await.starts_with("HTTP/1.1 404"));
            assert!(get(port, "/callbackx?code=1")
                .await
                .starts_with("HTTP/1.1 404"));
            let page = get(port, "/callback?code=c0de&state=s").await;
            assert!(page.starts_with("HTTP/1.1 200"), "{page}");
            assert!(page.contains("close this window"));
        });
        let url = lr.wait(Duration::from_secs(5)).await.unwrap();
        client.await.unwrap();
        assert_eq!(
            url.expose(),
            format!("http://127.0.0.1:{port}/callback?code=c0de&state=s")
        );
        // The listener is closed: a second request is refused, a second wait too.
        assert!(TcpStream::connect(("127.0.0.1", port)).await.is_err());
        let again = lr.wait(Duration::from_millis(10)).await.unwrap_err();
        assert_eq!(again.code(), ErrorCode::InvalidInput);
    }

    #[tokio::test]
    async fn no_redirect_is_a_timeout_and_the_listener_stays() {
        let lr = LoopbackRedirect::new().unwrap();
        let err = lr.wait(Duration::from_millis(50)).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::Timeout);
        let port = lr.port();
        let client = tokio::spawn(async move { get(port, "/callback?error=access_denied").await });
        let url = lr.wait(Duration::from_secs(5)).await.unwrap();
        assert!(url.expose().ends_with("/callback?error=access_denied"));
        assert!(client.await.unwrap().starts_with("HTTP/1.1 200"));
    }

    #[tokio::test]
    async fn a_dropped_wait_leaves_the_listener_usable() {
        let lr = LoopbackRedirect::new().unwrap();
        let dropped =
            tokio::time::timeout(Duration::from_millis(20), lr.wait(Duration::from_secs(60)));
        assert!(dropped.await.is_err());
        let port = lr.port();
        let client = tokio::spawn(async move { get(port, "/callback?code=x").await });
        assert!(lr.wait(Duration::from_secs(5)).await.is_ok());
        assert!(client.await.unwrap().starts_with("HTTP/1.1 200"));
    }
}
