//! `multipart/form-data` bodies: a strict, bounded parser and an undici-exact writer.
//!
//! React's `encodeReply` produces a `FormData`, which `fetch` sends as
//! `multipart/form-data`. On a server this parser runs before authentication,
//! so it is written for hostile input: it never panics, scans every byte a
//! bounded number of times whatever the chunking (a scan position is kept
//! across [`MultipartParser::feed`] calls), never allocates from a length the
//! input declares, and enforces [`MultipartLimits`], which are on by default.
//!
//! * [`parse`] parses a whole body without copying part bodies
//!   ([`Part::body`] is a slice of the input [`Bytes`]).
//! * [`MultipartParser`] is the push parser for bodies that arrive in chunks.
//! * [`boundary_from_content_type`] extracts the boundary from the request's
//!   `Content-Type` header.
//! * [`write()`], [`content_type`] and [`choose_boundary`] serialize entries
//!   exactly as undici's `FormData` body encoder does (only the boundary differs).
//!
//! ```
//! use bytes::Bytes;
//! use flight_codec::multipart::{self, EntryRef, MultipartLimits};
//!
//! let entries = [EntryRef::Text { name: "0", value: "[\"$K1\"]" }];
//! let boundary = multipart::choose_boundary(&entries);
//! let mut body = Vec::new();
//! multipart::write(&entries, &boundary, &mut body);
//!
//! let ct = multipart::content_type(&boundary);
//! let boundary = multipart::boundary_from_content_type(&ct)?;
//! let parts = multipart::parse(&Bytes::from(body), &boundary, &MultipartLimits::default())?;
//! assert_eq!(parts[0].name, "0");
//! assert_eq!(&parts[0].body[..], b"[\"$K1\"]");
//! # Ok::<(), multipart::MultipartError>(())
//! ```
//!
//! # Compatibility decisions
//!
//! Observed in Node 20.20.2 (bundled undici 6.24.1, whose
//! `lib/web/fetch/formdata-parser.js` and `body.js` were also read). The rule:
//! where undici is lenient in a way that lets two parsers (a proxy, this
//! server) read one body differently, reject; where undici's reading is the
//! only sensible one, match it. Each line: our behaviour — what undici does.
//!
//! Writer (byte-exact with undici's `FormData` encoder):
//! - framing: `--B\r\nContent-Disposition: form-data; name="N"\r\n\r\nV\r\n` per entry, then `--B--\r\n` — same; an empty form is just `--B--\r\n`.
//! - names: CR LF, lone CR and lone LF become CRLF, then `"`→`%22`, CR→`%0D`, LF→`%0A` (so every line break is `%0D%0A`); `%` and `\` are written as is — same.
//! - filenames: `"`→`%22`, CR→`%0D`, LF→`%0A`, line breaks not normalised; an empty filename omits the `filename` parameter (the part keeps its `Content-Type`) — same.
//! - text values: CR LF, lone CR and lone LF all become CR LF; file data is written untouched — same.
//! - file `Content-Type`: normalised like the `Blob` `type` option (any char outside U+0020..=U+007E makes it empty, otherwise ASCII-lowercased), empty becomes `application/octet-stream` — same (so no header injection is possible).
//! - non-ASCII names, values and filenames are raw UTF-8, NUL and other controls are written raw — same.
//! - boundary: `----formdata-flight-0` + 11 digits, derived from the entries and re-drawn until it occurs in none — undici uses `----formdata-undici-0` + 11 random digits and does not check.
//!
//! Parser:
//! - boundary: 1..=[`MultipartLimits::max_boundary_len`] (default 70) RFC 2046 bchars, not ending in a space, not only dashes — undici checks nothing.
//! - content type: case-insensitive essence and parameter names, quoted or token boundary, other parameters allowed — same; a duplicate `boundary`, a backslash in a quoted boundary, an unterminated quote or whitespace around `=` are errors — undici takes the first, unescapes, accepts, or ignores the parameter.
//! - preamble: the body must start with `--B` — undici skips leading CRLFs and rejects anything else.
//! - epilogue: nothing or exactly one CRLF after `--B--` — undici strips any number of trailing CRLFs and rejects anything else.
//! - missing close delimiter or empty body: [`MultipartError::Truncated`] — undici fails too.
//! - whitespace after a boundary (RFC 2046 transport padding): rejected — undici rejects it too.
//! - line endings: CRLF only; a bare CR or LF in headers is rejected — undici rejects LF-only bodies but has a quirk accepting some bare LFs after `name="…"`.
//! - the boundary string inside a part body other than as the `\r\n--B` delimiter is rejected — undici fails as well (it searches the bare boundary string), RFC parsers would accept it.
//! - `--B` anywhere in a header section (e.g. a line that looks like a delimiter) is rejected — undici does not look for it there.
//! - header names: case-insensitive tokens — same; whitespace before the colon or at the start of a line (obs-fold) is rejected — undici trims it.
//! - header values: optional spaces/tabs after the colon skipped — same; unknown headers ignored — same.
//! - `Content-Disposition`: exactly `form-data; name="…"` optionally followed by `; filename="…"`, case-sensitive — same; missing header → error — same; a duplicate is rejected — undici keeps the last.
//! - `filename*=` is rejected — undici reads `filename*="x"` as a plain filename without RFC 5987 decoding, other parsers decode it.
//! - a part is a file iff `filename` is present (even empty) — same; `Content-Type` without `filename` stays a text part — same.
//! - quoted names and filenames: any byte but CR, LF and `"`; `%0A`/`%0a`→LF, `%0D`/`%0d`→CR, `%22`→`"`, other escapes kept — same (WHATWG); invalid UTF-8 is rejected — undici substitutes U+FFFD.
//! - `Content-Type`: trailing spaces/tabs trimmed and ASCII-lowercased (the `File.type` undici produces) — same; a byte outside 0x20..=0x7E is rejected — undici uses the empty type; a duplicate is rejected — undici keeps the last; absent stays `None` — undici's `File` gets `text/plain`.
//! - `Content-Transfer-Encoding`: `7bit`, `8bit` and `binary` accepted and ignored, anything else rejected — undici base64-decodes `base64` and ignores the rest.
//! - duplicate field names: kept, in order — same.

