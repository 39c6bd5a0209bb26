//! [`DpopVerifier`]: a DPoP proof checked against its request (RFC 9449 section 4.3).

use std::time::Duration;

use super::header_cache::{HeaderCache, KnownHeader, HEADER_CACHE_SIZE};
use super::nonce::Nonces;
use super::proof_key::ProofKey;
use super::replay::ReplayStore;
use super::spec::{
    ath_matches, invalid, DEFAULT_DPOP_LEEWAY, DEFAULT_DPOP_MAX_AGE, DEFAULT_DPOP_MAX_PROOF_SIZE,
    DEFAULT_DPOP_REPLAY_CACHE_SIZE, DPOP_TYP,
};
use super::url::normalize_htu;
use crate::clock::{self, SharedClock};
use crate::jwt::{b64_decode_into, json_members, Algorithm, Family, JsonMember};
use crate::secret::constant_time_eq;
use crate::{Error, ErrorCode};

/// The configuration of a [`DpopVerifier`]; [`DpopVerifier::new`] validates it.
#[derive(Debug, Clone)]
pub struct DpopVerifierOptions {
    algorithms: Vec<Algorithm>,
    max_age: Duration,
    leeway: Duration,
    replay_cache_size: usize,
    replay_cache_store: Option<StoreSpec>,
    max_proof_size: usize,
    nonce_lifetime: Option<Duration>,
    clock: Option<SharedClock>,
}

/// A store URL, which may hold a password: `Debug` shows its scheme only.
#[derive(Clone)]
struct StoreSpec(String);

impl std::fmt::Debug for StoreSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = self.0.split("://").next().unwrap_or_default();
        write!(f, "{scheme}://…")
    }
}

impl Default for DpopVerifierOptions {
    fn default() -> Self {
        DpopVerifierOptions {
            algorithms: vec![Algorithm::ES256, Algorithm::EdDSA],
            max_age: DEFAULT_DPOP_MAX_AGE,
            leeway: DEFAULT_DPOP_LEEWAY,
            replay_cache_size: DEFAULT_DPOP_REPLAY_CACHE_SIZE,
            replay_cache_store: None,
            max_proof_size: DEFAULT_DPOP_MAX_PROOF_SIZE,
            nonce_lifetime: None,
            clock: None,
        }
    }
}

impl DpopVerifierOptions {
    /// ES256 and EdDSA proofs, 60 s maximum age, 5 s leeway, 100 000 remembered `jti`s, no
    /// nonce, the system clock.
    pub fn new() -> Self {
        DpopVerifierOptions::default()
    }

    /// The proof algorithms accepted (asymmetric only: an HMAC algorithm is `invalid_input`).
    pub fn with_algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms = algorithms.into_iter().collect();
        self
    }

    /// How old a proof's `iat` may be (default 60 s).
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// Clock skew tolerated on `iat`, both ways (default 5 s).
    pub fn with_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// How many `jti` values the replay cache holds (default 100 000; at least 1).
    pub fn with_replay_cache_size(mut self, size: usize) -> Self {
        self.replay_cache_size = size;
        self
    }

    /// Where the replay cache lives: `"memory"` (the default: this process, bounded by
    /// [`DpopVerifierOptions::with_replay_cache_size`]) or `redis://…` / `rediss://…` (feature
    /// `redis`), shared by every instance using that Redis: one `SET NX` per accepted proof,
    /// expiring with the proof's acceptance window, so a proof accepted by one instance is a
    /// replay at every other. Each operation has a deadline of 500 ms (`DEFAULT_BACKEND_TIMEOUT`);
    /// a Redis that cannot answer fails closed (docs/distributed.md). The URL is never printed.
    pub fn with_replay_cache_store(mut self, url: impl Into<String>) -> Self {
        self.replay_cache_store = Some(StoreSpec(url.into()));
        self
    }

    /// The largest proof accepted, in bytes (default 8 KiB).
    pub fn with_max_proof_size(mut self, bytes: usize) -> Self {
        self.max_proof_size = bytes;
        self
    }

    /// Requires server nonces: a proof without the current nonce is refused
    /// `use_dpop_nonce`, and [`DpopVerifier::nonce`] is the `DPoP-Nonce` to send. A nonce is
    /// accepted for one to two `lifetime`s (at least 1 s).
    pub fn with_nonce_lifetime(mut self, lifetime: Duration) -> Self {
        self.nonce_lifetime = Some(lifetime);
        self
    }

    /// The clock `iat`, nonces and the replay cache read (default: the system clock).
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = Some(clock);
        self
    }
}

/// What the request says about the token a proof accompanies. `Debug` hides the token.
#[derive(Clone, Default)]
pub struct DpopChecks {
    access_token: Option<String>,
    jkt: Option<String>,
}

impl std::fmt::Debug for DpopChecks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DpopChecks")
            .field(
                "access_token",
                &self.access_token.as_ref().map(|_| "[REDACTED]"),
            )
            .field("jkt", &self.jkt)
            .finish()
    }
}

impl DpopChecks {
    /// No access token (a token request), no key binding.
    pub fn new() -> Self {
        DpopChecks::default()
    }

