//! The crate's one error type.

use std::fmt;

use crate::limits::LimitKind;

/// An error from decoding or encoding.
///
/// It is opaque and small (one pointer). [`Error::kind`] says what went
/// wrong, [`Error::position`] where, and [`Error::category`] how to react
/// (for example, answer `413` to [`Category::Limit`] and `400` to the rest).
///
/// ```
/// use flight_codec::{reply, Category};
/// let err = reply::decode_str("{bad", &Default::default()).unwrap_err();
/// assert_eq!(err.category(), Category::Syntax);
/// assert_eq!(err.to_string(), "invalid JSON: key must be a string at byte 1 in part 0");
/// ```
#[derive(Clone)]
pub struct Error(Box<ErrorImpl>);

#[derive(Clone)]
struct ErrorImpl {
    kind: ErrorKind,
    position: Position,
}

/// Where an error was detected.
///
/// ```
/// let p = flight_codec::Position::default();
/// assert!(p.part.is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Position {
    /// The part (FormData field id) being decoded, if any.
    pub part: Option<u32>,
    /// Byte offset in that part's text, or in the multipart body.
    pub byte: Option<usize>,
    /// The path inside the value, as React writes it (`0:a:1`), when known.
    pub path: Option<String>,
}

/// A coarse classification of errors.
///
/// ```
/// assert_ne!(flight_codec::Category::Limit, flight_codec::Category::Syntax);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Category {
    /// The bytes are not well-formed (JSON, multipart, UTF-8, tag grammar).
    Syntax,
    /// Well-formed, but the references or types do not fit together.
    Data,
    /// Something the body refers to is missing (truncation).
    Incomplete,
    /// A configured limit was exceeded.
    Limit,
    /// The value cannot be encoded (React would reject it).
    Unsupported,
}

/// What went wrong.
///
/// Each variant has a stable short name ([`ErrorKind::name`]) and a message
/// (its `Display`); both are part of the API and tested verbatim.
///
/// ```
/// use flight_codec::{Category, ErrorKind};
/// let kind = ErrorKind::MissingPart { id: 3 };
/// assert_eq!(kind.to_string(), "missing part 3");
/// assert_eq!(kind.category(), Category::Incomplete);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// JSON syntax error in a part.
    Json(crate::json::JsonError),
    /// Malformed multipart body.
    Multipart(crate::multipart::MultipartError),
    /// A text part is not valid UTF-8.
    InvalidUtf8,
    /// The content type is not one this decoder reads.
    ContentType {
        /// The content type given.
        content_type: String,
    },
    /// A `$` string that is not a known tag (`$Z1`, a lone `$`, `$Ifoo`).
    UnknownTag {
        /// The string (cut to 64 bytes).
        text: String,
    },
    /// A reference id that is not canonical lowercase hex within `u32`.
    InvalidId {
        /// The string (cut to 64 bytes).
        text: String,
    },
    /// A referenced part does not exist in the body.
    MissingPart {
        /// The part id.
        id: u32,
    },
    /// Two FormData entries with the same part name.
    DuplicatePart {
        /// The field name.
        name: String,
    },
    /// A part has the wrong kind: a file where text is needed, or the reverse.
    PartType {
        /// The part id.
        id: u32,
        /// What the tag needs.
        expected: &'static str,
    },
    /// A path reference leads nowhere (missing key, `__proto__`, `length`,
    /// or through something that is not a plain object or array).
    InvalidReference {
        /// The reference (cut to 64 bytes).
        reference: String,
    },
    /// A reference that (indirectly) refers to itself.
    CircularReference {
        /// The reference (cut to 64 bytes).
        reference: String,
    },
    /// A Map, Set or Iterator part that is not an array of the right shape.
    InvalidInitializer {
        /// `Map`, `Set` or `Iterator`.
        what: &'static str,
    },
    /// A part consumed twice by a tag that consumes it (`$Q`, `$W`, `$i`,
    /// typed arrays, streams, `$K`).
    AlreadyInitialized {
        /// What the part was already used as.
        what: &'static str,
        /// The part id.
        id: u32,
    },
    /// A binary part whose length is not a multiple of the element size.
    MisalignedTypedArray {
        /// The typed array kind.
        kind: &'static str,
        /// The byte length.
        len: usize,
    },
    /// A `$n` body that is not a decimal integer.
    InvalidBigInt,
    /// A `$D` body that is not an ISO date as `toISOString` writes it.
    InvalidDate,
    /// A promise chain that leads back to itself.
    CyclicPromise,
    /// The root value is a promise that was rejected.
    RootRejected,
    /// A stream or async iterable that was never closed, or got rows after closing.
    InvalidStream {
        /// The stream's part id.
        id: u32,
        /// What is wrong.
        reason: &'static str,
    },
    /// A malformed server reference.
    InvalidServerReference {
        /// What is wrong.
        reason: &'static str,
    },
    /// `$T` without temporary references enabled.
    TemporaryReferencesDisabled,
    /// `$T` at a position that has no path (under a key containing `:`, or in a stream row).
    TemporaryReferenceWithoutPath,
    /// A configured limit was exceeded.
    LimitExceeded {
        /// Which limit.
        limit: LimitKind,
        /// The configured maximum.
        max: u64,
    },
    /// React refuses to encode this value; the message is React's own.
    Unsupported {
        /// React's error message.
        message: String,
    },
    /// The value holds a pending promise or open stream, and the one-shot
    /// encoder was used.
    Pending,
    /// A JSON document is not valid value notation.
    Notation {
        /// What is wrong.
        message: String,
    },
    /// A progressive-enhancement form post is malformed.
    InvalidAction {
        /// What is wrong.
        reason: &'static str,
    },
    /// A malformed response stream (framing).
    Frame(crate::response::rows::FrameError),
    /// A response row that does not fit the stream.
    InvalidRow {
        /// The row id.
        id: u32,
        /// What is wrong.
        reason: &'static str,
    },
    /// A response row that is referenced but never arrived.
    MissingRow {
        /// The row id.
        id: u32,
    },
    /// A React element tuple with fewer than four entries.
    InvalidElement,
    /// No action is registered under this id (the action host).
    UnknownAction {
        /// The id asked for (cut to 64 bytes).
        id: String,
    },
    /// A value does not fit the Rust type it is decoded into, or a Rust
    /// value cannot be written as a JavaScript value (the `serde` layer).
    /// The path names the value as JavaScript would reach it
    /// (`args[0].tags[2]`); it is empty for the root of a plain value.
    Type {
        /// Where the value is (`args[0].tags[2]`).
        path: String,
        /// What is wrong (`expected string, found number`).
        message: String,
    },
    /// A bug in this crate: an internal invariant did not hold.
    Internal {
        /// Which invariant.
        what: &'static str,
    },
}

