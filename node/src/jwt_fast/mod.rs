//! The hot path of `JwtVerifier.verify`: a raw N-API function bound to one verifier.
//!
//! A napi-rs class method costs about 550 ns per call before any work (borrow scope, `this`
//! unwrap, a two-pass string copy), and `JSON.parse` of the claims about 700 ns more. The
//! function made here takes the token with one copy into a stack buffer, verifies it with the
//! core's single strict pass, and builds the claims while that pass runs
//! ([`tokenward::jwt::ClaimsBuilder`]): top-level values become JS values directly, nested
//! containers arrive as their validated JSON text, and one call of a JS *shape function*
//! (generated in `index.js` per distinct member-name sequence, cached here) assembles the object
//! with an object literal, so the result equals `JSON.parse(payload)`.
//!
//! `index.js` creates the function once per verifier (`fastVerifier`, internal) and calls it as
//! `fn(token)` for the claims object or `fn(token, true)` for the JSON text.

mod builder;
mod function;
mod raw;
mod state;

pub(crate) use function::create;
