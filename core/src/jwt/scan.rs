//! One-pass strict scanner for JWT payloads: validates the whole document with the same rules
//! as [`super::json::parse_object`] (one object, valid UTF-8, no duplicate members at any level,
//! nesting capped, numbers finite, no lone surrogates) and extracts only the registered claims,
//! without building a map. Strings without escapes are borrowed from the payload.

use std::borrow::Cow;

use serde_json::Value;

use super::claims::{name_of, Claims, Name};
use crate::{Error, ErrorCode};

/// serde_json's own recursion limit (128 nested containers): kept so both parsers refuse the
/// same documents.
const SERDE_RECURSION_LIMIT: usize = 128;

/// A registered claim as found in the payload.
#[derive(Debug, Default)]
pub(crate) enum Claim<'a> {
    /// The claim is not present.
    #[default]
    Absent,
    /// A JSON number.
    Number(f64),
    /// A JSON string.
    Str(Cow<'a, str>),
    /// A JSON array whose elements are all strings.
    Strs(Vec<Cow<'a, str>>),
    /// Any other JSON value.
    Other,
}

/// The registered claims of a payload and the names of all its top-level members.
#[derive(Debug, Default)]
pub(crate) struct Registered<'a> {
    pub exp: Claim<'a>,
    pub nbf: Claim<'a>,
    pub iat: Claim<'a>,
    pub iss: Claim<'a>,
    pub sub: Claim<'a>,
    pub jti: Claim<'a>,
    pub aud: Claim<'a>,
    pub names: Vec<Cow<'a, str>>,
    /// The claims, when they were read from an already built map instead of scanned.
    pub map: Option<&'a Claims>,
}

impl<'a> Registered<'a> {
    /// Whether the payload has a top-level member `name`.
    pub(crate) fn has(&self, name: &str) -> bool {
        match self.map {
            Some(map) => map.contains_key(name),
            None => self.names.iter().any(|n| n == name),
        }
    }

    /// Where the registered claim `name` is recorded; `None` for any other member.
    fn slot(&mut self, name: &str) -> Option<&mut Claim<'a>> {
        Some(match name {
            "exp" => &mut self.exp,
            "nbf" => &mut self.nbf,
            "iat" => &mut self.iat,
            "iss" => &mut self.iss,
            "sub" => &mut self.sub,
            "jti" => &mut self.jti,
            "aud" => &mut self.aud,
            _ => return None,
        })
    }

    /// The registered claims of claims already parsed (strictly).
    pub(crate) fn from_claims(map: &'a Claims) -> Registered<'a> {
        let mut reg = Registered {
            map: Some(map),
            ..Registered::default()
        };
        // One walk over the members instead of a lookup per registered claim.
        for (name, value) in map.iter() {
            let Some(slot) = reg.slot(name) else {
                continue;
            };
            *slot = match value {
                Value::Number(n) => n.as_f64().map_or(Claim::Other, Claim::Number),
                Value::String(s) => Claim::Str(Cow::Borrowed(s)),
                Value::Array(items) => items
                    .iter()
                    .map(|v| v.as_str().map(Cow::Borrowed))
                    .collect::<Option<Vec<_>>>()
                    .map_or(Claim::Other, Claim::Strs),
                _ => Claim::Other,
            };
        }
        reg
    }
}

/// An object's members as parsed (the common claim names without an allocation).
type Members = Vec<(Name, Value)>;

enum Fail {
    Malformed,
    TooDeep,
}

type Step<T> = Result<T, Fail>;

/// Scans `bytes` as a JWT payload (see the module docs).
pub(crate) fn scan<'a>(
    bytes: &'a [u8],
    max_depth: usize,
    what: &'static str,
) -> Result<Registered<'a>, Error> {
    let mut reg = Registered::default();
    // The top-level member names stay for `Registered::has`.
    let scanner = run(bytes, max_depth, what, 16, |s| {
        s.document::<false>(max_depth, Some(&mut reg)).map(drop)
    })?;
    reg.names = scanner.names;
    Ok(reg)
}

/// Parses `bytes` as a JWT payload into its claims, with the same rules as [`scan`] and in
/// the same single pass (no second parser, no intermediate tokens).
pub(crate) fn parse(bytes: &[u8], max_depth: usize, what: &'static str) -> Result<Claims, Error> {
    let mut members = None;
    // Duplicates are found among the members being collected: no list of names.
    run(bytes, max_depth, what, 0, |s| {
        members = s.document::<true>(max_depth, None)?;
        Ok(())
    })?;
    let members = members.ok_or_else(|| Error::new(ErrorCode::Malformed, what))?;
    Ok(Claims::from_unique(members))
}

