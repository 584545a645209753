//! The parsing state machine, the push parser and the one-shot parser.

use super::{is_tchar, validate_boundary, MultipartError, MultipartLimits, Part};
use crate::value::string::INLINE;
use crate::value::JsString;
use bytes::{Buf, Bytes, BytesMut};
use std::collections::VecDeque;
use std::ops::Range;

/// A part's parsed headers. The name is a [`JsString`], so that the short
/// names of a reply's parts (`"1"`, `"1_key"`) need no allocation on the
/// crate's own decode path ([`parse_parts`]); a filename and a content type,
/// which a reply's text parts (most of its parts) do not have, are boxed:
/// 24 bytes a part, where a body can be mostly parts.
#[derive(Default)]
pub(crate) struct Head {
    pub(crate) name: JsString,
    more: Option<Box<MoreHead>>,
}

/// The headers of a part beyond its name.
struct MoreHead {
    filename: Option<String>,
    content_type: Option<String>,
}

impl Head {
    fn new(name: JsString, filename: Option<String>, content_type: Option<String>) -> Head {
        let more =
            (filename.is_some() || content_type.is_some()).then(|| Box::new(MoreHead { filename, content_type }));
        Head { name, more }
    }

    /// Whether the part is a file entry (it has a `filename` parameter).
    pub(crate) fn is_file(&self) -> bool {
        self.more.as_ref().is_some_and(|m| m.filename.is_some())
    }

    /// Its name, filename and content type.
    pub(crate) fn into_parts(self) -> (JsString, Option<String>, Option<String>) {
        match self.more {
            Some(m) => (self.name, m.filename, m.content_type),
            None => (self.name, None, None),
        }
    }
}

/// A completed part: headers and the absolute byte range of its body.
pub(crate) struct Event {
    pub(crate) head: Head,
    pub(crate) body: Range<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Matching `--B` at the start of the body.
    Opening,
    /// After a boundary: CRLF (a part follows) or `--` (the end).
    AfterBoundary,
    /// In a part's header section.
    Headers,
    /// In a part's body.
    Body,
    /// After `--B--`: at most one CRLF.
    Epilogue,
}

/// Header fields collected for the current part.
#[derive(Default)]
struct HeadBuilder {
    disposition: Option<(JsString, Option<String>)>,
    content_type: Option<String>,
    transfer_encoding: bool,
}

/// The byte-level state machine shared by [`MultipartParser`] and [`parse`].
///
/// It scans absolute offsets `pos..` of the input; the caller hands it a
/// window `data` holding absolute bytes `base..base + data.len()`, with
/// `base <= keep_from()`. Every byte is scanned once, by KMP automata that
/// take amortised constant time per byte, so the work is linear whatever
/// the chunking.
struct Machine {
    /// The boundary without the leading dashes, searched for in bodies.
    boundary: Pattern,
    /// `--` and the boundary, searched for in header sections.
    dashed: Pattern,
    /// The same, for whole header lines.
    dashed_finder: memchr::memmem::Finder<'static>,
    /// The boundary, for bodies (linear in the worst case, like the automaton).
    boundary_finder: memchr::memmem::Finder<'static>,
    limits: MultipartLimits,
    state: State,
    /// Next absolute offset to examine.
    pos: usize,
    /// Per state: start of the two bytes after a boundary (AfterBoundary),
    /// start of the header section (Headers), start of the body (Body),
    /// first byte after `--B--` (Epilogue).
    mark: usize,
    /// Start of the current header line.
    line_start: usize,
    /// Whether the previous header byte was CR.
    after_cr: bool,
    /// Bytes of the current state's pattern matched so far (KMP state).
    matched: usize,
    parts: usize,
    head: HeadBuilder,
    /// Headers of the part whose body is being scanned.
    body_head: Head,
}

