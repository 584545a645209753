//! serde integration (feature `serde`): Rust types straight to and from the
//! wire, and `Serialize`/`Deserialize` for the value model.
//!
//! * [`from_reply`] reads a server function's arguments into any
//!   `T: Deserialize` (usually a tuple of the parameters);
//!   [`to_reply`] writes them as React's `encodeReply` would.
//! * [`to_response`] writes a result as React's `renderToReadableStream`
//!   would; [`from_response`] reads one back.
//! * [`from_graph`] and [`to_graph`] go between Rust types and the dynamic
//!   [`Graph`]; [`Graph`] itself is `Serialize` and `Deserialize`, so it can
//!   also be converted to and from other formats (JSON, CBOR, …).
//!
//! The mapping (in full in `spec/serde.md`): structs and maps are plain
//! objects, sequences and tuples arrays, `Option` is `null` or the value
//! (and reads `undefined` and missing fields as `None`), `()` is
//! `undefined`, unit variants are strings and other variants
//! `{"Variant": content}`. The kinds serde has no words for have wrapper
//! types: [`Undefined`], [`BigInt`], [`JsDate`], [`JsMap`], [`JsSet`],
//! [`TypedArray`], [`ArrayBuffer`], [`Blob`], [`FormData`], [`ServerRef`],
//! [`TemporaryReference`] and [`JsString`] (a string that may hold lone
//! surrogates).
//!
//! Errors name the value that did not fit:
//!
//! ```
//! #[derive(Debug, serde::Deserialize)]
//! struct Draft { title: String, tags: Vec<String> }
//!
//! let body = r#"[{"title":"Hi","tags":["a","b",3]}]"#;
//! let err = flight_codec::serde::from_reply_str::<(Draft,)>(body, &Default::default()).unwrap_err();
//! assert_eq!(err.to_string(), "args[0].tags[2]: expected string, found number 3");
//! ```

mod de;
mod direct;
mod path;
#[cfg(feature = "async")]
mod pending;
mod plain;
mod ser;
mod stash;
mod types;
mod write;

use ::serde::de::DeserializeOwned;
use ::serde::{Deserialize, Serialize};
use bytes::Bytes;

pub use crate::value::{BigInt, Blob, Date as JsDate, JsString};
#[cfg(feature = "async")]
pub use pending::{to_response_body, JsPromise, JsStream};
pub use types::{ArrayBuffer, FormData, JsMap, JsSet, ServerRef, TemporaryReference, TypedArray, Undefined};

use crate::error::Result;
use crate::reply::{self, DecodeOptions};
use crate::response;
use crate::value::{FormEntry, Graph};

/// Deepest nesting a typed read follows (serde_json's recursion limit):
/// each level is a recursion of the target type's `Deserialize`.
///
/// ```
/// let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
/// let err = flight_codec::serde::from_reply_str::<serde_json::Value>(&deep, &Default::default()).unwrap_err();
/// assert!(err.is_limit());
/// assert_eq!(flight_codec::serde::MAX_TYPED_DEPTH, 128);
/// ```
pub const MAX_TYPED_DEPTH: usize = 128;

/// Units (values, string and binary bytes) a typed read of a body of `len`
/// bytes may produce: a Rust value has no shared references, so every
/// reference the body repeats is read again. Sixteen units per input byte
/// plus 64 Ki bounds the amplification a reference bomb can cause.
pub(crate) fn budget(len: usize, opts: &DecodeOptions) -> u64 {
    (len as u64).saturating_mul(16).saturating_add(TYPED_BUDGET_BASE).min(opts.limits.max_logical_size)
}

/// The units every typed read may produce, whatever the body's size.
const TYPED_BUDGET_BASE: u64 = 1 << 16;

/// Reads `T` from a value graph.
///
/// Strings and bytes can be borrowed from the graph (`&str`, `&[u8]`
/// fields). Shared nodes are read at each place they occur; cycles are an
/// error. A graph whose nodes are shared many times is read that many
/// times, up to the default `max_logical_size` (128 Mi units): to read a
/// graph decoded from untrusted input, prefer [`from_reply`] or
/// [`from_response`], which limit the read to 16 units per input byte.
///
/// # Errors
/// [`ErrorKind::Type`](crate::ErrorKind::Type) with the path to the value
/// that does not fit; a depth or size limit error.
///
/// ```
/// let g = flight_codec::notation::from_str(r#"{"map":[["a",1]]}"#)?;
/// let m: std::collections::HashMap<String, u32> = flight_codec::serde::from_graph(&g)?;
/// assert_eq!(m["a"], 1);
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub fn from_graph<'g, T: Deserialize<'g>>(g: &'g Graph) -> Result<T> {
    let limits = crate::Limits::default();
    from_graph_with(g, limits.max_logical_size, "value")
}

