//! A Flight stream: decoding never panics, and the framer yields the same rows
//! whether the stream arrives whole or split at the first byte's position.
#![no_main]
use libfuzzer_sys::fuzz_target;

use flight_codec::response::rows::RowFramer;

fuzz_target!(|data: &[u8]| {
    let Some((&split, stream)) = data.split_first() else { return };
    let _ = flight_codec::response::decode(stream, &Default::default());
    let frame = |cut: usize| {
        let mut f = RowFramer::new(Default::default());
        let r = f.feed(&stream[..cut]).and_then(|_| f.feed(&stream[cut..])).and_then(|_| f.finish());
        let mut rows = Vec::new();
        while let Some(row) = f.next_row() {
            rows.push(row);
        }
        (r, rows)
    };
    let whole = frame(stream.len());
    let split = frame((split as usize).min(stream.len()));
    assert_eq!(whole.0.is_ok(), split.0.is_ok());
    if whole.0.is_ok() {
        assert_eq!(whole.1, split.1);
    }
});
