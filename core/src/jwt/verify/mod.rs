//! Strict JWS verification (RFC 7515 compact form, RFC 8725 practices).

use std::sync::Arc;
use std::time::Duration;

use parking_lot::RwLock;

use serde_json::{Map, Value};

use super::alg::Algorithm;
use super::b64;
use super::claims::Claims;
use super::claims_builder::{ClaimsBuilder, LazyBuilder, NoBuild};
use super::keyset::KeySet;
use super::payload::{self, Claim, Registered};
use super::rules::ClaimRules;
use super::{DEFAULT_MAX_DEPTH, DEFAULT_MAX_TOKEN_SIZE};
use crate::audit::Outcome;
use crate::clock::{self, SharedClock};
use crate::json;
use crate::{Error, ErrorCode};

mod cache;
mod options;
use cache::{TokenHash, VerifiedCache};
pub use options::JwtVerifierOptions;

/// What a payload that is not one JSON object is reported as.
const WHAT_PAYLOAD: &str = "the payload is not a JSON object";

/// Verifies tokens against a key set and a policy. Build once, reuse for every token.
#[derive(Debug, Clone)]
pub struct JwtVerifier {
    keys: KeySet,
    algorithms: Vec<Algorithm>,
    typ: Option<String>,
    max_token_size: usize,
    max_depth: usize,
    rules: ClaimRules,
    clock: SharedClock,
    /// The last header segment that passed the header checks, with its parse. Tokens from one
    /// issuer share their header bytes, so most verifications skip decoding it again.
    last_header: Arc<RwLock<Option<CachedHeader>>>,
    /// Tokens that passed every check ([`JwtVerifierOptions::with_cache_size`]); shared by
    /// clones, which have the same policy.
    cache: Option<Arc<VerifiedCache>>,
}

/// What the cache knew of a token whose signature checked out.
enum Seen {
    Uncached,
    /// Found: the header and signature checks were skipped.
    Hit(TokenHash),
    /// Verified now, under this key-set generation.
    Miss(TokenHash, u64),
}

/// A header segment's bytes and its checked parse.
type CachedHeader = (Box<[u8]>, Header);

/// The protected header members the verifier acts on.
#[derive(Debug, Clone)]
struct Header {
    alg: Algorithm,
    /// Shared so that a header served from the cache costs no allocation.
    kid: Option<Arc<str>>,
}

fn malformed(msg: &'static str) -> Error {
    Error::new(ErrorCode::Malformed, msg)
}

