//! The response direction: hostile Flight streams against the push decoder
//! (whole, and fed in pieces), with the same checks as the reply cases: a
//! typed error (or a documented value), time bounded against a benign
//! stream of the same size, peak memory within the budget, nothing callable.
//! And the encoder's side of cyclic and self-resolving promises.

use flight_codec::response::{self, ResponseDecoder, ResponseEncoder};
use flight_codec::value::{Graph, Node, NodeRef, PromiseState, Value};
use flight_codec::{ErrorKind, LimitKind};

use super::{bounded, memory_budget};

/// A benign stream of about `bytes` bytes: an array of small records.
fn benign(bytes: usize) -> Vec<u8> {
    let record = r#"{"id":1,"name":"abcdefghij","tags":["a","b"],"ok":true},"#;
    let n = (bytes / record.len()).max(1);
    let mut s = b"0:[".to_vec();
    for _ in 0..n {
        s.extend_from_slice(record.as_bytes());
    }
    s.pop();
    s.extend_from_slice(b"]\n");
    s
}

/// Decodes `stream` whole, checking memory and time; and fed in pieces of
/// 7 bytes, which must fail the same way or give the same value.
fn run(name: &str, stream: &[u8]) -> Result<Graph, flight_codec::Error> {
    run_within(name, stream, memory_budget(stream.len()))
}

/// [`run`] with another memory budget (for floods of tokens that cost more
/// than 8 × their bytes: see `floods_of_the_smallest_tokens_cost_a_bounded_amount_each`).
fn run_within(name: &str, stream: &[u8], budget: usize) -> Result<Graph, flight_codec::Error> {
    let n = stream.len();
    let benign = benign(n);
    let input = |hostile: bool| if hostile { stream } else { &benign[..] };
    let result = bounded(name, "stream", n, budget, input, |s| response::decode(s, &Default::default()));
    // The same in pieces.
    let pieced = (|| {
        let mut d = ResponseDecoder::new(Default::default());
        for c in stream.chunks(7) {
            d.feed(c)?;
            while d.next_event().is_some() {}
        }
        d.finish()
    })();
    let show = |r: &Result<Graph, flight_codec::Error>| match r {
        Ok(g) => flight_codec::notation::to_string(g),
        Err(e) => format!("error {}", e.kind().name()),
    };
    assert_eq!(show(&pieced), show(&result), "{name}: whole and in pieces differ");
    if let Ok(g) = &result {
        nothing_callable(g);
    }
    result
}

/// The value model has no function or internal-chunk variant: what a
/// stream can produce is data. Server references are ids and arguments.
fn nothing_callable(g: &Graph) {
    for id in g.ids() {
        assert!(!matches!(g.view(id), NodeRef::Function(_) | NodeRef::Instance(_)), "a callable or instance decoded");
    }
}

fn kind(r: &Result<Graph, flight_codec::Error>) -> String {
    match r {
        Ok(_) => "ok".to_string(),
        Err(e) => e.kind().name().to_string(),
    }
}

// --- cyclic and self-resolving promises (CVE-2025-55184, CVE-2025-67779; `0:"$@0"` hangs React's client) ---

#[test]
fn response_self_and_cyclic_promises_are_errors() {
    assert_eq!(kind(&run("resp-root-self", b"0:\"$@0\"\n")), "cyclic-promise");
    assert_eq!(kind(&run("resp-self", b"0:[\"$@1\"]\n1:\"$@1\"\n")), "cyclic-promise");
    assert_eq!(kind(&run("resp-two", b"0:\"$@1\"\n1:\"$@2\"\n2:\"$@1\"\n")), "cyclic-promise");
    // A 1,200-long chain is past the promise-chain limit, not a stack overflow.
    let mut s = Vec::new();
    for i in 1..=1200u32 {
        s.extend_from_slice(format!("{i:x}:\"$@{:x}\"\n", i + 1).as_bytes());
    }
    s.extend_from_slice(b"4b1:\"end\"\n0:\"$@1\"\n");
    let r = run("resp-chain-1200", &s);
    assert!(matches!(r.unwrap_err().kind(), ErrorKind::LimitExceeded { limit: LimitKind::PromiseChain, .. }));
}

