//! One-shot response decoding: a whole Flight stream → a settled value graph.
//!
//! Rows are framed ([`super::rows`]), sorted into a table by id (model rows,
//! text rows, binary rows, imports, errors, and the rows of each stream),
//! then row 0 and everything it reaches is parsed with the response's
//! meaning of `$`-strings into the shared model builder, references are
//! resolved, and placeholders are settled.
//!
//! Development-build rows (`:N`, `D`, `J`, `W`) carry debug information only
//! and are skipped; hints (`:H`) are not part of the value and are skipped
//! too.

use std::collections::{HashMap, HashSet};

use bytes::Bytes;

use super::rows::{FrameLimits, RowFramer, RowTag};
use crate::error::{Error, ErrorKind, Result};
use crate::model::{err_text, parse_hex, scalar_tag, Builder, InitKind, Parsed, Pos, Slot, Tags};
use crate::reply::DecodeOptions;
use crate::value::{
    Blob, ClientReference, Element, FormEntry, Graph, JsError, JsString, Node, NodeId, PromiseState, ServerReference,
    Stream, StreamEnd, StreamKind, TypedArrayKind, Value,
};

/// The message React's production client gives every server error.
pub(crate) const PROD_ERROR_MESSAGE: &str = "An error occurred in the Server Components render. The specific message is omitted in production builds to avoid leaking sensitive details. A digest property is included on this error instance which may provide additional details about the nature of the error.";

/// A row's content, by kind.
enum Chunk {
    Model(Bytes),
    Text(JsString),
    Binary(u8, Bytes),
    Import(Bytes),
    Error(Bytes),
    Stream {
        kind: StreamKind,
        rows: Vec<StreamRow>,
        end: Option<StreamClose>,
    },
    /// An empty row: a chunk that will never be filled (prerender halts,
    /// development debug values). An error only if the value needs it.
    Halted,
}

/// How a stream's rows end: `C` (with an optional return value) or `E`.
enum StreamClose {
    Closed(Bytes),
    Errored(Bytes),
}

enum StreamRow {
    Model(Bytes),
    Text(JsString),
    Binary(u8, Bytes),
}

fn row_error(id: u32, reason: &'static str) -> Error {
    Error::new(ErrorKind::InvalidRow { id, reason })
}

fn text(bytes: Bytes, id: u32) -> Result<JsString> {
    JsString::from_utf8(bytes).map_err(|_| Error::new(ErrorKind::InvalidUtf8).at_part(id))
}

