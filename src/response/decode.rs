//! The response's meaning of rows and `$`-strings: the pieces the push
//! decoder ([`super::push`]) parses rows with.

use crate::id_map::{IdMap, IdSet};
use std::collections::HashMap;

use bytes::Bytes;

use crate::error::{Error, ErrorKind, Result};
use crate::model::{err_text, parse_hex, scalar_tag, Builder, Parsed, Pos, Slot, Tags};
use crate::value::{
    Blob, ClientReference, FormEntry, JsError, JsString, Node, NodeId, NodeRef, PromiseState, ServerReference,
    StreamKind, TypedArrayKind, Value,
};

/// The message React's production client gives every server error.
pub(crate) const PROD_ERROR_MESSAGE: &str = "An error occurred in the Server Components render. The specific message is omitted in production builds to avoid leaking sensitive details. A digest property is included on this error instance which may provide additional details about the nature of the error.";

/// A row's content, by kind.
pub(super) enum Chunk {
    Model(Bytes),
    Text(JsString),
    Binary(u8, Bytes),
    Import(Bytes),
    Error(Bytes),
    /// Boxed: streams are rare, and every other chunk is one `Bytes`.
    Stream(Box<StreamChunk>),
    /// An empty row: a chunk that will never be filled (prerender halts,
    /// development debug values). An error only if the value needs it.
    Halted,
}

/// Rows that arrived and are not parsed yet, by stream id: the row that
/// arrived last in a slot of its own (in a stream React writes, it is most
/// often parsed next, without a table), the others in tables: model rows
/// (most of them) as their JSON alone (32 bytes an entry), the others as
/// [`Chunk`]s.
#[derive(Default)]
pub(super) struct PendingRows {
    last: Option<(u32, Chunk)>,
    models: IdMap<Bytes>,
    others: IdMap<Chunk>,
}

impl PendingRows {
    /// Adds row `id`; `false` if it is there already (a duplicate row is an
    /// error: what it replaced does not matter).
    pub(super) fn insert(&mut self, id: u32, chunk: Chunk) -> bool {
        if self.contains_key(&id) {
            return false;
        }
        if let Some((old, c)) = self.last.replace((id, chunk)) {
            match c {
                Chunk::Model(json) => {
                    self.models.insert(old, json);
                }
                other => {
                    self.others.insert(old, other);
                }
            }
        }
        true
    }

    pub(super) fn contains_key(&self, id: &u32) -> bool {
        matches!(&self.last, Some((last, _)) if last == id)
            || self.models.contains_key(id)
            || self.others.contains_key(id)
    }

    /// Row `id`, if it is not a model row.
    pub(super) fn get(&self, id: &u32) -> Option<&Chunk> {
        match &self.last {
            Some((last, c)) if last == id => (!matches!(c, Chunk::Model(_))).then_some(c),
            _ => self.others.get(id),
        }
    }

    /// Row `id`, if it is not a model row.
    pub(super) fn get_mut(&mut self, id: &u32) -> Option<&mut Chunk> {
        match &mut self.last {
            Some((last, c)) if last == id => (!matches!(c, Chunk::Model(_))).then_some(c),
            _ => self.others.get_mut(id),
        }
    }

    pub(super) fn remove(&mut self, id: &u32) -> Option<Chunk> {
        if matches!(&self.last, Some((last, _)) if last == id) {
            return self.last.take().map(|(_, c)| c);
        }
        self.models.remove(id).map(Chunk::Model).or_else(|| self.others.remove(id))
    }
}

/// A stream's rows so far.
pub(super) struct StreamChunk {
    pub(super) kind: StreamKind,
    pub(super) rows: Vec<StreamRow>,
    pub(super) end: Option<StreamClose>,
}

/// How a stream's rows end: `C` (with an optional return value) or `E`.
pub(super) enum StreamClose {
    Closed(Bytes),
    Errored(Bytes),
}

pub(super) enum StreamRow {
    Model(Bytes),
    Text(JsString),
    Binary(u8, Bytes),
}

