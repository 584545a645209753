//! Property tests: 10,000+ cases per CI run all together.
//!
//! - Reply round trips over random values (shared nodes included): encode →
//!   decode gives the same value, from the FormData entries and from the
//!   multipart bytes fed in random chunks; and encoding what we decoded gives
//!   the same body again.
//! - Response round trips over random values: what encodes decodes, encode →
//!   decode is a fixed point, the sans-IO encoder writes the same bytes, and
//!   the row framer yields the same rows however the stream is cut (the
//!   property of the `roundtrip_response` fuzz target, `fuzz/checks.rs`).
//! - Decoding never panics on mutated vectors (React's own bodies and streams
//!   with bytes flipped, inserted, deleted and duplicated) nor on our own
//!   response streams mutated: every entry point returns a value or a typed
//!   error with a message.
//!
//! The live comparison with React is `tests/differential.rs`; these run
//! without Node, so they can afford many more cases.

mod common;

#[path = "../fuzz/checks.rs"]
mod checks;

use std::sync::OnceLock;

use base64::Engine as _;
use bytes::Bytes;
use common::gen::Gen;
use common::{load_vectors, Rng, B64};
use flight_codec::reply::{self, Body, DecodeOptions, EncodeOptions, MultipartDecoder};
use flight_codec::{notation, Error};
use proptest::prelude::*;

/// Line breaks and an empty Blob type change in multipart bytes, as in
/// undici: compare with line breaks as `\n` and empty types filled in.
fn normalized(notation: &str) -> String {
    notation
        .replace("\\r\\n", "\\n")
        .replace("\\r", "\\n")
        .replace("\"type\":\"\"", "\"type\":\"application/octet-stream\"")
}

