//! The Flight row framer: bytes in, complete rows out.
//!
//! A Flight response is a sequence of rows, each `<hex id>:<body>`:
//!
//! ```text
//! row    := id ":" body
//! id     := lowercase-hex*                       ; empty for global rows (`:N`, `:H`, `:W`): id 0
//! body   := binary-tag hexlen "," <hexlen bytes> ; T A O o U S s L l G g M m V b — no terminator
//!         | row-tag payload "\n"                 ; A–Z (other than the binary tags), `#`, `r`, `x`
//!         | json "\n"                            ; any other first byte: the JSON of a model
//! ```
//!
//! The framer is sans-IO and push-based: feed chunks of any size, drain
//! complete rows. It never allocates from a declared length (a binary row's
//! bytes are kept as they arrive), checks ids and lengths for overflow, and
//! enforces a per-row size limit. Where React's own reader is lenient (it folds
//! any byte into the id with 32-bit shifts, so `100000000:` aliases row 0),
//! the framer is strict: ids and lengths are canonical lowercase hex within
//! `u32`.
//!
//! ```
//! use flight_codec::response::rows::{RowFramer, RowTag};
//!
//! let mut f = RowFramer::new(Default::default());
//! f.feed(b"1:o3,\x01\x02")?;
//! assert!(f.next_row().is_none()); // the binary row is not complete yet
//! f.feed(b"\x030:{\"a\":\"$1\"}\n")?;
//! let r = f.next_row().unwrap();
//! assert_eq!((r.id, r.tag, &r.payload[..]), (1, RowTag::Binary(b'o'), &b"\x01\x02\x03"[..]));
//! let r = f.next_row().unwrap();
//! assert_eq!((r.id, r.tag, &r.payload[..]), (0, RowTag::Json, &b"{\"a\":\"$1\"}"[..]));
//! f.finish()?;
//! # Ok::<(), flight_codec::response::rows::FrameError>(())
//! ```

use std::collections::VecDeque;
use std::fmt;

use bytes::{Bytes, BytesMut};

/// What kind of row, by its tag byte.
///
/// ```
/// use flight_codec::response::rows::RowTag;
/// assert_eq!(RowTag::of(b'T'), RowTag::Binary(b'T'));
/// assert_eq!(RowTag::of(b'I'), RowTag::Tagged(b'I'));
/// assert_eq!(RowTag::of(b'{'), RowTag::Json);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RowTag {
    /// A model row: the payload is JSON (the tag byte is part of it).
    Json,
    /// A newline-terminated row with this tag (`I`, `E`, `H`, `D`, `R`, `C`, …).
    Tagged(u8),
    /// A length-prefixed row with this tag: text (`T`), typed-array bytes, or a
    /// byte-stream chunk (`b`).
    Binary(u8),
}

impl RowTag {
    /// Classifies the first byte after `:` as React 19.3.1's reader does.
    ///
    /// ```
    /// use flight_codec::response::rows::RowTag;
    /// assert_eq!(RowTag::of(b'b'), RowTag::Binary(b'b'));
    /// assert_eq!(RowTag::of(b'x'), RowTag::Tagged(b'x'));
    /// assert_eq!(RowTag::of(b'"'), RowTag::Json);
    /// ```
    pub fn of(b: u8) -> RowTag {
        match b {
            b'T' | b'A' | b'O' | b'o' | b'b' | b'U' | b'S' | b's' | b'L' | b'l' | b'G' | b'g' | b'M' | b'm' | b'V' => {
                RowTag::Binary(b)
            }
            b'A'..=b'Z' | b'#' | b'r' | b'x' => RowTag::Tagged(b),
            _ => RowTag::Json,
        }
    }
}

/// One complete row.
///
/// ```
/// use flight_codec::response::rows::{Row, RowTag};
/// let r = Row { id: 0, tag: RowTag::Json, payload: bytes::Bytes::from_static(b"1"), offset: 0 };
/// assert_eq!(r.id, 0);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The row id (0 for global rows such as `:H`).
    pub id: u32,
    /// The row's tag.
    pub tag: RowTag,
    /// The payload: the JSON for model rows; what follows the tag byte for
    /// tagged rows (without the newline); the bytes for binary rows.
    pub payload: Bytes,
    /// Byte offset of the row's first byte in the whole stream.
    pub offset: u64,
}

