//! Every decoder limit: accepted at the limit, rejected one past it, with a
//! typed error; and the defaults accept what React accepts for legitimate data.

use flight_codec::reply::{self, DecodeOptions};
use flight_codec::value::{FormEntry, JsString, Node, NodeRef, Value};
use flight_codec::{ErrorKind, LimitKind, Limits};

fn opts(f: impl FnOnce(&mut Limits)) -> DecodeOptions {
    let mut o = DecodeOptions::default();
    f(&mut o.limits);
    o
}

fn limit_of(r: Result<flight_codec::value::Graph, flight_codec::Error>) -> Option<LimitKind> {
    match r {
        Ok(_) => None,
        Err(e) => match e.kind() {
            ErrorKind::LimitExceeded { limit, .. } => Some(*limit),
            other => panic!("expected a limit error, got {other:?}: {e}"),
        },
    }
}

fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

fn text_entries(parts: &[(&str, String)]) -> Vec<(JsString, FormEntry)> {
    parts.iter().map(|(n, t)| (JsString::from(*n), FormEntry::Text(t.as_str().into()))).collect()
}

#[test]
fn depth() {
    let o = opts(|l| l.max_depth = 50);
    assert_eq!(limit_of(reply::decode_str(&nested(50), &o)), None);
    assert_eq!(limit_of(reply::decode_str(&nested(51), &o)), Some(LimitKind::Depth));
    let objects = format!("{}1{}", r#"{"a":"#.repeat(51), "}".repeat(51));
    assert_eq!(limit_of(reply::decode_str(&objects, &o)), Some(LimitKind::Depth));
}

#[test]
fn depth_error_message() {
    let o = opts(|l| l.max_depth = 3);
    let e = reply::decode_str("[[[[]]]]", &o).unwrap_err();
    assert_eq!(e.to_string(), "limit `max_depth` of 3 exceeded at byte 3 in part 0");
}

#[test]
fn defaults_accept_1000_levels_and_a_million_without_overflowing() {
    assert!(reply::decode_str(&nested(1000), &DecodeOptions::default()).is_ok());
    // A million levels is a typed error, not a stack overflow; and with the
    // limit lifted it decodes (the decoder does not recurse).
    assert_eq!(limit_of(reply::decode_str(&nested(1_000_000), &DecodeOptions::default())), Some(LimitKind::Depth));
    let g = reply::decode_str(&nested(1_000_000), &opts(|l| l.max_depth = usize::MAX)).unwrap();
    assert_eq!(g.len(), 1_000_000);
    // Printing and dropping it does not recurse either.
    assert!(flight_codec::notation::to_string(&g).len() > 10_000_000);
}

#[test]
fn defaults_accept_a_10mb_array_of_long_strings() {
    // React's own arraySizeLimit rejects this (it adds each string's length);
    // max_array_size counts each string as one slot, and the logical budget is far off.
    let s = "x".repeat(100_000);
    let body = format!("[{}]", vec![format!("\"{s}\""); 100].join(","));
    assert!(body.len() > 10_000_000);
    let g = reply::decode_str(&body, &DecodeOptions::default()).unwrap();
    let Value::Node(root) = g.root() else { panic!() };
    assert!(matches!(g.view(*root), NodeRef::Array(items) if items.len() == 100));
    // Even at the smallest limit that lets 100 elements through.
    assert!(reply::decode_str(&body, &opts(|l| l.max_array_size = 101)).is_ok());
}

#[test]
fn array_size() {
    // React's arraySizeLimit accounting (measured with its `arraySizeLimit`
    // option): each array is its length plus one, arrays directly inside
    // arrays share one count.
    let o = |max| opts(|l| l.max_array_size = max);
    assert_eq!(limit_of(reply::decode_str("[1,2,3,4,5,6,7,8,9]", &o(10))), None);
    assert_eq!(limit_of(reply::decode_str("[1,2,3,4,5,6,7,8,9,10]", &o(10))), Some(LimitKind::ArraySize));
    // 3 + 5 + 4 = 12 and 3 + 5 + 5 = 13 slots in one tree.
    assert_eq!(limit_of(reply::decode_str("[[1,2,3,4],[1,2,3]]", &o(12))), None);
    assert_eq!(limit_of(reply::decode_str("[[1,2,3,4],[1,2,3,4]]", &o(12))), Some(LimitKind::ArraySize));
    assert_eq!(limit_of(reply::decode_str("[[[1,2,3],[4]],[[5,6]]]", &o(17))), None);
    assert_eq!(limit_of(reply::decode_str("[[[1,2,3],[4]],[[5,6,7]]]", &o(17))), Some(LimitKind::ArraySize));
    // An object starts a new tree: 7 for the root tree, 10 for the array under `a`.
    assert_eq!(limit_of(reply::decode_str(r#"[[1,2,3],{"a":[1,2,3,4,5,6,7,8,9]}]"#, &o(10))), None);
    assert_eq!(
        limit_of(reply::decode_str(r#"[[1,2,3],{"a":[1,2,3,4,5,6,7,8,9,10]}]"#, &o(10))),
        Some(LimitKind::ArraySize)
    );
    assert_eq!(limit_of(reply::decode_str(r#"[{"a":[1,2,3,4,5,6]},{"a":[1,2,3,4,5,6]}]"#, &o(10))), None);
    // So does another part: the Map's entries are part 1's tree, 6 + 3 × 5 slots.
    let map = |n: usize| {
        let entries: Vec<String> = (0..n).map(|i| format!("[{i},{i}]")).collect();
        text_entries(&[("1", format!("[{}]", entries.join(","))), ("0", r#""$Q1""#.into())])
    };
    assert_eq!(limit_of(reply::decode_form(map(5), &o(21))), None);
    assert_eq!(limit_of(reply::decode_form(map(5), &o(20))), Some(LimitKind::ArraySize));
    // Stream rows are trees of their own, checked like parts.
    let stream = |row: &str| text_entries(&[("0", r#""$R1""#.into()), ("S1", row.into()), ("S1", "C".into())]);
    assert_eq!(limit_of(reply::decode_form(stream("[1,2,3,4,5,6,7,8,9]"), &o(10))), None);
    assert_eq!(limit_of(reply::decode_form(stream("[1,2,3,4,5,6,7,8,9,10]"), &o(10))), Some(LimitKind::ArraySize));
}

#[test]
fn array_size_counts_strings_bigints_typed_arrays_and_references_as_one_slot() {
    // React adds a string's length, a bigint's digits, a typed array's bytes and
    // (sometimes) the size of what a reference points to; we count each as the
    // one slot it fills, so we accept every body React accepts.
    let o = opts(|l| l.max_array_size = 10);
    let long = format!("\"{}\"", "x".repeat(1000));
    let strings = format!("[{}]", [long.as_str(); 9].join(","));
    assert_eq!(limit_of(reply::decode_str(&strings, &o)), None);
    let digits = format!("\"$n{}\"", "9".repeat(300));
    let bigints = format!("[{}]", [digits.as_str(); 9].join(","));
    assert_eq!(limit_of(reply::decode_str(&bigints, &o)), None);
    let typed = vec![
        (JsString::from("1"), FormEntry::File(flight_codec::value::Blob::new("", vec![0u8; 4096]))),
        (JsString::from("0"), FormEntry::Text(r#"["$o1",1,2,3,4,5,6,7,8]"#.into())),
    ];
    assert_eq!(limit_of(reply::decode_form(typed, &o)), None);
    let refs = format!(r#"[[1,2,3,4,5,6,7,8],{}]"#, [r#""$0:0""#; 8].join(","));
    assert_eq!(limit_of(reply::decode_str(&refs, &opts(|l| l.max_array_size = 19))), None);
    assert_eq!(limit_of(reply::decode_str(&refs, &opts(|l| l.max_array_size = 18))), Some(LimitKind::ArraySize));
}

#[test]
fn array_size_spares_chains_of_one_element_arrays() {
    // As in React, a tree is over the limit only once some array in it has two elements.
    let o = opts(|l| l.max_array_size = 10);
    assert_eq!(limit_of(reply::decode_str(&nested(100), &o)), None);
    assert_eq!(limit_of(reply::decode_str("[[[[[[1,2]]]]]]", &o)), Some(LimitKind::ArraySize));
}

#[test]
fn array_size_error_and_default() {
    let e = reply::decode_str("[[1,2],[3]]", &opts(|l| l.max_array_size = 6)).unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::LimitExceeded { limit: LimitKind::ArraySize, max: 6 });
    assert_eq!(e.to_string(), "limit `max_array_size` of 6 exceeded in part 0");
    // The default is React's 1e6: 999,999 elements are 1,000,000 slots.
    assert_eq!(Limits::default().max_array_size, 1_000_000);
    let body = |n: usize| format!("[{}]", vec!["0"; n].join(","));
    assert_eq!(limit_of(reply::decode_str(&body(999_999), &DecodeOptions::default())), None);
    assert_eq!(limit_of(reply::decode_str(&body(1_000_000), &DecodeOptions::default())), Some(LimitKind::ArraySize));
    // Lifted, it is not checked.
    assert_eq!(limit_of(reply::decode_str(&body(1_000_000), &opts(|l| *l = Limits::unbounded()))), None);
}

/// The typed reader's direct path (string bodies straight into Rust types)
/// keeps the array-size limit: 10 numbers in an array in an array are 13 slots.
#[cfg(feature = "serde")]
#[test]
fn array_size_holds_for_typed_reads() {
    let body = "[[1,2,3,4,5,6,7,8,9,10]]";
    let read = |max| flight_codec::serde::from_reply_str::<(Vec<u8>,)>(body, &opts(|l| l.max_array_size = max));
    assert_eq!(read(13).unwrap().0.len(), 10);
    let e = read(12).unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::LimitExceeded { limit: LimitKind::ArraySize, max: 12 });
}

#[test]
fn parts() {
    let mut parts: Vec<(&str, String)> = vec![("0", "1".into())];
    parts.extend((0..9).map(|_| ("junk", "x".to_string())));
    let o = opts(|l| l.max_parts = 10);
    assert_eq!(limit_of(reply::decode_form(text_entries(&parts), &o)), None);
    parts.push(("junk", "x".into()));
    assert_eq!(limit_of(reply::decode_form(text_entries(&parts), &o)), Some(LimitKind::Parts));
}

#[test]
fn total_bytes() {
    // A string body is the entry `"0"` (1 byte of name) plus the text.
    let o = opts(|l| l.max_total_bytes = 11);
    assert_eq!(limit_of(reply::decode_str("\"12345678\"", &o)), None);
    assert_eq!(limit_of(reply::decode_str("\"123456789\"", &o)), Some(LimitKind::TotalBytes));
}

/// A multipart body of `n` parts: part `0` (`1`), then `n - 1` unused `junk` parts.
fn multipart_body(n: usize) -> bytes::Bytes {
    use flight_codec::multipart::{self, EntryRef};
    let mut entries = vec![EntryRef::Text { name: "0", value: "1" }];
    entries.extend((1..n).map(|_| EntryRef::Text { name: "junk", value: "x" }));
    let mut body = Vec::new();
    multipart::write(&entries, "XX", &mut body);
    body.into()
}

/// Decodes a multipart body whole, through the push decoder (whole and
/// byte by byte) and as a form action, checking all four agree; returns the
/// limit hit, if any.
fn multipart_limit(body: &bytes::Bytes, o: &DecodeOptions) -> Option<LimitKind> {
    let whole = limit_of(reply::decode_multipart(body, "XX", o));
    for chunk in [body.len(), 1] {
        let mut dec = reply::MultipartDecoder::new("XX", o.clone()).unwrap();
        let fed = body.chunks(chunk).try_for_each(|c| dec.feed(c));
        let pushed = limit_of(fed.and_then(|()| dec.finish()));
        assert_eq!(pushed, whole, "chunks of {chunk}");
    }
    let action = reply::decode_action_body("multipart/form-data; boundary=XX", body.clone(), o);
    let action = match action {
        Ok(_) => None,
        Err(e) => limit_of(Err(e)),
    };
    assert_eq!(action, whole, "decode_action_body");
    whole
}

#[test]
fn parts_in_a_multipart_body() {
    // The same typed error as over FormData entries, not a multipart error.
    let o = opts(|l| l.max_parts = 10);
    assert_eq!(multipart_limit(&multipart_body(10), &o), None);
    assert_eq!(multipart_limit(&multipart_body(11), &o), Some(LimitKind::Parts));
    let e = reply::decode_multipart(&multipart_body(11), "XX", &o).unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::LimitExceeded { limit: LimitKind::Parts, max: 10 });
    assert_eq!(e.to_string(), "limit `max_parts` of 10 exceeded");
    assert!(e.is_limit());
}

#[test]
fn total_bytes_of_a_multipart_body() {
    // Over a multipart body the bytes counted are the body's own.
    let body = multipart_body(3);
    let o = |max| opts(|l| l.max_total_bytes = max);
    assert_eq!(multipart_limit(&body, &o(body.len())), None);
    assert_eq!(multipart_limit(&body, &o(body.len() - 1)), Some(LimitKind::TotalBytes));
    let e = reply::decode_multipart(&body, "XX", &o(body.len() - 1)).unwrap_err();
    let max = body.len() as u64 - 1;
    assert_eq!(e.kind(), &ErrorKind::LimitExceeded { limit: LimitKind::TotalBytes, max });
    assert_eq!(e.to_string(), format!("limit `max_total_bytes` of {max} exceeded"));
    // The push decoder refuses the chunk that goes past the limit, before the body ends.
    let mut dec = reply::MultipartDecoder::new("XX", o(body.len() - 1)).unwrap();
    dec.feed(&body[..body.len() - 1]).unwrap();
    let e = dec.feed(&body[body.len() - 1..]).unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::LimitExceeded { limit: LimitKind::TotalBytes, max });
}

#[test]
fn logical_size_without_sharing() {
    // `["ab"]`: the string's 2 bytes plus the array's 1 + 1 slots.
    let o = |max| opts(|l| l.max_logical_size = max);
    assert_eq!(limit_of(reply::decode_str(r#"["ab"]"#, &o(4))), None);
    assert_eq!(limit_of(reply::decode_str(r#"["ab"]"#, &o(3))), Some(LimitKind::LogicalSize));
}

#[test]
fn logical_size_charges_shared_references() {
    // `[s, "$0:0"]`: the 10-byte string counted once per reference.
    let body = r#"["0123456789","$0:0"]"#;
    let o = |max| opts(|l| l.max_logical_size = max);
    assert_eq!(limit_of(reply::decode_str(body, &o(23))), None);
    assert_eq!(limit_of(reply::decode_str(body, &o(22))), Some(LimitKind::LogicalSize));
}

#[test]
fn reference_bombs_are_rejected_in_linear_memory() {
    // Part k = [$k-1, $k-1]: 2^60 leaves through 60 parts of a few bytes each.
    for leaf in ["{\"a\":1}", "[1,2,3]", "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxx\"", "\"$n123456789012345678901234567890\""] {
        let mut parts = vec![("1".to_string(), leaf.to_string())];
        for k in 2..=60u32 {
            parts.push((k.to_string(), format!("[\"${:x}\",\"${:x}\"]", k - 1, k - 1)));
        }
        parts.push(("0".to_string(), format!("\"${:x}\"", 60)));
        let entries =
            parts.iter().map(|(n, t)| (JsString::from(n.as_str()), FormEntry::Text(t.as_str().into()))).collect();
        assert_eq!(
            limit_of(reply::decode_form(entries, &DecodeOptions::default())),
            Some(LimitKind::LogicalSize),
            "{leaf}"
        );
    }
}

#[test]
fn bigint_digits() {
    // Counted as React counts: the characters after `$n`, sign included.
    let ok = format!("\"$n-{}\"", "9".repeat(299));
    let over = format!("\"$n-{}\"", "9".repeat(300));
    assert_eq!(limit_of(reply::decode_str(&ok, &DecodeOptions::default())), None);
    assert_eq!(limit_of(reply::decode_str(&over, &DecodeOptions::default())), Some(LimitKind::BigIntDigits));
}

fn bound_body(n: usize) -> Vec<(JsString, FormEntry)> {
    let args = vec!["1"; n].join(",");
    text_entries(&[("1", format!("[{args}]")), ("2", r#"{"id":"m#f","bound":"$@1"}"#.into()), ("0", "\"$h2\"".into())])
}

#[test]
fn bound_args() {
    assert_eq!(limit_of(reply::decode_form(bound_body(1000), &DecodeOptions::default())), None);
    assert_eq!(limit_of(reply::decode_form(bound_body(1001), &DecodeOptions::default())), Some(LimitKind::BoundArgs));
}

fn chain(k: u32) -> Vec<(JsString, FormEntry)> {
    // 0 = "$@1", 1 = "$@2", …, k = "v": k promises resolving to promises.
    let mut parts: Vec<(String, String)> = (0..k).map(|i| (i.to_string(), format!("\"$@{:x}\"", i + 1))).collect();
    parts.push((k.to_string(), "\"v\"".into()));
    parts.iter().map(|(n, t)| (JsString::from(n.as_str()), FormEntry::Text(t.as_str().into()))).collect()
}

#[test]
fn promise_chain() {
    let o = opts(|l| l.max_promise_chain = 5);
    let g = reply::decode_form(chain(5), &o).unwrap();
    assert_eq!(g.root().as_string().unwrap(), "v");
    assert_eq!(limit_of(reply::decode_form(chain(6), &o)), Some(LimitKind::PromiseChain));
}

#[test]
fn path_segments() {
    let o = opts(|l| l.max_path_segments = 4);
    let body = |n: usize| format!(r#"[{{"a":{{"a":{{"a":{{"a":{{"a":1}}}}}}}}}},"$0:0{}"]"#, ":a".repeat(n - 1));
    assert_eq!(limit_of(reply::decode_str(&body(4), &o)), None);
    assert_eq!(limit_of(reply::decode_str(&body(5), &o)), Some(LimitKind::PathSegments));
}

#[test]
fn unbounded_is_explicit() {
    let l = Limits::unbounded();
    assert_eq!(l.max_depth, usize::MAX);
    assert_ne!(Limits::default(), l);
}

/// A value nested `depth` levels (arrays in objects in arrays…), built through the API.
fn deep_value(depth: usize) -> flight_codec::value::Graph {
    let mut g = flight_codec::value::Graph::new();
    let mut v = Value::Number(1.0);
    for i in 0..depth {
        v = if i % 2 == 0 {
            g.add_value(Node::Array(vec![v]))
        } else {
            g.add_value(Node::Object(vec![("k".into(), v)]))
        };
    }
    g.set_root(v);
    g
}

#[test]
fn a_million_levels_encode_both_ways_in_linear_time() {
    // Encoding keeps a path per object (`$0:0:k:0…`); built lazily, it costs
    // O(1) per level, so a million levels encode (no recursion, no O(depth²)).
    let g = deep_value(1_000_000);
    let reply = reply::encode(&g, &Default::default()).unwrap();
    assert!(reply.as_text().unwrap().len() > 3_000_000);
    let response = flight_codec::response::encode(&g, &Default::default()).unwrap();
    assert!(response.len() > 3_000_000);
    // Our decoders read them back with the depth limit lifted.
    let back = reply::decode_str(reply.as_text().unwrap(), &opts(|l| l.max_depth = usize::MAX)).unwrap();
    assert_eq!(back.len(), 1_000_000);
    let back = flight_codec::response::decode(&response, &opts(|l| l.max_depth = usize::MAX)).unwrap();
    assert_eq!(back.len(), 1_000_000);
    // Comparing (as notation) and dropping do not recurse either.
    let (a, b) = (flight_codec::notation::to_string(&back), flight_codec::notation::to_string(&g));
    let at = a.bytes().zip(b.bytes()).position(|(x, y)| x != y);
    assert!(
        a == b,
        "differ at {at:?}: {:?} / {:?}",
        at.map(|i| &a[i.saturating_sub(40)..(i + 40).min(a.len())]),
        at.map(|i| &b[i.saturating_sub(40)..(i + 40).min(b.len())])
    );
}
