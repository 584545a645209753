//! A pull reader for JSON text that accepts exactly what `JSON.parse` accepts.
//!
//! The reader is iterative (an explicit stack of one bit per open container),
//! runs in time linear in the input, and never panics. It allocates only for
//! strings that contain escapes (decoded in a reused scratch buffer, then
//! copied once into a buffer of their exact size) and for nesting deeper than
//! 64 levels (one word per 64 levels actually open).

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;

use crate::swar::{has_zero, load8, non_digits, HIGHS, ONES};
use crate::value::string::{push_surrogate, INLINE};
use crate::value::JsString;

/// The nesting limit used by [`Reader::new`].
///
/// `JSON.parse` has no fixed limit; this one keeps the recursive code that
/// usually consumes the tokens (building and dropping trees) within the
/// stack. Use [`Reader::with_max_depth`] for another limit.
///
/// ```
/// use flight_codec::json::{JsonErrorKind, Reader, DEFAULT_MAX_DEPTH};
/// let src = bytes::Bytes::from("[".repeat(DEFAULT_MAX_DEPTH + 1));
/// let mut r = Reader::new(&src);
/// for _ in 0..DEFAULT_MAX_DEPTH {
///     r.next()?;
/// }
/// assert_eq!(r.next().unwrap_err().kind, JsonErrorKind::DepthLimit { limit: DEFAULT_MAX_DEPTH });
/// # Ok::<(), flight_codec::json::JsonError>(())
/// ```
pub const DEFAULT_MAX_DEPTH: usize = 1000;

/// One token of JSON text.
///
/// Containers are bracketed by `Begin`/`End` tokens; inside an object, every
/// value is preceded by its [`Token::Key`].
///
/// ```
/// use flight_codec::json::{Reader, Token};
/// let src = bytes::Bytes::from_static(br#"{"k":null}"#);
/// let mut r = Reader::new(&src);
/// assert_eq!(r.next()?, Some(Token::BeginObject));
/// assert_eq!(r.next()?, Some(Token::Key("k".into())));
/// assert_eq!(r.next()?, Some(Token::Null));
/// # Ok::<(), flight_codec::json::JsonError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    /// `[`
    BeginArray,
    /// `]`
    EndArray,
    /// `{`
    BeginObject,
    /// `}`
    EndObject,
    /// An object member's name (the string before the `:`).
    Key(JsString),
    /// A string value.
    String(JsString),
    /// A number, rounded to the nearest `f64` as `JSON.parse` does: `1e400` is
    /// infinity and `-0` is negative zero.
    Number(f64),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
}

/// What went wrong in a [`JsonError`].
///
/// ```
/// use flight_codec::json::{JsonErrorKind, Reader};
/// let src = bytes::Bytes::from_static(b"tru");
/// let err = Reader::new(&src).next().unwrap_err();
/// assert_eq!(err.kind, JsonErrorKind::UnexpectedEnd);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonErrorKind {
    /// The input ended before the value was complete (this includes empty
    /// input and unterminated strings and containers).
    UnexpectedEnd,
    /// A character that does not belong in a literal (`true`, `false`,
    /// `null`), such as the `x` in `trux`.
    UnexpectedChar {
        /// The offending character (U+FFFD if the input is not UTF-8 there).
        found: char,
    },
    /// A value was expected but the character cannot start one (`]` after a
    /// `,`, a `+`, a `.`, a `'`, …).
    ExpectedValue,
    /// A malformed number: a leading zero followed by a digit, or a `-`, `.`
    /// or exponent not followed by a digit.
    InvalidNumber,
    /// A backslash followed by anything but `" \ / b f n r t u`, or `\u`
    /// followed by something other than four hex digits.
    InvalidEscape,
    /// An unescaped control character (below U+0020) inside a string.
    ControlCharacter,
    /// Bytes inside a string that are not UTF-8.
    InvalidUtf8,
    /// An object key not followed by `:`.
    ExpectedColon,
    /// An array element not followed by `,` or `]`.
    ExpectedCommaOrBracket,
    /// An object member not followed by `,` or `}`.
    ExpectedCommaOrBrace,
    /// Something other than a string where an object key belongs (including
    /// the `}` of a trailing comma).
    KeyMustBeString,
    /// Something other than whitespace after the top-level value.
    TrailingCharacters,
    /// More containers open at once than the reader's limit.
    DepthLimit {
        /// The limit that was exceeded.
        limit: usize,
    },
}

/// A syntax error in JSON text: its kind and the byte offset where it was
/// found.
///
/// ```
/// use bytes::Bytes;
/// use flight_codec::json::{JsonErrorKind, Reader};
///
/// let src = Bytes::from_static(b"[1 2]");
/// let mut r = Reader::new(&src);
/// r.next().unwrap(); // [
/// r.next().unwrap(); // 1
/// let err = r.next().unwrap_err();
/// assert_eq!(err.kind, JsonErrorKind::ExpectedCommaOrBracket);
/// assert_eq!(err.offset, 3);
/// assert_eq!(err.to_string(), "expected `,` or `]` at byte 3");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// What went wrong.
    pub kind: JsonErrorKind,
    /// Byte offset in the input of the offending byte (the input's length when
    /// it ended too early).
    pub offset: usize,
}

impl JsonError {
    fn new(kind: JsonErrorKind, offset: usize) -> Self {
        JsonError { kind, offset }
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            JsonErrorKind::UnexpectedEnd => f.write_str("unexpected end of JSON input")?,
            JsonErrorKind::UnexpectedChar { found } => write!(f, "unexpected character `{}`", found.escape_debug())?,
            JsonErrorKind::ExpectedValue => f.write_str("expected value")?,
            JsonErrorKind::InvalidNumber => f.write_str("invalid number")?,
            JsonErrorKind::InvalidEscape => f.write_str("invalid escape in string")?,
            JsonErrorKind::ControlCharacter => f.write_str("control character in string")?,
            JsonErrorKind::InvalidUtf8 => f.write_str("invalid UTF-8 in string")?,
            JsonErrorKind::ExpectedColon => f.write_str("expected `:`")?,
            JsonErrorKind::ExpectedCommaOrBracket => f.write_str("expected `,` or `]`")?,
            JsonErrorKind::ExpectedCommaOrBrace => f.write_str("expected `,` or `}`")?,
            JsonErrorKind::KeyMustBeString => f.write_str("key must be a string")?,
            JsonErrorKind::TrailingCharacters => f.write_str("trailing characters")?,
            JsonErrorKind::DepthLimit { limit } => write!(f, "nesting deeper than {limit}")?,
        }
        write!(f, " at byte {}", self.offset)
    }
}

