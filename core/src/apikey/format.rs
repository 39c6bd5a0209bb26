//! The API key format: `{prefix}_{id}{secret}{checksum}`.
//!
//! * `prefix`: `[a-z][a-z0-9]{1,15}` with an optional environment part `_[a-z0-9]{1,16}`
//!   (`tw`, `tw_live`, `acme_test`). It tells humans and secret scanners what the key is.
//! * body: [`ID_LEN`] + [`SECRET_LEN`] base62 characters from the OS CSPRNG (262 bits). The
//!   first [`ID_LEN`] characters are the public key id, used for lookup and display; the
//!   remaining [`SECRET_LEN`] characters (190 bits) are never shown or stored.
//! * checksum: CRC32 of everything before it (`{prefix}_{body}`), as 6 base62 characters, so a
//!   typo is refused offline, without a store lookup (the GitHub token scheme).
//!
//! [`KEY_PATTERN`] is the published regular expression for secret-scanning rules.

use super::base62;
use crate::{Error, ErrorCode, Result, Secret};

/// Characters of the public key id at the start of the body.
pub const ID_LEN: usize = 12;
/// Characters of the secret part of the body (32 × log2(62) ≈ 190 bits).
pub const SECRET_LEN: usize = 32;
/// Characters of the random body (id + secret; ≈ 262 bits).
pub const BODY_LEN: usize = ID_LEN + SECRET_LEN;
/// Characters of the base62 CRC32 checksum at the end of the key.
pub const CHECKSUM_LEN: usize = base62::U32_WIDTH;
/// Longest valid prefix: 16 characters, `_`, 16 characters.
pub const MAX_PREFIX_LEN: usize = 33;
/// Shortest valid prefix: 2 characters.
pub const MIN_PREFIX_LEN: usize = 2;
/// Characters after the prefix and its `_`.
const TAIL_LEN: usize = BODY_LEN + CHECKSUM_LEN;
/// Longest valid key; anything longer is refused before it is looked at.
pub const MAX_KEY_LEN: usize = MAX_PREFIX_LEN + 1 + TAIL_LEN;
/// Shortest valid key.
pub const MIN_KEY_LEN: usize = MIN_PREFIX_LEN + 1 + TAIL_LEN;
/// Characters of the id shown in the display form.
pub const DISPLAY_ID_CHARS: usize = 8;
/// Characters of the key's end shown in the display form.
pub const DISPLAY_TAIL_CHARS: usize = 4;

/// The regular expression matching every tokenward API key, for secret-scanning rules.
///
/// It uses only syntax shared by PCRE, RE2, Python `re`, JavaScript, Java and
/// `NSRegularExpression`. It cannot check the checksum: scanners should confirm a match with
/// `check_format` to drop false positives.
pub const KEY_PATTERN: &str = r"\b[a-z][a-z0-9]{1,15}(?:_[a-z0-9]{1,16})?_[0-9A-Za-z]{50}\b";

/// The regular expression matching keys with one specific `prefix` (see [`KEY_PATTERN`]).
pub fn pattern_for(prefix: &Prefix) -> String {
    // Prefix characters are [a-z0-9_]: nothing to escape.
    format!(r"\b{}_[0-9A-Za-z]{{{TAIL_LEN}}}\b", prefix.as_str())
}

/// A validated key prefix such as `tw_live`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Prefix(String);

impl Prefix {
    /// Validates `prefix`: `[a-z][a-z0-9]{1,15}`, optionally followed by `_[a-z0-9]{1,16}`.
    /// Anything else is `invalid_input`.
    pub fn new(prefix: &str) -> Result<Self> {
        if is_valid_prefix(prefix) {
            Ok(Prefix(prefix.to_owned()))
        } else {
            Err(Error::new(
                ErrorCode::InvalidInput,
                "an API key prefix is 2-16 characters [a-z][a-z0-9]*, optionally followed by _ and 1-16 characters [a-z0-9] (e.g. tw_live)",
            ))
        }
    }

