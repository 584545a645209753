//! UTF-8 validation: SIMD for the check, the standard library for the error.

/// `bytes` as `&str`, or the standard library's error (with its position).
///
/// Valid text, the common case, is checked by `simdutf8`; only invalid text
/// is checked again by `std::str::from_utf8`, for its error.
#[inline]
pub(crate) fn validate(bytes: &[u8]) -> Result<&str, std::str::Utf8Error> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(_) => std::str::from_utf8(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::validate;

    #[test]
    fn agrees_with_std() {
        let cases: [&[u8]; 7] = [b"", b"ascii", "é漢😀".as_bytes(), b"\xff", b"ab\xe2\x82", b"\xed\xa0\x80", b"ok\xc0\x80"];
        for c in cases {
            let ours = validate(c).map_err(|e| e.valid_up_to());
            let std = std::str::from_utf8(c).map_err(|e| e.valid_up_to());
            assert_eq!(ours, std, "{c:?}");
        }
    }
}