/// Limits of the framer.
///
/// ```
/// let l = flight_codec::response::rows::FrameLimits::default();
/// assert_eq!(l.max_row_bytes, 64 << 20);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FrameLimits {
    /// Largest row payload, declared or accumulated (default 64 MiB).
    pub max_row_bytes: usize,
}

impl Default for FrameLimits {
    fn default() -> Self {
        FrameLimits { max_row_bytes: 64 << 20 }
    }
}

/// What is wrong with a stream.
///
/// ```
/// use flight_codec::response::rows::{FrameErrorKind, RowFramer};
/// let mut f = RowFramer::new(Default::default());
/// let e = f.feed(b"100000000:\"evil\"\n").unwrap_err();
/// assert_eq!(e.kind, FrameErrorKind::IdOverflow);
/// assert_eq!(e.to_string(), "row id does not fit in 32 bits at byte 8");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameErrorKind {
    /// A byte that is not lowercase hex in a row id.
    InvalidId,
    /// A row id beyond `u32`.
    IdOverflow,
    /// A byte that is not lowercase hex in a binary row's length.
    InvalidLength,
    /// A declared or accumulated row larger than the limit (or beyond `u32`).
    RowTooLarge,
    /// The stream ended inside a row.
    Truncated,
}

/// A framing error with the byte offset where it was detected.
///
/// ```
/// use flight_codec::response::rows::RowFramer;
/// let mut f = RowFramer::new(Default::default());
/// f.feed(b"0:\"unterminated").unwrap();
/// assert_eq!(f.finish().unwrap_err().to_string(), "stream ended inside a row at byte 15");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameError {
    /// What is wrong.
    pub kind: FrameErrorKind,
    /// Byte offset in the stream.
    pub offset: u64,
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            FrameErrorKind::InvalidId => "row id is not lowercase hex",
            FrameErrorKind::IdOverflow => "row id does not fit in 32 bits",
            FrameErrorKind::InvalidLength => "row length is not lowercase hex",
            FrameErrorKind::RowTooLarge => "row larger than the limit",
            FrameErrorKind::Truncated => "stream ended inside a row",
        };
        write!(f, "{what} at byte {}", self.offset)
    }
}

impl std::error::Error for FrameError {}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Reading the hex id (`digits` so far).
    Id { digits: u32 },
    /// Just after `:`.
    Tag,
    /// Reading a binary row's hex length.
    Length { digits: u32 },
    /// Reading `remaining` more bytes of a binary row.
    Bytes { remaining: usize },
    /// Reading a line up to `\n`.
    Line,
    /// A previous call failed; the framer is stuck.
    Failed(FrameError),
}

/// The push framer.
///
/// ```
/// use flight_codec::response::rows::RowFramer;
/// let mut f = RowFramer::new(Default::default());
/// for b in b"0:[1]\n:HL[\"/a.css\",\"style\"]\n" {
///     f.feed(std::slice::from_ref(b))?;
/// }
/// assert_eq!(f.next_row().unwrap().payload, &b"[1]"[..]);
/// assert_eq!(f.next_row().unwrap().payload, &b"L[\"/a.css\",\"style\"]"[..]);
/// # Ok::<(), flight_codec::response::rows::FrameError>(())
/// ```
#[derive(Debug)]
pub struct RowFramer {
    limits: FrameLimits,
    state: State,
    id: u32,
    tag: RowTag,
    len: u64,
    buf: BytesMut,
    /// Offset of the next byte fed.
    offset: u64,
    /// Offset of the current row's first byte.
    row_start: u64,
    rows: VecDeque<Row>,
}

fn hex(b: u8) -> Option<u32> {
    match b {
        b'0'..=b'9' => Some((b - b'0') as u32),
        b'a'..=b'f' => Some((b - b'a' + 10) as u32),
        _ => None,
    }
}

impl RowFramer {
    /// A framer with these limits.
    ///
    /// ```
    /// let mut limits = flight_codec::response::rows::FrameLimits::default();
    /// limits.max_row_bytes = 1024;
    /// let f = flight_codec::response::rows::RowFramer::new(limits);
    /// # drop(f);
    /// ```
    pub fn new(limits: FrameLimits) -> Self {
        RowFramer {
            limits,
            state: State::Id { digits: 0 },
            id: 0,
            tag: RowTag::Json,
            len: 0,
            buf: BytesMut::new(),
            offset: 0,
            row_start: 0,
            rows: VecDeque::new(),
        }
    }

    fn fail(&mut self, kind: FrameErrorKind, offset: u64) -> FrameError {
        let e = FrameError { kind, offset };
        self.state = State::Failed(e);
        e
    }

