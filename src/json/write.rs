//! Writing strings and numbers exactly as `JSON.stringify` does.

use crate::value::JsString;

/// Appends `JSON.stringify(s)`: the string in double quotes.
///
/// `"` and `\` are escaped with a backslash, as are backspace, form feed,
/// line feed, carriage return and tab (`\b \f \n \r \t`); the other code
/// units below U+0020 become `\u00XX`, and lone surrogates `\udXXX`, in
/// lowercase hex (the well-formed `JSON.stringify` of ES2019). Everything
/// else, including U+2028, U+2029 and U+007F, is written as raw UTF-8.
///
/// ```
/// use flight_codec::json::write_str;
/// use flight_codec::value::JsString;
///
/// let mut out = Vec::new();
/// write_str(&mut out, &JsString::from_utf16(&[0x22, 0x0a, 0x01, 0xe9, 0xd800]));
/// assert_eq!(String::from_utf8(out).unwrap(), r#""\"\n\u0001é\ud800""#);
/// ```
pub fn write_str(out: &mut Vec<u8>, s: &JsString) {
    write_wtf8(out, s.as_wtf8());
}

/// Appends `JSON.stringify(s)` for a Rust string; see [`write_str`].
///
/// ```
/// let mut out = Vec::new();
/// flight_codec::json::write_str_slice(&mut out, "a\"b\u{2028}");
/// assert_eq!(String::from_utf8(out).unwrap(), "\"a\\\"b\u{2028}\"");
/// ```
pub fn write_str_slice(out: &mut Vec<u8>, s: &str) {
    write_wtf8(out, s.as_bytes());
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn write_wtf8(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // `bytes[run..i]` is pending text that needs no escaping.
    let mut run = 0;
    let mut i = 0;
    loop {
        i = scan_plain(bytes, i);
        let Some(&b) = bytes.get(i) else { break };
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x0c => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1f => {
                out.extend_from_slice(bytes.get(run..i).unwrap_or_default());
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
                i += 1;
                run = i;
                continue;
            }
            _ => {
                // 0xED: a surrogate when the next byte is 0xA0 or above.
                match (bytes.get(i + 1), bytes.get(i + 2)) {
                    (Some(&b1), Some(&b2)) if b1 >= 0xa0 => {
                        out.extend_from_slice(bytes.get(run..i).unwrap_or_default());
                        let unit = 0xd000 | (u16::from(b1 & 0x3f) << 6) | u16::from(b2 & 0x3f);
                        out.extend_from_slice(b"\\u");
                        for shift in [12, 8, 4, 0] {
                            out.push(HEX[usize::from((unit >> shift) & 0xf)]);
                        }
                        i += 3;
                        run = i;
                    }
                    _ => i += 1,
                }
                continue;
            }
        };
        out.extend_from_slice(bytes.get(run..i).unwrap_or_default());
        out.extend_from_slice(escape);
        i += 1;
        run = i;
    }
    out.extend_from_slice(bytes.get(run..).unwrap_or_default());
    out.push(b'"');
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

#[inline(always)]
fn has_zero(w: u64) -> u64 {
    w.wrapping_sub(ONES) & !w & HIGHS
}

/// The index of the first byte at or after `i` that may need escaping: `"`,
/// `\`, a control character, or 0xED (which starts a surrogate in WTF-8).
#[inline]
fn scan_plain(bytes: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = bytes.get(i..i + 8) {
        let Ok(chunk) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let w = u64::from_le_bytes(chunk);
        let special = has_zero(w ^ (ONES * u64::from(b'"')))
            | has_zero(w ^ (ONES * u64::from(b'\\')))
            | has_zero(w ^ (ONES * 0xed))
            | (w.wrapping_sub(ONES * 0x20) & !w & HIGHS);
        if special != 0 {
            break;
        }
        i += 8;
    }
    while let Some(&b) = bytes.get(i) {
        if b < 0x20 || b == b'"' || b == b'\\' || b == 0xed {
            break;
        }
        i += 1;
    }
    i
}

/// 2^53: every integer of smaller magnitude prints as its plain digits.
const EXACT_INT: f64 = 9_007_199_254_740_992.0;

/// Appends `JSON.stringify(n)`: the shortest decimal that round-trips, in
/// JavaScript's notation (`-0` is `0`, exponents from `1e21` and below
/// `1e-6`: `1e+21`, `1e-7`). Infinities and NaN are written as `null`, as
/// `JSON.stringify` does.
///
/// ```
/// use flight_codec::json::write_number;
/// let mut out = Vec::new();
/// for n in [0.1, -0.0, 1e21, 1e-7, 123.0, f64::NAN] {
///     write_number(&mut out, n);
///     out.push(b' ');
/// }
/// assert_eq!(out, b"0.1 0 1e+21 1e-7 123 null ");
/// ```
pub fn write_number(out: &mut Vec<u8>, n: f64) {
    if !n.is_finite() {
        out.extend_from_slice(b"null");
    } else if n.fract() == 0.0 && n.abs() <= EXACT_INT {
        write_int(out, n as i64);
    } else {
        out.extend_from_slice(ryu_js::Buffer::new().format_finite(n).as_bytes());
    }
}

fn write_int(out: &mut Vec<u8>, n: i64) {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    let mut v = n.unsigned_abs();
    loop {
        at -= 1;
        buf[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    if n < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    out.extend_from_slice(&buf[at..]);
}

/// JavaScript's `String(n)`: like [`write_number`], but NaN and the
/// infinities are `"NaN"`, `"Infinity"` and `"-Infinity"`.
///
/// ```
/// use flight_codec::json::number_to_js_string;
/// assert_eq!(number_to_js_string(-0.0), "0");
/// assert_eq!(number_to_js_string(f64::NEG_INFINITY), "-Infinity");
/// assert_eq!(number_to_js_string(2.5e-8), "2.5e-8");
/// ```
pub fn number_to_js_string(n: f64) -> String {
    if n.is_nan() {
        "NaN".to_owned()
    } else if n.is_infinite() {
        if n > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
    } else {
        let mut out = Vec::with_capacity(24);
        write_number(&mut out, n);
        String::from_utf8(out).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(units: &[u16]) -> String {
        let mut out = Vec::new();
        write_str(&mut out, &JsString::from_utf16(units));
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes() {
        assert_eq!(s(&[]), "\"\"");
        let all: Vec<u16> = (0..0x20).collect();
        assert_eq!(
            s(&all),
            "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f\
             \\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\""
        );
        assert_eq!(s(&[0xdfff, 0xd800, 0xdbff]), "\"\\udfff\\ud800\\udbff\"");
        assert_eq!(s(&[0xd83d, 0xde00, 0xd7ff, 0xe000]), "\"😀\u{d7ff}\u{e000}\"");
        // U+D7FF..U+D000 share the 0xED lead byte with surrogates.
        assert_eq!(s(&[0xd000, 0xed, 0x7f]), "\"\u{d000}í\u{7f}\"");
    }

    #[test]
    fn escapes_in_every_lane() {
        for len in 0..20 {
            let mut units = vec![0x61u16; len];
            units.push(0xdc00);
            units.extend([0x62; 9]);
            let expect = format!("\"{}\\udc00bbbbbbbbb\"", "a".repeat(len));
            assert_eq!(s(&units), expect);
        }
    }

    #[test]
    fn integers() {
        let cases = [
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (-1.0, "-1"),
            (10.0, "10"),
            (EXACT_INT, "9007199254740992"),
            (-EXACT_INT, "-9007199254740992"),
            (1e15, "1000000000000000"),
        ];
        for (n, text) in cases {
            let mut out = Vec::new();
            write_number(&mut out, n);
            assert_eq!(out, text.as_bytes());
        }
    }
}
