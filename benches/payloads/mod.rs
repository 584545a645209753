//! The benchmark payloads P1–P9 of issue 5, as value graphs.
//!
//! The same definitions are written in JavaScript in
//! `tests/oracle/bench/payloads.mjs`; both must stay identical (the list is in
//! `benches/README.md`). `bash benches/compare.sh` checks that React's
//! `encodeReply` / `renderToReadableStream` bytes for the JavaScript values
//! equal our bytes for these graphs.
//!
//! Randomness: xorshift32 (13, 17, 5) on a `u32` state, one generator per
//! payload, seeded with the payload's seed below; `below(n)` is `next() % n`.
#![allow(dead_code)] // each bench binary uses a different part

use bytes::Bytes;
use flight_codec::value::{BigInt, Date, Graph, Node, PromiseState, TypedArrayKind, Value};

/// xorshift32, as `Rng` in payloads.mjs.
pub struct Rng(u32);

impl Rng {
    pub fn new(seed: u32) -> Self {
        assert_ne!(seed, 0, "xorshift32 needs a non-zero seed");
        Rng(seed)
    }

    pub fn next(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }

    pub fn below(&mut self, n: u32) -> u32 {
        self.next() % n
    }
}

pub const SEED_RECORDS: u32 = 0x9e37_79b9;
pub const SEED_P4: u32 = 0x0bad_f00d;
pub const SEED_P5: u32 = 0x5eed_0005;
pub const SEED_P6: u32 = 0x5eed_0006;
pub const SEED_P7: u32 = 0x5eed_0007;
pub const SEED_P9: u32 = 0x5eed_0009;

const ALPHA: &[u8; 26] = b"abcdefghijklmnopqrstuvwxyz";
const TAGS: [&str; 8] = ["red", "green", "blue", "new", "sale", "eco", "xl", "s"];
const EPOCH: f64 = 1_600_000_000_000.0;

fn word(rng: &mut Rng, n: usize) -> String {
    (0..n).map(|_| ALPHA[rng.below(26) as usize] as char).collect()
}

/// `EPOCH + next() * 16` ms.
fn date(rng: &mut Rng) -> Value {
    Value::Date(Date::from_millis(EPOCH + rng.next() as f64 * 16.0))
}

fn object(g: &mut Graph, pairs: Vec<(&str, Value)>) -> Value {
    g.add_value(Node::Object(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect()))
}

fn rooted(mut g: Graph, root: Value) -> Graph {
    g.set_root(root);
    g
}

/// P1: one form action's arguments, about 150 B. No randomness.
pub fn p1() -> Graph {
    let mut g = Graph::new();
    let tags = g.add_value(Node::Array(vec!["math".into(), "poetry".into()]));
    let o = object(
        &mut g,
        vec![
            ("name", "Ada Lovelace".into()),
            ("email", "ada@example.com".into()),
            ("age", 36.0.into()),
            ("tags", tags),
            ("subscribed", true.into()),
            ("createdAt", Value::Date(Date::from_millis(1_700_000_000_000.0))),
        ],
    );
    let root = g.add_value(Node::Array(vec![o]));
    rooted(g, root)
}

/// P2 / P3: `n` records `{id, name, price, tags, created, meta}`. Per record,
/// in this order: name = 20 × `ALPHA[below(26)]`; price = `below(1_000_000) / 100`;
/// tags = 3 × `TAGS[below(8)]`; created = `date()`; meta.a = `below(1000) - 500`;
/// meta.b = `below(2) == 1`; meta.c = null. id = the index.
pub fn records(n: usize) -> Graph {
    let mut rng = Rng::new(SEED_RECORDS);
    let mut g = Graph::new();
    let mut items = Vec::with_capacity(n);
    for i in 0..n {
        let name = word(&mut rng, 20);
        let price = rng.below(1_000_000) as f64 / 100.0;
        let tags: Vec<Value> = (0..3).map(|_| TAGS[rng.below(8) as usize].into()).collect();
        let created = date(&mut rng);
        let a = rng.below(1000) as f64 - 500.0;
        let b = rng.below(2) == 1;
        let tags = g.add_value(Node::Array(tags));
        let meta = object(&mut g, vec![("a", a.into()), ("b", b.into()), ("c", Value::Null)]);
        items.push(object(
            &mut g,
            vec![
                ("id", (i as f64).into()),
                ("name", name.as_str().into()),
                ("price", price.into()),
                ("tags", tags),
                ("created", created),
                ("meta", meta),
            ],
        ));
    }
    let root = g.add_value(Node::Array(items));
    rooted(g, root)
}

