//! [`TokenSource`]: the refresh scheduler.

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Weak};
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::{watch, Notify};
use tokio::time::Instant;

use super::backoff;
use super::endpoint::TokenEndpoint;
use super::state::{Current, State};
use super::TokenSourceOptions;
use crate::audit::{self, AuditEvent};
use crate::oauth::{AccessToken, Failure, Grant, OAuthClient, TokenResponse};
use crate::{runtime, Error, ErrorCategory, ErrorCode, Secret};
mod store_access;

/// Called with every new token response (persist a rotated refresh token from here).
pub type OnRefresh = Arc<dyn Fn(&TokenResponse) + Send + Sync>;
/// Called with every failed token request.
pub type OnError = Arc<dyn Fn(&Error) + Send + Sync>;

/// The grant a source seeded with a token response falls back to when the response has no
/// refresh token (see [`TokenSource::from_token_response`]). The bindings take it by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FallbackGrant {
    /// `client_credentials`: the client's own identity, for the requested scopes.
    ClientCredentials,
}

impl FallbackGrant {
    /// The RFC 6749 `grant_type` (`client_credentials`).
    pub fn as_str(self) -> &'static str {
        match self {
            FallbackGrant::ClientCredentials => "client_credentials",
        }
    }

    /// The grant for `scopes`.
    pub fn grant(self, scopes: Vec<String>) -> Grant {
        match self {
            FallbackGrant::ClientCredentials => Grant::ClientCredentials { scopes },
        }
    }
}

impl FromStr for FallbackGrant {
    type Err = Error;

    /// Parses `client_credentials`; `invalid_input` otherwise.
    fn from_str(name: &str) -> Result<FallbackGrant, Error> {
        match name {
            "client_credentials" => Ok(FallbackGrant::ClientCredentials),
            _ => Err(Error::new(
                ErrorCode::InvalidInput,
                "unknown fallback grant: expected client_credentials",
            )),
        }
    }
}

/// Where a [`TokenSource`] stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenSourceStatus {
    /// No token requested yet.
    Empty,
    /// A usable token is held and refreshes normally.
    Ready,
    /// The last request failed transiently; retrying with backoff.
    Retrying,
    /// The grant was refused (e.g. `invalid_grant`): the user must sign in again. No more
    /// requests are made.
    ReauthenticationRequired,
    /// `close()` was called or the source was dropped.
    Closed,
}

impl TokenSourceStatus {
    /// Every status, in declaration order.
    pub const ALL: [TokenSourceStatus; 5] = [
        TokenSourceStatus::Empty,
        TokenSourceStatus::Ready,
        TokenSourceStatus::Retrying,
        TokenSourceStatus::ReauthenticationRequired,
        TokenSourceStatus::Closed,
    ];

    /// Snake-case name (`ready`, `reauthentication_required`, …), what Python and Node return.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenSourceStatus::Empty => "empty",
            TokenSourceStatus::Ready => "ready",
            TokenSourceStatus::Retrying => "retrying",
            TokenSourceStatus::ReauthenticationRequired => "reauthentication_required",
            TokenSourceStatus::Closed => "closed",
        }
    }
}

impl FromStr for TokenSourceStatus {
    type Err = Error;

    /// Parses the snake-case name; `invalid_input` otherwise.
    fn from_str(name: &str) -> Result<TokenSourceStatus, Error> {
        TokenSourceStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == name)
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::InvalidInput,
                    "unknown token source status: expected empty, ready, retrying, \
                     reauthentication_required or closed",
                )
            })
    }
}

impl fmt::Display for TokenSourceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

struct Inner {
    endpoint: Arc<dyn TokenEndpoint>,
    grant: Mutex<Grant>,
    options: TokenSourceOptions,
    state: Mutex<State>,
    /// Single flight: one token request at a time; waiters share its outcome.
    flight: tokio::sync::Mutex<()>,
    wake: Arc<Notify>,
    on_refresh: Mutex<Vec<OnRefresh>>,
    on_error: Mutex<Vec<OnError>>,
}

/// Closes the source when the last clone is dropped.
struct Guard {
    inner: Arc<Inner>,
    closed: watch::Sender<bool>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.inner.state.lock().closed = true;
        let _ = self.closed.send(true);
    }
}

/// An access token that is always valid when asked for. Cheap to clone; the background task
/// stops on [`TokenSource::close`] or when the last clone is dropped.
#[derive(Clone)]
pub struct TokenSource {
    guard: Arc<Guard>,
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSource")
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}

/// Codes after which retrying cannot help: the server refused the grant or the client.
fn is_terminal(code: ErrorCode) -> bool {
    code.category() == ErrorCategory::OAuth || code == ErrorCode::InvalidInput
}