impl JwtVerifier {
    /// A verifier for `keys` (a [`KeySet`] or one [`super::JwtKey`]) with the policy of
    /// `options`. An empty allowlist or an out-of-range duration is `invalid_input`.
    pub fn new(keys: impl Into<KeySet>, options: JwtVerifierOptions) -> Result<JwtVerifier, Error> {
        if options.algorithms.is_empty() {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "name the algorithms to accept: there is no default allowlist",
            ));
        }
        // Bounded once here (invalid_input above clock::MAX_DURATION), so the claim checks
        // never add near-i64::MAX values.
        let leeway = clock::check_duration(options.leeway, "leeway")?;
        let max_age = options
            .max_age
            .map(|d| clock::check_duration(d, "max_age"))
            .transpose()?;
        let secs = |d: Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
        Ok(JwtVerifier {
            keys: keys.into(),
            algorithms: options.algorithms,
            typ: options.typ.map(|t| normalize_typ(&t)),
            max_token_size: options.max_token_size,
            max_depth: options.max_depth,
            rules: ClaimRules {
                issuers: options.issuers,
                audiences: options.audiences,
                subject: options.subject,
                required: options.required_claims,
                require_exp: options.require_exp,
                leeway: secs(leeway),
                max_age: max_age.map(secs),
            },
            clock: options.clock,
            last_header: Arc::default(),
            cache: match options.cache_size {
                0 => None,
                size => Some(Arc::new(VerifiedCache::new(size)?)),
            },
        })
    }

    /// The verifier's keys.
    pub fn keys(&self) -> &KeySet {
        &self.keys
    }

    /// Number of tokens in the verified-token cache (0 without one;
    /// [`JwtVerifierOptions::with_cache_size`]).
    pub fn cache_len(&self) -> usize {
        self.cache.as_ref().map_or(0, |c| c.len())
    }

    /// The same policy with another key set (used when remote keys rotate).
    pub fn with_keys(&self, keys: KeySet) -> JwtVerifier {
        JwtVerifier {
            keys,
            ..self.clone()
        }
    }

    /// Verifies `token` and returns its claims.
    pub fn verify(&self, token: &str) -> Result<Claims, Error> {
        self.verify_with(token, &self.keys)
    }

    /// Verifies `token` with `keys` instead of the verifier's own set.
    pub fn verify_with(&self, token: &str, keys: &KeySet) -> Result<Claims, Error> {
        // The claims keep the payload as their text; their values are built when read.
        let (text, members) = self.verify_text(token, keys, &mut LazyBuilder)?;
        Ok(Claims::lazy(text.into_boxed_str(), members))
    }

    /// Verifies `token` like [`JwtVerifier::verify`] while `builder` builds the claims in the
    /// verifier's one strict pass over the payload, and returns the top-level object the builder
    /// filled. For bindings that create their host's objects directly; a failed claim check
    /// drops what was built.
    pub fn verify_into<K: ClaimsBuilder>(
        &self,
        token: &str,
        builder: &mut K,
    ) -> Result<K::Object, Error> {
        self.verify_into_with(token, &self.keys, builder)
    }

    /// [`JwtVerifier::verify_into`] with `keys` instead of the verifier's own set.
    pub fn verify_into_with<K: ClaimsBuilder>(
        &self,
        token: &str,
        keys: &KeySet,
        builder: &mut K,
    ) -> Result<K::Object, Error> {
        self.verify_text(token, keys, builder)
            .map(|(_, object)| object)
    }

    /// Verifies `token` like [`JwtVerifier::verify`] and returns the claims as the token's own
    /// JSON text (valid UTF-8, one object, unique members), without re-serializing them. For
    /// bindings whose runtime has a faster JSON parser than building objects member by member.
    pub fn verify_json(&self, token: &str) -> Result<String, Error> {
        self.verify_text(token, &self.keys, &mut NoBuild)
            .map(|(text, ())| text)
    }

    /// Verifies `token` like [`JwtVerifier::verify`] and deserializes its claims into `T` (your
    /// own `#[derive(Deserialize)]` struct) instead of the generic map. Every check of
    /// `verify` runs first, on the same strict pass over the
    /// payload (duplicates, depth, types of the registered claims); a payload that does not fit
    /// `T` is `invalid_claim`.
    pub fn verify_as<T: serde::de::DeserializeOwned>(&self, token: &str) -> Result<T, Error> {
        let payload = self.verify_json(token)?;
        serde_json::from_str(&payload).map_err(|_| {
            Error::new(
                ErrorCode::InvalidClaim,
                "the claims do not have the requested shape",
            )
        })
    }

    /// Verifies `token` with `keys` (audited): one strict pass over the payload validates the
    /// document and reads the registered claims while `builder` builds what it builds. Returns
    /// the payload as text (validated as UTF-8 once) and the built object.
    fn verify_text<K: ClaimsBuilder>(
        &self,
        token: &str,
        keys: &KeySet,
        builder: &mut K,
    ) -> Result<(String, K::Object), Error> {
        audited(token, |audit_subject| {
            let (payload, seen) = self.checked_payload(token, keys)?;
            let checked = match String::from_utf8(payload) {
                Ok(text) => self
                    .check_claims(&text, builder, audit_subject)
                    .map(|(object, sub)| ((text, object), sub)),
                // Refused, with the error the strict parser gives for these bytes.
                Err(bytes) => Err(payload::not_utf8(
                    bytes.as_bytes(),
                    self.max_depth,
                    WHAT_PAYLOAD,
                )),
            };
            self.remember(seen, checked.is_ok());
            checked
        })
    }

    /// One strict pass over the verified `payload` (while `builder` builds it), then the claim
    /// checks. Returns the built top-level object and, with `audit_subject`, the subject for the
    /// audit event.
    fn check_claims<K: ClaimsBuilder>(
        &self,
        payload: &str,
        builder: &mut K,
        audit_subject: bool,
    ) -> Result<(K::Object, Option<String>), Error> {
        let mut registered = Registered::default();
        let object = payload::build_text(
            payload,
            self.max_depth,
            WHAT_PAYLOAD,
            builder,
            &mut registered,
        )?;
        self.check_registered(object, &registered, audit_subject)
    }

    /// The claim checks on the registered claims the scan recorded.
    fn check_registered<O>(
        &self,
        object: O,
        registered: &Registered<'_>,
        audit_subject: bool,
    ) -> Result<(O, Option<String>), Error> {
        self.rules.check(registered, self.clock.unix_seconds())?;
        let sub = match &registered.sub {
            Claim::Str(sub) if audit_subject => Some(sub.to_string()),
            _ => None,
        };
        Ok((object, sub))
    }

    /// Checks everything up to and including the signature (size, encoding, header policy,
    /// key selection) and returns the raw payload bytes, without interpreting them as claims.
    /// For JWS payloads that are not JWT claims.
    pub fn verify_signature(&self, token: &str) -> Result<Vec<u8>, Error> {
        self.verify_signature_with(token, &self.keys)
    }

    fn verify_signature_with(&self, token: &str, keys: &KeySet) -> Result<Vec<u8>, Error> {
        self.verify_parts(&split(token, self.max_token_size)?, keys)
    }

    /// The payload of `token` once its signature checked out: from the cache when it holds the
    /// token for `keys`, else verified (the caller then [`JwtVerifier::remember`]s the outcome of
    /// the claim checks).
    fn checked_payload(&self, token: &str, keys: &KeySet) -> Result<(Vec<u8>, Seen), Error> {
        let parts = split(token, self.max_token_size)?;
        let cached = self
            .cache
            .as_ref()
            .and_then(|cache| Some((cache, cache.token_hash(token)?)));
        let Some((cache, hash)) = cached else {
            return Ok((self.verify_parts(&parts, keys)?, Seen::Uncached));
        };
        let generation = keys.generation();
        if cache.contains(&hash, generation) {
            let mut payload = Vec::new();
            b64::decode_into(parts.payload, &mut payload, "the payload is not base64url")?;
            return Ok((payload, Seen::Hit(hash)));
        }
        let payload = self.verify_parts(&parts, keys)?;
        Ok((payload, Seen::Miss(hash, generation)))
    }

    /// Caches a token verified now that passed its claim checks; forgets a cached one that no
    /// longer does (expired). Failures are never cached.
    fn remember(&self, seen: Seen, passed: bool) {
        let Some(cache) = &self.cache else { return };
        match (seen, passed) {
            (Seen::Miss(hash, generation), true) => cache.insert(hash, generation),
            (Seen::Hit(hash), false) => cache.remove(&hash),
            _ => {}
        }
    }

    fn verify_parts(&self, parts: &Parts<'_>, keys: &KeySet) -> Result<Vec<u8>, Error> {
        let header = self.header(parts.header)?;
        let key = keys.find(header.kid.as_deref(), header.alg)?;
        // Every segment must be canonical base64url before any crypto runs; the payload's
        // JSON is parsed only once the signature has verified.
        let mut payload = Vec::new();
        b64::decode_into(parts.payload, &mut payload, "the payload is not base64url")?;
        const NOT_B64: &str = "the signature is not base64url";
        let sig_len = b64::decoded_len(parts.signature).ok_or_else(|| malformed(NOT_B64))?;
        // Signatures up to RSA-4096 (512 bytes) decode on the stack: zeroing the buffer costs
        // less than an allocation and its free, which showed in RSA's margin over its floor.
        let mut stack = [0u8; 512];
        let mut heap = Vec::new();
        let signature: &mut [u8] = match stack.get_mut(..sig_len) {
            Some(buf) => buf,
            None => {
                heap.resize(sig_len, 0);
                &mut heap
            }
        };
        b64::decode_to_slice(parts.signature, signature, NOT_B64)?;
        if !key.verify(header.alg, parts.signing_input, signature) {
            return Err(Error::new(
                ErrorCode::InvalidSignature,
                "the signature does not verify",
            ));
        }
        Ok(payload)
    }

    fn header(&self, segment: &[u8]) -> Result<Header, Error> {
        if let Some((bytes, header)) = self.last_header.read().as_ref() {
            if **bytes == *segment {
                return Ok(header.clone());
            }
        }
        let header = self.parse_header(segment)?;
        *self.last_header.write() = Some((segment.into(), header.clone()));
        Ok(header)
    }

    fn parse_header(&self, segment: &[u8]) -> Result<Header, Error> {
        let bytes = b64::decode(segment, "the header is not base64url")?;
        let header = json::parse_object(&bytes, self.max_depth, "the header is not a JSON object")?;
        let alg = match header.get("alg") {
            Some(Value::String(name)) => Algorithm::parse(name)?,
            Some(_) => return Err(malformed("alg must be a string")),
            None => return Err(malformed("the header has no alg")),
        };
        if !self.algorithms.contains(&alg) {
            return Err(Error::new(
                ErrorCode::AlgorithmNotAllowed,
                "the algorithm is not allowed",
            ));
        }
        check_crit(&header)?;
        let kid = match header.get("kid") {
            None => None,
            Some(Value::String(kid)) => Some(Arc::from(kid.as_str())),
            Some(_) => return Err(malformed("kid must be a string")),
        };
        match (header.get("typ"), &self.typ) {
            (Some(Value::String(typ)), Some(expected)) if normalize_typ(typ) == *expected => {}
            (Some(Value::String(_)), None) | (None, None) => {}
            (Some(Value::String(_)), Some(_)) | (None, Some(_)) => {
                return Err(Error::new(ErrorCode::InvalidClaim, "unexpected typ header"))
            }
            (Some(_), _) => return Err(malformed("typ must be a string")),
        }
        Ok(Header { alg, kid })
    }
}

