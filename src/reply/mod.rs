//! The reply direction: server-function arguments, client → server.
//!
//! React's client serialises the arguments of a server-function call with
//! `encodeReply`: a JSON string when nothing needs outlining, otherwise a
//! `FormData` (sent as `multipart/form-data`) whose field `"0"` is the root
//! JSON and whose other fields are outlined parts. The server rebuilds the
//! arguments with `decodeReply`. This module does both, exactly as React
//! 19.3.1 does, except where `spec/reply.md` documents a stricter choice.
//!
//! ```
//! use flight_codec::reply::{self, DecodeOptions};
//! use flight_codec::value::{Node, Value, NodeRef};
//!
//! let g = reply::decode_str(r#"["$n10",{"a":"$D1970-01-01T00:00:00.005Z"},"$$x"]"#, &DecodeOptions::default())?;
//! let Value::Node(root) = g.root() else { panic!() };
//! let NodeRef::Array(items) = g.view(*root) else { panic!() };
//! assert_eq!(items[2].as_string().unwrap(), "$x");
//!
//! // and back
//! let body = reply::encode(&g, &Default::default())?;
//! assert_eq!(body.as_text().unwrap(), r#"["$n10",{"a":"$D1970-01-01T00:00:00.005Z"},"$$x"]"#);
//! # Ok::<(), flight_codec::Error>(())
//! ```

mod action;
mod backing;
mod decode;
mod encode;

use bytes::Bytes;

use crate::error::{Error, ErrorKind, Result};
use crate::limits::Limits;
use crate::multipart::{self, MultipartLimits, MultipartParser};
use crate::value::{Blob, FormEntry, Graph, JsString};

pub use action::{decode_action, decode_action_body, decode_form_state, encode_form_action, Action, FormState};
pub use encode::{encode, Body, EncodeOptions, ReplyEncoder};

/// Options for the reply decoder.
///
/// ```
/// let mut opts = flight_codec::reply::DecodeOptions::default();
/// opts.temporary_references = true;
/// opts.limits.max_depth = 64;
/// ```
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct DecodeOptions {
    /// The limits (on by default).
    pub limits: Limits,
    /// Accept `$T` temporary references, as `decodeReply` does when given a
    /// `temporaryReferences` set. Off by default: `$T` is then an error.
    pub temporary_references: bool,
}

/// Decodes a string body (what `encodeReply` returns when it returns a string).
///
/// # Errors
/// Any syntax, reference or limit error; see [`ErrorKind`].
///
/// ```
/// let g = flight_codec::reply::decode_str("[1,2]", &Default::default())?;
/// assert_eq!(g.len(), 1);
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub fn decode_str(body: &str, opts: &DecodeOptions) -> Result<Graph> {
    decode_text(Bytes::copy_from_slice(body.as_bytes()), opts)
}

/// Decodes a string body given as bytes, without copying it.
///
/// # Errors
/// [`ErrorKind::InvalidUtf8`] if the body is not UTF-8, and everything
/// [`decode_str`] returns.
///
/// ```
/// let g = flight_codec::reply::decode_text(bytes::Bytes::from_static(b"\"hi\""), &Default::default())?;
/// assert_eq!(g.root().as_string().unwrap(), "hi");
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub fn decode_text(body: Bytes, opts: &DecodeOptions) -> Result<Graph> {
    let text = JsString::from_utf8(body).map_err(|_| Error::new(ErrorKind::InvalidUtf8).at_part(0))?;
    decode_form(vec![(JsString::from_static("0"), FormEntry::Text(text))], opts)
}

/// Decodes a body given as FormData entries, in order.
///
/// # Errors
/// Everything [`decode_str`] returns, plus [`ErrorKind::DuplicatePart`].
///
/// ```
/// use flight_codec::value::{FormEntry, JsString};
/// let entries = vec![
///     (JsString::from("1"), FormEntry::Text("[[1,\"a\"]]".into())),
///     (JsString::from("0"), FormEntry::Text("\"$Q1\"".into())),
/// ];
/// let g = flight_codec::reply::decode_form(entries, &Default::default())?;
/// assert!(matches!(g.root(), flight_codec::value::Value::Node(_)));
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub fn decode_form(entries: Vec<(JsString, FormEntry)>, opts: &DecodeOptions) -> Result<Graph> {
    let backing = backing::Backing::new(entries, "", &opts.limits)?;
    decode::Decoder::new(backing, opts).run()
}

