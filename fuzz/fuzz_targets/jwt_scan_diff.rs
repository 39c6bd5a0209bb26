//! The JWT payload scanner (`core/src/jwt/payload/`, building `Claims`) against serde_json.
//!
//! * serde_json accepts an object without duplicate members (at any level) ⇒ the scanner
//!   accepts it and yields the same members in the same order with the same values;
//! * the scanner accepts ⇒ serde_json accepts, the document is an object, no duplicates;
//! * at small depth caps the scanner and the serde-based strict parser (`json::parse_object`)
//!   agree on acceptance, on the error code and on the values;
//! * a raw-containers builder (Node's path) gets nested containers as JSON text that
//!   serde_json reads back as the same value; the registered claims it records match.
#![no_main]

use std::fmt;

use libfuzzer_sys::fuzz_target;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};
use tokenward::__fuzz::{self as hook, RegisteredClaim};
use tokenward::jwt::{Built, ClaimsBuilder};

/// serde_json's view of a document, in document order, duplicates kept.
#[derive(Debug, Clone)]
enum J {
    Null,
    Bool(bool),
    Num(Number),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

impl J {
    fn has_duplicates(&self) -> bool {
        match self {
            J::Arr(items) => items.iter().any(J::has_duplicates),
            J::Obj(members) => {
                let mut names: Vec<&str> = members.iter().map(|(n, _)| n.as_str()).collect();
                names.sort_unstable();
                names.windows(2).any(|w| w[0] == w[1])
                    || members.iter().any(|(_, v)| v.has_duplicates())
            }
            _ => false,
        }
    }

    /// Containers on the deepest path (a scalar is 0).
    fn depth(&self) -> usize {
        match self {
            J::Arr(items) => 1 + items.iter().map(J::depth).max().unwrap_or(0),
            J::Obj(members) => 1 + members.iter().map(|(_, v)| v.depth()).max().unwrap_or(0),
            _ => 0,
        }
    }

