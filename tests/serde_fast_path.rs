//! The typed fast path (a string body read straight into a Rust type) must
//! accept exactly what the graph path accepts, with the same value: it
//! gives up on anything else, and the graph path decides. Checked on
//! generated reply bodies, every string-body vector, and mutations of both,
//! for a dynamic target (`serde_json::Value`) and typed ones.

mod common;

#[path = "../fuzz/checks.rs"]
mod checks;

use common::gen::{mutate_text, Gen};
use common::{load_vectors, Rng};
use flight_codec::notation;
use flight_codec::reply::{self, Body};
use flight_codec::serde::{BigInt, JsDate};

/// Every body through the `decode_typed` fuzz property (`fuzz/checks.rs`):
/// five target types, fast path and graph path equal, success or failure.
#[test]
fn the_fast_path_agrees_with_the_graph_path() {
    let cases: usize = common::env_or("FLIGHT_FAST_PATH_CASES", 3000);
    let mut rng = Rng(common::env_or("FLIGHT_FAST_PATH_SEED", 0x5eed_f00d));
    let mut bodies: Vec<String> = load_vectors("reply")
        .into_iter()
        .filter_map(|(_, v)| {
            v.get("body").and_then(|b| b.get("string")).map(|s| s.str().to_string_lossy().into_owned())
        })
        .collect();
    let mut g = Gen::new(Rng(rng.next()));
    for _ in 0..cases {
        g.reset(false);
        let Ok(graph) = notation::from_str(&g.value(3)) else { continue };
        if let Ok(Body::Text(t)) = reply::encode(&graph, &Default::default()) {
            bodies.push(t);
        }
    }
    // Bodies typed values write: records, enums, tagged scalars.
    bodies.extend(
        [
            r#"[{"id":1,"name":"$$x","price":1.5,"tags":["a"],"when":"$D2024-01-01T00:00:00.000Z","big":"$n-5","map":{"a":1,"b":true,"c":null},"shape":{"Pair":[1,"x"]}}]"#,
            r#"[{"id":1,"id":2,"shape":"Unit"},{"shape":{"Named":{"a":"$undefined"}}},{"shape":{"New":"$-0"}}]"#,
            r#"[{"map":{"1":1,"a":2,"a":3}},{"name":"$undefined","price":"$NaN"},{"when":"$Dnull"}]"#,
            r#"[{"shape":{"New":1,"Unit":null}},{"big":"$n"},{"tags":["$D2024"]}]"#,
        ]
        .map(String::from),
    );
    let base = bodies.len();
    for body in &bodies {
        checks::decode_typed(body.as_bytes());
        let mut text = body.clone();
        for _ in 0..3 {
            text = mutate_text(&text, &mut rng);
            checks::decode_typed(text.as_bytes());
        }
    }
    assert!(base > 1000, "{base} bodies");
}

/// A random Rust value, serialized through every serde shape the writer handles.
#[derive(Debug, Clone)]
enum Dyn {
    None,
    Unit,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Date(JsDate),
    Big(BigInt),
    Seq(Vec<Dyn>),
    /// Written with `serialize_map`: keys may repeat or be array indices.
    Map(Vec<(String, Dyn)>),
    Variant(Box<Dyn>),
    Set(Vec<Dyn>),
}

impl serde::Serialize for Dyn {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            Dyn::None => s.serialize_none(),
            Dyn::Unit => s.serialize_unit(),
            Dyn::Bool(b) => s.serialize_bool(*b),
            Dyn::Int(n) => s.serialize_i64(*n),
            Dyn::Float(f) => s.serialize_f64(*f),
            Dyn::Str(t) => s.serialize_str(t),
            Dyn::Date(d) => d.serialize(s),
            Dyn::Big(b) => b.serialize(s),
            Dyn::Seq(items) => items.serialize(s),
            Dyn::Map(pairs) => {
                let mut m = s.serialize_map(Some(pairs.len()))?;
                for (k, v) in pairs {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
            Dyn::Variant(inner) => s.serialize_newtype_variant("Dyn", 0, "Wrapped", inner),
            Dyn::Set(items) => flight_codec::serde::JsSet(items.clone()).serialize(s),
        }
    }
}

fn random_dyn(rng: &mut Rng, depth: u32) -> Dyn {
    let strings = ["", "a", "$x", "$$", "é漢😀", "\"\\\n", "0", "12", "__proto__", "key"];
    match rng.below(if depth == 0 { 8 } else { 12 }) {
        0 => Dyn::None,
        1 => Dyn::Unit,
        2 => Dyn::Bool(rng.below(2) == 1),
        3 => Dyn::Int([0, -1, 1 << 53, (1 << 53) - 1, 42][rng.below(5) as usize]),
        4 => Dyn::Float([0.5, -0.0, f64::NAN, f64::INFINITY, 1e21, 1e-7][rng.below(6) as usize]),
        5 => match rng.below(3) {
            0 => Dyn::Str("x".repeat([10, 1023, 1024, 2000][rng.below(4) as usize])),
            _ => Dyn::Str(strings[rng.below(strings.len() as u64) as usize].to_string()),
        },
        6 => {
            Dyn::Date([JsDate::from_millis(0.0), JsDate::invalid(), JsDate::from_millis(-1e14)][rng.below(3) as usize])
        }
        7 => Dyn::Big(BigInt::from(rng.next() as i64)),
        8 | 9 => Dyn::Seq((0..rng.below(4)).map(|_| random_dyn(rng, depth - 1)).collect()),
        10 => Dyn::Map(
            (0..rng.below(4))
                .map(|_| (strings[rng.below(strings.len() as u64) as usize].to_string(), random_dyn(rng, depth - 1)))
                .collect(),
        ),
        _ => match rng.below(2) {
            0 => Dyn::Variant(Box::new(random_dyn(rng, depth - 1))),
            _ => Dyn::Set((0..rng.below(3)).map(|_| random_dyn(rng, depth - 1)).collect()),
        },
    }
}

/// The typed writer gives React's bytes: what the graph path (checked against
/// React elsewhere) writes for the same value, or the same error.
#[test]
fn the_fast_writer_agrees_with_the_graph_path() {
    common::with_stack(fast_writer_agrees);
}

fn fast_writer_agrees() {
    use flight_codec::serde::{to_graph, to_reply, to_response};
    let cases: usize = common::env_or("FLIGHT_FAST_PATH_CASES", 3000);
    let mut rng = Rng(common::env_or("FLIGHT_FAST_PATH_SEED", 0x5eed_f00d) ^ 0xabc);
    let mut failures = Vec::new();
    for _ in 0..cases {
        let v = random_dyn(&mut rng, 4);
        let graph = to_graph(&v);
        let want_reply = graph
            .as_ref()
            .map_err(|e| e.to_string())
            .and_then(|g| reply::encode(g, &Default::default()).map(|b| format!("{b:?}")).map_err(|e| e.to_string()));
        let got_reply = to_reply(&v, &Default::default()).map(|b| format!("{b:?}")).map_err(|e| e.to_string());
        if want_reply != got_reply {
            failures.push(format!("reply of {v:?}: graph {want_reply:?}, fast {got_reply:?}"));
        }
        let want = graph
            .as_ref()
            .map_err(|e| e.to_string())
            .and_then(|g| flight_codec::response::encode(g, &Default::default()).map_err(|e| e.to_string()));
        let got = to_response(&v, &Default::default()).map_err(|e| e.to_string());
        if want != got {
            failures.push(format!("response of {v:?}: graph {want:?}, fast {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreements, first: {}",
        failures.len(),
        failures[..failures.len().min(3)].join("\n")
    );
}