#[test]
fn encoder_refuses_to_loop_on_self_resolving_promises() {
    // A promise fulfilled with itself: JavaScript rejects it (a chaining cycle).
    let mut g = Graph::new();
    let p = g.add(Node::Promise(PromiseState::Pending));
    g.replace(p, Node::Promise(PromiseState::Fulfilled(Value::Node(p))));
    g.set_root(Value::Node(p));
    let out = response::encode(&g, &Default::default()).unwrap();
    assert_eq!(out, b"0:\"$@1\"\n1:E{\"digest\":\"\"}\n");
    // Two promises fulfilled with each other never settle (as in JavaScript):
    // the encoder waits, it does not spin.
    let mut g = Graph::new();
    let a = g.add(Node::Promise(PromiseState::Pending));
    let b = g.add(Node::Promise(PromiseState::Fulfilled(Value::Node(a))));
    g.replace(a, Node::Promise(PromiseState::Fulfilled(Value::Node(b))));
    g.set_root(Value::Node(a));
    let mut enc = ResponseEncoder::new(g, Default::default());
    assert_eq!(&enc.poll_chunk().unwrap()[..], b"0:\"$@1\"\n");
    assert!(enc.poll_chunk().is_none());
    assert!(!enc.is_complete());
    assert_eq!(response::encode(enc.graph(), &Default::default()).unwrap_err().kind(), &ErrorKind::Pending);
}

// --- row ids, lengths, duplicates, unknown tags, misaligned rows ---

#[test]
fn row_framing_attacks_are_typed_errors() {
    for (name, stream, want) in [
        ("id-overflow-aliases-root", &b"100000000:1\n0:2\n"[..], "frame"),
        ("id-uppercase", b"A:1\n", "frame"),
        ("length-ffffffff", b"1:Tffffffff,abc", "frame"),
        ("length-negative", b"1:T-1,abc", "frame"),
        ("length-huge-binary", b"1:o7fffffff,\x01\x02", "frame"),
        ("duplicate-row", b"0:1\n0:2\n", "invalid-row"),
        ("unknown-tag", b"0:Q1\n", "invalid-row"),
        ("misaligned-float64", b"1:g3,abc0:\"$1\"\n", "misaligned-typed-array"),
        ("byte-chunk-outside-stream", b"1:b1,x0:1\n", "invalid-row"),
        ("close-without-stream", b"1:C\n0:1\n", "invalid-row"),
        ("rows-after-close", b"1:R\n1:C\n1:\"x\"\n0:\"$1\"\n", "invalid-row"),
    ] {
        assert_eq!(kind(&run(name, stream)), want, "{name}");
    }
}

// --- type confusion: stream rows used as models, tags on the wrong rows ---

#[test]
fn stream_rows_used_as_models_are_errors() {
    for (name, stream, want) in [
        ("map-from-stream", &b"1:R\n1:C\n0:\"$Q1\"\n"[..], "invalid-initializer"),
        ("path-into-stream", b"1:R\n1:\"x\"\n1:C\n0:\"$1:0\"\n", "invalid-reference"),
        ("blob-from-text-row", b"1:T3,abc0:\"$B1\"\n", "invalid-initializer"),
        ("server-ref-from-array", b"1:[1]\n0:\"$h1\"\n", "invalid-server-reference"),
        ("bytes-stream-json-chunk", b"1:r\n1:{}\n1:C\n0:\"$1\"\n", "invalid-stream"),
    ] {
        assert_eq!(kind(&run(name, stream)), want, "{name}");
    }
}

// --- reference bombs and deep nesting in a response ---

