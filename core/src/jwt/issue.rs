//! Minting tokens.

use std::time::Duration;

use serde_json::{Map, Value};

use super::alg::Algorithm;
use super::b64;
use super::key::Key;
use crate::clock::{self, SharedClock};
use crate::{Error, ErrorCode};

/// Default lifetime of issued tokens (15 minutes).
pub const DEFAULT_TTL: Duration = Duration::from_secs(15 * 60);

/// Per-call changes to what a [`JwtIssuer`] sets.
#[derive(Debug, Clone, Default)]
pub struct IssueOptions {
    /// Lifetime of this token instead of the issuer's.
    pub ttl: Option<Duration>,
    /// The `sub` claim.
    pub subject: Option<String>,
    /// The `aud` claim instead of the issuer's.
    pub audience: Option<Vec<String>>,
}

/// Signs claims with one key, setting `iat`, `nbf`, `exp`, `jti`, `iss`, `aud` and the
/// `alg`/`typ`/`kid` headers. Claims passed in take precedence over these defaults.
#[derive(Debug, Clone)]
pub struct JwtIssuer {
    key: Key,
    alg: Algorithm,
    issuer: Option<String>,
    audience: Vec<String>,
    ttl: Duration,
    typ: String,
    clock: SharedClock,
    /// `{"alg":…,"typ":…,"kid":…}` base64url, computed once.
    header_b64: String,
}

impl JwtIssuer {
    /// An issuer signing with `key`. `alg` may be omitted when the key is pinned to one.
    pub fn new(key: Key, alg: Option<Algorithm>) -> Result<JwtIssuer, Error> {
        let alg = alg.or(key.algorithm()).ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidInput,
                "name the algorithm: the key is not bound to one",
            )
        })?;
        if !key.accepts(alg) {
            return Err(Error::new(
                ErrorCode::InvalidKey,
                "the key does not accept this algorithm",
            ));
        }
        if !key.can_sign() {
            return Err(Error::new(
                ErrorCode::InvalidKey,
                "a public key cannot sign",
            ));
        }
        let mut issuer = JwtIssuer {
            key,
            alg,
            issuer: None,
            audience: Vec::new(),
            ttl: DEFAULT_TTL,
            typ: "JWT".to_owned(),
            clock: clock::system(),
            header_b64: String::new(),
        };
        issuer.header_b64 = issuer.encode_header();
        Ok(issuer)
    }

    /// Sets `iss`.
    pub fn issuer(mut self, iss: impl Into<String>) -> Self {
        self.issuer = Some(iss.into());
        self
    }

    /// Sets the default `aud`.
    pub fn audience(mut self, aud: Vec<String>) -> Self {
        self.audience = aud;
        self
    }

    /// Sets the default lifetime.
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// Sets the `typ` header (default `JWT`; RFC 9068 access tokens use `at+jwt`).
    pub fn typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = typ.into();
        self.header_b64 = self.encode_header();
        self
    }

    /// Reads time from `clock`.
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// The signing key.
    pub fn key(&self) -> &Key {
        &self.key
    }

    fn encode_header(&self) -> String {
        let mut header = Map::new();
        header.insert("alg".into(), self.alg.as_str().into());
        header.insert("typ".into(), self.typ.clone().into());
        if let Some(kid) = self.key.kid() {
            header.insert("kid".into(), kid.into());
        }
        b64::encode(Value::Object(header).to_string().as_bytes())
    }

    /// Signs `claims` (plus the registered defaults) and returns the compact token.
    pub fn issue(
        &self,
        claims: &Map<String, Value>,
        options: &IssueOptions,
    ) -> Result<String, Error> {
        let now = self.clock.unix_seconds();
        let ttl = options.ttl.unwrap_or(self.ttl).as_secs();
        let mut payload = Map::new();
        payload.insert("iat".into(), now.into());
        payload.insert("nbf".into(), now.into());
        payload.insert(
            "exp".into(),
            now.saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX))
                .into(),
        );
        payload.insert("jti".into(), random_jti()?.into());
        if let Some(iss) = &self.issuer {
            payload.insert("iss".into(), iss.clone().into());
        }
        let audience = options.audience.as_ref().unwrap_or(&self.audience);
        match audience.as_slice() {
            [] => {}
            [one] => {
                payload.insert("aud".into(), one.clone().into());
            }
            many => {
                payload.insert("aud".into(), many.to_vec().into());
            }
        }
        if let Some(sub) = &options.subject {
            payload.insert("sub".into(), sub.clone().into());
        }
        for (name, value) in claims {
            payload.insert(name.clone(), value.clone());
        }
        let mut token = String::with_capacity(self.header_b64.len() + 256);
        token.push_str(&self.header_b64);
        token.push('.');
        token.push_str(&b64::encode(Value::Object(payload).to_string().as_bytes()));
        let signature = self.key.sign(self.alg, token.as_bytes())?;
        token.push('.');
        token.push_str(&b64::encode(&signature));
        if crate::audit::wants(crate::audit::Outcome::Success) {
            let event = crate::audit::AuditEvent::success("jwt.issue")
                .credential(crate::fingerprint(token.as_bytes()));
            let subject = options
                .subject
                .as_deref()
                .or(claims.get("sub").and_then(Value::as_str));
            crate::audit::emit(match subject {
                Some(sub) => event.subject(sub),
                None => event,
            });
        }
        Ok(token)
    }
}

fn random_jti() -> Result<String, Error> {
    let mut bytes = [0u8; 16];
    aws_lc_rs::rand::fill(&mut bytes)
        .map_err(|_| Error::new(ErrorCode::Internal, "the system random generator failed"))?;
    Ok(b64::encode(&bytes))
}
