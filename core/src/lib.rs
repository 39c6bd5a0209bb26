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
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod apikey;
pub mod audit;
pub mod clock;
pub mod error;
pub mod gateway;
pub mod http;
pub mod jwt;
pub mod oauth;
pub mod redact;
pub mod refresh;
pub mod runtime;
pub mod secret;

/// Entry points for the fuzz targets in `fuzz/` (not a stable API).
#[doc(hidden)]
pub mod __fuzz;

pub use apikey::{ApiKeys, IssuedKey, KeyRecord, NewKey};
pub use clock::{Clock, SharedClock};
pub use error::{Error, ErrorCategory, ErrorCode, Result};
pub use gateway::{Authenticator, Principal, Refusal};
pub use oauth::{AccessToken, OAuthClient};
pub use refresh::TokenSource;
pub use secret::{fingerprint, Secret, FINGERPRINT_LEN};
