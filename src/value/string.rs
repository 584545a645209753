//! [`JsString`]: a JavaScript string that can hold lone surrogates.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use bytes::Bytes;

/// The longest string kept inline, without a buffer.
pub(crate) const INLINE: usize = 14;

/// The largest `len` a shared range records; it also marks a string that is
/// all of its buffer ([`TO_END`]). Longer ranges get a buffer of their own.
const MAX_RANGE: u32 = (1 << 24) - 1;

/// `len` of a shared string that runs to the end of its buffer: a string too
/// long for a 24-bit length (or too far into its buffer for a `u32` offset)
/// gets a buffer of its own.
const TO_END: u32 = MAX_RANGE;

/// A JavaScript string value.
///
/// JavaScript strings are sequences of UTF-16 code units and may contain lone
/// surrogates (`"\ud800"`), which React sends and `JSON.parse` accepts. Rust's
/// `String` cannot hold them, so a `JsString` stores its text as
/// [WTF-8](https://simonsapin.github.io/wtf-8/): UTF-8 where a lone surrogate is
/// written as its 3-byte generalized UTF-8 form, and a surrogate pair is always
/// written as the 4-byte form of the character it stands for. A string without
/// lone surrogates is therefore plain UTF-8 ([`JsString::as_str`]).
///
/// A `JsString` is 16 bytes. Up to fourteen bytes of text are kept inline,
/// with no allocation. Longer text is a range of a shared buffer, so strings
/// sliced out of a decoded body share its buffer instead of being copied,
/// and cloning is cheap. Its first byte is a tag with spare values, which
/// lets [`Value`](super::Value) keep its other variants around it: a `Value`
/// is 16 bytes too.
///
/// Equality, ordering and hashing compare the WTF-8 bytes, so two strings are
/// equal exactly when they are the same sequence of UTF-16 code units. The
/// ordering is that of code points, which differs from JavaScript's UTF-16
/// ordering for characters above U+FFFF.
///
/// ```
/// use flight_codec::value::JsString;
///
/// let s = JsString::from_utf16(&[0x61, 0xd800]);
/// assert_eq!(s.as_str(), None); // holds a lone surrogate
/// assert_eq!(s.len_utf16(), 2);
/// assert_eq!(s.to_string_lossy(), "a\u{fffd}");
/// assert_eq!(JsString::from("é"), "é");
/// assert_eq!(std::mem::size_of::<JsString>(), 16);
/// ```
#[derive(Clone)]
pub struct JsString(Repr);

/// Laid out as `#[repr(u8)]`, each variant a C struct after the tag byte, so
/// that the tag is at offset 0 in both and its unused values are a niche.
#[derive(Clone)]
#[repr(u8)]
enum Repr {
    /// `bytes[..len]` is the text; the rest of `bytes` is zero.
    Inline { len: u8, bytes: [u8; INLINE] },
    /// `buf[start..start + len]` is the text, where `len` is
    /// `len_hi << 16 | len_lo` (all of `buf`, with `start` 0, when `len` is
    /// [`TO_END`]).
    Shared { len_hi: u8, len_lo: u16, start: u32, buf: Arc<Bytes> },
}

/// The 24-bit length of a shared range.
#[inline]
fn range_len(len_hi: u8, len_lo: u16) -> u32 {
    (u32::from(len_hi) << 16) | u32::from(len_lo)
}

/// A shared range of `len` (at most [`MAX_RANGE`]) bytes from `start`.
#[inline]
fn shared(start: u32, len: u32, buf: Arc<Bytes>) -> Repr {
    debug_assert!(len <= MAX_RANGE);
    Repr::Shared { len_hi: (len >> 16) as u8, len_lo: len as u16, start, buf }
}

impl Default for JsString {
    fn default() -> Self {
        JsString::new()
    }
}

impl JsString {
    /// The empty string.
    ///
    /// ```
    /// assert!(flight_codec::value::JsString::new().is_empty());
    /// ```
    pub const fn new() -> Self {
        JsString(Repr::Inline { len: 0, bytes: [0; INLINE] })
    }

    /// A string of static text. Short text is kept inline; longer text is
    /// shared without being copied.
    ///
    /// ```
    /// let s = flight_codec::value::JsString::from_static("hi");
    /// assert_eq!(s, "hi");
    /// ```
    pub fn from_static(s: &'static str) -> Self {
        Self::inline(s.as_bytes()).unwrap_or_else(|| Self::whole(Bytes::from_static(s.as_bytes())))
    }

