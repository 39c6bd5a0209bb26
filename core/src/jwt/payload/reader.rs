//! The payload's JSON grammar, read in one pass: objects (names unique at every level, through
//! a 64-bit name filter), arrays, strings (borrowed when they hold no escape), numbers and
//! literals, with the nesting cap. Values go to a [`ClaimsBuilder`] and the top-level members
//! asked for (the registered claims of a JWT) to a [`Record`].

use std::borrow::Cow;

use super::registered::{Claim, Record, Registered};
use crate::jwt::claims_builder::{json_f64, not_digits, ClaimsBuilder, Interrupted, NoBuild};

/// serde_json's own recursion limit (128 nested containers): kept so both parsers refuse the
/// same documents.
const SERDE_RECURSION_LIMIT: usize = 128;

/// Word-sized: with a one-byte `Fail`, a `Step<Cow<str>>` was copied with a load straddling
/// two of the callee's stores (a store-forwarding stall on every member name).
#[repr(usize)]
pub(super) enum Fail {
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

pub(super) type Step<T> = Result<T, Fail>;

/// Where a value goes: handed to the builder by the function that built it, so that it is
/// stored once, into its object or array. Returned to the caller instead, serde_json's `Value`
/// (a tag byte and three words) was copied right after being written, and each such copy
/// stalled on store forwarding: a quarter of an HS256 verify's time went there.
enum Dest<'d, K: ClaimsBuilder> {
    Member(&'d mut K::Object, &'d str),
    Element(&'d mut K::Array),
}

impl<K: ClaimsBuilder> Dest<'_, K> {
    #[inline(always)]
    fn put(self, out: &mut K, value: K::Value) -> Step<()> {
        match self {
            Dest::Member(object, name) => out.member(object, name, value)?,
            Dest::Element(array) => out.element(array, value)?,
        }
        Ok(())
    }
}

/// A 64-bit filter of the member names seen in one object: a name whose bit was never set is
/// new, so the exact duplicate check (a linear scan) runs only when two names share a bit.
#[derive(Default)]
struct NameFilter(u64);

impl NameFilter {
    /// Records a name by its first eight bytes as a word (zero-padded) and its length; false
    /// when it certainly was not seen before.
    fn maybe_seen(&mut self, head: u64, len: usize) -> bool {
        let hash = (head ^ len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let bit = 1u64 << (hash >> 58);
        let seen = self.0 & bit != 0;
        self.0 |= bit;
        seen
    }
}

/// The first eight bytes of `bytes` as one little-endian word, zero-padded; assembled in
/// registers (copying them into a stack buffer and reloading it stalled on store forwarding).
fn head_word(bytes: &[u8]) -> u64 {
    match bytes.first_chunk::<8>() {
        Some(head) => u64::from_le_bytes(*head),
        None => bytes
            .iter()
            .rev()
            .fold(0, |word, &b| (word << 8) | u64::from(b)),
    }
}

/// The JSON reader over one payload.
pub(super) struct Scanner<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
    /// Member names of the open objects, innermost last (the top level stays for `required`).
    pub(super) names: Vec<Cow<'a, str>>,
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `word` that is below `n` (`n` ≤ 0x80). Exact for the lowest
/// such byte; a byte above it may be flagged by the borrow, which no caller looks at.
#[inline(always)]
fn bytes_below(word: u64, n: u8) -> u64 {
    word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS
}

/// The high bit of each byte of `word` that ends a plain string run: `"`, `\`, or a control
/// character (below 0x20). Exact for the lowest such byte.
#[inline(always)]
fn string_stops(word: u64) -> u64 {
    bytes_below(word ^ (ONES * u64::from(b'"')), 1)
        | bytes_below(word ^ (ONES * u64::from(b'\\')), 1)
        | bytes_below(word, 0x20)
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
    /// A reader at the start of `text` (`bytes` is the same text).
    pub(super) fn new(text: &'a str, bytes: &'a [u8]) -> Self {
        Scanner {
            text,
            b: bytes,
            i: 0,
            names: Vec::with_capacity(16),
        }
    }

    /// [`head_word`] of the member name `name` read from `text`: one load from the payload
    /// when the name stands there unescaped (a name is always followed by `":`, so the word
    /// is there unless the payload ends within eight bytes).
    fn name_head(&self, name: &str, text: std::ops::Range<usize>) -> u64 {
        let len = name.len();
        match self.b.get(text.start..).and_then(<[u8]>::first_chunk::<8>) {
            Some(word) if text.len() == len && len < 8 => {
                u64::from_le_bytes(*word) & ((1 << (8 * len)) - 1)
            }
            Some(word) if text.len() == len => u64::from_le_bytes(*word),
            _ => head_word(name.as_bytes()),
        }
    }

    fn peek(&self) -> Step<u8> {
        self.b.get(self.i).copied().ok_or(Fail::Malformed)
    }

    fn ws(&mut self) {
        // Compact JSON, what issuers write, has none: one compare (whitespace is below `!`).
        if self.b.get(self.i).is_some_and(|&c| c > b' ') {
            return;
        }
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

    /// The whole document: one object and nothing after it, the members `reg` asks for
    /// recorded in it.
    pub(super) fn document<K: ClaimsBuilder, R: Record<'a>>(
        &mut self,
        out: &mut K,
        max_depth: usize,
        reg: &mut R,
    ) -> Step<K::Object> {
        self.ws();
        if self.peek()? != b'{' {
            // Not an object: malformed, unless the value is too deep first (the map-building
            // parser reads the whole value before looking at its type).
            self.value(&mut NoBuild, max_depth, 0, Dest::Element(&mut ()))?;
            return Err(Fail::Malformed);
        }
        let object = self.object(out, max_depth, 1, Some(reg))?;
        self.ws();
        if self.i != self.b.len() {
            return Err(Fail::Malformed);
        }
        Ok(object)
    }

    /// A value whose container allows `depth` more levels, put in `dest`; `nest` counts
    /// enclosing containers.
    fn value<K: ClaimsBuilder>(
        &mut self,
        out: &mut K,
        depth: usize,
        nest: usize,
        dest: Dest<'_, K>,
    ) -> Step<()> {
        let value = match self.peek()? {
            b'"' => {
                let s = self.string()?;
                out.string(&s)?
            }
            b'{' | b'[' if K::RAW_CONTAINERS => {
                let start = self.i;
                self.value(&mut NoBuild, depth, nest, Dest::Element(&mut ()))?;
                out.raw(&self.text[start..self.i])?
            }
            b'{' => {
                let object = self.object::<K, Registered<'a>>(out, depth, nest + 1, None)?;
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
        };
        dest.put(out, value)
    }

    fn literal(&mut self, word: &[u8]) -> Step<()> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err(Fail::Malformed)
        }
    }

