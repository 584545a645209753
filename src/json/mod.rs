//! JSON text exactly as JavaScript's `JSON.parse` and `JSON.stringify` see
//! it: the syntax layer under the wire formats.
//!
//! Unlike general-purpose JSON crates this layer keeps JavaScript's
//! semantics: strings may hold lone surrogates (`"\ud800"` parses, and
//! [`write_str`] writes it back), numbers out of range become infinities or
//! zeros instead of errors (`1e400`), `-0` is negative zero, and numbers are
//! written in JavaScript's shortest-round-trip notation.
//!
//! * [`Reader`] is a pull parser yielding [`Token`]s; it never recurses and
//!   never panics, so it is safe on hostile input.
//! * [`write_str`], [`write_str_slice`] and [`write_number`] append
//!   `JSON.stringify` output to a `Vec<u8>`; [`number_to_js_string`] is
//!   JavaScript's `String(n)`.
//!
//! ```
//! use bytes::Bytes;
//! use flight_codec::json::{write_number, write_str, Reader, Token};
//!
//! let src = Bytes::from_static(br#"["\ud800", 1e400, -0]"#);
//! let mut r = Reader::new(&src);
//! let mut out = Vec::new();
//! while let Some(token) = r.next()? {
//!     match token {
//!         Token::String(s) => write_str(&mut out, &s),
//!         Token::Number(n) => write_number(&mut out, n),
//!         _ => {}
//!     }
//!     out.push(b' ');
//! }
//! assert_eq!(out, br#" "\ud800" null 0  "#);
//! # Ok::<(), flight_codec::json::JsonError>(())
//! ```

pub(crate) mod enc;
mod read;
mod write;

pub use read::{JsonError, JsonErrorKind, Reader, Token, DEFAULT_MAX_DEPTH};
pub(crate) use write::write_wtf8;
pub use write::{number_to_js_string, write_number, write_str, write_str_slice};
