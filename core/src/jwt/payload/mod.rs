//! One-pass strict scanner for JWT payloads: validates the whole document with the same rules
//! as [`crate::json::parse_object`] (one object, valid UTF-8, no duplicate members at any level,
//! nesting capped, numbers finite, no lone surrogates) and records the registered claims, while
//! a [`ClaimsBuilder`] builds the values in the same pass (nothing when only validating, the
//! [`Claims`] of `verify`, or a binding's own objects). Strings without escapes are borrowed
//! from the payload.

use std::borrow::Cow;

use super::claims::Claims;
use super::claims_builder::{json_f64, ClaimsBuilder, Interrupted, NoBuild, ValueBuilder};
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
}

impl<'a> Registered<'a> {
    /// Whether the payload has a top-level member `name`.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
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
}

/// Word-sized: with a one-byte `Fail`, a `Step<Cow<str>>` was copied with a load straddling
/// two of the callee's stores (a store-forwarding stall on every member name).
#[repr(usize)]
enum Fail {
    Malformed,
    TooDeep,
    /// The builder gave up.
    Interrupted,
}

impl From<Interrupted> for Fail {
    fn from(_: Interrupted) -> Fail {
        Fail::Interrupted
    }
}

type Step<T> = Result<T, Fail>;

/// Scans `bytes` as a JWT payload (see the module docs), building nothing.
#[cfg(test)]
pub(crate) fn scan<'a>(
    bytes: &'a [u8],
    max_depth: usize,
    what: &'static str,
) -> Result<Registered<'a>, Error> {
    let mut reg = Registered::default();
    build(bytes, max_depth, what, &mut NoBuild, &mut reg)?;
    Ok(reg)
}

/// Parses `bytes` as a JWT payload into its claims, with the same rules as [`scan`] and in
/// the same single pass (no second parser, no intermediate tokens).
pub(crate) fn parse(bytes: &[u8], max_depth: usize, what: &'static str) -> Result<Claims, Error> {
    let members = build(
        bytes,
        max_depth,
        what,
        &mut ValueBuilder,
        &mut Registered::default(),
    )?;
    Ok(Claims::from_unique(members))
}

/// Scans `bytes` like [`scan`] while `out` builds the payload's values in the same pass;
/// records the registered claims in `reg` (filled in place: it is a few hundred bytes) and
/// returns the top-level object, unfinished.
pub(crate) fn build<'a, K: ClaimsBuilder>(
    bytes: &'a [u8],
    max_depth: usize,
    what: &'static str,
    out: &mut K,
    reg: &mut Registered<'a>,
) -> Result<K::Object, Error> {
    let mut object = None;
    // The top-level member names stay for `Registered::has`.
    let scanner = run(bytes, max_depth, what, |s| {
        object = Some(s.document(out, max_depth, reg)?);
        Ok(())
    })?;
    reg.names = scanner.names;
    object.ok_or_else(|| Error::new(ErrorCode::Malformed, what))
}

/// Runs `document` over `bytes` and maps its failure to the error codes of the strict parser.
fn run<'a>(
    bytes: &'a [u8],
    max_depth: usize,
    what: &'static str,
    document: impl FnOnce(&mut Scanner<'a>) -> Step<()>,
) -> Result<Scanner<'a>, Error> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        // Refused either way; the map-building parser decides which error comes first
        // (nesting can be reported before the bad bytes are reached).
        return Err(crate::json::parse_object(bytes, max_depth, what)
            .err()
            .unwrap_or_else(|| Error::new(ErrorCode::Malformed, what)));
    };
    let mut scanner = Scanner {
        text,
        b: bytes,
        i: 0,
        names: Vec::with_capacity(16),
    };
    match document(&mut scanner) {
        Ok(()) => Ok(scanner),
        Err(Fail::Malformed) => Err(Error::new(ErrorCode::Malformed, what)),
        Err(Fail::TooDeep) => Err(Error::new(
            ErrorCode::TokenTooLarge,
            "JSON nesting exceeds the configured depth",
        )),
        Err(Fail::Interrupted) => Err(Error::new(
            ErrorCode::Internal,
            "the claims could not be built",
        )),
    }
}

/// A 64-bit filter of the member names seen in one object: a name whose bit was never set is
/// new, so the exact duplicate check (a linear scan) runs only when two names share a bit.
#[derive(Default)]
struct NameFilter(u64);