impl ErrorKind {
    /// A stable short name for the kind, such as `missing-part`.
    ///
    /// ```
    /// assert_eq!(flight_codec::ErrorKind::CyclicPromise.name(), "cyclic-promise");
    /// ```
    pub fn name(&self) -> &'static str {
        use ErrorKind::*;
        match self {
            Json(_) => "json",
            Multipart(_) => "multipart",
            InvalidUtf8 => "invalid-utf8",
            ContentType { .. } => "content-type",
            UnknownTag { .. } => "unknown-tag",
            InvalidId { .. } => "invalid-id",
            MissingPart { .. } => "missing-part",
            DuplicatePart { .. } => "duplicate-part",
            PartType { .. } => "part-type",
            InvalidReference { .. } => "invalid-reference",
            CircularReference { .. } => "circular-reference",
            InvalidInitializer { .. } => "invalid-initializer",
            AlreadyInitialized { .. } => "already-initialized",
            MisalignedTypedArray { .. } => "misaligned-typed-array",
            InvalidBigInt => "invalid-bigint",
            InvalidDate => "invalid-date",
            CyclicPromise => "cyclic-promise",
            RootRejected => "root-rejected",
            InvalidStream { .. } => "invalid-stream",
            InvalidServerReference { .. } => "invalid-server-reference",
            TemporaryReferencesDisabled => "temporary-references-disabled",
            TemporaryReferenceWithoutPath => "temporary-reference-without-path",
            LimitExceeded { .. } => "limit",
            Unsupported { .. } => "unsupported",
            Pending => "pending",
            Notation { .. } => "notation",
            InvalidAction { .. } => "invalid-action",
            Frame(_) => "frame",
            MissingRow { .. } => "missing-row",
            InvalidRow { .. } => "invalid-row",
            InvalidElement => "invalid-element",
            UnknownAction { .. } => "unknown-action",
            Type { .. } => "type",
            Internal { .. } => "internal",
        }
    }

    /// The category of this kind.
    ///
    /// ```
    /// use flight_codec::{Category, ErrorKind};
    /// assert_eq!(ErrorKind::InvalidDate.category(), Category::Syntax);
    /// assert_eq!(ErrorKind::Pending.category(), Category::Unsupported);
    /// ```
    pub fn category(&self) -> Category {
        use ErrorKind::*;
        match self {
            Json(_)
            | Multipart(_)
            | InvalidUtf8
            | ContentType { .. }
            | UnknownTag { .. }
            | InvalidId { .. }
            | InvalidBigInt
            | InvalidDate
            | Notation { .. } => Category::Syntax,
            MissingPart { .. } | MissingRow { .. } | InvalidStream { reason: "never closed", .. } => {
                Category::Incomplete
            }
            LimitExceeded { .. } => Category::Limit,
            Unsupported { .. } | Pending => Category::Unsupported,
            _ => Category::Data,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ErrorKind::*;
        match self {
            Json(e) => write!(f, "invalid JSON: {e}"),
            Multipart(e) => write!(f, "invalid multipart body: {e}"),
            InvalidUtf8 => f.write_str("text part is not valid UTF-8"),
            ContentType { content_type } => write!(f, "unsupported content type `{content_type}`"),
            UnknownTag { text } => write!(f, "unknown tag in `{text}`"),
            InvalidId { text } => write!(f, "invalid reference id in `{text}`"),
            MissingPart { id } => write!(f, "missing part {id}"),
            DuplicatePart { name } => write!(f, "duplicate part name `{name}`"),
            PartType { id, expected } => write!(f, "part {id} is not {expected}"),
            InvalidReference { reference } => write!(f, "invalid reference `{reference}`"),
            CircularReference { reference } => {
                write!(f, "reference `{reference}` refers to itself")
            }
            InvalidInitializer { what } => write!(f, "invalid {what} initializer"),
            AlreadyInitialized { what, id } => write!(f, "part {id} already used as a {what}"),
            MisalignedTypedArray { kind, len } => {
                write!(f, "byte length {len} of {kind} is not a multiple of its element size")
            }
            InvalidBigInt => f.write_str("invalid bigint"),
            InvalidDate => f.write_str("invalid date"),
            CyclicPromise => f.write_str("cyclic promise chain"),
            RootRejected => f.write_str("the root promise was rejected"),
            InvalidStream { id, reason } => write!(f, "stream {id} {reason}"),
            InvalidServerReference { reason } => write!(f, "invalid server reference: {reason}"),
            TemporaryReferencesDisabled => f.write_str("temporary reference without temporary references enabled"),
            TemporaryReferenceWithoutPath => f.write_str("temporary reference at a position without a path"),
            LimitExceeded { limit, max } => write!(f, "limit `{}` of {max} exceeded", limit.name()),
            Unsupported { message } => f.write_str(message),
            Pending => f.write_str("value holds a pending promise or open stream"),
            Notation { message } => write!(f, "invalid value notation: {message}"),
            InvalidAction { reason } => write!(f, "invalid form action: {reason}"),
            Frame(e) => write!(f, "invalid stream: {e}"),
            MissingRow { id } => write!(f, "missing row {id:x}"),
            InvalidRow { id, reason } => write!(f, "row {id:x} {reason}"),
            InvalidElement => f.write_str("invalid React element"),
            UnknownAction { id } => write!(f, "unknown action `{}`", excerpt(id.as_bytes())),
            Type { path, message } if path.is_empty() => f.write_str(message),
            Type { path, message } => write!(f, "{path}: {message}"),
            Internal { what } => write!(f, "internal error: {what}"),
        }
    }
}