impl Machine {
    fn new(boundary: &str, limits: MultipartLimits) -> Result<Self, MultipartError> {
        validate_boundary(boundary, limits.max_boundary_len)?;
        Ok(Machine {
            boundary: Pattern::new(boundary.as_bytes().to_vec()),
            dashed: Pattern::new([b"--", boundary.as_bytes()].concat()),
            dashed_finder: memchr::memmem::Finder::new(&[b"--", boundary.as_bytes()].concat()).into_owned(),
            boundary_finder: memchr::memmem::Finder::new(boundary.as_bytes()).into_owned(),
            limits,
            state: State::Opening,
            pos: 0,
            mark: 0,
            line_start: 0,
            after_cr: false,
            matched: 0,
            parts: 0,
            head: HeadBuilder::default(),
            body_head: Head::default(),
        })
    }

    /// The earliest absolute offset the machine may still read.
    fn keep_from(&self) -> usize {
        match self.state {
            State::Headers => self.line_start,
            State::Body | State::AfterBoundary => self.mark,
            _ => self.pos,
        }
    }

    /// Scans every byte of `data` not yet examined, pushing completed parts.
    fn run(&mut self, data: &[u8], base: usize, events: &mut Vec<Event>) -> Result<(), MultipartError> {
        debug_assert!(base <= self.keep_from());
        let end = base + data.len();
        let at = |i: usize| data[i - base];
        while self.pos < end {
            match self.state {
                State::Opening => {
                    let n = self.dashed.bytes.len();
                    while self.pos < end && self.pos < n {
                        if at(self.pos) != self.dashed.bytes[self.pos] {
                            return Err(MultipartError::ExpectedBoundary { offset: self.pos });
                        }
                        self.pos += 1;
                    }
                    if self.pos == n {
                        self.state = State::AfterBoundary;
                        self.mark = n;
                    }
                }
                State::AfterBoundary => {
                    let first = at(self.mark);
                    if first != b'\r' && first != b'-' {
                        return Err(MultipartError::MalformedBoundaryLine { offset: self.mark });
                    }
                    if self.pos == self.mark {
                        self.pos += 1;
                        continue;
                    }
                    let second = at(self.mark + 1);
                    self.pos += 1;
                    match (first, second) {
                        (b'\r', b'\n') => {
                            self.parts += 1;
                            if self.parts > self.limits.max_parts {
                                return Err(MultipartError::TooManyParts { limit: self.limits.max_parts });
                            }
                            self.state = State::Headers;
                            self.mark = self.pos;
                            self.line_start = self.pos;
                            self.after_cr = false;
                            self.matched = 0;
                            self.head = HeadBuilder::default();
                        }
                        (b'-', b'-') => {
                            self.state = State::Epilogue;
                            self.mark = self.pos;
                        }
                        _ => return Err(MultipartError::MalformedBoundaryLine { offset: self.mark }),
                    }
                }
                State::Headers => {
                    while self.pos < end {
                        if let Some(done) = self.whole_header_line(data, base)? {
                            if done {
                                break;
                            }
                            continue;
                        }
                        let i = self.pos;
                        if i - self.mark >= self.limits.max_header_bytes {
                            return Err(MultipartError::HeaderTooLarge {
                                offset: self.mark,
                                limit: self.limits.max_header_bytes,
                            });
                        }
                        let b = at(i);
                        if self.dashed.step(&mut self.matched, b) {
                            return Err(MultipartError::BoundaryInPart { offset: i + 1 - self.dashed.bytes.len() });
                        }
                        self.pos += 1;
                        if self.after_cr {
                            if b != b'\n' {
                                return Err(MultipartError::MalformedHeader { offset: i - 1 });
                            }
                            self.after_cr = false;
                            let line_start = self.line_start;
                            let line = &data[line_start - base..i - 1 - base];
                            self.line_start = self.pos;
                            if line.is_empty() {
                                let head = self.finish_head()?;
                                self.body_head = head;
                                self.state = State::Body;
                                self.mark = self.pos;
                                self.matched = 0;
                                break;
                            }
                            self.header_line(&data[line_start - base..], line.len(), line_start)?;
                        } else if b == b'\r' {
                            self.after_cr = true;
                        } else if b == b'\n' {
                            return Err(MultipartError::MalformedHeader { offset: i });
                        }
                    }
                }
                State::Body => {
                    while self.pos < end {
                        let mut found = false;
                        if self.matched == 0 {
                            // Nothing partly matched: find the next whole
                            // boundary in what is here. Without one, only
                            // its last `len - 1` bytes can start a boundary
                            // that the next chunk completes: the automaton
                            // reads those.
                            let len = self.boundary.bytes.len();
                            let rest = &data[self.pos - base..];
                            // (Fewer than `len` bytes left hold no whole one:
                            // the tail is not searched again after each byte.)
                            match if rest.len() >= len { self.boundary_finder.find(rest) } else { None } {
                                Some(p) => {
                                    self.pos += p + len;
                                    found = true;
                                }
                                None => {
                                    let tail = end.saturating_sub(len - 1).max(self.pos);
                                    // Skip to the first byte there that could start one.
                                    match memchr::memchr(self.boundary.bytes[0], &data[tail - base..]) {
                                        Some(p) => self.pos = tail + p,
                                        None => {
                                            self.pos = end;
                                            break;
                                        }
                                    }
                                }
                            }
                        }
                        if !found {
                            let b = at(self.pos);
                            self.pos += 1;
                            found = self.boundary.step(&mut self.matched, b);
                        }
                        if found {
                            let start = self.pos - self.boundary.bytes.len();
                            if start < self.mark + 4 || &data[start - 4 - base..start - base] != b"\r\n--" {
                                return Err(MultipartError::BoundaryInPart { offset: start });
                            }
                            let head = std::mem::take(&mut self.body_head);
                            events.push(Event { head, body: self.mark..start - 4 });
                            self.state = State::AfterBoundary;
                            self.mark = self.pos;
                            break;
                        }
                    }
                }
                State::Epilogue => {
                    let ok = match self.pos - self.mark {
                        0 => at(self.pos) == b'\r',
                        1 => at(self.pos) == b'\n',
                        _ => false,
                    };
                    if !ok {
                        return Err(MultipartError::TrailingData { offset: self.pos });
                    }
                    self.pos += 1;
                }
            }
        }
        Ok(())
    }

