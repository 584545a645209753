//! Runs one decoder on one payload of issue 5 a number of times, for
//! instruction counts under callgrind (stable on a shared machine, unlike
//! wall-clock time). It reads React's wire bytes, which
//! `bash benches/compare.sh --check` writes to `target/flight-bench`. Only the
//! calls inside `timed` are meant to be counted:
//!
//! ```text
//! cargo build --release --example decode_counts
//! valgrind --tool=callgrind --dump-instr=no --toggle-collect='*timed*' \
//!     target/release/examples/decode_counts reply P2 10
//! ```
//!
//! Operations: `reply` (`reply::decode_body`, as `benches/compare.rs` times
//! it), `response` (`response::decode_bytes`), and `serde-reply` /
//! `serde-response`: `serde_json::from_slice::<Value>` of the same JSON texts
//! (the reply's text body or text parts, the response's JSON rows), the
//! baseline of the issue's targets. An optional fourth argument names another
//! directory. Prints the node count, so that the work is not optimised away.

use std::hint::black_box;
use std::path::PathBuf;

use bytes::Bytes;
use flight_codec::multipart::{self, MultipartLimits};
use flight_codec::reply::{self, DecodeOptions};
use flight_codec::response::rows::{RowFramer, RowTag};
use flight_codec::response::{self};

/// What callgrind's `--toggle-collect='*timed*'` counts.
#[inline(never)]
fn timed(n: usize, mut f: impl FnMut() -> usize) -> usize {
    let mut total = 0;
    for _ in 0..n {
        total += black_box(f());
    }
    total
}

/// The JSON texts of a reply body: the body, or every text part.
fn reply_texts(content_type: &str, body: &Bytes) -> Vec<Bytes> {
    match multipart::boundary_from_content_type(content_type).ok() {
        Some(boundary) => {
            let limits =
                MultipartLimits { max_total_bytes: usize::MAX, max_parts: usize::MAX, ..MultipartLimits::default() };
            multipart::parse(body, &boundary, &limits)
                .expect("multipart")
                .into_iter()
                .filter(|part| part.filename.is_none())
                .map(|part| part.body)
                .collect()
        }
        None => vec![body.clone()],
    }
}

/// The JSON rows' payloads of a response.
fn response_texts(stream: &Bytes) -> Vec<Bytes> {
    let mut framer = RowFramer::new(Default::default());
    framer.feed(stream).expect("frames");
    framer.finish().expect("frames");
    std::iter::from_fn(|| framer.next_row()).filter(|row| row.tag == RowTag::Json).map(|row| row.payload).collect()
}

fn serde_all(texts: &[Bytes]) -> usize {
    texts
        .iter()
        .map(|t| {
            let mut de = serde_json::Deserializer::from_slice(t);
            de.disable_recursion_limit();
            let v: serde_json::Value = serde::Deserialize::deserialize(&mut de).expect("valid JSON");
            usize::from(!v.is_null())
        })
        .sum()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (op, name) = (args.get(1).map_or("reply", String::as_str), args.get(2).map_or("P2", String::as_str));
    let n: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(10);
    let dir = PathBuf::from(args.get(4).map_or("target/flight-bench", String::as_str));
    let read =
        |ext: &str| Bytes::from(std::fs::read(dir.join(format!("{name}.{ext}"))).expect("run compare.sh --check"));
    let total = match op {
        "reply" | "serde-reply" => {
            let body = read("reply");
            let content_type = String::from_utf8(read("reply.type").to_vec()).expect("UTF-8");
            let opts = DecodeOptions::default();
            if op == "reply" {
                timed(n, || reply::decode_body(&content_type, body.clone(), &opts).expect("decodes").len())
            } else {
                let texts = reply_texts(&content_type, &body);
                timed(n, || serde_all(&texts))
            }
        }
        "response" | "serde-response" => {
            let stream = read("response");
            let opts = DecodeOptions::default();
            if op == "response" {
                timed(n, || response::decode_bytes(stream.clone(), &opts).expect("decodes").len())
            } else {
                let texts = response_texts(&stream);
                timed(n, || serde_all(&texts))
            }
        }
        _ => panic!("operations: reply, response, serde-reply, serde-response"),
    };
    println!("{op} {name} x{n}: {total}");
}
