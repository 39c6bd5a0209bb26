//! Pushed authorization requests (RFC 9126): the authorization request's parameters go to the
//! server in an authenticated POST, and the browser gets a URL with only `client_id` and the
//! `request_uri` the server answered with. Nothing the user agent could tamper with (the PKCE
//! challenge, `redirect_uri`, scopes, `dpop_jkt`) travels through it, and the server
//! authenticates the client before the user sees a page (FAPI 2.0 security profile, docs/fapi.md).
//!
//! `super::AuthorizationFlow` and `super::OAuthClient` are named by path, not imported: the
//! flow module does not depend on this one, and this one adds
//! [`AuthorizationFlow::start`](super::AuthorizationFlow::start) to it.

use serde_json::Value;

use super::errors::json_object;
use super::form::Form;
use super::AuthMethod;
use crate::audit::{self, AuditEvent};
use crate::http::{self, Operation};
use crate::{Error, ErrorCode};

/// Longest `request_uri` accepted from a server.
const MAX_REQUEST_URI: usize = 2048;

/// Longest `expires_in` of a pushed request accepted (RFC 9126 section 2.2: short-lived; the
/// examples use 60 s).
const MAX_PUSHED_EXPIRES_IN: i64 = 3600;

fn bad_answer(msg: &'static str) -> Error {
    Error::new(ErrorCode::InvalidResponse, msg)
}

/// The `request_uri` of a successful answer (RFC 9126 section 2.2), after checking it and its
/// `expires_in`.
fn read_answer(body: &[u8]) -> Result<String, Error> {
    let doc = json_object(body)?;
    let request_uri = match doc.get("request_uri") {
        Some(Value::String(u)) if !u.is_empty() && u.len() <= MAX_REQUEST_URI => u,
        Some(_) => return Err(bad_answer("the PAR answer's request_uri is not usable")),
        None => return Err(bad_answer("the PAR answer has no request_uri")),
    };
    if request_uri.chars().any(char::is_control) {
        return Err(bad_answer("the PAR answer's request_uri is not usable"));
    }
    match doc.get("expires_in").and_then(Value::as_i64) {
        Some(s) if s > 0 && s <= MAX_PUSHED_EXPIRES_IN => {}
        Some(_) => {
            return Err(bad_answer(
                "the PAR answer's expires_in is not between 1 and 3600 seconds",
            ))
        }
        None => return Err(bad_answer("the PAR answer has no expires_in")),
    }
    Ok(request_uri.clone())
}

impl super::AuthorizationFlow {
    /// A new login attempt like [`AuthorizationFlow::new`](super::AuthorizationFlow::new), pushed to the server first when
    /// it has a pushed authorization request endpoint (RFC 9126): the option's
    /// [`AuthorizationFlowOptions::with_pushed_authorization_url`](super::AuthorizationFlowOptions::with_pushed_authorization_url), else the discovered
    /// `pushed_authorization_request_endpoint`. The parameters (PKCE challenge, `state`,
    /// `nonce`, `redirect_uri`, scopes, `max_age`, the DPoP key's `dpop_jkt`) are POSTed with
    /// the client's authentication, and [`AuthorizationFlow::authorization_url`](super::AuthorizationFlow::authorization_url) carries only
    /// `client_id` and the answered `request_uri` ([`AuthorizationFlow::request_uri`](super::AuthorizationFlow::request_uri)).
    /// Without an endpoint the flow is the plain one, unless pushing is required (the option
    /// or the server's `require_pushed_authorization_requests`): then `invalid_input`.
    ///
    /// Refusals: `invalid_input` for a PAR endpoint the HTTP policy refuses (plain http off
    /// loopback) and for the server's `invalid_request`; the server's other OAuth errors
    /// become their codes (`invalid_client`, `invalid_scope`, `unauthorized_client`, …);
    /// `invalid_response` for an answer without a usable `request_uri` or with an `expires_in`
    /// outside 1..=3600 s; `network` / `timeout` / `server_error` as for token requests.
    pub async fn start(
        client: &super::OAuthClient,
        redirect_uri: impl Into<String>,
        options: super::AuthorizationFlowOptions,
    ) -> Result<super::AuthorizationFlow, Error> {
        let metadata = client.server_metadata();
        let endpoint = options
            .pushed_authorization_url
            .clone()
            .or_else(|| metadata.and_then(|m| m.pushed_authorization_request_endpoint.clone()));
        let required = options.require_pushed_authorization
            || metadata.is_some_and(|m| m.require_pushed_authorization_requests);
        if let Some(url) = &endpoint {
            http::check_url(url, client.http_policy())?;
        }
        let (mut flow, params) = Self::build(client, redirect_uri.into(), options)?;
        let Some(endpoint) = endpoint else {
            if required {
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    "pushed authorization requests are required but no PAR endpoint is known \
                     (discover it or set pushed_authorization_url)",
                ));
            }
            return Ok(flow);
        };
        let result = Self::push(client, &endpoint, &params).await;
        match &result {
            Ok(_) => audit::emit(AuditEvent::success("oauth.pushed_authorization_request")),
            Err(e) => audit::emit(AuditEvent::failure("oauth.pushed_authorization_request", e)),
        }
        let request_uri = result?;
        let mut url =
            reqwest::Url::parse(client.authorization_url().unwrap_or_default()).map_err(|_| {
                Error::new(
                    ErrorCode::InvalidInput,
                    "the authorization endpoint is not a valid URL",
                )
            })?;
        url.query_pairs_mut()
            .append_pair("client_id", client.client_id())
            .append_pair("request_uri", &request_uri);
        flow.set_pushed(url.into(), request_uri);
        Ok(flow)
    }

    /// POSTs the authorization request to the PAR endpoint; the answered `request_uri`.
    async fn push(
        client: &super::OAuthClient,
        endpoint: &str,
        params: &[(&'static str, String)],
    ) -> Result<String, Error> {
        let mut form = Form::new();
        // The other methods put client_id in the body themselves (client authentication).
        if client.auth_method() == AuthMethod::ClientSecretBasic {
            form.add("client_id", client.client_id());
        }
        for (name, value) in params {
            form.add(name, value);
        }
        let response = client
            .post_form(Operation::Par, endpoint, form)
            .await
            .map_err(|f| f.error)?;
        read_answer(&response.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_checked() {
        let ok = br#"{"request_uri":"urn:ietf:params:oauth:request_uri:abc","expires_in":60}"#;
        assert_eq!(
            read_answer(ok).unwrap(),
            "urn:ietf:params:oauth:request_uri:abc"
        );
        for bad in [
            &br#"{"expires_in":60}"#[..],
            br#"{"request_uri":"","expires_in":60}"#,
            br#"{"request_uri":7,"expires_in":60}"#,
            br#"{"request_uri":"urn:x"}"#,
            br#"{"request_uri":"urn:x","expires_in":0}"#,
            br#"{"request_uri":"urn:x","expires_in":-5}"#,
            br#"{"request_uri":"urn:x","expires_in":86400}"#,
            br#"{"request_uri":"urn:x","expires_in":"60"}"#,
            br#"{"request_uri":"urn:\nx","expires_in":60}"#,
            b"[]",
        ] {
            let e = read_answer(bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidResponse, "{bad:?}");
        }
    }
}