/// Runs `verify` and emits the `jwt.verify` audit event it owes: the token's fingerprint and, on
/// success, its subject — never the token. `verify` is told whether a success event is wanted,
/// so it keeps the subject only then.
fn audited<T>(
    token: &str,
    verify: impl FnOnce(bool) -> Result<(T, Option<String>), Error>,
) -> Result<T, Error> {
    // Asked once per call: a host's sink may answer through its own runtime (Python's
    // `logger.isEnabledFor`), which costs more than the check it guards.
    let success_wanted = crate::audit::wants(Outcome::Success);
    let result = verify(success_wanted);
    crate::telemetry::jwt_verification(result.as_ref().err().map(Error::code));
    let event = match &result {
        Ok((_, sub)) if success_wanted => {
            let event = crate::audit::AuditEvent::success("jwt.verify");
            match sub {
                Some(sub) => event.subject(sub),
                None => event,
            }
        }
        Err(err) if crate::audit::wants(Outcome::Failure) => {
            crate::audit::AuditEvent::failure("jwt.verify", err)
        }
        _ => return result.map(|(value, _)| value),
    };
    crate::audit::emit(event.credential(crate::fingerprint(token.as_bytes())));
    result.map(|(value, _)| value)
}

/// Header parameters whose meaning this library knows; `crit` may not list them (RFC 7515
/// section 4.1.11), and it understands no extension, so any valid `crit` is unsupported.
const REGISTERED: &[&str] = &[
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit",
];