/// Sorts rows into the chunk table.
fn table(stream: &[u8], opts: &DecodeOptions) -> Result<HashMap<u32, Chunk>> {
    let mut limits = FrameLimits::default();
    limits.max_row_bytes = opts.limits.max_total_bytes;
    if stream.len() > opts.limits.max_total_bytes {
        return Err(ErrorKind::LimitExceeded {
            limit: crate::LimitKind::TotalBytes,
            max: opts.limits.max_total_bytes as u64,
        }
        .into());
    }
    let mut framer = RowFramer::new(limits);
    framer.feed(stream).and_then(|_| framer.finish()).map_err(|e| Error::new(ErrorKind::Frame(e)))?;
    let mut chunks: HashMap<u32, Chunk> = HashMap::new();
    let mut count = 0usize;
    while let Some(row) = framer.next_row() {
        count += 1;
        if count > opts.limits.max_parts {
            return Err(
                ErrorKind::LimitExceeded { limit: crate::LimitKind::Parts, max: opts.limits.max_parts as u64 }.into()
            );
        }
        let id = row.id;
        // Rows of an open stream.
        if let Some(Chunk::Stream { rows, end, .. }) = chunks.get_mut(&id) {
            if end.is_some() {
                return Err(row_error(id, "has rows after its stream was closed"));
            }
            match row.tag {
                RowTag::Tagged(b'C') => *end = Some(StreamClose::Closed(row.payload)),
                RowTag::Tagged(b'E') => *end = Some(StreamClose::Errored(row.payload)),
                RowTag::Json => rows.push(StreamRow::Model(row.payload)),
                RowTag::Binary(b'T') => rows.push(StreamRow::Text(text(row.payload, id)?)),
                RowTag::Binary(tag) => rows.push(StreamRow::Binary(tag, row.payload)),
                RowTag::Tagged(b'D' | b'J' | b'W' | b'N') => {}
                RowTag::Tagged(_) => return Err(row_error(id, "is not a stream chunk")),
            }
            continue;
        }
        let chunk = match row.tag {
            RowTag::Json if row.payload.is_empty() => Chunk::Halted,
            RowTag::Json => Chunk::Model(row.payload),
            RowTag::Binary(b'T') => Chunk::Text(text(row.payload, id)?),
            RowTag::Binary(b'b') => return Err(row_error(id, "is a byte-stream chunk outside a stream")),
            RowTag::Binary(tag) => Chunk::Binary(tag, row.payload),
            RowTag::Tagged(b'I') => Chunk::Import(row.payload),
            RowTag::Tagged(b'E') => Chunk::Error(row.payload),
            RowTag::Tagged(t @ (b'R' | b'r' | b'X' | b'x')) => {
                let kind = match t {
                    b'R' => StreamKind::Readable,
                    b'r' => StreamKind::Bytes,
                    b'X' => StreamKind::AsyncIterable,
                    _ => StreamKind::AsyncIterator,
                };
                Chunk::Stream { kind, rows: Vec::new(), end: None }
            }
            // Hints and development rows are not part of the value.
            RowTag::Tagged(b'H' | b'D' | b'J' | b'W' | b'N') => continue,
            RowTag::Tagged(b'C') => return Err(row_error(id, "closes something that is not a stream")),
            RowTag::Tagged(_) => return Err(row_error(id, "has an unknown tag")),
        };
        if chunks.insert(id, chunk).is_some() {
            return Err(row_error(id, "appears twice"));
        }
    }
    Ok(chunks)
}

/// The response's meaning of `$`-strings, and what they leave to do.
struct Response<'o> {
    opts: &'o DecodeOptions,
    chunks: HashMap<u32, Chunk>,
    queued: HashSet<u32>,
    work: Vec<u32>,
    /// The node standing for the element marker `"$"` in `["$", type, key, props]`.
    marker: Option<NodeId>,
    promises: Vec<(NodeId, u32)>,
    promise_nodes: HashMap<u32, NodeId>,
    inits: Vec<(NodeId, u32, InitKind)>,
    /// FormData (`$K`) and Blob (`$B`) placeholders: (node, row, is_blob).
    entries: Vec<(NodeId, u32, bool)>,
    server_refs: Vec<(NodeId, u32)>,
    /// Rows that are errors (`E`): a promise of one is rejected.
    rejected: HashSet<u32>,
    /// Arrays that are element tuples `["$", type, key, props, …]`.
    elements: Vec<NodeId>,
    /// Plain references between rows: (referring row, referred row, the
    /// element tuple around the reference, the stream chunk it is in).
    deps: Vec<Dep>,
    /// Element tuples that refer to an errored row: they become rejected lazies.
    failed_elements: Vec<(NodeId, Value)>,
    /// Temporary references by id: the same id is the same object.
    temporaries: HashMap<JsString, NodeId>,
    /// Development error values (`$Z<id>`) and their rows.
    error_values: Vec<(NodeId, u32)>,
    /// Lazy wrappers (`$L`) and the rows they wrap.
    lazies: Vec<(NodeId, u32)>,
    /// Client references and the parsed metadata of their `I` rows.
    imports: Vec<(NodeId, Value, u32)>,
}

impl Response<'_> {
    fn enqueue(&mut self, id: u32) {
        if self.queued.insert(id) {
            self.work.push(id);
        }
    }
}