impl TokenSource {
    /// A source using the client-credentials grant for `scopes`.
    pub fn client_credentials(
        client: OAuthClient,
        scopes: Vec<String>,
        options: TokenSourceOptions,
    ) -> Result<TokenSource, Error> {
        TokenSource::new(
            Arc::new(client),
            Grant::ClientCredentials { scopes },
            None,
            options,
        )
    }

    /// A source refreshing with `refresh_token` (rotated tokens replace it).
    pub fn from_refresh_token(
        client: OAuthClient,
        refresh_token: Secret,
        scopes: Vec<String>,
        options: TokenSourceOptions,
    ) -> Result<TokenSource, Error> {
        TokenSource::new(
            Arc::new(client),
            Grant::RefreshToken {
                refresh_token,
                scopes,
            },
            None,
            options,
        )
    }

    /// A source seeded with a full token response (e.g. from a code exchange): it serves that
    /// access token, then refreshes with the response's refresh token, or, when the response
    /// has none, with `fallback`. Without either it fails with `invalid_input`: a user's
    /// session silently continued as the client's own identity would be a privilege change.
    pub fn from_token_response(
        endpoint: Arc<dyn TokenEndpoint>,
        response: TokenResponse,
        fallback: Option<Grant>,
        options: TokenSourceOptions,
    ) -> Result<TokenSource, Error> {
        let grant = match (&response.refresh_token, fallback) {
            (Some(rt), _) => Grant::RefreshToken {
                refresh_token: rt.clone(),
                scopes: Vec::new(),
            },
            (None, Some(fallback)) => fallback,
            (None, None) => {
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    "the token response has no refresh token and no fallback grant was given",
                ))
            }
        };
        TokenSource::new(endpoint, grant, Some(response), options)
    }

    /// A source presenting `grant` to any [`TokenEndpoint`], optionally seeded with a token.
    pub fn new(
        endpoint: Arc<dyn TokenEndpoint>,
        grant: Grant,
        initial: Option<TokenResponse>,
        options: TokenSourceOptions,
    ) -> Result<TokenSource, Error> {
        options.validate()?;
        let inner = Arc::new(Inner {
            endpoint,
            grant: Mutex::new(grant),
            options,
            state: Mutex::new(State::default()),
            flight: tokio::sync::Mutex::new(()),
            wake: Arc::new(Notify::new()),
            on_refresh: Mutex::new(Vec::new()),
            on_error: Mutex::new(Vec::new()),
        });
        if let Some(response) = initial {
            inner.install(&response);
        }
        let (closed, closed_rx) = watch::channel(false);
        if options.background() {
            let handle = runtime::handle()?;
            handle.spawn(run(Arc::downgrade(&inner), inner.wake.clone(), closed_rx));
        }
        Ok(TokenSource {
            guard: Arc::new(Guard { inner, closed }),
        })
    }

    fn inner(&self) -> &Arc<Inner> {
        &self.guard.inner
    }

    /// Adds a hook called with each new token response.
    pub fn on_refresh(&self, hook: OnRefresh) {
        self.inner().on_refresh.lock().push(hook);
    }

    /// Adds a hook called with each failed request.
    pub fn on_error(&self, hook: OnError) {
        self.inner().on_error.lock().push(hook);
    }

    /// The current token if it is usable now, without waiting or requesting anything. For
    /// bindings whose async calls are expensive to start: answer from here first and call
    /// [`TokenSource::token`] only on `None`.
    pub fn cached(&self) -> Option<AccessToken> {
        let state = self.inner().state.lock();
        if state.closed {
            return None;
        }
        state.usable(Instant::now()).cloned()
    }

    /// A valid token: the current one while usable, else the result of one (shared) request.
    /// Never returns an expired token.
    pub async fn token(&self) -> Result<AccessToken, Error> {
        let seen = {
            let state = self.inner().state.lock();
            if state.closed {
                return Err(closed());
            }
            if let Some(t) = state.usable(Instant::now()) {
                return Ok(t.clone());
            }
            if let Some(err) = refusal(&state) {
                return Err(err);
            }
            state.attempts
        };
        self.inner().refresh(seen).await.map_err(|f| f.error)
    }

    /// Requests a new token now (e.g. after the API answered 401). Concurrent calls share
    /// one request.
    pub async fn force_refresh(&self) -> Result<AccessToken, Error> {
        let seen = {
            let state = self.inner().state.lock();
            if let Some(err) = refusal(&state) {
                return Err(err);
            }
            state.attempts
        };
        let result = self.inner().refresh(seen).await.map_err(|f| f.error);
        self.inner().wake.notify_one();
        result
    }

    /// The current status.
    pub fn status(&self) -> TokenSourceStatus {
        let state = self.inner().state.lock();
        if state.closed {
            TokenSourceStatus::Closed
        } else if state.terminal.is_some() {
            TokenSourceStatus::ReauthenticationRequired
        } else if state.last_error.is_some() {
            TokenSourceStatus::Retrying
        } else if state.current.is_some() {
            TokenSourceStatus::Ready
        } else {
            TokenSourceStatus::Empty
        }
    }

    /// The last error, if the last request failed.
    pub fn last_error(&self) -> Option<Error> {
        self.inner().state.lock().last_error.clone()
    }

    /// Number of completed token requests (successful or not).
    pub fn request_count(&self) -> u64 {
        self.inner().state.lock().attempts
    }

    /// Stops the background task; later calls fail with `invalid_input`.
    pub fn close(&self) {
        self.inner().state.lock().closed = true;
        let _ = self.guard.closed.send(true);
    }
}