    /// Takes UTF-8 bytes without copying them.
    ///
    /// # Errors
    /// Returns the UTF-8 error if `bytes` is not valid UTF-8.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use flight_codec::value::JsString;
    /// assert!(JsString::from_utf8(Bytes::from_static(b"ok")).is_ok());
    /// assert!(JsString::from_utf8(Bytes::from_static(b"\xff")).is_err());
    /// ```
    pub fn from_utf8(bytes: Bytes) -> Result<Self, std::str::Utf8Error> {
        crate::utf8::validate(&bytes)?;
        Ok(Self::from_wtf8_unchecked(bytes))
    }

    /// Takes bytes the caller has already checked to be well-formed WTF-8
    /// (valid UTF-8 is always well-formed WTF-8).
    pub(crate) fn from_wtf8_unchecked(bytes: Bytes) -> Self {
        debug_assert!(is_well_formed_wtf8(&bytes));
        Self::inline(&bytes).unwrap_or_else(|| Self::whole(bytes))
    }

    /// Copies well-formed WTF-8 the caller has checked.
    #[inline]
    pub(crate) fn copy_wtf8_unchecked(bytes: &[u8]) -> Self {
        debug_assert!(is_well_formed_wtf8(bytes));
        Self::inline(bytes).unwrap_or_else(|| Self::whole(Bytes::copy_from_slice(bytes)))
    }

    /// `buf[start..end]`, well-formed WTF-8 the caller has checked, sharing
    /// `buf` (short text is copied inline instead).
    pub(crate) fn share_wtf8_unchecked(buf: &Arc<Bytes>, start: usize, end: usize) -> Self {
        let text = &buf[start..end];
        debug_assert!(is_well_formed_wtf8(text));
        if let Some(s) = Self::inline(text) {
            return s;
        }
        // The range is kept only when its end fits a `u32` (so that
        // `start + len` never overflows) and its length 24 bits; a string
        // reaching past 4 GiB into its buffer, or longer than 16 MiB, gets a
        // buffer of its own (the same bytes, not a copy).
        match (u32::try_from(start), u32::try_from(end)) {
            (Ok(start_32), Ok(end_32)) if end_32 - start_32 < MAX_RANGE => {
                JsString(shared(start_32, end_32 - start_32, buf.clone()))
            }
            _ => Self::whole(buf.slice(start..end)),
        }
    }

    /// Short text, inline. The bytes past `len` are zero, so that two
    /// inline strings are equal exactly when their representations are.
    #[inline]
    fn inline(text: &[u8]) -> Option<Self> {
        if text.len() > INLINE {
            return None;
        }
        let mut bytes = [0; INLINE];
        for (b, t) in bytes.iter_mut().zip(text) {
            *b = *t;
        }
        Some(JsString(Repr::Inline { len: text.len() as u8, bytes }))
    }

    /// `src[start..end]`, at most [`INLINE`] bytes of well-formed WTF-8 the
    /// caller has checked, inline. Reads a whole word where `src` has one.
    #[inline]
    pub(crate) fn inline_wtf8_unchecked(src: &[u8], start: usize, end: usize) -> Self {
        let len = end - start;
        debug_assert!(len <= INLINE && is_well_formed_wtf8(&src[start..end]));
        match src.get(start..start + INLINE) {
            Some(word) => {
                let mut w = [0u8; 16];
                w[..INLINE].copy_from_slice(word);
                let v = u128::from_le_bytes(w) & ((1u128 << (8 * len)) - 1);
                let mut bytes = [0; INLINE];
                bytes.copy_from_slice(&v.to_le_bytes()[..INLINE]);
                JsString(Repr::Inline { len: len as u8, bytes })
            }
            None => Self::copy_wtf8_unchecked(&src[start..end]),
        }
    }

    fn whole(buf: Bytes) -> Self {
        let len = u32::try_from(buf.len()).ok().filter(|&n| n < MAX_RANGE).unwrap_or(TO_END);
        JsString(shared(0, len, Arc::new(buf)))
    }

