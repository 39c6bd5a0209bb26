//! Every integration test of the core, one module per file, in one test binary: one link
//! instead of twenty (each with thin LTO), and the modules share `common`.
// Tests and their helpers may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod vector_files;

#[cfg(feature = "redis")]
mod abuse_redis;
#[cfg(feature = "gateway")]
mod abuse_vectors;
#[cfg(feature = "sqlite")]
mod apikey_stores;
#[cfg(feature = "apikey")]
mod apikey_vectors;
#[cfg(feature = "redis")]
mod dpop_redis;
#[cfg(feature = "http")]
mod dpop_vectors;
mod error_sources;
#[cfg(feature = "gateway")]
mod gateway_dpop;
#[cfg(feature = "gateway")]
mod gateway_hardening;
#[cfg(feature = "gateway")]
mod gateway_introspection;
#[cfg(feature = "tower")]
mod gateway_introspection_tower;
mod gateway_mtls;
#[cfg(feature = "gateway")]
mod gateway_remote_jwt;
#[cfg(feature = "tower")]
mod gateway_tower;
#[cfg(feature = "gateway")]
mod gateway_vectors;
#[cfg(feature = "http")]
mod hardening_fixes;
#[cfg(feature = "jwt")]
mod jwt_audit;
#[cfg(feature = "jwt")]
mod jwt_cache;
#[cfg(feature = "jwt")]
mod jwt_public_vectors;
#[cfg(feature = "http")]
mod jwt_remote;
#[cfg(feature = "jwt")]
mod jwt_vectors;
#[cfg(feature = "http")]
mod kept_tokens;
#[cfg(feature = "http")]
mod oauth_client;
#[cfg(feature = "http")]
mod oauth_dpop;
#[cfg(feature = "http")]
mod oauth_mock_server;
#[cfg(all(feature = "http", feature = "gateway"))]
mod oauth_mtls;
#[cfg(feature = "http")]
mod oauth_par;
#[cfg(feature = "http")]
mod oauth_vectors;
#[cfg(feature = "http")]
mod oidc_vectors;
#[cfg(feature = "redact")]
mod redact_corpus;
#[cfg(feature = "redact")]
mod redact_props;
#[cfg(feature = "redis")]
mod redis_round_trips;
#[cfg(feature = "http")]
mod refresh_hook;
#[cfg(feature = "http")]
mod refresh_http;
#[cfg(feature = "http")]
mod refresh_schedule;
#[cfg(feature = "gateway")]
mod rotation_vectors;
#[cfg(feature = "tower")]
mod session_axum;
#[cfg(feature = "gateway")]
mod session_vectors;
#[cfg(feature = "redis")]
mod shared_redis;
mod vectors;
