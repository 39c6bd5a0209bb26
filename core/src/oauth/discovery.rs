//! Authorization-server metadata (RFC 8414) with OpenID Connect discovery as the fallback.

use serde_json::{Map, Value};

use super::{AuthMethod, OAuthClient, OAuthClientOptions};
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
}

fn string(doc: &Map<String, Value>, name: &str) -> Option<String> {
    doc.get(name).and_then(Value::as_str).map(str::to_owned)
}

impl ServerMetadata {
    /// Fetches `{issuer}/.well-known/oauth-authorization-server`, falling back to
    /// `{issuer}/.well-known/openid-configuration`, and checks the `issuer` member.
    pub async fn fetch(issuer_url: &str, policy: &HttpPolicy) -> Result<ServerMetadata, Error> {
        let base = issuer_url.trim_end_matches('/');
        let doc = match http::get_json(
            &format!("{base}/.well-known/oauth-authorization-server"),
            policy,
        )
        .await
        {
            Ok((doc, _)) => doc,
            Err(e) if e.code() == ErrorCode::InvalidResponse => {
                http::get_json(&format!("{base}/.well-known/openid-configuration"), policy)
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
            token_endpoint_auth_methods: doc
                .get("token_endpoint_auth_methods_supported")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
        })
    }
}

// Methods of `OAuthClient` (so of the `client` module): `ServerMetadata` itself does not name
// the client, which names it (`OAuthClient::server_metadata`).
impl OAuthClient {
    /// A client of the server `metadata` describes, for `client_id`: the endpoints `options`
    /// leaves unset are the server's, and without an explicit authentication method (or a
    /// private key) the client uses `client_secret_post` when the server lists it but not
    /// `client_secret_basic`.
    pub fn from_metadata(
        metadata: &ServerMetadata,
        client_id: impl Into<String>,
        options: OAuthClientOptions,
    ) -> Result<OAuthClient, Error> {
        let mut options = options.with_endpoints_of(metadata);
        // RFC 8414: when the list is absent the default is client_secret_basic.
        let listed = |m: AuthMethod| {
            metadata
                .token_endpoint_auth_methods
                .iter()
                .any(|name| name == m.as_str())
        };
        if !options.has_auth_method()
            && !options.has_private_key()
            && !listed(AuthMethod::ClientSecretBasic)
            && listed(AuthMethod::ClientSecretPost)
        {
            options = options.with_auth_method(AuthMethod::ClientSecretPost);
        }
        OAuthClient::new(metadata.token_endpoint.clone(), client_id, options)
            .map(|c| c.with_metadata(metadata.clone()))
    }

    /// Discovers the server at `issuer_url` with `options`' HTTP policy and returns a client of
    /// it for `client_id` (see [`OAuthClient::from_metadata`]); the metadata stays available as
    /// [`OAuthClient::server_metadata`].
    pub async fn discover(
        issuer_url: &str,
        client_id: impl Into<String>,
        options: OAuthClientOptions,
    ) -> Result<OAuthClient, Error> {
        let meta = ServerMetadata::fetch(issuer_url, options.http_policy()).await?;
        OAuthClient::from_metadata(&meta, client_id, options)
    }
}
