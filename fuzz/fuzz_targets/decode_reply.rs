//! `decode_reply`: a string body decodes or fails with a typed error; what
//! decodes re-encodes and decodes to the same value.
//!
//! The property lives in `fuzz/checks.rs`, shared with the corpus replay in CI.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::decode_reply(data));
