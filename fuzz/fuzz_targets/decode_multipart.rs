//! `decode_multipart`: any boundary, any chunking; the chunked decode agrees
//! with the whole decode, and the multipart parser alone accepts what the
//! decoder accepts.
//!
//! The property lives in `fuzz/checks.rs`, shared with the corpus replay in CI.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::decode_multipart(data));