impl Tags for Response<'_> {
    fn tagged(&mut self, bl: &mut Builder, s: JsString, pos: &Pos<'_>) -> Result<Parsed> {
        let b = s.as_wtf8();
        let unknown = || Error::new(ErrorKind::UnknownTag { text: err_text(&s) });
        if b.len() == 1 {
            // The element marker.
            let marker = *self.marker.get_or_insert_with(|| bl.g.add(Node::Instance(None)));
            bl.element_marker = Some(marker);
            return Ok(Parsed::Value(Value::Node(marker)));
        }
        let tag = b[1];
        let id =
            |from: usize| parse_hex(&b[from..]).ok_or_else(|| Error::new(ErrorKind::InvalidId { text: err_text(&s) }));
        let v = match tag {
            b'$' => Value::String(s.skip_bytes(1)),
            b'L' => {
                // Each `$L` is its own lazy wrapper around the row.
                let p = id(2)?;
                let node = bl.g.add(Node::Lazy(Box::new(PromiseState::Pending)));
                self.lazies.push((node, p));
                self.enqueue(p);
                Value::Node(node)
            }
            b'0'..=b'9' | b'a'..=b'f' => {
                let text = s.skip_bytes(1);
                let head = text.as_wtf8().iter().position(|&c| c == b':').unwrap_or(text.len());
                if let Some(to) = parse_hex(&text.as_wtf8()[..head]) {
                    // What needs an errored row errors too: the innermost element
                    // around the reference, else the row (or stream) it is in.
                    let element = self.marker.and_then(|m| pos.innermost_array_starting_with(m));
                    self.deps.push(Dep { from: pos.row, to, element, item: pos.item });
                }
                let t = text.as_wtf8();
                let (head, segs) = crate::model::split_path(t, bl.limits.max_path_segments)?;
                let part =
                    parse_hex(&t[..head]).ok_or_else(|| Error::new(ErrorKind::InvalidId { text: err_text(&s) }))?;
                self.enqueue(part);
                return Ok(Parsed::Ref { part, text, segs });
            }
            b'@' => {
                let p = id(2)?;
                if let Some(&node) = self.promise_nodes.get(&p) {
                    bl.shared = true;
                    Value::Node(node)
                } else {
                    let node = bl.g.add(Node::Promise(PromiseState::Pending));
                    self.promises.push((node, p));
                    self.promise_nodes.insert(p, node);
                    self.enqueue(p);
                    Value::Node(node)
                }
            }
            b'h' => {
                // Each `$h` is its own function on the client (unlike a reply's).
                let p = id(2)?;
                let node =
                    bl.g.add(Node::ServerReference(Box::new(ServerReference { id: JsString::new(), bound: None })));
                self.server_refs.push((node, p));
                self.enqueue(p);
                Value::Node(node)
            }
            b'S' => Value::Symbol(s.skip_bytes(2)),
            b'T' => {
                if !self.opts.temporary_references {
                    return Err(ErrorKind::TemporaryReferencesDisabled.into());
                }
                let key = s.skip_bytes(2);
                if let Some(&node) = self.temporaries.get(&key) {
                    bl.shared = true;
                    Value::Node(node)
                } else {
                    let node = bl.g.add(Node::TemporaryReference(key.clone()));
                    self.temporaries.insert(key, node);
                    Value::Node(node)
                }
            }
            b'Q' | b'W' | b'i' | b'K' | b'B' => {
                let p = id(2)?;
                // Built from that row: if it errored, so does what needs it.
                let element = self.marker.and_then(|m| pos.innermost_array_starting_with(m));
                self.deps.push(Dep { from: pos.row, to: p, element, item: pos.item });
                let node = bl.g.add(match tag {
                    b'Q' => Node::Map(Vec::new()),
                    b'W' => Node::Set(Vec::new()),
                    b'i' => Node::Iterator(Vec::new()),
                    b'K' => Node::FormData(Vec::new()),
                    _ => Node::Blob(Box::new(Blob::new("", Bytes::new()))),
                });
                match tag {
                    b'Q' => self.inits.push((node, p, InitKind::Map)),
                    b'W' => self.inits.push((node, p, InitKind::Set)),
                    b'i' => self.inits.push((node, p, InitKind::Iterator)),
                    _ => self.entries.push((node, p, tag == b'B')),
                }
                self.enqueue(p);
                Value::Node(node)
            }
            // A thrown-away value (`$w`).
            b'w' if b.len() == 2 => Value::Undefined,
            // An error value: production writes a bare `$Z`.
            b'Z' if b.len() == 2 => bl.g.add_value(Node::Error(Box::new(JsError {
                message: JsString::from_static(PROD_ERROR_MESSAGE),
                digest: None,
            }))),
            // Development writes `$Z<id>`: a row `{name, message, stack, env}`.
            b'Z' => {
                let p = id(2)?;
                let node = bl.g.add(Node::Error(Box::new(JsError { message: JsString::new(), digest: None })));
                self.error_values.push((node, p));
                self.enqueue(p);
                Value::Node(node)
            }
            _ => match scalar_tag(&bl.limits, b) {
                Some(v) => v?,
                None => return Err(unknown()),
            },
        };
        let _ = pos;
        Ok(Parsed::Value(v))
    }

    fn array_closed(&mut self, bl: &mut Builder, node: NodeId) -> Result<()> {
        let Some(marker) = self.marker else { return Ok(()) };
        if let Node::Array(items) = bl.g.node(node) {
            if items.first().is_some_and(|v| v.as_node() == Some(marker)) {
                if items.len() < 4 {
                    return Err(Error::new(ErrorKind::InvalidElement));
                }
                // Turned into an element once references inside it are resolved.
                self.elements.push(node);
            }
        }
        Ok(())
    }
}

