//! Maps core errors to JS `Error` objects whose `.code` is the stable tokenward code.

use crate::napi;

/// The JS-visible error code (napi-rs copies it to `err.code`).
pub struct Code(&'static str);

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.0
    }
}

/// Result type of every fallible exported function.
pub type JsResult<T> = napi::Result<T, Code>;

/// Converts a core error into a JS error with `.code`.
pub fn to_js(err: tokenward::Error) -> napi::Error<Code> {
    napi::Error::new(Code(err.code().as_str()), err.message().to_owned())
}

/// Extension trait: `core_result.js()?` inside binding functions.
pub trait IntoJsResult<T> {
    /// Maps the error to a JS error with `.code`.
    fn js(self) -> JsResult<T>;
}

impl<T> IntoJsResult<T> for tokenward::Result<T> {
    fn js(self) -> JsResult<T> {
        self.map_err(to_js)
    }
}
