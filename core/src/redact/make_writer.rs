//! [`RedactingMakeWriter`]: scrubs every event a `tracing-subscriber` `fmt` layer writes.
//!
//! ```
//! use tokenward::redact::{RedactingMakeWriter, Redactor};
//! let subscriber = tracing_subscriber::fmt()
//!     .with_writer(RedactingMakeWriter::new(Redactor::default(), std::io::stderr))
//!     .finish();
//! tracing::subscriber::with_default(subscriber, || {
//!     tracing::info!("calling api with access_token=abc123secret"); // printed redacted
//! });
//! ```

use tracing_subscriber::fmt::MakeWriter;

use super::redactor::{RedactingWriter, Redactor};

/// Wraps a [`MakeWriter`] so that everything written through it is redacted.
/// Each event gets its own [`RedactingWriter`], which writes the event when it is dropped.
#[derive(Debug, Clone)]
pub struct RedactingMakeWriter<M> {
    inner: M,
    redactor: Redactor,
}

impl<M> RedactingMakeWriter<M> {
    /// Redacts what `inner` would write, with `redactor`.
    pub fn new(redactor: Redactor, inner: M) -> Self {
        RedactingMakeWriter { inner, redactor }
    }
}

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for RedactingMakeWriter<M> {
    type Writer = RedactingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter::new(self.redactor.clone(), self.inner.make_writer())
    }

    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> Self::Writer {
        RedactingWriter::new(self.redactor.clone(), self.inner.make_writer_for(meta))
    }
}
