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
    let reg = scan(br#"{"aud":["a",2],"jti":5}"#, 16, "x").unwrap();
    assert!(matches!(reg.aud, Claim::Other));
    assert!(matches!(reg.jti, Claim::Number(_)));
}