impl std::error::Error for JsonError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// A value must come next (top level, after `,` in an array, after `:`).
    Value,
    /// Just after `[`: a value or `]`.
    ArrayFirst,
    /// Just after `{`: a key or `}`.
    ObjectFirst,
    /// After a key: `:` then a value.
    Colon,
    /// After a complete value: `,` or the closing bracket, or the end of input
    /// at the top level.
    AfterValue,
    /// The document is complete.
    Done,
    /// An error was returned; it is returned again.
    Failed,
}

/// A pull reader over JSON text, yielding one [`Token`] per call to
/// [`Reader::next`].
///
/// It accepts exactly the grammar `JSON.parse` accepts (RFC 8259): only
/// space, tab, line feed and carriage return as whitespace, no trailing
/// commas, no leading zeros, no comments. Strings are returned as
/// [`JsString`]s: a string without escapes is a zero-copy slice of the input,
/// and `\uXXXX` escapes of lone surrogates are kept as lone surrogates.
/// Duplicate keys are passed through as they come.
///
/// The reader does not recurse, so nesting depth is bounded only by the limit
/// given to [`Reader::with_max_depth`]. Once it has returned an error it keeps
/// returning that error.
///
/// ```
/// use bytes::Bytes;
/// use flight_codec::json::{Reader, Token};
///
/// let src = Bytes::from_static(br#"{"a": [1, "x\ud800"]}"#);
/// let mut r = Reader::new(&src);
/// let mut tokens = Vec::new();
/// while let Some(t) = r.next()? {
///     tokens.push(t);
/// }
/// assert_eq!(tokens.len(), 7);
/// assert_eq!(tokens[1], Token::Key("a".into()));
/// assert_eq!(tokens[3], Token::Number(1.0));
/// let Token::String(s) = &tokens[4] else { panic!() };
/// assert_eq!(s.encode_utf16().collect::<Vec<_>>(), [0x78, 0xd800]);
/// # Ok::<(), flight_codec::json::JsonError>(())
/// ```
#[derive(Debug)]
pub struct Reader<'a> {
    src: &'a Bytes,
    pos: usize,
    state: State,
    depth: usize,
    max_depth: usize,
    /// One bit per open container, set for objects: levels 0..64 here …
    kinds: u64,
    /// … and deeper levels here, 64 per word.
    deeper: Vec<u64>,
    /// Whether the innermost open container is an object (its bit, kept
    /// apart: read after every value).
    in_object: bool,
    /// Reused buffer for decoding strings with escapes.
    scratch: Vec<u8>,
    error: Option<JsonError>,
    /// The source is known to be UTF-8: strings are not checked again.
    utf8: bool,
    /// Strings without escapes are not sliced: the token holds an empty
    /// string and [`Reader::take_raw`] gives their byte range.
    lazy: bool,
    raw: Option<(usize, usize)>,
    /// `src`, shared by the strings sliced from it (made on the first one).
    shared: Option<Arc<Bytes>>,
}

impl<'a> Reader<'a> {
    /// A reader over `src` with the nesting limit [`DEFAULT_MAX_DEPTH`].
    ///
    /// `src` should be UTF-8; strings that are not are reported as
    /// [`JsonErrorKind::InvalidUtf8`], and any other non-ASCII byte outside a
    /// string is a syntax error anyway.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use flight_codec::json::{Reader, Token};
    /// let src = Bytes::from_static(b" true ");
    /// let mut r = Reader::new(&src);
    /// assert_eq!(r.next(), Ok(Some(Token::Bool(true))));
    /// assert_eq!(r.next(), Ok(None));
    /// ```
    pub fn new(src: &'a Bytes) -> Self {
        Self::with_max_depth(src, DEFAULT_MAX_DEPTH)
    }

    /// A reader over `src` that allows at most `max_depth` containers open at
    /// once; one more is [`JsonErrorKind::DepthLimit`]. `usize::MAX` means no
    /// limit.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use flight_codec::json::Reader;
    /// let src = Bytes::from_static(b"[[]]");
    /// let mut r = Reader::with_max_depth(&src, 1);
    /// r.next().unwrap();
    /// assert_eq!(r.next().unwrap_err().to_string(), "nesting deeper than 1 at byte 1");
    /// ```
    pub fn with_max_depth(src: &'a Bytes, max_depth: usize) -> Self {
        Reader {
            src,
            pos: 0,
            state: State::Value,
            depth: 0,
            max_depth,
            kinds: 0,
            deeper: Vec::new(),
            in_object: false,
            scratch: Vec::new(),
            error: None,
            utf8: false,
            lazy: false,
            raw: None,
            shared: None,
        }
    }

    /// Tells the reader that `src` is UTF-8 (checked by the caller), so
    /// that strings are not checked again.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use flight_codec::json::{Reader, Token};
    /// let src = Bytes::from_static("\"é\"".as_bytes());
    /// assert!(std::str::from_utf8(&src).is_ok());
    /// let mut r = Reader::new(&src).assume_utf8();
    /// assert!(matches!(r.next(), Ok(Some(Token::String(_)))));
    /// ```
    pub fn assume_utf8(mut self) -> Self {
        self.utf8 = true;
        self
    }

    /// Makes strings without escapes lazy (see [`Reader::take_raw`]).
    pub(crate) fn lazy_strings(mut self) -> Self {
        self.lazy = true;
        self
    }

    /// The byte range (between the quotes) of the last string or key read
    /// lazily; `None` if it had escapes (the token then holds it).
    #[inline(always)]
    pub(crate) fn take_raw(&mut self) -> Option<(usize, usize)> {
        self.raw.take()
    }

    /// The string a lazy token stands for: `src[start..end]`, a range
    /// [`Reader::take_raw`] gave (checked text without escapes).
    #[inline(always)]
    pub(crate) fn slice_raw(&mut self, start: usize, end: usize) -> JsString {
        if end - start <= INLINE {
            return JsString::inline_wtf8_unchecked(self.src, start, end);
        }
        let src = self.src;
        JsString::share_wtf8_unchecked(self.shared.get_or_insert_with(|| Arc::new(src.clone())), start, end)
    }