mod parse;
mod write;

pub use parse::{parse, MultipartParser};
pub(crate) use parse::{parse_parts, Head};
pub use write::{choose_boundary, content_type, write, EntryRef};

use bytes::Bytes;
use std::fmt;

/// The longest boundary RFC 2046 allows.
const RFC_MAX_BOUNDARY_LEN: usize = 70;

/// One field of a `multipart/form-data` body.
///
/// A part is a file entry iff its `Content-Disposition` has a `filename`
/// parameter, even an empty one. Text bodies are kept as raw bytes; the
/// caller validates UTF-8.
///
/// ```
/// use bytes::Bytes;
/// use flight_codec::multipart::{parse, MultipartLimits};
///
/// let body = Bytes::from_static(
///     b"--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n\
///       Content-Type: Text/Plain\r\n\r\nhi\r\n--b--\r\n",
/// );
/// let part = &parse(&body, "b", &MultipartLimits::default())?[0];
/// assert!(part.is_file());
/// assert_eq!(part.filename.as_deref(), Some("a.txt"));
/// assert_eq!(part.content_type.as_deref(), Some("text/plain"));
/// # Ok::<(), flight_codec::multipart::MultipartError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The field name, with `%0A`, `%0D` and `%22` decoded.
    pub name: String,
    /// The `filename` parameter (decoded like `name`); `Some` for file entries.
    pub filename: Option<String>,
    /// The part's `Content-Type`, trimmed and ASCII-lowercased; `None` if absent.
    pub content_type: Option<String>,
    /// The part's body bytes.
    pub body: Bytes,
}