#[test]
fn response_reference_bombs_and_depth() {
    let mut s = b"1:[1,2,3,4]\n".to_vec();
    for k in 2..=64u32 {
        s.extend_from_slice(format!("{k:x}:[\"${:x}\",\"${:x}\",\"${:x}\"]\n", k - 1, k - 1, k - 1).as_bytes());
    }
    s.extend_from_slice(b"0:\"$40\"\n");
    let r = run("resp-bomb", &s);
    assert!(matches!(r.unwrap_err().kind(), ErrorKind::LimitExceeded { limit: LimitKind::LogicalSize, .. }));
    for depth in [100_000usize, 1_000_000] {
        let s = format!("0:{}{}\n", "[".repeat(depth), "]".repeat(depth));
        let r = run(&format!("resp-deep-{depth}"), s.as_bytes());
        assert!(matches!(r.unwrap_err().kind(), ErrorKind::LimitExceeded { limit: LimitKind::Depth, .. }));
    }
    // 20,000 rows, each a reference to the next: resolved linearly.
    let n = 20_000u32;
    let mut s = Vec::new();
    for i in (1..n).rev() {
        s.extend_from_slice(format!("{i:x}:\"${:x}\"\n", i + 1).as_bytes());
    }
    s.extend_from_slice(format!("{n:x}:\"end\"\n0:\"$1\"\n").as_bytes());
    assert_eq!(run("resp-chain-20000", &s).unwrap().root().as_string().unwrap(), "end");
    // The same chain in React's order (each row after the one naming it), in
    // arrays: the walk stops at each row and resumes when it comes. It gave
    // its search's room back at each stop and grew it again at each resume,
    // a copy of the whole search per row (99,000 rows took 955 ms, 75 ms now).
    let n = 99_000u32;
    let mut s = b"0:[\"$1\"]\n".to_vec();
    for k in 1..n {
        s.extend_from_slice(format!("{k:x}:[\"${:x}\"]\n", k + 1).as_bytes());
    }
    s.extend_from_slice(format!("{n:x}:1\n").as_bytes());
    // (A 15-byte row costs about 190 bytes of bookkeeping: rows this small
    // are over 8 ×, as the floods below; see spec/limits.md, Memory.)
    assert!(run_within("resp-chain-in-order-99000", &s, 13 * s.len() + (1 << 20)).is_ok());
}

/// Reused initializers (the amplification class): a response's row may be
/// named by many `$W`, `$i` or `$Q` references, and each makes its own Set,
/// iterator or Map from the row's array, as React's client does. The items
/// copied again are limited (one per sixteen bytes of stream, plus 8,192), so
/// many references to a long array are a limit error, fast, within the
/// memory bound; a few are values of their own. (Before the limit, 2,000
/// `$W` references to a 50,000-item row took 5 s and 1.5 GB.) A reference
/// to a short row costs its node, its value and an 8-byte list entry: see
/// `floods_of_the_smallest_tokens_cost_a_bounded_amount_each`.
#[test]
fn reused_initializers_copy_a_bounded_number_of_items() {
    let n = 10_000;
    let long = format!("1:[{}]\n", vec!["0"; n].join(","));
    let pairs = format!("1:[{}]\n", vec!["[0,0]"; n / 4].join(","));
    for (name, tag, row) in
        [("resp-set-flood", "W", &long), ("resp-iter-flood", "i", &long), ("resp-map-flood", "Q", &pairs)]
    {
        let refs = vec![format!("\"${tag}1\""); 20_000].join(",");
        let s = format!("{row}0:[{refs}]\n");
        let r = run(name, s.as_bytes());
        assert!(
            matches!(r.unwrap_err().kind(), ErrorKind::LimitExceeded { limit: LimitKind::LogicalSize, .. }),
            "{name}"
        );
        // Two references to a row of 1,000 items (2,000 copies, within the
        // allowance): two values of their own, within every bound.
        let short = if tag == "Q" {
            format!("1:[{}]\n", vec!["[0,0]"; 250].join(","))
        } else {
            format!("1:[{}]\n", vec!["0"; 1000].join(","))
        };
        let s = format!("{short}0:[\"${tag}1\",\"${tag}1\"]\n");
        let g = run(&format!("{name}-two"), s.as_bytes()).unwrap();
        let Some(NodeRef::Array([a, b])) = g.root().as_node().map(|id| g.view(id)) else { panic!("{name}") };
        assert_ne!(a.as_node(), b.as_node(), "{name}");
    }
}

