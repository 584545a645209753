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
        assert_eq!(String::from_utf8(out).unwrap(), r#""$$a\"""é$""""é\n":"#);
    }
}
