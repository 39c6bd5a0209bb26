//! The public key of a DPoP proof, from the `jwk` member of its header, and its RFC 7638
//! thumbprint.
//!
//! A proof carries its key on every request, so reading it is on the verification path: EC
//! P-256/P-384 and OKP Ed25519 keys whose members are plain strings (what clients send) are
//! read straight from the borrowed members, with the rules of the general JWK parser
//! (`crate::jwt::parse_jwk`); any other key (RSA, `key_ops`, members of unusual types) goes
//! through that parser itself, so both ways accept and refuse the same keys.

use std::borrow::Cow;

use aws_lc_rs::signature::{
    ParsedPublicKey, VerificationAlgorithm, ECDSA_P256_SHA256_FIXED, ECDSA_P384_SHA384_FIXED,
    ED25519,
};
use serde_json::{Map, Value};

use super::spec::invalid;
use super::thumbprint::{ec_okp_thumbprint, jwk_thumbprint};
use crate::jwt::{b64_decode_to_slice, json_members, Algorithm, Family, JsonMember, JwtKey};
use crate::Error;

/// The members read from the `jwk`: the ones the JWK parser looks at, then the private ones.
const MEMBERS: [&str; 16] = [
    "kty", "crv", "x", "y", "alg", "use", "key_ops", "kid", // public
    "d", "p", "q", "dp", "dq", "qi", "oth", "k", // private
];
const PUBLIC: usize = 8;

/// The header's public key, ready to verify the proof's signature.
pub(super) enum ProofKey<'a> {
    /// An EC or OKP key read from its members (kept for the thumbprint).
    Direct {
        key: ParsedPublicKey,
        alg: Algorithm,
        kty: &'static str,
        crv: &'static str,
        x: Cow<'a, str>,
        y: Option<Cow<'a, str>>,
    },
    /// Any other key, through the general JWK parser.
    General {
        key: JwtKey,
        jwk: Map<String, Value>,
    },
}

fn unusable() -> Error {
    invalid("the proof's jwk is not a usable public key")
}

/// A member that is absent (`Some(None)`) or a string; `None` for any other JSON value.
fn plain<'c, 'a>(member: &'c JsonMember<'a>) -> Option<Option<&'c Cow<'a, str>>> {
    match member {
        JsonMember::Absent => Some(None),
        JsonMember::Str(s) => Some(Some(s)),
        _ => None,
    }
}

impl<'a> ProofKey<'a> {
    /// The key of `jwk`, the JSON text of the header's `jwk` object (already checked: unique
    /// names, nesting within `max_depth`). A private member is refused first.
    pub(super) fn read(jwk: &'a str, max_depth: usize) -> Result<ProofKey<'a>, Error> {
        let members =
            json_members(jwk.as_bytes(), max_depth, "the jwk", MEMBERS).map_err(|_| unusable())?;
        let [kty, crv, x, y, alg, use_, key_ops, kid, private @ ..] = &members;
        debug_assert_eq!(private.len(), MEMBERS.len() - PUBLIC);
        if private.iter().any(|m| !matches!(m, JsonMember::Absent)) {
            return Err(invalid("the proof's jwk holds a private key"));
        }
        // The direct way: an EC or OKP key, no `key_ops`, the other members plain strings.
        if let (JsonMember::Str(kty), JsonMember::Absent) = (kty, key_ops) {
            let members = (
                plain(crv),
                plain(x),
                plain(y),
                plain(alg),
                plain(use_),
                plain(kid),
            );
            if let (Some(crv), Some(x), Some(y), Some(alg), Some(use_), Some(_)) = members {
                if matches!(kty.as_ref(), "EC" | "OKP") {
                    let (crv, alg, use_) =
                        (crv.map(|s| &**s), alg.map(|s| &**s), use_.map(|s| &**s));
                    return direct(kty, crv, x, y, alg, use_);
                }
            }
        }
        general(jwk, max_depth)
    }

    /// Whether the key may verify `alg` (EC and OKP keys are bound to theirs).
    pub(super) fn accepts(&self, alg: Algorithm) -> bool {
        match self {
            ProofKey::Direct { alg: own, .. } => *own == alg,
            ProofKey::General { key, .. } => key.accepts(alg),
        }
    }

    /// Whether `signature` over `message` verifies with `alg` (which the key accepts).
    pub(super) fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        match self {
            ProofKey::Direct { key, .. } => key.verify_sig(message, signature).is_ok(),
            ProofKey::General { key, .. } => key.verify(alg, message, signature),
        }
    }

