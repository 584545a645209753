//! Drives the response encoder the way the oracle drives React's
//! `renderToReadableStream`: a value in notation, a schedule of steps (each
//! advancing named promises and streams by one event, or aborting), and the
//! oracle's `onError` digest and client manifest.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use flight_codec::json::number_to_js_string;
use flight_codec::response::{ClientModule, EncodeOptions, ResponseEncoder, Thrown};
use flight_codec::value::{Graph, Node, NodeId, PromiseState, StreamEnd, Value};
use flight_codec::{notation, Error};

use super::Json;

/// The oracle's `digestOf`: `"DIGEST:" + (error.message ?? String(error))`.
pub fn digest(t: &Thrown, g: &Graph) -> Option<String> {
    if let Some(m) = t.message(g) {
        return Some(format!("DIGEST:{m}"));
    }
    let Thrown::Value(v) = t else { return None };
    let s = match v {
        Value::Undefined => "undefined".to_string(),
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number_to_js_string(*n),
        Value::BigInt(b) => b.as_str().to_string(),
        Value::Symbol(s) => format!("Symbol({})", s.to_string_lossy()),
        _ => "[object Object]".to_string(),
    };
    Some(format!("DIGEST:{s}"))
}

/// The oracle's client manifest (`tests/oracle/lib/response.mjs`).
pub fn manifest(c: &flight_codec::value::ClientReference) -> Option<ClientModule> {
    let id = c.id.to_string_lossy().into_owned();
    if id.starts_with("nope") {
        return None;
    }
    let chunks = if id.starts_with("chunked/") {
        ["chunk-a", "static/chunks/chunk-a-0123456789.js", "chunk-b", "static/chunks/chunk-b-0123456789.js"]
            .map(String::from)
            .to_vec()
    } else {
        vec![]
    };
    Some(ClientModule { is_async: id.starts_with("async/"), id, chunks, name: c.name.to_string_lossy().into_owned() })
}

pub fn options(temporary_references: bool) -> EncodeOptions {
    EncodeOptions { temporary_references, on_error: Some(Arc::new(digest)), client_manifest: Some(Arc::new(manifest)) }
}

/// The events a scheduled node releases, in order.
enum Events {
    Promise(PromiseState),
    Stream { items: Vec<Value>, end: StreamEnd, next: usize },
}

/// Renders `value` (notation) with `schedule` (the vector's JSON, or None)
/// and returns the network chunks after each step (step 0 is the start).
pub fn render(value: &str, schedule: Option<&Json>, temporary_references: bool) -> Result<Vec<Vec<Bytes>>, Error> {
    let (mut g, names) = notation::from_str_named(value)?;
    let mut events: HashMap<String, (NodeId, Events)> = HashMap::new();
    let steps: Vec<&Json> = schedule.map(|s| s.arr().iter().collect()).unwrap_or_default();
    for step in &steps {
        for a in step.arr() {
            let Json::Str(name) = a else { continue };
            let name = name.to_string_lossy().into_owned();
            if events.contains_key(&name) {
                continue;
            }
            let id = names[&name];
            if let Some(p) = g.promise_mut(id) {
                events.insert(name, (id, Events::Promise(std::mem::replace(p, PromiseState::Pending))));
                continue;
            }
            let ev = match g.node_mut(id) {
                Some(Node::Stream(s)) => Events::Stream {
                    items: std::mem::take(&mut s.items),
                    end: std::mem::replace(&mut s.end, StreamEnd::Open),
                    next: 0,
                },
                _ => panic!("schedule names {name}, which is not a promise or stream"),
            };
            events.insert(name, (id, ev));
        }
    }
    let mut enc = ResponseEncoder::new(g, options(temporary_references));
    let mut out = vec![drain(&mut enc)];
    for step in &steps {
        for a in step.arr() {
            match a {
                Json::Str(name) => {
                    let (id, ev) = events.get_mut(&*name.to_string_lossy()).expect("named");
                    match ev {
                        Events::Promise(state) => match std::mem::replace(state, PromiseState::Pending) {
                            PromiseState::Fulfilled(v) => enc.resolve(*id, v)?,
                            PromiseState::Rejected(r) => enc.reject(*id, r)?,
                            PromiseState::Pending => panic!("promise settled twice"),
                        },
                        Events::Stream { items, end, next } => {
                            if *next < items.len() {
                                enc.push(*id, items[*next].clone())?;
                            } else {
                                match end {
                                    StreamEnd::Closed(r) => enc.close(*id, r.clone())?,
                                    StreamEnd::Errored(e) => enc.error(*id, e.clone())?,
                                    StreamEnd::Open => panic!("stream advanced past its end"),
                                }
                            }
                            *next += 1;
                        }
                    }
                }
                other => {
                    let reason = other.get("abort").expect("abort action").compact();
                    let (rg, _) = notation::from_str_named(&reason)?;
                    let v = import(enc.graph_mut(), &rg);
                    enc.abort(Some(v));
                }
            }
        }
        out.push(drain(&mut enc));
    }
    Ok(out)
}

fn drain(enc: &mut ResponseEncoder) -> Vec<Bytes> {
    std::iter::from_fn(|| enc.poll_chunk()).collect()
}

/// Copies a small graph's root (an abort reason) into `g`.
fn import(g: &mut Graph, from: &Graph) -> Value {
    match from.root() {
        Value::Node(n) => g.add_value(from.view(*n).to_node()),
        v => v.clone(),
    }
}