    /// Builds a string from UTF-16 code units; lone surrogates are kept.
    ///
    /// ```
    /// use flight_codec::value::JsString;
    /// let s = JsString::from_utf16(&[0xd83d, 0xde00]);
    /// assert_eq!(s, "😀");
    /// ```
    pub fn from_utf16(units: &[u16]) -> Self {
        let mut out = Vec::with_capacity(units.len());
        for c in char::decode_utf16(units.iter().copied()) {
            match c {
                Ok(c) => {
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                Err(e) => push_surrogate(&mut out, e.unpaired_surrogate()),
            }
        }
        Self::from_wtf8_vec(out)
    }

    /// Takes well-formed WTF-8 the caller has built.
    pub(crate) fn from_wtf8_vec(out: Vec<u8>) -> Self {
        debug_assert!(is_well_formed_wtf8(&out));
        Self::inline(&out).unwrap_or_else(|| Self::whole(Bytes::from(out)))
    }

    /// The text as `&str`, or `None` if it contains a lone surrogate.
    ///
    /// ```
    /// use flight_codec::value::JsString;
    /// assert_eq!(JsString::from("abc").as_str(), Some("abc"));
    /// ```
    pub fn as_str(&self) -> Option<&str> {
        crate::utf8::validate(self.as_wtf8()).ok()
    }

    /// The text with every lone surrogate replaced by U+FFFD, as the platform
    /// does when a JavaScript string becomes a `USVString` (for example a
    /// FormData entry).
    ///
    /// ```
    /// use flight_codec::value::JsString;
    /// assert_eq!(JsString::from_utf16(&[0xdc00]).to_string_lossy(), "\u{fffd}");
    /// ```
    pub fn to_string_lossy(&self) -> Cow<'_, str> {
        match crate::utf8::validate(self.as_wtf8()) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => Cow::Owned(self.code_points().map(|cp| char::from_u32(cp).unwrap_or('\u{fffd}')).collect()),
        }
    }

    /// The WTF-8 bytes.
    ///
    /// ```
    /// use flight_codec::value::JsString;
    /// assert_eq!(JsString::from("a").as_wtf8(), b"a");
    /// ```
    #[inline]
    pub fn as_wtf8(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => &bytes[..*len as usize],
            Repr::Shared { len_hi, len_lo, start, buf } => match range_len(*len_hi, *len_lo) {
                TO_END => buf,
                len => &buf[*start as usize..*start as usize + len as usize],
            },
        }
    }

    /// The first byte of the WTF-8 text (`None` when empty), without
    /// making a slice of it.
    #[inline]
    pub(crate) fn first_byte(&self) -> Option<u8> {
        match &self.0 {
            Repr::Inline { len, bytes } => (*len > 0).then_some(bytes[0]),
            // A shared string is longer than `INLINE` bytes, never empty.
            Repr::Shared { start, buf, .. } => buf.get(*start as usize).copied(),
        }
    }

    /// The text of a string kept inline (at most `INLINE` bytes, as every
    /// such text is) as one word, its length in the top byte: equal words
    /// for equal texts. `None` for a longer text.
    #[inline]
    pub(crate) fn inline_word(&self) -> Option<u128> {
        match &self.0 {
            Repr::Inline { len, bytes } => {
                let mut w = [0u8; 16];
                w[..INLINE].copy_from_slice(bytes);
                w[15] = *len;
                Some(u128::from_le_bytes(w))
            }
            Repr::Shared { .. } => None,
        }
    }

    /// The buffer a shared string is a range of, and the range (`None` for
    /// a string kept inline): strings cut from one buffer can be checked
    /// together, once.
    pub(crate) fn shared_range(&self) -> Option<(&Arc<Bytes>, std::ops::Range<usize>)> {
        match &self.0 {
            Repr::Inline { .. } => None,
            Repr::Shared { len_hi, len_lo, start, buf } => match range_len(*len_hi, *len_lo) {
                TO_END => Some((buf, 0..buf.len())),
                len => Some((buf, *start as usize..*start as usize + len as usize)),
            },
        }
    }

    /// The WTF-8 bytes as a shared buffer.
    ///
    /// ```
    /// use flight_codec::value::JsString;
    /// assert_eq!(&JsString::from("a").into_bytes()[..], b"a");
    /// ```
    pub fn into_bytes(self) -> Bytes {
        match self.0 {
            Repr::Inline { len, bytes } => Bytes::copy_from_slice(&bytes[..len as usize]),
            // Only `whole` makes a `TO_END` string: its buffer is exactly the text.
            Repr::Shared { len_hi, len_lo, start, buf } => match range_len(len_hi, len_lo) {
                TO_END => Arc::unwrap_or_clone(buf),
                len => buf.slice(start as usize..start as usize + len as usize),
            },
        }
    }

    /// `true` for the empty string.
    ///
    /// ```
    /// assert!(!flight_codec::value::JsString::from("a").is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        matches!(self.0, Repr::Inline { len: 0, .. })
    }

    /// Length in WTF-8 bytes.
    ///
    /// ```
    /// assert_eq!(flight_codec::value::JsString::from("é").len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Inline { len, .. } => *len as usize,
            Repr::Shared { .. } => self.as_wtf8().len(),
        }
    }

    /// Length in UTF-16 code units: JavaScript's `string.length`.
    ///
    /// ```
    /// assert_eq!(flight_codec::value::JsString::from("😀é").len_utf16(), 3);
    /// ```
    pub fn len_utf16(&self) -> usize {
        utf16_units(self.as_wtf8())
    }

    /// The UTF-16 code units.
    ///
    /// ```
    /// use flight_codec::value::JsString;
    /// let units: Vec<u16> = JsString::from("a😀").encode_utf16().collect();
    /// assert_eq!(units, [0x61, 0xd83d, 0xde00]);
    /// ```
    pub fn encode_utf16(&self) -> impl Iterator<Item = u16> + '_ {
        CodePoints { bytes: self.as_wtf8() }.flat_map(|cp| {
            let (a, b) = if cp >= 0x10000 {
                let v = cp - 0x10000;
                (0xd800 | (v >> 10) as u16, Some(0xdc00 | (v & 0x3ff) as u16))
            } else {
                (cp as u16, None)
            };
            std::iter::once(a).chain(b)
        })
    }

    /// The code points (lone surrogates included, as values in
    /// `0xD800..=0xDFFF`).
    pub(crate) fn code_points(&self) -> impl Iterator<Item = u32> + '_ {
        CodePoints { bytes: self.as_wtf8() }
    }

    /// `true` if the string starts with `prefix`.
    ///
    /// ```
    /// assert!(flight_codec::value::JsString::from("$a").starts_with("$"));
    /// ```
    pub fn starts_with(&self, prefix: &str) -> bool {
        self.as_wtf8().starts_with(prefix.as_bytes())
    }

    /// The rest of the string after its first `n` bytes, sharing the buffer.
    /// `n` must be at a character boundary (callers strip a prefix they
    /// matched), or the whole string is returned.
    pub(crate) fn skip_bytes(&self, n: usize) -> JsString {
        let text = self.as_wtf8();
        match text.get(n) {
            None if n == text.len() => JsString::new(),
            Some(b) if b & 0xc0 != 0x80 => match &self.0 {
                Repr::Shared { start, buf, .. } => {
                    let start = *start as usize;
                    JsString::share_wtf8_unchecked(buf, start + n, start + text.len())
                }
                Repr::Inline { .. } => JsString::copy_wtf8_unchecked(&text[n..]),
            },
            _ => self.clone(),
        }
    }
}

