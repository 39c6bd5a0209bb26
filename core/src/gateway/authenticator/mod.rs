//! [`Authenticator`]: request credentials + client address → [`Principal`] or [`Refusal`].
//!
//! Checks run in a fixed order: client address (trusted proxies, then allow/deny) → credential
//! presence → validation → revocation → scopes → rate limits (per IP and per principal). Every
//! decision emits one `gateway.authenticate` audit event with the internal code, the key id or
//! `jti` and the subject — never token material.
//!
//! Opaque bearer tokens (configured with [`AuthenticatorOptions::with_introspection`]) are
//! validated by RFC 7662 introspection. The pipeline is written once (`Authenticator::run`); the async
//! entry point runs it, and when it stops at validation because an opaque token is not cached,
//! awaits the introspection and runs it again with the fresh answer. The synchronous entry point
//! never touches the network: it serves cached answers and otherwise refuses with
//! `invalid_input` / 500 (use [`Authenticator::authenticate_async`] or
//! [`Authenticator::authenticate_blocking`]).
//!
//! This file holds the types: [`Authenticator`], its options, the requests and the pipeline's
//! private states. The code is in `pipeline` (the checks and the entry points), `options` (the
//! setters), `from_options` (`Authenticator::new`) and `request`, which hold only `impl` blocks
//! of these types, so none of them is a module the others depend on.

mod decide;
mod dpop_stage;
mod from_options;
mod limits;
mod mtls_stage;
mod options;
mod pipeline;
mod remote_jwt;
mod request;
mod sender_stage;
mod session;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use super::credentials::CredentialSources;
use super::decision::{Challenger, Principal, Refusal};
use super::introspection::{Answer, Introspector};
use super::ip::{ForwardedHeader, IpRules, TrustedProxies};
use super::ratelimit::{Limiter, RateLimit};
use super::revocation_store::RevocationStore;
use crate::apikey::ApiKeys;
use crate::clock::SharedClock;
use crate::jwt::JwtVerifier;
use crate::oauth::OAuthClient;
use crate::session::Sessions;
use crate::Error;

/// A request with owned data, for bindings that convert foreign values first or must move the
/// request into a task (`authenticate_async`). [`OwnedRequest::view`] lends it as a [`Request`].
/// `Debug` prints header names but no header value and no query string (they hold credentials).
#[derive(Clone, Default)]
pub struct OwnedRequest {
    /// The HTTP method.
    pub method: String,
    /// The request target.
    pub path: String,
    /// Header lines (name, value).
    pub headers: Vec<(String, String)>,
    /// The socket peer address.
    pub client_ip: Option<IpAddr>,
    /// Scopes this call requires.
    pub required_scopes: Vec<String>,
    /// The client certificate from the TLS layer, DER or PEM (mutual TLS, RFC 8705).
    pub client_certificate: Option<Vec<u8>>,
}

/// One request, as seen by the authenticator. `Debug` prints header names but no header value
/// and no query string (they hold credentials).
#[derive(Clone, Copy, Default)]
pub struct Request<'a> {
    /// The HTTP method (informational; recorded nowhere secret).
    pub method: &'a str,
    /// The request target: path and, when query credentials are enabled, the query string.
    pub path: &'a str,
    /// Header lines as (name, value); names are compared case-insensitively.
    pub headers: &'a [(&'a str, &'a str)],
    /// The socket peer address.
    pub client_ip: Option<IpAddr>,
    /// Scopes this route requires (all of them).
    pub required_scopes: &'a [&'a str],
    /// The client certificate the TLS layer verified, DER or PEM, when the client presented
    /// one (mutual TLS; read only with [`AuthenticatorOptions::with_mtls_bound_tokens`]).
    pub client_certificate: Option<&'a [u8]>,
}

