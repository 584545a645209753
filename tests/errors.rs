//! Error messages are API: each kind's message, name and category, verbatim.

use bytes::Bytes;
use flight_codec::reply::{self, DecodeOptions, EncodeOptions};
use flight_codec::value::{FormEntry, JsString};
use flight_codec::{notation, Category};

fn form(parts: &[(&str, &str)]) -> Vec<(JsString, FormEntry)> {
    parts.iter().map(|(n, t)| (JsString::from(*n), FormEntry::Text((*t).into()))).collect()
}

fn err_of(parts: &[(&str, &str)]) -> (String, String, Category) {
    let e = reply::decode_form(form(parts), &DecodeOptions::default()).expect_err("must fail");
    (e.kind().name().to_string(), e.to_string(), e.category())
}

/// (form entries, error kind name, message, category)
type Case = (&'static [(&'static str, &'static str)], &'static str, &'static str, Category);

#[test]
fn decode_error_messages() {
    use Category::*;
    let cases: &[Case] = &[
        (&[("0", "{bad")], "json", "invalid JSON: key must be a string at byte 1 in part 0", Syntax),
        (&[("0", "")], "json", "invalid JSON: unexpected end of JSON input at byte 0 in part 0", Syntax),
        (&[("0", "\"$Z1\"")], "unknown-tag", "unknown tag in `$Z1` in part 0", Syntax),
        (&[("0", "\"$\"")], "unknown-tag", "unknown tag in `$` in part 0", Syntax),
        (&[("0", "\"$1zz\"")], "invalid-id", "invalid reference id in `$1zz` in part 0", Syntax),
        (&[("0", "\"$Q01\"")], "invalid-id", "invalid reference id in `$Q01` in part 0", Syntax),
        (&[("1", "1")], "missing-part", "missing part 0", Incomplete),
        (&[("0", "[\"$1\"]")], "missing-part", "missing part 1", Incomplete),
        (&[("0", "1"), ("0", "2")], "duplicate-part", "duplicate part name `0`", Data),
        (&[("0", "\"$B1\""), ("1", "x")], "part-type", "part 1 is not a Blob in part 0", Data),
        (&[("0", "{\"a\":1,\"b\":\"$0:a:length\"}")], "invalid-reference", "invalid reference `$0:a:length`", Data),
        (&[("0", "{\"b\":\"$0:__proto__\"}")], "invalid-reference", "invalid reference `$0:__proto__`", Data),
        (&[("0", "\"$0\"")], "circular-reference", "reference `$0` refers to itself", Data),
        (&[("0", "\"$Q1\""), ("1", "{}")], "invalid-initializer", "invalid Map initializer in part 1", Data),
        (&[("0", "\"$W1\""), ("1", "1")], "invalid-initializer", "invalid Set initializer in part 1", Data),
        (
            &[("0", "[\"$Q1\",\"$Q1\"]"), ("1", "[]")],
            "already-initialized",
            "part 1 already used as a Map in part 0",
            Data,
        ),
        (&[("0", "[\"$K1\",\"$K1\"]")], "already-initialized", "part 1 already used as a FormData in part 0", Data),
        (&[("0", "\"$nabc\"")], "invalid-bigint", "invalid bigint in part 0", Syntax),
        (&[("0", "\"$D2020-01-01\"")], "invalid-date", "invalid date in part 0", Syntax),
        (&[("0", "\"$@1\""), ("1", "\"$@1\"")], "cyclic-promise", "cyclic promise chain", Data),
        (&[("0", "\"$R1\"")], "invalid-stream", "stream 1 never closed", Incomplete),
        (
            &[("0", "\"$R1\""), ("S1", "1"), ("S1", "C"), ("S1", "2")],
            "invalid-stream",
            "stream 1 has rows after it was closed",
            Data,
        ),
        (
            &[("0", "\"$h1\""), ("1", "{\"id\":1,\"bound\":null}")],
            "invalid-server-reference",
            "invalid server reference: `id` is not a string in part 1",
            Data,
        ),
        (
            &[("0", "\"$h1\""), ("1", "{\"id\":\"m#f\",\"bound\":[1]}")],
            "invalid-server-reference",
            "invalid server reference: `bound` is not null or a promise in part 1",
            Data,
        ),
        (
            &[("0", "\"$T\"")],
            "temporary-references-disabled",
            "temporary reference without temporary references enabled in part 0",
            Data,
        ),
        (&[("0", "[\"$n1\",\"$n1234\"]")], "", "", Data),
    ];
    for (parts, name, message, category) in cases {
        if name.is_empty() {
            assert!(reply::decode_form(form(parts), &DecodeOptions::default()).is_ok());
            continue;
        }
        assert_eq!(err_of(parts), (name.to_string(), message.to_string(), *category), "{parts:?}");
    }
}

#[test]
fn typed_array_errors() {
    let entries = vec![
        (JsString::from("1"), FormEntry::File(flight_codec::value::Blob::new("", &b"abc"[..]))),
        (JsString::from("0"), FormEntry::Text("\"$S1\"".into())),
    ];
    let e = reply::decode_form(entries, &DecodeOptions::default()).unwrap_err();
    assert_eq!(e.to_string(), "byte length 3 of Int16Array is not a multiple of its element size in part 0");
    assert_eq!(e.kind().name(), "misaligned-typed-array");
}

#[test]
fn temporary_reference_without_path() {
    let mut o = DecodeOptions::default();
    o.temporary_references = true;
    let e = reply::decode_form(form(&[("0", "{\"a:b\":\"$T\"}")]), &o).unwrap_err();
    assert_eq!(e.to_string(), "temporary reference at a position without a path in part 0");
    let g = reply::decode_form(form(&[("0", "{\"a\":[\"$T\"]}")]), &o).unwrap();
    assert!(notation::to_string(&g).contains(r#"{"temporaryReference":"0:a:0"}"#));
    // An array's index counts its items, not the values of an object open
    // inside it (arrays and objects share the builder's values stack).
    for (body, path) in [
        (r#"[{"a":1,"b":"$T"}]"#, "0:0:b"),
        (r#"[{"a":1,"b":["$T"]}]"#, "0:0:b:0"),
        (r#"[1,{"x":[2,{"y":3,"z":"$T"}]}]"#, "0:1:x:1:z"),
    ] {
        let g = reply::decode_form(form(&[("0", body)]), &o).unwrap();
        let want = format!(r#"{{"temporaryReference":"{path}"}}"#);
        assert!(notation::to_string(&g).contains(&want), "{body}: {}", notation::to_string(&g));
    }
}

#[test]
fn invalid_utf8_and_multipart() {
    let e = reply::decode_text(Bytes::from_static(b"\"\xff\""), &DecodeOptions::default()).unwrap_err();
    assert_eq!(e.to_string(), "text part is not valid UTF-8 in part 0");
    let e = reply::decode_multipart(
        &Bytes::from_static(b"--B\r\nContent-Disposition: form-data; name=\"0\"\r\n\r\n1"),
        "B",
        &DecodeOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.kind().name(), "multipart");
    assert!(e.to_string().starts_with("invalid multipart body: "), "{e}");
}

#[test]
fn multipart_limits_read_as_the_same_limit_errors_as_form_entries() {
    let mut o = DecodeOptions::default();
    o.limits.max_parts = 1;
    let body = Bytes::from_static(
        b"--B\r\nContent-Disposition: form-data; name=\"0\"\r\n\r\n1\r\n--B\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n2\r\n--B--\r\n",
    );
    let from_body = reply::decode_multipart(&body, "B", &o).unwrap_err();
    let from_form = reply::decode_form(form(&[("0", "1"), ("x", "2")]), &o).unwrap_err();
    for e in [&from_body, &from_form] {
        assert_eq!(
            (e.kind().name(), e.to_string(), e.category()),
            ("limit", "limit `max_parts` of 1 exceeded".to_string(), Category::Limit)
        );
    }
    o.limits.max_parts = 2;
    o.limits.max_total_bytes = 10;
    let e = reply::decode_multipart(&body, "B", &o).unwrap_err();
    assert_eq!((e.kind().name(), e.to_string()), ("limit", "limit `max_total_bytes` of 10 exceeded".to_string()));
    let e = reply::decode_str("\"123456789\"", &o).unwrap_err();
    assert_eq!((e.kind().name(), e.to_string()), ("limit", "limit `max_total_bytes` of 10 exceeded".to_string()));
}

#[test]
fn encode_error_messages_are_reacts() {
    let cases = [
        (r#"{"object":[["i",{"instance":"Foo"}]]}"#, "Only plain objects, and a few built-ins, can be passed to Server Functions. Classes or null prototypes are not supported."),
        (r#"{"array":[{"function":"f"}]}"#, "Client Functions cannot be passed directly to Server Functions. Only Functions passed from the Server can be passed back again."),
        (r#"{"array":[{"symbol":"s"}]}"#, "Symbols cannot be passed to a Server Function without a temporary reference set. Pass a TemporaryReferenceSet to the options."),
        (r#"{"array":[{"unregisteredSymbol":"s"}]}"#, "Symbols cannot be passed to a Server Function without a temporary reference set. Pass a TemporaryReferenceSet to the options."),
        (r#"{"element":{"type":"div","key":null,"props":{"object":[]}}}"#, "React Element cannot be passed to Server Functions from the Client without a temporary reference set. Pass a TemporaryReferenceSet to the options."),
        (r#"{"promise":{"rejected":{"error":{"message":"nope"}}}}"#, "nope"),
    ];
    for (value, message) in cases {
        let g = notation::from_str(value).unwrap();
        let e = reply::encode(&g, &EncodeOptions::default()).unwrap_err();
        assert_eq!(e.kind().to_string(), message, "{value}");
        assert_eq!(e.category(), Category::Unsupported);
    }
    // The error names the path to the value (React's development build shows it).
    let g = notation::from_str(
        r#"{"object":[["a",{"array":[1,{"map":[["k",{"object":[["deep",{"function":"f"}]]}]]}]}]]}"#,
    )
    .unwrap();
    let e = reply::encode(&g, &EncodeOptions::default()).unwrap_err();
    assert_eq!(e.position().path.as_deref(), Some("1:0:1:deep"));
    assert_eq!(
        e.to_string(),
        "Client Functions cannot be passed directly to Server Functions. Only Functions passed from the Server can be passed back again. at `1:0:1:deep`"
    );
    let g = notation::from_str(r#"{"object":[["i",{"instance":"Foo"}]]}"#).unwrap();
    assert_eq!(reply::encode(&g, &EncodeOptions::default()).unwrap_err().position().path.as_deref(), Some("0:i"));
    let g = notation::from_str(r#"{"promise":"pending"}"#).unwrap();
    assert_eq!(
        reply::encode(&g, &EncodeOptions::default()).unwrap_err().to_string(),
        "value holds a pending promise or open stream"
    );
}

#[test]
fn notation_errors() {
    for (text, message) in [
        ("[1]", "invalid value notation: a bare array is not notation; use {\"array\":[…]}"),
        (r#"{"nope":1}"#, "invalid value notation: unknown kind `nope`"),
        (r#"{"ref":"n9"}"#, "invalid value notation: unknown node name \"n9\""),
        (r#"{"a":1,"b":2}"#, "invalid value notation: a notation object has exactly one key"),
    ] {
        assert_eq!(notation::from_str(text).unwrap_err().to_string(), message);
    }
}

#[test]
fn non_ascii_action_prefixes_and_form_keys() {
    let fields = vec![
        (JsString::from("$ACTION_REF_é"), FormEntry::Text("".into())),
        (JsString::from("$ACTION_é:0"), FormEntry::Text(r#"{"id":"m#f","bound":"$@1"}"#.into())),
        (JsString::from("$ACTION_é:1"), FormEntry::Text(r#"["$K2"]"#.into())),
        (JsString::from("$ACTION_é:_2_ключ"), FormEntry::Text("v".into())),
    ];
    let a = reply::decode_action(fields, &DecodeOptions::default()).unwrap().unwrap();
    assert_eq!(a.to_notation(), r#"{"id":"m#f","bound":[{"formData":[["ключ","v"]]}],"formData":{"formData":[]}}"#);
}