#[test]
fn reply_round_trip() {
    let config = ProptestConfig { cases: 4000, failure_persistence: None, ..ProptestConfig::default() };
    let checked = std::cell::Cell::new(0usize);
    let strategy = (any::<u64>(), 1u32..6, any::<bool>(), prop::collection::vec(any::<u16>(), 0..6));
    proptest::test_runner::TestRunner::new(config)
        .run(&strategy, |(seed, depth, temp, cuts)| {
            if round_trip_case(seed, depth, temp, &cuts)? {
                checked.set(checked.get() + 1);
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    // Most cases must reach every check, not stop at a refusal.
    assert!(checked.get() >= 3600, "only {} of 4000 cases fully checked", checked.get());
}

/// One round trip; `Ok(false)` when the value is refused as React refuses it.
fn round_trip_case(seed: u64, depth: u32, temp: bool, cuts: &[u16]) -> Result<bool, TestCaseError> {
    let mut gen = Gen::new(Rng(seed));
    gen.reset(temp);
    let value = gen.value(depth);
    let graph = notation::from_str(&value).expect("the generator writes valid notation");
    let mut eopts = EncodeOptions::default();
    eopts.temporary_references = temp;
    let body = match reply::encode(&graph, &eopts) {
        Ok(body) => body,
        // Values React's encodeReply refuses (functions and class
        // instances without temporary references, a stream written
        // twice…) are refused with React's message; tests/differential.rs
        // checks those messages against React.
        Err(e) if e.kind().name() == "unsupported" => return Ok(false),
        Err(e) => panic!("{value}: encode failed: {e}"),
    };
    let mut opts = DecodeOptions::default();
    opts.temporary_references = temp;
    let first = match common::decode_own_body(&body, &opts) {
        Ok(first) => first,
        // React's quirk, shared: a temporary reference under a key
        // holding `:` has no path React can rebuild, so React's own
        // decodeReply rejects React's own body (spec/reply.md).
        Err(e) if temp && e.kind() == &flight_codec::ErrorKind::TemporaryReferenceWithoutPath => return Ok(false),
        Err(e) => panic!("{value}: our body does not decode: {e}"),
    };
    // What we decoded re-encodes and decodes to itself, and encoding is
    // then a fixed point (a root promise decodes to its value, as
    // decodeReply's result does, so the first body may differ).
    // Temporary references decode as opaque placeholders: only without them.
    if !temp {
        let second = reply::encode(&notation::from_str(&first).unwrap(), &eopts).expect("re-encode");
        let again = common::decode_own_body(&second, &opts).expect("decode the re-encoding");
        prop_assert_eq!(&again, &first, "re-encoding changed the value of {}", value);
        let third = reply::encode(&notation::from_str(&again).unwrap(), &eopts).expect("re-encode");
        prop_assert_eq!(&third, &second, "encoding is not stable for {}", value);
    }
    if let Body::Form(_) = body {
        let bytes = body.to_bytes();
        let boundary = flight_codec::multipart::boundary_from_content_type(&body.content_type()).unwrap();
        let mut cuts: Vec<usize> = cuts.iter().map(|&c| c as usize % (bytes.len() + 1)).collect();
        cuts.sort_unstable();
        let mut d = MultipartDecoder::new(&boundary, opts.clone()).unwrap();
        let mut at = 0;
        for c in cuts.into_iter().chain([bytes.len()]) {
            d.feed(&bytes[at..c]).unwrap();
            at = c;
        }
        let via = notation::to_string(&d.finish().expect("our multipart bytes decode"));
        prop_assert_eq!(normalized(&via), normalized(&first));
    }
    Ok(true)
}

#[test]
fn response_round_trip() {
    let config = ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() };
    let reached = std::cell::RefCell::new(std::collections::BTreeMap::new());
    // Seed, depth, exotic values (elements, functions, class instances,
    // unregistered symbols), an onError keeping digests, a client manifest,
    // and where to cut the stream.
    let strategy = (any::<u64>(), 1u32..6, any::<bool>(), any::<bool>(), any::<bool>(), any::<u16>());
    proptest::test_runner::TestRunner::new(config)
        .run(&strategy, |(seed, depth, exotic, digests, manifest, cut)| {
            let mut gen = Gen::new(Rng(seed));
            gen.reset(exotic);
            let value = gen.value(depth);
            let graph = notation::from_str(&value).expect("the generator writes valid notation");
            let eopts = checks::response_options(false, digests, manifest);
            let r = checks::response_round_trip(&graph, &eopts, &checks::response_decode_options(false), cut as usize);
            *reached.borrow_mut().entry(format!("{r:?}")).or_insert(0usize) += 1;
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let reached = reached.into_inner();
    eprintln!("response round trips: {reached:?}");
    // Most cases must reach every check, not stop at a rejected root (an
    // exotic value React turns into an error row).
    let checked = reached.get("Checked").copied().unwrap_or(0);
    assert!(checked >= 2700, "only {checked} of 3000 cases fully checked: {reached:?}");
}

/// Our own response streams for random values, encoded once.
fn encoded_streams() -> &'static [Bytes] {
    static STREAMS: OnceLock<Vec<Bytes>> = OnceLock::new();
    STREAMS.get_or_init(|| {
        let mut gen = Gen::new(Rng(0x5eed_f11e));
        let mut out = Vec::new();
        for i in 0..400 {
            gen.reset(i % 4 == 0);
            let value = gen.value(1 + i % 5);
            let g = notation::from_str(&value).unwrap();
            if let Ok(s) = flight_codec::response::encode(&g, &checks::response_options(false, i % 2 == 0, i % 3 == 0))
            {
                out.push(s.into());
            }
        }
        assert!(out.len() > 350);
        out
    })
}

/// Bodies and streams from the vectors, loaded once.
struct Corpus {
    text: Vec<Bytes>,
    multipart: Vec<(String, Bytes)>,
    streams: Vec<Bytes>,
}

fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let mut c = Corpus { text: Vec::new(), multipart: Vec::new(), streams: Vec::new() };
        for (_, v) in load_vectors("reply") {
            if let Some(s) = v.get("body").and_then(|b| b.get("string")) {
                c.text.push(Bytes::from(s.str().as_wtf8().to_vec()));
            }
            if let Some(mp) = v.get("multipart") {
                let ct = mp.get("contentType").unwrap().text();
                c.multipart.push((ct, B64.decode(mp.get("base64").unwrap().text()).unwrap().into()));
            }
        }
        for (_, v) in load_vectors("response") {
            for flavour in ["prod", "dev"] {
                if let Some(chunks) = v.get(flavour).and_then(|s| s.get("chunks")) {
                    let stream: Vec<u8> = chunks.arr().iter().flat_map(|c| B64.decode(c.text()).unwrap()).collect();
                    c.streams.push(stream.into());
                }
            }
        }
        assert!(c.text.len() > 100 && c.multipart.len() > 100 && c.streams.len() > 400);
        c
    })
}

/// One edit: at a position (scaled to the length), flip, insert, delete or
/// duplicate a run.
#[derive(Debug, Clone)]
enum Edit {
    Set(u16, u8),
    Insert(u16, u8),
    Delete(u16, u8),
    Duplicate(u16, u8),
    /// Bytes the formats give meaning to.
    Special(u16, u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<u16>(), any::<u8>()).prop_map(|(p, b)| Edit::Set(p, b)),
        (any::<u16>(), any::<u8>()).prop_map(|(p, b)| Edit::Insert(p, b)),
        (any::<u16>(), 1u8..32).prop_map(|(p, n)| Edit::Delete(p, n)),
        (any::<u16>(), 1u8..64).prop_map(|(p, n)| Edit::Duplicate(p, n)),
        (any::<u16>(), any::<u8>()).prop_map(|(p, b)| Edit::Special(p, b)),
    ]
}

