//! The payload scanner against the strict map-building parser, and what it records.

use super::*;
use crate::json::parse_object;
use crate::jwt::claims_builder::{Built, Interrupted};

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
    // Names that start like a registered one, or are one padded with NUL, are other claims.
    let reg = scan(
        br#"{"exp\u0000":"no","ex":1,"expx":2,"\u0065xp":3}"#,
        16,
        "x",
    )
    .unwrap();
    assert!(matches!(reg.exp, Claim::Number(n) if n == 3.0));
    let reg = scan(br#"{"exp\u0000":"no","ex":1,"expiry":2,"":4}"#, 16, "x").unwrap();
    assert!(matches!(reg.exp, Claim::Absent));
    let reg = scan(br#"{"aud":["a",2],"jti":5}"#, 16, "x").unwrap();
    assert!(matches!(reg.aud, Claim::Other));
    assert!(matches!(reg.jti, Claim::Number(_)));
}

/// The reader takes strings, digits and member names eight bytes at a time: a byte that ends
/// the run, at every offset of the first two words, gets the strict parser's answer.
#[test]
fn agrees_wherever_a_run_ends_within_a_word() {
    let enders: [&[u8]; 10] = [
        b"\"",
        b"\\n",
        b"\\u0041",
        b"\x00",
        b"\x1f",
        b" ",
        b"\x7f",
        b"\xc3\xa9",
        b"\xff",
        b"a",
    ];
    for before in 0..18 {
        for after in [0, 1, 7, 8, 9] {
            for ender in enders {
                let run = [&b"x".repeat(before)[..], ender, &b"y".repeat(after)].concat();
                let value = [&b"{\"k\":\""[..], &run, b"\"}"].concat();
                let name = [&b"{\""[..], &run, b"\":1}"].concat();
                agree(&value, 16);
                agree(&name, 16);
            }
        }
    }
    let non_digits: [u8; 9] = [b'.', b'e', b'/', b':', b'a', b' ', b'-', b'\x00', 0xff];
    for len in 1..21 {
        let digits: Vec<u8> = (0..len).map(|i| b'1' + (i % 9) as u8).collect();
        agree(&[&b"{\"n\":"[..], &digits, b"}"].concat(), 16);
        for at in 1..len {
            for c in non_digits {
                let mut number = digits.clone();
                number[at] = c;
                agree(&[&b"{\"n\":"[..], &number, b"}"].concat(), 16);
            }
        }
    }
}

/// Names are told apart by their first eight bytes and their length before the exact check:
/// the same name written with an escape is still a duplicate, at every length, and names that
/// differ only past their eighth byte are not.
#[test]
fn duplicate_names_are_found_at_every_length() {
    for len in 1..14 {
        let name: String = (0..len).map(|i| char::from(b'a' + i as u8)).collect();
        let escaped = format!("\\u{:04x}{}", u32::from(b'a'), &name[1..]);
        for doc in [
            format!(r#"{{"{name}":1,"{name}":2}}"#),
            format!(r#"{{"{name}":1,"{escaped}":2}}"#),
            format!(r#"{{"{escaped}":1,"{name}":2}}"#),
            format!(r#"{{"{name}":1,"{name}x":2}}"#),
            format!(r#"{{"{name}x":1,"{name}y":2,"{name}x":3}}"#),
            format!(r#"{{"":1,"{name}":2,"":3}}"#),
        ] {
            agree(doc.as_bytes(), 16);
        }
        let distinct = format!(r#"{{"{name}x":1,"{name}y":2}}"#);
        assert!(scan(distinct.as_bytes(), 16, "x").is_ok(), "{distinct}");
        let same = format!(r#"{{"{name}":1,"{escaped}":2}}"#);
        assert!(scan(same.as_bytes(), 16, "x").is_err(), "{same}");
    }
}

/// Timestamps and counts are read eight digits at a time: the value is the text's, and any
/// other byte, at any place, makes it no small integer.
#[test]
fn small_integers_read_by_the_word_match_the_text() {
    use crate::jwt::claims_builder::json_small_integer;
    for len in 1..21 {
        for first in [b'0', b'1', b'9'] {
            let digits: String = (0..len)
                .map(|i| {
                    char::from(if i == 0 {
                        first
                    } else {
                        b'0' + (i * 7 % 10) as u8
                    })
                })
                .collect();
            let expected = (len <= 18).then(|| digits.parse::<u64>().unwrap());
            assert_eq!(json_small_integer(&digits), expected, "{digits}");
            for at in 0..len {
                for c in [b'/', b':', b'a', b'-', b'.', b' ', b'\x00', b'\x7f'] {
                    let mut text = digits.clone().into_bytes();
                    text[at] = c;
                    let text = String::from_utf8(text).unwrap();
                    assert_eq!(json_small_integer(&text), None, "{text}");
                }
            }
        }
    }
    assert_eq!(json_small_integer("99999999"), Some(99_999_999));
    assert_eq!(
        json_small_integer("999999999999999999"),
        Some(999_999_999_999_999_999)
    );
    assert_eq!(json_small_integer(""), None);
}