    /// The fast path of the header state: at the start of a line whose CRLF
    /// is in `data`, with no boundary match pending, takes the whole line at
    /// once — what the byte-at-a-time path does when the line is well formed,
    /// within the header limit and holds no boundary. `Some(true)` when it
    /// was the empty line that ends the headers, `Some(false)` for a header,
    /// `None` to leave the line to the byte-at-a-time path (which also finds
    /// any error at its exact offset).
    fn whole_header_line(&mut self, data: &[u8], base: usize) -> Result<Option<bool>, MultipartError> {
        if self.matched != 0 || self.after_cr || self.pos != self.line_start {
            return Ok(None);
        }
        let rest = &data[self.pos - base..];
        // The first CR (with no LF before it), and whether the line may
        // hold a boundary: one holds no CR or LF, and starts with `--`.
        let (Some(cr), dashes) = scan_line(rest) else { return Ok(None) };
        if rest[cr] != b'\r'
            || rest.get(cr + 1) != Some(&b'\n')
            || self.pos + cr + 1 - self.mark >= self.limits.max_header_bytes
            || (dashes && self.dashed_finder.find(&rest[..cr + 2]).is_some())
        {
            return Ok(None);
        }
        // A boundary holds no CR or LF, so no partial match survives the CRLF.
        let line_start = self.pos;
        self.pos += cr + 2;
        self.line_start = self.pos;
        if cr == 0 {
            self.body_head = self.finish_head()?;
            self.state = State::Body;
            self.mark = self.pos;
            self.matched = 0;
            return Ok(Some(true));
        }
        self.header_line(&data[line_start - base..], cr, line_start)?;
        Ok(Some(false))
    }