/// Runs `document` over `bytes` and maps its failure to the error codes of the strict parser.
fn run<'a>(
    bytes: &'a [u8],
    max_depth: usize,
    what: &'static str,
    names_capacity: usize,
    document: impl FnOnce(&mut Scanner<'a>) -> Step<()>,
) -> Result<Scanner<'a>, Error> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        // Refused either way; the map-building parser decides which error comes first
        // (nesting can be reported before the bad bytes are reached).
        return Err(super::json::parse_object(bytes, max_depth, what)
            .err()
            .unwrap_or_else(|| Error::new(ErrorCode::Malformed, what)));
    };
    let mut scanner = Scanner {
        text,
        b: bytes,
        i: 0,
        names: Vec::with_capacity(names_capacity),
    };
    match document(&mut scanner) {
        Ok(()) => Ok(scanner),
        Err(Fail::Malformed) => Err(Error::new(ErrorCode::Malformed, what)),
        Err(Fail::TooDeep) => Err(Error::new(
            ErrorCode::TokenTooLarge,
            "JSON nesting exceeds the configured depth",
        )),
    }
}

/// A JSON number's value as serde_json reads it: non-negative integers that fit are `u64`,
/// everything else goes through serde_json itself so the two parsers never disagree.
fn number_value(text: &str) -> Step<Value> {
    if text.len() <= 19 && text.bytes().all(|c| c.is_ascii_digit()) {
        if let Ok(n) = text.parse::<u64>() {
            return Ok(Value::from(n));
        }
    }
    serde_json::from_str::<serde_json::Number>(text)
        .map(Value::Number)
        .map_err(|_| Fail::Malformed)
}

/// A 64-bit filter of the member names seen in one object: a name whose bit was never set is
/// new, so the exact duplicate check (a linear scan) runs only when two names share a bit.
#[derive(Default)]
struct NameFilter(u64);

impl NameFilter {
    /// Records `name`; false when it certainly was not seen before.
    fn maybe_seen(&mut self, name: &str) -> bool {
        let bytes = name.as_bytes();
        let mut head = [0u8; 8];
        let n = bytes.len().min(8);
        head[..n].copy_from_slice(&bytes[..n]);
        let hash =
            (u64::from_le_bytes(head) ^ bytes.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let bit = 1u64 << (hash >> 58);
        let seen = self.0 & bit != 0;
        self.0 |= bit;
        seen
    }
}

struct Scanner<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
    /// Member names of the open objects, innermost last (the top level stays for `required`).
    names: Vec<Cow<'a, str>>,
}

