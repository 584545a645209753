//! The JSON layer against Node's `JSON.parse` / `JSON.stringify`.
//!
//! The fixtures in `tests/data` come from `tests/data/gen-json-fixtures.js`.

use bytes::Bytes;
use flight_codec::json::{
    number_to_js_string, write_number, write_str, write_str_slice, JsonError, JsonErrorKind, Reader, Token,
    DEFAULT_MAX_DEPTH,
};
use flight_codec::value::JsString;
use proptest::prelude::*;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// All tokens of `src`, or the first error.
fn tokens_with(src: &[u8], max_depth: usize) -> Result<Vec<Token>, JsonError> {
    let src = Bytes::copy_from_slice(src);
    let mut r = Reader::with_max_depth(&src, max_depth);
    let mut out = Vec::new();
    while let Some(t) = r.next()? {
        out.push(t);
    }
    assert_eq!(r.offset(), src.len());
    assert_eq!(r.depth(), 0);
    assert_eq!(r.next(), Ok(None));
    Ok(out)
}

fn tokens(src: &str) -> Result<Vec<Token>, JsonError> {
    tokens_with(src.as_bytes(), DEFAULT_MAX_DEPTH)
}

fn error(src: &str) -> String {
    tokens(src).unwrap_err().to_string()
}

fn parse_number(text: &str) -> f64 {
    match tokens(text).unwrap_or_else(|e| panic!("{text}: {e}"))[..] {
        [Token::Number(n)] => n,
        ref t => panic!("{text}: {t:?}"),
    }
}

fn parse_string(text: &str) -> JsString {
    match tokens(text).unwrap_or_else(|e| panic!("{text}: {e}"))[..] {
        [Token::String(ref s)] => s.clone(),
        ref t => panic!("{text}: {t:?}"),
    }
}

fn stringify_number(n: f64) -> String {
    let mut out = Vec::new();
    write_number(&mut out, n);
    String::from_utf8(out).unwrap()
}

fn stringify(s: &JsString) -> String {
    let mut out = Vec::new();
    write_str(&mut out, s);
    String::from_utf8(out).unwrap()
}

// ---------------------------------------------------------------------------
// Numbers

#[test]
fn write_number_matches_node_and_parses_back() {
    let text = fixture("js-numbers.txt");
    let mut count = 0;
    for line in text.lines() {
        let (bits, expect) = line.split_once(' ').unwrap();
        let bits = u64::from_str_radix(bits, 16).unwrap();
        let n = f64::from_bits(bits);
        assert_eq!(stringify_number(n), expect, "bits {bits:016x}");
        if n.is_finite() {
            assert_eq!(number_to_js_string(n), expect, "bits {bits:016x}");
            if n != 0.0 || n.is_sign_positive() {
                assert_eq!(parse_number(expect).to_bits(), bits, "{expect}");
            }
        }
        count += 1;
    }
    assert!(count > 30_000, "{count}");
}

#[test]
fn reader_numbers_match_node_json_parse() {
    let text = fixture("js-number-parse.txt");
    let mut count = 0;
    for line in text.lines() {
        let (input, bits) = line.split_once(' ').unwrap();
        let bits = u64::from_str_radix(bits, 16).unwrap();
        assert_eq!(parse_number(input).to_bits(), bits, "{input}");
        // Same inside a container, where the number ends at a delimiter.
        let doc = format!("[{input},{input}]");
        let t = tokens(&doc).unwrap();
        assert_eq!(t[1], Token::Number(f64::from_bits(bits)), "{doc}");
        count += 1;
    }
    assert_eq!(count, 4000);
}

#[test]
fn number_edge_cases() {
    assert_eq!(parse_number("1e400"), f64::INFINITY);
    assert_eq!(parse_number("-1e400"), f64::NEG_INFINITY);
    assert_eq!(parse_number("1e-400").to_bits(), 0);
    assert_eq!(parse_number("-1e-400").to_bits(), (-0.0f64).to_bits());
    assert_eq!(parse_number("-0").to_bits(), (-0.0f64).to_bits());
    assert_eq!(parse_number("0.1e1"), 1.0);
    assert_eq!(parse_number("1e0001"), 10.0);
    assert_eq!(parse_number("123456789012345678901234567890"), 1.2345678901234568e29);
    assert_eq!(parse_number(&format!("1e{}", "9".repeat(100))), f64::INFINITY);
    assert_eq!(parse_number(&format!("0.{}1", "0".repeat(10_000))), 0.0);
    assert_eq!(parse_number(&"7".repeat(10_000)), f64::INFINITY);
    // A fraction longer than any exponent clamp still counts every digit.
    let long = format!("0.{}1e1048580", "0".repeat(2_000_000));
    assert_eq!(parse_number(&long), 0.0);
    assert_eq!(parse_number("123e30"), 1.23e32);
    assert_eq!(parse_number("9007199254740992e15"), 9.007199254740992e30);
    assert_eq!(parse_number("9007199254740993e15"), 9.007199254740993e30);
}

