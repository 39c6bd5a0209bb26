//! The mutual-TLS step of the pipeline (RFC 8705 section 3): a token bound to a client
//! certificate (`cnf.x5t#S256`) needs that certificate on the request. The parsing and the
//! thumbprint live in `gateway/mtls.rs`.

use std::borrow::Cow;

use serde_json::Value;

use super::{Authenticator, Request};
use crate::gateway::decision::{BearerError, Refusal};
use crate::gateway::ip::normalize;
use crate::gateway::mtls::{certificate_thumbprint, parse_client_cert_header, CLIENT_CERT_HEADER};
use crate::jwt::Claims;
use crate::ErrorCode;

impl Authenticator {
    /// Whether tokens bound to a client certificate are checked
    /// ([`AuthenticatorOptions::with_mtls_bound_tokens`](super::AuthenticatorOptions::with_mtls_bound_tokens)).
    pub fn has_mtls_bound_tokens(&self) -> bool {
        self.mtls_bound_tokens
    }

    /// The client certificate of `req`: from a trusted proxy, its `Client-Cert` header (the
    /// TLS-layer certificate is then the proxy's own); from any other peer, the one the
    /// adapter took from the TLS layer. A `Client-Cert` header from another peer is ignored.
    fn presented_certificate<'r>(
        &self,
        req: &Request<'r>,
    ) -> Result<Option<Cow<'r, [u8]>>, Refusal> {
        let via_proxy = match (&self.trusted, req.client_ip) {
            (Some(t), Some(peer)) => t.networks.contains(normalize(peer)),
            _ => false,
        };
        if !via_proxy {
            return Ok(req.client_certificate.map(Cow::Borrowed));
        }
        let malformed = || {
            self.challenger
                .bearer(ErrorCode::Malformed, BearerError::InvalidRequest, &[])
        };
        let mut values = req
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(CLIENT_CERT_HEADER))
            .map(|(_, v)| *v);
        match (values.next(), values.next()) {
            (None, _) => Ok(None),
            (Some(v), None) => parse_client_cert_header(v)
                .map(|der| Some(Cow::Owned(der)))
                .map_err(|_| malformed()),
            _ => Err(malformed()),
        }
    }

    /// The mTLS stage, after validation: when the token's `cnf` holds `x5t#S256`, the request
    /// must present the certificate with that thumbprint (else `certificate_mismatch`, 401
    /// `invalid_token`). Unbound tokens pass.
    pub(crate) fn mtls_bind(&self, req: &Request<'_>, claims: &Claims) -> Result<(), Refusal> {
        if !self.mtls_bound_tokens {
            return Ok(());
        }
        let refuse = || {
            self.challenger.bearer(
                ErrorCode::CertificateMismatch,
                BearerError::InvalidToken,
                &[],
            )
        };
        let bound = match claims.get("cnf") {
            Some(Value::Object(cnf)) => match cnf.get("x5t#S256") {
                Some(Value::String(t)) => t.as_str(),
                Some(_) => return Err(refuse()),
                None => return Ok(()),
            },
            _ => return Ok(()),
        };
        let Some(cert) = self.presented_certificate(req)? else {
            return Err(refuse());
        };
        match certificate_thumbprint(&cert) {
            Ok(t) if t == bound => Ok(()),
            _ => Err(refuse()),
        }
    }
}
