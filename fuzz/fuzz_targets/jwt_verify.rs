//! Strict JWT verification, structure-aware: the input carries a header and a payload (JSON
//! text, mutated freely); the target signs them with a fixed key (HS256 most of the time,
//! ES256 or EdDSA otherwise) and verifies with a strict verifier over all three keys. Raw input
//! is also fed as a token. Never panics, and:
//!
//! * a token verifies only if its header's `alg` is the algorithm it was signed with and its
//!   `kid` (if any) names the signing key: no algorithm or key confusion;
//! * what verifies has a strictly valid header and payload, the claims are the payload's
//!   members (serde_json's reading), and `verify_json`, `verify_signature` and
//!   `decode_unverified` agree with `verify`;
//! * changing one character of the signature or of the payload makes it fail.
//!
//! Input: byte 0 = flags, then `header 0xFF payload` (0xFF never occurs in UTF-8).
#![no_main]

use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use tokenward::jwt::{
    decode_unverified, Algorithm, JwtKey, JwtVerifier, JwtVerifierOptions, KeySet,
};

struct Fixture {
    keys: [(JwtKey, Algorithm, &'static str); 3],
    verifier: JwtVerifier,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let hs = JwtKey::hmac(b"fuzz-fixed-hmac-key-0123456789ab", Algorithm::HS256);
        let es = JwtKey::generate(Algorithm::ES256);
        let ed = JwtKey::generate(Algorithm::EdDSA);
        let (Ok(hs), Ok(es), Ok(ed)) = (hs, es, ed) else {
            panic!("fixture keys");
        };
        let keys = [
            (hs.with_kid("h"), Algorithm::HS256, "h"),
            (es.with_kid("e"), Algorithm::ES256, "e"),
            (ed.with_kid("d"), Algorithm::EdDSA, "d"),
        ];
        let mut set = KeySet::new();
        for (k, _, _) in &keys {
            if set.insert(k.clone()).is_err() {
                panic!("fixture key set");
            }
        }
        let options =
            JwtVerifierOptions::new([Algorithm::HS256, Algorithm::ES256, Algorithm::EdDSA]);
        let Ok(verifier) = JwtVerifier::new(set, options) else {
            panic!("fixture verifier");
        };
        Fixture { keys, verifier }
    })
}

/// serde_json's reading of a JOSE object, `None` unless it is an object without duplicates.
fn strict(bytes: &[u8]) -> Option<Map<String, Value>> {
    let map: Map<String, Value> = serde_json::from_slice(bytes).ok()?;
    // Duplicates collapse in a Map: count the members by re-reading as a list of pairs.
    struct Count(usize);
    impl<'de> serde::Deserialize<'de> for Count {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Count, D::Error> {
            struct V;
            impl<'de> serde::de::Visitor<'de> for V {
                type Value = Count;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut m: A,
                ) -> Result<Count, A::Error> {
                    let mut n = 0;
                    while m
                        .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                        .is_some()
                    {
                        n += 1;
                    }
                    Ok(Count(n))
                }
            }
            d.deserialize_map(V)
        }
    }
    let count: Count = serde_json::from_slice(bytes).ok()?;
    (count.0 == map.len()).then_some(map)
}

fn check_verified(f: &Fixture, token: &str, signed_with: Option<usize>) {
    let Ok(claims) = f.verifier.verify(token) else {
        return;
    };
    let mut parts = token.split('.');
    let (Some(h), Some(p)) = (parts.next(), parts.next()) else {
        panic!("a verified token without segments");
    };
    let header_bytes = URL_SAFE_NO_PAD.decode(h).unwrap_or_default();
    let payload = URL_SAFE_NO_PAD.decode(p).unwrap_or_default();
    let header = strict(&header_bytes).unwrap_or_else(|| panic!("verified a non-strict header"));
    let Some(Value::String(alg)) = header.get("alg") else {
        panic!("verified a header without alg");
    };
    if let Some(i) = signed_with {
        let (_, want_alg, kid) = &f.keys[i];
        assert_eq!(alg, want_alg.as_str(), "algorithm confusion");
        if let Some(k) = header.get("kid") {
            assert_eq!(k.as_str(), Some(*kid), "key confusion");
        }
    }
    let map = strict(&payload).unwrap_or_else(|| panic!("verified a non-strict payload"));
    assert_eq!(
        claims.clone().into_map(),
        map,
        "claims differ from serde's reading"
    );
    assert!(claims.exp().is_some(), "exp is required by default");
    match f.verifier.verify_json(token) {
        Ok(json) => assert_eq!(json.as_bytes(), &payload[..]),
        Err(e) => panic!(
            "verify_json refuses what verify accepts: {}",
            e.code().as_str()
        ),
    }
    assert_eq!(f.verifier.verify_signature(token).ok(), Some(payload));
    match decode_unverified(token) {
        Ok((h, c)) => {
            assert_eq!(h, header);
            assert_eq!(c.into_map(), map);
        }
        Err(e) => panic!(
            "decode_unverified refuses a verified token: {}",
            e.code().as_str()
        ),
    }
}

/// `token` with the character at `pos` replaced by another base64url character.
fn tampered(token: &str, pos: usize, salt: u8) -> String {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bytes = token.as_bytes().to_vec();
    let old = bytes[pos];
    let mut c = B64[usize::from(salt) % 64];
    if c == old {
        c = B64[(usize::from(salt) + 1) % 64];
    }
    bytes[pos] = c;
    String::from_utf8(bytes).unwrap_or_default()
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    // Raw bytes as a token.
    if let Ok(text) = std::str::from_utf8(rest) {
        check_verified(f, text, None);
    }
    let Some(sep) = rest.iter().position(|&b| b == 0xFF) else {
        return;
    };
    let (header, payload) = (&rest[..sep], &rest[sep + 1..]);
    let which = match flags % 16 {
        0 => 1,
        1 => 2,
        _ => 0,
    };
    let (key, alg, _) = &f.keys[which];
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let Ok(sig) = key.sign(*alg, signing_input.as_bytes()) else {
        panic!("signing failed");
    };
    let token = format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig));
    check_verified(f, &token, Some(which));
    if f.verifier.verify(&token).is_ok() {
        // One changed character in the signature, then in the payload.
        let sig_start = signing_input.len() + 1;
        let pos = sig_start + usize::from(flags) % (token.len() - sig_start);
        let t = tampered(&token, pos, flags.rotate_left(3));
        assert!(
            f.verifier.verify(&t).is_err(),
            "tampered signature verified"
        );
        let dot = signing_input.find('.').unwrap_or(0);
        if signing_input.len() > dot + 1 {
            let pos = dot + 1 + usize::from(flags) % (signing_input.len() - dot - 1);
            let t = tampered(&token, pos, flags.rotate_left(5));
            assert!(f.verifier.verify(&t).is_err(), "tampered payload verified");
        }
    }
});