    /// The byte offset of the next unread byte.
    ///
    /// ```
    /// let src = bytes::Bytes::from_static(b"[1, 2]");
    /// let mut r = flight_codec::json::Reader::new(&src);
    /// r.next()?;
    /// r.next()?;
    /// assert_eq!(r.offset(), 2);
    /// # Ok::<(), flight_codec::json::JsonError>(())
    /// ```
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// The number of containers currently open.
    ///
    /// ```
    /// let src = bytes::Bytes::from_static(b"[[]]");
    /// let mut r = flight_codec::json::Reader::new(&src);
    /// r.next()?;
    /// r.next()?;
    /// assert_eq!(r.depth(), 2);
    /// # Ok::<(), flight_codec::json::JsonError>(())
    /// ```
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The next token, or `Ok(None)` once the single top-level value and any
    /// whitespace after it have been read.
    ///
    /// # Errors
    /// Any syntax error, including empty input, unterminated containers and
    /// anything but whitespace after the top-level value. After an error,
    /// every further call returns the same error.
    ///
    /// ```
    /// use flight_codec::json::{Reader, Token};
    /// let src = bytes::Bytes::from_static(b"[] x");
    /// let mut r = Reader::new(&src);
    /// assert_eq!(r.next()?, Some(Token::BeginArray));
    /// assert_eq!(r.next()?, Some(Token::EndArray));
    /// assert_eq!(r.next().unwrap_err().to_string(), "trailing characters at byte 3");
    /// # Ok::<(), flight_codec::json::JsonError>(())
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Token>, JsonError> {
        self.step()
    }

    /// [`Reader::next`], inlined into the caller (the graph builder's loop).
    #[inline(always)]
    pub(crate) fn next_inline(&mut self) -> Result<Option<Token>, JsonError> {
        self.step()
    }

    /// Records `e` as the reader's final answer and returns it.
    #[cold]
    fn fail<T>(&mut self, e: JsonError) -> Result<T, JsonError> {
        self.state = State::Failed;
        self.error = Some(e.clone());
        Err(e)
    }

    #[cold]
    fn err<T>(&mut self, kind: JsonErrorKind, offset: usize) -> Result<T, JsonError> {
        self.fail(JsonError::new(kind, offset))
    }

    #[cold]
    fn end<T>(&mut self) -> Result<T, JsonError> {
        self.err(JsonErrorKind::UnexpectedEnd, self.src.len())
    }

    #[inline]
    fn skip_ws(&mut self) -> Option<u8> {
        let src: &[u8] = self.src;
        while let Some(&b) = src.get(self.pos) {
            match b {
                b' ' | b'\n' | b'\r' | b'\t' => self.pos += 1,
                _ => return Some(b),
            }
        }
        None
    }

    #[inline(always)]
    fn step(&mut self) -> Result<Option<Token>, JsonError> {
        match self.state {
            State::Value => {
                let b = self.skip_ws();
                self.value(b)
            }
            State::AfterValue => self.after_value(),
            State::ArrayFirst => match self.skip_ws() {
                Some(b']') => {
                    self.pos += 1;
                    self.pop();
                    Ok(Some(Token::EndArray))
                }
                b => self.value(b),
            },
            State::ObjectFirst => match self.skip_ws() {
                Some(b'}') => {
                    self.pos += 1;
                    self.pop();
                    Ok(Some(Token::EndObject))
                }
                b => self.key(b),
            },
            State::Colon => match self.skip_ws() {
                Some(b':') => {
                    self.pos += 1;
                    let b = self.skip_ws();
                    self.value(b)
                }
                Some(_) => self.err(JsonErrorKind::ExpectedColon, self.pos),
                None => self.end(),
            },
            State::Done => Ok(None),
            State::Failed => match &self.error {
                Some(e) => Err(e.clone()),
                None => Ok(None),
            },
        }
    }

    #[inline(always)]
    fn after_value(&mut self) -> Result<Option<Token>, JsonError> {
        let b = self.skip_ws();
        if self.depth == 0 {
            return match b {
                None => {
                    self.state = State::Done;
                    Ok(None)
                }
                Some(_) => self.err(JsonErrorKind::TrailingCharacters, self.pos),
            };
        }
        let in_object = self.in_object;
        match b {
            Some(b',') => {
                self.pos += 1;
                let b = self.skip_ws();
                if in_object {
                    self.key(b)
                } else {
                    self.value(b)
                }
            }
            Some(b']') if !in_object => {
                self.pos += 1;
                self.pop();
                Ok(Some(Token::EndArray))
            }
            Some(b'}') if in_object => {
                self.pos += 1;
                self.pop();
                Ok(Some(Token::EndObject))
            }
            Some(_) if in_object => self.err(JsonErrorKind::ExpectedCommaOrBrace, self.pos),
            Some(_) => self.err(JsonErrorKind::ExpectedCommaOrBracket, self.pos),
            None => self.end(),
        }
    }

    /// Reads a value starting at `self.pos` (whitespace already skipped;
    /// `b` is the byte there).
    #[inline(always)]
    fn value(&mut self, b: Option<u8>) -> Result<Option<Token>, JsonError> {
        let token = match b {
            Some(b'"') => Token::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => Token::Number(self.number()?),
            Some(b'[') => {
                self.push(false)?;
                self.state = State::ArrayFirst;
                return Ok(Some(Token::BeginArray));
            }
            Some(b'{') => {
                self.push(true)?;
                self.state = State::ObjectFirst;
                return Ok(Some(Token::BeginObject));
            }
            Some(b't') => {
                self.word(b"true")?;
                Token::Bool(true)
            }
            Some(b'f') => {
                self.word(b"false")?;
                Token::Bool(false)
            }
            Some(b'n') => {
                self.word(b"null")?;
                Token::Null
            }
            Some(_) => return self.err(JsonErrorKind::ExpectedValue, self.pos),
            None => return self.end(),
        };
        self.state = State::AfterValue;
        Ok(Some(token))
    }

    #[inline(always)]
    fn key(&mut self, b: Option<u8>) -> Result<Option<Token>, JsonError> {
        match b {
            Some(b'"') => {
                let s = self.string()?;
                self.state = State::Colon;
                Ok(Some(Token::Key(s)))
            }
            Some(_) => self.err(JsonErrorKind::KeyMustBeString, self.pos),
            None => self.end(),
        }
    }

    #[inline]
    fn push(&mut self, object: bool) -> Result<(), JsonError> {
        if self.depth >= self.max_depth {
            return self.err(JsonErrorKind::DepthLimit { limit: self.max_depth }, self.pos);
        }
        let d = self.depth;
        let word = if d < 64 {
            &mut self.kinds
        } else {
            let i = d / 64 - 1;
            if i == self.deeper.len() {
                self.deeper.push(0);
            }
            match self.deeper.get_mut(i) {
                Some(w) => w,
                None => return self.err(JsonErrorKind::DepthLimit { limit: d }, self.pos),
            }
        };
        let bit = 1u64 << (d % 64);
        if object {
            *word |= bit;
        } else {
            *word &= !bit;
        }
        self.in_object = object;
        self.depth += 1;
        self.pos += 1;
        Ok(())
    }

