//! The push decoder: for every stream in `spec/vectors/response/` (React's
//! production and development output), feeding it in pieces of any size
//! gives the same events and the same final value (or error) as feeding it
//! whole, and that is what the one-shot `decode` gives (checked against
//! React in `response_vectors`). Values arrive as soon as their rows have:
//! when React flushed a stream in several network chunks, the root value is
//! delivered before the last chunk is fed.

mod common;

use base64::Engine as _;
use common::{load_vectors, Rng, B64};
use flight_codec::response::{self, Event, ResponseDecoder};
use flight_codec::{notation, Error};

/// Events (with values in notation, named across the whole run) and the
/// final value or error, for a stream fed in `pieces`.
fn run(pieces: &[&[u8]], temp: bool) -> (Vec<String>, Result<String, String>, Vec<usize>) {
    run_with(pieces, temp, false)
}

/// [`run`], feeding the pieces as owned `Bytes` (`feed_bytes`: rows sliced, not copied) if `owned`.
fn run_with(pieces: &[&[u8]], temp: bool, owned: bool) -> (Vec<String>, Result<String, String>, Vec<usize>) {
    let mut opts = flight_codec::reply::DecodeOptions::default();
    opts.temporary_references = temp;
    let mut d = ResponseDecoder::new(opts);
    let mut events: Vec<Event> = Vec::new();
    // How many events had arrived after each piece.
    let mut after = Vec::new();
    let mut failed: Option<Error> = None;
    for p in pieces {
        let fed = if owned { d.feed_bytes(bytes::Bytes::copy_from_slice(p)) } else { d.feed(p) };
        if let Err(e) = fed {
            failed = Some(e);
            break;
        }
        while let Some(e) = d.next_event() {
            events.push(e);
        }
        after.push(events.len());
    }
    let g = d.graph().clone();
    let values: Vec<_> = events
        .iter()
        .map(|e| match e {
            Event::Root(v) | Event::Fulfilled { value: v, .. } | Event::Closed { value: v, .. } => v.clone(),
            Event::Rejected { reason: v, .. } | Event::Errored { reason: v, .. } | Event::Item { item: v, .. } => {
                v.clone()
            }
        })
        .collect();
    let shown = notation::to_strings(&g, &values);
    let described = events
        .iter()
        .zip(shown)
        .map(|(e, v)| match e {
            Event::Root(_) => format!("root {v}"),
            Event::Fulfilled { promise, .. } => format!("fulfilled #{} {v}", promise.index()),
            Event::Rejected { promise, .. } => format!("rejected #{} {v}", promise.index()),
            Event::Item { stream, .. } => format!("item #{} {v}", stream.index()),
            Event::Closed { stream, .. } => format!("closed #{} {v}", stream.index()),
            Event::Errored { stream, .. } => format!("errored #{} {v}", stream.index()),
        })
        .collect();
    let end = match failed {
        Some(e) => Err(e.kind().name().to_string()),
        None => d.finish().map(|g| notation::to_string(&g)).map_err(|e| e.kind().name().to_string()),
    };
    (described, end, after)
}

#[test]
fn any_chunking_gives_the_same_events_and_value() {
    let mut rng = Rng(0x05ee_d0fb_17e5);
    let (mut streams, mut early_roots, mut with_events) = (0, 0, 0);
    for (name, v) in load_vectors("response") {
        let temp = v.get("options").and_then(|o| o.get("temporaryReferences")).is_some_and(|t| t.compact() == "true");
        for flavour in ["prod", "dev"] {
            let Some(chunks) = v.get(flavour).and_then(|f| f.get("chunks")) else { continue };
            let chunks: Vec<Vec<u8>> = chunks.arr().iter().map(|c| B64.decode(c.text()).unwrap()).collect();
            let whole: Vec<u8> = chunks.concat();
            streams += 1;
            let (events, end, _) = run(&[&whole], temp);
            let mut opts = flight_codec::reply::DecodeOptions::default();
            opts.temporary_references = temp;
            let one_shot = response::decode(&whole, &opts)
                .map(|g| notation::to_string(&g))
                .map_err(|e| e.kind().name().to_string());
            assert_eq!(end, one_shot, "{name}/{flavour}: push and one-shot differ");
            if !events.is_empty() {
                with_events += 1;
            }
            if end.is_ok() {
                assert_eq!(events.iter().filter(|e| e.starts_with("root ")).count(), 1, "{name}/{flavour}: {events:?}");
            }
            // React's own network chunks, one byte at a time (short streams), random cuts.
            let react: Vec<&[u8]> = chunks.iter().map(Vec::as_slice).collect();
            let mut schedules: Vec<Vec<&[u8]>> = vec![react.clone()];
            if whole.len() <= 4096 {
                schedules.push(whole.chunks(1).collect());
            }
            let mut cuts: Vec<usize> = (0..4).map(|_| rng.below(whole.len() as u64 + 1) as usize).collect();
            cuts.sort_unstable();
            let mut pieces = Vec::new();
            let mut at = 0;
            for c in cuts {
                pieces.push(&whole[at..c]);
                at = c;
            }
            pieces.push(&whole[at..]);
            schedules.push(pieces);
            for (i, s) in schedules.iter().enumerate() {
                // Owned chunks (rows sliced from them) for every other schedule.
                let (ev, en, _) = run_with(s, temp, i % 2 == 1);
                // A failure may come earlier when fed in pieces; it is the same failure.
                assert_eq!(en, end, "{name}/{flavour}: end differs when fed in {} pieces", s.len());
                if end.is_ok() {
                    assert_eq!(ev, events, "{name}/{flavour}: events differ when fed in {} pieces", s.len());
                }
            }
            // Incremental: with React's chunks, the root arrives before the last one.
            let (ev, en, after) = run(&react, temp);
            if en.is_ok() && chunks.len() > 1 && flavour == "prod" {
                let root_at = ev.iter().position(|e| e.starts_with("root ")).unwrap();
                if after.iter().position(|&n| n > root_at).unwrap() < chunks.len() - 1 {
                    early_roots += 1;
                }
            }
        }
    }
    eprintln!("{streams} streams; {with_events} with events; {early_roots} roots delivered before the last chunk");
    assert!(streams >= 500, "{streams}");
    assert!(early_roots >= 40, "only {early_roots} roots arrived before the stream ended");
}

