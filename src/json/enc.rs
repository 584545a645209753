//! What both encoders write for strings (React's `escapeStringValue`) and
//! object keys, on top of the JSON writers, telling the callers the text's
//! length in UTF-16 units without a second pass.

use super::write::write_body;
use crate::value::JsString;

/// A string as both encoders write it (`escapeStringValue`, then
/// `JSON.stringify`): one more `$` when it starts with `$`. Returns `true`
/// when the text is all ASCII.
#[inline]
pub(crate) fn write_escaped(out: &mut Vec<u8>, s: &JsString) -> bool {
    let bytes = s.as_wtf8();
    out.reserve(bytes.len() + 3);
    out.push(b'"');
    if bytes.first() == Some(&b'$') {
        out.push(b'$');
    }
    let ascii = write_body(out, bytes);
    out.push(b'"');
    ascii
}

/// An object member's key as `JSON.stringify` writes it, and the colon.
/// Returns the key's length in UTF-16 units.
#[inline]
pub(crate) fn write_key(out: &mut Vec<u8>, key: &JsString) -> usize {
    let bytes = key.as_wtf8();
    out.reserve(bytes.len() + 3);
    out.push(b'"');
    let ascii = write_body(out, bytes);
    out.extend_from_slice(b"\":");
    if ascii {
        bytes.len()
    } else {
        crate::value::string::utf16_units(bytes)
    }
}

/// `"<tag><id in lowercase hex>"` (a tag never needs escaping).
#[inline]
pub(crate) fn write_ref(out: &mut Vec<u8>, tag: &str, id: u32) {
    out.push(b'"');
    out.extend_from_slice(tag.as_bytes());
    write_hex(out, id);
    out.push(b'"');
}

/// `id` in lowercase hex.
#[inline]
pub(crate) fn write_hex(out: &mut Vec<u8>, id: u32) {
    let mut buf = [0u8; 8];
    let mut n = id;
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b"0123456789abcdef"[(n & 15) as usize];
        n >>= 4;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// `n` in decimal, as a new string (a part's name), without `fmt`.
pub(crate) fn decimal(n: u32) -> String {
    let mut buf = [0u8; 10];
    let mut v = n;
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    let mut s = String::with_capacity(buf.len() - i);
    for &b in &buf[i..] {
        s.push(char::from(b));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_strings_and_keys() {
        let mut out = Vec::new();
        assert!(write_escaped(&mut out, &"$a\"".into()));
        assert!(!write_escaped(&mut out, &"é$".into()));
        assert!(write_escaped(&mut out, &"".into()));
        assert_eq!(write_key(&mut out, &"é\n".into()), 2);
        write_ref(&mut out, "$@", 0x1f);
        assert_eq!(String::from_utf8(out).unwrap(), r#""$$a\"""é$""""é\n":"$@1f""#);
        assert_eq!([decimal(0), decimal(10), decimal(u32::MAX)], ["0", "10", "4294967295"]);
    }
}
