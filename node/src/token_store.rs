//! Kept tokens for JS: `StoredTokens`, and the native halves of `TokenSource.keepTokens(store)`
//! and `TokenSource.restore(client, store)` (index.js holds the other halves).
//!
//! A JS store may be synchronous or return promises, and JS can only run on its own thread, so
//! the core never waits for it: `save`/`clear` are queued to the main thread in order through
//! a [`Listener`] (a weak threadsafe function converting under `catch_unwind`, see
//! `unwind.rs`), where index.js calls the store and reports a throw or a rejection to the
//! source's `onError` callbacks with code `storage`; `restore` awaits `store.load()` in JS and
//! hands the result here, so the core's `load` answers from it without calling JS.

use std::sync::{Arc, Mutex, PoisonError};

use crate::napi;
use crate::napi::bindgen_prelude::{Either, Function};
use crate::napi::threadsafe_function::ThreadsafeFunctionCallMode;
use crate::napi::Status;
use napi_derive::napi;
use tokenward::refresh;
use tokenward::{Error, ErrorCode};

use crate::error::{to_js, Code, IntoJsResult};
use crate::oauth::{OAuthClient, TokenSource, TokenSourceOptions};
use crate::secret::Secret;
use crate::unwind::{listener, Listener};

/// The tokens a `TokenStore` keeps (access token, type, expiry in Unix seconds, scopes,
/// refresh and ID tokens). `toString()` is redacted; `toJson()` holds the tokens.
#[napi]
pub struct StoredTokens(pub(crate) refresh::StoredTokens);

fn secret(value: Option<Either<String, &Secret>>) -> tokenward::Result<Option<tokenward::Secret>> {
    match value {
        None => Ok(None),
        Some(Either::A(s)) => tokenward::Secret::new(s).map(Some),
        Some(Either::B(s)) => Ok(Some(s.0.clone())),
    }
}

#[napi]
impl StoredTokens {
    /// Builds the kept form; `expiresAt` is the access token's expiry in Unix seconds.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        access_token: Either<String, &Secret>,
        token_type: String,
        expires_at: f64,
        refresh_token: Option<Either<String, &Secret>>,
        scopes: Option<Vec<String>>,
        id_token: Option<Either<String, &Secret>>,
    ) -> napi::Result<Self, Code> {
        if !(expires_at.is_finite() && expires_at >= 0.0 && expires_at.fract() == 0.0) {
            return Err(to_js(Error::new(
                ErrorCode::InvalidInput,
                "expiresAt must be whole Unix seconds >= 0",
            )));
        }
        let access_token = secret(Some(access_token)).js()?.ok_or_else(|| {
            to_js(Error::new(
                ErrorCode::InvalidInput,
                "accessToken is required",
            ))
        })?;
        Ok(StoredTokens(
            refresh::StoredTokens::new(
                access_token,
                token_type,
                expires_at as u64,
                secret(refresh_token).js()?,
                scopes.unwrap_or_default(),
                secret(id_token).js()?,
            )
            .js()?,
        ))
    }

    /// Reads the versioned JSON form; throws `malformed` (`token_too_large` over 64 KiB).
    #[napi(factory, js_name = "fromJson", catch_unwind)]
    pub fn from_json(json: String) -> napi::Result<Self, Code> {
        Ok(StoredTokens(refresh::StoredTokens::from_json(&json).js()?))
    }

    /// The versioned JSON form `{"v":1,...}`; it holds the tokens: secure storage only.
    #[napi(js_name = "toJson", catch_unwind)]
    pub fn to_json(&self) -> String {
        self.0.to_json()
    }

    /// The access token.
    #[napi(getter, catch_unwind)]
    pub fn access_token(&self) -> Secret {
        Secret(self.0.access_token().clone())
    }

    /// The access token's type (`Bearer`, `DPoP`, …).
    #[napi(getter, catch_unwind)]
    pub fn token_type(&self) -> String {
        self.0.token_type().to_owned()
    }

    /// The access token's expiry, Unix seconds.
    #[napi(getter, catch_unwind)]
    pub fn expires_at(&self) -> f64 {
        self.0.expires_at() as f64
    }

    /// The refresh token, or null.
    #[napi(getter, catch_unwind)]
    pub fn refresh_token(&self) -> Option<Secret> {
        self.0.refresh_token().cloned().map(Secret)
    }

    /// The granted scopes.
    #[napi(getter, catch_unwind)]
    pub fn scopes(&self) -> Vec<String> {
        self.0.scopes().to_vec()
    }

    /// The OpenID Connect ID token, or null.
    #[napi(getter, catch_unwind)]
    pub fn id_token(&self) -> Option<Secret> {
        self.0.id_token().cloned().map(Secret)
    }

    /// `StoredTokens(access_token=[REDACTED:…], …)`.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn to_display_string(&self) -> String {
        self.0.redacted()
    }
}