/// Reused Blob and FormData rows (the amplification class): each `$B` or
/// `$K` makes a Blob or FormData of its own, as React's client does. A row's
/// Blob is built once and the later ones share its bytes, so 2,000 `$B`
/// references to a 100 kB row are 2,000 Blobs within the memory bound (they
/// copied the row each: 1,000 references to a 1 MB row took 1 GB). A
/// FormData's entries are copied within the initializers' allowance (an
/// entry counts as five 16-byte items): 20,000
/// `$K` references to a row of 10,000 entries (they took 8 GB) are a limit
/// error; two are values of their own.
#[test]
fn reused_blob_and_formdata_rows_do_not_amplify() {
    let text = "x".repeat(100_000);
    let s = format!("1:[\"text/plain\",\"{text}\"]\n0:[{}]\n", vec!["\"$B1\""; 2_000].join(","));
    let g = run("resp-blob-reused", s.as_bytes()).unwrap();
    let Some(NodeRef::Array(blobs)) = g.root().as_node().map(|id| g.view(id)) else { panic!("not an array") };
    assert_eq!(blobs.len(), 2_000);
    let ids: std::collections::HashSet<_> = blobs.iter().filter_map(Value::as_node).collect();
    assert_eq!(ids.len(), 2_000, "each reference is a Blob of its own");
    for id in ids {
        let NodeRef::Blob(blob) = g.view(id) else { panic!("not a Blob") };
        assert_eq!((blob.content_type.to_string().as_str(), &blob.bytes[..]), ("text/plain", text.as_bytes()));
    }

    let entries: Vec<String> = (0..10_000).map(|i| format!("[\"k{i}\",\"v\"]")).collect();
    let row = format!("1:[{}]\n", entries.join(","));
    let s = format!("{row}0:[{}]\n", vec!["\"$K1\""; 20_000].join(","));
    let e = run("resp-formdata-flood", s.as_bytes()).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::LimitExceeded { limit: LimitKind::LogicalSize, .. }), "{e}");
    // Two references to a row of 1,000 entries (a copy of 5,000 items, an
    // entry being 80 bytes, within the allowance).
    let row = format!("1:[{}]\n", entries[..1_000].join(","));
    let s = format!("{row}0:[\"$K1\",\"$K1\"]\n");
    let g = run("resp-formdata-two", s.as_bytes()).unwrap();
    let Some(NodeRef::Array([a, b])) = g.root().as_node().map(|id| g.view(id)) else { panic!("not a pair") };
    assert_ne!(a.as_node(), b.as_node());
    for v in [a, b] {
        assert!(matches!(v.as_node().map(|id| g.view(id)), Some(NodeRef::FormData(e)) if e.len() == 1_000));
    }
}

/// The allowance counts copies from arrays used before: a stream as React
/// writes it makes a row per Set, Map or iterator, each named once, and any
/// number of them decode. (With every copy counted, a Map of 10,000 Sets of
/// five, benchmark P5, was a limit error.)
#[test]
fn initializers_each_used_once_are_not_counted_as_copies() {
    let mut g = Graph::new();
    let entries: Vec<(Value, Value)> = (0..20_000)
        .map(|i| {
            let set = g.add(Node::Set((0..5).map(|j| Value::Number(f64::from(i * 5 + j))).collect()));
            (Value::String(format!("k{i}").as_str().into()), Value::Node(set))
        })
        .collect();
    let map = g.add(Node::Map(entries));
    g.set_root(Value::Node(map));
    let stream = response::encode(&g, &Default::default()).unwrap();
    let back = run("resp-20000-sets-once", &stream).unwrap();
    assert_eq!(flight_codec::notation::to_string(&back), flight_codec::notation::to_string(&g));
}

/// Floods of values that each box their text (a symbol's key, a bigint's
/// digits): a small allocation each, within the memory bound.
#[test]
fn boxed_scalar_floods_stay_in_bounds() {
    for (name, item) in [("resp-symbol-flood", "\"$Sa\""), ("resp-bigint-flood", "\"$n1\"")] {
        let s = format!("0:[{}]\n", vec![item; 100_000].join(","));
        let g = run(name, s.as_bytes()).unwrap();
        assert!(matches!(g.root().as_node().map(|id| g.view(id)), Some(NodeRef::Array(v)) if v.len() == 100_000));
    }
}

// --- invalid UTF-8 and truncation ---

#[test]
fn invalid_utf8_split_across_chunks_is_an_error() {
    let mut d = ResponseDecoder::new(Default::default());
    d.feed(b"0:\"\xc3").unwrap();
    let e = d.feed(b"\x28\"\n").unwrap_err();
    assert_eq!(e.kind().name(), "json");
    assert!(e.to_string().contains("UTF-8"), "{e}");
    let mut d = ResponseDecoder::new(Default::default());
    d.feed(b"1:T2,\xe2").unwrap();
    assert_eq!(d.feed(b"\x82").unwrap_err().kind().name(), "invalid-utf8");
    // In a JSON row the JSON reader finds it.
    let e = run("utf8-json", b"0:\"\xff\"\n").unwrap_err();
    assert_eq!(e.kind().name(), "json");
    assert!(e.to_string().contains("UTF-8"), "{e}");
}

