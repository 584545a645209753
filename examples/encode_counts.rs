//! Runs one encoder on one payload of issue 5 a number of times, for
//! instruction counts under callgrind (stable on a shared machine, unlike
//! wall-clock time). Only the calls inside `timed` are meant to be counted:
//!
//! ```text
//! cargo build --release --example encode_counts
//! valgrind --tool=callgrind --dump-instr=no --toggle-collect='*timed*' \
//!     target/release/examples/encode_counts reply P2 10
//! ```
//!
//! Operations: `reply` (`reply::encode`, plus `Body::to_bytes` for a form
//! body, as `benches/compare.rs` times it), `response` (`response::encode`),
//! and `serde-reply` / `serde-response`: `serde_json::to_vec` of the same
//! JSON texts as `serde_json::Value`s, the baseline of the issue's targets.
//! Prints the output size, so that the work is not optimised away.

#[path = "../benches/payloads/mod.rs"]
mod payloads;

use std::hint::black_box;

use flight_codec::multipart::{self, MultipartLimits};
use flight_codec::reply;
use flight_codec::response::rows::{RowFramer, RowTag};
use flight_codec::response::{self};
use flight_codec::value::Graph;

/// What callgrind's `--toggle-collect='*timed*'` counts.
#[inline(never)]
fn timed<T>(n: usize, mut f: impl FnMut() -> T) -> usize
where
    T: AsRef<[u8]>,
{
    let mut total = 0;
    for _ in 0..n {
        let out = black_box(f());
        total += out.as_ref().len();
    }
    total
}

fn reply_bytes(g: &Graph) -> Vec<u8> {
    match reply::encode(g, &Default::default()).expect("reply encodes") {
        reply::Body::Text(s) => s.into_bytes(),
        form => form.to_bytes(),
    }
}

/// The JSON texts of a reply: the body, or every text part.
fn reply_texts(g: &Graph) -> Vec<Vec<u8>> {
    let body = reply::encode(g, &Default::default()).expect("reply encodes");
    let content_type = body.content_type();
    let bytes = body.to_bytes();
    if body.as_text().is_some() {
        return vec![bytes];
    }
    let boundary = multipart::boundary_from_content_type(&content_type).expect("boundary");
    let limits = MultipartLimits { max_total_bytes: usize::MAX, max_parts: usize::MAX, ..MultipartLimits::default() };
    multipart::parse(&bytes::Bytes::from(bytes), &boundary, &limits)
        .expect("multipart")
        .into_iter()
        .filter(|part| part.filename.is_none())
        .map(|part| part.body.to_vec())
        .collect()
}

/// The JSON rows' payloads of a response.
fn response_texts(g: &Graph) -> Vec<Vec<u8>> {
    let bytes = response::encode(g, &Default::default()).expect("response encodes");
    let mut framer = RowFramer::new(Default::default());
    framer.feed(&bytes).expect("frames");
    framer.finish().expect("frames");
    std::iter::from_fn(|| framer.next_row())
        .filter(|row| row.tag == RowTag::Json)
        .map(|row| row.payload.to_vec())
        .collect()
}

fn values(texts: Vec<Vec<u8>>) -> Vec<serde_json::Value> {
    texts
        .iter()
        .map(|t| {
            let mut de = serde_json::Deserializer::from_slice(t);
            de.disable_recursion_limit();
            serde::Deserialize::deserialize(&mut de).expect("valid JSON")
        })
        .collect()
}

fn serde_all(values: &[serde_json::Value]) -> Vec<u8> {
    let mut len = 0;
    for v in values {
        len += black_box(serde_json::to_vec(v).expect("writes")).len();
    }
    vec![0; len.min(1)]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (op, name) = (args.get(1).map_or("reply", String::as_str), args.get(2).map_or("P2", String::as_str));
    let n: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(10);
    let p = payloads::ALL.iter().find(|p| p.name == name).expect("a payload P1..P9");
    let g = (p.make)();
    let total = match op {
        "reply" => timed(n, || reply_bytes(&g)),
        "response" => timed(n, || response::encode(&g, &Default::default()).expect("encodes")),
        "serde-reply" => {
            let v = values(reply_texts(&g));
            timed(n, || serde_all(&v))
        }
        "serde-response" => {
            let v = values(response_texts(&g));
            timed(n, || serde_all(&v))
        }
        _ => panic!("operations: reply, response, serde-reply, serde-response"),
    };
    println!("{op} {name} x{n}: {total} bytes");
}
