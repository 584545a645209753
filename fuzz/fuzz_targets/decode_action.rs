//! `decode_action`: `decode_action` and `decode_form_state` return a value
//! or a typed error, and agree with the same entries sent as a body.
//!
//! The property lives in `fuzz/checks.rs`, shared with the corpus replay in CI.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::decode_action(data));