#[test]
fn response_truncation_at_every_byte_is_an_error_or_a_value() {
    // React's stream for a value with a promise, a long string, bytes, a Map and a stream.
    let stream: &[u8] = b"1:R\n2:[[\"k\",1]]\n3:o3,\x01\x02\x034:T5,hello0:{\"s\":\"$1\",\"m\":\"$Q2\",\"u\":\"$3\",\"t\":\"$4\",\"p\":\"$@5\"}\n1:\"a\"\n1:C\n5:\"late\"\n";
    assert_eq!(kind(&run("full", stream)), "ok");
    for cut in 0..stream.len() {
        let r = response::decode(&stream[..cut], &Default::default());
        assert!(r.is_err(), "a stream cut at {cut} decoded: {:?}", r.map(|g| flight_codec::notation::to_string(&g)));
    }
}

// --- the push decoder's own work bound (spec/limits.md) ---

#[test]
fn many_values_waiting_on_one_incomplete_structure_share_one_walk() {
    // 2,000 promises whose rows each refer to row 1, a 2,000-row chain whose
    // end never comes. The first check walks the chain and stops at the
    // missing row; the others wait for row 1 itself instead of walking the
    // chain again (4,000,000 visits before, over the work bound). At the end
    // of the stream the missing row is the error.
    let n = 2_000u32;
    let mut s = Vec::new();
    let refs: Vec<String> = (0..n).map(|i| format!("\"$@{:x}\"", 0x10000 + i)).collect();
    s.extend_from_slice(format!("0:[{}]\n", refs.join(",")).as_bytes());
    for i in 1..n {
        s.extend_from_slice(format!("{i:x}:[\"${:x}\"]\n", i + 1).as_bytes());
    }
    for i in 0..n {
        s.extend_from_slice(format!("{:x}:\"$1\"\n", 0x10000 + i).as_bytes());
    }
    let r = run("shared-walk", &s);
    assert!(matches!(r.unwrap_err().kind(), ErrorKind::MissingRow { id } if *id == n), "the chain's end is missing");
    // When the end comes, every promise settles.
    s.extend_from_slice(format!("{n:x}:\"end\"\n").as_bytes());
    let g = run("shared-walk-complete", &s).unwrap();
    assert_eq!(flight_codec::notation::to_string(&g).matches("\"end\"").count(), 1);
}

#[test]
fn values_behind_long_chains_of_waiting_checks_walk_again_up_to_the_work_bound() {
    // Row 1 waits for row 2, which never comes. Promise k (k = 1..=20) walks a
    // 200-row chain that ends at the head of chain k - 1 (chain 0 is row 1)
    // and waits there, so waits chain 20 deep. A check follows at most 16
    // waits before walking rows itself, so 2,000 promises that refer to the
    // head of chain 20 each walk several chains: the decoder stops at its work
    // bound (a `parts` limit), quickly and in bounded memory.
    let (chains, len, n) = (20u32, 200u32, 2_000u32);
    let head = |k: u32| if k == 0 { 1 } else { 0x1000 * k };
    let mut s = Vec::new();
    s.extend_from_slice(b"1:[\"$2\"]\n");
    let mut promises = Vec::new();
    for k in 1..=chains {
        for i in 0..len {
            let next = if i + 1 == len { head(k - 1) } else { head(k) + i + 1 };
            s.extend_from_slice(format!("{:x}:[\"${next:x}\"]\n", head(k) + i).as_bytes());
        }
        s.extend_from_slice(format!("{:x}:[\"${:x}\"]\n", 0x100 + k, head(k)).as_bytes());
        promises.push(format!("\"$@{:x}\"", 0x100 + k));
    }
    for i in 0..n {
        s.extend_from_slice(format!("{:x}:[\"${:x}\"]\n", 0x100000 + i, head(chains)).as_bytes());
        promises.push(format!("\"$@{:x}\"", 0x100000 + i));
    }
    s.extend_from_slice(format!("0:[\"$1\",{}]\n", promises.join(",")).as_bytes());
    let r = run("work-bound", &s);
    assert!(matches!(r.unwrap_err().kind(), ErrorKind::LimitExceeded { limit: LimitKind::Parts, .. }));
}

#[test]
fn a_server_reference_chain_bound_to_all_earlier_ones_decodes() {
    // Found by `roundtrip_response` (fuzz/corpus/roundtrip_response/
    // regression-server-ref-chain): server references, each bound to all the
    // earlier ones, form one cycle through their bound-argument rows. Each
    // promise's check used to walk the cycle again, past the work bound.
    let g = run("server-ref-chain", &server_ref_chain(20)).unwrap();
    assert_eq!(g.len(), 461);
}

