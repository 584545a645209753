//! Hostile input smoke tests over every vector body: truncations and byte
//! mutations never panic, and every result is a value or a typed error.
//! (Fuzzing proper lives in `fuzz/`.)

mod common;

use base64::Engine as _;
use bytes::Bytes;
use common::{load_vectors, Rng, B64};
use flight_codec::reply::{self, DecodeOptions, MultipartDecoder};
use flight_codec::value::NodeRef;

fn decode_all_ways(body: &[u8], boundary: Option<&str>) {
    let opts = DecodeOptions::default();
    let _ = reply::decode_text(Bytes::copy_from_slice(body), &opts);
    if let Some(b) = boundary {
        let whole = reply::decode_multipart(&Bytes::copy_from_slice(body), b, &opts)
            .map(|g| flight_codec::notation::to_string(&g));
        let mut dec = MultipartDecoder::new(b, opts.clone()).unwrap();
        let chunked = body
            .chunks(7)
            .try_for_each(|c| dec.feed(c))
            .and_then(|_| dec.finish())
            .map(|g| flight_codec::notation::to_string(&g));
        assert_eq!(whole.is_ok(), chunked.is_ok());
        if let (Ok(a), Ok(b)) = (whole, chunked) {
            assert_eq!(a, b);
        }
    }
}

#[test]
fn truncated_and_mutated_vectors_never_panic() {
    let mut rng = Rng(0xdead_beef_cafe_f00d);
    let mut bodies = 0;
    for (_, v) in load_vectors("reply") {
        let (body, boundary) = match (v.get("multipart"), v.get("body").and_then(|b| b.get("string"))) {
            (Some(mp), _) => {
                let ct = mp.get("contentType").unwrap().text();
                (
                    B64.decode(mp.get("base64").unwrap().text()).unwrap(),
                    Some(flight_codec::multipart::boundary_from_content_type(&ct).unwrap()),
                )
            }
            (None, Some(s)) => (s.str().as_wtf8().to_vec(), None),
            _ => continue,
        };
        if body.len() > 20_000 {
            continue;
        }
        bodies += 1;
        let step = (body.len() / 64).max(1);
        for cut in (0..body.len()).step_by(step) {
            decode_all_ways(&body[..cut], boundary.as_deref());
        }
        for _ in 0..16 {
            let mut m = body.clone();
            for _ in 0..1 + rng.below(3) {
                if m.is_empty() {
                    break;
                }
                let i = rng.below(m.len() as u64) as usize;
                m[i] = [b'$', b'"', b':', b'[', b'{', b'0', b'\\', rng.next() as u8][rng.below(8) as usize];
            }
            decode_all_ways(&m, boundary.as_deref());
        }
    }
    assert!(bodies > 300, "only {bodies} bodies");
}

#[test]
fn deep_chains_of_parts_decode_and_reencode_without_recursion() {
    use flight_codec::value::{FormEntry, JsString};
    // 50,000 Maps, each the only value of the one before: every Map is its own part.
    let n = 50_000u32;
    let mut entries: Vec<(JsString, FormEntry)> = (1..n)
        .map(|i| (JsString::from(i.to_string()), FormEntry::Text(format!("[[\"k\",\"$Q{:x}\"]]", i + 1).into())))
        .collect();
    entries.push((JsString::from(n.to_string()), FormEntry::Text("[]".into())));
    entries.push((JsString::from("0"), FormEntry::Text("\"$Q1\"".into())));
    let g = reply::decode_form(entries, &DecodeOptions::default()).unwrap();
    let body = reply::encode(&g, &Default::default()).unwrap();
    let parts = body.entries().unwrap();
    assert_eq!(parts.len(), n as usize + 1);
    // Nested parts are appended before the parts that contain them, as React does.
    assert_eq!(parts[0].0, n.to_string());
    assert_eq!(parts[n as usize].1, FormEntry::Text("\"$Q1\"".into()));
    let again = reply::decode_form(
        parts.iter().map(|(k, v)| (JsString::from(k.as_str()), v.clone())).collect(),
        &DecodeOptions::default(),
    )
    .unwrap();
    assert_eq!(flight_codec::notation::to_string(&again), flight_codec::notation::to_string(&g));
}

