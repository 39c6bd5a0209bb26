//! OAuth 2.0 for JS: `OAuthClient`, `Pkce`, `AccessToken`, `TokenResponse`, `TokenSource`.
//! Conversion only: grants, error mapping, PKCE and refresh scheduling live in the core.
//!
//! Promises: napi's async functions can only reject with napi's own statuses, so the native
//! `...Raw` methods resolve to a value or a `{ code, message }` failure and `index.js` turns the
//! failure into an `Error` with `.code` (as for remote JWKS).
//!
//! `TokenSource.token()` is the hot path: the native `tokenStart()` polls the core future once,
//! synchronously, inside the library runtime. A cached token is ready on that first poll and is
//! returned without any thread hop; otherwise the very same future (never dropped, so a started
//! request is never lost) is spawned on the library runtime and awaited through `PendingToken`.

mod challenge;
mod client;
mod convert;
mod flow;
mod id_token;
mod job;
mod loopback;
mod par;
mod pkce;
mod source;
mod token;

pub use client::OAuthClient;
pub(crate) use source::source_options;
pub use source::{TokenSource, TokenSourceOptions};