    fn pop(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        self.in_object = match self.depth.checked_sub(1) {
            Some(top) => self.is_object(top),
            None => false,
        };
        self.state = State::AfterValue;
    }

    fn is_object(&self, level: usize) -> bool {
        let word = if level < 64 { self.kinds } else { self.deeper.get(level / 64 - 1).copied().unwrap_or(0) };
        (word >> (level % 64)) & 1 == 1
    }

    /// Reads the literal `lit` at `self.pos`: compared whole where it is
    /// there, else byte by byte by [`Reader::literal`] (which finds the error).
    #[inline(always)]
    fn word(&mut self, lit: &'static [u8]) -> Result<(), JsonError> {
        let src: &[u8] = self.src;
        if src.get(self.pos..self.pos + lit.len()) == Some(lit) {
            self.pos += lit.len();
            return Ok(());
        }
        self.literal(lit)
    }

    #[inline(never)]
    fn literal(&mut self, lit: &'static [u8]) -> Result<(), JsonError> {
        let src: &[u8] = self.src;
        for (k, &want) in lit.iter().enumerate() {
            let at = self.pos + k;
            match src.get(at) {
                Some(&b) if b == want => {}
                Some(_) => {
                    let found = char_at(src, at);
                    return self.err(JsonErrorKind::UnexpectedChar { found }, at);
                }
                None => return self.end(),
            }
        }
        self.pos += lit.len();
        Ok(())
    }

    /// Reads a number starting at `self.pos` (a `-` or a digit).
    ///
    /// The common shape, at most 7 integer digits and at most 7 fraction
    /// digits without an exponent, is read a word at a time: its digits are
    /// an exact integer below 2^53 and its scale an exact power of ten, so
    /// one division rounds it correctly. Anything else (and every error)
    /// goes to [`Reader::number_slow`].
    #[inline(always)]
    fn number(&mut self) -> Result<f64, JsonError> {
        let src: &[u8] = self.src;
        let start = self.pos;
        let negative = src.get(start) == Some(&b'-');
        let i = start + usize::from(negative);
        let t = load8(src, i).wrapping_sub(ONES * 0x30);
        let n = leading_digits(t);
        // 1..=7 digits, and no leading zero.
        if n.wrapping_sub(1) < 7 && (n == 1 || t & 0xff != 0) {
            let mut mantissa = digits_value(t, n);
            let mut i = i + n;
            let mut scale = 0;
            // The byte after the digits, from the word (exact: see
            // `leading_digits`; 0 past the end).
            let mut next = ((t >> (8 * n as u32)) as u8).wrapping_add(b'0');
            if next == b'.' {
                let t = load8(src, i + 1).wrapping_sub(ONES * 0x30);
                let k = leading_digits(t);
                if k.wrapping_sub(1) >= 7 {
                    return self.number_slow();
                }
                mantissa = mantissa * POW10_U64[k & 15] + digits_value(t, k);
                i += 1 + k;
                scale = k;
                next = ((t >> (8 * k as u32)) as u8).wrapping_add(b'0');
            }
            if next | 0x20 != b'e' {
                self.pos = i;
                // At most 14 digits: exact, as is 10^scale.
                let v = mantissa as f64 / POW10[scale & 7];
                return Ok(if negative { -v } else { v });
            }
        }
        self.number_slow()
    }

    /// [`Reader::number`] for every number: digits of any length,
    /// exponents, and errors.
    #[inline(never)]
    fn number_slow(&mut self) -> Result<f64, JsonError> {
        let src: &[u8] = self.src;
        let start = self.pos;
        let mut i = start;
        let negative = src.get(i) == Some(&b'-');
        if negative {
            i += 1;
        }
        // The digits, accumulated as an integer; exact while there are at
        // most 19 of them (wrapping after that, and then unused).
        let mut mantissa: u64 = 0;
        let int_start = i;
        match src.get(i) {
            Some(b'0') => {
                i += 1;
                if let Some(b'0'..=b'9') = src.get(i) {
                    return self.err(JsonErrorKind::InvalidNumber, i);
                }
            }
            Some(b'1'..=b'9') => i = digits(src, i, &mut mantissa),
            Some(_) => return self.err(JsonErrorKind::InvalidNumber, i),
            None => return self.end(),
        }
        let mut count = i - int_start;
        let mut exponent: i64 = 0;
        if src.get(i) == Some(&b'.') {
            i += 1;
            let frac_start = i;
            i = digits(src, i, &mut mantissa);
            if i == frac_start {
                return match src.get(i) {
                    Some(_) => self.err(JsonErrorKind::InvalidNumber, i),
                    None => self.end(),
                };
            }
            count += i - frac_start;
            exponent = -((i - frac_start) as i64);
        }
        if let Some(b'e' | b'E') = src.get(i) {
            i += 1;
            let exp_negative = match src.get(i) {
                Some(b'-') => {
                    i += 1;
                    true
                }
                Some(b'+') => {
                    i += 1;
                    false
                }
                _ => false,
            };
            let exp_start = i;
            let mut e: i64 = 0;
            while let Some(&d @ b'0'..=b'9') = src.get(i) {
                // Saturates far beyond the range of f64.
                if e < 1 << 40 {
                    e = e * 10 + i64::from(d - b'0');
                }
                i += 1;
            }
            if i == exp_start {
                return match src.get(i) {
                    Some(_) => self.err(JsonErrorKind::InvalidNumber, i),
                    None => self.end(),
                };
            }
            exponent += if exp_negative { -e } else { e };
        }
        self.pos = i;

        if count <= 19 {
            if let Some(v) = decimal_to_f64(mantissa, exponent) {
                return Ok(if negative { -v } else { v });
            }
        }
        // Rust's parser is correctly rounded, saturates to infinity and zero,
        // and accepts every JSON number.
        let text = src.get(start..i).unwrap_or_default();
        match std::str::from_utf8(text).ok().and_then(|t| t.parse::<f64>().ok()) {
            Some(v) => Ok(v),
            None => self.err(JsonErrorKind::InvalidNumber, start),
        }
    }

