//! The refreshing token source: an access token that is always valid when asked for,
//! refreshed ahead of expiry by a background task on the library runtime, single-flight, with
//! backoff on transient failures and a terminal "re-authentication required" state.
//!
//! Scheduling uses tokio's monotonic clock (`tokio::time::Instant`), so tests run on a paused
//! runtime (`#[tokio::test(start_paused = true)]`) and advance time instead of sleeping; the
//! wall-clock `expires_at` of each token comes from the client's injected [`crate::Clock`].

mod backoff;
mod challenge;
mod endpoint;
mod hook;
mod options;
mod source;
mod state;
mod store;
#[cfg(test)]
mod store_tests;

pub use challenge::{retry_action, token_rejected, RetryAction};
pub use endpoint::{TokenEndpoint, TokenFuture};
pub use options::{
    TokenSourceOptions, DEFAULT_BACKOFF_INITIAL, DEFAULT_BACKOFF_MAX, DEFAULT_EXPIRY_MARGIN,
    DEFAULT_JITTER, DEFAULT_LIFETIME, DEFAULT_REFRESH_AHEAD, DEFAULT_REFRESH_AHEAD_FRACTION,
};
pub use source::{FallbackGrant, OnError, OnRefresh, TokenSource, TokenSourceStatus};
pub use store::{StoredTokens, TokenStore, MAX_STORED_TOKENS_JSON, STORED_TOKENS_VERSION};
