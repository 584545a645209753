//! `decode_response`: a Flight stream decodes or fails with a typed error,
//! and the row framer yields the same rows for any chunking.
//!
//! The property lives in `fuzz/checks.rs`, shared with the corpus replay in CI.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::decode_response(data));