pub(super) fn row_error(id: u32, reason: &'static str) -> Error {
    Error::new(ErrorKind::InvalidRow { id, reason })
}

/// A text row's string (the caller adds the row to an error).
pub(super) fn text(bytes: Bytes) -> Result<JsString> {
    JsString::from_utf8(bytes).map_err(|_| Error::new(ErrorKind::InvalidUtf8))
}

/// The response's meaning of `$`-strings, and what they leave to do.
pub(super) struct Response {
    pub(super) temporary_references: bool,
    /// Row ids renamed dense: every id below is one.
    pub(super) ids: super::ids::RowIds,
    /// A reference may have been written under a `then` key. The builder
    /// drops a server reference that a reference there resolves to; from
    /// then on every `$h` placeholder is a (boxed) server reference from the
    /// start, and the decoder boxes those made before
    /// ([`UNFILLED_SERVER_REFERENCE`]).
    pub(super) then_refs: bool,
    /// The text being parsed wrote a reference to a row.
    pub(super) wrote_refs: bool,
    pub(super) chunks: PendingRows,
    pub(super) queued: IdSet,
    pub(super) work: Vec<u32>,
    /// The node standing for the element marker `"$"` in `["$", type, key, props]`.
    pub(super) marker: Option<NodeId>,
    pub(super) promises: Vec<(NodeId, u32)>,
    pub(super) promise_nodes: super::row_table::RowTable<NodeId>,
    /// Map, Set and iterator placeholders (`$Q`, `$W`, `$i`) by the row
    /// they are built from: their kind is the placeholder's own. One list
    /// entry each (8 bytes), as a stream can be mostly such references.
    pub(super) inits_of: super::row_table::RowLists<NodeId>,
    /// FormData (`$K`) and Blob (`$B`) placeholders, likewise.
    pub(super) entries_of: super::row_table::RowLists<NodeId>,
    /// The rows the placeholders of the text being parsed wait for (a row
    /// once for consecutive placeholders of it).
    pub(super) placeholder_rows: Vec<u32>,
    pub(super) server_refs: Vec<(NodeId, u32)>,
    /// Rows that are errors (`E`): a promise of one is rejected.
    pub(super) rejected: IdSet,
    /// Arrays that are element tuples `["$", type, key, props, …]`, by the
    /// row (and stream chunk) they are in.
    pub(super) elements: HashMap<Key, Vec<NodeId>>,
    /// Where the parser is: the row and stream chunk.
    pub(super) at: Key,
    /// Plain references between rows written by the row (or chunk) being
    /// parsed: the row referred to and the element tuple around the
    /// reference. Taken into the completeness graph after each parse.
    pub(super) deps: Vec<Dep>,
    /// Element tuples that refer to an errored row: they become rejected lazies.
    pub(super) failed_elements: Vec<(NodeId, Value)>,
    /// Temporary references by id: the same id is the same object.
    pub(super) temporaries: HashMap<JsString, NodeId>,
    /// Development error values (`$Z<id>`) and their rows.
    pub(super) error_values: Vec<(NodeId, u32)>,
    /// Lazy wrappers (`$L`) and the rows they wrap.
    pub(super) lazies: Vec<(NodeId, u32)>,
    /// Client references and the parsed metadata of their `I` rows, by row
    /// (each filled when its row completes: a list of them all was looked
    /// through at every completion, quadratic in `I` rows waiting).
    pub(super) imports: IdMap<(NodeId, Value)>,
}

impl Response {
    pub(super) fn enqueue(&mut self, id: u32) {
        if self.queued.insert(id) {
            self.work.push(id);
        }
    }
}

