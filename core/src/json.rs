//! Strict JSON objects for JOSE headers and claims, JWKs, and the JSON answers of HTTP servers:
//! duplicate members and excessive nesting are errors (serde_json alone keeps the last
//! duplicate, which lets two parsers disagree about what a token says).

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::{Error, ErrorCode};

/// Parses `bytes` as a JSON object with unique member names and at most `max_depth` levels.
pub(crate) fn parse_object(
    bytes: &[u8],
    max_depth: usize,
    what: &'static str,
) -> Result<Map<String, Value>, Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = StrictSeed { depth: max_depth }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    match value {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Error::new(ErrorCode::Malformed, what)),
        Err(e) if e.to_string().starts_with(TOO_DEEP) => Err(Error::new(
            ErrorCode::TokenTooLarge,
            "JSON nesting exceeds the configured depth",
        )),
        Err(_) => Err(Error::new(ErrorCode::Malformed, what)),
    }
}

const TOO_DEEP: &str = "tokenward: nesting too deep";
const DUPLICATE: &str = "tokenward: duplicate member";

struct StrictSeed {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for StrictSeed {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(StrictVisitor { depth: self.depth })
    }
}

struct StrictVisitor {
    depth: usize,
}

impl StrictVisitor {
    fn child<E: serde::de::Error>(&self) -> Result<StrictSeed, E> {
        match self.depth.checked_sub(1) {
            Some(depth) => Ok(StrictSeed { depth }),
            None => Err(E::custom(TOO_DEEP)),
        }
    }
}

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(self.child()?)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(self.child()?)?;
            if out.insert(key, value).is_some() {
                return Err(serde::de::Error::custom(DUPLICATE));
            }
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_and_depth() {
        assert!(parse_object(br#"{"a":1,"b":[1,{"c":2}]}"#, 16, "x").is_ok());
        let dup = parse_object(br#"{"a":1,"a":2}"#, 16, "x").unwrap_err();
        assert_eq!(dup.code(), ErrorCode::Malformed);
        let nested = parse_object(br#"{"a":{"a":{"a":{"a":1}}}}"#, 3, "x").unwrap_err();
        assert_eq!(nested.code(), ErrorCode::TokenTooLarge);
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse_object(deep.as_bytes(), 16, "x").is_err());
        assert!(parse_object(b"[1]", 16, "x").is_err());
        assert!(parse_object(b"{\"a\":1} x", 16, "x").is_err());
        assert!(parse_object(b"{\"a\":\"\xff\"}", 16, "x").is_err());
    }
}
