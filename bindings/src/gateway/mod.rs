//! The in-process gateway for Swift and Kotlin: `Authenticator`, `RevocationList` and the
//! records of one decision. Conversion only; every check is in `tokenward::gateway`.
//!
//! `authenticate` *returns* a refusal (`AuthDecision.Refused`) rather than throwing it: a
//! refused request is an ordinary outcome that the app answers with `status`,
//! `wwwAuthenticate` and `retryAfter`. It throws `TokenwardError` only for a programming error
//! (an unparsable `clientIp`).
//!
//! With `introspection` (an `OAuthClient`), opaque bearer tokens are checked by RFC 7662
//! introspection: `authenticateAsync` (Swift `async`, Kotlin `suspend`) awaits the request on
//! the core runtime; the synchronous `authenticate` blocks the calling thread for it (never
//! otherwise). Answers are cached briefly in the core.

mod authenticator;
mod decision;
mod ip;
mod options;
mod ratelimit;
mod request;
mod revocation;

pub use authenticator::Authenticator;
pub use decision::{AuthDecision, CredentialKind, Principal, Refusal};
pub use ip::ForwardedHeader;
pub use options::AuthenticatorOptions;
pub use ratelimit::RateLimit;
pub use request::{AuthRequest, HttpHeader};
pub use revocation::{RevocationKind, RevocationList};
