//! The methods of [`Request`] (borrowed) and [`OwnedRequest`], what the gateway is asked
//! about. `Debug` shows header names only: header values and query strings hold credentials.

use std::net::IpAddr;

use super::{Authenticator, OwnedRequest, Request};
use crate::gateway::decision::{Principal, Refusal};

impl OwnedRequest {
    /// Runs `f` with this request borrowed as a [`Request`].
    pub fn view<R>(&self, f: impl FnOnce(&Request<'_>) -> R) -> R {
        let (headers, scopes) = self.borrowed();
        f(&self.request(&headers, &scopes))
    }

    pub(super) fn borrowed(&self) -> (Vec<(&str, &str)>, Vec<&str>) {
        let headers = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let scopes = self.required_scopes.iter().map(String::as_str).collect();
        (headers, scopes)
    }

    pub(super) fn request<'a>(
        &'a self,
        headers: &'a [(&'a str, &'a str)],
        scopes: &'a [&'a str],
    ) -> Request<'a> {
        Request {
            method: &self.method,
            path: &self.path,
            headers,
            client_ip: self.client_ip,
            required_scopes: scopes,
            client_certificate: self.client_certificate.as_deref(),
        }
    }
}

impl<'r> Request<'r> {
    /// The last value of the last `name` header line, trimmed.
    pub(crate) fn last_header_value(&self, name: &str) -> Option<&'r str> {
        self.headers
            .iter()
            .rev()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.rsplit(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    /// `proto=` and `host=` of the rightmost RFC 7239 `Forwarded` element.
    pub(crate) fn forwarded_proto_host(&self) -> (Option<&'r str>, Option<&'r str>) {
        let (mut proto, mut host) = (None, None);
        if let Some(element) = self.last_header_value("forwarded") {
            for pair in element.split(';') {
                if let Some((k, v)) = pair.split_once('=') {
                    let v = v.trim();
                    let v = v
                        .strip_prefix('"')
                        .and_then(|i| i.strip_suffix('"'))
                        .unwrap_or(v);
                    match k.trim().to_ascii_lowercase().as_str() {
                        "proto" => proto = Some(v),
                        "host" => host = Some(v),
                        _ => {}
                    }
                }
            }
        }
        (proto, host)
    }
}

/// `Debug` of a request: method, path without its query, header names with the length of
/// their (redacted) values, client address and scopes.
// One argument per field printed, for the two request types.
#[allow(clippy::too_many_arguments)]
fn debug_request<'h>(
    f: &mut std::fmt::Formatter<'_>,
    name: &str,
    method: &str,
    path: &str,
    headers: impl Iterator<Item = (&'h str, &'h str)>,
    client_ip: Option<IpAddr>,
    scopes: &dyn std::fmt::Debug,
    client_certificate: Option<usize>,
) -> std::fmt::Result {
    struct Redacted<'h>(Vec<(&'h str, usize)>);
    impl std::fmt::Debug for Redacted<'_> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_list()
                .entries(
                    self.0
                        .iter()
                        .map(|(n, len)| format!("{n}: [REDACTED {len} bytes]")),
                )
                .finish()
        }
    }
    let path = match path.split_once('?') {
        Some((p, _)) => format!("{p}?[REDACTED]"),
        None => path.to_owned(),
    };
    f.debug_struct(name)
        .field("method", &method)
        .field("path", &path)
        .field(
            "headers",
            &Redacted(headers.map(|(n, v)| (n, v.len())).collect()),
        )
        .field("client_ip", &client_ip)
        .field("required_scopes", scopes)
        .field(
            "client_certificate",
            &client_certificate.map(|n| format!("[{n} bytes]")),
        )
        .finish()
}

impl std::fmt::Debug for OwnedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        debug_request(
            f,
            "OwnedRequest",
            &self.method,
            &self.path,
            self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            self.client_ip,
            &self.required_scopes,
            self.client_certificate.as_ref().map(Vec::len),
        )
    }
}

impl std::fmt::Debug for Request<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        debug_request(
            f,
            "Request",
            self.method,
            self.path,
            self.headers.iter().copied(),
            self.client_ip,
            &self.required_scopes,
            self.client_certificate.map(<[u8]>::len),
        )
    }
}

impl OwnedRequest {
    /// [`Authenticator::authenticate_async`] on this request.
    pub async fn authenticate_async(
        &self,
        auth: &Authenticator,
    ) -> std::result::Result<Principal, Refusal> {
        let (headers, scopes) = self.borrowed();
        auth.authenticate_async(&self.request(&headers, &scopes))
            .await
    }
}