#[test]
fn copies_of_bound_arguments_stay_linear_in_the_stream() {
    // Every `$h` is a function of its own with its own copy of the bound
    // arguments: 200 references to each of 200 server references bound to
    // 200 arguments would copy 8,000,000 values from 300 kB. Copies are
    // limited to one per four bytes of stream (plus 32,768).
    let r = run("bound-copies", &server_ref_chain(200));
    assert!(matches!(r.unwrap_err().kind(), ErrorKind::LimitExceeded { limit: LimitKind::LogicalSize, .. }));
}

/// `n` server references (rows 1, 3, …), each bound to a promise (rows 2,
/// 4, …) of an array of all `n` references; the root is the first.
fn server_ref_chain(n: u32) -> Vec<u8> {
    let mut s = String::new();
    for k in 1..=n {
        s += &format!("{:x}:{{\"id\":\"a#b\",\"bound\":\"$@{:x}\"}}\n", 2 * k - 1, 2 * k);
        if k == 1 {
            s += "0:\"$h1\"\n";
        }
    }
    let all: Vec<String> = (1..=n).map(|k| format!("\"$h{:x}\"", 2 * k - 1)).collect();
    for k in 1..=n {
        s += &format!("{:x}:[{}]\n", 2 * k, all.join(","));
    }
    s.into_bytes()
}

#[test]
fn an_error_row_does_not_make_every_completion_look_at_every_reference() {
    // With an error row in the stream, each value that completes checks the
    // references it wrote for errors to take on. That check looked at every
    // reference of the stream so far: 10,000 promises completing one by one
    // took 4 s for 360 kB (quadratic). Now it is their own references.
    let n = 10_000u32;
    let refs: Vec<String> = (0..n).map(|i| format!("\"$@{:x}\"", 0x10000 + i)).collect();
    let mut s = format!("0:[\"$@1\",{}]\n1:E{{\"message\":\"x\"}}\n2:{{\"a\":1}}\n", refs.join(",")).into_bytes();
    for i in 0..n {
        s.extend_from_slice(format!("{:x}:{{\"v\":\"$2\",\"w\":\"$3\"}}\n", 0x10000 + i).as_bytes());
    }
    s.extend_from_slice(b"3:[1]\n");
    let g = run("error-row-and-completions", &s).unwrap();
    assert_eq!(g.len(), 2 * n as usize + 6);
}

#[test]
fn server_references_waiting_for_their_bound_arguments_are_not_rescanned() {
    // 10,000 server references bound to one promise that comes last, and
    // 10,000 promises completing before it: each completion looked at every
    // waiting server reference (16 s for 700 kB). Now a reference is looked
    // at when its row completes, a `$h` to it arrives or its bound promise
    // settles.
    let n = 10_000u32;
    let mut items: Vec<String> = (0..n).map(|i| format!("\"$h{:x}\"", 0x10000 + i)).collect();
    items.extend((0..n).map(|i| format!("\"$@{:x}\"", 0x20000 + i)));
    let mut s = Vec::new();
    for i in 0..n {
        s.extend_from_slice(format!("{:x}:{{\"id\":\"m#f\",\"bound\":\"$@1\"}}\n", 0x10000 + i).as_bytes());
    }
    s.extend_from_slice(format!("0:[{}]\n", items.join(",")).as_bytes());
    for i in 0..n {
        s.extend_from_slice(format!("{:x}:{{\"v\":{i}}}\n", 0x20000 + i).as_bytes());
    }
    s.extend_from_slice(b"1:[1]\n");
    let g = run("server-refs-waiting", &s).unwrap();
    let filled = g.ids().filter(|&id| matches!(g.view(id), NodeRef::ServerReference(r) if r.bound.is_some())).count();
    assert_eq!(filled, n as usize);
}

/// Many keys of one object whose references resolve to `undefined` (React
/// deletes those keys), as in the reply suite: the object was looked at once
/// per such key and again at every row completing (8,000 of them took 2.2 s
/// and 1 GB for 175 kB). With the referenced row last, every key waits; with
/// one key waiting for a late row, each row completing before it must not
/// look at the object again.
#[test]
fn many_keys_resolving_to_undefined_are_dropped_in_linear_time() {
    let n = 8_000;
    let mut members: Vec<String> = (0..n).map(|i| format!("\"u{i}\":\"$1\"")).collect();
    members.extend((0..n).map(|i| format!("\"p{i}\":\"$@{:x}\"", 0x10 + i)));
    members.push("\"late\":\"$2\"".to_string());
    let mut s = format!("1:\"$undefined\"\n0:{{{}}}\n", members.join(","));
    for i in 0..n {
        s.push_str(&format!("{:x}:{i}\n", 0x10 + i));
    }
    s.push_str("2:\"end\"\n");
    let g = run("resp-undefined-keys", s.as_bytes()).unwrap();
    let Some(NodeRef::Object(pairs)) = g.root().as_node().map(|id| g.view(id)) else { panic!("not an object") };
    assert_eq!(pairs.len(), n + 1, "the keys resolving to undefined are deleted");
    assert!(pairs.iter().all(|(k, _)| !k.to_string().starts_with('u')));
}