    /// Reads a string starting at `self.pos` (the opening quote).
    #[inline(always)]
    fn string(&mut self) -> Result<JsString, JsonError> {
        let src: &[u8] = self.src;
        let start = self.pos + 1;
        let end = scan_ascii(src, start);
        if src.get(end) == Some(&b'"') {
            // The common case: ASCII text without escapes, sliced zero-copy.
            self.pos = end + 1;
            return Ok(self.unescaped(start, end));
        }
        // The text so far is plain ASCII: the scan for the end goes on
        // from where this one stopped.
        let mut high = 0u8;
        let end = scan_string(src, end, &mut high);
        self.string_slow(start, end, high)
    }

    /// A string without escapes, `src[start..end]`: sliced zero-copy, or (lazy
    /// strings) only its range recorded.
    #[inline(always)]
    fn unescaped(&mut self, start: usize, end: usize) -> JsString {
        if self.lazy {
            self.raw = Some((start, end));
            return JsString::new();
        }
        self.slice_raw(start, end)
    }

    /// The rest of [`Reader::string`]: `src[start..end]` is text without
    /// escapes that may need UTF-8 validation, and `src[end]` is whatever
    /// stopped the scan.
    #[inline(never)]
    fn string_slow(&mut self, start: usize, end: usize, high: u8) -> Result<JsString, JsonError> {
        let src: &[u8] = self.src;
        if let Err(e) = check_utf8(src, start, end, if self.utf8 { 0 } else { high }) {
            return self.fail(e);
        }
        match src.get(end) {
            Some(b'"') => {
                self.pos = end + 1;
                Ok(self.unescaped(start, end))
            }
            Some(b'\\') => {
                let mut out = std::mem::take(&mut self.scratch);
                out.clear();
                let result = self.unescape(&mut out, start, end);
                self.scratch = out;
                match result {
                    Ok(s) => Ok(s),
                    // Errors from the helpers have not been recorded yet.
                    Err(e) => self.fail(e),
                }
            }
            Some(_) => self.err(JsonErrorKind::ControlCharacter, end),
            None => self.end(),
        }
    }

    /// Decodes a string with escapes into `out`: `src[start..i]` is checked
    /// text and `src[i]` is a backslash.
    fn unescape(&mut self, out: &mut Vec<u8>, start: usize, mut i: usize) -> Result<JsString, JsonError> {
        let src: &[u8] = self.src;
        out.extend_from_slice(src.get(start..i).unwrap_or_default());
        loop {
            // src[i] is a backslash.
            i += 1;
            let Some(&e) = src.get(i) else {
                return self.end();
            };
            match e {
                b'"' | b'\\' | b'/' => out.push(e),
                b'b' => out.push(0x08),
                b'f' => out.push(0x0c),
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b't' => out.push(b'\t'),
                b'u' => {
                    let unit = hex4(src, i + 1)?;
                    i += 4;
                    if (0xd800..0xdc00).contains(&unit)
                        && src.get(i + 1) == Some(&b'\\')
                        && src.get(i + 2) == Some(&b'u')
                    {
                        let low = hex4(src, i + 3)?;
                        if (0xdc00..0xe000).contains(&low) {
                            let cp = 0x10000 + ((u32::from(unit) - 0xd800) << 10) + (u32::from(low) - 0xdc00);
                            push_char(out, cp);
                            i += 6;
                        } else {
                            push_surrogate(out, unit);
                        }
                    } else if (0xd800..0xe000).contains(&unit) {
                        push_surrogate(out, unit);
                    } else {
                        push_char(out, u32::from(unit));
                    }
                }
                _ => return self.err(JsonErrorKind::InvalidEscape, i),
            }
            i += 1;
            let run = i;
            let mut high = 0u8;
            i = scan_string(src, run, &mut high);
            check_utf8(src, run, i, if self.utf8 { 0 } else { high })?;
            out.extend_from_slice(src.get(run..i).unwrap_or_default());
            match src.get(i) {
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok(JsString::copy_wtf8_unchecked(out));
                }
                Some(b'\\') => {}
                Some(_) => return self.err(JsonErrorKind::ControlCharacter, i),
                None => return self.end(),
            }
        }
    }
}

const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// 2^53: integers up to here are exact in an f64.
const MAX_EXACT: u64 = 1 << 53;