    /// Checks the body ended cleanly after everything was scanned.
    fn finish(&self) -> Result<(), MultipartError> {
        match self.state {
            State::Epilogue if self.pos - self.mark != 1 => Ok(()),
            _ => Err(MultipartError::Truncated { offset: self.pos }),
        }
    }

    /// Validates the collected headers at the end of a header section.
    fn finish_head(&mut self) -> Result<Head, MultipartError> {
        let head = std::mem::take(&mut self.head);
        let (name, filename) =
            head.disposition.ok_or(MultipartError::MissingContentDisposition { offset: self.mark })?;
        Ok(Head::new(name, filename, head.content_type))
    }

    /// Parses one header line, `ext[..len]` (without its CRLF), starting at
    /// absolute `at`; `ext` goes on with the bytes after it.
    fn header_line(&mut self, ext: &[u8], len: usize, at: usize) -> Result<(), MultipartError> {
        let line = &ext[..len];
        // The line as browsers and undici write it: what the general path
        // below does with it, without looking for the colon or comparing
        // the name without case.
        const DISPOSITION: &[u8] = b"Content-Disposition: ";
        if line.starts_with(DISPOSITION) && self.head.disposition.is_none() {
            let v = DISPOSITION.len();
            if line.get(v).is_some_and(|&b| b != b' ' && b != b'\t') {
                self.head.disposition = Some(parse_disposition(&ext[v..], len - v, at + v)?);
                return Ok(());
            }
        }
        let colon = line.iter().position(|&b| b == b':');
        let colon = match colon {
            Some(c) if c > 0 && line[..c].iter().all(|&b| is_tchar(b)) => c,
            _ => return Err(MultipartError::MalformedHeader { offset: at }),
        };
        let name = &line[..colon];
        let mut v = colon + 1;
        while v < line.len() && (line[v] == b' ' || line[v] == b'\t') {
            v += 1;
        }
        let value = &line[v..];
        let value_at = at + v;
        if name.eq_ignore_ascii_case(b"content-disposition") {
            if self.head.disposition.is_some() {
                return Err(MultipartError::DuplicateHeader { offset: at });
            }
            self.head.disposition = Some(parse_disposition(&ext[v..], value.len(), value_at)?);
        } else if name.eq_ignore_ascii_case(b"content-type") {
            if self.head.content_type.is_some() {
                return Err(MultipartError::DuplicateHeader { offset: at });
            }
            let value = trim_end_ows(value);
            if let Some(p) = value.iter().position(|&b| !(0x20..=0x7e).contains(&b)) {
                return Err(MultipartError::MalformedHeader { offset: value_at + p });
            }
            // All bytes are printable ASCII, so this is valid UTF-8.
            let ct = String::from_utf8_lossy(value).to_ascii_lowercase();
            self.head.content_type = Some(ct);
        } else if name.eq_ignore_ascii_case(b"content-transfer-encoding") {
            if self.head.transfer_encoding {
                return Err(MultipartError::DuplicateHeader { offset: at });
            }
            self.head.transfer_encoding = true;
            let value = trim_end_ows(value);
            let identity = [&b"7bit"[..], b"8bit", b"binary"];
            if !identity.iter().any(|id| value.eq_ignore_ascii_case(id)) {
                return Err(MultipartError::UnsupportedTransferEncoding { offset: at });
            }
        }
        Ok(())
    }
}

/// A byte string to search for with the KMP automaton.
struct Pattern {
    bytes: Box<[u8]>,
    /// KMP failure function: longest proper border of `bytes[..=i]`.
    fail: Box<[usize]>,
}

impl Pattern {
    fn new(bytes: Vec<u8>) -> Self {
        let mut fail = vec![0usize; bytes.len()];
        let mut k = 0;
        for i in 1..bytes.len() {
            while k > 0 && bytes[i] != bytes[k] {
                k = fail[k - 1];
            }
            if bytes[i] == bytes[k] {
                k += 1;
            }
            fail[i] = k;
        }
        Pattern { bytes: bytes.into(), fail: fail.into() }
    }