    fn to_value(&self) -> Value {
        match self {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Num(n) => Value::Number(n.clone()),
            J::Str(s) => Value::String(s.clone()),
            J::Arr(items) => Value::Array(items.iter().map(J::to_value).collect()),
            J::Obj(members) => Value::Object(
                members
                    .iter()
                    .map(|(n, v)| (n.clone(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

struct JVisitor;

impl<'de> Visitor<'de> for JVisitor {
    type Value = J;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E>(self, v: bool) -> Result<J, E> {
        Ok(J::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<J, E> {
        Ok(J::Num(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<J, E> {
        Ok(J::Num(v.into()))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<J, E> {
        Number::from_f64(v)
            .map(J::Num)
            .ok_or_else(|| E::custom("not finite"))
    }
    fn visit_str<E>(self, v: &str) -> Result<J, E> {
        Ok(J::Str(v.to_owned()))
    }
    fn visit_unit<E>(self) -> Result<J, E> {
        Ok(J::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<J, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element::<J>()? {
            out.push(v);
        }
        Ok(J::Arr(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<J, A::Error> {
        let mut out = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, J>()? {
            out.push((k, v));
        }
        Ok(J::Obj(out))
    }
}

impl<'de> Deserialize<'de> for J {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<J, D::Error> {
        d.deserialize_any(JVisitor)
    }
}

/// Node's shape of builder: scalars built, nested containers handed over as JSON text.
struct RawBuilder;

impl ClaimsBuilder for RawBuilder {
    type Value = Value;
    type Object = Vec<(String, Value)>;
    type Array = ();
    const RAW_CONTAINERS: bool = true;

    fn null(&mut self) -> Built<Value> {
        Ok(Value::Null)
    }
    fn boolean(&mut self, value: bool) -> Built<Value> {
        Ok(Value::Bool(value))
    }
    fn number(&mut self, text: &str) -> Built<Value> {
        let n = tokenward::jwt::json_number(text);
        assert!(
            n.is_some(),
            "the scanner passed a number serde refuses: {text:?}"
        );
        Ok(n.map_or(Value::Null, Value::Number))
    }
    fn string(&mut self, value: &str) -> Built<Value> {
        Ok(Value::String(value.to_owned()))
    }
    fn object(&mut self) -> Built<Vec<(String, Value)>> {
        Ok(Vec::new())
    }
    fn member(&mut self, object: &mut Vec<(String, Value)>, name: &str, value: Value) -> Built<()> {
        object.push((name.to_owned(), value));
        Ok(())
    }
    fn finish_object(&mut self, _: Vec<(String, Value)>) -> Built<Value> {
        panic!("nested objects must come as raw text")
    }
    fn array(&mut self) -> Built<()> {
        panic!("arrays must come as raw text")
    }
    fn element(&mut self, _: &mut (), _: Value) -> Built<()> {
        panic!("arrays must come as raw text")
    }
    fn finish_array(&mut self, _: ()) -> Built<Value> {
        panic!("arrays must come as raw text")
    }
    fn raw(&mut self, json: &str) -> Built<Value> {
        match serde_json::from_str::<Value>(json) {
            Ok(v) => Ok(v),
            Err(e) => panic!("raw text serde refuses ({e}): {json:?}"),
        }
    }
}

/// Within one unit in the last place (serde_json's default float parser is not always
/// correctly rounded; the scanner's registered numbers are).
fn close(a: f64, b: f64) -> bool {
    a == b || (a.to_bits().abs_diff(b.to_bits()) <= 1 && a.signum() == b.signum())
}

fn check_registered(name: &str, got: &RegisteredClaim, want: Option<&J>) {
    let ok = match (got, want) {
        (RegisteredClaim::Absent, None) => true,
        (RegisteredClaim::Number(n), Some(J::Num(m))) => m.as_f64().is_some_and(|m| close(*n, m)),
        (RegisteredClaim::Str(s), Some(J::Str(t))) => s == t,
        (RegisteredClaim::Strs(v), Some(J::Arr(items))) => {
            v.len() == items.len()
                && v.iter()
                    .zip(items)
                    .all(|(s, j)| matches!(j, J::Str(t) if t == s))
        }
        (RegisteredClaim::Other, Some(J::Null | J::Bool(_) | J::Obj(_))) => true,
        (RegisteredClaim::Other, Some(J::Arr(items))) => {
            items.iter().any(|j| !matches!(j, J::Str(_)))
        }
        _ => false,
    };
    assert!(
        ok,
        "registered claim {name}: scanner {got:?}, serde {want:?}"
    );
}

fuzz_target!(|data: &[u8]| {
    let reference = serde_json::from_slice::<J>(data);
    // Depth cap far above serde_json's recursion limit: only the JSON rules apply.
    let scanned = hook::scan_claims(data, 1_000);
    match (&reference, &scanned) {
        (Ok(J::Obj(members)), _) if !reference.as_ref().is_ok_and(J::has_duplicates) => {
            let claims = match &scanned {
                Ok(c) => c,
                Err(e) => panic!(
                    "serde accepts, scanner refuses ({}: {})",
                    e.code().as_str(),
                    e.message()
                ),
            };
            let got: Vec<(&str, &Value)> = claims.iter().collect();
            assert_eq!(got.len(), members.len());
            for ((name, value), (want_name, want)) in got.iter().zip(members) {
                assert_eq!(name, want_name);
                assert_eq!(**value, want.to_value(), "member {name}");
            }
            // The typed accessors never panic.
            let _ = (
                claims.exp(),
                claims.nbf(),
                claims.iat(),
                claims.sub(),
                claims.iss(),
            );
            let _ = (claims.jti(), claims.audiences(), claims.to_json());
        }
        (_, Ok(_)) => {
            panic!("scanner accepts what serde refuses or finds duplicated: {reference:?}")
        }
        _ => {}
    }

    // Small depth caps: the scanner and the serde-based strict parser agree exactly.
    let depth = reference.as_ref().map_or(16, J::depth);
    for cap in [depth.saturating_sub(1), depth, 16] {
        let a = hook::scan_claims(data, cap).map(|c| c.into_map());
        let b = hook::strict_object(data, cap);
        match (&a, &b) {
            (Ok(x), Ok(y)) => assert_eq!(x, y),
            (Err(x), Err(y)) => assert_eq!(x.code(), y.code(), "cap {cap}"),
            _ => panic!(
                "cap {cap}: scanner {:?} vs strict {:?}",
                a.as_ref().map(drop).map_err(|e| e.code()),
                b.as_ref().map(drop).map_err(|e| e.code())
            ),
        }
    }

    // The raw-containers builder and the registered claims.
    let raw = hook::scan_build(data, 1_000, &mut RawBuilder);
    assert_eq!(raw.is_ok(), scanned.is_ok());
    if let (Ok((object, names, registered)), Ok(J::Obj(members))) = (&raw, &reference) {
        assert_eq!(object.len(), members.len());
        for ((name, value), (want_name, want)) in object.iter().zip(members) {
            assert_eq!(name, want_name);
            assert_eq!(*value, want.to_value(), "member {name}");
        }
        let want_names: Vec<&str> = members.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, &want_names);
        for (name, got) in registered {
            let want = members.iter().find(|(n, _)| n == name).map(|(_, v)| v);
            check_registered(name, got, want);
        }
    }
});
