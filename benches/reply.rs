//! First reply benchmarks: decode and encode bodies of about 200 B, 150 KB and 8 MB.
//! (The performance issue adds the full payload set and the React comparison.)
#![allow(missing_docs)] // criterion_group! generates an undocumented public function

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use flight_codec::reply::{self, DecodeOptions, EncodeOptions};
use flight_codec::value::{Date, Graph, Node, Value};

/// `n` records `{id, name, price, tags, created, meta}`, deterministic.
fn records(n: usize) -> Graph {
    let mut g = Graph::new();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut items = Vec::with_capacity(n);
    for i in 0..n {
        let name: String = (0..20).map(|_| (b'a' + (next() % 26) as u8) as char).collect();
        let tags: Vec<Value> =
            (0..3).map(|k| Value::from(["red", "blue", "green", "$x"][(next() as usize + k) % 4])).collect();
        let tags = g.add_value(Node::Array(tags));
        let meta = g.add_value(Node::Object(vec![
            ("a".into(), Value::Number((next() % 1000) as f64)),
            ("b".into(), Value::Bool(next() % 2 == 0)),
            ("c".into(), Value::Null),
        ]));
        items.push(g.add_value(Node::Object(vec![
            ("id".into(), Value::Number(i as f64)),
            ("name".into(), name.as_str().into()),
            ("price".into(), Value::Number((next() % 100_000) as f64 / 100.0)),
            ("tags".into(), tags),
            ("created".into(), Value::Date(Date::from_millis(1.7e12 + (next() % 1_000_000_000) as f64))),
            ("meta".into(), meta),
        ])));
    }
    let root = g.add_value(Node::Array(items));
    g.set_root(root);
    g
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("reply");
    for (label, n) in [("200B", 1usize), ("150KB", 1000), ("8MB", 50_000)] {
        let g = records(n);
        let body = reply::encode(&g, &EncodeOptions::default()).expect("encodes");
        let text = body.as_text().expect("a string body").to_owned();
        let bytes = bytes::Bytes::from(text.clone().into_bytes());
        group.throughput(Throughput::Bytes(text.len() as u64));
        if n > 1000 {
            group.sample_size(10);
        }
        group.bench_with_input(BenchmarkId::new("decode", label), &bytes, |b, body| {
            b.iter(|| reply::decode_text(body.clone(), &DecodeOptions::default()).expect("decodes"))
        });
        group.bench_with_input(BenchmarkId::new("encode", label), &g, |b, g| {
            b.iter(|| reply::encode(g, &EncodeOptions::default()).expect("encodes"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