    /// Advances the automaton state `matched` by one byte; true on a full
    /// match (`matched` then restarts at 0).
    fn step(&self, matched: &mut usize, b: u8) -> bool {
        let mut k = *matched;
        while k > 0 && self.bytes[k] != b {
            k = self.fail[k - 1];
        }
        if self.bytes[k] == b {
            k += 1;
        }
        if k == self.bytes.len() {
            *matched = 0;
            true
        } else {
            *matched = k;
            false
        }
    }
}

/// The offset in `s` of its first CR or LF (`None` without one), and
/// whether `s` may hold `--` before it (`false` only when it does not; `-,`
/// may count as `--`). Eight bytes at a time.
fn scan_line(s: &[u8]) -> (Option<usize>, bool) {
    use crate::swar::{has_zero, HIGHS, ONES};
    let mut dashes = false;
    // The top bit set when the byte before the current word is a dash.
    let mut carry = 0u64;
    let mut i = 0;
    while let Some(chunk) = s.get(i..i + 8) {
        let w = <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes);
        // Bytes below 0x0e (CR is 0x0d, LF 0x0a): the lowest flagged byte is
        // the first such byte (false flags only come above a true one).
        let low = w.wrapping_sub(ONES * 0x0e) & !w & HIGHS;
        // Dashes, and a `,` right after one (the same trick on `w ^ '-'`).
        let dash = has_zero(w ^ (ONES * u64::from(b'-')));
        // A byte flagged when it and the next may both be dashes (the next
        // may be the first of this word).
        let pairs = (dash & (dash >> 8)) | (dash & carry);
        if low != 0 {
            let k = (low.trailing_zeros() / 8) as usize;
            if !matches!(chunk.get(k), Some(b'\r' | b'\n')) {
                // Another control byte: the rest a byte at a time.
                break;
            }
            // (A pair flagged before the stop lies wholly before it.)
            let before = (1u64 << (8 * k as u32)).wrapping_sub(1);
            return (Some(i + k), dashes || pairs & before != 0);
        }
        dashes |= pairs != 0;
        carry = (dash >> 56) & 0x80;
        i += 8;
    }
    let mut prev_dash = carry != 0;
    for (k, &b) in s.iter().enumerate().skip(i) {
        if b == b'\r' || b == b'\n' {
            return (Some(k), dashes);
        }
        dashes |= prev_dash && b == b'-';
        prev_dash = b == b'-';
    }
    (None, dashes)
}

fn trim_end_ows(mut v: &[u8]) -> &[u8] {
    while let [rest @ .., b' ' | b'\t'] = v {
        v = rest;
    }
    v
}

/// Parses `form-data; name="…"` with an optional `; filename="…"`: the
/// value `ext[..len]`, followed in `ext` by the bytes after it.
fn parse_disposition(ext: &[u8], len: usize, at: usize) -> Result<(JsString, Option<String>), MultipartError> {
    let v = &ext[..len];
    let type_end = v.iter().position(|&b| b == b';').unwrap_or(v.len());
    if &v[..type_end] != b"form-data" {
        return Err(MultipartError::NotFormData { offset: at });
    }
    const NAME: &[u8] = b"; name=\"";
    const FILENAME: &[u8] = b"; filename=\"";
    let mut i = type_end;
    if !v[i..].starts_with(NAME) {
        return Err(MultipartError::MissingName { offset: at + i });
    }
    i += NAME.len();
    let name = quoted(v, ext, &mut i, at)?;
    let mut filename = None;
    if v[i..].starts_with(FILENAME) {
        i += FILENAME.len();
        filename = Some(quoted(v, ext, &mut i, at)?.as_str().unwrap_or_default().to_owned());
    }
    if i != v.len() {
        return Err(MultipartError::MalformedHeader { offset: at + i });
    }
    Ok((name, filename))
}

