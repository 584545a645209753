//! Differential safety: React 19.3.1's `decodeReply` and ours on the same
//! mutated bodies (2,000 per run by default, `FLIGHT_SAFETY_CASES`), made
//! from React's own bodies in `spec/vectors/reply/` by seeded edits of
//! their text and of their FormData entries. Every body React accepts must
//! decode to an equal value in ours, or be rejected by one of the strictness
//! rules `spec/reply.md` lists (the table below names each rule by a phrase
//! of that list, and the test checks the phrase is there). Bodies React
//! rejects may be rejected or decoded by us (counted). Under `CI=true` a
//! missing Node or oracle is a failure.

mod common;

use bytes::Bytes;
use common::oracle::Oracle;
use common::{entries_from_json, load_vectors, Json, Rng};
use flight_codec::json::write_str;
use flight_codec::reply::{self, DecodeOptions};
use flight_codec::{notation, value::JsString};

/// Our error kinds that may reject a body React accepts, and the rule of
/// `spec/reply.md` that says why.
const STRICTNESS: &[(&str, &str)] = &[
    ("duplicate-part", "Duplicate part names"),
    ("invalid-id", "Lenient ids and tags"),
    ("unknown-tag", "Lenient ids and tags"),
    ("invalid-bigint", "must be decimal"),
    ("invalid-date", "must be exactly what `toISOString` writes"),
    ("cyclic-promise", "Cyclic promises"),
    ("circular-reference", "self-referencing references"),
    ("missing-part", "Missing parts"),
    ("invalid-stream", "every stream must be closed"),
    ("invalid-server-reference", "Server references"),
    ("limit", "logical-size budget"),
    ("invalid-utf8", "Invalid UTF-8"),
    ("temporary-reference-without-path", "Temporary references under a key holding `:`"),
    ("json", "Malformed parts"),
    ("already-initialized", "Reused initializers"),
    ("invalid-initializer", "Map entries"),
    ("invalid-reference", "References that lead nowhere"),
];

/// React's value with server references copied where they are shared: its
/// manifest resolves two parts with the same id to one function, while our
/// decoder returns ids for the host to resolve ("Server references").
fn inline_server_refs(v: &Json) -> Json {
    fn collect(v: &Json, out: &mut Vec<(String, Json)>) {
        match v {
            Json::Obj(p) if p.len() == 1 && p[0].0 == "node" => {
                let pair = p[0].1.arr();
                if pair[1].get("serverReference").is_some() {
                    out.push((pair[0].text(), pair[1].clone()));
                }
                collect(&pair[1], out);
            }
            Json::Obj(p) => p.iter().for_each(|(_, x)| collect(x, out)),
            Json::Arr(a) => a.iter().for_each(|x| collect(x, out)),
            _ => {}
        }
    }
    fn rebuild(v: &Json, refs: &[(String, Json)]) -> Json {
        match v {
            Json::Obj(p) if p.len() == 1 && (p[0].0 == "node" || p[0].0 == "ref") => {
                let name = if p[0].0 == "node" { p[0].1.arr()[0].text() } else { p[0].1.text() };
                match refs.iter().find(|(n, _)| *n == name) {
                    Some((_, x)) => rebuild(x, refs),
                    None => Json::Obj(p.iter().map(|(k, x)| (k.clone(), rebuild(x, refs))).collect()),
                }
            }
            Json::Obj(p) => Json::Obj(p.iter().map(|(k, x)| (k.clone(), rebuild(x, refs))).collect()),
            Json::Arr(a) => Json::Arr(a.iter().map(|x| rebuild(x, refs)).collect()),
            other => other.clone(),
        }
    }
    let mut refs = Vec::new();
    collect(v, &mut refs);
    rebuild(v, &refs)
}

/// Whether the body names a FormData part `$K<id>` with an id of 10 or more:
/// React reads its entries' names in hex, we in decimal, as its encoder
/// writes them ("FormData part ids ≥ 10").
fn formdata_id_ge_10(body: &str) -> bool {
    body.match_indices("$K").any(|(at, _)| {
        let id: String = body[at + 2..].chars().take_while(|c| c.is_ascii_hexdigit()).collect();
        u32::from_str_radix(&id, 16).is_ok_and(|n| n >= 10)
    })
}