    /// The same key owning its members (kept beyond the proof by the verifier's key cache).
    pub(super) fn into_owned(self) -> ProofKey<'static> {
        match self {
            ProofKey::Direct {
                key,
                alg,
                kty,
                crv,
                x,
                y,
            } => ProofKey::Direct {
                key,
                alg,
                kty,
                crv,
                x: Cow::Owned(x.into_owned()),
                y: y.map(|y| Cow::Owned(y.into_owned())),
            },
            ProofKey::General { key, jwk } => ProofKey::General { key, jwk },
        }
    }

    /// The key's RFC 7638 thumbprint (`jkt`).
    pub(super) fn thumbprint(&self) -> Result<String, Error> {
        match self {
            ProofKey::Direct { kty, crv, x, y, .. } => {
                Ok(ec_okp_thumbprint(kty, crv, x, y.as_deref()))
            }
            ProofKey::General { jwk, .. } => jwk_thumbprint(jwk),
        }
    }
}

/// An EC or OKP key from its string members, with `crate::jwt::parse_jwk`'s rules: `kty`,
/// `crv` and `alg` agree, `use` is `sig`, the coordinates are strict base64url of the curve's
/// length and a point of it.
fn direct<'a>(
    kty: &str,
    crv: Option<&str>,
    x: Option<&Cow<'a, str>>,
    y: Option<&Cow<'a, str>>,
    alg: Option<&str>,
    use_: Option<&str>,
) -> Result<ProofKey<'a>, Error> {
    let (family, kty, crv): (Family, &'static str, &'static str) = match (kty, crv) {
        ("EC", Some("P-256")) => (Family::EcP256, "EC", "P-256"),
        ("EC", Some("P-384")) => (Family::EcP384, "EC", "P-384"),
        ("OKP", Some("Ed25519")) => (Family::Ed25519, "OKP", "Ed25519"),
        _ => return Err(unusable()),
    };
    let pinned_alg = alg.map(|a| Algorithm::parse(a).map(Algorithm::family));
    if pinned_alg.is_some_and(|f| f.ok() != Some(family)) || use_.is_some_and(|u| u != "sig") {
        return Err(unusable());
    }
    let x = x.ok_or_else(unusable)?;
    let (verify_alg, alg, len): (&'static dyn VerificationAlgorithm, _, _) = match family {
        Family::EcP256 => (&ECDSA_P256_SHA256_FIXED, Algorithm::ES256, 32),
        Family::EcP384 => (&ECDSA_P384_SHA384_FIXED, Algorithm::ES384, 48),
        _ => (&ED25519, Algorithm::EdDSA, 32),
    };
    // Each coordinate decoded in place: strict base64url of exactly `len` bytes.
    let decode = |s: &str, out: &mut [u8]| {
        b64_decode_to_slice(s.as_bytes(), out, "the jwk").map_err(|_| unusable())
    };
    let mut buffer = [0u8; 1 + 2 * 48];
    let (public, y) = match family {
        Family::Ed25519 => {
            decode(x, &mut buffer[..len])?;
            (&buffer[..len], None)
        }
        _ => {
            // The uncompressed point 04 || x || y.
            let y = y.ok_or_else(unusable)?;
            buffer[0] = 4;
            decode(x, &mut buffer[1..=len])?;
            decode(y, &mut buffer[1 + len..=2 * len])?;
            (&buffer[..=2 * len], Some(y.clone()))
        }
    };
    let key = ParsedPublicKey::new(verify_alg, public).map_err(|_| unusable())?;
    Ok(ProofKey::Direct {
        key,
        alg,
        kty,
        crv,
        x: x.clone(),
        y,
    })
}