/// The core's view of a JS store: `save(tokens)` and `clear()` (as `null`) are queued to the
/// main thread in order; `load()` answers what index.js loaded before `restore`.
struct JsStore {
    calls: Listener<Option<StoredTokens>>,
    loaded: Mutex<Option<refresh::StoredTokens>>,
}

impl JsStore {
    fn queue(&self, value: Option<StoredTokens>) -> tokenward::Result<()> {
        match self
            .calls
            .call(value, ThreadsafeFunctionCallMode::NonBlocking)
        {
            Status::Ok => Ok(()),
            _ => Err(Error::new(
                ErrorCode::Storage,
                "the token store could not be called (Node is shutting down)",
            )),
        }
    }
}

impl refresh::TokenStore for JsStore {
    fn save(&self, tokens: &refresh::StoredTokens) -> tokenward::Result<()> {
        self.queue(Some(StoredTokens(tokens.clone())))
    }

    fn load(&self) -> tokenward::Result<Option<refresh::StoredTokens>> {
        Ok(self
            .loaded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take())
    }

    fn clear(&self) -> tokenward::Result<()> {
        self.queue(None)
    }
}

fn js_store(
    callback: Function<Option<StoredTokens>, ()>,
    loaded: Option<refresh::StoredTokens>,
) -> napi::Result<Arc<JsStore>, Code> {
    let calls = listener(callback).map_err(|_| {
        to_js(Error::new(
            ErrorCode::Internal,
            "cannot register the token store",
        ))
    })?;
    Ok(Arc::new(JsStore {
        calls,
        loaded: Mutex::new(loaded),
    }))
}

#[napi]
impl TokenSource {
    /// Keeps the tokens through `callback(tokens)` (`null`: clear); use `keepTokens(store)`.
    #[napi(js_name = "keepTokensRaw", skip_typescript, catch_unwind)]
    pub fn keep_tokens_raw(
        &self,
        callback: Function<Option<StoredTokens>, ()>,
    ) -> napi::Result<(), Code> {
        self.0.keep_tokens(js_store(callback, None)?).js()
    }

    /// A source from `tokens` (what `store.load()` gave), kept through `callback` from then
    /// on; use `await TokenSource.restore(client, store)`.
    #[napi(factory, js_name = "restoreRaw", skip_typescript, catch_unwind)]
    pub fn restore_raw(
        client: &OAuthClient,
        tokens: Option<&StoredTokens>,
        callback: Function<Option<StoredTokens>, ()>,
        options: Option<TokenSourceOptions>,
    ) -> napi::Result<Self, Code> {
        let store = js_store(callback, tokens.map(|t| t.0.clone()))?;
        Ok(TokenSource(
            refresh::TokenSource::restore(
                Arc::new(client.0.clone()),
                store,
                crate::oauth::source_options(options).js()?,
            )
            .js()?,
        ))
    }
}
