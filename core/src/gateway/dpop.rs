//! DPoP at the gateway (RFC 9449 section 7): `Authorization: DPoP <token>` with its `DPoP`
//! proof, checked against the request as the gateway sees it (behind trusted proxies: their
//! forwarded scheme and host), and the token's `cnf.jkt`. A token bound with `cnf.jkt`
//! presented as `Bearer` is refused. Refusals carry a `DPoP` challenge with
//! `error="invalid_dpop_proof"`, or `error="use_dpop_nonce"` and a `DPoP-Nonce`
//! ([`Refusal::dpop_nonce`]) when the verifier requires nonces.

use std::sync::Arc;

use serde_json::Value;

use super::authenticator::{Authenticator, Request};
use super::credentials::{is_b64token, ExtractError, Found, Source};
use super::decision::{BearerError, Refusal};
use super::ip::{normalize, ForwardedHeader};
use crate::dpop::{normalize_htu, DpopChecks, DpopVerifier};
use crate::jwt::Claims;
use crate::{Error, ErrorCode};

/// DPoP as an [`Authenticator`] runs it.
#[derive(Debug)]
pub(crate) struct DpopGate {
    verifier: Arc<DpopVerifier>,
    /// `scheme://host[:port]` the gateway is reached at, when configured.
    origin: Option<String>,
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
    token: &'r str,
    proof: &'r str,
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

/// The last value of the last `name` header line, trimmed.
fn last_value<'r>(req: &Request<'r>, name: &str) -> Option<&'r str> {
    req.headers
        .iter()
        .rev()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.rsplit(',').next())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// `proto=` and `host=` of the rightmost RFC 7239 element.
fn forwarded_pairs<'r>(req: &Request<'r>) -> (Option<&'r str>, Option<&'r str>) {
    let (mut proto, mut host) = (None, None);
    if let Some(element) = last_value(req, "forwarded") {
        for pair in element.split(';') {
            if let Some((k, v)) = pair.split_once('=') {
                let v = v.trim();
                let v = v
                    .strip_prefix('"')
                    .and_then(|i| i.strip_suffix('"'))
                    .unwrap_or(v);
                match k.trim().to_ascii_lowercase().as_str() {
                    "proto" => proto = Some(v),
                    "host" => host = Some(v),
                    _ => {}
                }
            }
        }
    }
    (proto, host)
}

impl Authenticator {
    /// The `DPoP-Nonce` to send now (with a refusal, or on any response to rotate it), when
    /// DPoP is enabled with nonces.
    pub fn dpop_nonce(&self) -> Option<String> {
        self.dpop.as_ref().and_then(|g| g.verifier.nonce())
    }

    /// Whether `Authorization: DPoP` is accepted.
    pub fn has_dpop(&self) -> bool {
        self.dpop.is_some()
    }

    fn dpop_refusal(&self, e: &Error) -> Refusal {
        match e.code() {
            ErrorCode::InvalidDpopProof | ErrorCode::UseDpopNonce => {
                let nonce = if e.code() == ErrorCode::UseDpopNonce {
                    self.dpop_nonce()
                } else {
                    None
                };
                self.challenger.dpop(e.code(), nonce)
            }
            code => self
                .challenger
                .bearer(code, BearerError::InvalidRequest, &[]),
        }
    }

