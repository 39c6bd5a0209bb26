//! Mutual TLS (RFC 8705): the `client_certificate` argument of `Authenticator.authenticate`
//! and `certificate_thumbprint`. The parsing and the checks are the core's (`gateway::mtls`).

use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString};

use crate::error::{invalid_input, Builtin, IntoPyResult};

/// A client certificate given as DER (`bytes`, `bytearray`) or PEM (`str` or `bytes`), e.g.
/// ASGI's `scope["extensions"]["tls"]["client_cert_chain"][0]`; `None` when absent.
pub(crate) fn cert_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<u8>>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Some(b.as_bytes().to_vec()));
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(Some(b.to_vec()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Some(s.to_str()?.as_bytes().to_vec()));
    }
    Err(invalid_input(
        Builtin::Type,
        "client_certificate is DER bytes or a PEM str",
    ))
}

/// The RFC 8705 `x5t#S256` of a certificate (DER `bytes` or PEM `str`): base64url SHA-256 of
/// its DER; raises `malformed` for anything else.
#[pyfunction]
pub(crate) fn certificate_thumbprint(certificate: &Bound<'_, PyAny>) -> PyResult<String> {
    let der = cert_arg(Some(certificate))?.unwrap_or_default();
    tokenward::gateway::mtls::certificate_thumbprint(&der).py()
}

/// The mutual-TLS settings of `OAuthClient(...)` / `OAuthClient.discover(...)`: the client
/// certificate (PEM chain) with its key (PEM `str` or `Secret`), and extra CA certificates.
pub(crate) fn with_tls(
    mut o: tokenward::oauth::OAuthClientOptions,
    client_certificate: Option<String>,
    client_certificate_key: Option<&Bound<'_, PyAny>>,
    ca_certificates: Option<String>,
) -> PyResult<tokenward::oauth::OAuthClientOptions> {
    match (client_certificate, client_certificate_key) {
        (Some(cert), Some(key)) => {
            let key = crate::apikeys::secret_arg(key)?;
            o = o.with_client_certificate(
                tokenward::oauth::ClientCertificate::from_pem(cert, key).py()?,
            );
        }
        (None, None) => {}
        _ => {
            return Err(invalid_input(
                Builtin::Value,
                "client_certificate and client_certificate_key go together",
            ))
        }
    }
    if let Some(pem) = ca_certificates {
        o = o.with_ca_certificates(pem);
    }
    Ok(o)
}
