//! OAuth 2.0 for Swift and Kotlin: `OAuthClient`, `TokenResponse`, `AccessToken`, `Pkce`,
//! `TokenSource` and the `TokenSourceListener` callback interface.
//!
//! Conversion only: grants, error mapping and refresh scheduling live in the core. Network
//! calls are `async` (Swift `async`, Kotlin `suspend`): each call is spawned on the core's one
//! tokio runtime (`tokenward::__bindings::runtime`) and the foreign side awaits its result, so no
//! foreign executor ever needs a tokio reactor. Cancelling the foreign call aborts the task.

mod auth_method;
mod challenge;
mod client;
mod convert;
mod flow;
mod id_token;
mod introspect;
mod loopback;
mod par;
mod pkce;
mod source;
mod source_options;
mod token;

pub use client::OAuthClient;
pub(crate) use convert::{display_as_core_debug, http_policy, on_runtime};
pub use source::TokenSource;
pub use source_options::TokenSourceOptions;
