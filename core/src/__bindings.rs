//! What the binding crates (`bindings/`, `python/`, `node/`, `cli/`) use that is not part of the
//! documented API: the library's own tokio runtime and the number readers of their
//! [`ClaimsBuilder`](crate::jwt::ClaimsBuilder)s. Hidden from the docs and not a stable API;
//! Rust applications use [`crate::runtime::block_on`] and [`crate::jwt::json_number`].

#[cfg(feature = "jwt")]
pub use crate::jwt::claims_builder::{json_f64, json_small_integer};

/// The library's tokio runtime, for bindings whose host language has none.
#[cfg(feature = "http")]
pub mod runtime {
    use tokio::runtime::{Handle, Runtime};

    use crate::Error;

    /// The shared runtime (two worker threads named `tokenward-io`), started on first use.
    pub fn runtime() -> Result<&'static Runtime, Error> {
        crate::runtime::runtime()
    }

    /// A handle to the current runtime if the caller runs on one, else to the shared one.
    pub fn handle() -> Result<Handle, Error> {
        crate::runtime::handle()
    }

    /// The output of `work` if it finishes within `limit`, else `None` (a pinned `work` stays
    /// usable): a blocking binding call waits in slices and looks for signals between them.
    pub async fn within<F: std::future::Future>(
        limit: std::time::Duration,
        work: F,
    ) -> Option<F::Output> {
        tokio::time::timeout(limit, work).await.ok()
    }
}
