//! One pass of the pipeline as a decision: runs it (`pipeline`), spends the failure budget,
//! feeds abuse detection, and emits the audit event of the decision with its request context
//! (client address, request id, method, path) and any abuse signals.

use std::net::IpAddr;

use super::pipeline::unavailable;
use super::{Accounting, Authenticator, Lookup, Pass, Seen, SharedCalls, Stop};
#[cfg(feature = "redis")]
use super::{SharedCheck, SharedStage};
use crate::audit::{emit, wants, AuditEvent, Outcome};
use crate::gateway::abuse::{Failure, Signal};
use crate::gateway::buckets::ip_bucket;
use crate::gateway::decision::{Principal, Refusal};
use crate::gateway::Request;
use crate::secret::fingerprint;
use crate::ErrorCode;

impl Authenticator {
    /// Runs the pipeline once and emits the audit event of a decision; the joint Redis round
    /// trip, if any, is made in the pass.
    pub(super) fn pass<'r>(&self, req: &Request<'r>, lookup: Lookup<'_>) -> Pass<'r> {
        self.pass_with(req, lookup, SharedCalls::Blocking)
    }

    /// [`Authenticator::pass`], leaving the joint Redis round trip to the caller when `shared`
    /// says so (`Pass::Shared`, finished by `finish_shared`).
    pub(super) fn pass_with<'r>(
        &self,
        req: &Request<'r>,
        lookup: Lookup<'_>,
        shared: SharedCalls,
    ) -> Pass<'r> {
        let mut acc = Accounting {
            started: crate::telemetry::start(),
            audit: AuditEvent::new("gateway.authenticate", Outcome::Failure),
            seen: Seen::default(),
        };
        let outcome = self.run(req, &mut acc.audit, lookup, &mut acc.seen, shared);
        self.conclude(req, acc, outcome)
    }

    /// Finishes a pass whose rate-limit script was left to the caller, with its answer (and
    /// whether the script checked the revocation keys too).
    #[cfg(feature = "redis")]
    pub(super) fn finish_shared<'r>(
        &self,
        req: &Request<'r>,
        stage: SharedStage<'r>,
        acc: Accounting<'r>,
        checked_revocations: bool,
        answer: crate::Result<crate::gateway::shared_limits::Decision>,
    ) -> Pass<'r> {
        let SharedStage {
            mut principal,
            plan,
            token,
            ip,
            ..
        } = stage;
        let outcome = self
            .shared_outcome(
                &principal,
                plan.as_deref(),
                token,
                ip,
                checked_revocations,
                answer,
            )
            .map(|remaining| {
                principal.rate_limit_remaining = remaining;
                principal
            })
            .map_err(Stop::Refused);
        self.conclude(req, acc, outcome)
    }

    /// Finishes a pass whose revocation-list lookup was left to the caller: its answer, then
    /// the scopes and the rate limits (whose own Redis round trip, if any, is left again).
    #[cfg(feature = "redis")]
    pub(super) fn finish_revocations<'r>(
        &self,
        req: &Request<'r>,
        stage: SharedStage<'r>,
        acc: Accounting<'r>,
        answer: crate::Result<bool>,
    ) -> Pass<'r> {
        let SharedStage {
            principal,
            plan,
            token,
            ip,
            check,
        } = stage;
        let scopes_ok = matches!(
            check,
            SharedCheck::Revocations {
                scopes_ok: true,
                ..
            }
        );
        let outcome = self.revocation_answer(answer).and_then(|()| {
            let shared = SharedCalls::Deferred;
            self.scopes_and_limits(req, principal, plan, token, ip, scopes_ok, shared)
        });
        self.conclude(req, acc, outcome)
    }

    /// The accounting after a pass's outcome: the failure budget, abuse detection, telemetry
    /// and the audit event; a pass stopped for I/O is handed back as it is.
    fn conclude<'r>(
        &self,
        req: &Request<'r>,
        acc: Accounting<'r>,
        outcome: std::result::Result<Principal, Stop<'r>>,
    ) -> Pass<'r> {
        let Accounting {
            started,
            mut audit,
            mut seen,
        } = acc;
        let result = match outcome {
            Ok(p) => {
                audit.outcome = Outcome::Success;
                audit.severity = crate::audit::Severity::Info;
                Ok(p)
            }
            Err(Stop::Refused(r)) => {
                audit.code = Some(r.code);
                self.count_failure(seen.ip, &r);
                Err(r)
            }
            Err(Stop::Introspect(token)) => return Pass::Introspect(token),
            Err(Stop::FetchKeys(token)) => return Pass::FetchKeys(token),
            #[cfg(feature = "redis")]
            Err(Stop::Shared(stage)) => {
                let acc = Accounting {
                    started,
                    audit,
                    seen,
                };
                return Pass::Shared(Box::new((*stage, acc)));
            }
        };
        crate::telemetry::decision(started, result.as_ref().err().map(|r| r.code));
        self.observe(&mut seen, &mut audit, &result);
        let signals = std::mem::take(&mut seen.signals);
        if !signals.is_empty() || wants(audit.outcome) {
            audit.client_ip = seen.ip;
            audit.set_request(req.method, req.path);
            audit.request_id = self.request_id(req);
            for s in signals {
                emit(signal_event(s, &audit));
            }
            emit(audit);
        }
        Pass::Decided(result)
    }

    /// The request id from the configured header (`with_request_id_header`), at most 128
    /// characters of printable ASCII.
    fn request_id(&self, req: &Request<'_>) -> Option<String> {
        let name = self.request_id_header.as_deref()?;
        let (_, v) = req
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))?;
        let v = v.trim();
        (!v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
            .then(|| v.to_owned())
    }

    /// Spends one unit of the failure budget of `ip` when `refusal` refused the credential
    /// itself (401 other than `missing_credentials`): not for a missing credential, a lacking
    /// scope, a rate limit or a failing introspection endpoint.
    fn count_failure(&self, ip: Option<IpAddr>, refusal: &Refusal) {
        if !refuses_credential(refusal) {
            return;
        }
        if let (Some(limiter), Some(limit), Some(ip)) =
            (&self.failure_limiter, &self.failure_limit, ip)
        {
            limiter.check(&ip_bucket(ip), limit);
        }
    }

    /// The public id of a presented credential: the key id of a credential shaped like one of
    /// this instance's API keys (`{prefix}_{id}…`, checksum not required, so guesses at one
    /// key's secret count against that key), else the fingerprint of the whole credential.
    fn public_id(&self, credential: &str) -> String {
        use crate::apikey::format::ID_LEN;
        if let Some(keys) = &self.api_keys {
            let id = credential
                .strip_prefix(keys.prefix())
                .and_then(|rest| rest.strip_prefix('_'))
                .and_then(|rest| rest.get(..ID_LEN))
                .filter(|id| id.bytes().all(|b| b.is_ascii_alphanumeric()));
            if let Some(id) = id {
                return id.to_owned();
            }
        }
        fingerprint(credential.as_bytes())
    }

    /// Before validation: refuses (`rate_limited` / 429 with `Retry-After`) when the address or
    /// the credential is locked out; 503 when the abuse store fails closed.
    pub(super) fn abuse_gate(&self, seen: &mut Seen<'_>) -> Result<(), Refusal> {
        let Some(d) = &self.abuse else {
            return Ok(());
        };
        let mut keys = Vec::with_capacity(2);
        keys.extend(seen.ip.map(|ip| format!("ip:{}", ip_bucket(ip))));
        keys.extend(
            seen.credential
                .map(|c| format!("cred:{}", self.public_id(c))),
        );
        match d.locked(&keys, &mut seen.signals) {
            Ok(None) => Ok(()),
            Ok(Some(retry_after)) => Err(self.challenger.rate_limited(retry_after)),
            Err(e) => Err(unavailable(&e)),
        }
    }

    /// After the decision: counts a refused credential, an `insufficient_scope`, or a success
    /// toward the abuse signals. A store that fails closed was refused at the gate already;
    /// here a store failure only loses the observation.
    fn observe(
        &self,
        seen: &mut Seen<'_>,
        audit: &mut AuditEvent,
        result: &Result<Principal, Refusal>,
    ) {
        let Some(d) = &self.abuse else {
            return;
        };
        let ip = seen.ip.map(|ip| ip_bucket(ip).to_string());
        let signals = &mut seen.signals;
        let _ = match result {
            Ok(p) => {
                let who = principal_key(p.key_id.as_deref(), &p.subject, p.kind.as_str());
                d.success(who, ip.as_deref(), signals)
            }
            Err(r) if r.code == ErrorCode::InsufficientScope => {
                let who = principal_key(
                    audit.credential_id.as_deref(),
                    audit.subject.as_deref().unwrap_or_default(),
                    audit.credential_kind.unwrap_or_default(),
                );
                d.insufficient_scope(who, signals)
            }
            Err(r) if refuses_credential(r) => {
                let Some(credential) = seen.credential else {
                    return;
                };
                let id = self.public_id(credential);
                let fp = fingerprint(credential.as_bytes());
                if audit.credential_id.is_none() {
                    audit.credential_id = Some(id.clone());
                }
                let f = Failure {
                    ip: ip.as_deref(),
                    credential: Some(&id),
                    fingerprint: Some(&fp),
                };
                d.failure(&f, signals)
            }
            Err(_) => Ok(()),
        };
    }
}

/// Whether a refusal judged the credential itself (401 other than `missing_credentials`).
fn refuses_credential(r: &Refusal) -> bool {
    r.status == 401 && r.code != ErrorCode::MissingCredentials
}

/// The key id of an API key, else the subject.
fn principal_key<'a>(key_id: Option<&'a str>, subject: &'a str, kind: &str) -> &'a str {
    match key_id {
        Some(id) if kind == "api_key" => id,
        _ => subject,
    }
}

/// The audit event of a signal, in the context of the decision's event.
fn signal_event(s: Signal, decision: &AuditEvent) -> AuditEvent {
    let mut e = AuditEvent::new(s.action, Outcome::Failure).severity(s.severity);
    e.code = s.code;
    e.count = s.count;
    e.credential_kind = decision.credential_kind;
    e.credential_id = s.credential.or_else(|| decision.credential_id.clone());
    e.subject = s.subject.or_else(|| decision.subject.clone());
    e.client_ip = decision.client_ip;
    e.request_id.clone_from(&decision.request_id);
    e.method.clone_from(&decision.method);
    e.path.clone_from(&decision.path);
    e
}
