//! The source's side of kept tokens: [`TokenSource::keep_tokens`] saves every rotation into a
//! [`TokenStore`] and clears it on `invalid_grant`; [`TokenSource::restore`] starts a source
//! from it without a network call while the kept access token is usable.

use std::sync::{Arc, Weak};
use std::time::{Duration, UNIX_EPOCH};

use tokio::time::Instant;

use super::{Inner, TokenSource};
use crate::audit::{self, AuditEvent};
use crate::oauth::{Grant, TokenResponse};
use crate::refresh::endpoint::TokenEndpoint;
use crate::refresh::store::{StoredTokens, TokenStore};
use crate::refresh::TokenSourceOptions;
use crate::{Error, ErrorCode, Secret};

impl TokenSource {
    /// Keeps this source's tokens in `store`: the current token now (when there is one), every
    /// rotated token after it is installed, and `clear()` when the refresh token is refused
    /// with `invalid_grant`. A failure to save or clear later is reported to the
    /// [`TokenSource::on_error`] hooks and the audit log (action `oauth.token_store`) with code
    /// `storage`; it never fails `token()`. The failure of the first save is returned.
    pub fn keep_tokens(&self, store: Arc<dyn TokenStore>) -> Result<(), Error> {
        let inner = self.inner();
        let now = current_tokens(inner);
        register(inner, store.clone());
        match now {
            Some(tokens) => store.save(&tokens).map_err(|e| storage("save", &e)),
            None => Ok(()),
        }
    }

    /// A source started from the tokens kept in `store`, which it keeps from then on (see
    /// [`TokenSource::keep_tokens`]). While the kept access token is usable (further than
    /// the options' expiry margin from its expiry) it is served without any request;
    /// otherwise the first `token()` refreshes with the kept refresh token. Nothing kept, or
    /// kept tokens without a refresh token, is `invalid_input`; a failing `load` is `storage`.
    pub fn restore(
        endpoint: Arc<dyn TokenEndpoint>,
        store: Arc<dyn TokenStore>,
        options: TokenSourceOptions,
    ) -> Result<TokenSource, Error> {
        let tokens = store
            .load()
            .map_err(|e| storage("load", &e))?
            .ok_or_else(|| {
                Error::new(ErrorCode::InvalidInput, "the token store keeps no tokens")
            })?;
        let refresh_token = tokens.refresh_token().cloned().ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidInput,
                "the kept tokens have no refresh token",
            )
        })?;
        let expires = UNIX_EPOCH + Duration::from_secs(tokens.expires_at());
        let remaining = expires
            .duration_since(endpoint.now())
            .unwrap_or(Duration::ZERO);
        let initial = (remaining > options.expiry_margin()).then(|| TokenResponse {
            access_token: tokens.to_access_token(),
            expires_in: Some(remaining),
            refresh_token: Some(refresh_token.clone()),
            id_token: tokens.id_token().cloned(),
            id_token_claims: None,
        });
        let grant = Grant::RefreshToken {
            refresh_token,
            scopes: Vec::new(),
        };
        let source = TokenSource::new(endpoint, grant, initial, options)?;
        register(source.inner(), store);
        Ok(source)
    }
}

/// The refresh token the source presents, if it refreshes with one.
fn refresh_token(inner: &Inner) -> Option<Secret> {
    match &*inner.grant.lock() {
        Grant::RefreshToken { refresh_token, .. } => Some(refresh_token.clone()),
        _ => None,
    }
}

/// The source's current token in kept form (its ID token is not held, so none is kept).
fn current_tokens(inner: &Inner) -> Option<StoredTokens> {
    let token = {
        let state = inner.state.lock();
        let c = state.current.as_ref().filter(|_| !state.closed)?;
        let left = c.usable_until.saturating_duration_since(Instant::now());
        (c.token.clone(), left)
    };
    let (token, left) = token;
    let response = TokenResponse {
        access_token: token,
        expires_in: Some(left),
        refresh_token: None,
        id_token: None,
        id_token_claims: None,
    };
    Some(StoredTokens::from_response(
        &response,
        refresh_token(inner),
        inner.endpoint.now(),
        inner.options.default_lifetime(),
    ))
}

/// A store failure as a `storage` error (never the store's own code: an `invalid_grant` from
/// a store must not look like a refused refresh token).
fn storage(what: &str, error: &Error) -> Error {
    Error::new(
        ErrorCode::Storage,
        format!("the token store's {what} failed: {}", error.message()),
    )
}

/// Reports a failed save or clear to the audit log and the source's error hooks.
fn report(inner: &Inner, error: Error) {
    audit::emit(AuditEvent::failure("oauth.token_store", &error));
    let hooks = inner.on_error.lock().clone();
    for hook in hooks {
        hook(&error);
    }
}

/// Adds the hooks that save each rotation and clear on `invalid_grant`. They hold the source
/// weakly: a source does not keep itself alive.
fn register(inner: &Arc<Inner>, store: Arc<dyn TokenStore>) {
    let weak: Weak<Inner> = Arc::downgrade(inner);
    let saver = store.clone();
    inner.on_refresh.lock().push(Arc::new(move |response| {
        let Some(inner) = weak.upgrade() else { return };
        let tokens = StoredTokens::from_response(
            response,
            refresh_token(&inner),
            inner.endpoint.now(),
            inner.options.default_lifetime(),
        );
        if let Err(e) = saver.save(&tokens) {
            report(&inner, storage("save", &e));
        }
    }));
    let weak: Weak<Inner> = Arc::downgrade(inner);
    inner.on_error.lock().push(Arc::new(move |error| {
        if error.code() != ErrorCode::InvalidGrant {
            return;
        }
        let Some(inner) = weak.upgrade() else { return };
        if let Err(e) = store.clear() {
            report(&inner, storage("clear", &e));
        }
    }));
}
