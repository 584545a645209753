//! Structure-aware: an arbitrary value graph (shared nodes and cycles) is
//! encoded as a reply; whatever encodes decodes, decoding is a fixed point,
//! and the multipart body decodes the same whole and chunked.
//!
//! The property lives in `fuzz/checks.rs`, shared with the corpus replay in CI.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::roundtrip_reply(data));