impl Error {
    /// An error of this kind with no position.
    ///
    /// ```
    /// use flight_codec::{Error, ErrorKind, Position};
    /// let err = Error::new(ErrorKind::InvalidBigInt);
    /// assert_eq!(err.to_string(), "invalid bigint");
    /// assert_eq!(err.position(), &Position::default());
    /// ```
    pub fn new(kind: ErrorKind) -> Self {
        Error(Box::new(ErrorImpl { kind, position: Position::default() }))
    }

    /// A multipart error as the reply decoders report it: the parser's
    /// part-count and body-size limits are the decoder's [`Limits`](crate::Limits)
    /// `max_parts` and `max_total_bytes`, so they are [`ErrorKind::LimitExceeded`],
    /// as over a string body or FormData entries; the rest are [`ErrorKind::Multipart`].
    pub(crate) fn from_multipart(e: crate::multipart::MultipartError) -> Self {
        use crate::multipart::MultipartError::{BodyTooLarge, TooManyParts};
        Error::new(match e {
            TooManyParts { limit } => ErrorKind::LimitExceeded { limit: LimitKind::Parts, max: limit as u64 },
            BodyTooLarge { limit } => ErrorKind::LimitExceeded { limit: LimitKind::TotalBytes, max: limit as u64 },
            e => ErrorKind::Multipart(e),
        })
    }