impl Part {
    /// Whether this part is a file entry (it has a `filename` parameter).
    ///
    /// ```
    /// # use flight_codec::multipart::Part;
    /// let p = Part { name: "a".into(), filename: None, content_type: None, body: Default::default() };
    /// assert!(!p.is_file());
    /// ```
    pub fn is_file(&self) -> bool {
        self.filename.is_some()
    }
}

/// Resource limits for parsing; all are on by default.
///
/// ```
/// use flight_codec::multipart::MultipartLimits;
///
/// let limits = MultipartLimits { max_parts: 100, ..MultipartLimits::default() };
/// assert_eq!(limits.max_total_bytes, 64 << 20);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MultipartLimits {
    /// Most parts a body may have (default 10 000).
    pub max_parts: usize,
    /// Most bytes of one part's header section, counting every line's CRLF
    /// and the blank line that ends it (default 8 KiB).
    pub max_header_bytes: usize,
    /// Most bytes of the whole body (default 64 MiB).
    pub max_total_bytes: usize,
    /// Longest boundary accepted (default 70, the RFC 2046 maximum).
    pub max_boundary_len: usize,
}

impl Default for MultipartLimits {
    fn default() -> Self {
        MultipartLimits {
            max_parts: 10_000,
            max_header_bytes: 8 * 1024,
            max_total_bytes: 64 * 1024 * 1024,
            max_boundary_len: RFC_MAX_BOUNDARY_LEN,
        }
    }
}

/// Why a `multipart/form-data` body or its content type was rejected.
///
/// Offsets are byte offsets into the body.
///
/// ```
/// use bytes::Bytes;
/// use flight_codec::multipart::{parse, MultipartError, MultipartLimits};
///
/// let body = Bytes::from_static(b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv");
/// let err = parse(&body, "b", &MultipartLimits::default()).unwrap_err();
/// assert_eq!(err, MultipartError::Truncated { offset: 50 });
/// assert_eq!(err.to_string(), "multipart body ended before the closing boundary at byte 50");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MultipartError {
    /// The content type is empty.
    MissingContentType,
    /// The content type is not `multipart/form-data`.
    NotMultipartFormData,
    /// The content type's parameters do not parse.
    MalformedContentType,
    /// The content type has no `boundary` parameter.
    MissingBoundary,
    /// The content type has more than one `boundary` parameter.
    DuplicateBoundary,
    /// The boundary is empty, too long, or not made of RFC 2046 bchars.
    InvalidBoundary,
    /// The body does not start with `--` and the boundary.
    ExpectedBoundary {
        /// First byte that differs.
        offset: usize,
    },
    /// A boundary is followed by something other than CRLF or `--`.
    MalformedBoundaryLine {
        /// First byte after the boundary.
        offset: usize,
    },
    /// A part header line does not parse (bad name, bare CR or LF, bad
    /// `Content-Disposition` syntax, bad `Content-Type` byte).
    MalformedHeader {
        /// Where the problem was detected.
        offset: usize,
    },
    /// A part repeats `Content-Disposition`, `Content-Type` or
    /// `Content-Transfer-Encoding`.
    DuplicateHeader {
        /// Start of the repeated header line.
        offset: usize,
    },
    /// A part has no `Content-Disposition` header.
    MissingContentDisposition {
        /// Start of the part's header section.
        offset: usize,
    },
    /// A `Content-Disposition` is not `form-data`.
    NotFormData {
        /// Start of the header value.
        offset: usize,
    },
    /// A `Content-Disposition` has no `name` parameter right after `form-data; `.
    MissingName {
        /// Where `; name="` was expected.
        offset: usize,
    },
    /// A `Content-Transfer-Encoding` other than `7bit`, `8bit` or `binary`.
    UnsupportedTransferEncoding {
        /// Start of the header line.
        offset: usize,
    },
    /// A name or filename is not valid UTF-8.
    InvalidUtf8 {
        /// First invalid byte.
        offset: usize,
    },
    /// The boundary appears inside a part: `--` and the boundary in a header
    /// section, or the bare boundary in a body other than as the delimiter.
    BoundaryInPart {
        /// Start of the boundary string.
        offset: usize,
    },
    /// A part's header section exceeds [`MultipartLimits::max_header_bytes`].
    HeaderTooLarge {
        /// Start of the header section.
        offset: usize,
        /// The limit.
        limit: usize,
    },
    /// The body has more than [`MultipartLimits::max_parts`] parts.
    TooManyParts {
        /// The limit.
        limit: usize,
    },
    /// The body exceeds [`MultipartLimits::max_total_bytes`].
    BodyTooLarge {
        /// The limit.
        limit: usize,
    },
    /// Bytes follow the closing boundary (other than one CRLF).
    TrailingData {
        /// First unexpected byte.
        offset: usize,
    },
    /// The body ended before the closing boundary.
    Truncated {
        /// Length of the body.
        offset: usize,
    },
}

