//! The fast base64url decoder (`core/src/jwt/b64.rs`, used for JWS payloads and signatures)
//! against the `base64` crate's strict `URL_SAFE_NO_PAD` (no padding, no whitespace, canonical
//! trailing bits): same accept/reject decision and same bytes, on every entry point.
#![no_main]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use libfuzzer_sys::fuzz_target;
use tokenward::__fuzz as hook;

fuzz_target!(|data: &[u8]| {
    // The first byte only picks how the output buffer starts (the decoder must replace it).
    let (garbage, segment) = match data.split_first() {
        Some((&g, rest)) => (g, rest),
        None => (0, data),
    };
    let reference = URL_SAFE_NO_PAD.decode(segment).ok();

    // decode_into, into a buffer that already holds something.
    let mut out = vec![0xA5u8; usize::from(garbage)];
    let fast = hook::b64_decode_into(segment, &mut out).then_some(out);
    assert_eq!(fast, reference, "decode_into disagrees on {segment:?}");

    // The allocating decoder (headers, decode_unverified).
    assert_eq!(hook::b64_decode(segment), reference);

    // decoded_len: exact for every accepted input, None only for impossible lengths.
    let len = hook::b64_decoded_len(segment);
    if let Some(bytes) = &reference {
        assert_eq!(len, Some(bytes.len()));
    }
    assert_eq!(len.is_none(), segment.len() % 4 == 1);

    // decode_to_slice with the exact length (the signature path) and with wrong lengths.
    if let Some(len) = len {
        let mut buf = vec![0x5Au8; len];
        let ok = hook::b64_decode_to_slice(segment, &mut buf);
        assert_eq!(ok.then_some(buf), reference);
        for wrong in [len + 1, len.wrapping_sub(1)] {
            if wrong <= len + 1 {
                let mut buf = vec![0u8; wrong];
                assert!(!hook::b64_decode_to_slice(segment, &mut buf));
            }
        }
    }

    // Round trip: whatever the segment decodes to re-encodes to the same text (canonical).
    if let Some(bytes) = &reference {
        assert_eq!(URL_SAFE_NO_PAD.encode(bytes).as_bytes(), segment);
    }
});
