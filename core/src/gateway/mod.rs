//! The in-process gateway: one call from request credentials and client address to an
//! authenticated [`Principal`] or a typed [`Refusal`] with its HTTP status, RFC 6750
//! `WWW-Authenticate` challenge and `Retry-After`.
//!
//! * [`credentials`]: find exactly one credential (`Authorization: Bearer`, `X-API-Key`, and
//!   opt-in query parameter or cookie), with defined outcomes for none, several, malformed and
//!   oversize.
//! * [`ip`]: CIDR allow/deny for IPv4 and IPv6, and opt-in trusted proxies.
//! * [`ratelimit`]: GCRA per principal and per address, bounded memory, injected clock.
//! * [`revocation`]: an expiring, bounded revocation list by `jti`, key id or subject;
//!   [`RevocationStore`] is what the authenticator asks, [`open_revocations`] opens one by URL
//!   (`memory`, or `redis://…` with the `redis` feature: docs/distributed.md).
//! * [`decision`]: [`Principal`] and [`Refusal`].
//! * [`abuse`]: failed-attempt accounting, temporary lockout and `abuse.*` audit signals
//!   ([`AuthenticatorOptions::with_abuse_detection`], docs/abuse.md).
//! * [`Authenticator`]: the fixed-order pipeline with audit events; opaque bearer tokens are
//!   validated by RFC 7662 introspection with a short cache
//!   ([`AuthenticatorOptions::with_introspection`], [`Authenticator::authenticate_async`]).
//!
//! ```
//! use std::sync::Arc;
//! use tokenward::apikey::{ApiKeys, ApiKeysOptions, NewKey};
//! use tokenward::gateway::{Authenticator, AuthenticatorOptions, RateLimit, Request};
//!
//! let keys = Arc::new(ApiKeys::new("tw_test", ApiKeysOptions::default())?);
//! let key = keys.create(NewKey::new("acct_42").scopes(["read"]))?;
//! let auth = Authenticator::new(
//!     AuthenticatorOptions::new()
//!         .with_api_keys(keys)
//!         .with_ip_deny(["192.0.2.0/24"])
//!         .with_rate_limit(RateLimit::per_second(100, 20)),
//! )?;
//! let headers = [("x-api-key", key.secret.expose())];
//! let req = Request {
//!     method: "GET",
//!     path: "/v1/things",
//!     headers: &headers,
//!     client_ip: "198.51.100.7".parse().ok(),
//!     required_scopes: &["read"],
//!     client_certificate: None,
//! };
//! let principal = auth.authenticate(&req).unwrap();
//! assert_eq!(principal.subject, "acct_42");
//!
//! let refusal = auth.authenticate(&Request { headers: &[], ..req }).unwrap_err();
//! assert_eq!((refusal.status, refusal.code_str()), (401, "missing_credentials"));
//! assert_eq!(refusal.www_authenticate.as_deref(), Some("Bearer realm=\"api\""));
//! # Ok::<(), tokenward::Error>(())
//! ```

pub mod abuse;
mod authenticator;
mod buckets;
pub mod credentials;
pub mod decision;
mod dpop;
pub mod introspection;
pub mod ip;
pub mod mtls;
pub mod ratelimit;
#[cfg(feature = "redis")]
mod redis_revocation;
pub mod revocation;
mod revocation_store;
#[cfg(feature = "redis")]
mod shared_limits;
#[cfg(feature = "tower")]
pub mod tower;

pub use crate::backend::DEFAULT_BACKEND_TIMEOUT;
pub use abuse::{AbuseDetection, Lockout, Threshold};
pub use authenticator::{
    Authenticator, AuthenticatorOptions, OwnedRequest, Request, DEFAULT_FAILURE_RATE_LIMIT,
    DEFAULT_REALM,
};
pub use credentials::{CredentialSources, DEFAULT_API_KEY_HEADER, DEFAULT_MAX_HEADER_LEN};
pub use decision::{BearerError, CredentialKind, Principal, Refusal};
pub use ip::{Cidr, CidrSet, ForwardedHeader, IpRules, DEFAULT_FORWARDED_HEADER};
pub use ratelimit::{RateLimit, Verdict, DEFAULT_RATE_LIMIT_PERIOD};
#[cfg(feature = "redis")]
pub use redis_revocation::RedisRevocationList;
pub use revocation::{
    RevocationKind, RevocationList, RevocationListOptions, DEFAULT_MAX_REVOCATIONS,
};
pub use revocation_store::{open_revocations, RevocationStore};
#[cfg(feature = "tower")]
pub use tower::{AuthLayer, AuthService};