    /// The access token of the request: the proof's `ath` must be its hash.
    pub fn with_access_token(mut self, token: impl Into<String>) -> Self {
        self.access_token = Some(token.into());
        self
    }

    /// The thumbprint the access token is bound to (its `cnf.jkt`): the proof's key must have it.
    pub fn with_jkt(mut self, jkt: impl Into<String>) -> Self {
        self.jkt = Some(jkt.into());
        self
    }
}

/// An accepted proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedDpopProof {
    /// The RFC 7638 thumbprint of the proof's key.
    pub jkt: String,
    /// The proof's `jti`.
    pub jti: String,
    /// The proof's `iat`, in Unix seconds.
    pub iat: i64,
}

/// Verifies DPoP proofs. `Send + Sync`; one per server (it holds the replay cache).
#[derive(Debug)]
pub struct DpopVerifier {
    algorithms: Vec<Algorithm>,
    max_age: i64,
    leeway: i64,
    max_proof_size: usize,
    replay: ReplayStore,
    nonces: Option<Nonces>,
    clock: SharedClock,
    /// The proof headers checked lately: a client's next proof carries the same one.
    headers: HeaderCache,
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

const MAX_JTI_LEN: usize = 256;
/// The nesting allowed in a proof's header and claims (the `jwk` object is one level down).
const MAX_DEPTH: usize = 4;

/// One base64url segment of the proof, decoded (strictly, as `base64`'s URL-safe engine).
fn decode(part: &str) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    b64_decode_into(part.as_bytes(), &mut out, "the proof")
        .map_err(|_| invalid("the proof is not a compact JWS"))?;
    Ok(out)
}

/// A member that must be a string.
fn string<'c>(member: &'c JsonMember<'_>, what: &'static str) -> Result<&'c str, Error> {
    match member {
        JsonMember::Str(s) => Ok(s),
        _ => Err(invalid(what)),
    }
}

impl DpopVerifier {
    /// Whether the replay cache is on Redis (each proof then costs a round trip).
    pub(crate) fn has_shared_replay_cache(&self) -> bool {
        match &self.replay {
            ReplayStore::Memory(_) => false,
            #[cfg(feature = "redis")]
            ReplayStore::Redis(_) => true,
        }
    }

    /// A verifier; `invalid_input` for an empty or symmetric algorithm list, a zero replay
    /// cache or proof size, durations out of range, or an unsupported replay cache store. No
    /// I/O: a Redis store connects on first use.
    pub fn new(options: DpopVerifierOptions) -> Result<DpopVerifier, Error> {
        let bad = |m: &'static str| Error::new(ErrorCode::InvalidInput, m);
        if options.algorithms.is_empty() {
            return Err(bad("the DPoP algorithm list is empty"));
        }
        if options
            .algorithms
            .iter()
            .any(|a| a.family() == Family::Hmac)
        {
            return Err(bad("DPoP proofs are signed with asymmetric keys"));
        }
        if options.replay_cache_size == 0 || options.max_proof_size == 0 {
            return Err(bad("the replay cache and the proof size need at least 1"));
        }
        let max_age = clock::check_duration(options.max_age, "max_age")?;
        let leeway = clock::check_duration(options.leeway, "leeway")?;
        let nonces = match options.nonce_lifetime {
            Some(lifetime) => Some(Nonces::new(
                clock::check_duration(lifetime, "nonce lifetime")?.as_secs(),
            )?),
            None => None,
        };
        Ok(DpopVerifier {
            algorithms: options.algorithms,
            max_age: secs(max_age),
            leeway: secs(leeway),
            max_proof_size: options.max_proof_size,
            replay: ReplayStore::open(
                options.replay_cache_store.as_ref().map(|s| s.0.as_str()),
                options.replay_cache_size,
                crate::backend::DEFAULT_BACKEND_TIMEOUT,
            )?,
            nonces,
            clock: options.clock.unwrap_or_else(clock::system),
            headers: HeaderCache::new(HEADER_CACHE_SIZE),
        })
    }

    /// The nonce to send in `DPoP-Nonce` now, when nonces are required.
    pub fn nonce(&self) -> Option<String> {
        self.nonces
            .as_ref()
            .map(|n| n.current(self.clock.unix_seconds()))
    }

    /// Whether proofs must carry a server nonce.
    pub fn requires_nonce(&self) -> bool {
        self.nonces.is_some()
    }

    /// How many `jti` values the in-process replay cache holds now (0 with a Redis store).
    pub fn replay_cache_len(&self) -> usize {
        self.replay.len()
    }

