//! A string body: never panics; whatever decodes re-encodes and decodes to the same notation.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = flight_codec::reply::DecodeOptions::default();
    if let Ok(g) = flight_codec::reply::decode_text(bytes::Bytes::copy_from_slice(data), &opts) {
        let first = flight_codec::notation::to_string(&g);
        if let Ok(body) = flight_codec::reply::encode(&g, &Default::default()) {
            let again = match &body {
                flight_codec::reply::Body::Text(t) => flight_codec::reply::decode_str(t, &opts),
                flight_codec::reply::Body::Form(_) => flight_codec::reply::decode_body(&body.content_type(), body.to_bytes().into(), &opts),
            };
            let again = again.expect("our own encoding decodes");
            assert_eq!(first, flight_codec::notation::to_string(&again));
        }
    }
});