/// Reads a quoted name from `v[*i..]` (just past the opening quote) and
/// decodes it like undici: UTF-8, then `%0A`, `%0D` (any case) and `%22`.
/// `ext` is `v` and the bytes after it (a short name is copied from a word
/// of it).
fn quoted(v: &[u8], ext: &[u8], i: &mut usize, at: usize) -> Result<JsString, MultipartError> {
    let start = *i;
    let len =
        v[start..].iter().position(|&b| b == b'"').ok_or(MultipartError::MalformedHeader { offset: at + v.len() })?;
    *i = start + len + 1;
    let text = &v[start..start + len];
    if text.is_ascii() && !text.contains(&b'%') {
        // (ASCII is UTF-8.)
        if len <= INLINE && ext.len() >= start + INLINE {
            return Ok(JsString::inline_wtf8_unchecked(ext, start, start + len));
        }
        return Ok(JsString::copy_wtf8_unchecked(text));
    }
    let raw =
        std::str::from_utf8(text).map_err(|e| MultipartError::InvalidUtf8 { offset: at + start + e.valid_up_to() })?;
    if !raw.contains('%') {
        return Ok(JsString::from(raw));
    }
    let bytes = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut last = 0;
    let mut j = 0;
    while j + 2 < bytes.len() {
        let decoded = match (bytes[j], bytes[j + 1], bytes[j + 2]) {
            (b'%', b'0', b'A' | b'a') => Some('\n'),
            (b'%', b'0', b'D' | b'd') => Some('\r'),
            (b'%', b'2', b'2') => Some('"'),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push_str(&raw[last..j]);
                out.push(c);
                j += 3;
                last = j;
            }
            None => j += 1,
        }
    }
    out.push_str(&raw[last..]);
    Ok(JsString::from(out))
}

fn make_part(head: Head, body: Bytes) -> Part {
    let (name, filename, content_type) = head.into_parts();
    // A name is always UTF-8: `quoted` checked it.
    let name = name.as_str().unwrap_or_default().to_owned();
    Part { name, filename, content_type, body }
}

/// Incremental `multipart/form-data` parser: feed chunks as they arrive,
/// drain completed parts, then call [`finish`](Self::finish).
///
/// Each input byte is copied once into an internal buffer and part bodies
/// are split off it without another copy. After an error every later
/// [`feed`](Self::feed) and [`finish`](Self::finish) returns that error;
/// parts completed before it can still be drained.
///
/// ```
/// use flight_codec::multipart::{MultipartLimits, MultipartParser};
///
/// let body = b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nhello\r\n--b--\r\n";
/// let mut parser = MultipartParser::new("b", MultipartLimits::default())?;
/// for chunk in body.chunks(7) {
///     parser.feed(chunk)?;
/// }
/// parser.finish()?;
/// let part = parser.next_part().unwrap();
/// assert_eq!((part.name.as_str(), &part.body[..]), ("a", &b"hello"[..]));
/// assert!(parser.next_part().is_none());
/// # Ok::<(), flight_codec::multipart::MultipartError>(())
/// ```
pub struct MultipartParser {
    machine: Machine,
    /// Unconsumed input: absolute bytes `base..base + buf.len()`.
    buf: BytesMut,
    base: usize,
    total: usize,
    events: Vec<Event>,
    parts: VecDeque<(Head, Bytes)>,
    error: Option<MultipartError>,
}