fn mutate(input: &[u8], edits: &[Edit]) -> Vec<u8> {
    const SPECIAL: &[u8] = b"$@:\"[]{},0129aDTQWKBnNIS\r\n-\\\xff\xc3";
    let mut out = input.to_vec();
    for e in edits {
        let at = |p: u16, len: usize| p as usize * (len + 1) / 65536;
        match *e {
            Edit::Set(p, b) if !out.is_empty() => {
                let i = at(p, out.len() - 1);
                out[i] = b;
            }
            Edit::Insert(p, b) => out.insert(at(p, out.len()), b),
            Edit::Delete(p, n) => {
                let i = at(p, out.len());
                let j = (i + n as usize).min(out.len());
                out.drain(i..j);
            }
            Edit::Duplicate(p, n) => {
                let i = at(p, out.len());
                let j = (i + n as usize).min(out.len());
                let run = out[i..j].to_vec();
                out.splice(j..j, run);
            }
            Edit::Special(p, b) => out.insert(at(p, out.len()), SPECIAL[b as usize % SPECIAL.len()]),
            _ => {}
        }
    }
    out
}

/// A typed error with a message, never a panic.
fn typed<T>(r: Result<T, Error>) {
    if let Err(e) = r {
        assert!(!e.to_string().is_empty(), "{:?} has no message", e.kind());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2500, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_reply_bodies_never_panic(pick in any::<prop::sample::Index>(), edits in prop::collection::vec(edit(), 1..8)) {
        let c = corpus();
        let body = &c.text[pick.index(c.text.len())];
        let opts = DecodeOptions::default();
        typed(reply::decode_text(mutate(body, &edits).into(), &opts));
    }

    #[test]
    fn mutated_multipart_bodies_never_panic(pick in any::<prop::sample::Index>(), edits in prop::collection::vec(edit(), 1..8), cut in any::<u16>()) {
        let c = corpus();
        let (ct, body) = &c.multipart[pick.index(c.multipart.len())];
        let body = mutate(body, &edits);
        let opts = DecodeOptions::default();
        let whole = reply::decode_body(ct, body.clone().into(), &opts).map(|g| notation::to_string(&g));
        if let Err(e) = &whole {
            prop_assert!(!e.to_string().is_empty());
        }
        typed(reply::decode_action_body(ct, body.clone().into(), &opts));
        // Chunked the same.
        let boundary = flight_codec::multipart::boundary_from_content_type(ct).unwrap();
        let at = cut as usize % (body.len() + 1);
        let chunked = (|| {
            let mut d = MultipartDecoder::new(&boundary, opts.clone())?;
            d.feed(&body[..at])?;
            d.feed(&body[at..])?;
            d.finish()
        })().map(|g| notation::to_string(&g));
        prop_assert_eq!(whole.map_err(|e| e.kind().to_string()), chunked.map_err(|e| e.kind().to_string()));
    }

    #[test]
    fn mutated_encoded_response_streams_never_panic(pick in any::<prop::sample::Index>(), edits in prop::collection::vec(edit(), 1..8), cut in any::<u16>()) {
        // Our encoder's streams (unlike React's vectors: symbols, Maps,
        // blobs, byte streams, errors and elements mixed at random), mutated:
        // a value or a typed error, and the framer's rows do not depend on
        // where the stream is cut.
        let streams = encoded_streams();
        let stream = mutate(&streams[pick.index(streams.len())], &edits);
        typed(flight_codec::response::decode(&stream, &Default::default()));
        let frame = |at: usize| {
            let mut f = flight_codec::response::rows::RowFramer::new(Default::default());
            let r = f.feed(&stream[..at]).and_then(|_| f.feed(&stream[at..])).and_then(|_| f.finish());
            (r.is_ok(), std::iter::from_fn(|| f.next_row()).collect::<Vec<_>>())
        };
        let (whole_ok, whole) = frame(0);
        let (split_ok, split) = frame(cut as usize % (stream.len() + 1));
        prop_assert_eq!(whole_ok, split_ok);
        if whole_ok {
            prop_assert_eq!(whole, split);
        }
    }

    #[test]
    fn mutated_response_streams_never_panic(pick in any::<prop::sample::Index>(), edits in prop::collection::vec(edit(), 1..8)) {
        let c = corpus();
        let stream = &c.streams[pick.index(c.streams.len())];
        typed(flight_codec::response::decode(&mutate(stream, &edits), &Default::default()));
    }
}

/// Found by `response_round_trip`: an object reached twice as an async
/// iterator's chunks decodes as one node, and re-encodes, as React writes it,
/// as two chunks with their own copies (a chunk row has its stream's id, so
/// nothing can refer to it). Checked up to that identity.
#[test]
fn response_round_trip_chunk_roots_reached_twice() {
    let mut gen = Gen::new(Rng(6612589037550638218));
    gen.reset(true);
    let value = gen.value(4);
    let graph = notation::from_str(&value).expect("the generator writes valid notation");
    let eopts = checks::response_options(false, false, false);
    let r = checks::response_round_trip(&graph, &eopts, &checks::response_decode_options(false), 0);
    assert_eq!(format!("{r:?}"), "Checked");
}
