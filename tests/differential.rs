//! Live differential test against real React 19.3.1, in both directions.
//!
//! For 1,000 seeded random values (`FLIGHT_DIFF_CASES` to change, `FLIGHT_DIFF_SEED`
//! for another seed):
//! - React encodes the value; our encoding must be the same bytes (string
//!   body, or FormData names, values and order) and our decoding of React's
//!   body must equal React's own decoding;
//! - React decodes *our* body; the result must equal our decoding of it.
//!
//! Needs Node and `tests/oracle/node_modules` (`cd tests/oracle && npm ci`). Under
//! `CI=true` a missing Node or oracle is a failure, never a skip.

mod common;

use bytes::Bytes;
use common::gen::Gen;
use common::oracle::Oracle;
use common::{body_json, entries_from_json, Json, Rng};
use flight_codec::notation;
use flight_codec::reply::{self, Body, DecodeOptions, EncodeOptions};

#[test]
fn differential_against_react() {
    let Some(mut oracle) = Oracle::start("reply-server.mjs") else { return };
    let cases: usize = common::env_or("FLIGHT_DIFF_CASES", 1000);
    let seed: u64 = common::env_or("FLIGHT_DIFF_SEED", 0x9e37_79b9_7f4a_7c15);
    let mut g = Gen::new(Rng(seed));
    let mut failures = Vec::new();
    let mut react_hangs = 0;
    let mut react_nulls = 0;
    let mut react_lost_forms = 0;
    let mut rejected = 0;
    let mut temp_in_streams = 0;
    let mut stalled_streams = 0;
    let mut byte_exact = 0;
    for case in 0..cases {
        let temp = case % 5 == 4;
        g.reset(temp);
        let value = g.value(4);
        let graph = notation::from_str(&value).unwrap_or_else(|e| panic!("generated bad notation {value}: {e}"));
        // React encodes; our encoding must be identical.
        let react = oracle.ask(&format!(r#"{{"op":"encode","value":{value},"temporaryReferences":{temp}}}"#));
        let mut eopts = EncodeOptions::default();
        eopts.temporary_references = temp;
        let ours = reply::encode(&graph, &eopts);
        let react_body = match (react.get("ok"), react.get("body"), &ours) {
            (Some(Json::Bool(true)), Some(b), _) => b.compact(),
            (_, _, Err(e)) if react.get("error").is_some_and(|m| m.text() == e.kind().to_string()) => {
                rejected += 1;
                continue;
            }
            _ => {
                failures.push(format!(
                    "case {case}: React failed to encode {value}: {} (ours: {:?})",
                    react.compact(),
                    ours.as_ref().err().map(|e| e.to_string())
                ));
                continue;
            }
        };
        let ours = match ours {
            Ok(b) => b,
            Err(e) => {
                failures.push(format!("case {case}: we failed to encode {value}: {e}"));
                continue;
            }
        };
        let ours_body = body_json(&ours);
        let has_stream = |b: &str| {
            Json::parse(b.as_bytes()).get("formData").is_some_and(|e| {
                e.arr().iter().any(|x| {
                    let n = x.arr()[0].text();
                    n.len() > 1 && n.starts_with('S') && n[1..].bytes().all(|c| c.is_ascii_digit())
                })
            })
        };
        // Without streams, the bytes must be React's. With streams, chunk order
        // (and so the ids of parts outlined from chunks) follows each source's
        // microtask scheduling, which the one-shot encoder does not replay:
        // there both bodies must decode to the same value on both sides.
        let streams = has_stream(&ours_body) || has_stream(&react_body);
        if !streams {
            byte_exact += 1;
        }
        if !streams && ours_body != react_body {
            failures
                .push(format!("case {case}: encodings differ for {value}\n  React {react_body}\n  ours  {ours_body}"));
            continue;
        }
        let mut dopts = DecodeOptions::default();
        dopts.temporary_references = temp;
        let ours_decode = |body: &str| {
            let body = Json::parse(body.as_bytes());
            match body.get("string") {
                Some(s) => reply::decode_text(Bytes::from(s.str().as_wtf8().to_vec()), &dopts),
                None => reply::decode_form(entries_from_json(body.get("formData").unwrap()), &dopts),
            }
            .map(|g| notation::to_string(&g))
            .map_err(|e| e.to_string())
        };
        let our_decode = ours_decode(&ours_body);
        let mut bodies = vec![(&ours_body, our_decode.clone())];
        if streams {
            bodies.push((&react_body, ours_decode(&react_body)));
        }
        for (body, our_decode) in bodies {
            let react_decode = oracle.ask(&format!(r#"{{"op":"decode","body":{body},"temporaryReferences":{temp}}}"#));
            match (react_decode.get("value"), &our_decode) {
                (Some(v), Ok(o)) if v.compact() == *o => {}
                // Both reject the body.
                (None, Err(_)) if matches!(react_decode.get("ok"), Some(Json::Bool(false))) => rejected += 1,
                // React's own decoder never settles on some bodies its encoder
                // writes (a path reference into a bound-arguments part, an
                // empty byte stream); we decode them.
                (Some(v), Ok(_)) if v.compact() == r#"{"promise":"pending"}"# => react_hangs += 1,
                (Some(v), Ok(o))
                    if v.compact().contains(r#"{"unclosed":{"kind":"byteStream","items":[]}}"#)
                        && v.compact()
                            .replace(r#"{"unclosed":{"kind":"byteStream","items":[]}}"#, r#"{"byteStream":[]}"#)
                            == *o =>
                {
                    react_hangs += 1
                }
                // React 19.3.1 fills a path reference to a value still being
                // initialised (a Map, Set or typed array) with `null`; we keep
                // the shared node. Equal once shared references are nulled out.
                (Some(v), Ok(o)) if strip_refs(&v.compact()) == strip_refs(o) => react_nulls += 1,
                // `$T` in a stream chunk has no path: React errors that stream, we the decode
                // (reply-deviations.json: temp-in-stream).
                (Some(v), Err(e))
                    if e.starts_with("temporary reference at a position without a path")
                        && (v.compact().contains("Could not reference an opaque temporary reference")
                            || v.compact().contains("{\"unclosed\":")) =>
                {
                    temp_in_streams += 1
                }
                // React 19.3.1 stalls a stream after a row that is a reference
                // (reply-deviations.json: stream-chunk-refs-root); we close it.
                (Some(v), Ok(_)) if v.compact().contains("{\"unclosed\":") && has_ref_row(body) => stalled_streams += 1,
                // React 19.3.1 loses the entries of FormData parts with id ≥ 10.
                (Some(v), Ok(o)) if strip_refs(&strip_forms(&v.compact())) == strip_refs(&strip_forms(o)) => {
                    react_lost_forms += 1
                }
                (v, o) => failures.push(format!(
                    "case {case}: decodings differ for {value}\n  body  {body}\n  React {}\n  ours  {:?}",
                    v.map(|v| v.compact()).unwrap_or_else(|| react_decode.compact()),
                    o
                )),
            }
        }
        // And through the multipart bytes we would send (undici writes an
        // empty Blob type as application/octet-stream and text line breaks as CRLF).
        if let Body::Form(_) = ours {
            let bytes = Bytes::from(ours.to_bytes());
            let crlf = |s: &str| s.replace("\\r\\n", "\\n").replace("\\r", "\\n");
            let via = reply::decode_body(&ours.content_type(), bytes, &dopts).map(|g| crlf(&notation::to_string(&g)));
            let direct = our_decode
                .as_ref()
                .ok()
                .map(|g| crlf(&g.replace("\"type\":\"\"", "\"type\":\"application/octet-stream\"")));
            if via.as_ref().ok() != direct.as_ref() {
                failures.push(format!("case {case}: our multipart bytes decode differently for {value}"));
            }
        }
        if failures.len() > 20 {
            break;
        }
    }
    eprintln!("differential: {cases} random values ({byte_exact} compared byte for byte), seed {seed:#x}, {} failures, {rejected} rejected by both, React hung on {react_hangs}, nulled shared references in {react_nulls}, lost FormData in {react_lost_forms}, `$T` in streams {temp_in_streams}, stalled streams {stalled_streams}", failures.len());
    assert!(react_hangs * 50 < cases, "React hung on {react_hangs} of {cases} values: the generator is off");
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
}

/// Notation with `node` wrappers removed and every `ref` replaced by `null`.
fn strip_refs(text: &str) -> String {
    fn strip(v: &Json) -> Json {
        match v {
            Json::Obj(p) if p.len() == 1 && p[0].0 == "ref" => Json::Null,
            Json::Obj(p) if p.len() == 1 && p[0].0 == "node" => strip(&p[0].1.arr()[1]),
            Json::Obj(p) => Json::Obj(p.iter().map(|(k, v)| (k.clone(), strip(v))).collect()),
            Json::Arr(a) => Json::Arr(a.iter().map(strip).collect()),
            other => other.clone(),
        }
    }
    strip(&Json::parse(text.as_bytes())).compact()
}

/// Notation with every FormData emptied.
fn strip_forms(text: &str) -> String {
    fn strip(v: &Json) -> Json {
        match v {
            Json::Obj(p) if p.len() == 1 && p[0].0 == "formData" => {
                Json::Obj(vec![(p[0].0.clone(), Json::Arr(Vec::new()))])
            }
            Json::Obj(p) => Json::Obj(p.iter().map(|(k, v)| (k.clone(), strip(v))).collect()),
            Json::Arr(a) => Json::Arr(a.iter().map(strip).collect()),
            other => other.clone(),
        }
    }
    strip(&Json::parse(text.as_bytes())).compact()
}

/// Whether a body has a stream row that is a reference (`"$1"`, `"$0:a"`).
fn has_ref_row(body: &str) -> bool {
    Json::parse(body.as_bytes()).get("formData").is_some_and(|e| {
        e.arr().iter().any(|x| {
            let (name, value) = (x.arr()[0].text(), &x.arr()[1]);
            let row = match value {
                Json::Str(s) => s.to_string_lossy().into_owned(),
                _ => return false,
            };
            name.starts_with('S') && row.starts_with("\"$") && row[2..].starts_with(|c: char| c.is_ascii_hexdigit())
        })
    })
}

/// Found by `decode_reply` (fuzz/corpus/decode_reply/regression-lone-surrogate-key-path):
/// an object shared under a key holding lone surrogates is referenced by a path
/// that spells the key; ours wrote it with U+FFFD in their place, a path that
/// finds nothing. Now the bytes are React's and both sides decode them.
#[test]
fn paths_through_keys_with_lone_surrogates_are_reacts() {
    let Some(mut oracle) = Oracle::start("reply-server.mjs") else { return };
    for key in [r"k\udda0\uda9b", r"\ud83d", r"a\udc00:b"] {
        let value =
            format!(r#"{{"object":[["{key}",{{"node":["n1",{{"object":[["x",1]]}}]}}],["y",{{"ref":"n1"}}]]}}"#);
        let graph = notation::from_str(&value).unwrap();
        let react = oracle.ask(&format!(r#"{{"op":"encode","value":{value},"temporaryReferences":false}}"#));
        let ours = body_json(&reply::encode(&graph, &EncodeOptions::default()).unwrap());
        assert_eq!(ours, react.get("body").unwrap().compact(), "{value}");
        let text = Json::parse(ours.as_bytes()).get("string").unwrap().str().as_wtf8().to_vec();
        let decoded = notation::to_string(&reply::decode_text(Bytes::from(text), &DecodeOptions::default()).unwrap());
        let react_decode = oracle.ask(&format!(r#"{{"op":"decode","body":{ours},"temporaryReferences":false}}"#));
        assert_eq!(decoded, react_decode.get("value").unwrap().compact(), "{value}");
        assert!(decoded.contains(r#"["y",{"ref":"n1"}]"#) || key.contains(':'), "{decoded}");
    }
}

/// Found by `roundtrip_reply` (fuzz/corpus/roundtrip_reply/regression-shared-under-proto-key):
/// an object shared under an own `__proto__` key is written as `$0:__proto__` by React and
/// by us, and React's decodeReply refuses that body as we do (spec/reply.md). Under any
/// other key the same value round-trips on both sides.
#[test]
fn paths_through_own_proto_keys_are_refused_on_both_sides() {
    let Some(mut oracle) = Oracle::start("reply-server.mjs") else { return };
    for (value, refused) in [
        (r#"{"object":[["__proto__",{"node":["n1",{"object":[["x",1]]}]}],["y",{"ref":"n1"}]]}"#, true),
        (
            r#"{"object":[["a",{"object":[["__proto__",{"node":["n1",{"object":[["x",1]]}]}]]}],["y",{"ref":"n1"}]]}"#,
            true,
        ),
        (r#"{"object":[["y",{"node":["n1",{"object":[["x",1]]}]}],["__proto__",{"ref":"n1"}]]}"#, false),
    ] {
        let graph = notation::from_str(value).unwrap();
        let react = oracle.ask(&format!(r#"{{"op":"encode","value":{value},"temporaryReferences":false}}"#));
        let ours = body_json(&reply::encode(&graph, &EncodeOptions::default()).unwrap());
        assert_eq!(ours, react.get("body").unwrap().compact(), "{value}");
        let text = Json::parse(ours.as_bytes()).get("string").unwrap().str().as_wtf8().to_vec();
        let decoded = reply::decode_text(Bytes::from(text), &DecodeOptions::default());
        let react_decode = oracle.ask(&format!(r#"{{"op":"decode","body":{ours},"temporaryReferences":false}}"#));
        if refused {
            assert_eq!(decoded.unwrap_err().kind().name(), "invalid-reference", "{value}");
            assert_eq!(react_decode.get("error").unwrap().text(), "Invalid reference.", "{value}");
        } else {
            let decoded = notation::to_string(&decoded.unwrap());
            assert_eq!(decoded, react_decode.get("value").unwrap().compact(), "{value}");
        }
    }
}