impl std::fmt::Debug for MultipartParser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MultipartParser")
            .field("state", &self.machine.state)
            .field("bytes_fed", &self.total)
            .field("parts_ready", &self.parts.len())
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl MultipartParser {
    /// Creates a parser for `boundary` (without the leading `--`).
    ///
    /// # Errors
    /// [`MultipartError::InvalidBoundary`] unless the boundary is
    /// 1..=`limits.max_boundary_len` RFC 2046 bchars, does not end in a space
    /// and is not made only of dashes.
    ///
    /// ```
    /// use flight_codec::multipart::{MultipartError, MultipartLimits, MultipartParser};
    ///
    /// assert!(MultipartParser::new("----formdata-undici-012345678901", MultipartLimits::default()).is_ok());
    /// assert_eq!(MultipartParser::new("a{b", MultipartLimits::default()).unwrap_err(), MultipartError::InvalidBoundary);
    /// ```
    pub fn new(boundary: &str, limits: MultipartLimits) -> Result<Self, MultipartError> {
        Ok(MultipartParser {
            machine: Machine::new(boundary, limits)?,
            buf: BytesMut::new(),
            base: 0,
            total: 0,
            events: Vec::new(),
            parts: VecDeque::new(),
            error: None,
        })
    }

    /// Parses the next chunk of the body.
    ///
    /// Parts completed by this chunk become available from
    /// [`next_part`](Self::next_part).
    ///
    /// # Errors
    /// Any [`MultipartError`] the body has so far, including
    /// [`MultipartError::BodyTooLarge`]; after one, every call returns it again.
    ///
    /// ```
    /// use flight_codec::multipart::{MultipartLimits, MultipartParser};
    /// let mut parser = MultipartParser::new("b", MultipartLimits::default())?;
    /// parser.feed(b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b")?;
    /// assert_eq!(parser.next_part().unwrap().name, "a");
    /// # Ok::<(), flight_codec::multipart::MultipartError>(())
    /// ```
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), MultipartError> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        let limit = self.machine.limits.max_total_bytes;
        let room = limit - self.total;
        let take = &chunk[..chunk.len().min(room)];
        self.buf.extend_from_slice(take);
        self.total += take.len();
        self.events.clear();
        let mut result = self.machine.run(&self.buf, self.base, &mut self.events);
        for Event { head, body } in self.events.drain(..) {
            self.buf.advance(body.start - self.base);
            let bytes = self.buf.split_to(body.end - body.start).freeze();
            self.base = body.end;
            self.parts.push_back((head, bytes));
        }
        if result.is_ok() {
            let keep = self.machine.keep_from();
            self.buf.advance(keep - self.base);
            self.base = keep;
            if take.len() < chunk.len() {
                result = Err(MultipartError::BodyTooLarge { limit });
            }
        }
        if let Err(e) = &result {
            self.error = Some(e.clone());
            self.buf = BytesMut::new();
        }
        result
    }

    /// Returns the next completed part, in body order.
    ///
    /// ```
    /// use flight_codec::multipart::{MultipartLimits, MultipartParser};
    /// let mut parser = MultipartParser::new("b", MultipartLimits::default())?;
    /// assert!(parser.next_part().is_none());
    /// parser.feed(b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--")?;
    /// assert_eq!(&parser.next_part().unwrap().body[..], b"1");
    /// # Ok::<(), flight_codec::multipart::MultipartError>(())
    /// ```
    pub fn next_part(&mut self) -> Option<Part> {
        self.parts.pop_front().map(|(head, body)| make_part(head, body))
    }

    /// [`next_part`](Self::next_part) for the crate's own decoders: the
    /// headers as parsed (no allocation for a short name) and the body.
    pub(crate) fn next_raw(&mut self) -> Option<(Head, Bytes)> {
        self.parts.pop_front()
    }

    /// Ends the body: fails with [`MultipartError::Truncated`] unless the
    /// closing boundary (and at most one CRLF after it) was seen.
    ///
    /// # Errors
    /// [`MultipartError::Truncated`], or the error an earlier
    /// [`feed`](Self::feed) returned.
    ///
    /// ```
    /// use flight_codec::multipart::{MultipartError, MultipartLimits, MultipartParser};
    /// let mut parser = MultipartParser::new("b", MultipartLimits::default())?;
    /// parser.feed(b"--b\r\n")?;
    /// assert!(matches!(parser.finish(), Err(MultipartError::Truncated { .. })));
    /// # Ok::<(), flight_codec::multipart::MultipartError>(())
    /// ```
    pub fn finish(&mut self) -> Result<(), MultipartError> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        let result = self.machine.finish();
        if let Err(e) = &result {
            self.error = Some(e.clone());
        }
        result
    }
}