/// Any other key: the JWK as a map, through the general parser (which refuses what it must).
fn general(jwk: &str, max_depth: usize) -> Result<ProofKey<'_>, Error> {
    let map =
        crate::json::parse_object(jwk.as_bytes(), max_depth, "the jwk").map_err(|_| unusable())?;
    let key = crate::jwt::parse_jwk(&map).map_err(|_| unusable())?;
    Ok(ProofKey::General { key, jwk: map })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dpop::DpopKey;

    /// What the general path decides for `jwk`: the error message, or the key and its map.
    fn oracle(jwk: &str) -> Result<(JwtKey, Map<String, Value>), &'static str> {
        let map = crate::json::parse_object(jwk.as_bytes(), 3, "jwk").map_err(|_| "json")?;
        if MEMBERS[PUBLIC..].iter().any(|m| map.contains_key(*m)) {
            return Err("the proof's jwk holds a private key");
        }
        let key = crate::jwt::parse_jwk(&map)
            .map_err(|_| "the proof's jwk is not a usable public key")?;
        Ok((key, map))
    }

    /// Thousands of JWKs, plain and hostile (wrong types, escapes, other curves, `key_ops`,
    /// private members): the direct way accepts and refuses what the general parser does,
    /// with the same algorithms, signatures and thumbprints.
    #[test]
    fn both_ways_agree() {
        let ec = DpopKey::generate(Algorithm::ES256).unwrap();
        let ed = DpopKey::generate(Algorithm::EdDSA).unwrap();
        let coordinate = |key: &DpopKey, name: &str| format!("{}", key.public_jwk()[name]);
        let (ec_x, ec_y, ed_x) = (
            coordinate(&ec, "x"),
            coordinate(&ec, "y"),
            coordinate(&ed, "x"),
        );
        // `"\u0041BC..."`: the same text with its first character escaped.
        let escaped = |s: &str| format!("\"\\u{:04x}{}", u32::from(s.as_bytes()[1]), &s[2..]);
        let choices: [(&str, Vec<String>); 9] = [
            (
                "kty",
                [
                    "\"EC\"",
                    "\"OKP\"",
                    "\"RSA\"",
                    "\"oct\"",
                    "1",
                    "\"ec\"",
                    "\"E\\u0043\"",
                ]
                .map(String::from)
                .to_vec(),
            ),
            (
                "crv",
                ["\"P-256\"", "\"P-384\"", "\"Ed25519\"", "\"p-256\"", "5"]
                    .map(String::from)
                    .to_vec(),
            ),
            (
                "alg",
                [
                    "\"ES256\"",
                    "\"ES384\"",
                    "\"EdDSA\"",
                    "\"RS256\"",
                    "\"none\"",
                    "1",
                ]
                .map(String::from)
                .to_vec(),
            ),
            (
                "use",
                ["\"sig\"", "\"enc\"", "1"].map(String::from).to_vec(),
            ),
            (
                "key_ops",
                [
                    "[\"verify\"]",
                    "[\"encrypt\"]",
                    "[1,\"verify\"]",
                    "[]",
                    "\"verify\"",
                ]
                .map(String::from)
                .to_vec(),
            ),
            ("kid", ["\"k1\"", "1", "null"].map(String::from).to_vec()),
            (
                "x",
                vec![
                    ec_x.clone(),
                    ed_x.clone(),
                    escaped(&ec_x),
                    "\"AA\"".into(),
                    "\"!!\"".into(),
                    "7".into(),
                    format!("{}=\"", &ec_x[..ec_x.len() - 1]),
                ],
            ),
            (
                "y",
                vec![
                    ec_y.clone(),
                    escaped(&ec_y),
                    ed_x.clone(),
                    "\"AA\"".into(),
                    "[]".into(),
                ],
            ),
            ("d", ["\"AA\"", "null"].map(String::from).to_vec()),
        ];
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let message = b"header.claims";
        let signatures = [
            (Algorithm::ES256, ec.sign(message).unwrap()),
            (Algorithm::EdDSA, ed.sign(message).unwrap()),
        ];
        let mut direct_keys = 0;
        for round in 0..12_000 {
            let mut members = vec![("ext".to_string(), "true".to_string())];
            for (name, values) in &choices {
                // Absent often (a member per round is absent with probability ~1/3), else one value.
                let pick = next(values.len() + values.len() / 2 + 1);
                if let Some(value) = values.get(pick) {
                    members.push((name.to_string(), value.clone()));
                }
            }
            if round % 3 == 0 {
                // The common shapes, so the accepting side is well covered.
                members = match round % 2 {
                    0 => vec![
                        ("kty".into(), "\"EC\"".into()),
                        ("crv".into(), "\"P-256\"".into()),
                        ("x".into(), ec_x.clone()),
                        ("y".into(), ec_y.clone()),
                    ],
                    _ => vec![
                        ("kty".into(), "\"OKP\"".into()),
                        ("crv".into(), "\"Ed25519\"".into()),
                        ("x".into(), ed_x.clone()),
                    ],
                };
                let (name, values) = &choices[next(choices.len())];
                members.retain(|(n, _)| n != name);
                members.push((name.to_string(), values[next(values.len())].clone()));
            }
            let jwk = format!(
                "{{{}}}",
                members
                    .iter()
                    .map(|(n, v)| format!("\"{n}\":{v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            );
            if crate::json::parse_object(jwk.as_bytes(), 3, "jwk").is_err() {
                continue; // Not JSON: the header scan refuses it before.
            }
            let ours = ProofKey::read(&jwk, 3);
            match (oracle(&jwk), &ours) {
                (Err(expected), Err(got)) => assert_eq!(got.message(), expected, "{jwk}"),
                (Ok((key, map)), Ok(read)) => {
                    direct_keys += usize::from(matches!(read, ProofKey::Direct { .. }));
                    for alg in Algorithm::ALL {
                        assert_eq!(read.accepts(alg), key.accepts(alg), "{jwk} {alg}");
                    }
                    for (alg, signature) in &signatures {
                        if key.accepts(*alg) {
                            let expected = key.verify(*alg, message, signature);
                            assert_eq!(read.verify(*alg, message, signature), expected, "{jwk}");
                        }
                    }
                    let thumbprint = jwk_thumbprint(&map).ok();
                    assert_eq!(read.thumbprint().ok(), thumbprint, "{jwk}");
                }
                (expected, _) => panic!(
                    "{jwk}: expected {:?}, got {:?}",
                    expected.map(|_| ()),
                    ours.as_ref().map(|_| ())
                ),
            }
        }
        assert!(direct_keys > 500, "{direct_keys} keys read directly");
    }
}