/// Rows that wait for one late row, each completion looking through all of
/// the waiting (quadratic; found by a review): `I` rows whose metadata
/// names the last row, beside rows completing one by one (5,000 of each,
/// 231 kB, took 0.67 s, 20,000 10 s); `$Z` error values naming a wide row,
/// whose message was looked up once per value (20,000 of them, 636 kB,
/// 1.4 s); `$h` rows naming a server reference row of many keys, whose `id`
/// and `bound` were looked up at each `$h` row arriving (10,000 of each,
/// 567 kB, 4.1 s).
#[test]
fn rows_waiting_for_one_row_are_not_looked_through_again() {
    let n = 5_000u32;
    let late = 2 * n + 1;
    let mut items: Vec<String> = (1..=n).map(|i| format!("\"$L{i:x}\"")).collect();
    items.extend((n + 1..=2 * n).map(|j| format!("\"$@{j:x}\"")));
    let mut s = format!("0:[{}]\n", items.join(","));
    for i in 1..=n {
        s.push_str(&format!("{i:x}:I[\"${late:x}\",[],\"x\"]\n"));
    }
    for j in n + 1..=2 * n {
        s.push_str(&format!("{j:x}:0\n"));
    }
    s.push_str(&format!("{late:x}:\"m\"\n"));
    // A `$L` and its 20-byte `I` row: a lazy costs 15 × its token in the
    // floods below, and the row its client reference and metadata.
    let g = run_within("resp-imports-waiting", s.as_bytes(), 15 * s.len() + (1 << 20)).unwrap();
    let refs = g.ids().filter(|&id| matches!(g.view(id), NodeRef::ClientReference(r) if r.id == "m")).count();
    assert_eq!(refs, n as usize);

    let n = 20_000;
    let keys: Vec<String> = (0..n).map(|i| format!("\"k{i}\":0")).collect();
    let s = format!("0:[{}]\n1:{{{},\"message\":\"m\"}}\n", vec!["\"$Z1\""; n].join(","), keys.join(","));
    // Each `$Z` is an error of its own: a node, a 32-byte boxed error and a
    // dependency mark, for 6 bytes.
    let g = run_within("resp-error-values-of-a-wide-row", s.as_bytes(), 12 * s.len() + (1 << 20)).unwrap();
    let errors = g.ids().filter(|&id| matches!(g.view(id), NodeRef::Error(e) if e.message == "m")).count();
    assert_eq!(errors, n);

    let n = 10_000u32;
    let keys: Vec<String> = (0..n).map(|i| format!("\"k{i}\":0")).collect();
    let rows: Vec<String> = (0..n).map(|i| format!("\"${:x}\"", i + 2)).collect();
    let mut s = format!("1:{{{},\"id\":\"x\",\"bound\":null}}\n0:[{}]\n", keys.join(","), rows.join(","));
    for i in 0..n {
        s.push_str(&format!("{:x}:\"$h1\"\n", i + 2));
    }
    let g = run("resp-server-refs-of-a-wide-row", s.as_bytes()).unwrap();
    let refs = g.ids().filter(|&id| matches!(g.view(id), NodeRef::ServerReference(r) if r.id == "x")).count();
    assert_eq!(refs, n as usize);
}