impl NameFilter {
    /// Records `name`; false when it certainly was not seen before.
    fn maybe_seen(&mut self, name: &str) -> bool {
        let bytes = name.as_bytes();
        // The first eight bytes as one word, assembled in registers: copying them into a stack
        // buffer and reloading it as a word stalled on store forwarding.
        let head = match bytes.first_chunk::<8>() {
            Some(head) => u64::from_le_bytes(*head),
            None => bytes
                .iter()
                .rev()
                .fold(0, |word, &b| (word << 8) | u64::from(b)),
        };
        let hash = (head ^ bytes.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
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

    /// The whole document: one object and nothing after it, its registered claims recorded
    /// in `reg`.
    fn document<K: ClaimsBuilder>(
        &mut self,
        out: &mut K,
        max_depth: usize,
        reg: &mut Registered<'a>,
    ) -> Step<K::Object> {
        self.ws();
        if self.peek()? != b'{' {
            // Not an object: malformed, unless the value is too deep first (the map-building
            // parser reads the whole value before looking at its type).
            self.value(&mut NoBuild, max_depth, 0)?;
            return Err(Fail::Malformed);
        }
        let object = self.object(out, max_depth, 1, Some(reg))?;
        self.ws();
        if self.i != self.b.len() {
            return Err(Fail::Malformed);
        }
        Ok(object)
    }

    /// A value whose container allows `depth` more levels; `nest` counts enclosing containers.
    fn value<K: ClaimsBuilder>(
        &mut self,
        out: &mut K,
        depth: usize,
        nest: usize,
    ) -> Step<K::Value> {
        Ok(match self.peek()? {
            b'"' => {
                let s = self.string()?;
                out.string(&s)?
            }
            b'{' | b'[' if K::RAW_CONTAINERS => {
                let start = self.i;
                self.value(&mut NoBuild, depth, nest)?;
                out.raw(&self.text[start..self.i])?
            }
            b'{' => {
                let object = self.object(out, depth, nest + 1, None)?;
                out.finish_object(object)?
            }
            b'[' => {
                let array = self.array(out, depth, nest + 1, None)?;
                out.finish_array(array)?
            }
            b'-' | b'0'..=b'9' => {
                let text = self.number()?;
                out.number(text)?
            }
            b't' => {
                self.literal(b"true")?;
                out.boolean(true)?
            }
            b'f' => {
                self.literal(b"false")?;
                out.boolean(false)?
            }
            b'n' => {
                self.literal(b"null")?;
                out.null()?
            }
            _ => return Err(Fail::Malformed),
        })
    }

    fn literal(&mut self, word: &[u8]) -> Step<()> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err(Fail::Malformed)
        }
    }

