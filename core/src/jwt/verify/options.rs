//! [`JwtVerifierOptions`]: the policy of a [`JwtVerifier`](super::JwtVerifier).

use std::time::Duration;

use crate::clock::{self, SharedClock};
use crate::jwt::alg::Algorithm;
use crate::jwt::{DEFAULT_LEEWAY, DEFAULT_MAX_DEPTH, DEFAULT_MAX_TOKEN_SIZE};

/// Options of a [`JwtVerifier`](super::JwtVerifier). The algorithm allowlist is required, so it is the argument of
/// [`JwtVerifierOptions::new`] (there is no `Default`); every other field has a default and a
/// chained `with_…` setter.
///
/// ```compile_fail
/// // There is no default allowlist, so there are no default options.
/// let options = tokenward::jwt::JwtVerifierOptions::default();
/// ```
#[derive(Debug, Clone)]
pub struct JwtVerifierOptions {
    pub(crate) algorithms: Vec<Algorithm>,
    pub(crate) issuers: Vec<String>,
    pub(crate) audiences: Vec<String>,
    pub(crate) subject: Option<String>,
    pub(crate) leeway: Duration,
    pub(crate) required_claims: Vec<String>,
    pub(crate) require_exp: bool,
    pub(crate) typ: Option<String>,
    pub(crate) max_age: Option<Duration>,
    pub(crate) max_token_size: usize,
    pub(crate) max_depth: usize,
    pub(crate) clock: SharedClock,
    pub(crate) cache_size: usize,
}

impl JwtVerifierOptions {
    /// Options accepting tokens signed with one of `algorithms` (case-sensitive names, no
    /// `none`; an empty list is refused by [`JwtVerifier::new`](super::JwtVerifier::new) with `invalid_input`), with the
    /// defaults: no `iss`/`sub` check, no audience, leeway [`DEFAULT_LEEWAY`], `exp` required,
    /// [`DEFAULT_MAX_TOKEN_SIZE`], [`DEFAULT_MAX_DEPTH`], the system clock.
    pub fn new(algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        JwtVerifierOptions {
            algorithms: algorithms.into_iter().collect(),
            issuers: Vec::new(),
            audiences: Vec::new(),
            subject: None,
            leeway: DEFAULT_LEEWAY,
            required_claims: Vec::new(),
            require_exp: true,
            typ: None,
            max_age: None,
            max_token_size: DEFAULT_MAX_TOKEN_SIZE,
            max_depth: DEFAULT_MAX_DEPTH,
            clock: clock::system(),
            cache_size: 0,
        }
    }

    /// Accepted `iss` values; none (the default) means `iss` is not compared (its type still
    /// is).
    pub fn with_issuers<S: Into<String>>(mut self, issuers: impl IntoIterator<Item = S>) -> Self {
        self.issuers = issuers.into_iter().map(Into::into).collect();
        self
    }

    /// Audiences this verifier identifies with; a token's `aud` must name one of them. None
    /// (the default) means tokens carrying an `aud` are refused (RFC 7519 section 4.1.3).
    pub fn with_audiences<S: Into<String>>(
        mut self,
        audiences: impl IntoIterator<Item = S>,
    ) -> Self {
        self.audiences = audiences.into_iter().map(Into::into).collect();
        self
    }

    /// The expected `sub`.
    pub fn with_subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Clock skew tolerated on `exp`, `nbf`, `iat` (default [`DEFAULT_LEEWAY`]; at most
    /// [`clock::MAX_DURATION`], else the verifier is refused with `invalid_input`).
    pub fn with_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Claims that must be present.
    pub fn with_required_claims<S: Into<String>>(
        mut self,
        claims: impl IntoIterator<Item = S>,
    ) -> Self {
        self.required_claims = claims.into_iter().map(Into::into).collect();
        self
    }

    /// Whether `exp` is required (default true).
    pub fn with_require_exp(mut self, require_exp: bool) -> Self {
        self.require_exp = require_exp;
        self
    }

    /// The expected `typ` header (compared case-insensitively, `application/` optional).
    pub fn with_typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = Some(typ.into());
        self
    }

    /// Maximum age of the token from its `iat` (at most [`clock::MAX_DURATION`]).
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// Maximum token size in bytes (default [`DEFAULT_MAX_TOKEN_SIZE`]).
    pub fn with_max_token_size(mut self, bytes: usize) -> Self {
        self.max_token_size = bytes;
        self
    }

    /// Maximum JSON nesting depth of header and claims (default [`DEFAULT_MAX_DEPTH`]).
    pub fn with_max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }

    /// Reads time from `clock` instead of the system clock.
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Keeps up to `max_entries` verified tokens (default 0: no cache). A cached token skips
    /// the header and signature checks on its next verifications; its claims (`exp`, `nbf`,
    /// `iat`, `max_age`, issuer, audience, …) are checked on every call as without the cache, so
    /// it is refused once it expires. The cache is keyed by a keyed hash of the token (an
    /// AES-256-GCM-SIV tag under a random key of the cache; the token is not stored), holds successes only, and drops every entry when the verifier's key set
    /// changes (another [`KeySet`](crate::jwt::KeySet), a remote JWKS refetch). Memory: about
    /// 60 bytes per entry. See `docs/jwt.md`, "Verified-token cache".
    pub fn with_cache_size(mut self, max_entries: usize) -> Self {
        self.cache_size = max_entries;
        self
    }

    /// The accepted `iss` values.
    pub fn issuers(&self) -> &[String] {
        &self.issuers
    }

    /// The audiences this verifier identifies with.
    pub fn audiences(&self) -> &[String] {
        &self.audiences
    }
}
