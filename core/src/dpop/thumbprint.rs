//! RFC 7638 JWK thumbprints (SHA-256), the `jkt` of DPoP.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::{Error, ErrorCode};

fn member<'a>(jwk: &'a Map<String, Value>, name: &str) -> Result<&'a str, Error> {
    match jwk.get(name) {
        Some(Value::String(s)) => Ok(s),
        _ => Err(Error::new(
            ErrorCode::InvalidKey,
            "the JWK lacks a member its thumbprint needs",
        )),
    }
}

/// The canonical JSON of RFC 7638 section 3.2: the required members only, in lexicographic
/// order, without whitespace (the members are re-serialised, so escaping is canonical too).
fn canonical(jwk: &Map<String, Value>) -> Result<String, Error> {
    let names: &[&str] = match member(jwk, "kty")? {
        "EC" => &["crv", "kty", "x", "y"],
        "OKP" => &["crv", "kty", "x"],
        "RSA" => &["e", "kty", "n"],
        _ => {
            return Err(Error::new(
                ErrorCode::InvalidKey,
                "unsupported kty for a thumbprint",
            ))
        }
    };
    let mut out = String::from("{");
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&Value::from(*name).to_string());
        out.push(':');
        out.push_str(&Value::from(member(jwk, name)?).to_string());
    }
    out.push('}');
    Ok(out)
}

/// The RFC 7638 SHA-256 thumbprint of a public JWK (EC, OKP or RSA), base64url: what a
/// DPoP-bound token carries as `cnf.jkt`.
pub fn jwk_thumbprint(jwk: &Map<String, Value>) -> Result<String, Error> {
    Ok(URL_SAFE_NO_PAD.encode(Sha256::digest(canonical(jwk)?.as_bytes())))
}

/// The thumbprint of an EC (`y` given) or OKP public key from its members, hashing the RFC
/// 7638 canonical JSON without building it. Only for members that JSON writes unescaped:
/// `kty` and `crv` known names, `x` and `y` base64url (the caller has decoded them).
pub(super) fn ec_okp_thumbprint(kty: &str, crv: &str, x: &str, y: Option<&str>) -> String {
    let mut hash = Sha256::new();
    for part in [r#"{"crv":""#, crv, r#"","kty":""#, kty, r#"","x":""#, x] {
        hash.update(part);
    }
    if let Some(y) = y {
        hash.update(r#"","y":""#);
        hash.update(y);
    }
    hash.update(r#""}"#);
    URL_SAFE_NO_PAD.encode(hash.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7638_example() {
        // RFC 7638 section 3.1.
        let jwk = serde_json::json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        });
        let Value::Object(map) = jwk else {
            unreachable!()
        };
        assert_eq!(
            jwk_thumbprint(&map).unwrap(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    #[test]
    fn members_hash_as_the_canonical_json() {
        let ec = serde_json::json!({"kty": "EC", "crv": "P-256", "use": "sig",
            "x": "Gv0e3gsuBIsLCD47sTHvqP9CCMWogKe0WSHTUU1rfjc",
            "y": "DSUQYCaP99dQSl_bu04LR2eii2G86xHlhiX2PkEyiOU"});
        let okp = serde_json::json!({"kty": "OKP", "crv": "Ed25519",
            "x": "egKqwjl6ut6qgWgQHLttuQIs6QV0Ut_E1C85lcSKX1g"});
        for jwk in [ec, okp] {
            let Value::Object(map) = &jwk else {
                unreachable!()
            };
            let member = |name: &str| jwk[name].as_str().unwrap();
            let direct =
                ec_okp_thumbprint(member("kty"), member("crv"), member("x"), jwk["y"].as_str());
            assert_eq!(direct, jwk_thumbprint(map).unwrap());
        }
    }

    #[test]
    fn missing_members_and_symmetric_keys_are_refused() {
        let Value::Object(ec) = serde_json::json!({"kty": "EC", "crv": "P-256", "x": "AA"}) else {
            unreachable!()
        };
        assert_eq!(
            jwk_thumbprint(&ec).unwrap_err().code(),
            ErrorCode::InvalidKey
        );
        let Value::Object(oct) = serde_json::json!({"kty": "oct", "k": "AA"}) else {
            unreachable!()
        };
        assert_eq!(
            jwk_thumbprint(&oct).unwrap_err().code(),
            ErrorCode::InvalidKey
        );
    }
}
