//! Live differential test of response decoding against React 19.3.1.
//!
//! For 1,000 seeded random values (`FLIGHT_DIFF_CASES`, `FLIGHT_DIFF_SEED`),
//! React's server renders the value (production, and every fourth value also
//! development) and React's client decodes the stream; our decoder must give
//! the same value, or fail where React's client fails.
//! (The other direction, React decoding our streams, comes with the response
//! encoder.) Under `CI=true` a missing Node or oracle is a failure.

mod common;

use base64::Engine as _;
use common::gen::Gen;
use common::oracle::Oracle;
use common::{respond, Json, Rng, B64};
use flight_codec::{notation, response};

#[test]
fn response_decoding_matches_react() {
    let Some(mut oracle) = Oracle::start("response-server.mjs") else { return };
    let cases: usize = common::env_or("FLIGHT_DIFF_CASES", 1000);
    let seed: u64 = common::env_or("FLIGHT_DIFF_SEED", 0x5851_f42d_4c95_7f2d);
    let mut g = Gen::new(Rng(seed));
    let (mut failures, mut compared, mut both_failed, mut known, mut split_bytes) = (Vec::new(), 0, 0, 0, 0);
    let mut late_chunks = 0;
    let (mut encoded, mut identical, mut equivalent) = (0, 0, 0);
    for case in 0..cases {
        let temp = case % 7 == 6;
        g.reset(temp);
        let value = g.value(4);
        for dev in [false, true] {
            if dev && case % 4 != 0 {
                continue;
            }
            let rendered =
                oracle.ask(&format!(r#"{{"op":"render","value":{value},"dev":{dev},"temporaryReferences":{temp}}}"#));
            let Some(chunks) = rendered.get("chunks") else {
                failures.push(format!("case {case}: React could not render {value}: {}", rendered.compact()));
                continue;
            };
            let stream: Vec<u8> = chunks.arr().iter().flat_map(|c| B64.decode(c.text()).unwrap()).collect();
            if !dev {
                // We encode the same value: React's bytes, or a stream React reads the same.
                encoded += 1;
                let want: Vec<Vec<u8>> = chunks.arr().iter().map(|c| B64.decode(c.text()).unwrap()).collect();
                let ours: Vec<Vec<u8>> = match respond::render(&value, None, temp) {
                    Ok(steps) => steps.into_iter().flatten().map(|b| b.to_vec()).collect(),
                    Err(e) => {
                        failures.push(format!("case {case}: we cannot encode {value}: {e}"));
                        continue;
                    }
                };
                if ours == want {
                    identical += 1;
                } else {
                    let b64: Vec<String> = ours.iter().map(|c| format!("\"{}\"", B64.encode(c))).collect();
                    let mut ask = |chunks: &str| {
                        oracle.ask(&format!(
                            r#"{{"op":"decodeResponse","chunks":{chunks},"dev":false,"temporaryReferences":{temp}}}"#
                        ))
                    };
                    let theirs = ask(&chunks.compact()).compact();
                    let from_ours = ask(&format!("[{}]", b64.join(","))).compact();
                    // (A byte stream's chunk boundaries carry no meaning; React's
                    // server may split an enqueued chunk where we do not.)
                    if theirs == from_ours || merge_byte_chunks(&theirs) == merge_byte_chunks(&from_ours) {
                        equivalent += 1;
                    } else {
                        failures.push(format!(
                            "case {case} (we encode): {value}\n  React  {:?}\n  ours   {:?}\n  React reads React's {theirs}\n  React reads ours    {from_ours}",
                            String::from_utf8_lossy(&stream),
                            String::from_utf8_lossy(&ours.concat())
                        ));
                    }
                }
            }
            let react = oracle.ask(&format!(
                r#"{{"op":"decodeResponse","chunks":{},"dev":{dev},"temporaryReferences":{temp}}}"#,
                chunks.compact()
            ));
            let mut opts = flight_codec::reply::DecodeOptions::default();
            opts.temporary_references = temp;
            let ours = response::decode(&stream, &opts).map(|g| notation::to_string(&g));
            compared += 1;
            match (react.get("value"), &ours) {
                (Some(v), Ok(o)) if v.compact() == *o => {}
                // React's client delivers a byte-stream row that arrives in several
                // network chunks as several chunks; we deliver one per row.
                (Some(v), Ok(o)) if merge_byte_chunks(&v.compact()) == merge_byte_chunks(o) => split_bytes += 1,
                // React's client closes a ReadableStream without the chunks whose
                // rows arrive after the close row (a Blob chunk, say); we keep them.
                (Some(v), Ok(o)) if stream_prefix(v, &Json::parse(o.as_bytes())) => late_chunks += 1,
                // A server reference whose bound arguments failed to render: React
                // keeps a function with a rejected `bound`; the value holding it
                // errors in ours (spec/response.md).
                (Some(v), _) if v.compact().contains(r#""bound":{"promise":{"rejected""#) => known += 1,
                (None, Err(_)) => both_failed += 1,
                // React 19.3.1 decodes a Map or Set that contains itself with `null`
                // for the self reference (response-deviations.json: ref-map-self).
                (Some(v), Ok(o)) if v.compact().contains("null") && o.contains("{\"ref\":") => known += 1,
                (v, o) => failures.push(format!(
                    "case {case} ({}): {value}\n  stream {:?}\n  React  {}\n  ours   {:?}",
                    if dev { "dev" } else { "prod" },
                    String::from_utf8_lossy(&stream),
                    v.map(|v| v.compact()).unwrap_or_else(|| react.compact()),
                    o.as_ref().map_err(|e| e.to_string())
                )),
            }
        }
        if failures.len() > 10 {
            break;
        }
    }
    eprintln!(
        "response encoding: {encoded} values, {identical} byte-identical to React (chunks included), {equivalent} read the same by React"
    );
    eprintln!("response differential: {compared} streams ({cases} values, seed {seed:#x}), {both_failed} rejected by both, {known} known React quirks, {split_bytes} byte streams split differently, {late_chunks} streams with chunks after close, {} failures", failures.len());
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
}

/// Notation with each byte stream's chunks joined into one.
fn merge_byte_chunks(text: &str) -> String {
    fn merge(v: &Json) -> Json {
        match v {
            Json::Obj(p) if p.len() == 1 && p[0].0 == "byteStream" => {
                let bytes: Vec<u8> = p[0].1.arr().iter().flat_map(|c| B64.decode(c.text()).unwrap()).collect();
                Json::Obj(vec![(p[0].0.clone(), Json::Arr(vec![Json::Str(B64.encode(bytes).as_str().into())]))])
            }
            Json::Obj(p) => Json::Obj(p.iter().map(|(k, v)| (k.clone(), merge(v))).collect()),
            Json::Arr(a) => Json::Arr(a.iter().map(merge).collect()),
            other => other.clone(),
        }
    }
    merge(&Json::parse(text.as_bytes())).compact()
}

/// Equal, except that a `readableStream` of React's may be a strict prefix of ours.
fn stream_prefix(react: &Json, ours: &Json) -> bool {
    match (react, ours) {
        (Json::Obj(a), Json::Obj(b))
            if a.len() == 1 && b.len() == 1 && a[0].0 == "readableStream" && b[0].0 == "readableStream" =>
        {
            let (x, y) = (a[0].1.arr(), b[0].1.arr());
            x.len() < y.len() && x.iter().zip(y).all(|(x, y)| x.compact() == y.compact())
                || x.len() == y.len() && x.iter().zip(y).all(|(x, y)| stream_prefix(x, y))
        }
        (Json::Obj(a), Json::Obj(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|((k, x), (l, y))| k == l && stream_prefix(x, y))
        }
        (Json::Arr(a), Json::Arr(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| stream_prefix(x, y)),
        (a, b) => a.compact() == b.compact(),
    }
}

/// Streams written by hand (forged: React's server does not write them), each
/// found by a review of the decoder, decoded by React's client and by ours.
#[test]
fn hand_written_streams_decode_as_react_does() {
    let Some(mut oracle) = Oracle::start("response-server.mjs") else { return };
    let cases: [(&str, &str); 15] = [
        // Object members reordered (an array index first) whose references
        // move into each other's slots: the second move must not drop the
        // first from the index of open holes.
        (
            "holes-swap-slots",
            "0:[\"$1\",\"$4\",\"$3\"]\n2:{\"x\":{\"y\":1}}\n1:\"$2:x\"\n3:{\"b\":\"$5:v\",\"0\":\"$5:w\"}\n4:\"$3:0:k\"\n5:{\"v\":1,\"w\":{\"k\":7}}\n",
        ),
        // A Map initializer naming a row that was already complete.
        ("map-of-complete-row", "1:[[1,2]]\n0:{\"a\":\"$Q1\",\"b\":\"$@2\"}\n2:\"$Q1\"\n"),
        ("set-of-complete-row", "1:[1,2]\n0:{\"a\":\"$W1\",\"b\":\"$@2\"}\n2:\"$W1\"\n"),
        ("formdata-of-complete-row", "1:[[\"k\",\"v\"]]\n0:{\"a\":\"$K1\",\"b\":\"$@2\"}\n2:\"$K1\"\n"),
        // One row named by several `$B` (sharing its bytes) or `$K`
        // (copying its entries), in its batch and once it is complete.
        ("blob-row-reused", "1:[\"text/plain\",\"ab\",\"c\"]\n0:{\"a\":\"$B1\",\"b\":\"$B1\",\"c\":\"$@2\"}\n2:\"$B1\"\n"),
        // Keys whose references resolve to `undefined` are deleted, once the
        // object's other references (one to a late row) resolve.
        ("undefined-keys-late", "1:\"$undefined\"\n0:{\"a\":\"$1\",\"b\":\"$@2\",\"c\":\"$3\",\"d\":\"$1\"}\n2:1\n3:\"x\"\n"),
        ("formdata-row-reused", "1:[[\"k\",\"v\"],[\"j\",\"w\"]]\n0:[\"$K1\",\"$K1\",\"$@2\"]\n2:[\"$K1\"]\n"),
        // Two async iterables whose chunks interleave (chunks are numbered
        // across streams): one waits for a late row, the other fails at its
        // third chunk (an iterable keeps the chunks before the error).
        (
            "iterables-interleaved-error",
            "1:X\n2:X\n0:[\"$1\",\"$2\"]\n1:\"a\"\n2:\"$3\"\n1:\"b\"\n2:\"d\"\n1:\"$4\"\n4:E{\"digest\":\"x\"}\n3:\"c\"\n1:\"e\"\n1:C\n2:C\"$3\"\n",
        ),
        // A stream whose chunk failed keeps its error when its end row
        // comes with a return value (found by a review: the value replaced
        // the error), with the error row before the end row or after it.
        ("errored-iterable-then-return", "0:[\"$1\"]\n1:X\n1:\"$2\"\n2:E{\"digest\":\"d\"}\n1:C\"r\"\n"),
        ("iterable-return-then-error", "0:[\"$1\"]\n1:X\n1:\"$2\"\n1:C\"r\"\n2:E{\"digest\":\"d\"}\n"),
        // Which error a value takes when it meets several (found by a review
        // with random streams): a value refers to rows that are errors, and
        // takes the last of them in its text (React parses it when first
        // needed)…
        (
            "two-errors-last-in-text",
            "20:E{\"digest\":\"a\"}\n21:E{\"digest\":\"b\"}\n0:[\"$@1\"]\n1:{\"v\":\"$21\",\"w\":{\"x\":\"$20\"}}\n",
        ),
        (
            "iterable-chunk-errors-late",
            "2:x\n0:[\"$2\"]\n20:E{\"digest\":\"a\"}\n2:{\"v\":\"$20\",\"w\":\"$21\"}\n2:C\n21:E{\"digest\":\"b\"}\n",
        ),
        // …a ReadableStream chunk is parsed as it arrives: the errors then…
        (
            "readable-chunk-errors-then",
            "2:R\n0:[\"$2\"]\n20:E{\"digest\":\"a\"}\n2:{\"v\":\"$20\",\"w\":\"$21\"}\n2:C\n21:E{\"digest\":\"b\"}\n",
        ),
        // …and a stream takes the error of its first chunk that fails, even
        // when a later chunk's error came first.
        ("readable-first-failing-chunk", "0:[\"$2\"]\n2:R\n2:\"$20\"\n21:E{\"digest\":\"b\"}\n2:\"$21\"\n20:E{\"digest\":\"a\"}\n2:C\n"),
        (
            "streams-interleaved-late",
            "1:R\n2:x\n0:{\"r\":\"$1\",\"i\":\"$2\"}\n2:\"$3\"\n1:\"$3\"\n2:\"p\"\n1:\"q\"\n3:{\"v\":1}\n1:C\n2:C\"$3\"\n",
        ),
    ];
    for (name, stream) in cases {
        let react = oracle.ask(&format!(
            r#"{{"op":"decodeResponse","chunks":["{}"],"dev":false,"temporaryReferences":false}}"#,
            B64.encode(stream)
        ));
        let want = react.get("value").unwrap_or_else(|| panic!("{name}: React rejects it: {}", react.compact()));
        let ours = response::decode(stream.as_bytes(), &Default::default()).map(|g| notation::to_string(&g));
        assert_eq!(ours.as_deref().map_err(|e| e.to_string()), Ok(want.compact().as_str()), "{name}");
    }
}
