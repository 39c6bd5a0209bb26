//! JWT for Swift and Kotlin: `JwtKey`, `KeySet`, `JwtIssuer`, `JwtVerifier`.
//!
//! Claims cross the boundary as JSON text (an object): custom claims are arbitrary JSON, which
//! no uniffi type represents losslessly, and every app already has a JSON decoder (`Codable`,
//! `JSONSerialization`, kotlinx.serialization, org.json). `verify_claims` adds the registered
//! claims as typed fields for the common case.

mod alg;
mod claims;
mod issue;
mod key;
mod keyset;
mod verify;

#[cfg(test)]
mod tests;

pub use alg::Algorithm;
pub use claims::VerifiedClaims;
pub use key::JwtKey;
pub use keyset::KeySet;
pub use verify::{JwtVerifier, JwtVerifierOptions};