/// Decodes a whole response stream into its settled value.
///
/// Every promise must be settled and every stream closed by the end of the
/// stream; a promise of an error row is rejected with that error.
///
/// # Errors
/// [`ErrorKind::Frame`] for malformed framing, [`ErrorKind::InvalidRow`] for
/// rows that do not fit together, [`ErrorKind::MissingRow`] for a row that
/// is referenced but never sent, and the model errors of the reply decoder.
///
/// ```
/// let g = flight_codec::response::decode(b"1:\"$Smy.sym\"\n0:{\"a\":\"$1\",\"n\":\"$n12\"}\n", &Default::default())?;
/// assert_eq!(flight_codec::notation::to_string(&g), r#"{"object":[["a",{"symbol":"my.sym"}],["n",{"bigint":"12"}]]}"#);
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub fn decode(stream: &[u8], opts: &DecodeOptions) -> Result<Graph> {
    let chunks = table(stream, opts)?;
    let mut r = Response {
        opts,
        chunks,
        queued: HashSet::new(),
        work: Vec::new(),
        marker: None,
        promises: Vec::new(),
        promise_nodes: HashMap::new(),
        inits: Vec::new(),
        entries: Vec::new(),
        server_refs: Vec::new(),
        rejected: HashSet::new(),
        elements: Vec::new(),
        imports: Vec::new(),
        lazies: Vec::new(),
        error_values: Vec::new(),
        deps: Vec::new(),
        failed_elements: Vec::new(),
        temporaries: HashMap::new(),
    };
    let mut b = Builder::new(opts.limits.clone());
    r.enqueue(0);
    while let Some(id) = r.work.pop() {
        parse_row(&mut b, &mut r, id).map_err(|e| match e.kind() {
            ErrorKind::MissingRow { .. } => e,
            _ => e.at_part(id),
        })?;
    }
    propagate_errors(&mut b, &mut r);
    b.failed = r.rejected.clone();
    b.resolve_holes()?;
    b.drop_undefined();
    for (node, meta, row) in std::mem::take(&mut r.imports) {
        fill_import(&mut b, node, &meta, row)?;
    }
    for &(node, row) in &r.error_values {
        let info = b.roots.get(&row).cloned();
        let message = match info.and_then(|v| v.as_node()).map(|n| b.g.node(n)) {
            Some(Node::Object(pairs)) => {
                pairs.iter().find(|(k, _)| *k == "message").and_then(|(_, v)| v.as_string().cloned())
            }
            _ => None,
        };
        *b.g.node_mut(node) = Node::Error(Box::new(JsError { message: message.unwrap_or_default(), digest: None }));
    }
    for &node in &r.elements {
        if let Node::Array(items) = b.g.node(node).clone() {
            if items.len() < 4 {
                continue;
            }
            let element = Node::Element(Box::new(Element {
                element_type: items[1].clone(),
                key: items[2].clone(),
                props: items[3].clone(),
            }));
            *b.g.node_mut(node) = element;
        }
    }
    for (node, error) in std::mem::take(&mut r.failed_elements) {
        *b.g.node_mut(node) = Node::Lazy(Box::new(PromiseState::Rejected(error)));
    }
    b.settle_promises(&r.promises, &r.rejected)?;
    b.settle_promises(&r.lazies, &r.rejected)?;
    for &(node, _) in &r.lazies {
        if let Node::Promise(state) = b.g.node(node).clone() {
            *b.g.node_mut(node) = Node::Lazy(Box::new(state));
        }
    }
    // Placeholders built from errored rows sit in values that errored too.
    let rejected = r.rejected.clone();
    r.inits.retain(|(_, p, _)| !rejected.contains(p));
    r.entries.retain(|(_, p, _)| !rejected.contains(p));
    r.server_refs.retain(|(_, p)| !rejected.contains(p));
    b.fill_initializers(std::mem::take(&mut r.inits), false)?;
    fill_entries(&mut b, &r)?;
    for (node, part) in std::mem::take(&mut r.server_refs) {
        let (id, bound) = b.server_ref_meta(b.roots.get(&part)).map_err(|e| e.at_part(part))?;
        *b.g.node_mut(node) = Node::ServerReference(Box::new(ServerReference { id, bound }));
    }
    let mut root = b.roots.get(&0).cloned().unwrap_or(Value::Undefined);
    if r.rejected.contains(&0) {
        return Err(ErrorKind::RootRejected.into());
    }
    if let Value::Node(id) = root {
        if let Node::Promise(state) = b.g.node(id) {
            root = match state {
                PromiseState::Fulfilled(v) => v.clone(),
                _ => return Err(ErrorKind::RootRejected.into()),
            };
        }
    }
    b.g.set_root(root);
    b.check_logical_size()?;
    Ok(b.g)
}

