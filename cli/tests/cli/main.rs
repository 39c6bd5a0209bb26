//! The CLI's tests, one module per file, in one test binary (one link instead of three).
// Tests and their helpers may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod commands;
mod demo;
mod key_cli;