/// React's value and ours agree up to the listed differences that keep a
/// value: React fills a reference to a Map, Set or typed array (and a root
/// Map or Set that contains itself) with `null` where we keep the node
/// ("Shared typed arrays, Maps and Sets"); React drops FormData entries that
/// are out of order or interleaved ("FormData entries are grouped by exact
/// id"), so its entries are a subsequence of ours.
fn equivalent(react: &Json, ours: &Json) -> Option<&'static str> {
    fn unwrap(v: &Json) -> &Json {
        match v {
            Json::Obj(p) if p.len() == 1 && p[0].0 == "node" => &p[0].1.arr()[1],
            _ => v,
        }
    }
    fn go(r: &Json, o: &Json, why: &mut Option<&'static str>) -> bool {
        let o = unwrap(o);
        match (r, o) {
            (Json::Null, Json::Obj(p)) if p.len() == 1 && (p[0].0 == "ref" || p[0].0 == "map" || p[0].0 == "set") => {
                *why = Some("Shared typed arrays, Maps and Sets");
                true
            }
            (Json::Obj(a), Json::Obj(b))
                if a.len() == 1 && b.len() == 1 && a[0].0 == "formData" && b[0].0 == "formData" =>
            {
                let (x, y) = (a[0].1.arr(), b[0].1.arr());
                let mut it = y.iter();
                let sub = x.iter().all(|e| it.any(|f| go(e, f, why)));
                if sub && x.len() < y.len() {
                    *why = Some("FormData entries");
                }
                sub
            }
            (Json::Obj(a), Json::Obj(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|((k, x), (l, y))| k == l && go(x, y, why))
            }
            (Json::Arr(a), Json::Arr(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| go(x, y, why)),
            (a, b) => a.compact() == b.compact(),
        }
    }
    let mut why = None;
    go(react, ours, &mut why).then_some(why).flatten()
}

fn js_str(s: &str) -> String {
    let mut out = Vec::new();
    write_str(&mut out, &JsString::from(s));
    String::from_utf8(out).unwrap()
}