    fn emit(&mut self) {
        let payload = self.buf.split().freeze();
        self.emit_payload(payload);
    }

    /// The row's last bytes are `chunk[range]`: a whole row inside an owned
    /// chunk is a slice of it; otherwise its bytes join those buffered.
    fn end_row(&mut self, chunk: &[u8], owned: Option<&Bytes>, range: std::ops::Range<usize>) {
        match owned {
            Some(b) if self.buf.is_empty() => self.emit_payload(b.slice(range)),
            _ => {
                self.buf.extend_from_slice(&chunk[range]);
                self.emit();
            }
        }
    }

    fn emit_payload(&mut self, payload: Bytes) {
        self.rows.push_back(Row { id: self.id, tag: self.tag, payload, offset: self.row_start });
        self.state = State::Id { digits: 0 };
        self.id = 0;
    }

    /// Feeds the next chunk of the stream. Complete rows become available
    /// from [`next_row`](Self::next_row).
    ///
    /// # Errors
    /// A [`FrameError`] for a malformed id or length or an oversized row;
    /// after one, every call returns the same error.
    ///
    /// ```
    /// let mut f = flight_codec::response::rows::RowFramer::new(Default::default());
    /// assert!(f.feed(b"0:1\n").is_ok());
    /// assert!(f.feed(b"Z:1\n").is_err());
    /// ```
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), FrameError> {
        self.feed_until(chunk, usize::MAX).map(|_| ())
    }

    /// [`feed`](Self::feed), but stops once `max_rows` rows are waiting in
    /// [`next_row`](Self::next_row), and returns how many bytes of `chunk`
    /// it took (the rest is for the next call). A decoder fed a whole stream
    /// at once drains rows as it goes, so the queue stays short.
    pub(crate) fn feed_until(&mut self, chunk: &[u8], max_rows: usize) -> Result<usize, FrameError> {
        self.feed_from(chunk, None, max_rows)
    }

    /// [`feed`](Self::feed) for a chunk the caller gives up: a row that lies
    /// wholly inside it is a slice of it, not a copy (binary rows of any
    /// size cost no copying).
    ///
    /// ```
    /// let mut f = flight_codec::response::rows::RowFramer::new(Default::default());
    /// let chunk = bytes::Bytes::from_static(b"1:o3,\x01\x02\x030:\"$1\"\n");
    /// f.feed_bytes(&chunk)?;
    /// let row = f.next_row().unwrap();
    /// assert_eq!(row.payload, &b"\x01\x02\x03"[..]);
    /// assert_eq!(row.payload.as_ptr(), chunk[5..].as_ptr());
    /// # Ok::<(), flight_codec::response::rows::FrameError>(())
    /// ```
    pub fn feed_bytes(&mut self, chunk: &Bytes) -> Result<(), FrameError> {
        self.feed_from(chunk, Some(chunk), usize::MAX).map(|_| ())
    }

    /// [`feed_bytes`](Self::feed_bytes) up to `max_rows` waiting rows, as
    /// [`feed_until`](Self::feed_until).
    pub(crate) fn feed_bytes_until(&mut self, chunk: &Bytes, max_rows: usize) -> Result<usize, FrameError> {
        self.feed_from(chunk, Some(chunk), max_rows)
    }

    /// Frames `chunk`; `owned` is the same bytes when rows may be sliced from it.
    fn feed_from(&mut self, chunk: &[u8], owned: Option<&Bytes>, max_rows: usize) -> Result<usize, FrameError> {
        let mut i = 0;
        while i < chunk.len() {
            if self.rows.len() >= max_rows {
                self.offset += i as u64;
                return Ok(i);
            }
            let at = self.offset + i as u64;
            match self.state {
                State::Failed(e) => return Err(e),
                State::Id { digits } => {
                    if digits == 0 {
                        if let Some(next) = self.line_row(chunk, owned, i) {
                            i = next;
                            continue;
                        }
                    }
                    let b = chunk[i];
                    i += 1;
                    if digits == 0 {
                        self.row_start = at;
                    }
                    if b == b':' {
                        self.state = State::Tag;
                        continue;
                    }
                    let d = hex(b).ok_or_else(|| self.fail(FrameErrorKind::InvalidId, at))?;
                    if digits >= 8 || (digits > 0 && self.id == 0) {
                        // More than eight digits, or a leading zero.
                        let kind = if digits >= 8 { FrameErrorKind::IdOverflow } else { FrameErrorKind::InvalidId };
                        return Err(self.fail(kind, at));
                    }
                    self.id = (self.id << 4) | d;
                    self.state = State::Id { digits: digits + 1 };
                }
                State::Tag => {
                    let b = chunk[i];
                    self.tag = RowTag::of(b);
                    match self.tag {
                        RowTag::Binary(_) => {
                            i += 1;
                            self.len = 0;
                            self.state = State::Length { digits: 0 };
                        }
                        RowTag::Tagged(_) => {
                            i += 1;
                            self.state = State::Line;
                        }
                        RowTag::Json => self.state = State::Line,
                    }
                }
                State::Length { digits } => {
                    let b = chunk[i];
                    i += 1;
                    if b == b',' {
                        if digits == 0 {
                            return Err(self.fail(FrameErrorKind::InvalidLength, at));
                        }
                        // The declared length is checked, never allocated.
                        if self.len > self.limits.max_row_bytes as u64 {
                            return Err(self.fail(FrameErrorKind::RowTooLarge, at));
                        }
                        let remaining = self.len as usize;
                        if remaining == 0 {
                            self.emit();
                        } else {
                            self.state = State::Bytes { remaining };
                        }
                        continue;
                    }
                    let d = hex(b).ok_or_else(|| self.fail(FrameErrorKind::InvalidLength, at))?;
                    if digits >= 8 || (digits > 0 && self.len == 0) {
                        let kind =
                            if digits >= 8 { FrameErrorKind::RowTooLarge } else { FrameErrorKind::InvalidLength };
                        return Err(self.fail(kind, at));
                    }
                    self.len = (self.len << 4) | d as u64;
                    self.state = State::Length { digits: digits + 1 };
                }
                State::Bytes { remaining } => {
                    let take = remaining.min(chunk.len() - i);
                    if take == remaining {
                        self.end_row(chunk, owned, i..i + take);
                    } else {
                        self.buf.extend_from_slice(&chunk[i..i + take]);
                        self.state = State::Bytes { remaining: remaining - take };
                    }
                    i += take;
                }
                State::Line => match memchr_newline(&chunk[i..]) {
                    Some(n) => {
                        if self.buf.len() + n > self.limits.max_row_bytes {
                            return Err(self.fail(FrameErrorKind::RowTooLarge, at + n as u64));
                        }
                        self.end_row(chunk, owned, i..i + n);
                        i += n + 1;
                    }
                    None => {
                        let n = chunk.len() - i;
                        if self.buf.len() + n > self.limits.max_row_bytes {
                            return Err(self.fail(FrameErrorKind::RowTooLarge, at + n as u64));
                        }
                        self.buf.extend_from_slice(&chunk[i..]);
                        i = chunk.len();
                    }
                },
            }
        }
        self.offset += chunk.len() as u64;
        if let State::Failed(e) = self.state {
            return Err(e);
        }
        Ok(chunk.len())
    }

    /// The fast path for a row that starts at `chunk[i]` and ends with its
    /// newline inside `chunk`: a model or tagged row with a well-formed id,
    /// within the size limit. Frames it whole and returns the index after
    /// its newline; `None` (nothing changed) leaves the row to the
    /// byte-at-a-time path, which also reports any error at its offset.
    #[inline]
    fn line_row(&mut self, chunk: &[u8], owned: Option<&Bytes>, i: usize) -> Option<usize> {
        let rest = chunk.get(i..)?;
        let mut id: u32 = 0;
        let mut k = 0;
        loop {
            let b = *rest.get(k)?;
            if b == b':' {
                break;
            }
            let d = hex(b)?;
            // More than eight digits, or a leading zero: an error.
            if k >= 8 || (k > 0 && id == 0) {
                return None;
            }
            id = (id << 4) | d;
            k += 1;
        }
        let tag = RowTag::of(*rest.get(k + 1)?);
        let body = match tag {
            RowTag::Json => k + 1,
            RowTag::Tagged(_) => k + 2,
            RowTag::Binary(_) => return None,
        };
        let n = memchr_newline(rest.get(body..)?)?;
        if n > self.limits.max_row_bytes || !self.buf.is_empty() {
            return None;
        }
        self.row_start = self.offset + i as u64;
        self.id = id;
        self.tag = tag;
        self.end_row(chunk, owned, i + body..i + body + n);
        Some(i + body + n + 1)
    }

    /// The next complete row, in stream order.
    ///
    /// ```
    /// let mut f = flight_codec::response::rows::RowFramer::new(Default::default());
    /// f.feed(b"2:T3,abc").unwrap();
    /// assert_eq!(f.next_row().unwrap().payload, &b"abc"[..]);
    /// assert!(f.next_row().is_none());
    /// ```
    pub fn next_row(&mut self) -> Option<Row> {
        self.rows.pop_front()
    }

    /// Ends the stream.
    ///
    /// # Errors
    /// [`FrameErrorKind::Truncated`] if the stream ended inside a row, or the
    /// error an earlier call returned.
    ///
    /// ```
    /// let mut f = flight_codec::response::rows::RowFramer::new(Default::default());
    /// f.feed(b"0:1\n").unwrap();
    /// assert!(f.finish().is_ok());
    /// ```
    pub fn finish(&mut self) -> Result<(), FrameError> {
        match self.state {
            State::Failed(e) => Err(e),
            State::Id { digits: 0 } => Ok(()),
            _ => Err(self.fail(FrameErrorKind::Truncated, self.offset)),
        }
    }
}