    /// The DPoP credential of `req`, when DPoP is enabled and the request uses the scheme:
    /// one `Authorization: DPoP` and one `DPoP` header, and no other credential.
    pub(crate) fn dpop_presented<'r>(
        &self,
        req: &Request<'r>,
    ) -> Result<Option<Presented<'r>>, Refusal> {
        if self.dpop.is_none() {
            return Ok(None);
        }
        let malformed = || {
            self.challenger
                .dpop(ErrorCode::Malformed, None)
                .with_status(400)
        };
        let max = self.sources.max_header_len;
        let mut token = None;
        for (name, value) in req.headers {
            if !name.eq_ignore_ascii_case("authorization") {
                continue;
            }
            let v = value.trim_matches([' ', '\t']);
            let (scheme, rest) = v.split_once([' ', '\t']).unwrap_or((v, ""));
            if !scheme.eq_ignore_ascii_case("dpop") {
                continue;
            }
            let t = rest.trim_start_matches([' ', '\t']);
            if token.is_some() || value.len() > max || !is_b64token(t) {
                return Err(malformed());
            }
            token = Some(t);
        }
        let Some(token) = token else {
            return Ok(None);
        };
        // Any other credential beside it is ambiguous.
        match self.sources.extract(req.path, req.headers) {
            Err(ExtractError::Missing) => {}
            _ => return Err(malformed()),
        }
        let mut proofs = req
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("dpop"))
            .map(|(_, v)| v.trim());
        let proof = match (proofs.next(), proofs.next()) {
            (Some(p), None) if !p.is_empty() && !p.contains(',') => p,
            _ => {
                return Err(self.dpop_refusal(&crate::dpop::invalid(
                    "one DPoP header with one proof is required",
                )))
            }
        };
        Ok(Some(Presented { token, proof }))
    }

    /// The request URL as the gateway sees it: the configured origin, or the scheme and host
    /// forwarded by a trusted proxy, or `https` and the `Host` header; then the path.
    fn dpop_url(&self, gate: &DpopGate, req: &Request<'_>) -> Result<String, Refusal> {
        let bad = || {
            self.challenger
                .dpop(ErrorCode::Malformed, None)
                .with_status(400)
        };
        let path = req.path.split(['?', '#']).next().unwrap_or_default();
        if !path.starts_with('/') {
            return Err(bad());
        }
        if let Some(origin) = &gate.origin {
            return Ok(format!("{origin}{path}"));
        }
        let via_proxy = match (&self.trusted, req.client_ip) {
            (Some(t), Some(peer)) => t.networks.contains(normalize(peer)).then_some(t.header),
            _ => None,
        };
        let (proto, host) = match via_proxy {
            Some(ForwardedHeader::Forwarded) => forwarded_pairs(req),
            Some(ForwardedHeader::XForwardedFor) => (
                last_value(req, "x-forwarded-proto"),
                last_value(req, "x-forwarded-host"),
            ),
            None => (None, None),
        };
        let host = host.or_else(|| last_value(req, "host")).ok_or_else(bad)?;
        let scheme = proto.unwrap_or("https");
        if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https")
            || host.contains(['/', '?', '#', '@', '\\'])
        {
            return Err(bad());
        }
        Ok(format!("{scheme}://{host}{path}"))
    }

    /// The DPoP stage, after validation: a token bound with `cnf.jkt` needs a proof of that
    /// key; a DPoP-scheme token must be bound; the proof must fit the request.
    pub(crate) fn dpop_bind(
        &self,
        req: &Request<'_>,
        presented: Option<&Presented<'_>>,
        claims: &Claims,
    ) -> Result<(), Refusal> {
        let Some(gate) = &self.dpop else {
            return Ok(());
        };
        let jkt = match claims.get("cnf") {
            Some(Value::Object(cnf)) => match cnf.get("jkt") {
                Some(Value::String(j)) => Some(j.as_str()),
                Some(_) => {
                    return Err(self.dpop_refusal(&crate::dpop::invalid("cnf.jkt is not a string")))
                }
                None => None,
            },
            _ => None,
        };
        let (Some(presented), Some(jkt)) = (presented, jkt) else {
            return match (presented, jkt) {
                (None, None) => Ok(()),
                (None, Some(_)) => Err(self.dpop_refusal(&crate::dpop::invalid(
                    "a DPoP-bound token needs the DPoP scheme and a proof",
                ))),
                _ => Err(self.dpop_refusal(&crate::dpop::invalid(
                    "the token is not bound to a DPoP key",
                ))),
            };
        };
        let url = self.dpop_url(gate, req)?;
        let checks = DpopChecks::new()
            .with_access_token(presented.token)
            .with_jkt(jkt);
        gate.verifier
            .verify(presented.proof, req.method, &url, &checks)
            .map(|_| ())
            .map_err(|e| self.dpop_refusal(&e))
    }
}
