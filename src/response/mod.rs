//! The response direction: Flight streams, server → client.
//!
//! A server function's return value travels back as a Flight stream of rows
//! (`renderToReadableStream` → `createFromReadableStream`). Layers: framing
//! ([`rows`]: a byte stream in chunks of any size → complete rows), the push
//! decoder ([`ResponseDecoder`], events as values complete; [`decode`] for a
//! whole stream), and the encoder ([`ResponseEncoder`], sans-IO; [`encode`]
//! for a settled value).

#[cfg(feature = "async")]
mod body;
mod complete;
mod decode;
pub(crate) mod describe;
mod encode;
mod ids;
mod push;
mod render;
mod row_table;
pub mod rows;
mod tasks;

#[cfg(feature = "async")]
pub use body::{ResponseBody, Settlement};
pub use encode::{encode, ClientManifest, ClientModule, EncodeOptions, OnError, ResponseEncoder, Thrown};
pub use push::{decode, decode_bytes, Event, ResponseDecoder};