impl fmt::Display for MultipartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use MultipartError::*;
        match self {
            MissingContentType => f.write_str("missing content type"),
            NotMultipartFormData => f.write_str("content type is not multipart/form-data"),
            MalformedContentType => f.write_str("malformed multipart/form-data content type"),
            MissingBoundary => f.write_str("multipart/form-data content type has no boundary"),
            DuplicateBoundary => f.write_str("multipart/form-data content type has more than one boundary"),
            InvalidBoundary => f.write_str("invalid multipart boundary"),
            ExpectedBoundary { offset } => {
                write!(f, "multipart body does not start with the boundary at byte {offset}")
            }
            MalformedBoundaryLine { offset } => {
                write!(f, "malformed multipart boundary line at byte {offset}")
            }
            MalformedHeader { offset } => write!(f, "malformed part header at byte {offset}"),
            DuplicateHeader { offset } => write!(f, "duplicate part header at byte {offset}"),
            MissingContentDisposition { offset } => {
                write!(f, "part without content-disposition at byte {offset}")
            }
            NotFormData { offset } => {
                write!(f, "content-disposition is not form-data at byte {offset}")
            }
            MissingName { offset } => write!(f, "content-disposition has no name at byte {offset}"),
            UnsupportedTransferEncoding { offset } => {
                write!(f, "unsupported content-transfer-encoding at byte {offset}")
            }
            InvalidUtf8 { offset } => write!(f, "invalid utf-8 in part header at byte {offset}"),
            BoundaryInPart { offset } => write!(f, "boundary inside a part at byte {offset}"),
            HeaderTooLarge { offset, limit } => {
                write!(f, "part headers at byte {offset} exceed the limit of {limit} bytes")
            }
            TooManyParts { limit } => write!(f, "multipart body has more than {limit} parts"),
            BodyTooLarge { limit } => {
                write!(f, "multipart body exceeds the limit of {limit} bytes")
            }
            TrailingData { offset } => {
                write!(f, "unexpected data after the closing boundary at byte {offset}")
            }
            Truncated { offset } => {
                write!(f, "multipart body ended before the closing boundary at byte {offset}")
            }
        }
    }
}

impl std::error::Error for MultipartError {}

/// RFC 2046 `bchars`: digits, letters and `'()+_,-./:=?` and space.
fn is_bchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b" '()+_,-./:=?".contains(&b)
}

/// Checks `boundary` is 1..=`max_len` bchars, not ending in a space and not
/// only dashes (those overlap their own `--` prefix, so the delimiter would
/// be ambiguous).
fn validate_boundary(boundary: &str, max_len: usize) -> Result<(), MultipartError> {
    let b = boundary.as_bytes();
    if b.is_empty()
        || b.len() > max_len
        || !b.iter().all(|&c| is_bchar(c))
        || b.ends_with(b" ")
        || b.iter().all(|&c| c == b'-')
    {
        return Err(MultipartError::InvalidBoundary);
    }
    Ok(())
}

/// RFC 7230 `tchar`.
fn is_tchar(b: u8) -> bool {
    TCHAR[usize::from(b)]
}