/// A reference from one row to another that is not through a promise or lazy.
struct Dep {
    from: u32,
    to: u32,
    /// The innermost element tuple around the reference.
    element: Option<NodeId>,
    /// The stream chunk the reference is in, for stream rows.
    item: Option<usize>,
}

/// A row that refers (plainly, not through a promise or lazy) to an errored
/// row errors with the same error, transitively, as React's client rejects
/// such chunks.
fn propagate_errors(b: &mut Builder, r: &mut Response<'_>) {
    let mut referrers: HashMap<u32, Vec<&Dep>> = HashMap::new();
    for dep in &r.deps {
        if dep.from != dep.to {
            referrers.entry(dep.to).or_default().push(dep);
        }
    }
    let mut queue: Vec<u32> = r.rejected.iter().copied().collect();
    let mut failed_elements = HashSet::new();
    while let Some(row) = queue.pop() {
        let error = b.roots.get(&row).cloned().unwrap_or(Value::Undefined);
        for dep in referrers.get(&row).map(Vec::as_slice).unwrap_or_default() {
            let from = dep.from;
            if let Some(e) = dep.element {
                // React wraps a failed element in a rejected lazy instead.
                if failed_elements.insert(e) {
                    r.failed_elements.push((e, error.clone()));
                }
                continue;
            }
            // A stream whose chunk failed errors there: an async iterable keeps the
            // chunks before it; a ReadableStream drops its queued chunks, as in JavaScript.
            if let (Some(item), Some(Value::Node(n))) = (dep.item, b.roots.get(&from)) {
                if let Node::Stream(s) = b.g.node_mut(*n) {
                    let keep = if matches!(s.kind, StreamKind::Readable | StreamKind::Bytes) { 0 } else { item };
                    let already = matches!(s.end, StreamEnd::Errored(_));
                    if !already || keep < s.items.len() {
                        s.items.truncate(keep);
                        s.end = StreamEnd::Errored(error.clone());
                    }
                    continue;
                }
            }
            if r.rejected.insert(from) {
                b.roots.insert(from, error.clone());
                queue.push(from);
            }
        }
    }
}

