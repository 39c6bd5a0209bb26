//! Base62 (`0-9A-Za-z`, the GitHub token alphabet): random strings from the OS CSPRNG and the
//! fixed-width encoding of a CRC32 checksum.

use crate::{Error, ErrorCode, Result};

/// The alphabet, in the order digits, upper case, lower case.
pub const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Bits of entropy carried by one uniformly random base62 character (log2 62).
pub const BITS_PER_CHAR: f64 = 5.954_196_310_386_876;

/// Characters needed to write any `u32` in base62 (62^6 > 2^32).
pub const U32_WIDTH: usize = 6;

/// Whether `b` is a base62 character.
pub const fn is_base62(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// Writes `value` as exactly [`U32_WIDTH`] base62 characters, most significant first,
/// zero-padded with `'0'`.
pub fn encode_u32(mut value: u32) -> [u8; U32_WIDTH] {
    let mut out = [b'0'; U32_WIDTH];
    for slot in out.iter_mut().rev() {
        // `value % 62` is always < 62, so the index is in bounds.
        *slot = ALPHABET[(value % 62) as usize];
        value /= 62;
    }
    out
}

/// Appends `n` uniformly random base62 characters from the OS CSPRNG to `out`.
///
/// Uses rejection sampling (bytes >= 248 are discarded) so every character is uniform.
pub fn push_random(out: &mut String, n: usize) -> Result<()> {
    // The random bytes are the key: wiped when dropped, on every path.
    let mut pool = secrecy::zeroize::Zeroizing::new([0u8; 64]);
    let mut taken = 0;
    while taken < n {
        aws_lc_rs::rand::fill(&mut pool[..])
            .map_err(|_| Error::new(ErrorCode::Internal, "the OS random generator failed"))?;
        for &b in pool.iter() {
            if taken == n {
                break;
            }
            if b < 248 {
                out.push(char::from(ALPHABET[usize::from(b % 62)]));
                taken += 1;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_u32_fixed_width() {
        assert_eq!(&encode_u32(0), b"000000");
        assert_eq!(&encode_u32(61), b"00000z");
        assert_eq!(&encode_u32(62), b"000010");
        assert_eq!(&encode_u32(u32::MAX), b"4gfFC3");
    }

    #[test]
    fn random_strings_are_base62_and_differ() {
        let mut a = String::new();
        push_random(&mut a, 100).unwrap();
        let mut b = String::new();
        push_random(&mut b, 100).unwrap();
        assert_eq!(a.len(), 100);
        assert!(a.bytes().all(is_base62));
        assert_ne!(a, b);
    }

    #[test]
    fn random_characters_cover_the_alphabet() {
        let mut s = String::new();
        push_random(&mut s, 20_000).unwrap();
        for c in ALPHABET {
            assert!(s.as_bytes().contains(c), "{}", char::from(*c));
        }
    }
}
