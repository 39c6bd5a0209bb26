//! Mutual TLS (RFC 8705): the `clientCertificate` of a gateway request and
//! `certificateThumbprint`. The parsing and the checks are the core's (`gateway::mtls`).

use crate::napi;
use crate::napi::bindgen_prelude::{Buffer, Either};
use napi_derive::napi;

use crate::error::{Code, IntoJsResult};

/// A client certificate given as DER (`Buffer`/`Uint8Array`, e.g.
/// `req.socket.getPeerCertificate().raw`) or PEM text.
pub(crate) fn cert_bytes(cert: Either<Buffer, String>) -> Vec<u8> {
    match cert {
        Either::A(der) => der.to_vec(),
        Either::B(pem) => pem.into_bytes(),
    }
}

/// The RFC 8705 `x5t#S256` of a certificate (DER `Buffer` or PEM `string`): base64url SHA-256
/// of its DER; throws `malformed` for anything else.
#[napi(
    catch_unwind,
    ts_args_type = "certificate: Buffer | Uint8Array | string"
)]
pub fn certificate_thumbprint(certificate: Either<Buffer, String>) -> napi::Result<String, Code> {
    tokenward::gateway::mtls::certificate_thumbprint(&cert_bytes(certificate)).js()
}

/// The mutual-TLS settings of `OAuthClientOptions`: the client certificate (PEM chain) with
/// its key (PEM string or `Secret`), and extra CA certificates.
pub(crate) fn with_tls(
    mut c: tokenward::oauth::OAuthClientOptions,
    certificate: Option<String>,
    key: Option<tokenward::Secret>,
    ca_certificates: Option<String>,
) -> tokenward::Result<tokenward::oauth::OAuthClientOptions> {
    match (certificate, key) {
        (Some(cert), Some(key)) => {
            c = c
                .with_client_certificate(tokenward::oauth::ClientCertificate::from_pem(cert, key)?);
        }
        (None, None) => {}
        _ => {
            return Err(tokenward::Error::new(
                tokenward::ErrorCode::InvalidInput,
                "clientCertificate and clientCertificateKey go together",
            ))
        }
    }
    if let Some(pem) = ca_certificates {
        c = c.with_ca_certificates(pem);
    }
    Ok(c)
}