    /// The prefix.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_valid_prefix(prefix: &str) -> bool {
    let (name, env) = match prefix.split_once('_') {
        Some((name, env)) => (name, Some(env)),
        None => (prefix, None),
    };
    let name_ok = (2..=16).contains(&name.len())
        && name.as_bytes()[0].is_ascii_lowercase()
        && name.bytes().all(is_lower_alnum);
    let env_ok =
        env.is_none_or(|env| (1..=16).contains(&env.len()) && env.bytes().all(is_lower_alnum));
    name_ok && env_ok
}

const fn is_lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// A key whose shape and checksum are valid. Borrowed from the input; holds no copy of it.
#[derive(Clone, Copy)]
pub struct ParsedKey<'a> {
    key: &'a str,
    prefix_len: usize,
}

impl<'a> ParsedKey<'a> {
    /// The prefix, e.g. `tw_live`.
    pub fn prefix(&self) -> &'a str {
        &self.key[..self.prefix_len]
    }

    /// The public key id (the first [`ID_LEN`] characters of the body).
    pub fn id(&self) -> &'a str {
        let start = self.prefix_len + 1;
        &self.key[start..start + ID_LEN]
    }

    /// The display form for UIs and logs, e.g. `tw_live_a1B2c3D4…Wx9z`.
    pub fn display(&self) -> String {
        let tail = &self.key[self.key.len() - DISPLAY_TAIL_CHARS..];
        format!(
            "{}_{}…{}",
            self.prefix(),
            &self.id()[..DISPLAY_ID_CHARS],
            tail
        )
    }
}

impl std::fmt::Debug for ParsedKey<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParsedKey")
            .field("prefix", &self.prefix())
            .field("id", &self.id())
            .finish_non_exhaustive()
    }
}

/// The checksum of `data` (the key without its last [`CHECKSUM_LEN`] characters).
pub fn checksum(data: &[u8]) -> [u8; CHECKSUM_LEN] {
    base62::encode_u32(crc32fast::hash(data))
}

fn invalid(message: &'static str) -> Error {
    Error::new(ErrorCode::InvalidFormat, message)
}

/// Checks the shape and the checksum of `key`, offline and in constant memory.
///
/// Fails with `invalid_format` (wrong length, characters or prefix shape) or
/// `checksum_mismatch` (a typo, a truncated copy, or a forgery).
pub fn parse(key: &str) -> Result<ParsedKey<'_>> {
    let bytes = key.as_bytes();
    if bytes.is_empty() {
        return Err(invalid("the API key is empty"));
    }
    if !(MIN_KEY_LEN..=MAX_KEY_LEN).contains(&bytes.len()) {
        return Err(invalid("the API key has the wrong length"));
    }
    if !key.is_ascii() {
        return Err(invalid("the API key contains non-ASCII characters"));
    }
    let prefix_len = bytes.len() - TAIL_LEN - 1;
    if bytes[prefix_len] != b'_'
        || !bytes[prefix_len + 1..]
            .iter()
            .all(|&b| base62::is_base62(b))
    {
        return Err(invalid("the API key body is not 50 base62 characters"));
    }
    if !is_valid_prefix(&key[..prefix_len]) {
        return Err(invalid("the API key prefix is malformed"));
    }
    let (data, sum) = bytes.split_at(bytes.len() - CHECKSUM_LEN);
    if checksum(data) != sum {
        return Err(Error::new(
            ErrorCode::ChecksumMismatch,
            "the API key checksum does not match (a typo or a truncated key?)",
        ));
    }
    Ok(ParsedKey { key, prefix_len })
}

