//! The in-process gateway for JS: `Authenticator`, `RevocationList`, `ManualClock`.
//! Conversion only: the checks, their order and every outcome live in `tokenward::gateway`.
//!
//! `authenticate` returns its decision as data (`{ ok: true, … }` or `{ ok: false, … }`), never
//! throws for a refused request; it throws only for a programming error (`invalid_input`).

mod authenticator;
mod clock;
mod convert;
mod decision;
mod ratelimit;
mod request;
mod revocation;
mod shapes;

pub use clock::ManualClock;