    pub(crate) fn at_part(mut self, part: u32) -> Self {
        self.0.position.part.get_or_insert(part);
        self
    }

    pub(crate) fn at_path(mut self, path: String) -> Self {
        self.0.position.path.get_or_insert(path);
        self
    }

    pub(crate) fn at_byte(mut self, byte: usize) -> Self {
        self.0.position.byte.get_or_insert(byte);
        self
    }

    #[cfg(feature = "serde")]
    pub(crate) fn kind_mut(&mut self) -> Option<&mut ErrorKind> {
        Some(&mut self.0.kind)
    }

    /// What went wrong.
    ///
    /// ```
    /// use flight_codec::{Error, ErrorKind};
    /// let err = Error::new(ErrorKind::MissingPart { id: 2 });
    /// assert_eq!(err.kind(), &ErrorKind::MissingPart { id: 2 });
    /// ```
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// The kind, by value.
    ///
    /// ```
    /// use flight_codec::{Error, ErrorKind};
    /// let err = Error::new(ErrorKind::CyclicPromise);
    /// assert_eq!(err.into_kind(), ErrorKind::CyclicPromise);
    /// ```
    pub fn into_kind(self) -> ErrorKind {
        self.0.kind
    }

    /// Where it went wrong.
    ///
    /// ```
    /// let err = flight_codec::reply::decode_str("[1,", &Default::default()).unwrap_err();
    /// assert_eq!(err.position().part, Some(0));
    /// assert_eq!(flight_codec::Error::new(flight_codec::ErrorKind::InvalidDate).position().part, None);
    /// ```
    pub fn position(&self) -> &Position {
        &self.0.position
    }

    /// The coarse category.
    ///
    /// ```
    /// use flight_codec::{reply, Category};
    /// let err = reply::decode_str("\"$Q5\"", &Default::default()).unwrap_err();
    /// assert_eq!(err.category(), Category::Incomplete);
    /// ```
    pub fn category(&self) -> Category {
        self.0.kind.category()
    }

    /// `true` for [`Category::Limit`].
    ///
    /// ```
    /// let mut opts = flight_codec::reply::DecodeOptions::default();
    /// opts.limits.max_depth = 1;
    /// let err = flight_codec::reply::decode_str("[[1]]", &opts).unwrap_err();
    /// assert!(err.is_limit());
    /// ```
    pub fn is_limit(&self) -> bool {
        self.category() == Category::Limit
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error::new(kind)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.kind)?;
        let p = &self.0.position;
        if let Some(path) = &p.path {
            write!(f, " at `{path}`")?;
        }
        if let (Some(b), false) =
            (p.byte, matches!(self.0.kind, ErrorKind::Json(_) | ErrorKind::Multipart(_) | ErrorKind::Frame(_)))
        {
            write!(f, " at byte {b}")?;
        }
        if let Some(part) = p.part {
            write!(f, " in part {part}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error").field("kind", &self.0.kind).field("position", &self.0.position).finish()
    }
}

impl std::error::Error for Error {}

/// Cuts untrusted text for an error message to at most 64 bytes.
pub(crate) fn excerpt(s: &[u8]) -> String {
    let cut = &s[..s.len().min(64)];
    let text = String::from_utf8_lossy(cut).into_owned();
    if s.len() > 64 {
        format!("{text}…")
    } else {
        text
    }
}

/// The crate's result type.
///
/// ```
/// fn parse(text: &str) -> flight_codec::Result<flight_codec::value::Graph> {
///     flight_codec::notation::from_str(text)
/// }
/// assert!(parse("1").is_ok());
/// assert!(parse("{").is_err());
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;
