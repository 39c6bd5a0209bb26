//! Authorization-server metadata (RFC 8414) with OpenID Connect discovery as the fallback.
//! The client made from it is `OAuthClient::discover` / `from_metadata` (in `client`): this
//! module does not name the client, which names it.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::http::{self, HttpPolicy};
use crate::{Error, ErrorCode};

/// The endpoints an authorization server publishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerMetadata {
    /// `issuer` (checked to equal the URL asked about).
    pub issuer: String,
    /// `token_endpoint`.
    pub token_endpoint: String,
    /// `authorization_endpoint`.
    pub authorization_endpoint: Option<String>,
    /// `introspection_endpoint`.
    pub introspection_endpoint: Option<String>,
    /// `revocation_endpoint`.
    pub revocation_endpoint: Option<String>,
    /// `jwks_uri`.
    pub jwks_uri: Option<String>,
    /// `token_endpoint_auth_methods_supported`.
    pub token_endpoint_auth_methods: Vec<String>,
    /// `authorization_response_iss_parameter_supported` (RFC 9207): the server puts `iss` in
    /// its authorization responses, and [`super::AuthorizationFlow`] then requires it.
    pub authorization_response_iss_parameter_supported: bool,
    /// `id_token_signing_alg_values_supported` (OpenID Connect Discovery).
    pub id_token_signing_alg_values: Vec<String>,
    /// `pushed_authorization_request_endpoint` (RFC 9126): where
    /// [`super::AuthorizationFlow::start`] pushes the authorization request.
    pub pushed_authorization_request_endpoint: Option<String>,
    /// `require_pushed_authorization_requests` (RFC 9126 section 5): the server accepts
    /// authorization requests only through its PAR endpoint.
    pub require_pushed_authorization_requests: bool,
    /// `mtls_endpoint_aliases` (RFC 8705 section 5): the endpoints (`token_endpoint`, …) to use
    /// instead of the plain ones when the client presents a certificate.
    pub mtls_endpoint_aliases: BTreeMap<String, String>,
}

fn string(doc: &Map<String, Value>, name: &str) -> Option<String> {
    doc.get(name).and_then(Value::as_str).map(str::to_owned)
}

fn strings(doc: &Map<String, Value>, name: &str) -> Vec<String> {
    doc.get(name)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

impl ServerMetadata {
    /// The metadata as a client presenting a certificate uses it: every endpoint with an
    /// `mtls_endpoint_aliases` entry replaced by its alias.
    pub fn with_mtls_aliases(&self) -> ServerMetadata {
        let mut m = self.clone();
        let alias = |name: &str, slot: &mut String| {
            if let Some(a) = self.mtls_endpoint_aliases.get(name) {
                slot.clone_from(a);
            }
        };
        alias("token_endpoint", &mut m.token_endpoint);
        for (name, slot) in [
            ("introspection_endpoint", &mut m.introspection_endpoint),
            ("revocation_endpoint", &mut m.revocation_endpoint),
            (
                "pushed_authorization_request_endpoint",
                &mut m.pushed_authorization_request_endpoint,
            ),
        ] {
            if let Some(a) = self.mtls_endpoint_aliases.get(name) {
                *slot = Some(a.clone());
            }
        }
        m
    }

    /// Fetches `{issuer}/.well-known/oauth-authorization-server`, falling back to
    /// `{issuer}/.well-known/openid-configuration`, and checks the `issuer` member.
    pub async fn fetch(issuer_url: &str, policy: &HttpPolicy) -> Result<ServerMetadata, Error> {
        let base = issuer_url.trim_end_matches('/');
        let doc = match http::get_json(
            http::Operation::Discovery,
            &format!("{base}/.well-known/oauth-authorization-server"),
            policy,
        )
        .await
        {
            Ok((doc, _)) => doc,
            Err(e) if e.code() == ErrorCode::InvalidResponse => {
                http::get_json(
                    http::Operation::Discovery,
                    &format!("{base}/.well-known/openid-configuration"),
                    policy,
                )
                .await?
                .0
            }
            Err(e) => return Err(e),
        };
        ServerMetadata::from_document(&doc, base)
    }

    /// Reads a metadata document fetched for `issuer_url`.
    pub fn from_document(
        doc: &Map<String, Value>,
        issuer_url: &str,
    ) -> Result<ServerMetadata, Error> {
        let base = issuer_url.trim_end_matches('/');
        let issuer = match string(doc, "issuer") {
            Some(iss) if iss.trim_end_matches('/') == base => iss,
            _ => {
                return Err(Error::new(
                    ErrorCode::InvalidResponse,
                    "the metadata document names another issuer",
                ))
            }
        };
        let token_endpoint = string(doc, "token_endpoint").ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidResponse,
                "the metadata has no token_endpoint",
            )
        })?;
        Ok(ServerMetadata {
            issuer,
            token_endpoint,
            authorization_endpoint: string(doc, "authorization_endpoint"),
            introspection_endpoint: string(doc, "introspection_endpoint"),
            revocation_endpoint: string(doc, "revocation_endpoint"),
            jwks_uri: string(doc, "jwks_uri"),
            token_endpoint_auth_methods: strings(doc, "token_endpoint_auth_methods_supported"),
            authorization_response_iss_parameter_supported: doc
                .get("authorization_response_iss_parameter_supported")
                == Some(&Value::Bool(true)),
            id_token_signing_alg_values: strings(doc, "id_token_signing_alg_values_supported"),
            pushed_authorization_request_endpoint: string(
                doc,
                "pushed_authorization_request_endpoint",
            ),
            require_pushed_authorization_requests: doc.get("require_pushed_authorization_requests")
                == Some(&Value::Bool(true)),
            mtls_endpoint_aliases: doc
                .get("mtls_endpoint_aliases")
                .and_then(Value::as_object)
                .map(|a| {
                    a.iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                        .collect()
                })
                .unwrap_or_default(),
        })
    }
}