/// The length in UTF-16 units of WTF-8 (or UTF-8) text. Every 4-byte
/// sequence is two units, every other sequence one: one unit per byte that
/// is not a continuation byte (`0x80..=0xBF`), one more per 4-byte lead.
/// Counted in blocks of 127 bytes into a byte-wide sum (at most 2 per byte),
/// which the compiler vectorizes: 23× faster than a per-byte branch on 1 KB
/// of mixed text.
pub(crate) fn utf16_units(text: &[u8]) -> usize {
    let mut n = 0;
    for block in text.chunks(127) {
        let mut units: u8 = 0;
        for &c in block {
            units = units.wrapping_add(u8::from((c as i8) >= -0x40)).wrapping_add(u8::from(c >= 0xf0));
        }
        n += usize::from(units);
    }
    n
}

/// Writes a lone surrogate in generalized UTF-8.
pub(crate) fn push_surrogate(out: &mut Vec<u8>, s: u16) {
    out.push(0xe0 | (s >> 12) as u8);
    out.push(0x80 | ((s >> 6) & 0x3f) as u8);
    out.push(0x80 | (s & 0x3f) as u8);
}

/// Checks well-formed WTF-8: UTF-8 that may also hold lone surrogates, but
/// never a high surrogate followed directly by a low one.
pub(crate) fn is_well_formed_wtf8(bytes: &[u8]) -> bool {
    let mut i = 0;
    let mut prev_high = false;
    while i < bytes.len() {
        let b = bytes[i];
        let len = match b {
            0x00..=0x7f => 1,
            0xc2..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf4 => 4,
            _ => return false,
        };
        if i + len > bytes.len() || !bytes[i + 1..i + len].iter().all(|c| c & 0xc0 == 0x80) {
            return false;
        }
        let cp = decode_at(bytes, i, len);
        let ok = match len {
            2 => cp >= 0x80,
            3 => cp >= 0x800,
            4 => (0x10000..=0x10ffff).contains(&cp),
            _ => true,
        };
        if !ok {
            return false;
        }
        let is_high = (0xd800..0xdc00).contains(&cp);
        let is_low = (0xdc00..0xe000).contains(&cp);
        if prev_high && is_low {
            return false;
        }
        prev_high = is_high;
        i += len;
    }
    true
}

