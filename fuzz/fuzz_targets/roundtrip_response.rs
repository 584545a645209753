//! Structure-aware: an arbitrary value graph (shared nodes and cycles, plus
//! what only a response carries: long strings, errors, elements, client
//! references, byte streams…) is encoded as a Flight response; whatever
//! encodes decodes, decoding is a fixed point, the sans-IO encoder writes the
//! same bytes, and the row framer yields the same rows however the stream is cut.
//!
//! The property lives in `fuzz/checks.rs`, shared with the corpus replay in CI.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::roundtrip_response(data));
