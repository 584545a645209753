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

/// `bytes` as a `String`, or `None` if they are not UTF-8.
///
/// `String::from_utf8` checks with the standard library, which is slow on
/// non-ASCII text (it was 58% of encoding P6, 10 MB of mixed scripts). Text
/// that is not all ASCII is checked by `simdutf8` and copied instead: a copy
/// is several times faster than that check.
pub(crate) fn into_string(bytes: Vec<u8>) -> Option<String> {
    if bytes.is_ascii() {
        return String::from_utf8(bytes).ok();
    }
    simdutf8::basic::from_utf8(&bytes).ok().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::validate;

    #[test]
    fn agrees_with_std() {
        let cases: [&[u8]; 7] =
            [b"", b"ascii", "é漢😀".as_bytes(), b"\xff", b"ab\xe2\x82", b"\xed\xa0\x80", b"ok\xc0\x80"];
        for c in cases {
            let ours = validate(c).map_err(|e| e.valid_up_to());
            let std = std::str::from_utf8(c).map_err(|e| e.valid_up_to());
            assert_eq!(ours, std, "{c:?}");
            assert_eq!(super::into_string(c.to_vec()).as_deref(), std::str::from_utf8(c).ok());
        }
    }
}
