//! The claims of a verified token.
//!
//! A purpose-built type rather than a `serde_json::Map`: a token carries a handful of members,
//! and building a `BTreeMap` of them (a search and a node shuffle per member, plus an allocation
//! per name) cost more than the whole rest of an HS256 verification. `Claims` keeps the members
//! in the token's order in one vector, with the registered names (`iss`, `sub`, …) not even
//! allocated. Lookups are linear, which for a few dozen members beats a tree.
//!
//! The claims of a verified token are built lazily: the verifier's one strict pass over the
//! payload records where each member's JSON text is, and a member's `Value` is built from it the
//! first time it is read. Building every value (an allocation per string) was most of what
//! `verify` added to an RSA signature check, and a caller typically reads two or three claims.

use std::borrow::Cow;
use std::ops::{Index, Range};
use std::sync::OnceLock;

use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

/// A member name: the common claim names are static, every other name is owned.
pub(crate) type Name = Cow<'static, str>;

/// A member name, without an allocation for the common claim names.
pub(crate) fn name_of(name: Cow<'_, str>) -> Name {
    match Claims::common_index(&name) {
        Some(i) => Cow::Borrowed(Claims::COMMON_NAMES[i]),
        None => Cow::Owned(name.into_owned()),
    }
}

/// The claims of a token: a JSON object with unique member names, in the token's order.
///
/// Read members with [`Claims::get`] (or `claims["name"]`, `Null` when absent), the registered
/// claims with typed accessors ([`Claims::sub`], [`Claims::exp`], …); convert with
/// [`Claims::into_map`] or `Value::from`. It serializes as the JSON object.
#[derive(Clone, Default)]
pub struct Claims {
    members: Vec<Member>,
    /// The verified payload text that members not yet read are built from; `None` for claims
    /// built from values.
    source: Option<Box<str>>,
    /// Whether a member was inserted or removed since the payload was read: `to_json` returns
    /// the payload text itself only for claims as verified.
    edited: bool,
}

/// One member: its value once built, and where its JSON text is in [`Claims::source`].
#[derive(Clone)]
pub(crate) struct Member {
    name: MemberName,
    value: OnceLock<Value>,
    text: Range<usize>,
}

/// A member's name: where it is in [`Claims::source`] when it has no escapes (a verified
/// token's names cost no allocation and no lookup), else its own text.
#[derive(Clone)]
enum MemberName {
    InSource(Range<u32>),
    Named(Name),
}

impl Member {
    /// A member whose value is built from `source[text]` when first read, named by
    /// `source[name]`.
    pub(crate) fn lazy(name: Range<usize>, text: Range<usize>) -> Member {
        // Payloads are capped far below 4 GiB (`max_token_size`); a span that does not fit is
        // stored as a name that reads as empty, which no caller can reach.
        let at = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        Member {
            name: MemberName::InSource(at(name.start)..at(name.end)),
            value: OnceLock::new(),
            text,
        }
    }

    /// A member whose name has escapes, so is not the text at its place in the payload.
    pub(crate) fn lazy_named(name: Name, text: Range<usize>) -> Member {
        Member {
            name: MemberName::Named(name),
            value: OnceLock::new(),
            text,
        }
    }

    fn built(name: Name, value: Value) -> Member {
        Member {
            name: MemberName::Named(name),
            value: OnceLock::from(value),
            text: 0..0,
        }
    }

    fn name<'a>(&'a self, source: Option<&'a str>) -> &'a str {
        match &self.name {
            MemberName::Named(name) => name,
            MemberName::InSource(at) => source
                .and_then(|s| s.get(at.start as usize..at.end as usize))
                .unwrap_or_default(),
        }
    }

    /// The name as an owned string (for the owned iterator).
    fn into_name(self, source: Option<&str>) -> (String, Member) {
        let name = match &self.name {
            MemberName::Named(name) => name.to_string(),
            MemberName::InSource(_) => self.name(source).to_owned(),
        };
        (name, self)
    }

