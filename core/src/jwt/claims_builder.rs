//! Building a verified payload straight into a binding's own objects.
//!
//! The verifier's strict scanner reads the payload once; [`ClaimsBuilder`] lets that same pass
//! create the caller's values (a Python dict, a JS object, …) instead of a [`super::Claims`]
//! that a binding would then convert member by member. Converting doubled the cost of a
//! Python verify; see docs/jwt.md.

use std::borrow::Cow;

#[cfg(test)]
use serde_json::Value;

#[cfg(test)]
use super::claims::Name;
use super::claims::{name_of, Member};

/// A builder gave up (for example the host runtime could not allocate). The verifier reports it
/// as `internal`; a builder that needs the reason (a pending host exception) keeps it itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

/// What a builder step returns.
pub type Built<T> = Result<T, Interrupted>;

/// Receives a payload's values in document order while the verifier scans it, after the
/// signature has verified and before the claim checks run (their failure drops the result).
///
/// The document is already known to be well-formed up to the current value: strings are
/// unescaped and valid UTF-8 without lone surrogates, numbers are finite, member names are
/// unique per object.
pub trait ClaimsBuilder {
    /// A finished value.
    type Value;
    /// An object being filled (the top level is returned unfinished, see
    /// [`super::JwtVerifier::verify_into`]).
    type Object;
    /// An array being filled.
    type Array;

    /// When true, nested objects and arrays are validated without being built and handed to
    /// [`ClaimsBuilder::raw`] as their JSON text (for hosts whose own JSON parser is faster
    /// than building containers piece by piece).
    const RAW_CONTAINERS: bool = false;

    /// When true, the top-level members are validated without being built and handed to
    /// [`ClaimsBuilder::member_text`] as where their JSON text is in the payload (for values
    /// built later, when read).
    const TOP_LEVEL_TEXT: bool = false;

    /// `null`.
    fn null(&mut self) -> Built<Self::Value>;
    /// `true` or `false`.
    fn boolean(&mut self, value: bool) -> Built<Self::Value>;
    /// A number, as its JSON text (see [`json_number`] for serde_json's reading of it).
    fn number(&mut self, text: &str) -> Built<Self::Value>;
    /// A string, unescaped.
    fn string(&mut self, value: &str) -> Built<Self::Value>;
    /// A new, empty object.
    fn object(&mut self) -> Built<Self::Object>;
    /// Adds a member to `object` (names are unique within it).
    fn member(&mut self, object: &mut Self::Object, name: &str, value: Self::Value) -> Built<()>;
    /// A nested object once all its members are in.
    fn finish_object(&mut self, object: Self::Object) -> Built<Self::Value>;
    /// A new, empty array.
    fn array(&mut self) -> Built<Self::Array>;
    /// Appends to `array`.
    fn element(&mut self, array: &mut Self::Array, value: Self::Value) -> Built<()>;
    /// An array once all its elements are in.
    fn finish_array(&mut self, array: Self::Array) -> Built<Self::Value>;
    /// A nested container as JSON text; called instead of the container methods when
    /// [`ClaimsBuilder::RAW_CONTAINERS`] is set.
    fn raw(&mut self, json: &str) -> Built<Self::Value> {
        let _ = json;
        Err(Interrupted)
    }
    /// A top-level member whose JSON text is at `text` in the payload and whose name's text
    /// (between its quotes) is at `name_text`, as long as `name` when it has no escapes; called
    /// instead of [`ClaimsBuilder::member`] for the top level when
    /// [`ClaimsBuilder::TOP_LEVEL_TEXT`] is set.
    fn member_text(
        &mut self,
        object: &mut Self::Object,
        name: &str,
        name_text: std::ops::Range<usize>,
        text: std::ops::Range<usize>,
    ) -> Built<()> {
        let _ = (object, name, name_text, text);
        Err(Interrupted)
    }
}