/// A mutated body, in the oracle's JSON shape.
fn mutate(body: &Json, rng: &mut Rng) -> String {
    if let Some(s) = body.get("string") {
        let mut text = s.str().to_string_lossy().into_owned();
        for _ in 0..1 + rng.below(3) {
            text = common::gen::mutate_text(&text, rng);
        }
        return format!(r#"{{"string":{}}}"#, js_str(&text));
    }
    let mut entries: Vec<(String, Json)> = body
        .get("formData")
        .unwrap()
        .arr()
        .iter()
        .map(|e| (e.arr()[0].str().to_string_lossy().into_owned(), e.arr()[1].clone()))
        .collect();
    for _ in 0..1 + rng.below(2) {
        if entries.is_empty() {
            entries.push(("0".into(), Json::Str("1".into())));
        }
        let i = rng.below(entries.len() as u64) as usize;
        match rng.below(6) {
            // Rename a part.
            0 => entries[i].0 = ["0", "1", "2", "_1_", "a", "10", "S1", "$ACTION_ID_x"][rng.below(8) as usize].into(),
            // Duplicate one.
            1 => entries.insert(i, entries[i].clone()),
            // Drop one.
            2 if entries.len() > 1 => {
                entries.remove(i);
            }
            // Swap two.
            3 => {
                let j = rng.below(entries.len() as u64) as usize;
                entries.swap(i, j);
            }
            // Edit a text part.
            _ => {
                if let Json::Str(t) = &entries[i].1 {
                    let t = common::gen::mutate_text(&t.to_string_lossy(), rng);
                    entries[i].1 = Json::Str(t.as_str().into());
                }
            }
        }
    }
    let list: Vec<String> = entries.iter().map(|(k, v)| format!("[{},{}]", js_str(k), v.compact())).collect();
    format!(r#"{{"formData":[{}]}}"#, list.join(","))
}

/// Whether the body has stream rows (FormData entries named `S<id>`) and a stream.
fn has_stream_rows(body: &str) -> bool {
    let b = Json::parse(body.as_bytes());
    b.get("formData").is_some_and(|e| {
        e.arr().iter().any(|x| {
            let n = x.arr()[0].text();
            n.len() > 1 && n.starts_with('S') && n[1..].bytes().all(|c| c.is_ascii_hexdigit())
        })
    })
}

fn ours(body: &str, temp: bool) -> Result<String, String> {
    let mut opts = DecodeOptions::default();
    opts.temporary_references = temp;
    let b = Json::parse(body.as_bytes());
    match b.get("string") {
        Some(s) => reply::decode_text(Bytes::from(s.str().as_wtf8().to_vec()), &opts),
        None => reply::decode_form(entries_from_json(b.get("formData").unwrap()), &opts),
    }
    .map(|g| notation::to_string(&g))
    .map_err(|e| e.kind().name().to_string())
}

#[test]
fn react_accepted_bodies_decode_equally_or_by_a_listed_rule() {
    let Some(mut oracle) = Oracle::start("reply-server.mjs") else { return };
    let cases: usize = common::env_or("FLIGHT_SAFETY_CASES", 2000);
    let seed: u64 = common::env_or("FLIGHT_SAFETY_SEED", 0x2545_f491_4f6c_dd1d);
    let spec = std::fs::read_to_string(common::vector_dir("").join("../reply.md")).expect("spec/reply.md");
    let listed = ["Shared typed arrays, Maps and Sets", "FormData entries", "Stream rows", "FormData part ids ≥ 10"];
    for phrase in STRICTNESS.iter().map(|(_, p)| *p).chain(listed) {
        assert!(spec.contains(phrase), "spec/reply.md does not list `{phrase}`");
    }
    let sources: Vec<(Json, bool)> = load_vectors("reply")
        .into_iter()
        .filter_map(|(_, v)| {
            let temp =
                v.get("options").and_then(|o| o.get("temporaryReferences")).is_some_and(|t| t.compact() == "true");
            v.get("body").map(|b| (b.clone(), temp))
        })
        .filter(|(b, _)| b.compact().len() <= 4096)
        .collect();
    assert!(sources.len() >= 300, "{}", sources.len());
    let mut rng = Rng(seed);
    let (mut equal, mut both_reject, mut stricter, mut looser, mut react_hangs) = (0, 0, 0, 0, 0);
    let mut by_rule: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut failures = Vec::new();
    for case in 0..cases {
        let (src, temp) = &sources[rng.below(sources.len() as u64) as usize];
        let body = mutate(src, &mut rng);
        let react = oracle.ask(&format!(r#"{{"op":"decode","body":{body},"temporaryReferences":{temp}}}"#));
        let ours = ours(&body, *temp);
        match (react.get("value"), &ours) {
            (Some(v), Ok(o)) if v.compact() == *o => equal += 1,
            (None, Err(_)) => both_reject += 1,
            (None, Ok(_)) => looser += 1,
            // React never settles (its promise is pending after the oracle's timeout).
            (Some(v), _)
                if v.compact().contains(r#"{"promise":"pending"}"#) || v.compact().contains("{\"unclosed\":") =>
            {
                react_hangs += 1
            }
            (Some(v), Ok(o))
                if v.compact().contains("formData") && o.contains("formData") && formdata_id_ge_10(&body) =>
            {
                stricter += 1;
                *by_rule.entry("FormData part ids ≥ 10").or_default() += 1;
            }
            (Some(v), Ok(o)) if v.compact().contains("serverReference") && inline_server_refs(v).compact() == *o => {
                stricter += 1;
                *by_rule.entry("Server references").or_default() += 1;
            }
            (Some(v), Ok(o)) if equivalent(v, &Json::parse(o.as_bytes())).is_some() => {
                let rule = equivalent(v, &Json::parse(o.as_bytes())).unwrap_or_default();
                *by_rule.entry(rule).or_default() += 1;
                stricter += 1;
            }
            // An error in a stream row fails our decode; React errors (or skips within)
            // that one stream ("Stream rows are parsed like parts").
            (Some(_), Err(_)) if has_stream_rows(&body) => {
                stricter += 1;
                *by_rule.entry("Stream rows").or_default() += 1;
            }
            (Some(v), Err(kind)) => match STRICTNESS.iter().find(|(k, _)| k == kind) {
                Some((_, rule)) => {
                    stricter += 1;
                    *by_rule.entry(rule).or_default() += 1;
                }
                None => failures.push(format!(
                    "case {case}: React accepts, we reject ({kind}):\n  body  {body}\n  React {}",
                    v.compact()
                )),
            },
            (Some(v), Ok(o)) => failures
                .push(format!("case {case}: values differ:\n  body  {body}\n  React {}\n  ours  {o}", v.compact())),
        }
        if failures.len() > 15 {
            break;
        }
    }
    eprintln!(
        "differential safety: {cases} mutated bodies (seed {seed:#x}): {equal} equal, {both_reject} rejected by both, {stricter} differing by a listed rule {by_rule:?}, {looser} decoded by us where React fails, {react_hangs} where React never settles, {} failures",
        failures.len()
    );
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
    assert!(equal >= cases / 10, "too few bodies decode at all ({equal}): the mutations are too destructive");
}