/// The configuration of an [`Authenticator`]: start from [`AuthenticatorOptions::new`] (every
/// option at its default), set what you need with the `with_…` setters, and pass it to
/// [`Authenticator::new`], which refuses an invalid combination with `invalid_input`. At least
/// one validator is needed: API keys, a JWT verifier or introspection.
#[derive(Debug, Clone)]
pub struct AuthenticatorOptions {
    api_keys: Option<Arc<ApiKeys>>,
    jwt: Option<Arc<JwtVerifier>>,
    /// JWTs verified with a remote key set (`with_remote_jwt`, in `remote_jwt`).
    remote_jwt: Option<Arc<crate::jwt::RemoteJwtVerifier>>,
    introspection: Option<Arc<OAuthClient>>,
    sessions: Option<Arc<Sessions>>,
    realm: String,
    sources: CredentialSources,
    ip_allow: Vec<String>,
    ip_deny: Vec<String>,
    trusted_proxies: Vec<String>,
    forwarded_header: ForwardedHeader,
    rate_limit: Option<RateLimit>,
    ip_rate_limit: Option<RateLimit>,
    failure_rate_limit: Option<RateLimit>,
    rate_limit_overrides: HashMap<String, RateLimit>,
    plans: HashMap<String, RateLimit>,
    revocations: Option<Arc<dyn RevocationStore>>,
    rate_limit_store: Option<StoreUrl>,
    rate_limit_store_fail_open: bool,
    backend_timeout: Duration,
    clock: Option<SharedClock>,
    max_tracked: usize,
    introspection_cache_ttl: Duration,
    introspection_negative_ttl: Duration,
    introspection_cache_size: usize,
    introspection_rate_limit: Option<RateLimit>,
    introspection_max_inflight: usize,
    dpop: Option<Arc<crate::dpop::DpopVerifier>>,
    dpop_origin: Option<String>,
    abuse: Option<crate::gateway::abuse::AbuseDetection>,
    request_id_header: Option<String>,
    mtls_bound_tokens: bool,
    require_sender_constrained: bool,
}

/// The realm of `WWW-Authenticate` challenges unless configured otherwise.
pub const DEFAULT_REALM: &str = "api";

/// The default failure budget per client address: bursts of 20 refused credentials, then one
/// every 6 s (10 a minute). A client with a good credential never spends it; a brute-force
/// run, or a flood of random tokens aimed at RSA verification, key-store lookups or
/// introspection, is cut off after 20 attempts.
pub const DEFAULT_FAILURE_RATE_LIMIT: RateLimit = RateLimit {
    rate: 10,
    period: Duration::from_secs(60),
    burst: 20,
};

/// The in-process gateway: build once, call [`Authenticator::authenticate`] per request.
/// `Send + Sync`; share it with an `Arc`.
#[derive(Debug)]
pub struct Authenticator {
    pub(super) api_keys: Option<Arc<ApiKeys>>,
    pub(super) jwt: Option<Arc<JwtVerifier>>,
    /// JWTs verified with a remote key set (`with_remote_jwt`), in `remote_jwt.rs`.
    pub(super) remote_jwt: Option<Arc<crate::jwt::RemoteJwtVerifier>>,
    pub(super) challenger: Challenger,
    pub(super) sources: CredentialSources,
    pub(super) ip_rules: IpRules,
    pub(super) trusted: Option<TrustedProxies>,
    /// Lower-case names of the headers the pipeline reads (see [`Authenticator::header_names`]).
    pub(super) header_names: Vec<String>,
    pub(super) principal_limit: Option<RateLimit>,
    pub(super) ip_limit: Option<RateLimit>,
    pub(super) overrides: HashMap<String, RateLimit>,
    pub(super) plans: HashMap<String, RateLimit>,
    pub(super) principal_limiter: Option<Limiter<String>>,
    pub(super) ip_limiter: Option<Limiter<IpAddr>>,
    pub(super) failure_limit: Option<RateLimit>,
    pub(super) failure_limiter: Option<Limiter<IpAddr>>,
    pub(super) revocations: Option<Arc<dyn RevocationStore>>,
    /// The shared rate-limit state (`with_rate_limit_store`), in front of the local limiters.
    #[cfg(feature = "redis")]
    pub(super) shared_limiter: Option<super::shared_limits::RedisLimiter>,
    /// Whether `shared_limiter` is on the revocation list's Redis (then one script checks both).
    #[cfg(feature = "redis")]
    pub(super) joint_revocations: bool,
    /// Read only by the shared limiter: without `redis` there is no store to fail.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(super) rate_limit_store_fail_open: bool,
    pub(super) introspector: Option<Introspector>,
    /// Session cookies (`with_sessions`): the fourth credential kind.
    pub(super) sessions: Option<Arc<Sessions>>,
    /// `Authorization: DPoP` (`with_dpop`), configured in `gateway/dpop.rs`, run in `dpop_stage.rs`.
    pub(super) dpop: Option<super::dpop::DpopGate>,
    /// Abuse detection (`with_abuse_detection`), in `gateway/abuse/`.
    pub(super) abuse: Option<super::abuse::Detector>,
    /// The lower-case name of the request-id header (`with_request_id_header`).
    pub(super) request_id_header: Option<String>,
    /// Certificate-bound tokens (`with_mtls_bound_tokens`), checked in `mtls_stage.rs`.
    pub(super) mtls_bound_tokens: bool,
    /// Only sender-constrained access tokens (`with_require_sender_constrained`), checked in
    /// `sender_stage.rs`.
    pub(super) require_sender_constrained: bool,
}

/// A backend URL, which may hold a password: `Debug` shows its scheme only.
#[derive(Clone)]
struct StoreUrl(String);

