//! Mutual TLS on the client side (RFC 8705 section 2): the client certificate an
//! [`OAuthClient`](super::OAuthClient) presents on every connection to the authorization
//! server (token, refresh, introspection, revocation), for `tls_client_auth` /
//! `self_signed_tls_client_auth` and for certificate-bound access tokens; and extra CA
//! certificates to trust the server's certificate with. The client uses
//! `mtls_endpoint_aliases` from discovery when it has a certificate.

use std::fmt;

use secrecy::zeroize::Zeroizing;

use crate::http;
use crate::{Error, ErrorCode, Secret};

/// A client certificate (PEM, with its chain when the CA is an intermediate) and its private
/// key (PEM: PKCS#8, PKCS#1 or SEC1), checked when made. The key is held as a [`Secret`]:
/// `Debug` shows the certificate's size only.
#[derive(Clone)]
pub struct ClientCertificate {
    certificate_pem: String,
    key_pem: Secret,
}

impl fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCertificate")
            .field(
                "certificate",
                &format_args!("[{} bytes]", self.certificate_pem.len()),
            )
            .field("key", &"[REDACTED]")
            .finish()
    }
}

impl ClientCertificate {
    /// A certificate chain and its key, both PEM; `invalid_key` when they cannot be read (the
    /// message never quotes them).
    pub fn from_pem(certificate_pem: impl Into<String>, key_pem: Secret) -> Result<Self, Error> {
        let c = ClientCertificate {
            certificate_pem: certificate_pem.into(),
            key_pem,
        };
        if !c.certificate_pem.contains("-----BEGIN CERTIFICATE-----") {
            return Err(Error::new(
                ErrorCode::InvalidKey,
                "the client certificate is not a PEM certificate",
            ));
        }
        c.identity()?;
        Ok(c)
    }

    /// The certificate chain, PEM.
    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }

    /// The reqwest identity: certificate and key, from one wiped PEM buffer.
    fn identity(&self) -> Result<reqwest::Identity, Error> {
        let mut pem = Zeroizing::new(Vec::with_capacity(
            self.certificate_pem.len() + self.key_pem.expose().len() + 1,
        ));
        pem.extend_from_slice(self.certificate_pem.as_bytes());
        pem.push(b'\n');
        pem.extend_from_slice(self.key_pem.expose().as_bytes());
        reqwest::Identity::from_pem(&pem).map_err(|_| {
            Error::new(
                ErrorCode::InvalidKey,
                "the client certificate or its private key cannot be read (PEM expected)",
            )
        })
    }
}

/// The HTTP client of an `OAuthClient` with a certificate or extra CA certificates; `None`:
/// the shared one.
pub(crate) fn tls_client(
    certificate: Option<&ClientCertificate>,
    ca_certificates: Option<&str>,
) -> Result<Option<reqwest::Client>, Error> {
    if certificate.is_none() && ca_certificates.is_none() {
        return Ok(None);
    }
    let roots = match ca_certificates {
        Some(pem) => {
            let roots = reqwest::Certificate::from_pem_bundle(pem.as_bytes()).map_err(|_| {
                Error::new(
                    ErrorCode::InvalidKey,
                    "ca_certificates is not a PEM certificate bundle",
                )
            })?;
            if roots.is_empty() {
                return Err(Error::new(
                    ErrorCode::InvalidKey,
                    "ca_certificates holds no certificate",
                ));
            }
            roots
        }
        None => Vec::new(),
    };
    let identity = certificate.map(ClientCertificate::identity).transpose()?;
    http::client_with_tls(identity, roots).map(Some)
}

#[cfg(test)]
#[path = "mtls_tests.rs"]
mod tests;
