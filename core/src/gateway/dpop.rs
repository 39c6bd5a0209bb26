//! DPoP at the gateway (RFC 9449 section 7): `Authorization: DPoP <token>` with its `DPoP`
//! proof, checked against the request as the gateway sees it (behind trusted proxies: their
//! forwarded scheme and host), and the token's `cnf.jkt`. A token bound with `cnf.jkt`
//! presented as `Bearer` is refused. Refusals carry a `DPoP` challenge with
//! `error="invalid_dpop_proof"`, or `error="use_dpop_nonce"` and a `DPoP-Nonce`
//! ([`Refusal::dpop_nonce`](super::decision::Refusal::dpop_nonce)) when the verifier requires nonces.
//!
//! This module holds the configuration and the presented credential; the steps that read a
//! request are `Authenticator` methods in `authenticator/dpop_stage.rs`.

use std::sync::Arc;

use super::credentials::{Found, Source};
use super::ip::ForwardedHeader;
use crate::dpop::{normalize_htu, DpopVerifier};
use crate::{Error, ErrorCode};

/// DPoP as an [`Authenticator`] runs it.
#[derive(Debug)]
pub(crate) struct DpopGate {
    pub(crate) verifier: Arc<DpopVerifier>,
    /// `scheme://host[:port]` the gateway is reached at, when configured.
    pub(crate) origin: Option<String>,
}

impl DpopGate {
    /// `origin` must be an absolute http(s) URL without path, query or fragment.
    pub(crate) fn new(verifier: Arc<DpopVerifier>, origin: Option<&str>) -> Result<Self, Error> {
        let origin = match origin {
            None => None,
            Some(o) => {
                let n = normalize_htu(o)?;
                let Some(base) = n
                    .strip_suffix('/')
                    .filter(|b| !b.get(8..).unwrap_or_default().contains('/'))
                else {
                    return Err(Error::new(
                        ErrorCode::InvalidInput,
                        "dpop_origin is scheme://host[:port], without a path",
                    ));
                };
                if o.contains(['?', '#']) {
                    return Err(Error::new(
                        ErrorCode::InvalidInput,
                        "dpop_origin is scheme://host[:port], without a path",
                    ));
                }
                Some(base.to_owned())
            }
        };
        Ok(DpopGate { verifier, origin })
    }

    /// The headers DPoP reads besides `authorization` and the forwarding header.
    pub(crate) fn header_names(forwarded: Option<ForwardedHeader>) -> Vec<String> {
        let mut names = vec![
            "authorization".to_owned(),
            "dpop".to_owned(),
            "host".to_owned(),
        ];
        if forwarded == Some(ForwardedHeader::XForwardedFor) {
            names.push("x-forwarded-proto".to_owned());
            names.push("x-forwarded-host".to_owned());
        }
        names
    }
}

/// A DPoP-scheme credential and its proof.
#[derive(Clone, Copy)]
pub(crate) struct Presented<'r> {
    pub(crate) token: &'r str,
    pub(crate) proof: &'r str,
}

impl<'r> Presented<'r> {
    /// The access token, as the credential the pipeline validates.
    pub(crate) fn found(&self) -> Found<'r> {
        Found {
            source: Source::Bearer,
            value: self.token,
        }
    }
}