fn check_crit(header: &Map<String, Value>) -> Result<(), Error> {
    if let Some(b64) = header.get("b64") {
        match b64 {
            Value::Bool(true) => {}
            Value::Bool(false) => {
                return Err(Error::new(
                    ErrorCode::UnsupportedCriticalHeader,
                    "unencoded payloads (b64: false) are not supported",
                ))
            }
            _ => return Err(malformed("b64 must be a boolean")),
        }
    }
    let Some(crit) = header.get("crit") else {
        return Ok(());
    };
    let Value::Array(names) = crit else {
        return Err(malformed("crit must be an array"));
    };
    if names.is_empty() {
        return Err(malformed("crit must not be empty"));
    }
    let mut seen = Vec::with_capacity(names.len());
    for name in names {
        let Value::String(name) = name else {
            return Err(malformed("crit entries must be strings"));
        };
        if REGISTERED.contains(&name.as_str()) || seen.contains(&name) || !header.contains_key(name)
        {
            return Err(malformed("crit is malformed"));
        }
        seen.push(name);
    }
    Err(Error::new(
        ErrorCode::UnsupportedCriticalHeader,
        "the token requires an unsupported extension",
    ))
}

fn normalize_typ(typ: &str) -> String {
    let lower = typ.to_ascii_lowercase();
    lower
        .strip_prefix("application/")
        .map(str::to_owned)
        .unwrap_or(lower)
}