fn hex(c: u8) -> Step<u32> {
    match c {
        b'0'..=b'9' => Ok(u32::from(c - b'0')),
        b'a'..=b'f' => Ok(u32::from(c - b'a' + 10)),
        b'A'..=b'F' => Ok(u32::from(c - b'A' + 10)),
        _ => Err(Fail::Malformed),
    }
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Step<u8> {
        self.b.get(self.i).copied().ok_or(Fail::Malformed)
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    fn expect(&mut self, c: u8) -> Step<()> {
        self.ws();
        if self.peek()? != c {
            return Err(Fail::Malformed);
        }
        self.i += 1;
        Ok(())
    }

    /// The whole document: one object and nothing after it. `reg` (validation mode) records
    /// the registered claims; with `B` the object's value is built instead.
    fn document<const B: bool>(
        &mut self,
        max_depth: usize,
        reg: Option<&mut Registered<'a>>,
    ) -> Step<Option<Members>> {
        self.ws();
        if self.peek()? != b'{' {
            // Not an object: malformed, unless the value is too deep first (the map-building
            // parser reads the whole value before looking at its type).
            self.value::<false>(max_depth, 0)?;
            return Err(Fail::Malformed);
        }
        let value = self.object::<B>(max_depth, 1, reg)?;
        self.ws();
        if self.i != self.b.len() {
            return Err(Fail::Malformed);
        }
        Ok(value)
    }

    /// A value whose container allows `depth` more levels; `nest` counts enclosing containers.
    /// Built (`Some`) with `B`, only validated (`None`) without.
    fn value<const B: bool>(&mut self, depth: usize, nest: usize) -> Step<Option<Value>> {
        let literal =
            |s: &mut Self, word: &[u8], value: Value| s.literal(word).map(|()| B.then_some(value));
        match self.peek()? {
            b'"' => {
                let s = self.string()?;
                Ok(B.then(|| Value::String(s.into_owned())))
            }
            b'{' => {
                let members = self.object::<B>(depth, nest + 1, None)?;
                // Unique names: collecting sorts them once and builds the map in bulk.
                Ok(members.map(|m| {
                    Value::Object(m.into_iter().map(|(n, v)| (n.into_owned(), v)).collect())
                }))
            }
            b'[' => self.array::<B>(depth, nest + 1, None),
            b'-' | b'0'..=b'9' => {
                let text = self.number()?;
                if B {
                    number_value(text).map(Some)
                } else {
                    Ok(None)
                }
            }
            b't' => literal(self, b"true", Value::Bool(true)),
            b'f' => literal(self, b"false", Value::Bool(false)),
            b'n' => literal(self, b"null", Value::Null),
            _ => Err(Fail::Malformed),
        }
    }

    fn literal(&mut self, word: &[u8]) -> Step<()> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err(Fail::Malformed)
        }
    }

    /// An object at `{`. `reg` is set for the top level in validation mode, whose registered
    /// claims are recorded.
    fn object<const B: bool>(
        &mut self,
        depth: usize,
        nest: usize,
        mut reg: Option<&mut Registered<'a>>,
    ) -> Step<Option<Members>> {
        if nest >= SERDE_RECURSION_LIMIT {
            return Err(Fail::Malformed);
        }
        self.i += 1;
        let base = self.names.len();
        let mut seen = NameFilter::default();
        let mut members: Members = Vec::new();
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            return Ok(B.then_some(members));
        }
        loop {
            self.ws();
            if self.peek()? != b'"' {
                return Err(Fail::Malformed);
            }
            let name = self.string()?;
            // The map-building parser asks for a child level before reading the colon.
            let child = depth.checked_sub(1).ok_or(Fail::TooDeep)?;
            self.expect(b':')?;
            self.ws();
            let value = match reg.as_deref_mut() {
                Some(reg) => self.member(&name, child, nest, reg).map(|()| None)?,
                None => self.value::<B>(child, nest)?,
            };
            // Duplicates are checked after the value, like the map-building parser.
            let duplicate = seen.maybe_seen(&name)
                && match value {
                    Some(_) => members.iter().any(|(n, _)| *n == name),
                    None => self.names[base..].contains(&name),
                };
            if duplicate {
                return Err(Fail::Malformed);
            }
            match value {
                Some(value) => {
                    if members.capacity() == 0 {
                        members.reserve(16);
                    }
                    members.push((name_of(name), value));
                }
                None => self.names.push(name),
            }
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    break;
                }
                _ => return Err(Fail::Malformed),
            }
        }
        if reg.is_none() {
            self.names.truncate(base);
        }
        Ok(B.then_some(members))
    }

    /// A top-level member's value, recorded when `name` is a registered claim.
    fn member(
        &mut self,
        name: &str,
        depth: usize,
        nest: usize,
        reg: &mut Registered<'a>,
    ) -> Step<()> {
        let Some(slot) = reg.slot(name) else {
            return self.value::<false>(depth, nest).map(drop);
        };
        *slot = match self.peek()? {
            b'"' => Claim::Str(self.string()?),
            b'-' | b'0'..=b'9' => {
                let text = self.number()?;
                Claim::Number(text.parse::<f64>().map_err(|_| Fail::Malformed)?)
            }
            b'[' => {
                let mut strings = Some(Vec::new());
                self.array::<false>(depth, nest + 1, Some(&mut strings))?;
                strings.map_or(Claim::Other, Claim::Strs)
            }
            _ => {
                self.value::<false>(depth, nest)?;
                Claim::Other
            }
        };
        Ok(())
    }

    /// An array at `[`. `strings` (validation mode) collects the elements while they are all
    /// strings and is cleared at the first element that is not.
    fn array<const B: bool>(
        &mut self,
        depth: usize,
        nest: usize,
        mut strings: Option<&mut Option<Vec<Cow<'a, str>>>>,
    ) -> Step<Option<Value>> {
        if nest >= SERDE_RECURSION_LIMIT {
            return Err(Fail::Malformed);
        }
        self.i += 1;
        // The map-building parser asks for a child level before looking for an element.
        let child = depth.checked_sub(1).ok_or(Fail::TooDeep)?;
        let mut items = Vec::new();
        self.ws();
        if self.peek()? == b']' {
            self.i += 1;
            return Ok(B.then_some(Value::Array(items)));
        }
        loop {
            self.ws();
            match (self.peek()?, strings.as_deref_mut()) {
                (b'"', Some(Some(list))) => list.push(self.string()?),
                (_, Some(collected)) => {
                    *collected = None;
                    self.value::<false>(child, nest)?;
                }
                (_, None) => items.extend(self.value::<B>(child, nest)?),
            }
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Ok(B.then_some(Value::Array(items)));
                }
                _ => return Err(Fail::Malformed),
            }
        }
    }

    /// A number's text; its value must be finite (serde_json refuses overflowing numbers).
    fn number(&mut self) -> Step<&'a str> {
        let start = self.i;
        if self.b[self.i] == b'-' {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => self.digits(),
            _ => return Err(Fail::Malformed),
        }
        let int_len = self.i - start;
        let mut exact = true;
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            if !self.peek()?.is_ascii_digit() {
                return Err(Fail::Malformed);
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.b.get(self.i) {
            exact = false;
            self.i += 1;
            if let Some(b'+' | b'-') = self.b.get(self.i) {
                self.i += 1;
            }
            if !self.peek()?.is_ascii_digit() {
                return Err(Fail::Malformed);
            }
            self.digits();
        }
        let text = &self.text[start..self.i];
        if (!exact || int_len > 300) && !text.parse::<f64>().is_ok_and(f64::is_finite) {
            return Err(Fail::Malformed);
        }
        Ok(text)
    }

    fn digits(&mut self) {
        while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
    }

    /// A string at `"`: borrowed when it has no escapes.
    fn string(&mut self) -> Step<Cow<'a, str>> {
        self.i += 1;
        let start = self.i;
        loop {
            let c = self.peek()?;
            match c {
                b'"' => {
                    let s = &self.text[start..self.i];
                    self.i += 1;
                    return Ok(Cow::Borrowed(s));
                }
                b'\\' => break,
                0..=0x1f => return Err(Fail::Malformed),
                _ => self.i += 1,
            }
        }
        let mut out = String::with_capacity(self.i - start + 16);
        out.push_str(&self.text[start..self.i]);
        loop {
            let c = self.peek()?;
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(Cow::Owned(out));
                }
                b'\\' => {
                    self.i += 1;
                    self.escape(&mut out)?;
                }
                0..=0x1f => return Err(Fail::Malformed),
                _ => {
                    let run = self.i;
                    while self
                        .b
                        .get(self.i)
                        .is_some_and(|&c| c != b'"' && c != b'\\' && c >= 0x20)
                    {
                        self.i += 1;
                    }
                    out.push_str(&self.text[run..self.i]);
                }
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Step<()> {
        let c = self.peek()?;
        self.i += 1;
        let ch = match c {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let n = self.hex4()?;
                let code = match n {
                    0xDC00..=0xDFFF => return Err(Fail::Malformed),
                    0xD800..=0xDBFF => {
                        if !self.b[self.i..].starts_with(b"\\u") {
                            return Err(Fail::Malformed);
                        }
                        self.i += 2;
                        let low = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return Err(Fail::Malformed);
                        }
                        0x1_0000 + ((n - 0xD800) << 10) + (low - 0xDC00)
                    }
                    _ => n,
                };
                char::from_u32(code).ok_or(Fail::Malformed)?
            }
            _ => return Err(Fail::Malformed),
        };
        out.push(ch);
        Ok(())
    }

    fn hex4(&mut self) -> Step<u32> {
        let digits = self.b.get(self.i..self.i + 4).ok_or(Fail::Malformed)?;
        let mut n = 0;
        for &d in digits {
            n = (n << 4) | hex(d)?;
        }
        self.i += 4;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt::json::parse_object;

    /// The scanner, in both modes, and the map-building parser agree on acceptance, on the
    /// error code and on the claims built.
    fn agree(doc: &[u8], depth: usize) {
        let a = scan(doc, depth, "x").map(drop).map_err(|e| e.code());
        let b = parse_object(doc, depth, "x").map_err(|e| e.code());
        let c = parse(doc, depth, "x")
            .map(Claims::into_map)
            .map_err(|e| e.code());
        assert_eq!(
            a,
            b.as_ref().map(drop).map_err(|e| *e),
            "{:?}",
            String::from_utf8_lossy(doc)
        );
        assert_eq!(c, b, "{:?}", String::from_utf8_lossy(doc));
    }

    #[test]
    fn agrees_with_the_strict_parser() {
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(200), "]".repeat(200));
        let docs: Vec<&[u8]> = vec![
            br#"{"a":1,"b":[1,{"c":2}]}"#,
            br#"{"a":1,"a":2}"#,
            br#"{"a":1,"\u0061":2}"#,
            br#"{"a":{"b":1,"b":2}}"#,
            br#"{"a":{"b":1},"c":{"b":2}}"#,
            br#"{"a":{"a":{"a":{"a":1}}}}"#,
            br#"{"a":[]}"#,
            br#"{"a":{}}"#,
            br#"{"a":[[]]}"#,
            br#"{"a":[{}]}"#,
            b"[1]",
            b"1",
            b"",
            b"{}",
            b" {} ",
            b"{\"a\":1} x",
            b"{\"a\":\"\xff\"}",
            b"{\"a\":\"\x01\"}",
            br#"{"a":"\ud800"}"#,
            br#"{"a":"\udc00"}"#,
            br#"{"a":"\ud83d\ude00"}"#,
            br#"{"a":"\ud83d\u0041"}"#,
            br#"{"a":"\x"}"#,
            br#"{"a":"\u00g1"}"#,
            br#"{"a":1e400}"#,
            br#"{"a":-1e400}"#,
            br#"{"a":1e-400}"#,
            br#"{"a":01}"#,
            br#"{"a":1.}"#,
            br#"{"a":.1}"#,
            br#"{"a":-}"#,
            br#"{"a":1.5e+3,"b":-0,"c":1E2}"#,
            br#"{"a":tru}"#,
            br#"{"a":true,"b":false,"c":null}"#,
            br#"{"a":1,}"#,
            br#"{"a":[1,]}"#,
            br#"{"a" 1}"#,
            br#"{a:1}"#,
            br#"{"exp":"1","aud":["x",1],"iss":null}"#,
            br#"{"aud":["x","y"],"sub":"a\"b"}"#,
            deep.as_bytes(),
        ];
        for doc in &docs {
            for depth in [0, 1, 2, 3, 16, 200] {
                agree(doc, depth);
            }
        }
        let long = format!("{{\"a\":{}}}", "9".repeat(400));
        agree(long.as_bytes(), 16);
    }

    #[test]
    fn agrees_on_mutated_documents() {
        let seed = br#"{"iss":"a\u00e9\ud83d\ude00","aud":["x","y"],"exp":1.5e3,"n":[{"k":[true,false,null]},-0.25E-2],"s":"q\"\\\/\b\f\n\r\t"}"#;
        let alphabet = b"{}[]\",:\\u0123456789abcdefABCDEF.eE+-tfn \x01\xc3\xa9\xff";
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        assert!(scan(seed, 16, "x").is_ok());
        agree(seed, 16);
        for _ in 0..20_000 {
            let mut doc = seed.to_vec();
            for _ in 0..(next() % 3 + 1) {
                let pos = (next() as usize) % doc.len();
                let c = alphabet[(next() as usize) % alphabet.len()];
                match next() % 3 {
                    0 => doc[pos] = c,
                    1 => doc.insert(pos, c),
                    _ => {
                        doc.remove(pos);
                    }
                }
                if doc.is_empty() {
                    break;
                }
            }
            for depth in [1, 2, 3, 16] {
                agree(&doc, depth);
            }
        }
    }

    #[test]
    fn extracts_registered_claims() {
        let reg = scan(
            br#"{"exp":10,"iat":1.5,"iss":"i\u0073s","aud":["a","b"],"sub":"s","x":{"exp":"no"}}"#,
            16,
            "x",
        )
        .unwrap();
        assert!(matches!(reg.exp, Claim::Number(n) if n == 10.0));
        assert!(matches!(reg.iat, Claim::Number(n) if n == 1.5));
        assert!(matches!(&reg.iss, Claim::Str(s) if s == "iss"));
        assert!(matches!(&reg.aud, Claim::Strs(v) if v.len() == 2));
        assert!(matches!(reg.nbf, Claim::Absent));
        assert!(reg.has("x") && reg.has("sub") && !reg.has("y"));
        let reg = scan(br#"{"aud":["a",2],"jti":5}"#, 16, "x").unwrap();
        assert!(matches!(reg.aud, Claim::Other));
        assert!(matches!(reg.jti, Claim::Number(_)));
    }
}
