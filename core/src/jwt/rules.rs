//! Registered-claim validation (RFC 7519 section 4.1), with types checked.

use std::borrow::Cow;

use super::payload::{Claim, Registered};

use crate::{Error, ErrorCode};

/// What the verifier expects of the registered claims.
#[derive(Debug, Clone)]
pub(crate) struct ClaimRules {
    pub issuers: Vec<String>,
    pub audiences: Vec<String>,
    pub subject: Option<String>,
    pub required: Vec<String>,
    pub require_exp: bool,
    pub leeway: i64,
    pub max_age: Option<i64>,
}

fn invalid(msg: &'static str) -> Error {
    Error::new(ErrorCode::InvalidClaim, msg)
}

/// A NumericDate claim: absent, or a JSON number (anything else is `invalid_claim`).
fn numeric(claim: &Claim<'_>, msg: &'static str) -> Result<Option<f64>, Error> {
    match claim {
        Claim::Absent => Ok(None),
        Claim::Number(n) => Ok(Some(*n)),
        _ => Err(invalid(msg)),
    }
}

fn string<'a>(claim: &'a Claim<'_>, msg: &'static str) -> Result<Option<&'a str>, Error> {
    match claim {
        Claim::Absent => Ok(None),
        Claim::Str(s) => Ok(Some(s)),
        _ => Err(invalid(msg)),
    }
}

impl ClaimRules {
    /// Checks the registered claims of a scanned payload at `now` (Unix seconds).
    pub(crate) fn check(&self, claims: &Registered<'_>, now: i64) -> Result<(), Error> {
        let now = now as f64;
        let leeway = self.leeway as f64;
        let exp = numeric(&claims.exp, "exp must be a number")?;
        let nbf = numeric(&claims.nbf, "nbf must be a number")?;
        let iat = numeric(&claims.iat, "iat must be a number")?;
        let iss = string(&claims.iss, "iss must be a string")?;
        let sub = string(&claims.sub, "sub must be a string")?;
        string(&claims.jti, "jti must be a string")?;
        let aud = audiences(&claims.aud)?;

        match exp {
            None if self.require_exp => {
                return Err(Error::new(ErrorCode::MissingClaim, "the token has no exp"))
            }
            Some(exp) if exp <= now - leeway => {
                return Err(Error::new(ErrorCode::Expired, "the token has expired"))
            }
            _ => {}
        }
        if matches!(nbf, Some(nbf) if nbf > now + leeway) {
            return Err(Error::new(
                ErrorCode::NotYetValid,
                "the token is not valid yet (nbf)",
            ));
        }
        if matches!(iat, Some(iat) if iat > now + leeway) {
            return Err(Error::new(
                ErrorCode::NotYetValid,
                "the token was issued in the future (iat)",
            ));
        }
        if let Some(max_age) = self.max_age {
            let iat =
                iat.ok_or_else(|| Error::new(ErrorCode::MissingClaim, "max_age needs iat"))?;
            if now - iat > max_age.saturating_add(self.leeway) as f64 {
                return Err(Error::new(
                    ErrorCode::Expired,
                    "the token is older than max_age",
                ));
            }
        }
        if !self.issuers.is_empty() {
            let iss =
                iss.ok_or_else(|| Error::new(ErrorCode::MissingClaim, "the token has no iss"))?;
            if !self.issuers.iter().any(|i| i == iss) {
                return Err(Error::new(ErrorCode::InvalidIssuer, "unexpected issuer"));
            }
        }
        match (aud, self.audiences.is_empty()) {
            (None, false) => {
                return Err(Error::new(ErrorCode::MissingClaim, "the token has no aud"))
            }
            // RFC 7519 4.1.3: a token for an audience must be rejected by a verifier that does
            // not identify itself with it.
            (Some(_), true) => {
                return Err(Error::new(
                    ErrorCode::InvalidAudience,
                    "the token names an audience but the verifier expects none",
                ))
            }
            (Some(aud), false) if !aud.iter().any(|a| self.audiences.iter().any(|e| e == a)) => {
                return Err(Error::new(
                    ErrorCode::InvalidAudience,
                    "unexpected audience",
                ))
            }
            _ => {}
        }
        if let Some(expected) = &self.subject {
            match sub {
                None => return Err(Error::new(ErrorCode::MissingClaim, "the token has no sub")),
                Some(s) if s != expected => return Err(invalid("unexpected subject")),
                _ => {}
            }
        }
        if let Some(missing) = self.required.iter().find(|c| !claims.has(c.as_str())) {
            let _ = missing; // never echo claim names chosen by the caller into errors needlessly
            return Err(Error::new(
                ErrorCode::MissingClaim,
                "a required claim is missing",
            ));
        }
        Ok(())
    }
}

/// `aud` as a list: absent, a string, or an array of strings.
fn audiences<'a, 'b>(claim: &'a Claim<'b>) -> Result<Option<&'a [Cow<'b, str>]>, Error> {
    match claim {
        Claim::Absent => Ok(None),
        Claim::Str(s) => Ok(Some(std::slice::from_ref(s))),
        Claim::Strs(items) => Ok(Some(items)),
        _ => Err(invalid("aud must be a string or a list of strings")),
    }
}
