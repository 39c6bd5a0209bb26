//! What a session store keeps ([`SessionRecord`], no secret material) and what
//! [`Sessions::create`](super::Sessions::create) returns ([`IssuedSession`]).

use std::collections::BTreeMap;

use crate::Secret;

/// A session as stored: never the id, only its hash (kept by the store) and a public handle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// A public identifier of the session, safe to log: the fingerprint of its id.
    pub handle: String,
    /// Whom the session belongs to (a user id; `revoke_subject` ends all of them).
    pub subject: String,
    /// Application data (string pairs). The gateway reads `scope` (space-separated scopes) and
    /// `plan` from it.
    pub data: BTreeMap<String, String>,
    /// Unix seconds.
    pub created_at: i64,
    /// The last time the session was used (Unix seconds, one-second granularity).
    pub last_seen_at: i64,
    /// The idle deadline: `last_seen_at` + the idle timeout (Unix seconds).
    pub idle_expires_at: i64,
    /// The absolute deadline (Unix seconds): use never extends it.
    pub expires_at: i64,
    /// When the session was revoked or rotated away, if it was.
    pub revoked_at: Option<i64>,
}

/// A new session: its id (the only copy: put it in the cookie) and its record.
#[derive(Debug, Clone)]
pub struct IssuedSession {
    /// The session id (secret: `Debug` shows a fingerprint).
    pub id: Secret,
    /// The stored record.
    pub record: SessionRecord,
}
