//! The DPoP steps of the pipeline (RFC 9449 section 7): find the `DPoP` credential and its
//! proof, rebuild the URL the client signed, and check the proof against the token's
//! `cnf.jkt`. The configuration lives in `gateway/dpop.rs`.

use serde_json::Value;

use super::{Authenticator, Request};
use crate::dpop::DpopChecks;
use crate::gateway::credentials::{is_b64token, ExtractError};
use crate::gateway::decision::{BearerError, Refusal};
use crate::gateway::dpop::{DpopGate, Presented};
use crate::gateway::ip::{normalize, ForwardedHeader};
use crate::jwt::Claims;
use crate::{Error, ErrorCode};

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
            // A shared replay cache that cannot answer: the proof was not judged.
            ErrorCode::Network
            | ErrorCode::Timeout
            | ErrorCode::ServerError
            | ErrorCode::InvalidResponse => super::pipeline::unavailable(e),
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
            Some(ForwardedHeader::Forwarded) => req.forwarded_proto_host(),
            Some(ForwardedHeader::XForwardedFor) => (
                req.last_header_value("x-forwarded-proto"),
                req.last_header_value("x-forwarded-host"),
            ),
            None => (None, None),
        };
        let host = host
            .or_else(|| req.last_header_value("host"))
            .ok_or_else(bad)?;
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