/// Long mantissas divided by large powers of ten: the quotient is rounded
/// with a sticky bit, which matters often enough to show up here.
#[test]
fn divided_mantissas_round_correctly() {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..40_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let m = (1 << 53) + x % (10_000_000_000_000_000_000 - (1 << 53));
        let k = 15 + (x >> 60) % 8;
        let text = format!("{m}e-{k}");
        let expect: f64 = text.parse().unwrap();
        assert_eq!(parse_number(&text).to_bits(), expect.to_bits(), "{text}");
    }
}

#[test]
fn number_to_js_string_specials() {
    assert_eq!(number_to_js_string(f64::NAN), "NaN");
    assert_eq!(number_to_js_string(f64::INFINITY), "Infinity");
    assert_eq!(number_to_js_string(f64::NEG_INFINITY), "-Infinity");
    assert_eq!(number_to_js_string(-0.0), "0");
    assert_eq!(stringify_number(f64::NAN), "null");
    assert_eq!(stringify_number(f64::NEG_INFINITY), "null");
    for (n, text) in [
        (1e21, "1e+21"),
        (1e-7, "1e-7"),
        (5e-324, "5e-324"),
        (123456789.123, "123456789.123"),
        (9007199254740992.0, "9007199254740992"),
        (0.1, "0.1"),
        (-1.5e300, "-1.5e+300"),
        (1e20, "100000000000000000000"),
        (0.000001, "0.000001"),
        (2f64.powi(60), "1152921504606847000"),
    ] {
        assert_eq!(stringify_number(n), text);
        assert_eq!(number_to_js_string(n), text);
    }
}

// ---------------------------------------------------------------------------
// Strings

fn parse_units(field: &str) -> Vec<u16> {
    if field.is_empty() {
        return Vec::new();
    }
    field.split(',').map(|u| u16::from_str_radix(u, 16).unwrap()).collect()
}

#[test]
fn write_str_matches_node_and_parses_back() {
    let text = fixture("js-strings.txt");
    let mut count = 0;
    for line in text.lines() {
        let (units, expect) = line.split_once(' ').unwrap();
        let units = parse_units(units);
        let s = JsString::from_utf16(&units);
        assert_eq!(stringify(&s), expect, "{units:x?}");
        if let Some(plain) = s.as_str() {
            let mut out = Vec::new();
            write_str_slice(&mut out, plain);
            assert_eq!(out, expect.as_bytes());
        }
        let back = parse_string(expect);
        assert_eq!(back, s, "{expect}");
        assert_eq!(back.encode_utf16().collect::<Vec<_>>(), units);
        count += 1;
    }
    assert!(count > 2000, "{count}");
}