impl Tags for Response {
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
                let p = self.ids.intern(id(2)?);
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
                    // The references staged are the key's being parsed.
                    debug_assert_eq!((pos.row, pos.item), self.at);
                    let to = self.ids.intern(to);
                    self.depend(Dep { to, element });
                }
                self.wrote_refs = true;
                let t = text.as_wtf8();
                let (head, segs) = crate::model::split_path(t, bl.limits.max_path_segments)?;
                let wire =
                    parse_hex(&t[..head]).ok_or_else(|| Error::new(ErrorKind::InvalidId { text: err_text(&s) }))?;
                let part = self.ids.intern(wire);
                self.enqueue(part);
                if part == wire {
                    return Ok(Parsed::Ref { part, text, segs });
                }
                // The builder reads the row from the text: it names the dense id.
                let mut renamed = format!("{part:x}").into_bytes();
                renamed.extend_from_slice(&t[head..]);
                let text = JsString::from_wtf8_vec(renamed);
                let (_, segs) = crate::model::split_path(text.as_wtf8(), bl.limits.max_path_segments)?;
                return Ok(Parsed::Ref { part, text, segs });
            }
            b'@' => {
                let p = self.ids.intern(id(2)?);
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
                let p = self.ids.intern(id(2)?);
                // Under a `then` key the builder drops a server reference: once a
                // reference may be there, every `$h` is one from the start (see
                // `then_refs`).
                let node = if self.then_refs {
                    bl.g.add(empty_server_reference())
                } else {
                    bl.g.add(UNFILLED_SERVER_REFERENCE)
                };
                // Built from that row (and its bound arguments): if they error, so
                // does what holds the reference.
                let element = self.marker.and_then(|m| pos.innermost_array_starting_with(m));
                self.depend(Dep { to: p, element });
                self.server_refs.push((node, p));
                self.enqueue(p);
                Value::Node(node)
            }
            b'S' => Value::Symbol(Box::new(s.skip_bytes(2))),
            b'T' => {
                if !self.temporary_references {
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
                let p = self.ids.intern(id(2)?);
                // Built from that row: if it errored, so does what needs it.
                let element = self.marker.and_then(|m| pos.innermost_array_starting_with(m));
                self.depend(Dep { to: p, element });
                // Empty placeholders: none of them is boxed.
                let node = match tag {
                    b'Q' => bl.g.add(Node::Map(Vec::new())),
                    b'W' => bl.g.add(Node::Set(Vec::new())),
                    b'i' => bl.g.add(Node::Iterator(Vec::new())),
                    b'K' => bl.g.add(Node::FormData(Vec::new())),
                    _ => bl.g.add_empty_blob(),
                };
                match tag {
                    b'Q' | b'W' | b'i' => self.inits_of.push(p, node),
                    _ => self.entries_of.push(p, node),
                }
                if self.placeholder_rows.last() != Some(&p) {
                    self.placeholder_rows.push(p);
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
                let p = self.ids.intern(id(2)?);
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
        if let NodeRef::Array(items) = bl.g.view(node) {
            if items.first().is_some_and(|v| v.as_node() == Some(marker)) {
                if items.len() < 4 {
                    return Err(Error::new(ErrorKind::InvalidElement));
                }
                // Turned into an element once references inside it are resolved.
                self.elements.entry(self.at).or_default().push(node);
            }
        }
        Ok(())
    }
}

/// What a `$h` is until its row and bound arguments are complete and it is
/// filled: a node with nothing to allocate (a `$h` can be most of a stream;
/// a server reference is boxed). Every check a placeholder meets before it
/// is filled (a path into it, a Map or FormData built from it, `bound`)
/// fails for it as for an empty server reference; the one that differs,
/// the builder's dropping of a server reference under `then`, is kept by
/// [`parse_model`] and [`Response::then_refs`]. Placeholders left at the end
/// (inside rows that errored) are made empty server references.
pub(super) const UNFILLED_SERVER_REFERENCE: Node = Node::Iterator(Vec::new());

/// A server reference with no id or arguments yet.
pub(super) fn empty_server_reference() -> Node {
    Node::ServerReference(Box::new(ServerReference { id: JsString::new(), bound: None }))
}

/// Parses a model's JSON (a row, a stream chunk, a stream's return value,
/// an import's metadata) with the response's tags, and drops `$h`s under
/// `then` keys as the builder drops server references there (see
/// [`UNFILLED_SERVER_REFERENCE`]).
pub(super) fn parse_model(
    b: &mut Builder,
    r: &mut Response,
    json: &Bytes,
    slot: Slot,
    part: Option<u32>,
) -> Result<Option<Value>> {
    let first = b.g.len();
    let refs = r.server_refs.len();
    r.wrote_refs = false;
    let v = b.parse_json(json, slot, part, r)?;
    if r.then_refs {
        return Ok(v);
    }
    let placeholders = r.server_refs.len() > refs;
    if (placeholders || r.wrote_refs) && may_have_then_key(json) {
        // A reference under `then` may resolve to a `$h`: the builder must
        // see server references from now on.
        r.then_refs = r.wrote_refs;
        if placeholders {
            // A `$h` right under `then` is dropped (the builder dropped it
            // only if it was a server reference already). The ones this text
            // made are in node order.
            let made = &r.server_refs[refs..];
            for n in first..b.g.len() {
                let id = NodeId(n as u32);
                // An object's keys are distinct: at most one is `then`.
                let then = match b.g.view(id) {
                    NodeRef::Object(pairs) => pairs.iter().position(|(k, v)| {
                        *k == "then" && v.as_node().is_some_and(|h| made.binary_search_by_key(&h, |m| m.0).is_ok())
                    }),
                    _ => None,
                };
                if let Some(v) = then.and_then(|i| b.g.values_mut(id)?.get_mut(i)) {
                    *v = Value::Null;
                }
            }
        }
    }
    Ok(v)
}

/// Whether `json` may have a `then` key: it has the key's text or an
/// escape (`"th\u0065n"`); `false` is certain.
fn may_have_then_key(json: &[u8]) -> bool {
    memchr::memmem::find(json, b"then\"").is_some() || memchr::memmem::find(json, b"\\u").is_some()
}

/// A reference from the row (or chunk) being parsed to another row that is
/// not through a promise or lazy.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct Dep {
    pub(super) to: u32,
    /// The innermost element tuple around the reference.
    pub(super) element: Option<NodeId>,
}

