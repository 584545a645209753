//! The serde layer against real React 19.3.1: Rust types written with
//! `to_reply`/`to_response` are React's bytes and decode in React to the
//! value they stand for; bodies React wrote read back into the Rust types.
//! Plus the mapping and its error messages, verbatim.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};

use base64::Engine;
use bytes::Bytes;
use chrono::{DateTime, TimeZone, Utc};
use common::oracle::Oracle;
use common::{body_json, entries_from_json, Json, B64};
use flight_codec::reply::DecodeOptions;
use flight_codec::serde::{
    from_graph, from_reply, from_reply_form, from_reply_str, from_response, to_graph, to_reply, to_response,
    ArrayBuffer, BigInt, Blob, FormData, JsDate, JsMap, JsSet, JsString, ServerRef, TypedArray, Undefined,
};
use flight_codec::value::{FormEntry, TypedArrayKind};
use flight_codec::{notation, ErrorKind};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
enum Status {
    Draft,
    Published { at: u32 },
    Scheduled(String),
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Profile {
    name: String,
    email: String,
    age: u8,
    score: f64,
    tags: Vec<String>,
    subscribed: bool,
    created: JsDate,
    nickname: Option<String>,
    middle: Option<String>,
    big: BigInt,
    status: Vec<Status>,
    scores: JsMap<String, Vec<u32>>,
    seen: JsSet<u32>,
    counts: BTreeMap<String, i32>,
    pair: (u8, String),
    // React's decoders drop a property whose value is undefined (JSON.parse
    // reviver semantics): `Undefined` reads a missing property, `()` needs a default.
    nothing: Undefined,
    #[serde(default)]
    unit: (),
    lone: JsString,
}

fn profile() -> Profile {
    Profile {
        name: "Ada Lovelace".into(),
        email: "ada@example.com".into(),
        age: 36,
        score: -0.5,
        tags: vec!["math".into(), "$dollar".into()],
        subscribed: true,
        created: JsDate::parse_iso("1843-07-10T12:00:00.000Z").unwrap(),
        nickname: Some("Countess".into()),
        middle: None,
        big: BigInt::parse("-123456789012345678901234567890").unwrap(),
        status: vec![Status::Draft, Status::Published { at: 7 }, Status::Scheduled("soon".into())],
        scores: JsMap(vec![("a".into(), vec![1, 2]), ("b".into(), vec![])]),
        seen: JsSet(vec![3, 1, 2]),
        counts: [("x".to_string(), -1), ("7".to_string(), 2)].into_iter().collect(),
        pair: (9, "nine".into()),
        nothing: Undefined,
        unit: (),
        lone: JsString::from_utf16(&[0x61, 0xd800]),
    }
}

#[derive(Serialize, Deserialize, Debug, Clone)]
struct Upload {
    title: String,
    file: Blob,
    bytes: TypedArray,
    raw: ArrayBuffer,
    form: FormData,
    action: ServerRef,
}

fn upload() -> Upload {
    Upload {
        title: "report".into(),
        file: Blob::file("r.txt", "text/plain", &b"hello"[..]),
        bytes: TypedArray {
            kind: TypedArrayKind::Float64Array,
            bytes: [1.5f64, -2.0].iter().flat_map(|f| f.to_le_bytes()).collect::<Vec<u8>>().into(),
        },
        raw: ArrayBuffer(Bytes::from_static(&[0, 255])),
        form: FormData(vec![("k".into(), FormEntry::Text("v".into()))]),
        action: ServerRef { id: "actions#save".into(), bound: Some(to_graph(&("bound", 1)).unwrap()) },
    }
}

impl PartialEq for ServerRefEq {
    fn eq(&self, other: &Self) -> bool {
        self.0.id == other.0.id
            && self.0.bound.as_ref().map(notation::to_string) == other.0.bound.as_ref().map(notation::to_string)
    }
}
struct ServerRefEq(ServerRef);

/// Decodes a body given in the oracle's JSON form with `from_reply_*`.
fn read_body<T: serde::de::DeserializeOwned>(body: &Json) -> flight_codec::Result<T> {
    match body.get("string") {
        Some(s) => from_reply_str(&s.str().to_string_lossy(), &DecodeOptions::default()),
        None => from_reply_form(entries_from_json(body.get("formData").unwrap()), &DecodeOptions::default()),
    }
}

/// Our body for `value` is React's body for the same value, React reads it
/// as the value, and we read React's body back into `T`.
fn reply_round_trip<T: Serialize + serde::de::DeserializeOwned>(oracle: &mut Oracle, value: &T) -> T {
    let ours = to_reply(value, &Default::default()).unwrap();
    let want = notation::to_string(&to_graph(value).unwrap());
    let react = oracle.ask(&format!(r#"{{"op":"encode","value":{want}}}"#));
    let react_body = react.get("body").unwrap_or_else(|| panic!("React cannot encode {want}: {}", react.compact()));
    assert_eq!(body_json(&ours), react_body.compact(), "our body is React's for {want}");
    let decoded = oracle.ask(&format!(r#"{{"op":"decode","body":{}}}"#, body_json(&ours)));
    let our_read = common::decode_own_body(&ours, &Default::default()).unwrap();
    assert_eq!(decoded.get("value").map(Json::compact), Some(our_read), "React reads our body as we do");
    read_body(react_body).unwrap_or_else(|e| panic!("we cannot read React's body for {want}: {e}"))
}

#[test]
fn typed_replies_are_reacts_bytes_both_ways() {
    let Some(mut oracle) = Oracle::start("reply-server.mjs") else { return };
    let p = profile();
    assert_eq!(reply_round_trip(&mut oracle, &(p.clone(), Undefined, ())), (p, Undefined, ()));
    let u = upload();
    let (back,): (Upload,) = reply_round_trip(&mut oracle, &(u.clone(),));
    assert_eq!(back.title, u.title);
    assert_eq!(back.file, u.file);
    assert_eq!(back.bytes, u.bytes);
    assert_eq!(back.raw, u.raw);
    assert_eq!(back.form, u.form);
    assert!(ServerRefEq(back.action) == ServerRefEq(u.action));
    // Plain Rust collections and scalars at the top.
    let args = (vec![1u32, 2], HashMap::from([("k".to_string(), true)]), 'c', 2.5f32, i64::MAX >> 11);
    assert_eq!(reply_round_trip(&mut oracle, &args), args);
}

#[test]
fn typed_responses_are_reacts_bytes_and_react_reads_them() {
    let Some(mut oracle) = Oracle::start("response-server.mjs") else { return };
    let values: Vec<(String, Vec<u8>)> = vec![
        (notation::to_string(&to_graph(&profile()).unwrap()), to_response(&profile(), &Default::default()).unwrap()),
        (notation::to_string(&to_graph(&upload()).unwrap()), to_response(&upload(), &Default::default()).unwrap()),
        (
            notation::to_string(&to_graph(&"x".repeat(3000)).unwrap()),
            to_response(&"x".repeat(3000), &Default::default()).unwrap(),
        ),
    ];
    for (want, ours) in values {
        let rendered = oracle.ask(&format!(r#"{{"op":"render","value":{want},"dev":false}}"#));
        let react: Vec<u8> =
            rendered.get("chunks").unwrap().arr().iter().flat_map(|c| B64.decode(c.text()).unwrap()).collect();
        assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&react), "for {want}");
        let read = oracle.ask(&format!(
            r#"{{"op":"decodeResponse","chunks":["{}"],"dev":false,"temporaryReferences":false}}"#,
            B64.encode(&ours)
        ));
        let our_read = notation::to_string(&flight_codec::response::decode(&ours, &Default::default()).unwrap());
        assert_eq!(read.get("value").map(Json::compact), Some(our_read), "React reads our rows as we do");
    }
    let back: Profile =
        from_response(&to_response(&profile(), &Default::default()).unwrap(), &Default::default()).unwrap();
    assert_eq!(back, profile());
}

/// What a host's parameters accept from values React writes: integers from
/// numbers, `chrono` times from dates, Rust maps from `Map`s and objects,
/// vectors from `Set`s, typed arrays, iterators and streams, and the value of
/// a promise.
#[test]
fn reacts_values_read_into_ordinary_rust_types() {
    let Some(mut oracle) = Oracle::start("reply-server.mjs") else { return };
    #[derive(Deserialize, Debug, PartialEq)]
    struct Loose {
        when: DateTime<Utc>,
        map: HashMap<String, u16>,
        obj: HashMap<u32, bool>,
        set: HashSet<i8>,
        floats: Vec<f64>,
        bytes: Vec<u8>,
        it: Vec<String>,
        stream: Vec<u8>,
        later: String,
        big: i128,
        missing: Option<u8>,
        undef: Option<u8>,
    }
    let value = r#"{"object":[
        ["when",{"date":"2024-05-01T12:30:00.250Z"}],
        ["map",{"map":[["a",1],["b",65535]]}],
        ["obj",{"object":[["1",true],["20",false]]}],
        ["set",{"set":[-1,2]}],
        ["floats",{"typedArray":{"kind":"Float32Array","base64":"AADAPw=="}}],
        ["bytes",{"typedArray":{"kind":"Uint8Array","base64":"AQID"}}],
        ["it",{"iterator":["x","y"]}],
        ["stream",{"readableStream":[4,5]}],
        ["later",{"promise":{"fulfilled":"done"}}],
        ["big",{"bigint":"-170141183460469231731687303715884105728"}],
        ["undef",{"undefined":null}]]}"#
        .replace(char::is_whitespace, "");
    let react = oracle.ask(&format!(r#"{{"op":"encode","value":{{"array":[{value}]}}}}"#));
    let (got,): (Loose,) = read_body(react.get("body").expect("React encodes")).unwrap();
    assert_eq!(
        got,
        Loose {
            when: Utc.with_ymd_and_hms(2024, 5, 1, 12, 30, 0).unwrap() + chrono::Duration::milliseconds(250),
            map: HashMap::from([("a".into(), 1), ("b".into(), 65535)]),
            obj: HashMap::from([(1, true), (20, false)]),
            set: HashSet::from([-1, 2]),
            floats: vec![1.5],
            bytes: vec![1, 2, 3],
            it: vec!["x".into(), "y".into()],
            stream: vec![4, 5],
            later: "done".into(),
            big: i128::MIN,
            missing: None,
            undef: None,
        }
    );
}

#[derive(Deserialize, Debug)]
#[allow(dead_code)]
struct Draft {
    title: String,
    tags: Vec<String>,
    count: u8,
    when: Option<JsDate>,
    kind: Option<Status>,
    lookup: Option<HashMap<String, u8>>,
}

fn draft_error(arg: &str) -> String {
    from_reply_str::<(Draft,)>(&format!("[{arg}]"), &Default::default()).unwrap_err().to_string()
}

#[test]
fn type_errors_name_the_path_and_both_types() {
    let base = r#""title":"t","tags":[],"count":1"#;
    let cases = [
        (
            r#"{"title":"t","tags":["a","b",3],"count":1}"#.to_string(),
            "args[0].tags[2]: expected string, found number 3",
        ),
        (format!(r#"{{{base},"count":300}}"#), "args[0].count: expected u8, found number 300"),
        (r#"{"title":"t","tags":[],"count":1.5}"#.into(), "args[0].count: expected u8, found number 1.5"),
        (r#"{"title":"t","tags":[],"count":"1"}"#.into(), "args[0].count: expected u8, found string"),
        // A bigint reads into an integer type when it fits.
        (r#"{"title":"t","tags":[],"count":"$n300"}"#.into(), "args[0].count: expected u8, found bigint"),
        (r#"{"title":"t","tags":[]}"#.into(), "args[0]: missing field `count`"),
        (r#"{"title":null,"tags":[],"count":1}"#.into(), "args[0].title: expected string, found null"),
        (format!(r#"{{{base},"when":"2024"}}"#), "args[0].when: expected Date, found string"),
        (
            format!(r#"{{{base},"kind":"Gone"}}"#),
            "args[0].kind: unknown variant `Gone`, expected one of `Draft`, `Published`, `Scheduled`",
        ),
        (
            format!(r#"{{{base},"kind":{{"Published":{{"at":-1}}}}}}"#),
            "args[0].kind.Published.at: expected u32, found number -1",
        ),
        (format!(r#"{{{base},"lookup":{{"a b":"x"}}}}"#), r#"args[0].lookup["a b"]: expected u8, found string"#),
        (r#""$undefined""#.into(), "args[0]: expected object, found undefined"),
        (
            r#"{"title":"\ud800","tags":[],"count":1}"#.into(),
            "args[0].title: string holds a lone surrogate (read it as a JsString)",
        ),
    ];
    for (arg, want) in cases {
        let err = from_reply_str::<(Draft,)>(&format!("[{arg}]"), &Default::default()).expect_err(&arg);
        assert_eq!(err.to_string(), want, "for {arg}");
        assert_eq!(err.kind().name(), "type", "for {arg}");
        assert!(matches!(err.kind(), ErrorKind::Type { .. }));
    }
    assert_eq!(draft_error("1"), "args[0]: expected object, found number 1");
    // Map entries name their index and side.
    let err =
        from_graph::<HashMap<String, u8>>(&notation::from_str(r#"{"map":[["a",1],[2,3]]}"#).unwrap()).unwrap_err();
    assert_eq!(err.to_string(), "value<entry 1 key>: expected string, found number 2");
}

#[test]
fn rust_values_javascript_cannot_hold_are_errors() {
    let err = to_graph(&(1u64 << 53)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "integer 9007199254740992 is outside JavaScript's safe integer range (use flight_codec::value::BigInt)"
    );
    let err = to_graph(&HashMap::from([((1, 2), 3)])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "expected a string or number as an object key (use JsMap for other keys), found a tuple"
    );
    // Number keys are written as JavaScript writes them; JsMap keeps any key.
    assert_eq!(notation::to_string(&to_graph(&BTreeMap::from([(2u32, 1)])).unwrap()), r#"{"object":[["2",1]]}"#);
    let g = to_graph(&JsMap(vec![((1, 2), 3)])).unwrap();
    assert_eq!(notation::to_string(&g), r#"{"map":[[{"array":[1,2]},3]]}"#);
}

#[test]
fn shared_and_cyclic_values() {
    // A shared object is read at each place it occurs.
    let (a, b): (Vec<u8>, Vec<u8>) = from_reply_str(r#"[[1,2],"$0:0"]"#, &Default::default()).unwrap();
    assert_eq!((a, b), (vec![1, 2], vec![1, 2]));
    // A cycle cannot become a Rust value.
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Node {
        next: Option<Box<Node>>,
    }
    let err = from_reply_str::<(Node,)>(r#"[{"next":"$0:0"}]"#, &Default::default()).unwrap_err();
    assert_eq!(err.to_string(), "args[0].next: a cyclic value cannot be read into a Rust type");
    // A reference bomb: each level refers to the previous one twice. The graph
    // is linear in the body; its expansion into a Rust value is bounded.
    let mut parts = vec![r#"["x","x"]"#.to_string()];
    for i in 1..40 {
        parts.push(format!(r#"["$0:{p}","$0:{p}"]"#, p = i - 1));
    }
    let body = format!("[{}]", parts.join(","));
    let err = from_reply_str::<Vec<serde_json::Value>>(&body, &Default::default()).unwrap_err();
    assert!(err.is_limit(), "{err}");
    // Deep nesting is a depth error, not a stack overflow (the typed read
    // recurses at most 128 levels: spec/serde.md gives the stack it needs).
    let deep = format!("[{}1{}]", "[".repeat(500), "]".repeat(500));
    let err = common::with_stack(move || from_reply_str::<serde_json::Value>(&deep, &Default::default()).unwrap_err());
    assert_eq!(err.to_string(), "limit `max_depth` of 128 exceeded");
}

#[test]
fn the_value_model_is_serialize_and_deserialize() {
    // Graph ↔ other formats.
    let g =
        notation::from_str(r#"{"object":[["a",{"array":[1,{"date":"2024-01-01T00:00:00.000Z"},{"bigint":"5"}]}]]}"#)
            .unwrap();
    assert_eq!(serde_json::to_string(&g).unwrap(), r#"{"a":[1.0,"2024-01-01T00:00:00.000Z","5"]}"#);
    let back: flight_codec::value::Graph = serde_json::from_str(r#"{"a":[1,null,"s"]}"#).unwrap();
    assert_eq!(notation::to_string(&back), r#"{"object":[["a",{"array":[1,null,"s"]}]]}"#);
    // Graph inside a typed value is handed over whole: identity kept.
    let shared = notation::from_str(r#"{"array":[{"node":["n1",{"array":[]}]},{"ref":"n1"}]}"#).unwrap();
    let g = to_graph(&("x", shared.clone())).unwrap();
    assert_eq!(notation::to_string(&g), r#"{"array":["x",{"array":[{"node":["n1",{"array":[]}]},{"ref":"n1"}]}]}"#);
    let (_, inner): (String, flight_codec::value::Graph) = from_graph(&g).unwrap();
    assert_eq!(notation::to_string(&inner), notation::to_string(&shared));
    // Wrappers in JSON.
    assert_eq!(serde_json::to_string(&JsDate::from_millis(0.0)).unwrap(), r#""1970-01-01T00:00:00.000Z""#);
    assert_eq!(serde_json::from_str::<JsDate>("0").unwrap().millis(), 0.0);
    assert_eq!(serde_json::to_string(&BigInt::from(-3i64)).unwrap(), r#""-3""#);
    assert_eq!(serde_json::to_string(&Undefined).unwrap(), "null");
    assert_eq!(serde_json::to_string(&JsSet(vec![1])).unwrap(), "[1]");
    assert_eq!(serde_json::to_string(&JsMap(vec![("k", 1)])).unwrap(), r#"{"k":1}"#);
    // A multipart body read straight into a type.
    let body = Bytes::from_static(b"--B\r\nContent-Disposition: form-data; name=\"0\"\r\n\r\n[\"$Q1\"]\r\n--B\r\nContent-Disposition: form-data; name=\"1\"\r\n\r\n[[\"a\",1]]\r\n--B--\r\n");
    let (m,): (BTreeMap<String, u8>,) =
        from_reply("multipart/form-data; boundary=B", body, &Default::default()).unwrap();
    assert_eq!(m["a"], 1);
}

/// A typed read counts each shared node at each place it is read, within 16
/// units a body byte plus 64 Ki: React's own body for one array of 1,000
/// numbers passed 60 times (2.4 kB, a `$0:0` reference for each repeat)
/// reads as 60 vectors (60,000 units). A constant of 4 Ki rejected it.
#[test]
fn react_bodies_that_repeat_a_shared_array_read_within_the_budget() {
    let Some(mut oracle) = Oracle::start("reply-server.mjs") else { return };
    let zeros = vec!["0"; 1_000].join(",");
    let mut items = vec![format!(r#"{{"node":["a",{{"array":[{zeros}]}}]}}"#)];
    items.extend(std::iter::repeat_n(r#"{"ref":"a"}"#.to_string(), 59));
    let want = format!(r#"{{"array":[{}]}}"#, items.join(","));
    let react = oracle.ask(&format!(r#"{{"op":"encode","value":{want}}}"#));
    let body = react.get("body").unwrap_or_else(|| panic!("React cannot encode it: {}", react.compact()));
    let read: Vec<Vec<u32>> = read_body(body).unwrap();
    assert_eq!(read.len(), 60);
    assert!(read.iter().all(|v| v.len() == 1_000 && v.iter().all(|&x| x == 0)));
}
