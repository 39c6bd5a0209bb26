//! JSON Web Keys (RFC 7517/7518/8037): parse into a [`JwtKey`], export a public [`JwtKey`].

use aws_lc_rs::rsa;
use secrecy::zeroize::Zeroizing;
use serde_json::{json, Map, Value};

use super::alg::{Algorithm, Family};
use super::b64;
use super::key::{JwtKey, Material};
use crate::{Error, ErrorCode};

fn invalid(msg: &'static str) -> Error {
    Error::new(ErrorCode::InvalidKey, msg)
}

fn string<'a>(jwk: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, Error> {
    match jwk.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid("a JWK member has the wrong type")),
    }
}

/// A base64url member, decoded; wiped when dropped (`d`, `p`, `q`, `k`… are private).
fn bytes(jwk: &Map<String, Value>, name: &str) -> Result<Option<Zeroizing<Vec<u8>>>, Error> {
    string(jwk, name)?
        .map(|s| {
            b64::decode(s.as_bytes(), "bad base64url")
                .map(Zeroizing::new)
                .map_err(|_| invalid("a JWK member is not base64url"))
        })
        .transpose()
}

/// JWK members that hold private key material (RFC 7518 section 6).
const PRIVATE_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "k"];

/// A parsed JWK or JWKS document whose private members are wiped when it is dropped: the
/// decoded key bytes are [`Zeroizing`], and so are the base64url strings they came from.
pub(crate) struct WipedOnDrop(pub(crate) Map<String, Value>);

impl Drop for WipedOnDrop {
    fn drop(&mut self) {
        wipe_private_members(&mut self.0);
    }
}

/// Zeroizes the private members of a JWK and, recursively, of the JWKs a document holds
/// (`keys`), wherever they sit; `oth` (further RSA primes) is private throughout.
fn wipe_private_members(map: &mut Map<String, Value>) {
    for (name, value) in map.iter_mut() {
        if name == "oth" || PRIVATE_MEMBERS.contains(&name.as_str()) {
            wipe_strings(value);
        } else {
            wipe_nested(value);
        }
    }
}

fn wipe_nested(value: &mut Value) {
    match value {
        Value::Object(map) => wipe_private_members(map),
        Value::Array(items) => items.iter_mut().for_each(wipe_nested),
        _ => {}
    }
}

fn wipe_strings(value: &mut Value) {
    use secrecy::zeroize::Zeroize;
    match value {
        Value::String(s) => s.zeroize(),
        Value::Object(map) => map.values_mut().for_each(wipe_strings),
        Value::Array(items) => items.iter_mut().for_each(wipe_strings),
        _ => {}
    }
}

fn required(jwk: &Map<String, Value>, name: &str) -> Result<Zeroizing<Vec<u8>>, Error> {
    bytes(jwk, name)?.ok_or_else(|| invalid("a required JWK member is missing"))
}

/// Whether a JWKS entry is meant for signatures (`use` absent or `sig`, `key_ops` absent or
/// containing `verify`/`sign`). Entries for encryption are skipped by [`super::KeySet`].
pub(crate) fn is_signature_key(jwk: &Map<String, Value>) -> bool {
    let use_ok = matches!(jwk.get("use"), None | Some(Value::String(_)))
        && jwk
            .get("use")
            .and_then(Value::as_str)
            .is_none_or(|u| u == "sig");
    let ops_ok = match jwk.get("key_ops") {
        Some(Value::Array(ops)) => ops
            .iter()
            .any(|o| matches!(o.as_str(), Some("verify") | Some("sign"))),
        _ => true,
    };
    use_ok && ops_ok
}

/// The algorithms an RSA JWK without `alg` may be used with.
pub(crate) const UNPINNED_RSA_ALGORITHMS: [Algorithm; 3] =
    [Algorithm::RS256, Algorithm::RS384, Algorithm::RS512];

// The JWK constructors of `JwtKey` live here, so `key` never depends on this module.
impl JwtKey {
    /// A key from one JWK (JSON text). `kty`, `crv` and `alg` must agree.
    pub fn from_jwk(jwk: &str) -> Result<JwtKey, Error> {
        let map = crate::json::parse_object(jwk.as_bytes(), 8, "a JWK must be a JSON object")
            .map_err(|e| Error::new(ErrorCode::InvalidKey, e.message().to_owned()))?;
        parse(&WipedOnDrop(map).0)
    }

    /// The public key as a JWK (asymmetric keys only; HMAC keys are never exported).
    pub fn to_jwk(&self) -> Result<Value, Error> {
        export_public(self)
    }
}