/// P4: `{file: Uint8Array of 16 MiB, samples: Float64Array of 1,000,000}`.
/// file: each 4 bytes are `next()` little-endian; then
/// `samples[i] = (next() - 2^31) / 65536`.
pub fn p4() -> Graph {
    let mut rng = Rng::new(SEED_P4);
    let mut file = Vec::with_capacity(16 << 20);
    for _ in 0..(16 << 20) / 4 {
        file.extend_from_slice(&rng.next().to_le_bytes());
    }
    let mut samples = Vec::with_capacity(8_000_000);
    for _ in 0..1_000_000 {
        let x = (rng.next() as f64 - 2_147_483_648.0) / 65536.0;
        samples.extend_from_slice(&x.to_le_bytes());
    }
    let mut g = Graph::new();
    let file = g.add_value(Node::TypedArray { kind: TypedArrayKind::Uint8Array, bytes: Box::new(Bytes::from(file)) });
    let samples =
        g.add_value(Node::TypedArray { kind: TypedArrayKind::Float64Array, bytes: Box::new(Bytes::from(samples)) });
    let root = object(&mut g, vec![("file", file), ("samples", samples)]);
    rooted(g, root)
}

/// P5: a Map of 10,000 entries, key `"item-<i>-"` + 6 × `ALPHA[below(26)]`,
/// value a Set of 5 numbers: for k in 0..5, `(below(1_000_000) * 5 + k) / 8`.
pub fn p5() -> Graph {
    let mut rng = Rng::new(SEED_P5);
    let mut g = Graph::new();
    let mut entries = Vec::with_capacity(10_000);
    for i in 0..10_000 {
        let key = format!("item-{i}-{}", word(&mut rng, 6));
        let items: Vec<Value> = (0..5).map(|k| ((rng.below(1_000_000) as f64 * 5.0 + k as f64) / 8.0).into()).collect();
        let set = g.add_value(Node::Set(items));
        entries.push((key.as_str().into(), set));
    }
    let root = g.add_value(Node::Map(entries));
    rooted(g, root)
}

/// P6: 10,000 strings of about 1 KB (UTF-8). Per string: `"$"` first when
/// `below(4) == 0`; then, while the UTF-8 length is under 1000, one character
/// per `r = below(100)`: r < 60 `ALPHA[r % 26]`; < 70 space; < 78 `é`;
/// < 86 `漢`; < 94 `😀`; < 97 `"`; < 99 `\`; else a newline.
pub fn p6() -> Graph {
    let mut rng = Rng::new(SEED_P6);
    let mut g = Graph::new();
    let mut items = Vec::with_capacity(10_000);
    for _ in 0..10_000 {
        let mut s = String::with_capacity(1004);
        if rng.below(4) == 0 {
            s.push('$');
        }
        while s.len() < 1000 {
            let r = rng.below(100);
            s.push(match r {
                0..=59 => ALPHA[(r % 26) as usize] as char,
                60..=69 => ' ',
                70..=77 => 'é',
                78..=85 => '漢',
                86..=93 => '😀',
                94..=96 => '"',
                97..=98 => '\\',
                _ => '\n',
            });
        }
        items.push(Value::from(s.as_str()));
    }
    let root = g.add_value(Node::Array(items));
    rooted(g, root)
}

