//! Mutual TLS (RFC 8705): `certificateThumbprint`. The gateway reads the certificate from
//! `AuthRequest.client_certificate` (`gateway.rs`); the parsing is the core's (`gateway::mtls`).

use crate::error::FfiResult;

/// The RFC 8705 `x5t#S256` of a certificate (DER or PEM bytes): base64url SHA-256 of its DER;
/// fails with `malformed` for anything else.
#[uniffi::export]
pub fn certificate_thumbprint(certificate: Vec<u8>) -> FfiResult<String> {
    Ok(tokenward::gateway::mtls::certificate_thumbprint(
        &certificate,
    )?)
}

/// A client certificate (PEM, with its chain) and its private key (PEM, held as a `Secret`),
/// presented by an `OAuthClient` on every connection to the authorization server (mutual
/// TLS, RFC 8705). Printing it shows the certificate's size only.
#[derive(uniffi::Object, Debug)]
#[uniffi::export(Debug)]
pub struct ClientCertificate(pub(crate) tokenward::oauth::ClientCertificate);

#[uniffi::export]
impl ClientCertificate {
    /// Checks the certificate and key now; fails with `invalid_key` when they cannot be read
    /// (the message never quotes them).
    #[uniffi::constructor]
    pub fn from_pem(
        certificate_pem: String,
        key_pem: std::sync::Arc<crate::secret::Secret>,
    ) -> FfiResult<std::sync::Arc<Self>> {
        Ok(std::sync::Arc::new(ClientCertificate(
            tokenward::oauth::ClientCertificate::from_pem(certificate_pem, key_pem.0.clone())?,
        )))
    }
}
