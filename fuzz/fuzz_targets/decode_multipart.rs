//! A multipart body with the boundary `B`, fed in two chunks split at the first byte:
//! never panics, and the chunked decode agrees with the whole decode.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&split, body)) = data.split_first() else { return };
    let opts = flight_codec::reply::DecodeOptions::default();
    let whole = flight_codec::reply::decode_multipart(&bytes::Bytes::copy_from_slice(body), "B", &opts).map(|g| flight_codec::notation::to_string(&g));
    let at = (split as usize).min(body.len());
    let chunked = (|| {
        let mut d = flight_codec::reply::MultipartDecoder::new("B", opts.clone())?;
        d.feed(&body[..at])?;
        d.feed(&body[at..])?;
        d.finish()
    })()
    .map(|g| flight_codec::notation::to_string(&g));
    assert_eq!(whole.is_ok(), chunked.is_ok());
    if let (Ok(a), Ok(b)) = (whole, chunked) {
        assert_eq!(a, b);
    }
});