    fn value(&self, source: Option<&str>) -> &Value {
        self.value
            .get_or_init(|| build(source.and_then(|s| s.get(self.text.clone()))))
    }

    fn into_value(self, source: Option<&str>) -> Value {
        match self.value.into_inner() {
            Some(value) => value,
            None => build(source.and_then(|s| s.get(self.text.clone()))),
        }
    }
}

/// The value of a member's JSON text, which the verifier's strict pass has already checked;
/// strings without escapes, numbers and literals are built directly, the rest by serde_json.
fn build(text: Option<&str>) -> Value {
    let Some(text) = text else {
        // Only claims built from a payload have spans, and their spans are in it.
        return Value::Null;
    };
    let bytes = text.as_bytes();
    match bytes.first() {
        Some(b'"') if !bytes.contains(&b'\\') => {
            Value::String(text.get(1..text.len() - 1).unwrap_or_default().to_owned())
        }
        Some(b'-' | b'0'..=b'9') => super::claims_builder::json_number(text)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        Some(b't') => Value::Bool(true),
        Some(b'f') => Value::Bool(false),
        Some(b'n') => Value::Null,
        // Checked JSON: serde_json reads it (its depth limit is the scanner's).
        _ => serde_json::from_str(text).unwrap_or(Value::Null),
    }
}

static NULL: Value = Value::Null;

impl Claims {
    /// The claim names stored without an allocation (the registered ones, `scope` and
    /// `client_id`); bindings can keep one host string for each.
    pub const COMMON_NAMES: [&'static str; 9] = [
        "iss",
        "sub",
        "aud",
        "exp",
        "nbf",
        "iat",
        "jti",
        "scope",
        "client_id",
    ];

    /// The position of `name` in [`Claims::COMMON_NAMES`]: a `match` the compiler turns into a
    /// length switch, instead of comparing with every name (this runs once per member).
    pub fn common_index(name: &str) -> Option<usize> {
        Some(match name {
            "iss" => 0,
            "sub" => 1,
            "aud" => 2,
            "exp" => 3,
            "nbf" => 4,
            "iat" => 5,
            "jti" => 6,
            "scope" => 7,
            "client_id" => 8,
            _ => return None,
        })
    }

    /// No claims.
    pub fn new() -> Claims {
        Claims::default()
    }

    /// Claims from members known to have unique names (the strict parser's output).
    pub(crate) fn from_unique(members: Vec<(Name, Value)>) -> Claims {
        Claims {
            members: members
                .into_iter()
                .map(|(name, value)| Member::built(name, value))
                .collect(),
            source: None,
            edited: false,
        }
    }

    /// Claims read from `source`, a payload the strict scanner has checked, whose unique
    /// members' text is where `members` say.
    pub(crate) fn lazy(source: Box<str>, members: Vec<Member>) -> Claims {
        Claims {
            members,
            source: Some(source),
            edited: false,
        }
    }

    fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    /// The value of member `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        let source = self.source();
        self.members
            .iter()
            .find(|m| m.name(source) == name)
            .map(|m| m.value(source))
    }

    /// Whether the claims have a member `name`.
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Sets member `name`, returning its previous value.
    pub fn insert(&mut self, name: String, value: Value) -> Option<Value> {
        self.edited = true;
        let source = self.source.as_deref();
        match self.members.iter_mut().find(|m| m.name(source) == name) {
            Some(member) => {
                // The name stays where it is (a span of the payload stays valid: the payload is
                // kept); the value is replaced.
                let old = std::mem::replace(&mut member.value, OnceLock::from(value));
                let text = std::mem::replace(&mut member.text, 0..0);
                Some(
                    old.into_inner()
                        .unwrap_or_else(|| build(source.and_then(|s| s.get(text)))),
                )
            }
            None => {
                self.members
                    .push(Member::built(name_of(Cow::Owned(name)), value));
                None
            }
        }
    }

    /// Removes member `name`, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let source = self.source();
        let index = self.members.iter().position(|m| m.name(source) == name)?;
        self.edited = true;
        Some(self.members.remove(index).into_value(self.source()))
    }

    /// The number of members.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether there are no members.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The members, in the token's order.
    pub fn iter(&self) -> ClaimsIter<'_> {
        self.into_iter()
    }

    /// The member names, in the token's order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> {
        let source = self.source();
        self.members.iter().map(move |m| m.name(source))
    }

    fn str_claim(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_str)
    }

    /// `sub`, when it is a string.
    pub fn sub(&self) -> Option<&str> {
        self.str_claim("sub")
    }

    /// `iss`, when it is a string.
    pub fn iss(&self) -> Option<&str> {
        self.str_claim("iss")
    }

    /// `jti`, when it is a string.
    pub fn jti(&self) -> Option<&str> {
        self.str_claim("jti")
    }

    /// `exp` in Unix seconds, when it is a number (a fraction rounds down).
    pub fn exp(&self) -> Option<i64> {
        self.get("exp").and_then(numeric_date)
    }

    /// `nbf` in Unix seconds, when it is a number (a fraction rounds down).
    pub fn nbf(&self) -> Option<i64> {
        self.get("nbf").and_then(numeric_date)
    }

    /// `iat` in Unix seconds, when it is a number (a fraction rounds down).
    pub fn iat(&self) -> Option<i64> {
        self.get("iat").and_then(numeric_date)
    }

    /// `aud` as a list: one string, or every string of an array.
    pub fn audiences(&self) -> Vec<&str> {
        match self.get("aud") {
            Some(Value::String(aud)) => vec![aud.as_str()],
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// The claims as JSON text (an object, members in the token's order): for the claims of a
    /// verified token, unchanged since, the token's own payload text as the issuer wrote it.
    pub fn to_json(&self) -> String {
        match &self.source {
            Some(source) if !self.edited => source.to_string(),
            // Serializing string-keyed JSON values into a String cannot fail.
            _ => serde_json::to_string(self).unwrap_or_default(),
        }
    }

    /// The claims as a `serde_json` map (sorted by name).
    pub fn into_map(self) -> Map<String, Value> {
        self.into_iter().collect()
    }
}

fn numeric_date(value: &Value) -> Option<i64> {
    value
        .as_i64()
        .or_else(|| value.as_f64().map(|f| f.floor() as i64))
}

impl std::fmt::Debug for Claims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl PartialEq for Claims {
    /// The same members with equal values, in any order.
    fn eq(&self, other: &Claims) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .all(|(name, value)| other.get(name) == Some(value))
    }
}

impl Index<&str> for Claims {
    type Output = Value;

    /// The member's value, or `Null` when absent (like `serde_json::Value`).
    fn index(&self, name: &str) -> &Value {
        self.get(name).unwrap_or(&NULL)
    }
}

impl FromIterator<(String, Value)> for Claims {
    /// Later members replace earlier ones with the same name.
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Claims {
        let mut claims = Claims::new();
        for (name, value) in iter {
            claims.insert(name, value);
        }
        claims
    }
}

impl From<Map<String, Value>> for Claims {
    fn from(map: Map<String, Value>) -> Claims {
        // A map's names are unique.
        Claims::from_unique(
            map.into_iter()
                .map(|(n, v)| (name_of(n.into()), v))
                .collect(),
        )
    }
}

impl From<Claims> for Map<String, Value> {
    fn from(claims: Claims) -> Map<String, Value> {
        claims.into_map()
    }
}

impl From<Claims> for Value {
    fn from(claims: Claims) -> Value {
        Value::Object(claims.into_map())
    }
}

/// The owned members of [`Claims`], in the token's order.
pub struct ClaimsIntoIter {
    members: std::vec::IntoIter<Member>,
    source: Option<Box<str>>,
}

