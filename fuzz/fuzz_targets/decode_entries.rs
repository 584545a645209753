//! `decode_entries`: a FormData entry list decodes or fails with a typed
//! error; what decodes re-encodes to the same value; and the same entries
//! sent as a multipart body decode to the same result.
//!
//! The property lives in `fuzz/checks.rs`, shared with the corpus replay in CI.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::decode_entries(data));
