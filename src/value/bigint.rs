//! [`BigInt`]: a JavaScript bigint as canonical decimal text.

use std::fmt;

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
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BigInt(Box<str>);

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
        let mut out = Vec::with_capacity(usize::from(neg) + trimmed.len().max(1));
        if trimmed.is_empty() {
            out.push(b'0');
        } else {
            if neg {
                out.push(b'-');
            }
            out.extend_from_slice(trimmed);
        }
        // ASCII digits, checked above.
        String::from_utf8(out).ok().map(|s| BigInt(s.into_boxed_str()))
    }

    /// The canonical decimal text.
    ///
    /// ```
    /// assert_eq!(flight_codec::value::BigInt::from(-5i64).as_str(), "-5");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Number of decimal digits, not counting the sign.
    ///
    /// ```
    /// assert_eq!(flight_codec::value::BigInt::parse("-120").unwrap().digits(), 3);
    /// ```
    pub fn digits(&self) -> usize {
        self.0.trim_start_matches('-').len()
    }
}

/// Integers are bigints of the same value (`Display` of an integer is the
/// canonical decimal text).
macro_rules! from_integer {
    ($($t:ty),*) => {$(
        impl From<$t> for BigInt {
            fn from(v: $t) -> Self {
                BigInt(v.to_string().into_boxed_str())
            }
        }
    )*};
}

from_integer!(i64, u64, i128, u128);

impl fmt::Display for BigInt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for BigInt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}n", self.0)
    }
}
