//! API keys: generate, store hashed, verify in constant time, expire, revoke, rotate.
//!
//! * [`format`](mod@format): the key format `{prefix}_{id}{secret}{checksum}`, its published regular
//!   expression ([`KEY_PATTERN`]) and offline checks ([`ApiKeys::check_format`]).
//! * [`hash`]: the stored form, HMAC-SHA-256 with a pepper or SHA-256, compared in constant time.
//! * [`record`]: what is stored ([`KeyRecord`], no secret material) and what is asked for
//!   ([`NewKey`]).
//! * [`store`]: the [`KeyStore`] trait, [`MemoryStore`] and [`SqliteStore`].
//! * [`ApiKeys`]: the lifecycle (create, verify, revoke, rotate, list), with an injected clock
//!   and audit events (`apikey.create`, `apikey.verify`, `apikey.revoke`, `apikey.rotate`).
//!
//! ```
//! use tokenward::apikey::{ApiKeys, ApiKeysOptions, NewKey, KEY_PATTERN};
//!
//! let keys = ApiKeys::new("tw_test", ApiKeysOptions::default())?;
//! let issued = keys.create(NewKey::new("acct_42").scopes(["read"]))?;
//! // Typos are refused offline, before any store lookup.
//! let parsed = ApiKeys::check_format(issued.secret.expose())?;
//! assert_eq!(parsed.id(), issued.record.id);
//! assert_eq!(keys.verify(issued.secret.expose())?.owner, "acct_42");
//! # Ok::<(), tokenward::Error>(())
//! ```

pub mod base62;
pub mod format;
pub mod hash;
mod keys;
pub mod record;
pub mod store;

#[cfg(test)]
mod tests;

pub use format::{ParsedKey, Prefix, KEY_PATTERN};
pub use hash::{KeyHash, KeyHasher};
pub use keys::{ApiKeys, ApiKeysOptions, DEFAULT_LAST_USED_GRANULARITY};
pub use record::{IssuedKey, KeyRecord, NewKey};
#[cfg(feature = "sqlite")]
pub use store::SqliteStore;
pub use store::{KeyStore, MemoryStore, StoredKey};
