//! [`OAuthClient::from_metadata`] and [`OAuthClient::discover`]: a client of a server described
//! by its metadata (RFC 8414), with the `mtls_endpoint_aliases` when it presents a certificate.

use super::auth_method::AuthMethod;
use super::{OAuthClient, OAuthClientOptions, ServerMetadata};
use crate::Error;

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
        // RFC 8705 section 5: a client presenting a certificate uses the aliases.
        let aliased;
        let metadata = if options.has_client_certificate() {
            aliased = metadata.with_mtls_aliases();
            &aliased
        } else {
            metadata
        };
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
            && !options.has_client_certificate()
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