/// A JSON number as serde_json reads it: non-negative integers that fit are `u64`, negative
/// ones `i64`, everything else `f64`. `None` for text that is not a finite JSON number.
pub fn json_number(text: &str) -> Option<serde_json::Number> {
    if let Some(n) = json_small_integer(text) {
        return Some(n.into());
    }
    serde_json::from_str(text).ok()
}

/// A JSON number's text as the nearest `f64` (what JavaScript's `JSON.parse` gives; `-0` stays
/// `-0`): plain integers in one pass, anything else through the correctly rounded parser.
/// `None` for text that is not a number.
pub fn json_f64(text: &str) -> Option<f64> {
    match json_small_integer(text) {
        // `as` rounds to the nearest f64, as parsing the text does.
        Some(n) => Some(n as f64),
        None => text.parse().ok(),
    }
}

/// The value of a JSON number written as at most 18 plain digits (timestamps, counts), read in
/// one pass; `None` for any other text.
pub fn json_small_integer(text: &str) -> Option<u64> {
    if text.is_empty() || text.len() > 18 {
        return None;
    }
    let bytes = text.as_bytes();
    // A timestamp's first eight digits in one word: three multiplications instead of eight.
    let (value, rest) = match bytes.split_first_chunk::<8>() {
        Some((head, rest)) => (eight_digits(u64::from_le_bytes(*head))?, rest),
        None => (0, bytes),
    };
    rest.iter().try_fold(value, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u64::from(c - b'0'))
    })
}

/// A non-zero bit in each byte of `word` that is not an ASCII digit. Exact for the lowest such
/// byte (a carry out of a byte above 0xF9, itself flagged, can only reach the byte above it).
#[inline(always)]
pub(crate) fn not_digits(word: u64) -> u64 {
    const HIGH_NIBBLES: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    const ONES: u64 = 0x0101_0101_0101_0101;
    const THREES: u64 = ONES * 0x30;
    ((word & HIGH_NIBBLES) ^ THREES) | ((word.wrapping_add(ONES * 6) & HIGH_NIBBLES) ^ THREES)
}

/// The value of eight ASCII digits read as a little-endian word (first digit lowest); `None`
/// when any byte is not a digit.
fn eight_digits(word: u64) -> Option<u64> {
    if not_digits(word) != 0 {
        return None;
    }
    let digits = word.wrapping_sub(0x3030_3030_3030_3030);
    // Pairs, then fours, then all eight: each step joins neighbours (the earlier, higher
    // digit sits in the lower byte).
    let pairs = (digits.wrapping_mul(10) + (digits >> 8)) & 0x00FF_00FF_00FF_00FF;
    let fours = (pairs.wrapping_mul(100) + (pairs >> 16)) & 0x0000_FFFF_0000_FFFF;
    Some((fours.wrapping_mul(10_000) + (fours >> 32)) & 0xFFFF_FFFF)
}

/// The value and array methods of a builder that builds no values (`Value` and `Array` are `()`):
/// the scanner validates, nothing is kept.
macro_rules! validated_values {
    () => {
        fn null(&mut self) -> Built<()> {
            Ok(())
        }
        fn boolean(&mut self, _: bool) -> Built<()> {
            Ok(())
        }
        fn number(&mut self, _: &str) -> Built<()> {
            Ok(())
        }
        fn string(&mut self, _: &str) -> Built<()> {
            Ok(())
        }
        fn array(&mut self) -> Built<()> {
            Ok(())
        }
        fn element(&mut self, _: &mut (), _: ()) -> Built<()> {
            Ok(())
        }
        fn finish_array(&mut self, _: ()) -> Built<()> {
            Ok(())
        }
        fn raw(&mut self, _: &str) -> Built<()> {
            Ok(())
        }
    };
}

/// Validation only: builds nothing (the scanner's checking mode).
pub(crate) struct NoBuild;

impl ClaimsBuilder for NoBuild {
    type Value = ();
    type Object = ();
    type Array = ();