/// P7: an object with 1,000 keys `"k0"`..`"k999"`, each a fulfilled promise of
/// `{id: i, name: 8 × ALPHA[below(26)], ok: below(2) == 1}`.
pub fn p7() -> Graph {
    let mut rng = Rng::new(SEED_P7);
    let mut g = Graph::new();
    let mut pairs = Vec::with_capacity(1000);
    for i in 0..1000 {
        let name = word(&mut rng, 8);
        let ok = rng.below(2) == 1;
        let rec = object(&mut g, vec![("id", (i as f64).into()), ("name", name.as_str().into()), ("ok", ok.into())]);
        let p = g.add_value(Node::Promise(PromiseState::Fulfilled(rec)));
        pairs.push((format!("k{i}").into(), p));
    }
    let root = g.add_value(Node::Object(pairs));
    rooted(g, root)
}

/// P8: 500 levels of alternating objects and arrays. Level d (0..499) is
/// `{depth: d, next: <level d+1>}` for even d and `[d, <level d+1>]` for odd d;
/// level 500 is null.
pub fn p8() -> Graph {
    let mut g = Graph::new();
    let mut v = Value::Null;
    for d in (0..500).rev() {
        v = if d % 2 == 0 {
            object(&mut g, vec![("depth", (d as f64).into()), ("next", v)])
        } else {
            g.add_value(Node::Array(vec![(d as f64).into(), v]))
        };
    }
    rooted(g, v)
}

/// P9: an array of 100,000 values; per value `r = below(6)`: 0 a bigint
/// (`hi = next() >> 11`, `lo = next()`, magnitude `hi * 2^32 + lo`, negative
/// when `below(2) == 1`); 1 `date()`; 2 NaN; 3 -0; 4 `below(2) == 1` ?
/// Infinity : -Infinity; 5 undefined.
pub fn p9() -> Graph {
    let mut rng = Rng::new(SEED_P9);
    let mut g = Graph::new();
    let mut items = Vec::with_capacity(100_000);
    for _ in 0..100_000 {
        items.push(match rng.below(6) {
            0 => {
                let hi = (rng.next() >> 11) as i64;
                let lo = rng.next() as i64;
                let mag = (hi << 32) + lo;
                Value::BigInt(BigInt::from(if rng.below(2) == 1 { -mag } else { mag }))
            }
            1 => date(&mut rng),
            2 => Value::Number(f64::NAN),
            3 => Value::Number(-0.0),
            4 => Value::Number(if rng.below(2) == 1 { f64::INFINITY } else { f64::NEG_INFINITY }),
            _ => Value::Undefined,
        });
    }
    let root = g.add_value(Node::Array(items));
    rooted(g, root)
}

/// A payload: its name, a one-line description and its generator.
pub struct Payload {
    pub name: &'static str,
    pub what: &'static str,
    pub make: fn() -> Graph,
}

/// P1–P9 in order.
pub const ALL: [Payload; 9] = [
    Payload { name: "P1", what: "one form action's arguments (~150 B)", make: p1 },
    Payload { name: "P2", what: "1,000 records (~160 KB)", make: || records(1_000) },
    Payload { name: "P3", what: "50,000 records (~8 MB)", make: || records(50_000) },
    Payload { name: "P4", what: "Uint8Array 16 MiB + Float64Array 1e6", make: p4 },
    Payload { name: "P5", what: "Map of 10,000 string -> Set of 5 numbers", make: p5 },
    Payload { name: "P6", what: "10,000 strings of ~1 KB (é, 漢, emoji, $)", make: p6 },
    Payload { name: "P7", what: "object of 1,000 promises of small records", make: p7 },
    Payload { name: "P8", what: "500 levels of nested objects/arrays", make: p8 },
    Payload { name: "P9", what: "100,000 BigInt/Date/NaN/-0/Infinity/undefined", make: p9 },
];