impl std::fmt::Debug for StoreUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = self.0.split("://").next().unwrap_or_default();
        write!(f, "{scheme}://…")
    }
}

/// How the validation stage treats an opaque token without a cached introspection answer.
#[derive(Clone, Copy)]
enum Lookup<'x> {
    /// Refuse (`invalid_input`, 500): the synchronous entry point never goes to the network.
    CacheOnly,
    /// Stop the pipeline and ask the caller to introspect.
    Suspend,
    /// Use this fresh answer (or introspection failure).
    Fresh(&'x std::result::Result<Answer, Error>),
    /// Introspection is throttled (too many requests in flight or per second): refuse with
    /// `rate_limited` / 503 and this `Retry-After`.
    Throttled(Duration),
    /// The answer of the remote JWT verifier, after the keys were fetched (`remote_jwt`).
    Verified(&'x std::result::Result<crate::jwt::Claims, Error>),
}

/// Why [`Authenticator::run`] stopped without a principal.
enum Stop<'r> {
    /// A decision: refuse.
    Refused(Refusal),
    /// Introspect this token, then run again (no side effect has happened yet).
    Introspect(&'r str),
    /// Fetch the remote keys for this JWT, then run again (no side effect has happened yet).
    FetchKeys(&'r str),
    /// Make the Redis round trip of the next stage (revocations and rate limits together, the
    /// rate limits alone, or the revocation list alone) on the multiplexed connection, then
    /// finish with its answer (`authenticate_async`; every earlier stage has run).
    #[cfg(feature = "redis")]
    Shared(Box<SharedStage<'r>>),
}

/// The Redis stage of a pass that an async caller finishes: what to ask, and what its answer
/// is applied to.
#[cfg(feature = "redis")]
struct SharedStage<'r> {
    principal: Principal,
    plan: Option<String>,
    token: &'r str,
    ip: Option<IpAddr>,
    check: SharedCheck,
}

/// The question of a [`SharedStage`].
#[cfg(feature = "redis")]
enum SharedCheck {
    /// The rate-limit script: with the revocation keys (stages 4 to 6), or without (6 alone).
    Script(crate::gateway::shared_limits::CheckArgs),
    /// Whether any of these keys of the Redis revocation list exists (stage 4, the rate limits
    /// being elsewhere); stages 5 and 6 follow the answer.
    Revocations { keys: Vec<String>, scopes_ok: bool },
}

#[cfg(feature = "redis")]
impl<'r> SharedStage<'r> {
    /// The stop that leaves this stage to the async caller.
    fn stop(
        principal: Principal,
        plan: Option<String>,
        token: &'r str,
        ip: Option<IpAddr>,
        check: SharedCheck,
    ) -> Stop<'r> {
        Stop::Shared(Box::new(SharedStage {
            principal,
            plan,
            token,
            ip,
            check,
        }))
    }
}

impl From<Refusal> for Stop<'_> {
    fn from(r: Refusal) -> Self {
        Stop::Refused(r)
    }
}

/// One pass of the pipeline.
enum Pass<'r> {
    Decided(std::result::Result<Principal, Refusal>),
    Introspect(&'r str),
    FetchKeys(&'r str),
    /// The Redis stage is left to the async caller; the accounting follows its answer.
    #[cfg(feature = "redis")]
    Shared(Box<(SharedStage<'r>, Accounting<'r>)>),
}

/// What the accounting after a decision needs from its pass (`decide`).
struct Accounting<'r> {
    started: crate::telemetry::Started,
    audit: crate::audit::AuditEvent,
    seen: Seen<'r>,
}

/// How a pass makes the Redis round trip of its last stages (`limits.rs`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum SharedCalls {
    /// On a blocking connection, in the pass.
    Blocking,
    /// Left to the async caller (`Stop::Shared`).
    Deferred,
}

/// Which validator a credential goes to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Route {
    Jwt,
    ApiKey,
    Introspect,
    Session,
}

impl Route {
    /// The credential kind this route validates (`CredentialKind::as_str`).
    fn kind(self) -> &'static str {
        match self {
            Route::Jwt => "jwt",
            Route::ApiKey => "api_key",
            Route::Introspect => "introspected",
            Route::Session => "session",
        }
    }
}

/// What a pass saw, for the accounting after its decision (`decide`).
#[derive(Default)]
struct Seen<'r> {
    /// The resolved client address.
    ip: Option<IpAddr>,
    /// The credential presented (secret material: only hashed, or parsed for its public id).
    credential: Option<&'r str>,
    /// Abuse signals raised so far.
    signals: Vec<crate::gateway::abuse::Signal>,
}

/// A validated credential before policy.
struct Validated {
    principal: Principal,
    plan: Option<String>,
}