/// [`from_graph`] for a graph decoded from a body of `len` bytes (a form
/// action's arguments), within the same budget as [`from_reply`]: 16 units
/// per body byte plus 64 Ki, not the whole `max_logical_size`.
pub(crate) fn from_body_graph<T: DeserializeOwned>(g: &Graph, len: usize, opts: &DecodeOptions) -> Result<T> {
    from_graph_with(g, budget(len, opts), "args")
}

fn from_graph_with<'g, T: Deserialize<'g>>(g: &'g Graph, budget: u64, root: &str) -> Result<T> {
    let cx = de::Ctx::new(g, budget, MAX_TYPED_DEPTH);
    T::deserialize(cx.de(g.root())).map_err(|e| path::rooted(e, root))
}

/// Writes `value` as a value graph.
///
/// # Errors
/// [`ErrorKind::Type`](crate::ErrorKind::Type) for what JavaScript cannot
/// hold: an integer outside ±(2^53 − 1), a map key that is not a string or
/// a number.
///
/// ```
/// let g = flight_codec::serde::to_graph(&(1, "two", Some(3.5), None::<u8>, ()))?;
/// assert_eq!(flight_codec::notation::to_string(&g), r#"{"array":[1,"two",3.5,null,{"undefined":null}]}"#);
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub fn to_graph<T: Serialize + ?Sized>(value: &T) -> Result<Graph> {
    let mut cx = ser::Cx::default();
    let root = value.serialize(ser::Ser::new(&mut cx))?;
    #[cfg(feature = "async")]
    if !cx.sources.is_empty() {
        return Err(path::type_error("a JsPromise or JsStream can only be written by to_response_body"));
    }
    cx.g.set_root(root);
    Ok(cx.g)
}

/// Reads a server function's arguments (React's `encodeReply` output) into
/// `T`, by content type: `multipart/form-data; boundary=…` or a string body.
///
/// The arguments are an array, so `T` is usually a tuple of the
/// parameters. Error paths start at `args`.
///
/// # Errors
/// Everything [`reply::decode_body`] returns, and
/// [`ErrorKind::Type`](crate::ErrorKind::Type) for a value that does not fit.
///
/// ```
/// let (name, n): (String, u8) = flight_codec::serde::from_reply(
///     "text/plain;charset=UTF-8", bytes::Bytes::from_static(br#"["a",2]"#), &Default::default())?;
/// assert_eq!((name.as_str(), n), ("a", 2));
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub fn from_reply<T: DeserializeOwned>(content_type: &str, body: Bytes, opts: &DecodeOptions) -> Result<T> {
    let Some(boundary) = reply::multipart_boundary(content_type)? else {
        return from_text(body, opts);
    };
    let g = reply::decode_multipart(&body, &boundary, opts)?;
    from_graph_with(&g, budget(body.len(), opts), "args")
}

/// A string body: straight into `T` when it holds only inline values,
/// through the graph otherwise (and for every error, so that results and
/// errors are the graph path's).
fn from_text<T: DeserializeOwned>(body: Bytes, opts: &DecodeOptions) -> Result<T> {
    let limits = &opts.limits;
    // Inline JSON has less than one unit of logical size per byte, and no
    // more array slots (each array's length plus one) than it has commas plus
    // two per `[`: the direct path needs no count of its own.
    let slots_at_most = || memchr::memchr_iter(b',', &body).count() + 2 * memchr::memchr_iter(b'[', &body).count();
    let eligible = body.len() <= limits.max_total_bytes
        && (body.len() as u64).saturating_mul(2) <= limits.max_logical_size
        && (body.len() <= limits.max_array_size || slots_at_most() <= limits.max_array_size);
    if eligible {
        if let Ok(v) = direct::read(&body, limits, limits.max_depth.min(MAX_TYPED_DEPTH)) {
            return Ok(v);
        }
    }
    let len = body.len();
    let g = reply::decode_text(body, opts)?;
    from_graph_with(&g, budget(len, opts), "args")
}