    validated_values!();
    fn object(&mut self) -> Built<()> {
        Ok(())
    }
    fn member(&mut self, _: &mut (), _: &str, _: ()) -> Built<()> {
        Ok(())
    }
    fn finish_object(&mut self, _: ()) -> Built<()> {
        Ok(())
    }
}

/// serde_json values built in the scan; the top level stays a member list. The reference the
/// tests compare [`LazyBuilder`]'s claims with.
#[cfg(test)]
pub(crate) struct ValueBuilder;

#[cfg(test)]
impl ClaimsBuilder for ValueBuilder {
    type Value = Value;
    type Object = Vec<(Name, Value)>;
    type Array = Vec<Value>;

    #[inline]
    fn null(&mut self) -> Built<Value> {
        Ok(Value::Null)
    }
    #[inline]
    fn boolean(&mut self, value: bool) -> Built<Value> {
        Ok(Value::Bool(value))
    }
    #[inline]
    fn number(&mut self, text: &str) -> Built<Value> {
        json_number(text).map(Value::Number).ok_or(Interrupted)
    }
    #[inline]
    fn string(&mut self, value: &str) -> Built<Value> {
        Ok(Value::String(value.to_owned()))
    }
    #[inline]
    fn object(&mut self) -> Built<Self::Object> {
        Ok(Vec::with_capacity(16))
    }
    #[inline]
    fn member(&mut self, object: &mut Self::Object, name: &str, value: Value) -> Built<()> {
        object.push((name_of(Cow::Borrowed(name)), value));
        Ok(())
    }
    #[inline]
    fn finish_object(&mut self, object: Self::Object) -> Built<Value> {
        // Unique names: collecting sorts them once and builds the map in bulk.
        Ok(Value::Object(
            object
                .into_iter()
                .map(|(n, v)| (n.into_owned(), v))
                .collect(),
        ))
    }
    #[inline]
    fn array(&mut self) -> Built<Vec<Value>> {
        Ok(Vec::new())
    }
    #[inline]
    fn element(&mut self, array: &mut Vec<Value>, value: Value) -> Built<()> {
        array.push(value);
        Ok(())
    }
    #[inline]
    fn finish_array(&mut self, array: Vec<Value>) -> Built<Value> {
        Ok(Value::Array(array))
    }
}

/// Builds the [`Claims`](super::Claims) of `verify`: the top-level members as where their text
/// is, nothing else (nested containers are validated, not built).
pub(crate) struct LazyBuilder;

impl ClaimsBuilder for LazyBuilder {
    type Value = ();
    type Object = Vec<Member>;
    type Array = ();

    const RAW_CONTAINERS: bool = true;
    const TOP_LEVEL_TEXT: bool = true;

    validated_values!();
    fn object(&mut self) -> Built<Vec<Member>> {
        // Twelve members (960 bytes) stay within the allocator's per-thread cache of small
        // blocks; a token with more grows the vector once.
        Ok(Vec::with_capacity(12))
    }
    // Only the top level is an object here, and its members come through `member_text`.
    fn member(&mut self, _: &mut Vec<Member>, _: &str, _: ()) -> Built<()> {
        Err(Interrupted)
    }
    fn finish_object(&mut self, _: Vec<Member>) -> Built<()> {
        Err(Interrupted)
    }
    #[inline]
    fn member_text(
        &mut self,
        object: &mut Vec<Member>,
        name: &str,
        name_text: std::ops::Range<usize>,
        text: std::ops::Range<usize>,
    ) -> Built<()> {
        // An escape makes a name's text longer than the name: only an unescaped name is the
        // text at its place, and is stored as that place (no allocation, no lookup).
        object.push(if name_text.len() == name.len() {
            Member::lazy(name_text, text)
        } else {
            Member::lazy_named(name_of(Cow::Borrowed(name)), text)
        });
        Ok(())
    }
}
