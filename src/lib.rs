//! flight-codec: React Server Functions wire formats for Rust.
// One `unsafe` block in the crate, in `utf8` (a benchmark shows the need: see there).
#![deny(unsafe_code)]

mod error;
#[cfg(all(feature = "serde", feature = "async"))]
pub mod host;
mod id_map;
pub mod inspect;
pub mod json;
mod limits;
mod model;
pub mod multipart;
pub mod notation;
mod paths;
pub mod reply;
pub mod response;
#[cfg(feature = "serde")]
pub mod serde;
mod swar;
#[cfg(test)]
mod test_rng;
mod utf8;
pub mod value;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub use error::{Category, Error, ErrorKind, Position, Result};
pub use limits::{LimitKind, Limits};
