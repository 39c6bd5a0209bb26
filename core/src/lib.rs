//! # tokenward
//!
//! One Rust core for everything an application does with API tokens. The same core is shipped
//! to Python, Node, Swift and Kotlin through thin bindings, so every language gets the same
//! behaviour, the same defaults and the same stable error codes.
//!
//! The foundation exposes the two types every capability builds on:
//!
//! * [`Error`] / [`ErrorCode`]: one error type whose [`Error::code`] is a stable snake_case
//!   string (`expired`, `invalid_signature`, …) that never changes between releases.
//! * [`Secret`]: token material that cannot be printed by accident; its `Debug` and `Display`
//!   show only a [`fingerprint`], and the value is read through the explicit
//!   [`Secret::expose`].
//!
//! ```
//! use tokenward::{Secret, fingerprint};
//! let s = Secret::new("tw_live_abc123").unwrap();
//! assert!(!format!("{s:?}").contains("abc123"));
//! assert_eq!(s.fingerprint(), fingerprint(b"tw_live_abc123"));
//! assert_eq!(s.expose(), "tw_live_abc123");
//! ```
//!
//! ## Cargo features
//!
//! Everything is on by default. A JWT-only or mobile build turns the rest off:
//! `tokenward = { version = "0.1", default-features = false, features = ["jwt"] }` compiles no
//! SQLite, no HTTP stack and no tokio.
//!
//! | feature | modules | adds dependencies |
//! |---|---|---|
//! | `jwt` | [`jwt`] (issue, verify, keys, key sets; no network) | aws-lc-rs, memchr |
//! | `apikey` | [`apikey`] with [`MemoryStore`](apikey::MemoryStore), [`session`] (server-side sessions) | aws-lc-rs, crc32fast |
//! | `sqlite` | `apikey::SqliteStore`, `session::SqliteSessionStore` (implies `apikey`) | rusqlite (bundled SQLite) |
//! | `redact` | [`redact`] | regex-automata |
//! | `tracing-subscriber` | `redact::RedactingMakeWriter` (implies `redact`) | tracing-subscriber |
//! | `http` | [`http`], [`runtime`] (`block_on`), [`oauth`], [`refresh`], `jwt::RemoteKeySet`, `jwt::discover` (implies `jwt`) | reqwest (rustls), tokio, url |
//! | `gateway` | [`gateway`] (implies `jwt`, `apikey`, `http`: opaque tokens are introspected) | — |
//! | `tower` | `gateway::AuthLayer` (implies `gateway`; not default) | http, tower-layer, tower-service |
//! | `redis` | rate limits and revocations shared on Redis: `gateway::RedisRevocationList`, `redis://` in `AuthenticatorOptions::with_rate_limit_store` and `gateway::open_revocations` (implies `gateway`; not default) | redis (redis-rs) |
//! | `postgres` | `apikey::PostgresStore`, `postgres://` in `apikey::open` (implies `apikey`, `http`; not default) | tokio-postgres, deadpool-postgres |
//! | `otel` | [`telemetry`]: decision counters and histogram, outbound-request spans on the global OpenTelemetry providers (not default) | opentelemetry |
//! | `otlp` | `telemetry::enable_telemetry`: providers exporting OTLP/HTTP (implies `otel`, `http`; not default) | opentelemetry_sdk, opentelemetry-otlp |
//!
//! `default` is `jwt`, `apikey`, `sqlite`, `redact`, `tracing-subscriber`, `http`, `gateway`;
//! `full` is `default` plus `tower`, `redis`, `postgres` and `otlp`. [`Error`], [`Secret`], [`clock`] and [`audit`] are always
//! there.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "apikey")]
pub mod apikey;
pub mod audit;
#[cfg(feature = "http")]
mod backend;
pub mod clock;
#[cfg(feature = "http")]
pub mod dpop;
pub mod error;
#[cfg(feature = "gateway")]
pub mod gateway;
#[cfg(feature = "http")]
pub mod http;
#[cfg(feature = "jwt")]
mod json;
#[cfg(feature = "jwt")]
pub mod jwt;
#[cfg(feature = "http")]
pub mod oauth;
#[cfg(feature = "redact")]
pub mod redact;
#[cfg(feature = "http")]
pub mod refresh;
#[cfg(feature = "http")]
pub mod runtime;
pub mod secret;
#[cfg(feature = "apikey")]
pub mod session;
pub mod telemetry;

/// What the binding crates (Python, Node, Kotlin/Swift, the CLI) need beyond the documented API
/// (not a stable API).
#[doc(hidden)]
pub mod __bindings;

/// Entry points for the fuzz targets in `fuzz/` (not a stable API).
#[cfg(feature = "gateway")]
#[doc(hidden)]
pub mod __fuzz;

#[cfg(feature = "apikey")]
pub use apikey::{ApiKeys, IssuedKey, KeyRecord, NewKey};
pub use clock::{Clock, SharedClock};
pub use error::{Error, ErrorCategory, ErrorCode, Result};
#[cfg(feature = "gateway")]
pub use gateway::{Authenticator, Principal, Refusal};
#[cfg(feature = "http")]
pub use oauth::{AccessToken, OAuthClient};
#[cfg(feature = "http")]
pub use refresh::TokenSource;
pub use secret::{fingerprint, Secret, FINGERPRINT_LEN};
#[cfg(feature = "apikey")]
pub use session::{SessionCookie, Sessions};

/// The examples of README.md (the crates.io page) run as doctests.
#[cfg(all(doctest, feature = "jwt", feature = "sqlite", feature = "redact"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