/// Parses row `id` into `b.roots`.
fn parse_row(b: &mut Builder, r: &mut Response<'_>, id: u32) -> Result<()> {
    let Some(chunk) = r.chunks.remove(&id) else {
        return Err(ErrorKind::MissingRow { id }.into());
    };
    b.row = id;
    let value = match chunk {
        Chunk::Model(json) => b.parse_json(&json, Slot::Root(id), Some(id), r)?,
        Chunk::Text(t) => {
            b.charge(t.len() as u64)?;
            Some(Value::String(t))
        }
        Chunk::Binary(tag, bytes) => Some(binary(b, tag, bytes)?),
        Chunk::Import(json) => {
            // The metadata may refer to other rows (React 19.3 deduplicates long
            // module ids into their own rows), so it is parsed as a model and
            // the reference filled in once references are resolved.
            let node = b
                .g
                .add(Node::ClientReference(Box::new(ClientReference { id: JsString::new(), name: JsString::new() })));
            let meta = b.parse_json(&json, Slot::Root(u32::MAX), None, r)?.unwrap_or(Value::Undefined);
            r.imports.push((node, meta, id));
            Some(Value::Node(node))
        }
        Chunk::Error(json) => {
            r.rejected.insert(id);
            Some(error_row(b, &json)?)
        }
        Chunk::Stream { kind, rows, end } => Some(stream(b, r, kind, rows, end, id)?),
        Chunk::Halted => return Err(row_error(id, "is halted (empty) but the value needs it")),
    };
    if let Some(v) = value {
        b.roots.insert(id, v);
    }
    Ok(())
}

/// A typed-array row (`o`, `S`, `A`, …).
fn binary(b: &mut Builder, tag: u8, bytes: Bytes) -> Result<Value> {
    b.charge(1 + bytes.len() as u64)?;
    if tag == b'A' {
        return Ok(b.g.add_value(Node::ArrayBuffer(bytes)));
    }
    let kind = if tag == b'b' {
        TypedArrayKind::Uint8Array
    } else {
        TypedArrayKind::from_tag(tag).ok_or(ErrorKind::InvalidElement)?
    };
    if bytes.len() % kind.element_size() != 0 {
        return Err(ErrorKind::MisalignedTypedArray { kind: kind.name(), len: bytes.len() }.into());
    }
    Ok(b.g.add_value(Node::TypedArray { kind, bytes }))
}

/// Fills a client reference from its `I` row: `[moduleId, chunks, exportName(, async)]`.
fn fill_import(b: &mut Builder, node: NodeId, meta: &Value, row: u32) -> Result<()> {
    let bad = || Error::new(ErrorKind::InvalidRow { id: row, reason: "is an import that is not [id, chunks, name]" });
    let Value::Node(arr) = meta else { return Err(bad()) };
    let Node::Array(items) = b.g.node(*arr) else { return Err(bad()) };
    let (Some(Value::String(id)), Some(Value::String(name))) = (items.first(), items.get(2)) else { return Err(bad()) };
    *b.g.node_mut(node) = Node::ClientReference(Box::new(ClientReference { id: id.clone(), name: name.clone() }));
    Ok(())
}

/// An `E` row: `{"digest": …}` in production; development adds the message
/// (and a stack and owner, which are not kept).
fn error_row(b: &mut Builder, json: &Bytes) -> Result<Value> {
    let mut plain = crate::model::PlainJson;
    let v = b.parse_json(json, Slot::Root(u32::MAX), None, &mut plain)?.unwrap_or(Value::Undefined);
    let (mut digest, mut message) = (None, None);
    if let Value::Node(obj) = v {
        if let Node::Object(pairs) = b.g.node(obj) {
            let field = |k: &str| pairs.iter().find(|(key, _)| *key == k).and_then(|(_, v)| v.as_string().cloned());
            digest = field("digest");
            // Development builds send the message; production omits it.
            message = field("message");
        }
    }
    let message = message.unwrap_or(JsString::from_static(PROD_ERROR_MESSAGE));
    Ok(b.g.add_value(Node::Error(Box::new(JsError { message, digest }))))
}

