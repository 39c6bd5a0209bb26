//! [`AuthMethod`]: how the client authenticates to the authorization server's endpoints.

use std::fmt;
use std::str::FromStr;

use crate::{Error, ErrorCode};

/// How the client authenticates to the token, introspection and revocation endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AuthMethod {
    /// HTTP Basic with the form-encoded id and secret (RFC 6749 section 2.3.1). The default.
    #[default]
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body.
    ClientSecretPost,
    /// A signed JWT assertion (RFC 7523) made with the client's private key.
    PrivateKeyJwt,
    /// `none`: a public client, only `client_id` in the body (mobile apps with PKCE). Named
    /// for what it is rather than `None`, which reads as a missing value next to `Option`
    /// (Rust `Some(AuthMethod::None)`, Swift `.none`).
    PublicClient,
    /// `tls_client_auth` (RFC 8705 section 2.1): the client certificate of the TLS connection,
    /// issued by a CA the server trusts; only `client_id` in the body.
    TlsClientAuth,
    /// `self_signed_tls_client_auth` (RFC 8705 section 2.2): a self-signed client certificate
    /// the server knows from the client's registered JWKS; only `client_id` in the body.
    SelfSignedTlsClientAuth,
}

impl AuthMethod {
    /// Every method, in the order of [`AuthMethod::as_str`]'s list.
    pub const ALL: [AuthMethod; 6] = [
        AuthMethod::ClientSecretBasic,
        AuthMethod::ClientSecretPost,
        AuthMethod::PrivateKeyJwt,
        AuthMethod::PublicClient,
        AuthMethod::TlsClientAuth,
        AuthMethod::SelfSignedTlsClientAuth,
    ];

    /// The RFC 8414 name (`client_secret_basic`, `client_secret_post`, `private_key_jwt`,
    /// `none`, `tls_client_auth`, `self_signed_tls_client_auth`).
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::ClientSecretBasic => "client_secret_basic",
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::PrivateKeyJwt => "private_key_jwt",
            AuthMethod::PublicClient => "none",
            AuthMethod::TlsClientAuth => "tls_client_auth",
            AuthMethod::SelfSignedTlsClientAuth => "self_signed_tls_client_auth",
        }
    }
}

impl FromStr for AuthMethod {
    type Err = Error;

    /// Parses the RFC 8414 name; `invalid_input` listing the valid names otherwise.
    fn from_str(name: &str) -> Result<AuthMethod, Error> {
        AuthMethod::ALL
            .into_iter()
            .find(|m| m.as_str() == name)
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::InvalidInput,
                    "unknown client authentication method: expected client_secret_basic, \
                     client_secret_post, private_key_jwt, none, tls_client_auth or \
                     self_signed_tls_client_auth",
                )
            })
    }
}

impl fmt::Display for AuthMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
