//! The session id: `tws_` and 43 base62 characters from the OS CSPRNG (≈ 256 bits), its
//! offline shape check, and the stored form (SHA-256 of the id: with 256 random bits nobody can
//! guess a preimage, so neither a slow hash nor a pepper is needed).

use aws_lc_rs::digest;

use crate::apikey::base62;
use crate::apikey::hash::HASH_LEN;
use crate::apikey::KeyHash;
use crate::{fingerprint, Error, ErrorCode, Result, Secret};

/// The prefix of every session id (recognisable in logs and by secret scanners).
pub const SESSION_ID_PREFIX: &str = "tws_";

/// Random base62 characters after the prefix (43 × 5.95 ≈ 256 bits).
pub(crate) const BODY_LEN: usize = 43;

/// Length in bytes of a session id.
pub const SESSION_ID_LEN: usize = SESSION_ID_PREFIX.len() + BODY_LEN;

/// A fresh session id.
pub(crate) fn generate() -> Result<Secret> {
    let mut id = String::with_capacity(SESSION_ID_LEN);
    id.push_str(SESSION_ID_PREFIX);
    base62::push_random(&mut id, BODY_LEN)?;
    Secret::new(id)
}

/// `malformed` unless `id` has the shape of a session id (checked before any store lookup, so
/// junk cookies cost no I/O). The message never contains the input.
pub(crate) fn check(id: &str) -> Result<()> {
    let ok = id.len() == SESSION_ID_LEN
        && id
            .strip_prefix(SESSION_ID_PREFIX)
            .is_some_and(|body| body.bytes().all(base62::is_base62));
    if ok {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::Malformed,
            "not a session id (expected tws_ and 43 base62 characters)",
        ))
    }
}

/// The stored form of `id`: its SHA-256.
pub(crate) fn hash(id: &str) -> Result<KeyHash> {
    let d = digest::digest(&digest::SHA256, id.as_bytes());
    let bytes: &[u8] = d.as_ref();
    debug_assert_eq!(bytes.len(), HASH_LEN);
    KeyHash::from_slice(bytes)
}

/// The public handle of a session: the [`fingerprint`] of its id, safe to log.
pub(crate) fn handle(id: &str) -> String {
    fingerprint(id.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_long_random_and_checked() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert_ne!(a.expose(), b.expose());
        assert_eq!(a.expose().len(), SESSION_ID_LEN);
        assert!(check(a.expose()).is_ok());
        assert!((BODY_LEN as f64) * base62::BITS_PER_CHAR >= 256.0);
        for bad in [
            "",
            "tws_",
            &a.expose()[1..],
            &format!("{}x", a.expose()),
            &a.expose().replace("tws_", "twx_"),
            &format!("tws_{}", "-".repeat(BODY_LEN)),
        ] {
            let e = check(bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::Malformed);
            assert!(!e.to_string().contains(&a.expose()[4..]));
        }
        assert_eq!(hash(a.expose()).unwrap(), hash(a.expose()).unwrap());
        assert_ne!(hash(a.expose()).unwrap(), hash(b.expose()).unwrap());
    }
}
