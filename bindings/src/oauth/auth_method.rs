//! `AuthMethod` (core `oauth::auth_method`).

use tokenward::oauth as core;

/// How the client authenticates to the token, introspection and revocation endpoints
/// (RFC 8414 names: `asString()` / `description`).
#[derive(uniffi::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[uniffi::export(Display)]
pub enum AuthMethod {
    /// `client_secret_basic`: HTTP Basic with the id and secret.
    ClientSecretBasic,
    /// `client_secret_post`: id and secret in the form body.
    ClientSecretPost,
    /// `private_key_jwt`: a JWT assertion signed with the client's private key.
    PrivateKeyJwt,
    /// `none`: a public client (only `client_id` is sent; use PKCE).
    PublicClient,
    /// `tls_client_auth` (RFC 8705): the client certificate authenticates (`clientCertificate`).
    TlsClientAuth,
    /// `self_signed_tls_client_auth` (RFC 8705): a self-signed client certificate.
    SelfSignedTlsClientAuth,
}

impl From<AuthMethod> for core::AuthMethod {
    fn from(m: AuthMethod) -> Self {
        match m {
            AuthMethod::ClientSecretBasic => core::AuthMethod::ClientSecretBasic,
            AuthMethod::ClientSecretPost => core::AuthMethod::ClientSecretPost,
            AuthMethod::PrivateKeyJwt => core::AuthMethod::PrivateKeyJwt,
            AuthMethod::PublicClient => core::AuthMethod::PublicClient,
            AuthMethod::TlsClientAuth => core::AuthMethod::TlsClientAuth,
            AuthMethod::SelfSignedTlsClientAuth => core::AuthMethod::SelfSignedTlsClientAuth,
        }
    }
}

impl From<core::AuthMethod> for AuthMethod {
    fn from(m: core::AuthMethod) -> Self {
        match m {
            core::AuthMethod::ClientSecretBasic => AuthMethod::ClientSecretBasic,
            core::AuthMethod::ClientSecretPost => AuthMethod::ClientSecretPost,
            core::AuthMethod::PrivateKeyJwt => AuthMethod::PrivateKeyJwt,
            core::AuthMethod::PublicClient => AuthMethod::PublicClient,
            core::AuthMethod::TlsClientAuth => AuthMethod::TlsClientAuth,
            core::AuthMethod::SelfSignedTlsClientAuth => AuthMethod::SelfSignedTlsClientAuth,
        }
    }
}

#[uniffi::export]
impl AuthMethod {
    /// The RFC 8414 name (`client_secret_basic`, …, `none`), the same in every language.
    pub fn as_string(&self) -> String {
        core::AuthMethod::from(*self).as_str().to_owned()
    }
}

impl std::fmt::Display for AuthMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(core::AuthMethod::from(*self).as_str())
    }
}