    /// The checks of a proof's header segment `h` (base64url): its `typ`, an allowed `alg`,
    /// no `crit`, a public `jwk` that fits the algorithm; the key read with its thumbprint.
    fn read_header(&self, h: &str) -> Result<KnownHeader, Error> {
        // Read in one strict pass, for the members checked here only (nothing else is built).
        let header = decode(h)?;
        let [typ, alg, crit, jwk] = json_members(
            &header,
            MAX_DEPTH,
            "the proof header",
            ["typ", "alg", "crit", "jwk"],
        )
        .map_err(|_| invalid("the proof header is not a JSON object"))?;
        let typ = string(&typ, "the proof has no typ")?;
        if !typ.eq_ignore_ascii_case(DPOP_TYP) {
            return Err(invalid("the proof's typ is not dpop+jwt"));
        }
        let alg = string(&alg, "the proof has no alg")?;
        let alg = Algorithm::parse(alg)
            .ok()
            .filter(|a| self.algorithms.contains(a))
            .ok_or_else(|| invalid("the proof's algorithm is not allowed"))?;
        if !matches!(crit, JsonMember::Absent) {
            return Err(invalid("the proof lists a critical extension"));
        }
        let JsonMember::Object(jwk) = jwk else {
            return Err(invalid("the proof has no jwk header"));
        };
        let key = ProofKey::read(jwk, MAX_DEPTH - 1)?;
        if !key.accepts(alg) {
            return Err(invalid("the proof's jwk does not fit its algorithm"));
        }
        KnownHeader::new(alg, key)
    }

    /// Verifies `proof` for a request with `method` on `url` (the URL as the server sees it;
    /// its query and fragment are ignored). Refusals: `invalid_dpop_proof`, and
    /// `use_dpop_nonce` when nonces are required; an invalid `method` or `url` of the request
    /// itself is `invalid_input`. An accepted proof's `jti` is remembered: the same proof
    /// again is refused. With a Redis replay cache that cannot answer, the proof is not
    /// accepted and the error is the failure's code (`network`, `timeout`, …).
    pub fn verify(
        &self,
        proof: &str,
        method: &str,
        url: &str,
        checks: &DpopChecks,
    ) -> Result<VerifiedDpopProof, Error> {
        let request_htu = normalize_htu(url)?;
        if proof.len() > self.max_proof_size {
            return Err(invalid("the proof is too large"));
        }
        let mut parts = proof.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid("the proof is not a compact JWS"));
        };
        // The header: typ, alg, crit and the key, checked once per distinct header text (a
        // client's proofs share theirs) and kept by the header cache.
        let header = self.headers.get_or_read(h, |h| self.read_header(h))?;
        let alg = header.alg;
        let signature = decode(s)?;
        let signed = &proof[..h.len() + 1 + p.len()];
        if !header.key.verify(alg, signed.as_bytes(), &signature) {
            return Err(invalid("the proof's signature does not verify"));
        }
        // The claims.
        let claims = decode(p)?;
        let [jti, htm, htu, iat, ath, nonce] = json_members(
            &claims,
            MAX_DEPTH,
            "the proof payload",
            ["jti", "htm", "htu", "iat", "ath", "nonce"],
        )
        .map_err(|_| invalid("the proof payload is not a JSON object"))?;
        let jti = string(&jti, "the proof has no jti")?;
        if jti.is_empty() || jti.len() > MAX_JTI_LEN {
            return Err(invalid("the proof's jti is empty or too long"));
        }
        if string(&htm, "the proof has no htm")? != method {
            return Err(invalid("the proof's htm is not the request method"));
        }
        let htu = string(&htu, "the proof has no htu")?;
        // A proof's htu is usually the normalised request URL already (normalising is
        // idempotent); only another spelling needs normalising to compare.
        if htu != request_htu {
            let htu =
                normalize_htu(htu).map_err(|_| invalid("the proof's htu is not an http(s) URL"))?;
            if htu != request_htu {
                return Err(invalid("the proof's htu is not the request URL"));
            }
        }
        let now = self.clock.unix_seconds();
        if let Some(nonces) = &self.nonces {
            let fresh = match &nonce {
                JsonMember::Str(n) => nonces.accepts(n, now),
                _ => false,
            };
            if !fresh {
                return Err(Error::new(
                    ErrorCode::UseDpopNonce,
                    "the proof needs the server's current DPoP nonce",
                ));
            }
        }
        // Whole seconds: a fractional iat counts from the second it falls in.
        let iat = match iat {
            JsonMember::Number(n) => n.floor() as i64,
            _ => return Err(invalid("the proof has no iat")),
        };
        if iat > now.saturating_add(self.leeway) {
            return Err(invalid("the proof's iat is in the future"));
        }
        if iat < now.saturating_sub(self.max_age).saturating_sub(self.leeway) {
            return Err(invalid("the proof is too old"));
        }
        if let Some(token) = &checks.access_token {
            let ath = string(&ath, "the proof has no ath")?;
            if !ath_matches(ath, token) {
                return Err(invalid("the proof's ath is not the access token's hash"));
            }
        }
        let jkt = header.jkt.clone();
        if let Some(bound) = &checks.jkt {
            if !constant_time_eq(bound.as_bytes(), jkt.as_bytes()) {
                return Err(invalid(
                    "the proof's key is not the one the token is bound to",
                ));
            }
        }
        let until = iat.saturating_add(self.max_age).saturating_add(self.leeway);
        if !self.replay.insert(jti, now, until)? {
            return Err(invalid("the proof has been used before"));
        }
        Ok(VerifiedDpopProof {
            jkt,
            jti: jti.to_owned(),
            iat,
        })
    }
}