/// Found by proptest (mutated multipart bodies): a body that is malformed and
/// also holds a non-UTF-8 text part reported the UTF-8 error when chunked and
/// the body's error when whole. The body's error now wins either way.
#[test]
fn regression_multipart_error_order_does_not_depend_on_chunking() {
    let body: &[u8] =
        b"--B\r\nContent-Disposition: form-data; name=\"0\"\r\n\r\n\"\xff\"\r\n--B\r\nX: y\r\n\r\n1\r\n--B--\r\n";
    let opts = DecodeOptions::default();
    let whole = reply::decode_multipart(&Bytes::from_static(body), "B", &opts).unwrap_err();
    assert_eq!(whole.kind().name(), "multipart", "{whole}");
    for cut in 0..=body.len() {
        let mut d = MultipartDecoder::new("B", opts.clone()).unwrap();
        let r = d.feed(&body[..cut]).and_then(|_| d.feed(&body[cut..])).and_then(|_| d.finish());
        assert_eq!(r.unwrap_err().to_string(), whole.to_string(), "cut at {cut}");
    }
    // A well-formed body with the same bad part reports the UTF-8 error.
    let good: &[u8] = b"--B\r\nContent-Disposition: form-data; name=\"0\"\r\n\r\n\"\xff\"\r\n--B--\r\n";
    let e = reply::decode_multipart(&Bytes::from_static(good), "B", &opts).unwrap_err();
    assert_eq!(e.to_string(), "text part is not valid UTF-8");
}

/// Found by fuzzing (roundtrip_reply): encoding a promise fulfilled with
/// itself, or two promises fulfilled with each other, looped forever. It is
/// JavaScript's chaining-cycle error now.
#[test]
fn regression_encoding_a_promise_cycle_is_an_error() {
    use flight_codec::value::{Graph, Node, PromiseState, Value};
    let mut g = Graph::new();
    let p = g.add(Node::Promise(PromiseState::Pending));
    g.replace(p, Node::Promise(PromiseState::Fulfilled(Value::Node(p))));
    g.set_root(Value::Node(p));
    let e = reply::encode(&g, &Default::default()).unwrap_err();
    assert_eq!(e.to_string(), "Chaining cycle detected for promise #<Promise>");
    let mut g = Graph::new();
    let a = g.add(Node::Promise(PromiseState::Pending));
    let b = g.add(Node::Promise(PromiseState::Fulfilled(Value::Node(a))));
    g.replace(a, Node::Promise(PromiseState::Fulfilled(Value::Node(b))));
    let root = g.add(Node::Array(vec![Value::Node(a), Value::Node(b)]));
    g.set_root(Value::Node(root));
    let e = reply::encode(&g, &Default::default()).unwrap_err();
    assert_eq!(e.to_string(), "Chaining cycle detected for promise #<Promise>");
}

/// Found by fuzzing (roundtrip_reply): an async iterator returning itself,
/// written where it has no path (as a stream item), was read again and again
/// forever. An iterator is read once: the second stream closes at once.
#[test]
fn regression_async_iterator_returning_itself_terminates() {
    let v = r#"{"asyncIterator":{"items":[{"node":["b",{"asyncIterator":{"items":[],"return":{"ref":"b"}}}]}],"return":null}}"#;
    let g = flight_codec::notation::from_str(v).unwrap();
    let body = reply::encode(&g, &Default::default()).unwrap();
    let reply::Body::Form(entries) = &body else { panic!("a stream needs a form body") };
    let names: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["0", "S1", "S2", "S1", "S3"]);
    let back = reply::decode_body(&body.content_type(), body.to_bytes().into(), &DecodeOptions::default()).unwrap();
    assert!(flight_codec::notation::to_string(&back).contains("asyncIterator"));
}

/// Found by fuzzing (roundtrip_reply): an async iterable returning itself
/// where it has no path starts a fresh read each time, in JavaScript too,
/// so the body never ends. It is an error now.
#[test]
fn regression_async_iterable_returning_itself_is_an_error() {
    let v = r#"{"readableStream":[{"node":["n1",{"asyncIterable":{"items":[2.5],"return":{"ref":"n1"}}}]}]}"#;
    let g = flight_codec::notation::from_str(v).unwrap();
    let e = reply::encode(&g, &Default::default()).unwrap_err();
    assert_eq!(e.to_string(), "a stream that yields or returns itself would never end at `chunk`");
    // Where it has a path, the return value is a reference and all is well.
    let v = r#"{"node":["n1",{"asyncIterable":{"items":[2.5],"return":{"ref":"n1"}}}]}"#;
    assert!(reply::encode(&flight_codec::notation::from_str(v).unwrap(), &Default::default()).is_ok());
}