/// Decodes a whole `multipart/form-data` body without copying its parts.
///
/// # Errors
/// [`ErrorKind::Multipart`] for a malformed body;
/// [`ErrorKind::LimitExceeded`] for a body with more parts than
/// [`Limits::max_parts`] or more bytes than [`Limits::max_total_bytes`]
/// (as for the other bodies); and everything [`decode_form`] returns.
///
/// ```
/// let body = bytes::Bytes::from_static(b"--XX\r\nContent-Disposition: form-data; name=\"0\"\r\n\r\n[1]\r\n--XX--\r\n");
/// let g = flight_codec::reply::decode_multipart(&body, "XX", &Default::default())?;
/// assert_eq!(g.len(), 1);
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub fn decode_multipart(body: &Bytes, boundary: &str, opts: &DecodeOptions) -> Result<Graph> {
    let parts =
        multipart::parse_parts(body, boundary, &multipart_limits(&opts.limits)).map_err(Error::from_multipart)?;
    // Text parts are checked first, all of them, as `multipart_entries`
    // does (so errors come in the same order), and then kept as bytes.
    for part in &parts {
        // (`is_ascii` first: most parts are short, where it is a few word
        // compares and the UTF-8 check's set-up would dominate.)
        let bytes = &body[part.body.clone()];
        if !part.head.is_file() && !bytes.is_ascii() {
            crate::utf8::validate(bytes).map_err(|_| Error::new(ErrorKind::InvalidUtf8))?;
        }
    }
    let count = parts.len();
    let entries = parts.into_iter().map(|part| {
        let bytes = body.slice(part.body);
        let (name, filename, content_type) = part.head.into_parts();
        let entry = match filename {
            Some(file) => backing::Entry::Form(FormEntry::File(file_blob(file, content_type, bytes))),
            None => backing::Entry::Utf8(bytes),
        };
        (name, entry)
    });
    let backing = backing::Backing::sort(count, entries, "", &opts.limits)?;
    decode::Decoder::new(backing, opts).run()
}

/// A whole multipart body's parts as FormData entries (text parts must be UTF-8).
pub(crate) fn multipart_entries(
    body: &Bytes,
    boundary: &str,
    opts: &DecodeOptions,
) -> Result<Vec<(JsString, FormEntry)>> {
    let parts =
        multipart::parse_parts(body, boundary, &multipart_limits(&opts.limits)).map_err(Error::from_multipart)?;
    parts.into_iter().map(|part| part_to_entry(part.head, body.slice(part.body))).collect()
}

/// The boundary of a `multipart/…` content type; `None` for any other type
/// (a string body).
pub(crate) fn multipart_boundary(content_type: &str) -> Result<Option<String>> {
    if !content_type.trim_start().to_ascii_lowercase().starts_with("multipart/") {
        return Ok(None);
    }
    multipart::boundary_from_content_type(content_type).map(Some).map_err(Error::from_multipart)
}

/// Decodes a body by content type: `multipart/form-data; boundary=…`, or
/// anything else as a string body.
///
/// # Errors
/// As [`decode_multipart`] or [`decode_text`].
///
/// ```
/// let g = flight_codec::reply::decode_body("text/plain;charset=UTF-8", bytes::Bytes::from_static(b"1"), &Default::default())?;
/// assert!(matches!(g.root(), flight_codec::value::Value::Number(_)));
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub fn decode_body(content_type: &str, body: Bytes, opts: &DecodeOptions) -> Result<Graph> {
    match multipart_boundary(content_type)? {
        Some(boundary) => decode_multipart(&body, &boundary, opts),
        None => decode_text(body, opts),
    }
}

pub(crate) fn multipart_limits(limits: &Limits) -> MultipartLimits {
    MultipartLimits {
        max_parts: limits.max_parts,
        max_total_bytes: limits.max_total_bytes,
        ..MultipartLimits::default()
    }
}

/// A multipart part as a FormData entry; text parts must be UTF-8.
pub(crate) fn part_to_entry(head: multipart::Head, body: Bytes) -> Result<(JsString, FormEntry)> {
    let (name, filename, content_type) = head.into_parts();
    let entry = match filename {
        Some(file) => FormEntry::File(file_blob(file, content_type, body)),
        None => FormEntry::Text(JsString::from_utf8(body).map_err(|_| Error::new(ErrorKind::InvalidUtf8))?),
    };
    Ok((name, entry))
}