/// Position of the first `\n`.
fn memchr_newline(s: &[u8]) -> Option<usize> {
    memchr::memchr(b'\n', s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows and the first error of `stream` fed as `chunks` (`owned`: with
    /// `feed_bytes`), then finished.
    fn frame(stream: &[u8], chunk: usize, owned: bool, limits: FrameLimits) -> (Vec<Row>, Option<FrameError>) {
        let mut f = RowFramer::new(limits);
        let mut rows = Vec::new();
        let mut err = None;
        for c in stream.chunks(chunk.max(1)) {
            let r = if owned { f.feed_bytes(&Bytes::copy_from_slice(c)) } else { f.feed(c) };
            while let Some(row) = f.next_row() {
                rows.push(row);
            }
            if let Err(e) = r {
                err = Some(e);
                break;
            }
        }
        if err.is_none() {
            err = f.finish().err();
        }
        (rows, err)
    }

    #[test]
    fn whole_rows_frame_as_byte_by_byte() {
        // Streams of React-like rows with corruptions (bad ids, leading
        // zeros, long ids, missing newlines, binary rows, stray bytes), fed
        // whole (the fast path for every line row) and one byte at a time
        // (never the fast path): the same rows and the same error.
        let pieces: [&[u8]; 24] = [
            b"0:{\"a\":1}\n",
            b"1:[1,2,3]\n",
            b"a:\"$@b\"\n",
            b"ff:null\n",
            b"12345678:1\n",
            b"123456789:1\n",
            b"01:1\n",
            b"00:1\n",
            b":HL[\"/a\"]\n",
            b":N12.5\n",
            b"7:I[\"m\",[],\"B\"]\n",
            b"8:E{\"digest\":\"D\"}\n",
            b"3:o3,\x01\n\x02",
            b"4:T2,\xc3\xa9",
            b"5:b0,",
            b"9:\n",
            b"A:1\n",
            b"g:1\n",
            b"1x:2\n",
            b"2:",
            b"\n",
            b":",
            b"6:[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]\n",
            b"c:T3,ab",
        ];
        let mut rng = crate::test_rng::xorshift(0x1234_5678_9abc_def1);
        let mut next = move || rng.next().unwrap_or_default() as usize;
        for round in 0..20_000 {
            let mut stream = Vec::new();
            for _ in 0..1 + next() % 8 {
                // Mostly well-formed rows, so that errors come late.
                let p = if next() % 4 == 0 { pieces[next() % pieces.len()] } else { pieces[next() % 12] };
                stream.extend_from_slice(p);
            }
            let limits = FrameLimits { max_row_bytes: if round % 5 == 0 { 8 } else { 64 << 20 } };
            // (Where an oversized row is reported depends on the chunking,
            // fast path or not: only its kind is compared.)
            let key = |(rows, e): (Vec<Row>, Option<FrameError>)| {
                (rows, e.map(|e| (e.kind, if e.kind == FrameErrorKind::RowTooLarge { 0 } else { e.offset })))
            };
            let slow = key(frame(&stream, 1, false, limits));
            for owned in [false, true] {
                for chunk in [stream.len(), 7, 3] {
                    assert_eq!(
                        key(frame(&stream, chunk, owned, limits)),
                        slow,
                        "{:?} in chunks of {chunk}",
                        String::from_utf8_lossy(&stream)
                    );
                }
            }
        }
    }
}