/// Parses one JWK. `kty`, `crv` and `alg` must agree; private members make a signing key.
pub(crate) fn parse(jwk: &Map<String, Value>) -> Result<JwtKey, Error> {
    let kty = string(jwk, "kty")?.ok_or_else(|| invalid("a JWK needs kty"))?;
    let alg = string(jwk, "alg")?
        .map(|a| Algorithm::parse(a).map_err(|_| invalid("unsupported JWK alg")))
        .transpose()?;
    string(jwk, "use")?;
    if !is_signature_key(jwk) {
        return Err(invalid("the JWK is not a signature key (use/key_ops)"));
    }
    let family = match (kty, string(jwk, "crv")?) {
        ("oct", None) => Family::Hmac,
        ("RSA", None) => Family::Rsa,
        ("EC", Some("P-256")) => Family::EcP256,
        ("EC", Some("P-384")) => Family::EcP384,
        ("OKP", Some("Ed25519")) => Family::Ed25519,
        _ => return Err(invalid("unsupported or inconsistent kty/crv")),
    };
    if let Some(a) = alg {
        if a.family() != family {
            return Err(invalid("the JWK alg does not match its kty/crv"));
        }
    }
    let key = match family {
        Family::Hmac => {
            let alg = alg.ok_or_else(|| invalid("an oct JWK needs alg"))?;
            JwtKey::hmac(&required(jwk, "k")?, alg)?
        }
        // RFC 8725 section 3.1: an RSA JWK without `alg` is bound to the PKCS#1 v1.5 family
        // (RS256/384/512, what JWKS without `alg` publish), never to PSS as well. A PS* key
        // must say so with its `alg`.
        Family::Rsa => parse_rsa(jwk, alg)?.restrict_rsa(&UNPINNED_RSA_ALGORITHMS),
        Family::EcP256 | Family::EcP384 => {
            let len = if family == Family::EcP384 { 48 } else { 32 };
            let (x, y) = (required(jwk, "x")?, required(jwk, "y")?);
            if x.len() != len || y.len() != len {
                return Err(invalid("EC coordinates have the wrong length"));
            }
            let mut point = Vec::with_capacity(1 + 2 * len);
            point.push(4);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            match bytes(jwk, "d")? {
                Some(d) => JwtKey::ec_from_private_scalar(&d, &point, family)?,
                None => JwtKey::ec_public(&point, family)?,
            }
        }
        Family::Ed25519 => {
            let x = required(jwk, "x")?;
            match bytes(jwk, "d")? {
                Some(d) => JwtKey::ed25519_from_seed(&d, &x)?,
                None => JwtKey::ed25519_public(&x)?,
            }
        }
    };
    let key = match string(jwk, "kid")? {
        Some(kid) => key.with_kid(kid),
        None => key,
    };
    Ok(key)
}

fn parse_rsa(jwk: &Map<String, Value>, alg: Option<Algorithm>) -> Result<JwtKey, Error> {
    let (n, e) = (required(jwk, "n")?, required(jwk, "e")?);
    if jwk.contains_key("oth") {
        return Err(invalid("multi-prime RSA keys are not supported"));
    }
    let Some(d) = bytes(jwk, "d")? else {
        return JwtKey::rsa_public(&n, &e, alg);
    };
    let (p, q) = (required(jwk, "p")?, required(jwk, "q")?);
    let (dp, dq, qi) = (
        required(jwk, "dp")?,
        required(jwk, "dq")?,
        required(jwk, "qi")?,
    );
    let components = rsa::KeyPairComponents {
        public_key: rsa::PublicKeyComponents {
            n: n.as_slice(),
            e: e.as_slice(),
        },
        d: d.as_slice(),
        p: p.as_slice(),
        q: q.as_slice(),
        dP: dp.as_slice(),
        dQ: dq.as_slice(),
        qInv: qi.as_slice(),
    };
    JwtKey::rsa_from_components(&components, alg)
}

/// The public JWK of `key` (with `kid`, `alg` and `use: sig`). HMAC keys are refused.
pub(crate) fn export_public(key: &JwtKey) -> Result<Value, Error> {
    let mut jwk = match &key.inner.material {
        Material::Hmac(_) => return Err(invalid("symmetric keys are never exported")),
        Material::Rsa { n, e, .. } => {
            json!({"kty": "RSA", "n": b64::encode(n), "e": b64::encode(e)})
        }
        Material::Ec { point, .. } => {
            let len = (point.len() - 1) / 2;
            let crv = if key.family() == Family::EcP384 {
                "P-384"
            } else {
                "P-256"
            };
            json!({"kty": "EC", "crv": crv, "x": b64::encode(&point[1..=len]), "y": b64::encode(&point[1 + len..])})
        }
        Material::Ed25519 { public, .. } => {
            json!({"kty": "OKP", "crv": "Ed25519", "x": b64::encode(public)})
        }
    };
    if let Some(obj) = jwk.as_object_mut() {
        obj.insert("use".into(), "sig".into());
        if let Some(alg) = key.algorithm() {
            obj.insert("alg".into(), alg.as_str().into());
        }
        if let Some(kid) = key.kid() {
            obj.insert("kid".into(), kid.into());
        }
    }
    Ok(jwk)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_members_are_wiped_wherever_they_sit() {
        let doc = json!({"keys": [
            {"kty": "oct", "k": "c2VjcmV0LWtleQ", "kid": "h"},
            {"kty": "RSA", "n": "AQAB", "e": "AQAB", "d": "ZA", "p": "cA", "q": "cQ",
             "dp": "ZHA", "dq": "ZHE", "qi": "cWk", "oth": [{"r": "cg", "d": "ZA", "t": "dA"}]},
        ]});
        let Value::Object(map) = doc else {
            panic!("an object")
        };
        let mut wiped = WipedOnDrop(map);
        wipe_private_members(&mut wiped.0);
        let text = Value::Object(wiped.0.clone()).to_string();
        let secrets = [
            "c2VjcmV0LWtleQ",
            "\"ZA\"",
            "\"cA\"",
            "\"cQ\"",
            "ZHA",
            "ZHE",
            "cWk",
            "cg",
            "dA",
        ];
        for secret in secrets {
            assert!(!text.contains(secret), "{secret} survived in {text}");
        }
        // Public members and names stay.
        assert!(
            text.contains("\"kid\":\"h\"") && text.contains("\"n\":\"AQAB\""),
            "{text}"
        );
    }
}