/// The three segments of a compact JWS.
pub(crate) struct Parts<'a> {
    pub header: &'a [u8],
    pub payload: &'a [u8],
    pub signature: &'a [u8],
    pub signing_input: &'a [u8],
}

pub(crate) fn split(token: &str, max_size: usize) -> Result<Parts<'_>, Error> {
    if token.len() > max_size {
        return Err(Error::new(
            ErrorCode::TokenTooLarge,
            "the token exceeds the size limit",
        ));
    }
    let bytes = token.as_bytes();
    // SIMD search: the dots are the only structure a compact JWS has.
    let mut dots = memchr::memchr_iter(b'.', bytes);
    let (Some(d1), Some(d2), None) = (dots.next(), dots.next(), dots.next()) else {
        return Err(malformed(match memchr::memchr_iter(b'.', bytes).count() {
            4 => "JWE (5-part) tokens are not supported",
            _ => "a JWS has three segments",
        }));
    };
    // An empty signature is left to fail verification (after the algorithm check), so an
    // unsigned `alg: none` token reports `algorithm_not_allowed`.
    // An empty payload is legal JWS (it fails later as JWT claims).
    if d1 == 0 {
        return Err(malformed("empty JWS header"));
    }
    Ok(Parts {
        header: &bytes[..d1],
        payload: &bytes[d1 + 1..d2],
        signature: &bytes[d2 + 1..],
        signing_input: &bytes[..d2],
    })
}

/// Decodes header and claims WITHOUT verifying anything — for display and debugging only
/// (`tokenward jwt decode`). Never base a decision on the result.
pub fn decode_unverified(token: &str) -> Result<(Map<String, Value>, Claims), Error> {
    let parts = split(token, DEFAULT_MAX_TOKEN_SIZE)?;
    let header = json::parse_object(
        &b64::decode(parts.header, "the header is not base64url")?,
        DEFAULT_MAX_DEPTH,
        "the header is not a JSON object",
    )?;
    let claims = payload::parse(
        &b64::decode(parts.payload, "the payload is not base64url")?,
        DEFAULT_MAX_DEPTH,
        WHAT_PAYLOAD,
    )?;
    Ok((header, claims))
}

#[cfg(test)]
mod tests;