/// RFC 9110 token characters: letters, digits and ``!#$%&'*+-.^_`|~``.
const TCHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'
            );
        i += 1;
    }
    t
};

fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Extracts the boundary from a `Content-Type` header value such as
/// `multipart/form-data; boundary=----formdata-undici-012345678901`.
///
/// The type and parameter names are case-insensitive, the boundary may be a
/// token or a quoted string, and other parameters are allowed. The boundary
/// must be made of RFC 2046 bchars; its length is checked later against
/// [`MultipartLimits::max_boundary_len`] by [`MultipartParser::new`] and [`parse`].
///
/// # Errors
/// [`MultipartError::MissingContentType`], [`MultipartError::NotMultipartFormData`],
/// [`MultipartError::MalformedContentType`], [`MultipartError::MissingBoundary`],
/// [`MultipartError::DuplicateBoundary`] or [`MultipartError::InvalidBoundary`].
///
/// ```
/// use flight_codec::multipart::{boundary_from_content_type, MultipartError};
///
/// assert_eq!(boundary_from_content_type("Multipart/Form-Data; charset=utf-8; BOUNDARY=\"a b\"")?, "a b");
/// assert_eq!(boundary_from_content_type("text/plain"), Err(MultipartError::NotMultipartFormData));
/// # Ok::<(), MultipartError>(())
/// ```
pub fn boundary_from_content_type(ct: &str) -> Result<String, MultipartError> {
    use MultipartError::*;
    let s = ct.as_bytes();
    let mut i = 0;
    while i < s.len() && is_ows(s[i]) {
        i += 1;
    }
    if i == s.len() {
        return Err(MissingContentType);
    }
    let essence_end = s[i..].iter().position(|&b| b == b';').map_or(s.len(), |p| i + p);
    let mut essence = &s[i..essence_end];
    while let [rest @ .., last] = essence {
        if !is_ows(*last) {
            break;
        }
        essence = rest;
    }
    if !essence.eq_ignore_ascii_case(b"multipart/form-data") {
        return Err(NotMultipartFormData);
    }
    i = essence_end;
    let mut boundary: Option<String> = None;
    loop {
        while i < s.len() && is_ows(s[i]) {
            i += 1;
        }
        if i == s.len() {
            break;
        }
        if s[i] != b';' {
            return Err(MalformedContentType);
        }
        i += 1;
        while i < s.len() && is_ows(s[i]) {
            i += 1;
        }
        if i == s.len() || s[i] == b';' {
            continue; // empty parameter
        }
        let name_start = i;
        while i < s.len() && is_tchar(s[i]) {
            i += 1;
        }
        let name = &s[name_start..i];
        if name.is_empty() || i == s.len() || s[i] != b'=' {
            return Err(MalformedContentType);
        }
        i += 1;
        let is_boundary = name.eq_ignore_ascii_case(b"boundary");
        let value: Vec<u8> = if s.get(i) == Some(&b'"') {
            i += 1;
            let mut v = Vec::new();
            loop {
                match s.get(i) {
                    None => return Err(MalformedContentType),
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(b'\\') if !is_boundary && i + 1 < s.len() => {
                        v.push(s[i + 1]);
                        i += 2;
                    }
                    Some(b'\\') => return Err(MalformedContentType),
                    Some(&b) => {
                        v.push(b);
                        i += 1;
                    }
                }
            }
            v
        } else {
            let start = i;
            while i < s.len() && is_tchar(s[i]) {
                i += 1;
            }
            if i == start {
                return Err(MalformedContentType);
            }
            s[start..i].to_vec()
        };
        if is_boundary {
            if boundary.is_some() {
                return Err(DuplicateBoundary);
            }
            // Non-ASCII bytes fail the bchars check below anyway.
            let v = String::from_utf8(value).map_err(|_| InvalidBoundary)?;
            validate_boundary(&v, usize::MAX)?;
            boundary = Some(v);
        }
    }
    boundary.ok_or(MissingBoundary)
}
