//! `apikey::format::parse`: never panics; an accepted key is exactly `{prefix}_{body}{checksum}`
//! with a valid prefix and a matching CRC; the display form and Debug never show the secret.
//! Structure-aware half: the input is also turned into a well-formed key (valid prefix, base62
//! body, correct checksum) that must parse, and one-character edits of it must not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokenward::apikey::format::{self, Prefix, CHECKSUM_LEN, ID_LEN, SECRET_LEN};

const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

fn check_accepted(key: &str) {
    let Ok(parsed) = format::parse(key) else {
        return;
    };
    let prefix = parsed.prefix();
    assert!(Prefix::new(prefix).is_ok(), "accepted prefix {prefix:?}");
    let rest = &key[prefix.len()..];
    assert!(rest.starts_with('_'));
    let tail = &rest[1..];
    assert_eq!(tail.len(), ID_LEN + SECRET_LEN + CHECKSUM_LEN);
    assert!(tail.bytes().all(|b| B62.contains(&b)));
    assert_eq!(parsed.id(), &tail[..ID_LEN]);
    let (data, sum) = key.as_bytes().split_at(key.len() - CHECKSUM_LEN);
    assert_eq!(format::checksum(data), sum);
    let secret = &tail[ID_LEN..ID_LEN + SECRET_LEN];
    assert!(!parsed.display().contains(secret));
    assert!(!format!("{parsed:?}").contains(secret));
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        check_accepted(text);
    }
    // Build a well-formed key from the bytes.
    if data.len() < 4 {
        return;
    }
    let name_len = 2 + usize::from(data[0] % 15);
    let env_len = usize::from(data[1] % 17);
    let mut bytes = data[2..].iter().cycle();
    let mut next = || *bytes.next().unwrap_or(&0);
    let mut key = String::new();
    key.push(char::from(b'a' + next() % 26));
    for _ in 1..name_len {
        key.push(char::from(LOWER[usize::from(next()) % LOWER.len()]));
    }
    if env_len > 0 {
        key.push('_');
        for _ in 0..env_len {
            key.push(char::from(LOWER[usize::from(next()) % LOWER.len()]));
        }
    }
    key.push('_');
    for _ in 0..ID_LEN + SECRET_LEN {
        key.push(char::from(B62[usize::from(next()) % 62]));
    }
    let sum = format::checksum(key.as_bytes());
    key.extend(sum.iter().map(|&b| char::from(b)));
    let parsed = format::parse(&key);
    assert!(parsed.is_ok(), "well-formed key refused: {key:?}");
    check_accepted(&key);
    // One substituted character anywhere: refused (CRC32 detects every single-byte change).
    let pos = usize::from(next()) % key.len();
    let mut edited = key.clone().into_bytes();
    let replacement = B62[usize::from(next()) % 62];
    if edited[pos] != replacement && edited[pos] != b'_' {
        edited[pos] = replacement;
        let edited = String::from_utf8(edited).unwrap_or_default();
        assert!(
            format::parse(&edited).is_err(),
            "edited key accepted: {edited:?}"
        );
    }
});