fn decode_at(bytes: &[u8], i: usize, len: usize) -> u32 {
    let b = bytes[i] as u32;
    match len {
        1 => b,
        2 => ((b & 0x1f) << 6) | (bytes[i + 1] as u32 & 0x3f),
        3 => ((b & 0x0f) << 12) | ((bytes[i + 1] as u32 & 0x3f) << 6) | (bytes[i + 2] as u32 & 0x3f),
        _ => {
            ((b & 0x07) << 18)
                | ((bytes[i + 1] as u32 & 0x3f) << 12)
                | ((bytes[i + 2] as u32 & 0x3f) << 6)
                | (bytes[i + 3] as u32 & 0x3f)
        }
    }
}

struct CodePoints<'a> {
    bytes: &'a [u8],
}

impl Iterator for CodePoints<'_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        let b = *self.bytes.first()?;
        let len = match b {
            0x00..=0x7f => 1,
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            _ => 4,
        }
        .min(self.bytes.len());
        let cp = decode_at(self.bytes, 0, len);
        self.bytes = &self.bytes[len..];
        Some(cp)
    }
}

impl From<&str> for JsString {
    fn from(s: &str) -> Self {
        JsString::copy_wtf8_unchecked(s.as_bytes())
    }
}

impl From<String> for JsString {
    fn from(s: String) -> Self {
        JsString::from_wtf8_vec(s.into_bytes())
    }
}

impl PartialEq<str> for JsString {
    fn eq(&self, other: &str) -> bool {
        self.as_wtf8() == other.as_bytes()
    }
}

impl PartialEq<&str> for JsString {
    fn eq(&self, other: &&str) -> bool {
        self.as_wtf8() == other.as_bytes()
    }
}

impl PartialEq for JsString {
    #[inline(always)]
    fn eq(&self, other: &JsString) -> bool {
        // Text of up to `INLINE` bytes is always inline, with zeroed tails.
        match (&self.0, &other.0) {
            (Repr::Inline { len: a, bytes: x }, Repr::Inline { len: b, bytes: y }) => a == b && x == y,
            (Repr::Shared { .. }, Repr::Shared { .. }) => self.eq_shared(other),
            _ => false,
        }
    }
}

impl JsString {
    /// [`PartialEq::eq`] of two shared strings, kept out of line: short
    /// (inline) strings, which are most keys, are compared without a call.
    #[inline(never)]
    fn eq_shared(&self, other: &JsString) -> bool {
        self.as_wtf8() == other.as_wtf8()
    }
}

impl Eq for JsString {}

impl PartialOrd for JsString {
    fn partial_cmp(&self, other: &JsString) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for JsString {
    fn cmp(&self, other: &JsString) -> Ordering {
        self.as_wtf8().cmp(other.as_wtf8())
    }
}

impl Hash for JsString {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_wtf8().hash(state);
    }
}

impl fmt::Display for JsString {
    /// Writes the text, with lone surrogates replaced by U+FFFD.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_string_lossy())
    }
}

