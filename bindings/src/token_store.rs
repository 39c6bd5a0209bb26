//! Kept tokens for Kotlin and Swift: `StoredTokens`, the `TokenStore` foreign trait the
//! application implements (Keychain, Android Keystore, …), `TokenSource.keepTokens(store)`
//! and the `TokenSource.restore(client, store)` constructor. Conversions only.

use std::sync::Arc;

use tokenward::refresh;
use tokenward::{Error, ErrorCode};

use crate::error::{FfiResult, TokenwardError};
use crate::oauth::{OAuthClient, TokenSource, TokenSourceOptions};
use crate::secret::Secret;

/// The tokens a `TokenStore` keeps: access token, type, expiry (Unix seconds), scopes,
/// refresh and ID tokens. Printed redacted; `toJson()` holds the tokens (secure storage only).
#[derive(uniffi::Object, Debug)]
#[uniffi::export(Debug, Display)]
pub struct StoredTokens(pub(crate) refresh::StoredTokens);

impl std::fmt::Display for StoredTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.redacted())
    }
}

#[uniffi::export]
impl StoredTokens {
    /// Builds the kept form; `expiresAt` is the access token's expiry in Unix seconds. An empty
    /// or over-long `tokenType` is `invalid_input`.
    #[uniffi::constructor(default(refresh_token = None, scopes = [], id_token = None))]
    pub fn new(
        access_token: Arc<Secret>,
        token_type: String,
        expires_at: u64,
        refresh_token: Option<Arc<Secret>>,
        scopes: Vec<String>,
        id_token: Option<Arc<Secret>>,
    ) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(StoredTokens(refresh::StoredTokens::new(
            access_token.0.clone(),
            token_type,
            expires_at,
            refresh_token.map(|s| s.0.clone()),
            scopes,
            id_token.map(|s| s.0.clone()),
        )?)))
    }

    /// Reads the versioned JSON form: `malformed` (`token_too_large` over 64 KiB).
    #[uniffi::constructor]
    pub fn from_json(json: String) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(StoredTokens(refresh::StoredTokens::from_json(
            &json,
        )?)))
    }

    /// The versioned JSON form `{"v":1,...}`; it holds the tokens: secure storage only.
    pub fn to_json(&self) -> String {
        self.0.to_json()
    }

    /// The access token.
    pub fn access_token(&self) -> Arc<Secret> {
        Arc::new(Secret(self.0.access_token().clone()))
    }

    /// The access token's type (`Bearer`, `DPoP`, …).
    pub fn token_type(&self) -> String {
        self.0.token_type().to_owned()
    }

    /// The access token's expiry, Unix seconds.
    pub fn expires_at(&self) -> u64 {
        self.0.expires_at()
    }

    /// The refresh token, if any.
    pub fn refresh_token(&self) -> Option<Arc<Secret>> {
        self.0.refresh_token().cloned().map(|s| Arc::new(Secret(s)))
    }

    /// The granted scopes.
    pub fn scopes(&self) -> Vec<String> {
        self.0.scopes().to_vec()
    }

    /// The OpenID Connect ID token, if any.
    pub fn id_token(&self) -> Option<Arc<Secret>> {
        self.0.id_token().cloned().map(|s| Arc::new(Secret(s)))
    }
}

/// Where a `TokenSource` keeps its tokens across restarts (implemented in Kotlin or Swift).
/// Called on a library thread: `save` on every rotation (after the new token is in use),
/// `load` once by `TokenSource.restore`, `clear` when the refresh token is refused
/// (`invalid_grant`). A failure of `save` or `clear` reaches the source's listeners as
/// `STORAGE` and never fails `token()`; one of `load` fails `restore` with `STORAGE`.
#[uniffi::export(with_foreign)]
pub trait TokenStore: Send + Sync {
    /// Replaces the kept tokens with `tokens`.
    fn save(&self, tokens: Arc<StoredTokens>) -> FfiResult<()>;
    /// The kept tokens, or null/nil.
    fn load(&self) -> FfiResult<Option<Arc<StoredTokens>>>;
    /// Forgets the kept tokens.
    fn clear(&self) -> FfiResult<()>;
}

/// An exception of another type thrown by a foreign store: a `storage` failure (its text is
/// not kept: it may quote a token).
impl From<uniffi::UnexpectedUniFFICallbackError> for TokenwardError {
    fn from(_: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Error::new(
            ErrorCode::Storage,
            "the token store threw an unexpected error",
        )
        .into()
    }
}

/// The core's view of a foreign store.
struct Foreign(Arc<dyn TokenStore>);

fn storage(what: &str, e: TokenwardError) -> Error {
    let TokenwardError::Failed { code, .. } = e;
    Error::new(
        ErrorCode::Storage,
        format!("the token store's {what} failed ({code})"),
    )
}

impl refresh::TokenStore for Foreign {
    fn save(&self, tokens: &refresh::StoredTokens) -> tokenward::Result<()> {
        self.0
            .save(Arc::new(StoredTokens(tokens.clone())))
            .map_err(|e| storage("save", e))
    }

    fn load(&self) -> tokenward::Result<Option<refresh::StoredTokens>> {
        self.0
            .load()
            .map(|t| t.map(|t| t.0.clone()))
            .map_err(|e| storage("load", e))
    }

    fn clear(&self) -> tokenward::Result<()> {
        self.0.clear().map_err(|e| storage("clear", e))
    }
}

#[uniffi::export]
impl TokenSource {
    /// A source started from the tokens kept in `store`, kept there from then on: no request
    /// while the kept access token is usable, else the first `token()` refreshes with the kept
    /// refresh token. Nothing kept (or no refresh token): `INVALID_INPUT`.
    #[uniffi::constructor(default(options))]
    pub fn restore(
        client: Arc<OAuthClient>,
        store: Arc<dyn TokenStore>,
        options: TokenSourceOptions,
    ) -> FfiResult<Arc<Self>> {
        Ok(Arc::new(TokenSource(refresh::TokenSource::restore(
            Arc::new(client.0.clone()),
            Arc::new(Foreign(store)),
            options.try_into()?,
        )?)))
    }

    /// Keeps the tokens in `store`: the current one now, every rotation, `clear()` on
    /// `invalid_grant`. Later store failures reach the listeners (`onError`) as `STORAGE`.
    pub fn keep_tokens(&self, store: Arc<dyn TokenStore>) -> FfiResult<()> {
        Ok(self.0.keep_tokens(Arc::new(Foreign(store)))?)
    }
}
