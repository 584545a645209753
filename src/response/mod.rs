//! The response direction: Flight streams, server → client.
//!
//! A server function's return value travels back as a Flight stream of rows
//! (`renderToReadableStream` → `createFromReadableStream`). This module is
//! being built in layers; today it has the framing layer, [`rows`], which
//! splits a byte stream (in chunks of any size) into complete rows.

mod decode;
mod describe;
mod encode;
mod render;
pub mod rows;

pub use decode::decode;
pub use encode::{encode, ClientManifest, ClientModule, EncodeOptions, OnError, ResponseEncoder, Thrown};