/// 10^0 ..= 10^38, every power of ten that fits in a `u128`.
const POW10_U128: [u128; 39] = {
    let mut table = [1u128; 39];
    let mut i = 1;
    while i < table.len() {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
};

/// `mantissa * 10^exponent` correctly rounded, for the common cases that
/// need no big-number arithmetic; `None` for the rest.
#[inline]
fn decimal_to_f64(mantissa: u64, exponent: i64) -> Option<f64> {
    if mantissa == 0 {
        return Some(0.0);
    }
    if mantissa <= MAX_EXACT && (-22..=22).contains(&exponent) {
        // Clinger's fast path: an exact mantissa times or divided by an
        // exact power of ten, rounded once by the IEEE operation.
        let m = mantissa as f64;
        return Some(if exponent >= 0 { m * POW10[exponent as usize] } else { m / POW10[(-exponent) as usize] });
    }
    if exponent >= 0 {
        // The product is an exact integer if it fits in 128 bits, and the
        // conversion rounds it once (to nearest, ties to even).
        let p = POW10_U128.get(usize::try_from(exponent).ok()?)?;
        return Some(u128::from(mantissa).checked_mul(*p)? as f64);
    }
    // mantissa / 10^k with k <= 21: scale the mantissa up to bit 127 and
    // divide. The quotient then has at least 57 bits, so folding a nonzero
    // remainder into its lowest bit (a sticky bit) makes the one rounding of
    // the conversion equal to rounding the exact quotient. Scaling back down
    // by 2^-shift is exact: the result is far from the subnormal range.
    let k = usize::try_from(-exponent).ok().filter(|k| *k <= 21)?;
    let divisor = POW10_U128[k];
    let shift = 64 + mantissa.leading_zeros();
    let n = u128::from(mantissa) << shift;
    let q = (n / divisor) | u128::from(n % divisor != 0);
    Some(q as f64 * f64::from_bits(u64::from(1023 - shift) << 52))
}

/// 10^0 ..= 10^15 (a table of 16, indexed with `& 15`: the word readers need at most 10^8).
const POW10_U64: [u64; 16] = {
    let mut table = [1u64; 16];
    let mut i = 1;
    while i < table.len() {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
};

/// For `t`, eight bytes (in memory order) less `0x30` each (with
/// `wrapping_sub` of the whole word): how many are ASCII digits before the
/// first that is not (8 if all are).
#[inline(always)]
fn leading_digits(t: u64) -> usize {
    // (Exact up to and including the first non-digit: see `non_digits`.)
    (non_digits(t).trailing_zeros() / 8) as usize
}

/// The value of the first `n` (1..=8) digits of `t` (as [`leading_digits`]
/// takes it: digit values, the most significant first in memory order).
#[inline(always)]
fn digits_value(t: u64, n: usize) -> u64 {
    // The digits to the top of the word, zeros (leading zeros) below them;
    // the bytes after them are shifted out.
    let v = t << ((8 * (8 - n)) & 63) as u32;
    // Pairs, then quadruples, then all eight.
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    let v = (v & 0x0000_00ff_0000_00ff)
        .wrapping_mul(100 + (1_000_000 << 32))
        .wrapping_add(((v >> 16) & 0x0000_00ff_0000_00ff).wrapping_mul(1 + (10_000 << 32)));
    v >> 32
}

/// Reads decimal digits from `src[i..]` into `mantissa` (wrapping), and
/// returns the index after them: eight bytes at a time where eight remain.
#[inline(always)]
fn digits(src: &[u8], mut i: usize, mantissa: &mut u64) -> usize {
    while let Some(chunk) = src.get(i..i + 8) {
        let Ok(bytes) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let t = u64::from_le_bytes(bytes).wrapping_sub(ONES * 0x30);
        let n = leading_digits(t);
        if n == 0 {
            return i;
        }
        *mantissa = mantissa.wrapping_mul(POW10_U64[n & 15]).wrapping_add(digits_value(t, n));
        i += n;
        if n < 8 {
            return i;
        }
    }
    while let Some(&b) = src.get(i) {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        *mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
        i += 1;
    }
    i
}

fn push_char(out: &mut Vec<u8>, cp: u32) {
    let c = char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER);
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

/// Four hex digits at `src[at..]`.
fn hex4(src: &[u8], at: usize) -> Result<u16, JsonError> {
    let mut v: u16 = 0;
    for k in 0..4 {
        let d = match src.get(at + k) {
            Some(&b @ b'0'..=b'9') => b - b'0',
            Some(&b @ b'a'..=b'f') => b - b'a' + 10,
            Some(&b @ b'A'..=b'F') => b - b'A' + 10,
            Some(_) => return Err(JsonError::new(JsonErrorKind::InvalidEscape, at + k)),
            None => return Err(JsonError::new(JsonErrorKind::UnexpectedEnd, src.len())),
        };
        v = (v << 4) | u16::from(d);
    }
    Ok(v)
}

/// Checks that `src[start..end]` is UTF-8 if any byte has its high bit set.
#[inline]
fn check_utf8(src: &[u8], start: usize, end: usize, high: u8) -> Result<(), JsonError> {
    if high & 0x80 == 0 {
        return Ok(());
    }
    match crate::utf8::validate(src.get(start..end).unwrap_or_default()) {
        Ok(_) => Ok(()),
        Err(e) => Err(JsonError::new(JsonErrorKind::InvalidUtf8, start + e.valid_up_to())),
    }
}

/// Nonzero if some byte of `w` is below 0x20.
#[inline(always)]
fn has_control(w: u64) -> u64 {
    w.wrapping_sub(ONES * 0x20) & !w & HIGHS
}

/// A mask of the `n` lowest bytes of a word (`n` < 8).
#[inline(always)]
fn low_bytes(n: usize) -> u64 {
    (1u64 << (8 * n as u32)).wrapping_sub(1)
}

/// The index of the first `"`, `\` or control character at or after `i`
/// (or `src.len()`), OR-ing every byte passed over into `high`.
#[inline]
fn scan_string(src: &[u8], mut i: usize, high: &mut u8) -> usize {
    let mut acc = 0u64;
    while let Some(chunk) = src.get(i..i + 8) {
        let Ok(bytes) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let w = u64::from_le_bytes(bytes);
        let stop = has_zero(w ^ (ONES * u64::from(b'"'))) | has_zero(w ^ (ONES * u64::from(b'\\'))) | has_control(w);
        if stop != 0 {
            // The lowest flagged byte is exactly the first special one
            // (the false positives of these tests only come above a true one).
            let before = (stop.trailing_zeros() / 8) as usize;
            acc |= w & low_bytes(before);
            if acc & HIGHS != 0 {
                *high |= 0x80;
            }
            return i + before;
        }
        acc |= w;
        i += 8;
    }
    if acc & HIGHS != 0 {
        *high |= 0x80;
    }
    while let Some(&b) = src.get(i) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            break;
        }
        *high |= b;
        i += 1;
    }
    i
}

