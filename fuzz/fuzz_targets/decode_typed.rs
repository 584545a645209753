//! `decode_typed`: a string body read into Rust types (serde) never panics,
//! and the fast path agrees with the graph path.
//!
//! The property lives in `fuzz/checks.rs`, shared with the corpus replay in CI.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::decode_typed(data));