fn closed() -> Error {
    Error::new(ErrorCode::InvalidInput, "the token source is closed")
}

fn refusal(state: &State) -> Option<Error> {
    if state.closed {
        return Some(closed());
    }
    state.terminal.clone()
}

impl Inner {
    /// Stores a new token and computes its deadlines.
    fn install(&self, response: &TokenResponse) {
        let lifetime = response
            .expires_in
            .unwrap_or(self.options.default_lifetime());
        let (ahead, margin) = backoff::windows(&self.options, lifetime);
        let now = Instant::now();
        let expires = now + lifetime;
        if let Some(rt) = &response.refresh_token {
            if let Grant::RefreshToken { refresh_token, .. } = &mut *self.grant.lock() {
                *refresh_token = rt.clone();
            }
        }
        let mut state = self.state.lock();
        state.current = Some(Current {
            token: response.access_token.clone(),
            usable_until: expires - margin,
            refresh_at: expires - ahead,
        });
        state.last_error = None;
    }

    /// One token request, unless another finished since the caller looked (`seen`): then
    /// its outcome is shared.
    async fn refresh(&self, seen: u64) -> Result<AccessToken, Failure> {
        let _flight = self.flight.lock().await;
        {
            let state = self.state.lock();
            if let Some(err) = refusal(&state) {
                return Err(err.into());
            }
            if state.attempts != seen {
                if let Some(t) = state.usable(Instant::now()) {
                    return Ok(t.clone());
                }
                if let Some(err) = &state.last_error {
                    return Err(err.clone().into());
                }
            }
        }
        let grant = self.grant.lock().clone();
        let result = self.endpoint.request(&grant).await;
        match result {
            Ok(response) => {
                self.install(&response);
                self.state.lock().attempts += 1;
                audit::emit(
                    AuditEvent::success("oauth.refresh")
                        .credential(response.access_token.secret().fingerprint()),
                );
                let hooks = self.on_refresh.lock().clone();
                for hook in hooks {
                    hook(&response);
                }
                self.wake.notify_one();
                Ok(response.access_token)
            }
            Err(mut failure) => {
                if is_terminal(failure.error.code()) {
                    failure.error = Error::new(
                        failure.error.code(),
                        format!("re-authentication required: {}", failure.error.message()),
                    );
                }
                {
                    let mut state = self.state.lock();
                    state.attempts += 1;
                    state.last_error = Some(failure.error.clone());
                    if is_terminal(failure.error.code()) {
                        state.terminal = Some(failure.error.clone());
                    }
                }
                audit::emit(AuditEvent::failure("oauth.refresh", &failure.error));
                let hooks = self.on_error.lock().clone();
                for hook in hooks {
                    hook(&failure.error);
                }
                Err(failure)
            }
        }
    }
}

/// The background task: sleeps until the refresh moment (or the next retry), refreshes,
/// backs off on transient failures while the current token is usable, idles otherwise.
async fn run(weak: Weak<Inner>, wake: Arc<Notify>, mut closed: watch::Receiver<bool>) {
    let mut failures: u32 = 0;
    let mut retry_at: Option<Instant> = None;
    loop {
        let deadline = {
            let Some(inner) = weak.upgrade() else { return };
            let state = inner.state.lock();
            if state.closed {
                return;
            }
            if state.last_error.is_none() {
                failures = 0;
                retry_at = None;
            }
            match (&state.current, retry_at) {
                _ if state.terminal.is_some() => None,
                (Some(c), Some(r)) => {
                    Some(r.min(c.usable_until)).filter(|_| Instant::now() < c.usable_until)
                }
                (Some(c), None) => Some(c.refresh_at),
                (None, _) => None,
            }
        };
        let sleep = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = closed.changed() => return,
            _ = wake.notified() => continue,
            _ = sleep => {}
        }
        let Some(inner) = weak.upgrade() else { return };
        let seen = inner.state.lock().attempts;
        match inner.refresh(seen).await {
            Ok(_) => {
                failures = 0;
                retry_at = None;
            }
            Err(f) if is_terminal(f.error.code()) => retry_at = None,
            Err(f) => {
                failures = failures.saturating_add(1);
                let delay: Duration = backoff::delay(&inner.options, failures, f.retry_after);
                retry_at = Some(Instant::now() + delay);
            }
        }
    }
}