/// Generates a new key with `prefix` from the OS CSPRNG.
pub fn generate(prefix: &Prefix) -> Result<Secret> {
    let mut key = String::with_capacity(prefix.as_str().len() + 1 + TAIL_LEN);
    key.push_str(prefix.as_str());
    key.push('_');
    base62::push_random(&mut key, BODY_LEN)?;
    let sum = checksum(key.as_bytes());
    key.extend(sum.iter().map(|&b| char::from(b)));
    Secret::new(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(key: &str) -> &'static str {
        parse(key)
            .map(|_| "ok")
            .unwrap_or_else(|e| e.code().as_str())
    }

    #[test]
    fn generated_keys_parse_and_expose_id_and_display() {
        let prefix = Prefix::new("tw_live").unwrap();
        let secret = generate(&prefix).unwrap();
        let key = secret.expose();
        assert_eq!(key.len(), "tw_live_".len() + 50);
        let parsed = parse(key).unwrap();
        assert_eq!(parsed.prefix(), "tw_live");
        assert_eq!(parsed.id(), &key[8..20]);
        let display = parsed.display();
        assert!(display.starts_with(&format!("tw_live_{}…", &key[8..16])));
        assert!(display.ends_with(&key[key.len() - 4..]));
        assert!(!display.contains(&key[20..40]));
        assert!(!format!("{parsed:?}").contains(&key[20..]));
    }

    #[test]
    fn body_carries_at_least_160_bits_after_the_id() {
        assert!(SECRET_LEN as f64 * base62::BITS_PER_CHAR >= 160.0);
    }

    #[test]
    fn prefixes() {
        for ok in [
            "tw",
            "tw_live",
            "acme9_test",
            "a123456789012345_x",
            "ab_0123456789abcdef",
        ] {
            assert!(Prefix::new(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "t",
            "Tw",
            "9tw",
            "tw_",
            "_tw",
            "tw_live_x",
            "tw-live",
            "a12345678901234567",
            "tw_0123456789abcdefg",
            "tw_LIVE",
            "twé",
        ] {
            assert_eq!(
                Prefix::new(bad).unwrap_err().code(),
                ErrorCode::InvalidInput,
                "{bad}"
            );
        }
    }

    #[test]
    fn typos_are_checksum_mismatches() {
        let secret = generate(&Prefix::new("tw").unwrap()).unwrap();
        let key = secret.expose();
        let mut typo = key.as_bytes().to_vec();
        let i = 10;
        typo[i] = if typo[i] == b'a' { b'b' } else { b'a' };
        let typo = String::from_utf8(typo).unwrap();
        assert_eq!(code(&typo), "checksum_mismatch");
        let swapped = format!("tw_{}", &key[3..]).replacen("tw_", "tx_", 1);
        assert_eq!(code(&swapped), "checksum_mismatch");
    }

    #[test]
    fn hostile_shapes_are_invalid_format() {
        let valid = generate(&Prefix::new("tw").unwrap()).unwrap();
        let key = valid.expose();
        for bad in [
            String::new(),
            "x".repeat(10_000),
            key[..key.len() - 1].to_owned(),
            format!("{key}0"),
            key.replacen('_', "-", 1),
            format!("Tw{}", &key[2..]),
            format!("tw_{}é", &key[3..key.len() - 2]),
            format!("tw_{}!", &key[3..key.len() - 1]),
        ] {
            assert_eq!(code(&bad), "invalid_format", "{bad:?}");
        }
    }

    #[test]
    fn patterns_match_generated_keys() {
        use regex_automata::meta::Regex;
        let prefix = Prefix::new("tw_test").unwrap();
        let secret = generate(&prefix).unwrap();
        let text = format!("token={} next", secret.expose());
        for pattern in [KEY_PATTERN.to_owned(), pattern_for(&prefix)] {
            let re = Regex::new(&pattern).unwrap();
            let m = re.find(&text).unwrap();
            assert_eq!(&text[m.range()], secret.expose(), "{pattern}");
        }
        let other = Regex::new(&pattern_for(&Prefix::new("tw_live").unwrap())).unwrap();
        assert!(other.find(&text).is_none());
    }
}