impl Response {
    /// Notes that the row being parsed needs row `to` (a reference inside
    /// element tuple `element`, if any). A dependency the row has just noted
    /// is noted once: a row of many references to one row needs it once.
    #[inline]
    fn depend(&mut self, dep: Dep) {
        if self.deps.last() != Some(&dep) {
            self.deps.push(dep);
        }
    }
}

/// A row, or one chunk of a stream row (`Some(index)`; `usize::MAX` for
/// the stream's return value).
pub(super) type Key = (u32, Option<u32>);

/// A typed-array row (`o`, `S`, `A`, …).
pub(super) fn binary(b: &mut Builder, tag: u8, bytes: Bytes) -> Result<Value> {
    b.charge(1 + bytes.len() as u64)?;
    if tag == b'A' {
        return Ok(b.g.add_value(Node::ArrayBuffer(Box::new(bytes))));
    }
    let kind = if tag == b'b' {
        TypedArrayKind::Uint8Array
    } else {
        TypedArrayKind::from_tag(tag).ok_or(ErrorKind::InvalidElement)?
    };
    if bytes.len() % kind.element_size() != 0 {
        return Err(ErrorKind::MisalignedTypedArray { kind: kind.name(), len: bytes.len() }.into());
    }
    Ok(b.g.add_value(Node::TypedArray { kind, bytes: Box::new(bytes) }))
}

/// Fills a client reference from its `I` row: `[moduleId, chunks, exportName(, async)]`.
pub(super) fn fill_import(b: &mut Builder, node: NodeId, meta: &Value, row: u32) -> Result<()> {
    let bad = || Error::new(ErrorKind::InvalidRow { id: row, reason: "is an import that is not [id, chunks, name]" });
    let Value::Node(arr) = meta else { return Err(bad()) };
    let NodeRef::Array(items) = b.g.view(*arr) else { return Err(bad()) };
    let (Some(Value::String(id)), Some(Value::String(name))) = (items.first(), items.get(2)) else { return Err(bad()) };
    b.g.replace(node, Node::ClientReference(Box::new(ClientReference { id: id.clone(), name: name.clone() })));
    Ok(())
}

