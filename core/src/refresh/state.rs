//! The source's current token and refresh bookkeeping.

use tokio::time::Instant;

use crate::oauth::AccessToken;
use crate::Error;

/// The token being handed out, with its monotonic deadlines.
pub(crate) struct Current {
    pub(crate) token: AccessToken,
    /// Handed out until then.
    pub(crate) usable_until: Instant,
    /// The background task refreshes from then on.
    pub(crate) refresh_at: Instant,
}

#[derive(Default)]
pub(crate) struct State {
    pub(crate) current: Option<Current>,
    /// Completed token requests (successful or not): waiters compare it to learn that a
    /// request finished while they queued, and share its outcome.
    pub(crate) attempts: u64,
    pub(crate) last_error: Option<Error>,
    /// Set when the grant can no longer succeed (invalid_grant and other OAuth refusals).
    pub(crate) terminal: Option<Error>,
    pub(crate) closed: bool,
}

impl State {
    pub(crate) fn usable(&self, now: Instant) -> Option<&AccessToken> {
        self.current
            .as_ref()
            .filter(|c| now < c.usable_until)
            .map(|c| &c.token)
    }
}
