//! The one error type Swift and Kotlin see.

/// A tokenward failure. `code` is the stable snake_case code shared by every language.
///
/// Kotlin: `TokenwardException.Failed` with `.code` and `.detail` (uniffi cannot name a Kotlin
/// exception field `message`); Swift:
/// `TokenwardError.Failed(code:message:)`.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum TokenwardError {
    /// Any failure of the core, identified by its code.
    #[error("{code}: {message}")]
    Failed {
        /// The stable code (`expired`, `invalid_signature`, …).
        code: String,
        /// Human-readable description, never containing secret material.
        message: String,
    },
}

impl From<tokenward::Error> for TokenwardError {
    fn from(err: tokenward::Error) -> Self {
        TokenwardError::Failed {
            code: err.code().as_str().to_owned(),
            message: err.message().to_owned(),
        }
    }
}

pub(crate) type FfiResult<T> = Result<T, TokenwardError>;