#[test]
fn events_follow_a_token_stream() {
    // An AI-token stream: each chunk is delivered as its row arrives.
    let mut d = ResponseDecoder::new(Default::default());
    d.feed(b"1:X\n0:{\"answer\":\"$1\",\"done\":\"$@2\"}\n").unwrap();
    let Some(Event::Root(_)) = d.next_event() else { panic!("root first") };
    assert!(d.next_event().is_none());
    for (i, tok) in ["Hel", "lo", "!"].iter().enumerate() {
        d.feed(format!("1:T{:x},{tok}", tok.len()).as_bytes()).unwrap();
        match d.next_event() {
            Some(Event::Item { item, .. }) => assert_eq!(item.as_string().unwrap(), *tok, "token {i}"),
            other => panic!("token {i}: {other:?}"),
        }
    }
    d.feed(b"1:C\n2:E{\"digest\":\"d\"}\n").unwrap();
    assert!(matches!(d.next_event(), Some(Event::Closed { .. })));
    assert!(matches!(d.next_event(), Some(Event::Rejected { .. })));
    let g = d.finish().unwrap();
    assert!(notation::to_string(&g).contains(r#"["answer",{"asyncIterable":{"items":["Hel","lo","!"]"#));
}

#[test]
fn a_value_waits_for_the_rows_it_needs() {
    let mut d = ResponseDecoder::new(Default::default());
    // The root needs row 1 (a Map's entries), which comes later.
    d.feed(b"0:{\"m\":\"$Q1\",\"p\":\"$@2\"}\n").unwrap();
    assert!(d.next_event().is_none());
    d.feed(b"2:\"early\"\n").unwrap();
    // The promise's row is complete: it settles, though the root is not ready.
    assert!(matches!(d.next_event(), Some(Event::Fulfilled { .. })));
    d.feed(b"1:[[\"k\",1]]\n").unwrap();
    assert!(matches!(d.next_event(), Some(Event::Root(_))));
    assert_eq!(
        notation::to_string(&d.finish().unwrap()),
        r#"{"object":[["m",{"map":[["k",1]]}],["p",{"promise":{"fulfilled":"early"}}]]}"#
    );
}

#[test]
fn errors_are_final_and_name_what_is_missing() {
    let mut d = ResponseDecoder::new(Default::default());
    d.feed(b"0:[\"$1\",\"$@2\",\"$3\"]\n3:R\n1:1\n").unwrap();
    let e = d.finish().unwrap_err();
    assert_eq!(e.to_string(), "missing row 2");
    let mut d = ResponseDecoder::new(Default::default());
    d.feed(b"0:\"$1\"\n1:R\n").unwrap();
    assert_eq!(d.finish().unwrap_err().to_string(), "stream 1 never closed");
    let mut d = ResponseDecoder::new(Default::default());
    assert_eq!(d.feed(b"0:1\n0:2\n").unwrap_err().to_string(), "row 0 appears twice");
    assert_eq!(d.feed(b"1:1\n").unwrap_err().to_string(), "row 0 appears twice");
    // Invalid UTF-8 split across two feeds.
    let mut d = ResponseDecoder::new(Default::default());
    d.feed(b"0:T2,\xc3").unwrap();
    assert_eq!(d.feed(b"\x28").unwrap_err().kind().name(), "invalid-utf8");
}

#[test]
fn rows_in_any_order_decode_in_linear_time() {
    // A 20,000-row linked list whose rows come parent first (React writes
    // children first; another server may not): each value's check resumes
    // where it stopped, so this is not quadratic (nor a work-limit error).
    let n = 20_000u32;
    let mut s = Vec::new();
    for i in 0..n {
        s.extend_from_slice(format!("{i:x}:{{\"v\":{i},\"next\":\"${:x}\"}}\n", i + 1).as_bytes());
    }
    s.extend_from_slice(format!("{n:x}:\"end\"\n").as_bytes());
    let mut opts = flight_codec::reply::DecodeOptions::default();
    opts.limits.max_depth = usize::MAX;
    let mut d = ResponseDecoder::new(opts);
    for piece in s.chunks(4096) {
        d.feed(piece).unwrap();
    }
    assert!(matches!(d.next_event(), Some(Event::Root(_))));
    let g = d.finish().unwrap();
    assert_eq!(g.len(), n as usize);
}

/// A framing error late in a chunk comes after the errors of the rows framed
/// before it, however the stream is cut (rows are framed in batches of 64).
#[test]
fn a_framing_error_waits_for_the_rows_before_it() {
    for hints in [0usize, 1, 62, 63, 64, 65, 130] {
        let mut s = ":HL[\"x\"]\n".repeat(hints).into_bytes();
        s.extend_from_slice(b"1:1\n1:2\nZ:0\n");
        let whole = {
            let mut d = flight_codec::response::ResponseDecoder::new(Default::default());
            d.feed(&s).unwrap_err()
        };
        let bytewise = {
            let mut d = flight_codec::response::ResponseDecoder::new(Default::default());
            s.iter().find_map(|b| d.feed(std::slice::from_ref(b)).err()).unwrap()
        };
        assert_eq!(whole.kind().name(), "invalid-row", "{hints} hints");
        assert_eq!(whole.to_string(), bytewise.to_string(), "{hints} hints");
    }
}

/// Random row graphs (plain references with cycles, promises, rows sent in
/// any order): after every row fed, the events delivered are exactly those a
/// brute-force check allows. The root is delivered once every row it
/// reaches plainly has arrived; a promise once something parsed refers to it
/// and every row its row reaches plainly has arrived. Not before (a value
/// with rows missing), not after (the completeness walks sharing their
/// waiting must not delay anything).
#[test]
fn events_come_exactly_when_their_rows_have_arrived() {
    let mut rng = Rng(0x00c0_ffee_5eed);
    let mut delivered = 0usize;
    for case in 0..3_000 {
        let n = 2 + rng.below(12) as usize;
        // Each row is an array of references; each row other than the root is
        // the target of at most one promise.
        let mut plain: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut promised: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut promise_free: Vec<usize> = (1..n).collect();
        for (r, refs) in plain.iter_mut().enumerate() {
            for _ in 0..rng.below(4) {
                refs.push(rng.below(n as u64) as usize);
            }
            if rng.below(3) == 0 && !promise_free.is_empty() {
                let i = rng.below(promise_free.len() as u64) as usize;
                let target = promise_free.swap_remove(i);
                promised[r].push(target);
            }
        }
        let mut order: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            order.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let row = |r: usize| {
            let items: Vec<String> = plain[r]
                .iter()
                .map(|t| format!("\"${t:x}\""))
                .chain(promised[r].iter().map(|t| format!("\"$@{t:x}\"")))
                .collect();
            format!("{r:x}:[{}]\n", items.join(","))
        };
        // Brute force: the plain closure of a row.
        let closure = |start: usize| {
            let mut seen = vec![false; n];
            let mut stack = vec![start];
            while let Some(r) = stack.pop() {
                if !std::mem::replace(&mut seen[r], true) {
                    stack.extend(plain[r].iter().copied());
                }
            }
            seen
        };
        let mut arrived = vec![false; n];
        let mut d = ResponseDecoder::new(Default::default());
        let mut events = 0usize;
        let mut log = String::new();
        for &r in &order {
            arrived[r] = true;
            let text = row(r);
            log.push_str(&text);
            d.feed(text.as_bytes()).unwrap();
            while d.next_event().is_some() {
                events += 1;
            }
            // Rows reached from the root: through references of rows that arrived.
            let mut reached = vec![false; n];
            let mut stack = vec![0usize];
            while let Some(x) = stack.pop() {
                if std::mem::replace(&mut reached[x], true) || !arrived[x] {
                    continue;
                }
                stack.extend(plain[x].iter().chain(&promised[x]).copied());
            }
            let complete = |x: usize| closure(x).iter().zip(&arrived).all(|(&c, &a)| !c || a);
            let root = usize::from(complete(0));
            // Promises that a parsed row refers to (each row is promised once).
            let promises = (0..n)
                .filter(|&x| reached[x] && arrived[x])
                .flat_map(|x| promised[x].iter().copied())
                .filter(|&p| complete(p))
                .count();
            assert_eq!(events, root + promises, "case {case}, after row {r:x} of\n{log}");
        }
        delivered += events;
        d.finish().unwrap();
    }
    assert!(delivered > 5_000, "{delivered}");
}
