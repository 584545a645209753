//! [`BigInt`]: a JavaScript bigint as canonical decimal text.

use std::fmt;

use super::JsString;

/// A JavaScript bigint, held as its canonical decimal text (`-12`, `0`).
///
/// The crate never does arithmetic on bigints; it only carries them, so the
/// decimal text is the whole value. Construction checks the text.
///
/// ```
/// use flight_codec::value::BigInt;
/// assert_eq!(BigInt::parse("-0012").unwrap().as_str(), "-12");
/// assert_eq!(BigInt::parse("-0").unwrap().as_str(), "0");
/// assert!(BigInt::parse("1e3").is_none());
/// assert_eq!(BigInt::from(7i64).as_str(), "7");
/// ```
///
/// The text is a boxed [`JsString`]: a decoded bigint of up to fourteen
/// characters is inline in its box, and a longer one shares the decoded
/// body's buffer, as strings do. The box keeps a [`Value`](super::Value) at
/// 16 bytes, at the cost of one small allocation per bigint.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BigInt(Box<JsString>);

impl BigInt {
    /// Parses `-?[0-9]+` (leading zeros allowed, as `BigInt("007")` allows)
    /// into canonical form. Anything else, including an empty string, a `+`
    /// sign, whitespace or `0x` prefixes, gives `None`.
    ///
    /// ```
    /// use flight_codec::value::BigInt;
    /// assert_eq!(BigInt::parse("007").unwrap().as_str(), "7");
    /// assert!(BigInt::parse("+1").is_none());
    /// assert!(BigInt::parse("").is_none());
    /// ```
    pub fn parse(s: &str) -> Option<Self> {
        Self::parse_bytes(s.as_bytes())
    }

    /// [`BigInt::parse`] of bytes.
    pub(crate) fn parse_bytes(s: &[u8]) -> Option<Self> {
        let (neg, digits) = match s.split_first() {
            Some((b'-', d)) => (true, d),
            _ => (false, s),
        };
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let zeros = digits.iter().take_while(|&&b| b == b'0').count();
        let trimmed = &digits[zeros..];
        // ASCII digits (checked above) are well-formed WTF-8.
        Some(BigInt::boxed(if trimmed.is_empty() {
            JsString::from_static("0")
        } else if zeros == 0 {
            JsString::copy_wtf8_unchecked(s)
        } else if neg {
            JsString::from_wtf8_vec([&b"-"[..], trimmed].concat())
        } else {
            JsString::copy_wtf8_unchecked(trimmed)
        }))
    }

    /// Whether `s` is a bigint's canonical text: `0`, or an optional `-`
    /// and digits that do not start with `0`.
    pub(crate) fn is_canonical(s: &[u8]) -> bool {
        let digits = s.strip_prefix(b"-").unwrap_or(s);
        match digits.split_first() {
            Some((b'0', rest)) => rest.is_empty() && digits.len() == s.len(),
            Some((b'1'..=b'9', rest)) => rest.iter().all(u8::is_ascii_digit),
            _ => false,
        }
    }

    /// A bigint of canonical text ([`BigInt::is_canonical`]) the caller has
    /// checked, kept as the string it is (sharing its buffer).
    pub(crate) fn from_canonical(s: JsString) -> Self {
        debug_assert!(Self::is_canonical(s.as_wtf8()));
        BigInt::boxed(s)
    }

    fn boxed(s: JsString) -> Self {
        BigInt(Box::new(s))
    }

    /// The canonical decimal text.
    ///
    /// ```
    /// assert_eq!(flight_codec::value::BigInt::from(-5i64).as_str(), "-5");
    /// ```
    pub fn as_str(&self) -> &str {
        // Always ASCII digits, so the check passes (the fallback is never
        // taken); a few dozen bytes at most, where the standard library's
        // check is the quickest.
        std::str::from_utf8(self.0.as_wtf8()).unwrap_or("0")
    }

    /// The canonical decimal text as bytes (ASCII), without the check that
    /// [`BigInt::as_str`] makes to give a `&str`: for writers.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_wtf8()
    }

    /// Number of decimal digits, not counting the sign.
    ///
    /// ```
    /// assert_eq!(flight_codec::value::BigInt::parse("-120").unwrap().digits(), 3);
    /// ```
    pub fn digits(&self) -> usize {
        self.as_str().trim_start_matches('-').len()
    }
}

/// Integers are bigints of the same value (`Display` of an integer is the
/// canonical decimal text).
macro_rules! from_integer {
    ($($t:ty),*) => {$(
        impl From<$t> for BigInt {
            fn from(v: $t) -> Self {
                BigInt::boxed(JsString::from(v.to_string()))
            }
        }
    )*};
}

from_integer!(i64, u64, i128, u128);

impl fmt::Display for BigInt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for BigInt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}n", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::BigInt;
    use crate::value::Value;

    #[test]
    fn canonical_text_is_recognised_exactly() {
        for yes in ["0", "7", "-7", "10", "-1234567890123456789012345"] {
            assert!(BigInt::is_canonical(yes.as_bytes()), "{yes}");
        }
        for no in ["", "-", "-0", "00", "01", "-01", "+1", "1a", " 1", "1 ", "--1", "0x1"] {
            assert!(!BigInt::is_canonical(no.as_bytes()), "{no}");
        }
    }

    #[test]
    fn decoded_bigints_are_canonical_whether_shared_or_rebuilt() {
        // Canonical text is shared with the body; anything else is rebuilt.
        let body = r#"["$n12345678901234567890","$n-98765432109876543210","$n5","$n-0","$n007","$n-00","$n0","$n-0012345678901"]"#;
        let g = crate::reply::decode_text(bytes::Bytes::from_static(body.as_bytes()), &Default::default()).unwrap();
        let Value::Node(root) = g.root() else { panic!("not an array") };
        let crate::value::NodeRef::Array(items) = g.view(*root) else { panic!("not an array") };
        let texts: Vec<&str> = items.iter().map(|v| if let Value::BigInt(b) = v { b.as_str() } else { "?" }).collect();
        assert_eq!(texts, ["12345678901234567890", "-98765432109876543210", "5", "0", "7", "0", "0", "-12345678901"]);
        let b = BigInt::parse("-0012345678901").unwrap();
        assert_eq!((b.as_bytes(), b.digits()), (&b"-12345678901"[..], 11));
        // Equal values are equal however they were made.
        let big = |v: &Value| if let Value::BigInt(b) = v { Some(b.clone()) } else { None };
        assert!(big(&items[7]) == Some(b));
        assert!(big(&items[0]) == Some(BigInt::from(12345678901234567890u128)));
    }
}
