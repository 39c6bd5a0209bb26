//! `tokenward.Authenticator`, `Principal`, `Refusal`, `RateLimit`, `RevocationList`: the
//! in-process gateway. Conversions only: every check runs in `tokenward::gateway`.

mod authenticator;
mod decision;
mod ratelimit;
mod request;
mod revocation;

pub use authenticator::Authenticator;
pub use decision::{Principal, Refusal};
pub use ratelimit::RateLimit;
pub use revocation::RevocationList;
