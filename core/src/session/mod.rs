//! Session tokens for web applications: opaque ids of 256 random bits stored only as a hash,
//! idle and absolute timeouts on an injected clock, rotation (no fixation), revocation of one
//! session or of every session of a subject, CSRF tokens bound to the session, and a cookie
//! that is safe by default.
//!
//! * [`Sessions`], [`SessionsOptions`]: the lifecycle (`sessions.rs`).
//! * [`SessionRecord`], [`IssuedSession`]: what is stored and what `create` returns.
//! * [`SessionCookie`], [`SameSite`]: the `Set-Cookie` header and its checks.
//! * [`store`]: [`SessionStore`], memory, SQLite, Redis and PostgreSQL.
//!
//! ```
//! use std::collections::BTreeMap;
//! use tokenward::session::{Sessions, SessionsOptions};
//!
//! let sessions = Sessions::new(SessionsOptions::new())?;
//! let issued = sessions.create("user_42", BTreeMap::new())?;
//! let header = sessions.set_cookie(issued.id.expose())?;
//! assert!(header.starts_with("__Host-tw_session=tws_"));
//! assert_eq!(sessions.verify(issued.id.expose())?.subject, "user_42");
//! let csrf = sessions.csrf_token(issued.id.expose())?;
//! sessions.verify_csrf(issued.id.expose(), &csrf)?;
//! // On login or privilege change: a new id, the old one is refused from now on.
//! let rotated = sessions.rotate(issued.id.expose(), None, None)?;
//! assert_eq!(sessions.verify(issued.id.expose()).unwrap_err().code().as_str(), "revoked");
//! sessions.revoke(rotated.id.expose())?;
//! # Ok::<(), tokenward::Error>(())
//! ```

mod cookie;
mod csrf;
mod id;
mod record;
mod sessions;
pub mod store;

#[cfg(test)]
#[cfg(all(feature = "redis", feature = "postgres"))]
mod shared_store_tests;
#[cfg(test)]
mod tests;

pub use cookie::{SameSite, SessionCookie, DEFAULT_SESSION_COOKIE};
pub use csrf::{CSRF_HEADER, MIN_CSRF_SECRET_LEN};
pub use id::{SESSION_ID_LEN, SESSION_ID_PREFIX};
pub use record::{IssuedSession, SessionRecord};
pub use sessions::{Sessions, SessionsOptions, DEFAULT_ABSOLUTE_TIMEOUT, DEFAULT_IDLE_TIMEOUT};
#[cfg(feature = "postgres")]
pub use store::PostgresSessionStore;
#[cfg(feature = "redis")]
pub use store::RedisSessionStore;
#[cfg(feature = "sqlite")]
pub use store::SqliteSessionStore;
pub use store::{MemorySessionStore, SessionStore};