/// The index of the first `"`, `\`, control character or non-ASCII byte at
/// or after `i` (or `src.len()`).
#[inline(always)]
fn scan_ascii(src: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = src.get(i..i + 8) {
        let Ok(bytes) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let w = u64::from_le_bytes(bytes);
        let stop = has_zero(w ^ (ONES * u64::from(b'"')))
            | has_zero(w ^ (ONES * u64::from(b'\\')))
            | has_control(w)
            | (w & HIGHS);
        if stop != 0 {
            // The lowest flagged byte is exactly the first special one.
            return i + (stop.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = src.get(i) {
        if b == b'"' || b == b'\\' || !(0x20..0x80).contains(&b) {
            break;
        }
        i += 1;
    }
    i
}

/// The character starting at `src[at]`, or U+FFFD if there is none.
fn char_at(src: &[u8], at: usize) -> char {
    let len = match src.get(at) {
        Some(0x00..=0x7f) => 1,
        Some(0xc0..=0xdf) => 2,
        Some(0xe0..=0xef) => 3,
        _ => 4,
    };
    let end = (at + len).min(src.len());
    src.get(at..end)
        .and_then(|s| std::str::from_utf8(s).ok())
        .and_then(|s| s.chars().next())
        .unwrap_or(char::REPLACEMENT_CHARACTER)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(src: &str) -> Result<Vec<Token>, JsonError> {
        let src = Bytes::copy_from_slice(src.as_bytes());
        let mut r = Reader::new(&src);
        let mut out = Vec::new();
        while let Some(t) = r.next()? {
            out.push(t);
        }
        Ok(out)
    }

    #[test]
    fn unescaped_strings_share_the_input() {
        // Strings longer than fourteen bytes are ranges of the input;
        // shorter ones are inline.
        let src = Bytes::from_static(br#"["abcdefghijklmno", "d\"e"]"#);
        let mut r = Reader::new(&src);
        r.next().unwrap();
        let Some(Token::String(s)) = r.next().unwrap() else { panic!() };
        assert_eq!(s, "abcdefghijklmno");
        let b = s.into_bytes();
        assert_eq!(b.as_ptr(), src[2..].as_ptr());
        let Some(Token::String(s)) = r.next().unwrap() else { panic!() };
        assert_eq!(s, "d\"e");
    }

    /// A text of up to 23 bytes, mostly `a` with bytes of `alphabet` mixed
    /// in (how often varies from text to text), and an offset in it.
    fn scan_case(rng: &mut impl Iterator<Item = u64>, alphabet: &[u8]) -> (Vec<u8>, usize) {
        let mut next = || rng.next().unwrap_or_default() as usize;
        let len = next() % 24;
        let plain = next() % 4;
        let v: Vec<u8> = (0..len)
            .map(|_| if next() % (plain + 1) == 0 { alphabet[next() % alphabet.len()] } else { b'a' })
            .collect();
        let from = if len == 0 { 0 } else { next() % len };
        (v, from)
    }

    #[test]
    fn scanner_agrees_with_a_byte_loop() {
        // Every mix of specials, high bytes and plain text, at every offset
        // around word boundaries: the stop and the high bit of the bytes
        // passed over (not those after the stop) match a byte-at-a-time scan.
        let alphabet = [b'a', b'"', b'\\', 0x00, 0x1f, 0x20, 0x7f, 0x80, 0xc3, 0xff];
        let mut rng = crate::test_rng::xorshift(0x2545_f491_4f6c_dd1d);
        for _ in 0..20_000 {
            let (v, from) = scan_case(&mut rng, &alphabet);
            let len = v.len();
            let want = v[from..].iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20).map_or(len, |p| from + p);
            let want_high = v[from..want].iter().fold(0u8, |h, &b| h | b) & 0x80;
            let mut high = 0;
            assert_eq!(scan_string(&v, from, &mut high), want, "{v:?} from {from}");
            assert_eq!(high & 0x80, want_high, "{v:?} from {from}");
        }
    }

    #[test]
    fn ascii_scanner_agrees_with_a_byte_loop() {
        let alphabet = [b'a', b'"', b'\\', 0x00, 0x1f, 0x20, 0x7f, 0x80, 0xc3, 0xff, 0x21, 0x5b, 0x5d];
        let mut rng = crate::test_rng::xorshift(0x5851_f42d_4c95_7f2d);
        for _ in 0..50_000 {
            let (v, from) = scan_case(&mut rng, &alphabet);
            let len = v.len();
            let want = v[from..]
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || !(0x20..0x80).contains(&b))
                .map_or(len, |p| from + p);
            assert_eq!(scan_ascii(&v, from), want, "{v:?} from {from}");
        }
    }

    #[test]
    fn scanner_finds_specials_in_every_lane() {
        for len in 0..40 {
            for special in [b'"', b'\\', 0x00, 0x1f] {
                let mut v = vec![b'a'; len];
                v.push(special);
                v.extend_from_slice(b"zzzzzzzzzzzz");
                let mut high = 0;
                assert_eq!(scan_string(&v, 0, &mut high), len);
                assert_eq!(high & 0x80, 0);
            }
            let mut v = vec![b'a'; len];
            v.extend_from_slice("é".as_bytes());
            let mut high = 0;
            assert_eq!(scan_string(&v, 0, &mut high), len + 2);
            assert_eq!(high & 0x80, 0x80);
        }
        // 0x20 and DEL are not special.
        let mut high = 0;
        assert_eq!(scan_string(b"          \x7f\x7f\x7f\x7f\x7f\x7f", 0, &mut high), 16);
    }

    /// `digits` as a byte loop.
    fn digits_bytewise(src: &[u8], mut i: usize) -> (usize, u64) {
        let mut m = 0u64;
        while let Some(&b @ b'0'..=b'9') = src.get(i) {
            m = m.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
            i += 1;
        }
        (i, m)
    }

    #[test]
    fn digit_runs_agree_with_a_byte_loop() {
        // Digits mixed with the bytes around them in ASCII ('/' and ':'),
        // the bytes that carry or borrow in the word tricks (0x00, 0xfa..),
        // and the number syntax, at every offset and length.
        let alphabet = [b'0', b'1', b'5', b'9', b'/', b':', b'.', b'e', b'-', 0x00, 0x29, 0x3a, 0x3f, 0xf9, 0xfa, 0xff];
        let mut rng = crate::test_rng::xorshift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..200_000 {
            let mut next = || rng.next().unwrap_or_default() as usize;
            let len = next() % 40;
            let digit_run = next() % 30;
            let v: Vec<u8> = (0..len)
                .map(|k| {
                    if k < digit_run || next() % 3 != 0 {
                        b'0' + (next() % 10) as u8
                    } else {
                        alphabet[next() % alphabet.len()]
                    }
                })
                .collect();
            let from = if len == 0 { 0 } else { next() % (len + 1) };
            let seed = next() as u64;
            let mut m = seed;
            let got = digits(&v, from, &mut m);
            let (want, wm) = digits_bytewise(&v, from);
            assert_eq!(got, want, "{v:?} from {from}");
            // The digits fold onto the starting value as one at a time would.
            let mut m2 = seed;
            for &b in &v[from..want] {
                m2 = m2.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
            }
            assert_eq!(m, m2, "{v:?} from {from}");
            if seed == 0 {
                assert_eq!(m, wm);
            }
        }
        // Every byte value right after runs of every length.
        for run in 0..20 {
            for b in 0..=255u8 {
                let mut v: Vec<u8> = (0..run).map(|k| b'0' + (k * 7 % 10) as u8).collect();
                v.push(b);
                v.extend_from_slice(b"123456789");
                let mut m = 0;
                let got = digits(&v, 0, &mut m);
                assert_eq!((got, m), digits_bytewise(&v, 0), "{v:?}");
            }
        }
    }

    /// The reader's number for `text` (a whole JSON text).
    fn read_number(text: &str) -> Result<f64, JsonError> {
        let src = Bytes::copy_from_slice(text.as_bytes());
        let mut r = Reader::new(&src);
        let n = match r.next()? {
            Some(Token::Number(n)) => n,
            t => panic!("{text}: {t:?}"),
        };
        assert_eq!(r.next()?, None);
        Ok(n)
    }

    #[test]
    fn numbers_match_str_parse() {
        // Generated numbers of every shape JSON allows: up to 25 integer and
        // fraction digits (past the 19 the fast paths take), exponents small
        // and huge, both signs; with the number alone and inside an array
        // (where the bytes after it are not the end of the text).
        let mut rng = crate::test_rng::xorshift(0x0123_4567_89ab_cdef);
        let mut next = move || rng.next().unwrap_or_default() as usize;
        for _ in 0..300_000 {
            let mut t = String::new();
            if next() % 3 == 0 {
                t.push('-');
            }
            let int_len = 1 + next() % if next() % 4 == 0 { 25 } else { 9 };
            for k in 0..int_len {
                let d = if k == 0 && int_len > 1 { 1 + next() % 9 } else { next() % 10 };
                t.push((b'0' + d as u8) as char);
            }
            if next() % 3 != 0 {
                t.push('.');
                let frac_len = 1 + next() % if next() % 4 == 0 { 25 } else { 6 };
                for _ in 0..frac_len {
                    t.push((b'0' + (next() % 10) as u8) as char);
                }
            }
            if next() % 4 == 0 {
                t.push(if next() % 2 == 0 { 'e' } else { 'E' });
                match next() % 3 {
                    0 => t.push('-'),
                    1 => t.push('+'),
                    _ => {}
                }
                let e = match next() % 4 {
                    0 => next() % 400,
                    1 => next() % 30,
                    2 => next() % 5,
                    _ => next() % 100_000,
                };
                t.push_str(&e.to_string());
            }
            if next() % 64 == 0 {
                // A leading zero before more digits is an error, however the
                // number goes on.
                let digits_at = usize::from(t.starts_with('-'));
                let bad = format!("{}0{}", &t[..digits_at], &t[digits_at..]);
                let src = Bytes::copy_from_slice(bad.as_bytes());
                let e = Reader::new(&src).next().unwrap_err();
                assert_eq!((e.kind, e.offset), (JsonErrorKind::InvalidNumber, digits_at + 1), "{bad}");
            }
            let want: f64 = t.parse().unwrap();
            let got = read_number(&t).unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "{t}");
            let arr = format!("[{t},{t}]");
            let src = Bytes::copy_from_slice(arr.as_bytes());
            let mut r = Reader::new(&src);
            r.next().unwrap();
            assert_eq!(r.next().unwrap(), Some(Token::Number(want)), "{arr}");
            assert_eq!(r.next().unwrap(), Some(Token::Number(want)), "{arr}");
            assert_eq!(r.next().unwrap(), Some(Token::EndArray), "{arr}");
        }
    }

    #[test]
    fn number_edge_cases_match_str_parse() {
        for t in [
            "0",
            "-0",
            "-0.0",
            "0.0000000",
            "0e5",
            "-0e-5",
            "12345.67",
            "123456789012345.6",
            "9007199254740992",
            "9007199254740993",
            "9007199254740993.0",
            "18446744073709551615",
            "18446744073709551616",
            "99999999999999999999",
            "1234567890123456789",
            "12345678901234567890",
            "0.1",
            "0.30000000000000004",
            "1e22",
            "1e23",
            "1e-22",
            "1e-23",
            "4.9e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "1.7976931348623157e308",
            "1.7976931348623159e308",
            "1e400",
            "-1e400",
            "1e-400",
            "123456789e-30",
            "00000000", // rejected below
            "0.000000000000000000000000000001",
            "100000000000000000000000000000000000000000000000",
            "12345678.12345678",
            "87654321",
            "876543210",
            "1.00000000000000011102230246251565404236316680908203125",
            "1.00000000000000011102230246251565404236316680908203124",
        ] {
            let got = read_number(t);
            if t.len() > 1 && t.starts_with('0') && t.as_bytes()[1].is_ascii_digit() {
                assert_eq!(got.unwrap_err().kind, JsonErrorKind::InvalidNumber, "{t}");
                continue;
            }
            let want: f64 = t.parse().unwrap();
            assert_eq!(got.unwrap().to_bits(), want.to_bits(), "{t}");
        }
        for bad in ["01", "-01", "1.", "1.e5", "-", "-a", "1e", "1e+", ".5", "+1", "0x10", "1.5e-"] {
            let src = Bytes::copy_from_slice(bad.as_bytes());
            let mut r = Reader::new(&src);
            assert!(r.next().and_then(|_| r.next()).is_err(), "{bad}");
        }
    }

    #[test]
    fn depth_bits_survive_deep_mixed_nesting() {
        let mut doc = String::new();
        for i in 0..300 {
            doc.push_str(if i % 3 == 0 { "{\"k\":" } else { "[" });
        }
        doc.push('1');
        for i in (0..300).rev() {
            doc.push(if i % 3 == 0 { '}' } else { ']' });
        }
        let t = tokens(&doc).unwrap();
        assert_eq!(t.len(), 300 * 2 + 100 + 1);
    }

    #[test]
    fn errors_are_sticky() {
        let src = Bytes::from_static(b"[1,]");
        let mut r = Reader::new(&src);
        r.next().unwrap();
        r.next().unwrap();
        let e = r.next().unwrap_err();
        assert_eq!(e.to_string(), "expected value at byte 3");
        assert_eq!(r.next().unwrap_err(), e);
        // Errors raised by the string helpers are recorded too.
        for (src, msg) in [
            (&b"[\"a\\u12x4\"]"[..], "invalid escape in string at byte 7"),
            (b"[\"\xff\"]", "invalid UTF-8 in string at byte 2"),
            (b"[\"\\n\xff\"]", "invalid UTF-8 in string at byte 4"),
            (b"[\"\\ud800\\u12", "unexpected end of JSON input at byte 12"),
        ] {
            let src = Bytes::copy_from_slice(src);
            let mut r = Reader::new(&src);
            r.next().unwrap();
            let e = r.next().unwrap_err();
            assert_eq!(e.to_string(), msg);
            assert_eq!(r.next().unwrap_err(), e);
            assert_eq!(r.next().unwrap_err(), e);
        }
    }

    #[test]
    fn invalid_utf8_in_strings_is_an_error() {
        let src = Bytes::from_static(b"[\"ab\xff\"]");
        let mut r = Reader::new(&src);
        r.next().unwrap();
        assert_eq!(r.next().unwrap_err().to_string(), "invalid UTF-8 in string at byte 4");
        let src = Bytes::from_static(b"\"\\n\xed\xa0\x80\"");
        assert_eq!(Reader::new(&src).next().unwrap_err().kind, JsonErrorKind::InvalidUtf8);
        let src = Bytes::from_static(b"\xff");
        let e = Reader::new(&src).next().unwrap_err();
        assert_eq!(e.to_string(), "expected value at byte 0");
        let src = Bytes::from_static(b"t\xff");
        let e = Reader::new(&src).next().unwrap_err();
        assert_eq!(e.kind, JsonErrorKind::UnexpectedChar { found: '\u{fffd}' });
    }
}
