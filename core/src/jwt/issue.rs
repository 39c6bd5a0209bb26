//! Minting tokens.

use std::time::Duration;

use serde_json::{Map, Value};

use super::alg::Algorithm;
use super::b64;
use super::key::JwtKey;
use super::{DEFAULT_TOKEN_TTL, DEFAULT_TYP};
use crate::clock::{self, SharedClock};
use crate::{Error, ErrorCode};

/// Options of a [`JwtIssuer`]. Every field has a default, so [`JwtIssuerOptions::default`] (or
/// [`JwtIssuerOptions::new`]) is a valid start; chain `with_…` to change one.
#[derive(Debug, Clone)]
pub struct JwtIssuerOptions {
    pub(crate) algorithm: Option<Algorithm>,
    pub(crate) issuer: Option<String>,
    pub(crate) audience: Vec<String>,
    pub(crate) ttl: Duration,
    pub(crate) typ: String,
    pub(crate) clock: SharedClock,
}

impl Default for JwtIssuerOptions {
    fn default() -> Self {
        JwtIssuerOptions {
            algorithm: None,
            issuer: None,
            audience: Vec::new(),
            ttl: DEFAULT_TOKEN_TTL,
            typ: DEFAULT_TYP.to_owned(),
            clock: clock::system(),
        }
    }
}

impl JwtIssuerOptions {
    /// The defaults: the key's own algorithm, no `iss`, no `aud`, a lifetime of
    /// [`DEFAULT_TOKEN_TTL`], `typ` [`DEFAULT_TYP`], the system clock.
    pub fn new() -> Self {
        JwtIssuerOptions::default()
    }

    /// The signing algorithm; required when the key is not pinned to one.
    pub fn with_algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = Some(algorithm);
        self
    }

    /// The `iss` claim.
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// The default `aud` claim (one value is written as a string, several as an array).
    pub fn with_audience<S: Into<String>>(mut self, audience: impl IntoIterator<Item = S>) -> Self {
        self.audience = audience.into_iter().map(Into::into).collect();
        self
    }

    /// The default lifetime of issued tokens (whole seconds; at most [`clock::MAX_DURATION`],
    /// else [`JwtIssuer::new`] refuses with `invalid_input`).
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// The `typ` header (RFC 9068 access tokens use `at+jwt`).
    pub fn with_typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = typ.into();
        self
    }

    /// Reads time from `clock` instead of the system clock.
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }
}

/// Per-call changes to what a [`JwtIssuer`] sets. Every field is optional.
#[derive(Debug, Clone, Default)]
pub struct JwtIssueOptions {
    pub(crate) ttl: Option<Duration>,
    pub(crate) subject: Option<String>,
    pub(crate) audience: Option<Vec<String>>,
}

impl JwtIssueOptions {
    /// Nothing changed: the issuer's lifetime and audience, no `sub`.
    pub fn new() -> Self {
        JwtIssueOptions::default()
    }

    /// The lifetime of this token instead of the issuer's (at most [`clock::MAX_DURATION`],
    /// else `issue` refuses with `invalid_input`).
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = Some(ttl);
        self
    }

    /// The `sub` claim.
    pub fn with_subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// The `aud` claim instead of the issuer's.
    pub fn with_audience<S: Into<String>>(mut self, audience: impl IntoIterator<Item = S>) -> Self {
        self.audience = Some(audience.into_iter().map(Into::into).collect());
        self
    }
}

/// Signs claims with one key, setting `iat`, `nbf`, `exp`, `jti`, `iss`, `aud` and the
/// `alg`/`typ`/`kid` headers. Claims passed in take precedence over these defaults.
#[derive(Debug, Clone)]
pub struct JwtIssuer {
    key: JwtKey,
    alg: Algorithm,
    issuer: Option<String>,
    audience: Vec<String>,
    ttl: Duration,
    clock: SharedClock,
    /// `{"alg":…,"typ":…,"kid":…}` base64url, computed once.
    header_b64: String,
}

impl JwtIssuer {
    /// An issuer signing with `key` (an HMAC secret or a private key). The algorithm comes from
    /// `options` or, when not named there, from the key (`invalid_input` if it has none).
    pub fn new(key: JwtKey, options: JwtIssuerOptions) -> Result<JwtIssuer, Error> {
        let alg = options.algorithm.or(key.algorithm()).ok_or_else(|| {
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
        let ttl = clock::check_duration(options.ttl, "ttl")?;
        let header_b64 = encode_header(alg, &options.typ, key.kid());
        Ok(JwtIssuer {
            key,
            alg,
            issuer: options.issuer,
            audience: options.audience,
            ttl,
            clock: options.clock,
            header_b64,
        })
    }

    /// The signing key.
    pub fn key(&self) -> &JwtKey {
        &self.key
    }

    /// Signs `claims` (plus the registered defaults) and returns the compact token.
    pub fn issue(
        &self,
        claims: &Map<String, Value>,
        options: &JwtIssueOptions,
    ) -> Result<String, Error> {
        let now = self.clock.unix_seconds();
        let ttl = match options.ttl {
            Some(ttl) => clock::check_duration(ttl, "ttl")?,
            None => self.ttl,
        }
        .as_secs();
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

fn encode_header(alg: Algorithm, typ: &str, kid: Option<&str>) -> String {
    let mut header = Map::new();
    header.insert("alg".into(), alg.as_str().into());
    header.insert("typ".into(), typ.into());
    if let Some(kid) = kid {
        header.insert("kid".into(), kid.into());
    }
    b64::encode(Value::Object(header).to_string().as_bytes())
}

fn random_jti() -> Result<String, Error> {
    let mut bytes = [0u8; 16];
    aws_lc_rs::rand::fill(&mut bytes)
        .map_err(|_| Error::new(ErrorCode::Internal, "the system random generator failed"))?;
    Ok(b64::encode(&bytes))
}