/// Parses a whole body; part bodies are slices of `body` (no copy).
///
/// `boundary` is the value of the content type's `boundary` parameter (see
/// [`boundary_from_content_type`](super::boundary_from_content_type)).
/// Gives the same parts and errors as feeding `body` to a
/// [`MultipartParser`] in any chunks.
///
/// # Errors
/// The first [`MultipartError`] in the body, including
/// [`MultipartError::BodyTooLarge`] and [`MultipartError::Truncated`].
///
/// ```
/// use bytes::Bytes;
/// use flight_codec::multipart::{parse, MultipartLimits};
///
/// let body = Bytes::from_static(
///     b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n\
///       --b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n2\r\n--b--\r\n",
/// );
/// let parts = parse(&body, "b", &MultipartLimits::default())?;
/// let values: Vec<&[u8]> = parts.iter().map(|p| &p.body[..]).collect();
/// assert_eq!(values, [b"1", b"2"]);
/// # Ok::<(), flight_codec::multipart::MultipartError>(())
/// ```
pub fn parse(body: &Bytes, boundary: &str, limits: &MultipartLimits) -> Result<Vec<Part>, MultipartError> {
    let parts = parse_parts(body, boundary, limits)?;
    Ok(parts.into_iter().map(|e| make_part(e.head, body.slice(e.body))).collect())
}

/// [`parse`] for the crate's own decoders: each part's headers as parsed
/// (the name a [`JsString`], with no allocation when it is short) and where
/// its body is in `body` (40 bytes a part: the caller takes the slices it
/// keeps, with no second list).
pub(crate) fn parse_parts(
    body: &Bytes,
    boundary: &str,
    limits: &MultipartLimits,
) -> Result<Vec<Event>, MultipartError> {
    let mut machine = Machine::new(boundary, *limits)?;
    let allowed = body.len().min(limits.max_total_bytes);
    let mut events = Vec::new();
    machine.run(&body[..allowed], 0, &mut events)?;
    if allowed < body.len() {
        return Err(MultipartError::BodyTooLarge { limit: limits.max_total_bytes });
    }
    machine.finish()?;
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_scan_agrees_with_a_byte_loop() {
        let alphabet = [b'a', b'-', b'-', b'\r', b'\n', b'"', b' ', 0x00, 0x2c, 0x2e, 0x0c, 0x8d, 0xad, 0xff];
        let mut rng = crate::test_rng::xorshift(0x0bad_cafe_f00d_d00d);
        let mut next = move || rng.next().unwrap_or_default() as usize;
        for _ in 0..200_000 {
            let len = next() % 40;
            let plain = next() % 5;
            let s: Vec<u8> = (0..len)
                .map(|_| if next() % (plain + 1) == 0 { alphabet[next() % alphabet.len()] } else { b'x' })
                .collect();
            let end = s.iter().position(|&b| b == b'\r' || b == b'\n');
            let upto = end.unwrap_or(len);
            let dashes = s[..upto].windows(2).any(|w| w == b"--");
            let (got_end, got_dashes) = scan_line(&s);
            assert_eq!(got_end, end, "{s:?}");
            // Never a `--` missed; `-,` may count as one, nothing else.
            let maybe = s[..upto].windows(2).any(|w| w == b"-,");
            assert!(got_dashes == dashes || (got_dashes && maybe), "{s:?}");
        }
    }

    #[test]
    fn short_names_are_read_whole_or_copied() {
        // Names up to the inline size, at the end of the body or not, with
        // the same parts either way.
        for name in ["", "1", "1_k", "abcdefg", "abcdefgh", "a-b--c", "é", "%22"] {
            let mut body =
                format!("--b\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\nv\r\n--b--").into_bytes();
            for tail in [0, 2] {
                body.extend(std::iter::repeat_n(b'\n', tail));
                let body = Bytes::from(body.clone());
                let got = parse_parts(&body, "b", &MultipartLimits::default());
                let want = if name == "%22" { "\"" } else { name };
                match got {
                    Ok(parts) => assert_eq!(parts[0].head.name, want),
                    Err(e) => assert!(tail > 0, "{name}: {e:?}"),
                }
            }
        }
    }
}
