//! Scrubbing secrets out of arbitrary text: log lines, exception messages, curl commands.
//!
//! [`redact`] replaces every secret it recognises with `[REDACTED:<kind>:<fingerprint>]`, where
//! the fingerprint is [`crate::fingerprint`] of the removed bytes, so two lines about the same
//! token can still be correlated. It recognises, without configuration:
//!
//! * JWT/JWS and 5-part JWE compact tokens anywhere in the text;
//! * `Authorization` / `Proxy-Authorization` credentials (any scheme), `Bearer <token>` and
//!   `Basic <base64>` anywhere, `X-API-Key`-style headers, `Cookie` / `Set-Cookie` values;
//! * tokenward API keys (`{prefix}_{base62 body}{checksum}`, by shape) and provider formats
//!   (GitHub, GitLab, Stripe, Slack, AWS access key ids, Google API keys and OAuth tokens,
//!   OpenAI/Anthropic, npm), and PEM private-key blocks (also across lines);
//! * values of sensitive names (`access_token`, `client_secret`, `password`, `api_key`, …) in
//!   query strings, form bodies, JSON, Python reprs, `key=value` and `key: value` logs;
//! * passwords in URL userinfo (`postgres://user:pw@host`) and `curl -u user:pw`.
//!
//! Everything else passes through byte for byte. The scanner is a single forward pass over
//! the input with a constant amount of work per byte (no regular-expression backtracking), so
//! time is linear in the input; extra patterns given to a [`Redactor`] run on
//! `regex-automata`'s linear-time engines. [`RedactStream`] and [`RedactingWriter`] apply the
//! same rules to a stream of arbitrary chunks with bounded memory, and
//! [`RedactingMakeWriter`] plugs the scrubber into `tracing-subscriber`'s `fmt` layer.
//!
//! ```
//! let line = "GET /cb?code=1&access_token=abc123def456 HTTP/1.1";
//! let clean = tokenward::redact::redact(line);
//! assert!(clean.starts_with("GET /cb?code=1&access_token=[REDACTED:token:"));
//! assert!(!clean.contains("abc123def456"));
//! assert_eq!(tokenward::redact::redact("token_type=Bearer expires_in=3600"),
//!            "token_type=Bearer expires_in=3600");
//! ```

#[cfg(feature = "tracing-subscriber")]
mod make_writer;
mod names;
mod redactor;
mod rules;
mod scanner;
mod stream;
mod tokens;

#[cfg(feature = "tracing-subscriber")]
pub use make_writer::RedactingMakeWriter;
pub use redactor::{RedactingWriter, Redactor, RedactorOptions};
pub use rules::{Replacement, DEFAULT_MAX_LINE, MIN_MAX_LINE};
pub use stream::RedactStream;

/// Redacts `text` with the default [`Redactor`].
pub fn redact(text: &str) -> String {
    Redactor::default_ref().redact(text)
}

/// Like [`redact`], but borrows `text` when nothing was redacted.
pub fn redact_cow(text: &str) -> std::borrow::Cow<'_, str> {
    Redactor::default_ref().redact_cow(text)
}