/// Found by fuzzing (roundtrip_response), fixed: a lazy fulfilled with
/// itself made the response encoder recurse until the stack overflowed (and
/// a 100,000-lazy chain too). React recurses and throws "Maximum call stack
/// size exceeded", which becomes an error row; the encoder now follows lazies
/// iteratively and writes that.
/// Input: `fuzz/corpus/roundtrip_response/regression-lazy-fulfilled-with-itself`.
#[test]
fn regression_response_lazy_fulfilled_with_itself_is_an_error_row() {
    use flight_codec::value::{Graph, Node, PromiseState, Value};
    let mut g = Graph::new();
    let lazy = g.add(Node::Array(vec![]));
    g.replace(lazy, Node::Lazy(Box::new(PromiseState::Fulfilled(Value::Node(lazy)))));
    g.set_root(Value::Node(lazy));
    let stream = flight_codec::response::encode(&g, &Default::default()).unwrap();
    let e = flight_codec::response::decode(&stream, &DecodeOptions::default()).unwrap_err();
    assert_eq!(e.kind().name(), "root-rejected");
    // A chain of lazies encodes without recursion too (whatever it writes).
    let mut g = Graph::new();
    let mut v = Value::Number(1.0);
    for _ in 0..100_000 {
        v = g.add_value(Node::Lazy(Box::new(PromiseState::Fulfilled(v))));
    }
    g.set_root(v);
    assert!(flight_codec::response::encode(&g, &Default::default()).is_ok());
}