/// A file part's blob.
fn file_blob(name: String, content_type: Option<String>, bytes: Bytes) -> Blob {
    Blob { name: Some(name.into()), content_type: content_type.unwrap_or_default().into(), bytes }
}

/// A push decoder for `multipart/form-data` bodies arriving in chunks.
///
/// Feed chunks of any size as they arrive, then call [`finish`](Self::finish).
/// Memory stays proportional to the body; nothing is allocated from a length
/// the body declares.
///
/// ```
/// use flight_codec::reply::MultipartDecoder;
/// let body = b"--XX\r\nContent-Disposition: form-data; name=\"0\"\r\n\r\n\"hi\"\r\n--XX--\r\n";
/// let mut dec = MultipartDecoder::new("XX", Default::default())?;
/// for chunk in body.chunks(3) {
///     dec.feed(chunk)?;
/// }
/// let g = dec.finish()?;
/// assert_eq!(g.root().as_string().unwrap(), "hi");
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub struct MultipartDecoder {
    parser: MultipartParser,
    entries: Vec<(JsString, FormEntry)>,
    /// The first part that is not a valid entry. Reported by `finish`, after
    /// the body's own errors, so that every chunking (and
    /// [`decode_multipart`]) reports the same error.
    bad_part: Option<Error>,
    opts: DecodeOptions,
}

impl MultipartDecoder {
    /// A decoder for a body with this boundary.
    ///
    /// # Errors
    /// [`ErrorKind::Multipart`] if the boundary is not valid.
    ///
    /// ```
    /// use flight_codec::reply::MultipartDecoder;
    /// assert!(MultipartDecoder::new("XX", Default::default()).is_ok());
    /// let err = MultipartDecoder::new("a{b", Default::default()).err().unwrap();
    /// assert_eq!(err.kind().name(), "multipart");
    /// ```
    pub fn new(boundary: &str, opts: DecodeOptions) -> Result<Self> {
        let parser = MultipartParser::new(boundary, multipart_limits(&opts.limits)).map_err(Error::from_multipart)?;
        Ok(MultipartDecoder { parser, entries: Vec::new(), bad_part: None, opts })
    }

    /// Feeds the next chunk.
    ///
    /// # Errors
    /// [`ErrorKind::Multipart`] as soon as the body is malformed, and
    /// [`ErrorKind::LimitExceeded`] as soon as it has more parts than
    /// [`Limits::max_parts`] or more bytes than [`Limits::max_total_bytes`].
    ///
    /// ```
    /// let mut dec = flight_codec::reply::MultipartDecoder::new("XX", Default::default())?;
    /// dec.feed(b"--XX\r\n")?;
    /// assert!(dec.feed(b"garbage\r\n\r\n").is_err());
    /// # Ok::<(), flight_codec::Error>(())
    /// ```
    pub fn feed(&mut self, chunk: &[u8]) -> Result<()> {
        self.parser.feed(chunk).map_err(Error::from_multipart)?;
        self.take_parts();
        Ok(())
    }

    fn take_parts(&mut self) {
        while let Some((head, body)) = self.parser.next_raw() {
            if self.bad_part.is_none() {
                match part_to_entry(head, body) {
                    Ok(entry) => self.entries.push(entry),
                    Err(e) => self.bad_part = Some(e),
                }
            }
        }
    }

    /// Ends the body and decodes it.
    ///
    /// # Errors
    /// [`ErrorKind::Multipart`] if the body was truncated;
    /// [`ErrorKind::InvalidUtf8`] for the first text part that is not UTF-8
    /// (reported here, after the body's own errors, whatever the chunking);
    /// and everything [`decode_form`] returns.
    ///
    /// ```
    /// let mut dec = flight_codec::reply::MultipartDecoder::new("XX", Default::default())?;
    /// dec.feed(b"--XX\r\nContent-Disposition: form-data; name=\"0\"\r\n\r\n1")?;
    /// let err = dec.finish().unwrap_err();
    /// assert_eq!(err.kind().name(), "multipart");
    /// # Ok::<(), flight_codec::Error>(())
    /// ```
    pub fn finish(mut self) -> Result<Graph> {
        self.parser.finish().map_err(Error::from_multipart)?;
        self.take_parts();
        if let Some(e) = self.bad_part {
            return Err(e);
        }
        decode_form(self.entries, &self.opts)
    }
}