/// An `E` row: `{"digest": …}` in production; development adds the message
/// (and a stack and owner, which are not kept).
pub(super) fn error_row(b: &mut Builder, json: &Bytes) -> Result<Value> {
    let mut plain = crate::model::PlainJson;
    let v = b.parse_json(json, Slot::Root(u32::MAX), None, &mut plain)?.unwrap_or(Value::Undefined);
    let digest = string_member(&b.g, Some(&v), "digest");
    // Development builds send the message; production omits it.
    let message = string_member(&b.g, Some(&v), "message").unwrap_or(JsString::from_static(PROD_ERROR_MESSAGE));
    Ok(b.g.add_value(Node::Error(Box::new(JsError { message, digest }))))
}

/// The string member `key` of object `v` (an error row's `message` or
/// `digest`), if `v` is an object with one.
pub(super) fn string_member(g: &crate::value::Graph, v: Option<&Value>, key: &str) -> Option<JsString> {
    let NodeRef::Object(pairs) = g.view(v?.as_node()?) else { return None };
    pairs.iter().find(|(k, _)| *k == key).and_then(|(_, v)| v.as_string().cloned())
}

/// Fills a FormData (`$K`: an array of `[name, value]`) or Blob (`$B`:
/// `[type, …parts]`) placeholder from its row.
///
/// A row's Blob is built once: the placeholders filled from the same row
/// later share its bytes (`blobs` holds the first, by row), so a stream of
/// `$B` references to one large row costs a node each, not a copy of the
/// row each. A FormData's entries are copied each time, as React makes a new
/// FormData each time; the copies of a row used before are counted against
/// `max_copies` (see [`Builder::count_copy`]).
pub(super) fn fill_entry(
    b: &mut Builder,
    (node, part, is_blob): (NodeId, u32, bool),
    blobs: &mut IdMap<NodeId>,
    max_copies: u64,
) -> Result<()> {
    if is_blob {
        if let Some(NodeRef::Blob(first)) = blobs.get(&part).map(|&first| b.g.view(first)) {
            let shared = Node::Blob(Box::new(first.clone()));
            b.g.replace(node, shared);
            return Ok(());
        }
    }
    let what = if is_blob { "Blob" } else { "FormData" };
    let bad = || Error::new(ErrorKind::InvalidInitializer { what }).at_part(part);
    let Some(Value::Node(arr)) = b.roots.get(&part).cloned() else { return Err(bad()) };
    let NodeRef::Array(items) = b.g.view(arr) else { return Err(bad()) };
    if !is_blob {
        // In 16-byte items, as the initializers' copies are counted.
        let size = std::mem::size_of::<(JsString, FormEntry)>() / std::mem::size_of::<Value>();
        b.count_copy(arr, items.len() as u64 * size as u64, max_copies)?;
    }
    let NodeRef::Array(items) = b.g.view(arr) else { return Err(bad()) };
    let filled = if is_blob {
        let Some(Value::String(ty)) = items.first() else { return Err(bad()) };
        let mut bytes = Vec::new();
        for v in &items[1..] {
            match v.as_node().map(|n| b.g.view(n)) {
                Some(NodeRef::TypedArray { bytes: part, .. } | NodeRef::ArrayBuffer(part)) => {
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
            let Some(NodeRef::Array(kv)) = item.as_node().map(|n| b.g.view(n)) else { return Err(bad()) };
            let (Some(Value::String(k)), Some(v)) = (kv.first(), kv.get(1)) else { return Err(bad()) };
            let entry = match v {
                Value::String(t) => FormEntry::Text(t.clone()),
                Value::Node(n) => match b.g.view(*n) {
                    NodeRef::Blob(blob) => FormEntry::File(Blob {
                        name: Some(blob.name.clone().unwrap_or(JsString::from_static("blob"))),
                        ..blob.clone()
                    }),
                    _ => return Err(bad()),
                },
                _ => return Err(bad()),
            };
            entries.push((k.clone(), entry));
        }
        Node::FormData(entries)
    };
    b.g.replace(node, filled);
    if is_blob {
        blobs.insert(part, node);
    }
    Ok(())
}
