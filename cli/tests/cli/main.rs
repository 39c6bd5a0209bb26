//! The CLI's tests, one module per file, in one test binary (one link instead of three).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod commands;
mod demo;
mod key_cli;
