//! One-shot response decoding on streams React 19.3.1's production server
//! wrote (recorded byte for byte in `shared/reference/wire-format.md` §3),
//! and the hostile streams React's own client mishandles.
//! (The generated vector suite `spec/vectors/response/` extends this.)

use flight_codec::response::decode;
use flight_codec::{notation, ErrorKind};

fn ok(stream: &[u8]) -> String {
    match decode(stream, &Default::default()) {
        Ok(g) => notation::to_string(&g),
        Err(e) => panic!("{e} for {:?}", String::from_utf8_lossy(stream)),
    }
}

fn err(stream: &[u8]) -> (String, String) {
    let e = decode(stream, &Default::default()).expect_err("must fail");
    (e.kind().name().to_string(), e.to_string())
}

const PROD_ERROR: &str = "An error occurred in the Server Components render. The specific message is omitted in production builds to avoid leaking sensitive details. A digest property is included on this error instance which may provide additional details about the nature of the error.";

#[test]
fn values_react_wrote() {
    let cases: &[(&[u8], &str)] = &[
        (b"0:\"hi\"\n", r#""hi""#),
        (b"0:\"$undefined\"\n", r#"{"undefined":null}"#),
        (b"0:[\"$n10\",\"$n-5\"]\n", r#"{"array":[{"bigint":"10"},{"bigint":"-5"}]}"#),
        (
            b"0:{\"d\":\"$D1970-01-01T00:00:00.000Z\",\"bad\":null}\n",
            r#"{"object":[["d",{"date":"1970-01-01T00:00:00.000Z"}],["bad",null]]}"#,
        ),
        (
            b"0:{\"a\":1,\"arr\":[\"$undefined\",2,\"$undefined\"]}\n",
            r#"{"object":[["a",1],["arr",{"array":[{"undefined":null},2,{"undefined":null}]}]]}"#,
        ),
        (
            b"0:[\"$-0\",\"$NaN\",\"$Infinity\",\"$-Infinity\",1.5]\n",
            r#"{"array":[{"number":"-0"},{"number":"NaN"},{"number":"Infinity"},{"number":"-Infinity"},1.5]}"#,
        ),
        (b"1:o2,\x02\x030:\"$1\"\n", r#"{"typedArray":{"kind":"Uint8Array","base64":"AgM="}}"#),
        (b"1:o0,0:\"$1\"\n", r#"{"typedArray":{"kind":"Uint8Array","base64":""}}"#),
        (
            b"1:o3,\x01\x02\x032:S2,\xfe\xff6:A4,\x01\x02\x03\x045:V2,\x09\x080:[\"$1\",\"$2\",\"$6\",\"$5\"]\n",
            r#"{"array":[{"typedArray":{"kind":"Uint8Array","base64":"AQID"}},{"typedArray":{"kind":"Int16Array","base64":"/v8="}},{"arrayBuffer":"AQIDBA=="},{"typedArray":{"kind":"DataView","base64":"CQg="}}]}"#,
        ),
        (
            b"1:[[\"a\",\"1\"],[\"f\",\"$B2\"]]\n0:\"$K1\"\n3:o2,xy2:[\"text/plain\",\"$3\"]\n",
            r#"{"formData":[["a","1"],["f",{"file":{"name":"blob","type":"text/plain","base64":"eHk="}}]]}"#,
        ),
        (b"0:\"$B1\"\n2:o5,hello1:[\"text/plain\",\"$2\"]\n", r#"{"blob":{"type":"text/plain","base64":"aGVsbG8="}}"#),
        (b"0:{\"p\":\"$@1\"}\n1:\"v\"\n", r#"{"object":[["p",{"promise":{"fulfilled":"v"}}]]}"#),
        (b"0:\"$@1\"\n1:\"root value\"\n", r#""root value""#),
        (
            b"1:{\"id\":\"mod#echo\",\"bound\":\"$@2\"}\n0:{\"f\":\"$h1\"}\n2:[1,\"a\"]\n",
            r#"{"object":[["f",{"serverReference":{"id":"mod#echo","bound":[1,"a"]}}]]}"#,
        ),
        (b"1:[1,2]\n0:{\"it\":\"$i1\"}\n", r#"{"object":[["it",{"iterator":[1,2]}]]}"#),
        (
            b"1:R\n0:{\"s\":\"$1\"}\n1:T1,a1:{\"b\":1}\n1:C\n",
            r#"{"object":[["s",{"readableStream":["a",{"object":[["b",1]]}]}]]}"#,
        ),
        (b"1:r\n0:{\"s\":\"$1\"}\n1:b2,\x01\x021:b1,\x031:C\n", r#"{"object":[["s",{"byteStream":["AQI=","Aw=="]}]]}"#),
        (
            b"1:x\n0:{\"g\":\"$1\"}\n1:1\n1:2\n2:\"done\"\n1:C\"$2\"\n",
            r#"{"object":[["g",{"asyncIterator":{"items":[1,2],"return":"done"}}]]}"#,
        ),
        (
            b"2:[2]\n1:[[1,\"a\"],[{\"k\":1},\"$W2\"]]\n0:{\"m\":\"$Q1\"}\n",
            r#"{"object":[["m",{"map":[[1,"a"],[{"object":[["k",1]]},{"set":[2]}]]}]]}"#,
        ),
        (
            b"0:{\"a\":{\"s\":1},\"b\":\"$0:a\",\"self\":\"$0\"}\n",
            r#"{"node":["n1",{"object":[["a",{"node":["n2",{"object":[["s",1]]}]}],["b",{"ref":"n2"}],["self",{"ref":"n1"}]]}]}"#,
        ),
        (
            b"1:\"$Smy.sym\"\n0:{\"a\":\"$1\",\"b\":\"$1\"}\n",
            r#"{"object":[["a",{"symbol":"my.sym"}],["b",{"symbol":"my.sym"}]]}"#,
        ),
        (b"0:\"$$dollar\"\n", r#""$dollar""#),
    ];
    for (stream, want) in cases {
        assert_eq!(ok(stream), *want, "{:?}", String::from_utf8_lossy(stream));
    }
}

#[test]
fn text_rows_and_long_strings() {
    let mut s = b"1:T800,".to_vec();
    s.extend("é".repeat(1024).as_bytes());
    s.extend_from_slice(b"0:{\"s\":\"$1\"}\n");
    assert_eq!(ok(&s), format!(r#"{{"object":[["s","{}"]]}}"#, "é".repeat(1024)));
    // A text row is raw: `$` is not escaped in it.
    let mut s = b"1:T44d,$".to_vec();
    s.extend(std::iter::repeat_n(b'y', 0x44c));
    s.extend_from_slice(b"0:\"$1\"\n");
    assert_eq!(ok(&s), format!("\"${}\"", "y".repeat(0x44c)));
}

#[test]
fn elements_client_references_and_errors() {
    assert_eq!(
        ok(b"0:[\"$\",\"div\",\"k\",{\"className\":\"x\",\"children\":[\"hi\",[\"$\",\"b\",null,{\"children\":1}]]}]\n"),
        r#"{"element":{"type":"div","key":"k","props":{"object":[["className","x"],["children",{"array":["hi",{"element":{"type":"b","key":null,"props":{"object":[["children",1]]}}}]}]]}}}"#
    );
    assert_eq!(
        ok(b"1:I[\"client-mod\",[\"chunk-a\",\"chunk-a.js\"],\"Button\"]\n0:[\"$\",\"$L1\",null,{\"label\":\"x\"}]\n"),
        r#"{"element":{"type":{"lazy":{"fulfilled":{"clientReference":{"id":"client-mod","name":"Button"}}}},"key":null,"props":{"object":[["label","x"]]}}}"#
    );
    assert_eq!(
        ok(b"1:\"$Sreact.suspense\"\n3:\"$Sreact.fragment\"\n0:[\"$\",\"$1\",null,{\"fallback\":\"loading\",\"children\":[\"$L2\",[\"$\",\"$3\",\"f\",{\"children\":[\"a\",\"b\"]}]]}]\n2:\"slow\"\n"),
        r#"{"element":{"type":{"symbol":"react.suspense"},"key":null,"props":{"object":[["fallback","loading"],["children",{"array":[{"lazy":{"fulfilled":"slow"}},{"element":{"type":{"symbol":"react.fragment"},"key":"f","props":{"object":[["children",{"array":["a","b"]}]]}}}]}]]}}}"#
    );
    assert_eq!(
        ok(b"0:{\"p\":\"$@1\"}\n1:E{\"digest\":\"DIGEST:nope\"}\n"),
        format!(
            r#"{{"object":[["p",{{"promise":{{"rejected":{{"error":{{"message":"{PROD_ERROR}","digest":"DIGEST:nope"}}}}}}}}]]}}"#
        )
    );
    assert_eq!(ok(b"0:{\"e\":\"$Z\"}\n"), format!(r#"{{"object":[["e",{{"error":{{"message":"{PROD_ERROR}"}}}}]]}}"#));
    // Hints and development rows are skipped.
    assert_eq!(ok(b":N1795462224119.5786\n:HL[\"/a.css\",\"style\"]\n0:D{\"time\":0.64}\n0:1\n"), "1");
    // An errored row under an array whose first item is still open (an
    // object holding the element marker) is not inside an element: the row
    // errors, as React's client rejects the root (checked with 19.3.1).
    let (kind, _) = err(b"0:\"$1\"\n1:[{\"a\":\"$\",\"b\":\"$2\"}]\n2:E{\"digest\":\"d\",\"message\":\"x\"}\n");
    assert_eq!(kind, "root-rejected");
}

#[test]
fn hostile_streams_react_mishandles() {
    // React's client hangs on a promise that resolves to itself.
    assert_eq!(err(b"0:\"$@0\"\n").0, "cyclic-promise");
    // React aliases `100000000:` to row 0.
    assert_eq!(
        err(b"100000000:\"evil\"\n0:\"ok\"\n"),
        ("frame".into(), "invalid stream: row id does not fit in 32 bits at byte 8".into())
    );
    // React reads length ffffffff as -1.
    assert_eq!(err(b"1:offffffff,\x01").0, "frame");
    // React parses unknown uppercase row tags as models.
    assert_eq!(err(b"0:Q{}\n"), ("invalid-row".into(), "row 0 has an unknown tag".into()));
    // React silently truncates a misaligned Float64 row to 0 elements.
    assert_eq!(err(b"1:g3,abc0:\"$1\"\n").0, "misaligned-typed-array");
    assert_eq!(err(b"0:1\n0:2\n"), ("invalid-row".into(), "row 0 appears twice".into()));
    assert_eq!(err(b"0:{\"p\":\"$@1\"}\n"), ("missing-row".into(), "missing row 1".into()));
    assert_eq!(err(b"1:R\n0:\"$1\"\n1:1\n").0, "invalid-stream");
    assert_eq!(err(b"0:\"abc").0, "frame");
    assert_eq!(err(b"1:T2,\xc3"), ("frame".into(), "invalid stream: stream ended inside a row at byte 6".into()));
    assert_eq!(err(b"1:T1,\xff0:\"$1\"\n").0, "invalid-utf8");
    // Every truncation of a valid stream is an error or (at row boundaries) a value.
    let s = b"2:[[\"k\",1]]\n3:o3,\x01\x02\x030:{\"m\":\"$Q2\",\"u\":\"$3\",\"p\":\"$@1\"}\n1:\"late\"\n";
    for cut in 0..s.len() {
        let _ = decode(&s[..cut], &Default::default());
    }
    assert!(matches!(decode(&s[..s.len() - 1], &Default::default()).unwrap_err().kind(), ErrorKind::Frame(_)));
}

#[test]
fn server_references_under_then_and_in_rows_that_errored() {
    use flight_codec::value::NodeRef;
    // A `$h` waits for its row as a placeholder; under a `then` key it is
    // dropped, written there directly, through a reference, through a path,
    // or under an escaped key (as React's client drops a function there).
    for stream in [
        &b"1:{\"id\":\"a#b\",\"bound\":null}\n0:{\"then\":\"$h1\",\"x\":\"$h1\"}\n"[..],
        b"1:{\"id\":\"a#b\",\"bound\":null}\n2:\"$h1\"\n0:{\"then\":\"$2\",\"x\":\"$2\"}\n",
        b"1:{\"id\":\"a#b\",\"bound\":null}\n2:[\"$h1\"]\n0:{\"th\\u0065n\":\"$2:0\",\"x\":\"$h1\"}\n",
    ] {
        assert_eq!(
            ok(stream),
            r#"{"object":[["then",null],["x",{"serverReference":{"id":"a#b","bound":null}}]]}"#,
            "{}",
            String::from_utf8_lossy(stream)
        );
    }
    assert_eq!(ok(b"1:{\"id\":\"a#b\",\"bound\":null}\n0:{\"th\\u0065n\":\"$h1\"}\n"), r#"{"object":[["then",null]]}"#);
    // Inside a row that errored, a `$h` is never filled: it ends as an
    // empty server reference (not reachable from the value).
    let g = decode(b"0:[\"$@3\",5]\n3:[\"$h1\"]\n1:E{\"digest\":\"x\"}\n", &Default::default()).unwrap();
    let refs = g.ids().filter_map(|i| match g.view(i) {
        NodeRef::ServerReference(r) => Some((r.id.to_string_lossy().into_owned(), r.bound.is_none())),
        NodeRef::Iterator(_) => panic!("a placeholder left"),
        _ => None,
    });
    let refs: Vec<_> = refs.collect();
    assert_eq!(refs, [(String::new(), true)]);
    // A placeholder meets the checks an empty server reference meets.
    assert_eq!(
        err(b"1:{\"id\":\"a#b\",\"bound\":\"$h2\"}\n2:{\"id\":\"c\",\"bound\":null}\n0:\"$h1\"\n").0,
        "invalid-server-reference"
    );
    assert_eq!(err(b"1:[\"$h2\"]\n2:{\"id\":\"c\",\"bound\":null}\n0:\"$Q1\"\n").0, "invalid-initializer");
    assert_eq!(err(b"1:\"$h2\"\n2:{\"id\":\"c\",\"bound\":null}\n0:\"$1:x\"\n").0, "invalid-reference");
}