    /// An object at `{`. `reg` is set for the top level, whose registered claims are recorded
    /// and whose member names stay in `names`.
    fn object<K: ClaimsBuilder>(
        &mut self,
        out: &mut K,
        depth: usize,
        nest: usize,
        mut reg: Option<&mut Registered<'a>>,
    ) -> Step<K::Object> {
        if nest >= SERDE_RECURSION_LIMIT {
            return Err(Fail::Malformed);
        }
        self.i += 1;
        let base = self.names.len();
        let mut seen = NameFilter::default();
        let mut object = out.object()?;
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            return Ok(object);
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
                Some(reg) => self.member(out, &name, child, nest, reg)?,
                None => self.value(out, child, nest)?,
            };
            // Duplicates are checked after the value, like the map-building parser.
            if seen.maybe_seen(&name) && self.names[base..].contains(&name) {
                return Err(Fail::Malformed);
            }
            out.member(&mut object, &name, value)?;
            self.names.push(name);
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
        Ok(object)
    }

    /// A top-level member's value, recorded when `name` is a registered claim.
    fn member<K: ClaimsBuilder>(
        &mut self,
        out: &mut K,
        name: &str,
        depth: usize,
        nest: usize,
        reg: &mut Registered<'a>,
    ) -> Step<K::Value> {
        let Some(slot) = reg.slot(name) else {
            return self.value(out, depth, nest);
        };
        // Each arm records the claim itself: assembling (claim, value) pairs cost a
        // store-forwarding stall per member.
        Ok(match self.peek()? {
            b'"' => {
                let s = self.string()?;
                let value = out.string(&s)?;
                *slot = Claim::Str(s);
                value
            }
            b'-' | b'0'..=b'9' => {
                let text = self.number()?;
                *slot = Claim::Number(json_f64(text).ok_or(Fail::Malformed)?);
                out.number(text)?
            }
            b'[' => {
                let mut strings = Some(Vec::new());
                let value = if K::RAW_CONTAINERS {
                    let start = self.i;
                    self.array(&mut NoBuild, depth, nest + 1, Some(&mut strings))?;
                    out.raw(&self.text[start..self.i])?
                } else {
                    let array = self.array(out, depth, nest + 1, Some(&mut strings))?;
                    out.finish_array(array)?
                };
                *slot = strings.map_or(Claim::Other, Claim::Strs);
                value
            }
            _ => {
                *slot = Claim::Other;
                self.value(out, depth, nest)?
            }
        })
    }

    /// An array at `[`. `strings` collects the elements while they are all strings and is
    /// cleared at the first element that is not.
    fn array<K: ClaimsBuilder>(
        &mut self,
        out: &mut K,
        depth: usize,
        nest: usize,
        mut strings: Option<&mut Option<Vec<Cow<'a, str>>>>,
    ) -> Step<K::Array> {
        if nest >= SERDE_RECURSION_LIMIT {
            return Err(Fail::Malformed);
        }
        self.i += 1;
        // The map-building parser asks for a child level before looking for an element.
        let child = depth.checked_sub(1).ok_or(Fail::TooDeep)?;
        let mut array = out.array()?;
        self.ws();
        if self.peek()? == b']' {
            self.i += 1;
            return Ok(array);
        }
        loop {
            self.ws();
            let value = match (self.peek()?, strings.as_deref_mut()) {
                (b'"', Some(Some(list))) => {
                    let s = self.string()?;
                    let value = out.string(&s)?;
                    list.push(s);
                    value
                }
                (_, Some(collected)) => {
                    *collected = None;
                    self.value(out, child, nest)?
                }
                (_, None) => self.value(out, child, nest)?,
            };
            out.element(&mut array, value)?;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Ok(array);
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
            match self.peek()? {
                b'"' => {
                    let s = &self.text[start..self.i];
                    self.i += 1;
                    return Ok(Cow::Borrowed(s));
                }
                b'\\' => return self.escaped_string(start),
                0..=0x1f => return Err(Fail::Malformed),
                _ => self.i += 1,
            }
        }
    }

    /// The rest of a string that started at `start` and has an escape at the current byte.
    fn escaped_string(&mut self, start: usize) -> Step<Cow<'a, str>> {
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
    use crate::json::parse_object;
    use crate::jwt::claims_builder::Built;

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

    /// Records what a builder is handed, nested containers as their JSON text.
    #[derive(Default)]
    struct RawRecorder {
        seen: Vec<String>,
        fail_at: Option<usize>,
    }

    impl RawRecorder {
        fn note(&mut self, what: String) -> Built<()> {
            self.seen.push(what);
            match self.fail_at {
                Some(n) if self.seen.len() > n => Err(Interrupted),
                _ => Ok(()),
            }
        }
    }

    impl ClaimsBuilder for RawRecorder {
        type Value = ();
        type Object = ();
        type Array = ();
        const RAW_CONTAINERS: bool = true;

        fn null(&mut self) -> Built<()> {
            self.note("null".into())
        }
        fn boolean(&mut self, value: bool) -> Built<()> {
            self.note(value.to_string())
        }
        fn number(&mut self, text: &str) -> Built<()> {
            self.note(format!("n:{text}"))
        }
        fn string(&mut self, value: &str) -> Built<()> {
            self.note(format!("s:{value}"))
        }
        fn object(&mut self) -> Built<()> {
            Ok(())
        }
        fn member(&mut self, _: &mut (), name: &str, _: ()) -> Built<()> {
            self.note(format!("m:{name}"))
        }
        fn finish_object(&mut self, _: ()) -> Built<()> {
            unreachable!("nested objects come as raw text")
        }
        fn array(&mut self) -> Built<()> {
            unreachable!("arrays come as raw text")
        }
        fn element(&mut self, _: &mut (), _: ()) -> Built<()> {
            unreachable!("arrays come as raw text")
        }
        fn finish_array(&mut self, _: ()) -> Built<()> {
            unreachable!("arrays come as raw text")
        }
        fn raw(&mut self, json: &str) -> Built<()> {
            self.note(format!("raw:{json}"))
        }
    }

    #[test]
    fn raw_builders_get_nested_containers_as_text_and_the_claims_are_still_recorded() {
        let doc = br#"{"aud":["a", "b"],"x":{"k":[1,{"z":null}]},"exp":7,"s":"qA","t":true}"#;
        let mut out = RawRecorder::default();
        let mut reg = Registered::default();
        build(doc, 16, "x", &mut out, &mut reg).unwrap();
        assert_eq!(
            out.seen,
            [
                r#"raw:["a", "b"]"#,
                "m:aud",
                r#"raw:{"k":[1,{"z":null}]}"#,
                "m:x",
                "n:7",
                "m:exp",
                "s:qA",
                "m:s",
                "true",
                "m:t",
            ]
        );
        assert!(matches!(&reg.aud, Claim::Strs(v) if v.len() == 2));
        assert!(matches!(reg.exp, Claim::Number(n) if n == 7.0));
        // Raw text is validated like everything else.
        let bad = br#"{"x":{"k":1,"k":2}}"#;
        let err = build(
            bad,
            16,
            "x",
            &mut RawRecorder::default(),
            &mut Registered::default(),
        );
        assert_eq!(err.unwrap_err().code(), ErrorCode::Malformed);
    }

    #[test]
    fn a_builder_that_gives_up_ends_the_scan_with_an_internal_error() {
        let mut out = RawRecorder {
            fail_at: Some(2),
            ..RawRecorder::default()
        };
        let err = build(
            br#"{"a":1,"b":2,"c":3}"#,
            16,
            "x",
            &mut out,
            &mut Registered::default(),
        )
        .unwrap_err();
        assert_eq!(err.code(), ErrorCode::Internal);
        assert_eq!(
            out.seen.len(),
            3,
            "nothing is built after the builder gave up"
        );
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
