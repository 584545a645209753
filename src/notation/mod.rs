//! Value notation: the JSON form of JavaScript values used by the CLI and by
//! the test vectors in `spec/vectors/` (specified in `spec/notation.md`).
//!
//! ```
//! let g = flight_codec::notation::from_str(r#"{"map":[[{"node":["n1",{"object":[]}]},{"ref":"n1"}]]}"#)?;
//! assert_eq!(flight_codec::notation::to_string(&g), r#"{"map":[[{"node":["n1",{"object":[]}]},{"ref":"n1"}]]}"#);
//! # Ok::<(), flight_codec::Error>(())
//! ```

mod read;
mod write;

pub use read::{from_bytes, from_str, from_str_named};
pub use write::{to_string, to_strings};
