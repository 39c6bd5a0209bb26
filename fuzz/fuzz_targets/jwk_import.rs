//! Key import from untrusted documents: a JWK, a JWKS, PEM (public, PKCS#8, PKCS#1, SEC1) and
//! DER (public SPKI/PKCS#1, private PKCS#8/PKCS#1/SEC1). Never panics; every imported public
//! key exports as a JWK and as PEM that import again to the same key; a key set's JWKS export
//! imports to a set of the same size.
//!
//! Input: byte 0 picks the importer (and the algorithm hint), the rest is the document.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokenward::jwt::{Algorithm, JwtKey, KeySet};

const HINTS: [Option<Algorithm>; 6] = [
    None,
    Some(Algorithm::RS256),
    Some(Algorithm::PS384),
    Some(Algorithm::ES256),
    Some(Algorithm::ES384),
    Some(Algorithm::EdDSA),
];

/// An imported key's public JWK and PEM export re-import to the same public JWK.
fn round_trip(key: &JwtKey) {
    let _ = format!("{key:?}");
    let (Ok(jwk), Ok(pem)) = (key.to_jwk(), key.to_public_pem()) else {
        return;
    };
    let text = jwk.to_string();
    let again = match JwtKey::from_jwk(&text) {
        Ok(k) => k,
        Err(e) => panic!("exported JWK does not import ({}): {text}", e.message()),
    };
    assert_eq!(again.to_jwk().ok(), Some(jwk.clone()), "JWK round trip");
    let from_pem = match JwtKey::from_pem(&pem, key.algorithm()) {
        Ok(k) => k,
        Err(e) => panic!("exported PEM does not import ({}): {pem}", e.message()),
    };
    let mut a = from_pem.to_jwk().ok();
    let mut b = Some(jwk);
    // PEM carries no kid/alg: compare the key material only.
    for v in [&mut a, &mut b].into_iter().flatten() {
        if let Some(m) = v.as_object_mut() {
            m.remove("kid");
            m.remove("alg");
            m.remove("use");
        }
    }
    assert_eq!(a, b, "PEM round trip");
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, doc)) = data.split_first() else {
        return;
    };
    let hint = HINTS[usize::from(mode >> 4) % HINTS.len()];
    let text = std::str::from_utf8(doc).ok();
    match mode % 5 {
        0 => {
            if let Some(key) = text.and_then(|t| JwtKey::from_jwk(t).ok()) {
                round_trip(&key);
            }
        }
        1 => {
            if let Some(set) = text.and_then(|t| KeySet::from_jwks(t).ok()) {
                for key in set.keys() {
                    round_trip(key);
                }
                let exported = set.to_jwks().to_string();
                match KeySet::from_jwks(&exported) {
                    // Symmetric keys are not exported.
                    Ok(again) => assert!(again.len() <= set.len()),
                    Err(e) => panic!(
                        "exported JWKS does not import ({}): {exported}",
                        e.message()
                    ),
                }
            }
        }
        2 => {
            if let Some(key) = text.and_then(|t| JwtKey::from_pem(t, hint).ok()) {
                round_trip(&key);
            }
        }
        3 => {
            if let Ok(key) = JwtKey::from_public_der(doc, hint) {
                round_trip(&key);
            }
        }
        _ => {
            if let Ok(key) = JwtKey::from_private_der(doc, hint) {
                assert!(key.can_sign());
                round_trip(&key);
                if let Ok(pem) = key.to_private_pem() {
                    let again = JwtKey::from_pem(pem.expose(), hint);
                    assert!(again.is_ok(), "private PEM export does not import");
                }
            }
        }
    }
});
