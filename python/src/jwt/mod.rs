//! `tokenward.JwtKey`, `KeySet`, `RemoteKeySet`, `JwtIssuer`, `JwtVerifier`,
//! `RemoteJwtVerifier`: conversion only, logic and defaults in core.

mod convert;
mod issue;
mod key;
mod keyset;
mod remote;
mod verify;

pub use issue::JwtIssuer;
pub use key::JwtKey;
pub use keyset::KeySet;
pub use remote::RemoteKeySet;
pub(crate) use verify::decode_unverified;
pub use verify::{JwtVerifier, RemoteJwtVerifier};