/// [`from_reply`] for a string body.
///
/// # Errors
/// As [`from_reply`].
///
/// ```
/// let (when,): (flight_codec::serde::JsDate,) =
///     flight_codec::serde::from_reply_str(r#"["$D2024-05-01T00:00:00.000Z"]"#, &Default::default())?;
/// assert_eq!(when.to_iso_string().unwrap(), "2024-05-01T00:00:00.000Z");
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub fn from_reply_str<T: DeserializeOwned>(body: &str, opts: &DecodeOptions) -> Result<T> {
    from_text(Bytes::copy_from_slice(body.as_bytes()), opts)
}

/// [`from_reply`] for FormData entries.
///
/// # Errors
/// As [`from_reply`].
///
/// ```
/// use flight_codec::value::FormEntry;
/// let entries = vec![("1".into(), FormEntry::Text(r#"[["a",1]]"#.into())), ("0".into(), FormEntry::Text(r#"["$Q1"]"#.into()))];
/// let (m,): (flight_codec::serde::JsMap<String, u8>,) = flight_codec::serde::from_reply_form(entries, &Default::default())?;
/// assert_eq!(m.0, [("a".to_string(), 1)]);
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub fn from_reply_form<T: DeserializeOwned>(entries: Vec<(JsString, FormEntry)>, opts: &DecodeOptions) -> Result<T> {
    let len = entries
        .iter()
        .map(|(k, e)| {
            k.len()
                + match e {
                    FormEntry::Text(t) => t.len(),
                    FormEntry::File(f) => f.bytes.len(),
                }
        })
        .sum();
    let g = reply::decode_form(entries, opts)?;
    from_graph_with(&g, budget(len, opts), "args")
}

/// Writes `value` as React's `encodeReply` would (a string body, or
/// FormData entries when something must be outlined).
///
/// # Errors
/// As [`to_graph`] and [`reply::encode`].
///
/// ```
/// let body = flight_codec::serde::to_reply(&("a", 2, flight_codec::serde::Undefined), &Default::default())?;
/// assert_eq!(body.as_text(), Some(r#"["a",2,"$undefined"]"#));
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub fn to_reply<T: Serialize + ?Sized>(value: &T, opts: &reply::EncodeOptions) -> Result<reply::Body> {
    // Straight to text when everything is inline; through the graph otherwise.
    let mut out = Vec::new();
    if write::write(value, false, &mut out).is_ok() {
        if let Some(text) = crate::utf8::into_string(out) {
            return Ok(reply::Body::Text(text));
        }
    }
    reply::encode(&to_graph(value)?, opts)
}

/// Writes `value` as React's `renderToReadableStream` would (every row;
/// the value can hold no pending promise).
///
/// # Errors
/// As [`to_graph`] and [`response::encode`].
///
/// ```
/// #[derive(serde::Serialize)]
/// struct Draft { id: u32, title: &'static str }
/// let rows = flight_codec::serde::to_response(&Draft { id: 7, title: "Hi" }, &Default::default())?;
/// assert_eq!(rows, b"0:{\"id\":7,\"title\":\"Hi\"}\n");
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub fn to_response<T: Serialize + ?Sized>(value: &T, opts: &response::EncodeOptions) -> Result<Vec<u8>> {
    // Straight to the root row when everything is inline; through the graph otherwise.
    let mut out = b"0:".to_vec();
    if write::write(value, true, &mut out).is_ok() {
        out.push(b'\n');
        return Ok(out);
    }
    response::encode(&to_graph(value)?, opts)
}

/// Reads a whole response stream (React's `renderToReadableStream` output)
/// into `T`. Error paths start at `value`.
///
/// # Errors
/// Everything [`response::decode`] returns, and
/// [`ErrorKind::Type`](crate::ErrorKind::Type) for a value that does not fit.
///
/// ```
/// let n: Vec<u8> = flight_codec::serde::from_response(b"0:[1,2]\n", &Default::default())?;
/// assert_eq!(n, [1, 2]);
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub fn from_response<T: DeserializeOwned>(stream: &[u8], opts: &DecodeOptions) -> Result<T> {
    let g = response::decode(stream, opts)?;
    from_graph_with(&g, budget(stream.len(), opts), "value")
}
