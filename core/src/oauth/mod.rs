//! OAuth 2.0 client: client credentials, refresh token (with rotation) and authorization code
//! with PKCE grants, the app login flow ([`AuthorizationFlow`]: state, nonce, PKCE, RFC 9207,
//! pushed authorization requests of RFC 9126); `client_secret_basic` / `client_secret_post` / `private_key_jwt` client
//! authentication; introspection (RFC 7662), revocation (RFC 7009) and authorization-server
//! discovery (RFC 8414 / OIDC) and OpenID Connect ID tokens ([`IdTokenVerifier`]).
//!
//! Every request goes through [`crate::http`]: timeouts, bounded bodies, https unless loopback.
//! Token-endpoint errors (RFC 6749 section 5.2) become [`crate::ErrorCode`]s; messages never
//! contain token or secret material.

mod auth_method;
mod client;
mod client_discovery;
mod discovery;
mod dpop;
mod errors;
mod flow;
mod form;
mod grants;
mod id_token;
mod introspect;
mod loopback;
mod mtls;
mod par;
mod pkce;
mod revoke;
mod token;

pub use auth_method::AuthMethod;
pub use client::{OAuthClient, OAuthClientOptions};
pub use discovery::ServerMetadata;
pub use errors::Failure;
pub use flow::{AuthorizationFlow, AuthorizationFlowOptions};
pub use grants::Grant;
pub use id_token::{IdTokenChecks, IdTokenVerifier, IdTokenVerifierOptions, ID_TOKEN_ALGORITHMS};
pub use introspect::{Introspection, TokenTypeHint};
pub use loopback::{LoopbackRedirect, LOOPBACK_CALLBACK_PATH};
pub use mtls::ClientCertificate;
pub use pkce::Pkce;
pub use token::{AccessToken, TokenResponse, MAX_EXPIRES_IN};

/// The error-answer mapping, for the fuzz hooks (`crate::__fuzz`).
#[cfg(feature = "gateway")]
pub(crate) use errors::failure as fuzz_failure;