/// Streams of 150,000 copies of one small token in a row's array, each
/// against its own bound: `factor` × the stream + 1 MiB. A token of 5 to 7
/// bytes makes at least a 16-byte value, so a bound near 8 × is the most
/// the value model allows, and the tokens that make a node as well cost
/// more (spec/limits.md, Memory, lists each with what it is made of). Each
/// bound is the measured peak rounded up, so a change that costs more per
/// token fails here.
#[test]
fn floods_of_the_smallest_tokens_cost_a_bounded_amount_each() {
    let n = 150_000;
    const STREAM_ROWS: usize = 99_000;
    let flood = |token: &str| vec![token; n].join(",");
    // Row 1, then row 0 of tokens; or row 0 first (forward references).
    let after = |row1: &str, token: &str| format!("1:{row1}\n0:[{}]\n", flood(token));
    let before = |row1: &str, token: &str| format!("0:[{}]\n1:{row1}\n", flood(token));
    #[rustfmt::skip]
    let many_streams = |n: usize| {
        let refs: Vec<String> = (1..=n).map(|i| format!("\"${i:x}\"")).collect();
        let rows: String = (1..=n).map(|i| format!("{i:x}:R\n{i:x}:0\n{i:x}:C\n")).collect();
        format!("0:[{}]\n{rows}", refs.join(","))
    };
    let cases: [(&str, String, f64); 17] = [
        // A reference: its value and its hole (16 bytes each).
        ("resp-refs", after("[]", "\"$1\""), 8.0),
        ("resp-forward-refs", before("[]", "\"$1\""), 8.0),
        // A path reference keeps its text too, and walking it indexes the open holes.
        ("resp-path-refs", after("{\"a\":0}", "\"$1:a\""), 11.0),
        ("resp-forward-path-refs", before("{\"a\":0}", "\"$1:a\""), 11.0),
        // Promises of one row are one node.
        ("resp-promises", after("[]", "\"$@1\""), 8.0),
        ("resp-forward-promises", before("[]", "\"$@1\""), 8.0),
        // A Set each: its node and a list entry; with an item, a copy each
        // (copies of an array used before are limited to 8,192 plus one per
        // 16 bytes of stream: these two end in that limit's error).
        ("resp-sets-of-nothing", after("[]", "\"$W1\""), 8.0),
        ("resp-sets-of-one", after("[0]", "\"$W1\""), 9.0),
        ("resp-maps-of-one", after("[[0,0]]", "\"$Q1\""), 9.0),
        // A node each with more: a lazy (its state in the promises' pool,
        // and two list entries).
        ("resp-lazies", after("[]", "\"$L1\""), 16.0),
        // A FormData or Blob each: its node (empty ones are not boxed) and a
        // list entry, as a Set (until the eleventh session 16.2 × and 21.5 ×).
        ("resp-formdata", after("[]", "\"$K1\""), 9.0),
        ("resp-blobs", after("[]", "\"$B1\""), 9.0),
        // Two bytes a value: a 16-byte value is 8 × by itself.
        ("resp-zeros", format!("0:[{}]\n", flood("0")), 9.0),
        // An error value each (`$Z`, development builds): a node, a value, a
        // boxed 32-byte error (48 with the allocator's header), a list entry,
        // a dependency and its mark (12 bytes: 36 in a hash map before the
        // eleventh session, 24.9 ×).
        ("resp-error-values", after("{\"message\":\"m\"}", "\"$Z1\""), 22.0),
        // Rows of a stream, 99,000 of them (a stream's rows count against
        // `max_parts`, 100,000 rows): a binary chunk of a byte stream is a
        // typed array (a node, a value and its boxed bytes); a chunk that
        // waits for a row that comes last has a walk and a hole, and its
        // entries in tables by chunk number (chunks are numbered across
        // streams as they are parsed). Until the twelfth session those
        // entries were hashed by stream and chunk: 20.6 × and 33 × at
        // 80,000 chunks.
        ("resp-binary-chunks", format!("0:\"$1\"\n1:r\n{}1:C\n", "1:o0,".repeat(STREAM_ROWS)), 17.0),
        // Many short streams (33,000 of three rows each: a stream row, a
        // chunk, its end): each a node, its state and a slot per row. A
        // review measured 30 × (a list of its chunks and room for 16 items
        // each, added early in the twelfth session); now 14.7 × (14.9 × before).
        ("resp-many-streams", many_streams(STREAM_ROWS / 3), 15.0),
        (
            "resp-stream-chunks-waiting",
            format!("1:X\n0:\"$1\"\n{}2:\"z\"\n1:C\n", "1:\"$2\"\n".repeat(STREAM_ROWS)),
            20.0,
        ),
    ];
    for (name, s, factor) in cases {
        let budget = (factor * s.len() as f64) as usize + (1 << 20);
        let benign = benign(s.len());
        let input = |hostile: bool| if hostile { s.as_bytes() } else { &benign[..] };
        let _ =
            bounded(name, "stream", s.len(), budget, input, |s| response::decode(s, &Default::default()).map(|_| ()));
    }
}