    /// An object at `{`. `reg` is set for the top level, whose members are recorded there and
    /// whose member names stay in `names`.
    fn object<K: ClaimsBuilder, R: Record<'a>>(
        &mut self,
        out: &mut K,
        depth: usize,
        nest: usize,
        mut reg: Option<&mut R>,
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
            let name_start = self.i + 1;
            let name = self.string()?;
            let name_text = name_start..self.i - 1;
            let head = self.name_head(&name, name_text.clone());
            // The map-building parser asks for a child level before reading the colon.
            let child = depth.checked_sub(1).ok_or(Fail::TooDeep)?;
            self.expect(b':')?;
            self.ws();
            match reg.as_deref_mut() {
                Some(reg) if K::TOP_LEVEL_TEXT => {
                    let start = self.i;
                    let nothing = Dest::Element(&mut ());
                    self.member(&mut NoBuild, &name, head, child, nest, reg, nothing)?;
                    out.member_text(&mut object, &name, name_text, start..self.i)?;
                }
                Some(reg) => {
                    let dest = Dest::Member(&mut object, &name);
                    self.member(out, &name, head, child, nest, reg, dest)?;
                }
                None => self.value(out, child, nest, Dest::Member(&mut object, &name))?,
            }
            // Duplicates are checked after the value, like the map-building parser (a duplicate
            // already handed to the builder goes with the object, which the failure drops).
            if seen.maybe_seen(head, name.len()) && self.names[base..].contains(&name) {
                return Err(Fail::Malformed);
            }
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

    /// A top-level member's value, put in `dest` and recorded when `reg` asks for `name`
    /// (whose [`head_word`] is `head`).
    #[allow(clippy::too_many_arguments)]
    fn member<K: ClaimsBuilder, R: Record<'a>>(
        &mut self,
        out: &mut K,
        name: &str,
        head: u64,
        depth: usize,
        nest: usize,
        reg: &mut R,
        dest: Dest<'_, K>,
    ) -> Step<()> {
        let Some(slot) = reg.slot(name, head) else {
            return self.value(out, depth, nest, dest);
        };
        // Each arm records the claim itself: assembling (claim, value) pairs cost a
        // store-forwarding stall per member.
        let value = match self.peek()? {
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
            b'{' => {
                let start = self.i;
                self.value(out, depth, nest, dest)?;
                *slot = Claim::Object(&self.text[start..self.i]);
                return Ok(());
            }
            _ => {
                *slot = Claim::Other;
                return self.value(out, depth, nest, dest);
            }
        };
        dest.put(out, value)
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
            match (self.peek()?, strings.as_deref_mut()) {
                (b'"', Some(Some(list))) => {
                    let s = self.string()?;
                    let value = out.string(&s)?;
                    out.element(&mut array, value)?;
                    list.push(s);
                }
                (_, Some(collected)) => {
                    *collected = None;
                    self.value(out, child, nest, Dest::Element(&mut array))?;
                }
                (_, None) => self.value(out, child, nest, Dest::Element(&mut array))?,
            }
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
        // Eight bytes at a time: a timestamp's ten digits take two steps instead of ten
        // (and one exit branch that depends on the number's length instead of one per digit).
        if self.skip_words(not_digits) {
            return;
        }
        while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
    }

    /// Moves eight bytes at a time to the first byte that `stops` flags in a word (its lowest
    /// flagged byte); true when there is one, false when fewer than eight bytes are left.
    #[inline(always)]
    fn skip_words(&mut self, stops: impl Fn(u64) -> u64) -> bool {
        while let Some(word) = self.word() {
            let stop = stops(word);
            if stop != 0 {
                self.i += stop.trailing_zeros() as usize / 8;
                return true;
            }
            self.i += 8;
        }
        false
    }

    /// The eight bytes at the current position as one little-endian word, when there are eight.
    #[inline(always)]
    fn word(&self) -> Option<u64> {
        let rest = self.b.get(self.i..)?;
        rest.first_chunk::<8>()
            .map(|bytes| u64::from_le_bytes(*bytes))
    }

    /// A string at `"`: borrowed when it has no escapes.
    fn string(&mut self) -> Step<Cow<'a, str>> {
        self.i += 1;
        let start = self.i;
        // Eight bytes at a time to the first byte that ends the plain run (`"`, `\` or a
        // control character), which the byte loop below then reads.
        self.skip_words(string_stops);
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
