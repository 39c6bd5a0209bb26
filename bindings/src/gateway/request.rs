//! `AuthRequest` and `HttpHeader` (core `gateway::authenticator::request`).

use std::net::IpAddr;

use tokenward::gateway as core;
use tokenward::Error;

use crate::error::FfiResult;

/// One header line of a request.
#[derive(uniffi::Record, Debug, Clone, PartialEq, Eq)]
pub struct HttpHeader {
    /// The name (compared case-insensitively).
    pub name: String,
    /// The value.
    pub value: String,
}

/// One request as the authenticator sees it.
#[derive(uniffi::Record, Debug, Clone, PartialEq, Eq)]
pub struct AuthRequest {
    /// The HTTP method.
    #[uniffi(default = "GET")]
    pub method: String,
    /// The request target: path and, when the query parameter is enabled, the query string.
    #[uniffi(default = "/")]
    pub path: String,
    /// The header lines, repeated names kept (several credentials are refused).
    #[uniffi(default = [])]
    pub headers: Vec<HttpHeader>,
    /// The socket peer address (`198.51.100.7`, `2001:db8::1`, `[::1]`, `fe80::1%eth0`);
    /// `None` when unknown, which IP rules refuse.
    #[uniffi(default = None)]
    pub client_ip: Option<String>,
    /// Scopes this route requires (all of them).
    #[uniffi(default = [])]
    pub required_scopes: Vec<String>,
    /// The client certificate the TLS layer verified (mutual TLS), DER or PEM bytes; read only
    /// with `mtls_bound_tokens`.
    #[uniffi(default = None)]
    pub client_certificate: Option<Vec<u8>>,
}

/// Parses a socket address as platforms print it: bare, `[v6]`, with a `%zone`.
fn parse_ip(text: &str) -> FfiResult<IpAddr> {
    let bare = text.trim();
    let bare = bare
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(bare);
    let bare = bare.split_once('%').map_or(bare, |(ip, _zone)| ip);
    bare.parse().map_err(|_| {
        Error::new(
            tokenward::ErrorCode::InvalidInput,
            "client_ip is not an IPv4 or IPv6 address",
        )
        .into()
    })
}

impl AuthRequest {
    /// The core's owned request; fails with `invalid_input` on an unparsable `client_ip`.
    pub(super) fn into_core(self) -> FfiResult<core::OwnedRequest> {
        let client_ip = self.client_ip.as_deref().map(parse_ip).transpose()?;
        Ok(core::OwnedRequest {
            method: self.method,
            path: self.path,
            headers: self
                .headers
                .into_iter()
                .map(|h| (h.name, h.value))
                .collect(),
            client_ip,
            required_scopes: self.required_scopes,
            client_certificate: self.client_certificate,
        })
    }
}