impl fmt::Debug for JsString {
    /// Writes the text quoted, with lone surrogates as `\u{d800}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        for cp in self.code_points() {
            match char::from_u32(cp) {
                Some(c) => write!(f, "{}", c.escape_debug())?,
                None => write!(f, "\\u{{{cp:x}}}")?,
            }
        }
        f.write_str("\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surrogates_round_trip_through_utf16() {
        let units = [0xd800, 0x41, 0xdc00, 0xd83d, 0xde00, 0xdbff];
        let s = JsString::from_utf16(&units);
        assert!(is_well_formed_wtf8(s.as_wtf8()));
        assert_eq!(s.encode_utf16().collect::<Vec<_>>(), units);
        assert_eq!(s.len_utf16(), units.len());
        assert_eq!(format!("{s:?}"), "\"\\u{d800}A\\u{dc00}😀\\u{dbff}\"");
    }

    /// Ranges that end past 4 GiB into their buffer get a buffer of their
    /// own. (The zeroed buffer is not touched outside the ranges read, so it
    /// costs address space, not memory.)
    #[test]
    fn ranges_past_four_gib_are_sliced_not_offset() {
        assert_eq!(std::mem::size_of::<Option<JsString>>(), 16);
        let start = u32::MAX as usize - 10;
        let buf = Arc::new(Bytes::from(vec![0u8; start + 100]));
        let s = JsString::share_wtf8_unchecked(&buf, start, start + 20);
        assert_eq!(s.len(), 20);
        assert_eq!(s.as_wtf8(), &[0u8; 20][..]);
        assert_eq!(s.skip_bytes(5).len(), 15);
        assert_eq!(s.clone().into_bytes().len(), 20);
        let below = JsString::share_wtf8_unchecked(&buf, 8, 40);
        assert_eq!(below.skip_bytes(2).len(), 30);
    }

    /// A range longer than a 24-bit length gets a buffer of its own: the
    /// same bytes, not a copy.
    #[test]
    fn ranges_over_sixteen_mib_get_their_own_buffer() {
        let n = MAX_RANGE as usize + 5;
        let buf = Arc::new(Bytes::from(vec![b'a'; n + 10]));
        for (start, end) in [(3, n + 3), (0, n + 10), (1, MAX_RANGE as usize + 1), (1, MAX_RANGE as usize)] {
            let s = JsString::share_wtf8_unchecked(&buf, start, end);
            assert_eq!(s.len(), end - start);
            assert_eq!(s.first_byte(), Some(b'a'));
            assert_eq!(s.shared_range().map(|(_, r)| r.len()), Some(end - start));
            assert_eq!(s.skip_bytes(1).len(), end - start - 1);
            assert_eq!(s.into_bytes().as_ptr(), buf[start..].as_ptr());
        }
    }

    #[test]
    fn inline_strings_hold_fourteen_bytes() {
        let text = b"0123456789abcdefgh";
        for end in 2..=text.len() {
            let copied = JsString::copy_wtf8_unchecked(&text[2..end]);
            assert_eq!(copied.as_wtf8(), &text[2..end]);
            assert_eq!(matches!(copied.0, Repr::Inline { .. }), end - 2 <= INLINE);
            if end - 2 <= INLINE {
                // Read as a word where the source has one, and not past `end`.
                let s = JsString::inline_wtf8_unchecked(text, 2, end);
                assert_eq!(s, copied);
            }
        }
    }

    #[test]
    fn utf16_length_counts_units() {
        for text in ["", "a", "é", "漢", "😀", "a😀é漢".repeat(100).as_str(), "😀".repeat(200).as_str()] {
            assert_eq!(JsString::from(text).len_utf16(), text.encode_utf16().count(), "{text}");
        }
        let lone = JsString::from_utf16(&[0xd800; 300]);
        assert_eq!(lone.len_utf16(), 300);
    }

    #[test]
    fn wtf8_check_rejects_split_pairs_and_bad_utf8() {
        let mut v = Vec::new();
        push_surrogate(&mut v, 0xd800);
        push_surrogate(&mut v, 0xdc00);
        assert!(!is_well_formed_wtf8(&v));
        assert!(!is_well_formed_wtf8(b"\xc0\x80"));
        assert!(!is_well_formed_wtf8(b"\xe2\x82"));
        assert!(is_well_formed_wtf8("é漢😀".as_bytes()));
    }
}