/// A stream's rows, parsed as its items.
fn stream(
    b: &mut Builder,
    r: &mut Response<'_>,
    kind: StreamKind,
    rows: Vec<StreamRow>,
    end: Option<StreamClose>,
    id: u32,
) -> Result<Value> {
    let Some(end) = end else {
        return Err(ErrorKind::InvalidStream { id, reason: "never closed" }.into());
    };
    let node = b.g.add(Node::Stream(Box::new(Stream { kind, items: Vec::new(), end: StreamEnd::Open })));
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        b.item = Some(items.len());
        if kind == StreamKind::Bytes && !matches!(row, StreamRow::Binary(..)) {
            return Err(ErrorKind::InvalidStream { id, reason: "has a chunk that is not binary" }.into());
        }
        let v = match row {
            StreamRow::Model(json) => {
                let slot = Slot::Item(node, items.len() as u32);
                // Placeholder first so the slot exists while holes resolve.
                b.parse_json(&json, slot, None, r)?.unwrap_or(Value::Undefined)
            }
            StreamRow::Text(t) => Value::String(t),
            StreamRow::Binary(tag, bytes) => binary(b, tag, bytes)?,
        };
        items.push(v);
    }
    b.item = Some(items.len());
    let end = match end {
        StreamClose::Closed(ret) if ret.is_empty() => StreamEnd::Closed(Value::Undefined),
        StreamClose::Closed(ret) => {
            StreamEnd::Closed(b.parse_json(&ret, Slot::StreamReturn(node), None, r)?.unwrap_or(Value::Undefined))
        }
        StreamClose::Errored(json) => {
            // An errored ReadableStream drops the chunks nobody read yet; React's
            // value shows none of them, and neither does ours. (An async
            // iterable keeps what it buffered.)
            if matches!(kind, StreamKind::Readable | StreamKind::Bytes) {
                items.clear();
            }
            StreamEnd::Errored(error_row(b, &json)?)
        }
    };
    b.item = None;
    if let Node::Stream(s) = b.g.node_mut(node) {
        s.items = items;
        s.end = end;
    }
    Ok(Value::Node(node))
}

/// FormData (`$K`: an array of `[name, value]`) and Blob (`$B`: `[type, …parts]`).
fn fill_entries(b: &mut Builder, r: &Response<'_>) -> Result<()> {
    // Blobs first: a FormData's file entries are Blobs.
    let mut order: Vec<&(NodeId, u32, bool)> = r.entries.iter().collect();
    order.sort_by_key(|(_, _, is_blob)| !is_blob);
    for &&(node, part, is_blob) in &order {
        let what = if is_blob { "Blob" } else { "FormData" };
        let bad = || Error::new(ErrorKind::InvalidInitializer { what }).at_part(part);
        let Some(Value::Node(arr)) = b.roots.get(&part).cloned() else { return Err(bad()) };
        let Node::Array(items) = b.g.node(arr).clone() else { return Err(bad()) };
        let filled = if is_blob {
            let Some(Value::String(ty)) = items.first() else { return Err(bad()) };
            let mut bytes = Vec::new();
            for v in &items[1..] {
                match v.as_node().map(|n| b.g.node(n)) {
                    Some(Node::TypedArray { bytes: part, .. } | Node::ArrayBuffer(part)) => {
                        bytes.extend_from_slice(part)
                    }
                    _ => match v {
                        Value::String(s) => bytes.extend_from_slice(s.to_string_lossy().as_bytes()),
                        _ => return Err(bad()),
                    },
                }
            }
            Node::Blob(Box::new(Blob { name: None, content_type: ty.clone(), bytes: bytes.into() }))
        } else {
            let mut entries = Vec::with_capacity(items.len());
            for item in items {
                let Some(Node::Array(kv)) = item.as_node().map(|n| b.g.node(n)) else { return Err(bad()) };
                let (Some(Value::String(k)), Some(v)) = (kv.first(), kv.get(1)) else { return Err(bad()) };
                let entry = match v {
                    Value::String(t) => FormEntry::Text(t.clone()),
                    Value::Node(n) => match b.g.node(*n) {
                        Node::Blob(blob) => FormEntry::File(Blob {
                            name: Some(blob.name.clone().unwrap_or(JsString::from_static("blob"))),
                            ..(**blob).clone()
                        }),
                        _ => return Err(bad()),
                    },
                    _ => return Err(bad()),
                };
                entries.push((k.clone(), entry));
            }
            Node::FormData(entries)
        };
        *b.g.node_mut(node) = filled;
    }
    Ok(())
}
