//! Criterion benches of issue 5: the payloads P1–P9 (`benches/payloads/`)
//! through all four operations, with `Throughput::Bytes` of the wire bytes.
//!
//! ```text
//! cargo bench --bench codec                      # everything (a few minutes)
//! cargo bench --bench codec -- decode_reply/P3   # one
//! ```
//!
//! The wire bytes are our encoders' output for the payloads, which is
//! byte-exact with React's (`bash benches/compare.sh --check` checks it), so
//! no Node is needed here. Replies are decoded from their wire bytes as a
//! server receives them: a multipart body (P4, P5, P7) through
//! `reply::decode_body` with its content type. `decode_response_4k` feeds
//! P3's response to the push decoder (`response::ResponseDecoder`) in 4 KiB
//! chunks.
#![allow(missing_docs)] // criterion_group! generates an undocumented public function

mod payloads;

use std::time::Duration;

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput};
use flight_codec::reply::{self, DecodeOptions, EncodeOptions};
use flight_codec::response::{self, ResponseDecoder};
use flight_codec::value::Graph;

struct Case {
    name: &'static str,
    graph: Graph,
    reply: Bytes,
    reply_type: String,
    response: Vec<u8>,
}

fn cases() -> Vec<Case> {
    payloads::ALL
        .iter()
        .map(|p| {
            let graph = (p.make)();
            let body = reply::encode(&graph, &EncodeOptions::default()).expect("reply encodes");
            let response = response::encode(&graph, &Default::default()).expect("response encodes");
            Case { name: p.name, reply: Bytes::from(body.to_bytes()), reply_type: body.content_type(), response, graph }
        })
        .collect()
}

/// Large payloads get criterion's smallest sample, flat (each sample the
/// same number of runs), so that the whole suite takes a few minutes.
fn size_group(group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>, bytes: usize) {
    if bytes > 1_000_000 {
        group.sample_size(10).sampling_mode(SamplingMode::Flat).warm_up_time(Duration::from_secs(1));
        group.measurement_time(Duration::from_secs(5));
    } else {
        group.sample_size(20).sampling_mode(SamplingMode::Auto).warm_up_time(Duration::from_secs(1));
        group.measurement_time(Duration::from_secs(3));
    }
}

/// A response arriving in chunks: fed to the push decoder, events drained
/// as they come, then finished.
fn decode_response_chunked(stream: &[u8], chunk: usize, opts: &DecodeOptions) -> Graph {
    let mut d = ResponseDecoder::new(opts.clone());
    for c in stream.chunks(chunk) {
        d.feed(c).expect("decodes");
        while d.next_event().is_some() {}
    }
    d.finish().expect("decodes")
}

fn bench(c: &mut Criterion) {
    let cases = cases();
    let dopts = DecodeOptions::default();
    let ropts = response::EncodeOptions::default();

    let mut group = c.benchmark_group("decode_reply");
    for case in &cases {
        size_group(&mut group, case.reply.len());
        group.throughput(Throughput::Bytes(case.reply.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(case.name), case, |b, case| {
            b.iter(|| reply::decode_body(&case.reply_type, case.reply.clone(), &dopts).expect("decodes"))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("encode_reply");
    for case in &cases {
        size_group(&mut group, case.reply.len());
        group.throughput(Throughput::Bytes(case.reply.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(case.name), case, |b, case| {
            // to the wire bytes: the string, or the multipart body
            b.iter(|| match reply::encode(&case.graph, &EncodeOptions::default()).expect("encodes") {
                reply::Body::Text(s) => s.into_bytes(),
                form => form.to_bytes(),
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("encode_response");
    for case in &cases {
        size_group(&mut group, case.response.len());
        group.throughput(Throughput::Bytes(case.response.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(case.name), case, |b, case| {
            b.iter(|| response::encode(&case.graph, &ropts).expect("encodes"))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("decode_response");
    for case in &cases {
        size_group(&mut group, case.response.len());
        group.throughput(Throughput::Bytes(case.response.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(case.name), case, |b, case| {
            b.iter(|| response::decode(&case.response, &dopts).expect("decodes"))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("decode_response_4k");
    for case in cases.iter().filter(|c| c.name == "P3") {
        size_group(&mut group, case.response.len());
        group.throughput(Throughput::Bytes(case.response.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(case.name), case, |b, case| {
            b.iter(|| decode_response_chunked(&case.response, 4096, &dopts))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