#[test]
fn escapes_decode_like_json_parse() {
    // An escaped pair is one 4-byte character, in either case of hex.
    for text in [r#""\ud83d\ude00""#, r#""\uD83D\uDE00""#, r#""\uD83d\ude00""#, "\"😀\""] {
        assert_eq!(parse_string(text).as_wtf8(), "😀".as_bytes(), "{text}");
    }
    let units = |text: &str| parse_string(text).encode_utf16().collect::<Vec<_>>();
    assert_eq!(units(r#""\ud800""#), [0xd800]);
    assert_eq!(units(r#""\udc00\ud800""#), [0xdc00, 0xd800]);
    assert_eq!(units(r#""\ud800\ud800\udc00""#), [0xd800, 0xd800, 0xdc00]);
    assert_eq!(units(r#""\ud800\u0041\udc00""#), [0xd800, 0x41, 0xdc00]);
    assert_eq!(units(r#""\ud800a\udc00""#), [0xd800, 0x61, 0xdc00]);
    assert_eq!(units(r#""\ud800\n""#), [0xd800, 0x0a]);
    assert_eq!(parse_string(r#""\ud800\udbff\udfff""#).as_wtf8(), b"\xed\xa0\x80\xf4\x8f\xbf\xbf");
    assert_eq!(parse_string(r#""a\"b\\c\/d\be\ff\ng\rh\ti""#), "a\"b\\c/d\x08e\x0cf\ng\rh\ti");
    assert_eq!(parse_string(r#""\u0000\u00e9\u00E9\u6f22""#), "\0éé漢");
    assert_eq!(parse_string("\"é漢😀\u{2028}\u{7f}\""), "é漢😀\u{2028}\u{7f}");
    assert_eq!(parse_string(r#""""#), "");
    assert_eq!(parse_string(r#""\"""#), "\"");
}

#[test]
fn unescaped_strings_are_zero_copy() {
    // Text longer than fourteen bytes is a range of the input (shorter text
    // is kept inline in the string).
    let src = Bytes::from_static(br#"{"fifteen bytes k": "a long enough value with no escapes", "e": "x\ny"}"#);
    let mut r = Reader::new(&src);
    assert_eq!(r.next(), Ok(Some(Token::BeginObject)));
    let Ok(Some(Token::Key(k))) = r.next() else { panic!() };
    assert_eq!(k.into_bytes().as_ptr(), src[2..].as_ptr());
    let Ok(Some(Token::String(v))) = r.next() else { panic!() };
    assert_eq!(v, "a long enough value with no escapes");
    assert_eq!(v.into_bytes().as_ptr(), src[21..].as_ptr());
    assert_eq!(r.next(), Ok(Some(Token::Key("e".into()))));
    assert_eq!(r.next(), Ok(Some(Token::String("x\ny".into()))));
    assert_eq!(r.next(), Ok(Some(Token::EndObject)));
    assert_eq!(r.next(), Ok(None));
}

fn arb_units() -> impl Strategy<Value = Vec<u16>> {
    let unit = prop_oneof![
        4 => 0x20u16..0x7f,
        2 => 0u16..0x20,
        2 => Just(0x22u16),
        2 => Just(0x5cu16),
        3 => 0xd800u16..0xe000,
        1 => 0x80u16..0x800,
        1 => any::<u16>(),
        1 => prop_oneof![Just(0x2028u16), Just(0x2029), Just(0x7f), Just(0xffff), Just(0xd7ff), Just(0xe000)],
    ];
    proptest::collection::vec(unit, 0..64)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn strings_round_trip(units in arb_units()) {
        let s = JsString::from_utf16(&units);
        let text = stringify(&s);
        let back = parse_string(&text);
        prop_assert_eq!(back.encode_utf16().collect::<Vec<_>>(), units);
        prop_assert_eq!(back, s);
    }

    #[test]
    fn numbers_round_trip(bits in any::<u64>()) {
        let n = f64::from_bits(bits);
        prop_assume!(n.is_finite() && n != 0.0);
        prop_assert_eq!(parse_number(&stringify_number(n)).to_bits(), bits);
    }

    /// Rust's parser is correctly rounded, as `JSON.parse` is; this covers
    /// the reader's fast paths near their edges.
    #[test]
    fn numbers_match_a_correctly_rounded_parser(
        negative in any::<bool>(),
        digits in "[1-9][0-9]{0,24}",
        point in 0usize..26,
        exp in prop_oneof![Just(None), (-60i32..60).prop_map(Some), (-400i32..400).prop_map(Some)],
    ) {
        let mut text = String::from(if negative { "-" } else { "" });
        if point > 0 && point < digits.len() {
            text.push_str(&digits[..point]);
            text.push('.');
            text.push_str(&digits[point..]);
        } else if point >= digits.len() {
            text.push_str("0.");
            text.push_str(&digits);
        } else {
            text.push_str(&digits);
        }
        if let Some(e) = exp {
            text.push_str(&format!("e{e}"));
        }
        let expect: f64 = text.parse().unwrap();
        prop_assert_eq!(parse_number(&text).to_bits(), expect.to_bits(), "{}", text);
    }

    /// Up to 19 digits with exponents around the range the reader computes
    /// without the slow path.
    #[test]
    fn short_mantissas_match_a_correctly_rounded_parser(
        m in prop_oneof![any::<u64>(), 0u64..1 << 54, (1u64 << 53)..(1u64 << 60)],
        digits in 1u32..20,
        e in -30i64..45,
        frac in 0usize..20,
    ) {
        let m = m % 10u64.pow(digits.min(19));
        let int = m.to_string();
        let text = if frac > 0 && frac < int.len() {
            format!("{}.{}e{e}", &int[..int.len() - frac], &int[int.len() - frac..])
        } else {
            format!("{int}e{e}")
        };
        let expect: f64 = text.parse().unwrap();
        prop_assert_eq!(parse_number(&text).to_bits(), expect.to_bits(), "{}", text);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = tokens_with(&bytes, 8);
    }

    #[test]
    fn mutated_documents_never_panic(at in 0usize..200, b in any::<u8>(), doc in 0usize..DOCUMENTS.len()) {
        let mut bytes = DOCUMENTS[doc].as_bytes().to_vec();
        if !bytes.is_empty() {
            let at = at % bytes.len();
            bytes[at] = b;
        }
        let _ = tokens_with(&bytes, 8);
        bytes.truncate(at.min(bytes.len()));
        let _ = tokens_with(&bytes, 8);
    }
}

// ---------------------------------------------------------------------------
// Grammar

#[test]
fn grammar_table_matches_json_parse() {
    let text = fixture("json-grammar.txt");
    let mut ok = 0;
    let mut errors = 0;
    for line in text.lines() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (expect, literal) = line.split_once('\t').unwrap();
        let input = parse_string(literal);
        let input = input.as_str().unwrap();
        match tokens(input) {
            Ok(_) => {
                assert_eq!(expect, "ok", "{literal} parsed");
                ok += 1;
            }
            Err(e) => {
                assert_eq!(e.to_string(), expect, "{literal}");
                errors += 1;
            }
        }
    }
    assert!(ok >= 30 && errors >= 90, "{ok} ok, {errors} errors");
}

#[test]
fn tokens_of_a_document() {
    use Token::*;
    let t = tokens(r#" {"a": [1, -2.5e3, "s", true, false, null, {}, []], "a": {"b": {}}} "#).unwrap();
    assert_eq!(
        t,
        [
            BeginObject,
            Key("a".into()),
            BeginArray,
            Number(1.0),
            Number(-2500.0),
            String("s".into()),
            Bool(true),
            Bool(false),
            Null,
            BeginObject,
            EndObject,
            BeginArray,
            EndArray,
            EndArray,
            Key("a".into()),
            BeginObject,
            Key("b".into()),
            BeginObject,
            EndObject,
            EndObject,
            EndObject,
        ]
    );
}

#[test]
fn error_kinds_and_messages() {
    let e = tokens("[1,]").unwrap_err();
    assert_eq!(e, JsonError { kind: JsonErrorKind::ExpectedValue, offset: 3 });
    assert_eq!(error(""), "unexpected end of JSON input at byte 0");
    assert_eq!(error("[1,2"), "unexpected end of JSON input at byte 4");
    assert_eq!(error("[1,2 3"), "expected `,` or `]` at byte 5");
    assert_eq!(error("123 x"), "trailing characters at byte 4");
    assert_eq!(error("nulé"), "unexpected character `é` at byte 3");
    assert_eq!(error("t\n"), "unexpected character `\\n` at byte 1");
    assert_eq!(tokens("nulé").unwrap_err().kind, JsonErrorKind::UnexpectedChar { found: 'é' });
    assert_eq!(error("[\"a\u{1}\"]"), "control character in string at byte 3");
    assert_eq!(error(r#"["\q"]"#), "invalid escape in string at byte 3");
    assert_eq!(error("{\"a\":1 x"), "expected `,` or `}` at byte 7");
    assert_eq!(error("{\"a\" x"), "expected `:` at byte 5");
    assert_eq!(error("{x"), "key must be a string at byte 1");
    assert_eq!(error("-x"), "invalid number at byte 1");
    assert_eq!(tokens_with(b"[\"ok\xc3\"]", 8).unwrap_err().to_string(), "invalid UTF-8 in string at byte 4");
    assert_eq!(tokens_with(b"[\"\\n\xed\xa0\x80\"]", 8).unwrap_err().kind, JsonErrorKind::InvalidUtf8);
    assert_eq!(tokens_with(b"\xff", 8).unwrap_err().to_string(), "expected value at byte 0");
    assert_eq!(tokens_with(&[b'['; 129], 128).unwrap_err().to_string(), "nesting deeper than 128 at byte 128");
    let e: Box<dyn std::error::Error> = Box::new(e);
    assert_eq!(e.to_string(), "expected value at byte 3");
}

#[test]
fn errors_repeat_and_offsets_advance() {
    let src = Bytes::from_static(b"[1, 2] x");
    let mut r = Reader::new(&src);
    assert_eq!((r.offset(), r.depth()), (0, 0));
    assert_eq!(r.next(), Ok(Some(Token::BeginArray)));
    assert_eq!((r.offset(), r.depth()), (1, 1));
    assert_eq!(r.next(), Ok(Some(Token::Number(1.0))));
    assert_eq!(r.offset(), 2);
    assert_eq!(r.next(), Ok(Some(Token::Number(2.0))));
    assert_eq!(r.next(), Ok(Some(Token::EndArray)));
    assert_eq!((r.offset(), r.depth()), (6, 0));
    let e = r.next().unwrap_err();
    assert_eq!(e.to_string(), "trailing characters at byte 7");
    assert_eq!(r.next(), Err(e));
}

// ---------------------------------------------------------------------------
// Depth

#[test]
fn a_million_nested_arrays_do_not_overflow_the_stack() {
    const N: usize = 1_000_000;
    let mut doc = vec![b'['; N];
    doc.extend(std::iter::repeat_n(b']', N));
    let src = Bytes::from(doc);
    let mut r = Reader::with_max_depth(&src, usize::MAX);
    let mut count = 0usize;
    let mut max = 0;
    while let Some(t) = r.next().unwrap() {
        count += 1;
        max = max.max(r.depth());
        assert!(matches!(t, Token::BeginArray | Token::EndArray));
    }
    assert_eq!((count, max), (2 * N, N));
    // Past the default limit by default.
    let e = Reader::new(&src);
    let mut e = e;
    let err = loop {
        if let Err(err) = e.next() {
            break err;
        }
    };
    assert_eq!(
        err,
        JsonError { kind: JsonErrorKind::DepthLimit { limit: DEFAULT_MAX_DEPTH }, offset: DEFAULT_MAX_DEPTH }
    );
}

#[test]
fn the_depth_limit_is_exact() {
    for limit in [0, 1, 2, 63, 64, 65, 127, 128, 129, 200, 1000] {
        for (open, close) in [("[", "]"), ("{\"k\":", "}")] {
            let nested = |n: usize| format!("{}0{}", open.repeat(n), close.repeat(n));
            assert!(tokens_with(nested(limit).as_bytes(), limit).is_ok(), "{limit}");
            let e = tokens_with(nested(limit + 1).as_bytes(), limit).unwrap_err();
            assert_eq!(e.kind, JsonErrorKind::DepthLimit { limit });
            assert_eq!(e.offset, limit * open.len());
            assert_eq!(e.to_string(), format!("nesting deeper than {limit} at byte {}", limit * open.len()));
        }
    }
    // Depth counts open containers, not values: siblings do not add up.
    let wide = format!("[{}0]", "[],".repeat(1000));
    assert!(tokens_with(wide.as_bytes(), 2).is_ok());
}

// ---------------------------------------------------------------------------
// Truncation

const DOCUMENTS: &[&str] = &[
    r#"{"a": [1, -2.5e+3, "s\u00e9\ud83d\ude00", true, false, null, {}, []], "b": {"c": "\n"}}"#,
    r#"[0, -0, 1e400, 0.1e1, "x\\y\"z", "plain text é漢😀", [[["deep"]]], {"": {"": ""}}]"#,
    "[\"\\ud800\", \"\\udc00\", 123456789012345678901234567890, -1.5E-7]",
    "{\"k\" : \"v\" , \"n\" : [ null , true ] }",
    "\"just a string with é and 😀\"",
    "\"\\ud83d\\ude00\"",
    "true",
    "false",
    "null",
];

#[test]
fn every_truncation_is_an_error() {
    for doc in DOCUMENTS {
        assert!(tokens(doc).is_ok(), "{doc}");
        let bytes = doc.as_bytes();
        for len in 0..bytes.len() {
            let e = tokens_with(&bytes[..len], DEFAULT_MAX_DEPTH).unwrap_err();
            if std::str::from_utf8(&bytes[..len]).is_ok() {
                assert_eq!(e.kind, JsonErrorKind::UnexpectedEnd, "{doc} cut at {len}");
                assert_eq!(e.offset, len);
            }
        }
    }
}