/// Found by fuzzing (roundtrip_response), fixed: a server reference whose
/// bound arguments hold a value that becomes an error row. The encoder writes
/// what React writes; React's client decodes a function whose bound-arguments
/// promise is rejected (calling it rejects). The value model cannot hold
/// that, so the decoder now treats the bound arguments as needed by the
/// reference: their error is the error of the value that holds the
/// reference (spec/response.md), instead of failing the whole stream with
/// `invalid-server-reference`.
/// Input: `fuzz/corpus/roundtrip_response/regression-server-reference-bound-arg-error`.
#[test]
fn regression_response_server_reference_with_an_erroring_bound_argument_decodes() {
    use flight_codec::value::{Graph, Node, ServerReference};
    let mut g = Graph::new();
    let f = g.add_value(Node::Function("f".into()));
    let r = g.add_value(Node::ServerReference(Box::new(ServerReference { id: "a#f".into(), bound: Some(vec![f]) })));
    g.set_root(r);
    let stream = flight_codec::response::encode(&g, &Default::default()).unwrap();
    assert_eq!(stream, b"1:{\"id\":\"a#f\",\"bound\":\"$@2\"}\n0:\"$h1\"\n2:[\"$3\"]\n3:E{\"digest\":\"\"}\n");
    // At the root, the reference's error rejects the root.
    let e = flight_codec::response::decode(&stream, &DecodeOptions::default()).unwrap_err();
    assert_eq!(e.kind().name(), "root-rejected");
    // Behind a promise, that promise is rejected with the bound argument's error.
    let mut g = Graph::new();
    let f = g.add_value(Node::Function("f".into()));
    let r = g.add_value(Node::ServerReference(Box::new(ServerReference { id: "a#f".into(), bound: Some(vec![f]) })));
    let p = g.add_value(Node::Promise(flight_codec::value::PromiseState::Fulfilled(r)));
    let root = g.add_value(Node::Array(vec![p, 1.0.into()]));
    g.set_root(root);
    let stream = flight_codec::response::encode(&g, &Default::default()).unwrap();
    let back = flight_codec::response::decode(&stream, &DecodeOptions::default()).unwrap();
    assert!(flight_codec::notation::to_string(&back).starts_with(r#"{"array":[{"promise":{"rejected":{"error":"#));
}

/// Found by fuzzing (roundtrip_response), fixed: a path through an element
/// whose row is complete (`1:"$0:props"` after `0:["$","div",null,{…}]`) was
/// `invalid-reference`, because the push decoder had already made the tuple
/// an `Element`, which a path walk did not step into (`child_slot`,
/// `src/model.rs`); it now does, as React's client resolves it on the
/// element. Our encoder writes such a path for an element reached again from
/// inside its own props through a promise.
/// Input: `fuzz/corpus/roundtrip_response/regression-path-into-a-completed-element`.
#[test]
fn regression_response_path_into_a_completed_element_resolves() {
    use flight_codec::value::{Element, Graph, Node, PromiseState, Value};
    let g = flight_codec::response::decode(
        b"0:[\"$\",\"div\",null,{\"p\":\"$@1\"}]\n1:\"$0:props\"\n",
        &DecodeOptions::default(),
    )
    .unwrap();
    let Some(NodeRef::Element(e)) = g.root().as_node().map(|n| g.view(n)) else { panic!("not an element") };
    let props = e.props.as_node().unwrap();
    let NodeRef::Object(pairs) = g.view(props) else { panic!("props are not an object") };
    let Some(NodeRef::Promise(PromiseState::Fulfilled(v))) = pairs.value(0).and_then(Value::as_node).map(|n| g.view(n))
    else {
        panic!("props.p is not a fulfilled promise")
    };
    assert_eq!(v.as_node(), Some(props), "props.p resolves to the props");
    // What our encoder writes for an element whose props hold a promise of it.
    let mut g = Graph::new();
    let el = g.add(Node::Array(vec![]));
    let p = g.add_value(Node::Promise(PromiseState::Fulfilled(Value::Node(el))));
    let props = g.add_value(Node::Object(vec![("p".into(), p)]));
    g.replace(el, Node::Element(Box::new(Element { element_type: "div".into(), key: Value::Null, props })));
    g.set_root(Value::Node(el));
    let stream = flight_codec::response::encode(&g, &Default::default()).unwrap();
    assert_eq!(stream, b"0:[\"$\",\"div\",null,{\"p\":\"$@1\"}]\n1:[\"$\",\"div\",null,\"$0:props\"]\n");
    flight_codec::response::decode(&stream, &DecodeOptions::default()).unwrap();
}

/// Found by fuzzing (decode_entries), a false alarm of its property: entries
/// have no header limit, but the same entries sent as a multipart body can
/// exceed the parser's 8 KiB per-part header limit, because a filename's
/// quotes are escaped as `%22` (three bytes each). The property now sends
/// only entries whose headers fit. Input:
/// `fuzz/corpus/decode_entries/regression-filename-escapes-past-the-header-limit`.
#[test]
fn regression_entries_with_escaped_filenames_past_the_header_limit() {
    use flight_codec::reply::Body;
    use flight_codec::value::{Blob, FormEntry};
    let entries = vec![
        ("0".to_string(), FormEntry::Text("[".into())),
        ("1".to_string(), FormEntry::File(Blob::file(&"\"".repeat(3000), "", &b"x"[..]))),
    ];
    let form: Vec<_> = entries.iter().map(|(k, v)| (k.as_str().into(), v.clone())).collect();
    assert_eq!(reply::decode_form(form, &DecodeOptions::default()).unwrap_err().kind().name(), "json");
    let body = Body::Form(entries);
    let e = reply::decode_body(&body.content_type(), body.to_bytes().into(), &DecodeOptions::default()).unwrap_err();
    assert!(e.to_string().contains("exceed the limit of 8192 bytes"), "{e}");
}

/// `decode_typed` (fuzz): a repeated key whose last value is `$undefined`
/// kept its earlier value on the serde fast path; React (and the graph path)
/// drops the key.
#[test]
fn regression_typed_fast_path_drops_a_key_repeated_as_undefined() {
    use flight_codec::serde::{from_graph, from_reply_str};
    for body in [r#"{"k16":16,"a":1,"k16":"$undefined"}"#, r#"[{"a":1,"b":"$undefined"},{"c":"$undefined","c":2}]"#] {
        let fast = from_reply_str::<serde_json::Value>(body, &DecodeOptions::default()).unwrap();
        let g = reply::decode_str(body, &DecodeOptions::default()).unwrap();
        assert_eq!(fast, from_graph::<serde_json::Value>(&g).unwrap(), "{body}");
    }
    let fast = from_reply_str::<serde_json::Value>(r#"{"k16":16,"a":1,"k16":"$undefined"}"#, &DecodeOptions::default());
    assert_eq!(fast.unwrap(), serde_json::json!({"a": 1}));
}
