//! The serde layer against the value model (issue 6: typed decoding and
//! encoding must be at least as fast as going through the value graph).
//!
//! ```text
//! cargo bench --bench typed
//! ```
//!
//! For P1 (one form's arguments) and P2 (1,000 records), the same wire
//! bytes are:
//! - `reply_graph`: decoded into the value graph (`reply::decode_body`);
//! - `reply_typed`: decoded straight into Rust structs (`serde::from_reply`);
//! - `response_graph`: the graph encoded as a response (`response::encode`);
//! - `response_typed`: the Rust structs encoded as a response (`serde::to_response`).
#![allow(missing_docs)] // criterion_group! generates an undocumented public function

mod payloads;

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use flight_codec::reply::{self, EncodeOptions};
use flight_codec::response;
use flight_codec::serde::{from_graph, from_reply, to_response, JsDate};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Form {
    name: String,
    email: String,
    age: u8,
    tags: Vec<String>,
    subscribed: bool,
    created_at: JsDate,
}

#[derive(Serialize, Deserialize)]
struct Meta {
    a: i32,
    b: bool,
    c: Option<u8>,
}

#[derive(Serialize, Deserialize)]
struct Record {
    id: u32,
    name: String,
    price: f64,
    tags: Vec<String>,
    created: JsDate,
    meta: Meta,
}

fn bench_one<T: Serialize + serde::de::DeserializeOwned>(
    c: &mut Criterion,
    name: &str,
    graph: flight_codec::value::Graph,
) {
    let body = reply::encode(&graph, &EncodeOptions::default()).expect("reply encodes");
    let content_type = body.content_type();
    let wire = Bytes::from(body.to_bytes());
    let typed: T = from_graph(&graph).expect("payload fits the type");
    assert_eq!(
        to_response(&typed, &Default::default()).unwrap(),
        response::encode(&graph, &Default::default()).unwrap()
    );
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(wire.len() as u64));
    group.bench_function(BenchmarkId::from_parameter("reply_graph"), |b| {
        b.iter(|| reply::decode_body(&content_type, wire.clone(), &Default::default()).unwrap())
    });
    group.bench_function(BenchmarkId::from_parameter("reply_typed"), |b| {
        b.iter(|| from_reply::<T>(&content_type, wire.clone(), &Default::default()).unwrap())
    });
    group.bench_function(BenchmarkId::from_parameter("reply_ignored"), |b| {
        b.iter(|| from_reply::<serde::de::IgnoredAny>(&content_type, wire.clone(), &Default::default()).unwrap())
    });
    group.bench_function(BenchmarkId::from_parameter("reply_value"), |b| {
        b.iter(|| from_reply::<serde_json::Value>(&content_type, wire.clone(), &Default::default()).unwrap())
    });
    group.bench_function(BenchmarkId::from_parameter("response_graph"), |b| {
        b.iter(|| response::encode(&graph, &Default::default()).unwrap())
    });
    group.bench_function(BenchmarkId::from_parameter("response_typed"), |b| {
        b.iter(|| to_response(&typed, &Default::default()).unwrap())
    });
    group.finish();
}

fn bench(c: &mut Criterion) {
    bench_one::<(Form,)>(c, "P1", payloads::p1());
    bench_one::<Vec<Record>>(c, "P2", payloads::records(1000));
}

criterion_group!(benches, bench);
criterion_main!(benches);