impl Iterator for ClaimsIntoIter {
    type Item = (String, Value);

    fn next(&mut self) -> Option<(String, Value)> {
        let source = self.source.as_deref();
        let (name, member) = self.members.next()?.into_name(source);
        Some((name, member.into_value(source)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.members.size_hint()
    }
}

impl ExactSizeIterator for ClaimsIntoIter {}

impl IntoIterator for Claims {
    type Item = (String, Value);
    type IntoIter = ClaimsIntoIter;

    fn into_iter(self) -> ClaimsIntoIter {
        ClaimsIntoIter {
            members: self.members.into_iter(),
            source: self.source,
        }
    }
}

/// The members of [`Claims`] by reference, in the token's order.
pub struct ClaimsIter<'a> {
    members: std::slice::Iter<'a, Member>,
    source: Option<&'a str>,
}

impl<'a> Iterator for ClaimsIter<'a> {
    type Item = (&'a str, &'a Value);

    fn next(&mut self) -> Option<(&'a str, &'a Value)> {
        let member = self.members.next()?;
        Some((member.name(self.source), member.value(self.source)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.members.size_hint()
    }
}

impl ExactSizeIterator for ClaimsIter<'_> {}

impl<'a> IntoIterator for &'a Claims {
    type Item = (&'a str, &'a Value);
    type IntoIter = ClaimsIter<'a>;

    fn into_iter(self) -> ClaimsIter<'a> {
        ClaimsIter {
            members: self.members.iter(),
            source: self.source(),
        }
    }
}

impl Serialize for Claims {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.members.len()))?;
        for (name, value) in self {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Claims {
    /// From a JSON object (members sorted by name: JSON objects carry no order through serde).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Claims, D::Error> {
        Map::deserialize(deserializer).map(Claims::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Claims {
        let map = json!({"sub": "u1", "exp": 1_700_000_000, "aud": ["a", "b"], "x": {"y": 1}});
        Claims::from(map.as_object().cloned().unwrap())
    }

    #[test]
    fn common_index_matches_the_list_of_common_names() {
        for (i, name) in Claims::COMMON_NAMES.iter().enumerate() {
            assert_eq!(Claims::common_index(name), Some(i));
        }
        for other in ["", "is", "issx", "ISS", "tenant", "client"] {
            assert_eq!(Claims::common_index(other), None);
        }
    }

    #[test]
    fn reads_members_and_registered_claims() {
        let claims = sample();
        assert_eq!(claims.len(), 4);
        assert_eq!(claims.sub(), Some("u1"));
        assert_eq!(claims.exp(), Some(1_700_000_000));
        assert_eq!(claims.audiences(), vec!["a", "b"]);
        assert_eq!(claims["x"]["y"], 1);
        assert_eq!(claims["missing"], Value::Null);
        assert!(claims.contains_key("x") && !claims.contains_key("y"));
        assert_eq!(claims.iss(), None);
    }

    #[test]
    fn converts_and_serializes_as_the_object() {
        let claims = sample();
        let text = serde_json::to_string(&claims).unwrap();
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, Value::from(claims.clone()));
        // Equality ignores order (a map comes back sorted by name).
        assert_eq!(Claims::from(claims.clone().into_map()), claims);
        let parsed: Claims = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed, claims);
        assert!(serde_json::from_str::<Claims>("[1]").is_err());
    }

    #[test]
    fn insert_replaces_and_remove_removes() {
        let mut claims = Claims::new();
        assert_eq!(claims.insert("scope".into(), json!("a")), None);
        assert_eq!(claims.insert("scope".into(), json!("b")), Some(json!("a")));
        assert_eq!(claims.len(), 1);
        assert_eq!(claims.remove("scope"), Some(json!("b")));
        assert!(claims.is_empty());
        let claims: Claims = [("a".to_owned(), json!(1)), ("a".to_owned(), json!(2))]
            .into_iter()
            .collect();
        assert_eq!(claims["a"], 2);
    }
}
