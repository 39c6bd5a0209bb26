//! `tokenward.OAuthClient`, `TokenSource`, `AccessToken`, `TokenResponse`: conversions only;
//! the grants, error mapping and refresh scheduling live in the core.

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

pub use challenge::token_rejected;
pub use client::OAuthClient;
pub use flow::AuthorizationFlow;
pub use id_token::IdTokenVerifier;
pub use introspect::Introspection;
pub use loopback::LoopbackRedirect;
pub use pkce::Pkce;
pub use source::TokenSource;
pub use source_options::PyTokenSourceOptions;
pub use token::{AccessToken, TokenResponse};
