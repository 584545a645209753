//! The reply decoder: backing store → value graph.
//!
//! Decoding runs in three steps, none of them recursive:
//! 1. parse every reachable part's JSON straight into graph nodes
//!    ([`crate::model::Builder`]), with the reply's meaning of each `$`-string
//!    ([`Reply`]'s [`Tags`]): a *hole* for each reference (`$1`, `$0:a:b`) and a
//!    placeholder node for each outlined value (`$@`, `$Q`, `$W`, `$i`, `$h`,
//!    streams);
//! 2. resolve holes by walking paths (in the builder);
//! 3. fill placeholders: promises (flattened, cycle-checked), Maps, Sets,
//!    iterators (consume-once), server references, then check the logical
//!    size of the result.

use crate::id_map::{IdMap, IdSet};

use super::backing::{Backing, PartEntry};
use super::DecodeOptions;
use crate::error::{Error, ErrorKind, Result};
use crate::limits::LimitKind;
use crate::model::{err_text, parse_hex, Builder, InitKind, Parsed, Pos, Slot, Tags};
use crate::value::{
    Graph, JsString, Node, NodeId, NodeRef, PromiseState, ServerReference, Stream, StreamEnd, StreamKind,
    TypedArrayKind, Value,
};

enum Work {
    Part(u32),
    Stream(NodeId, u32),
}

pub(crate) struct Decoder<'o> {
    b: Builder,
    r: Reply<'o>,
}

/// The reply direction's state: what `$`-strings mean here and what they
/// left to do once every part is parsed.
struct Reply<'o> {
    opts: &'o DecodeOptions,
    backing: Backing,
    queued: IdSet,
    work: Vec<Work>,
    /// Parts first reached as Map, Set or iterator initializers: parsed once
    /// `work` is empty, so that a second use of one (an error) is found
    /// before a large initializer is built.
    later: Vec<u32>,
    promises: Vec<(NodeId, u32)>,
    inits: Vec<(NodeId, u32)>,
    server_refs: Vec<(NodeId, u32)>,
    byte_streams: Vec<(NodeId, u32)>,
    consumed_binary: IdSet,
    consumed_streams: IdSet,
    consumed_forms: IdSet,
    consumed_inits: IdSet,
    /// Parts named other than as a Map, Set or iterator initializer (by a
    /// reference, a promise, a server reference, or as the root): a part
    /// outside it that backs an initializer is reachable from it alone, so
    /// its items are moved into the value, not copied.
    named: IdSet,
    blobs: IdMap<NodeId>,
    promise_nodes: IdMap<NodeId>,
    server_ref_nodes: IdMap<NodeId>,
    /// Closed arrays (with arrays in them) of the JSON text being parsed
    /// whose parent has not closed yet, in increasing node order ([`Limits::max_array_size`](crate::Limits::max_array_size)).
    trees: Vec<ArrayTree>,
    /// The bytes of the temporary references' paths so far (see `$T`).
    temp_path_bytes: usize,
}

/// A closed array that has arrays written directly inside it, with their
/// slots, for [`Limits::max_array_size`](crate::Limits::max_array_size).
struct ArrayTree {
    node: NodeId,
    /// Slots: each array's length plus one.
    slots: u64,
    /// Some array in the tree has more than one element.
    forked: bool,
}

impl<'o> Decoder<'o> {
    pub(crate) fn new(backing: Backing, opts: &'o DecodeOptions) -> Self {
        let r = Reply {
            opts,
            backing,
            queued: IdSet::default(),
            work: Vec::new(),
            promises: Vec::new(),
            inits: Vec::new(),
            server_refs: Vec::new(),
            byte_streams: Vec::new(),
            consumed_binary: IdSet::default(),
            consumed_streams: IdSet::default(),
            consumed_inits: IdSet::default(),
            named: IdSet::default(),
            later: Vec::new(),
            consumed_forms: IdSet::default(),
            blobs: IdMap::default(),
            temp_path_bytes: 0,
            promise_nodes: IdMap::default(),
            server_ref_nodes: IdMap::default(),
            trees: Vec::new(),
        };
        let mut b = Builder::new(opts.limits.clone());
        // Every text the backing store holds was checked to be UTF-8.
        b.utf8_input = true;
        // Parts are parsed from a work stack, so their values arrive highest
        // id first: index them by id from the start (one slot per part present).
        b.roots.reserve_dense(r.backing.parts.len() + 1);
        // Room in the node arena for two nodes per part (a part is mostly a
        // container, and often what refers to it is a promise, Map or Set
        // node), so that a body of many parts does not copy the arena as it
        // grows. (Parts present, never a declared number: 80 bytes a part,
        // whose headers alone are ~60. Not sized from the text: a body of
        // long strings needs few nodes, and would hold the room unused.)
        b.g.reserve_nodes((2 * r.backing.parts.len()).max(16));
        Decoder { b, r }
    }

    /// Decodes part 0 and everything it reaches.
    pub(crate) fn run(self) -> Result<Graph> {
        self.run_parts()?.b.finish_root()
    }

    /// One JSON text (a part, or a stream row) into the graph. The array
    /// trees it leaves behind are its own (roots checked as they closed).
    fn parse_json(&mut self, text: &bytes::Bytes, slot: Slot, part: Option<u32>) -> Result<Option<Value>> {
        let v = self.b.parse_json(text, slot, part, &mut self.r);
        self.r.trees.clear();
        v
    }

    fn parse_part(&mut self, id: u32) -> Result<()> {
        let text = match self.r.backing.parts.get(&id) {
            Some(PartEntry::Text(t)) => t.clone(),
            Some(PartEntry::Blob(_)) => return Err(ErrorKind::PartType { id, expected: "a text part" }.into()),
            None => return Err(ErrorKind::MissingPart { id }.into()),
        };
        if let Some(v) = self.parse_json(&text, Slot::Root(id), Some(id))? {
            self.b.roots.insert(id, v);
        }
        Ok(())
    }

    fn parse_stream(&mut self, node: NodeId, id: u32) -> Result<()> {
        let Some(rows) = self.r.backing.streams.remove(&id) else {
            return Err(ErrorKind::InvalidStream { id, reason: "never closed" }.into());
        };
        let mut items = Vec::new();
        let mut end = None;
        for row in rows {
            if end.is_some() {
                return Err(ErrorKind::InvalidStream { id, reason: "has rows after it was closed" }.into());
            }
            if row.first() == Some(&b'C') {
                let ret = if row.len() == 1 {
                    Some(Value::Undefined)
                } else {
                    self.parse_json(&row.slice(1..), Slot::StreamReturn(node), None)?
                };
                end = Some(ret.unwrap_or(Value::Undefined));
            } else {
                let slot = Slot::Item(node, items.len() as u32);
                let v = self.parse_json(&row, slot, None)?;
                items.push(v.unwrap_or(Value::Undefined));
            }
        }
        let Some(end) = end else {
            return Err(ErrorKind::InvalidStream { id, reason: "never closed" }.into());
        };
        if let Some(Node::Stream(s)) = self.b.g.node_mut(node) {
            s.items = items;
            s.end = StreamEnd::Closed(end);
        }
        Ok(())
    }

    // ---- step 2: holes -------------------------------------------------

    // ---- step 3: placeholders ------------------------------------------

    fn settle_promises(&mut self) -> Result<()> {
        self.b.settle_promises(&self.r.promises, &IdSet::default())
    }

    fn fill_initializers(&mut self) -> Result<()> {
        let named = &self.r.named;
        self.b.fill_initializers_moving(
            std::mem::take(&mut self.r.inits),
            true,
            |part| !named.contains(&part),
            u64::MAX,
        )
    }

    /// Reads part `part` as `{"id": string, "bound": null | promise of an array}`.
    pub(crate) fn server_ref_meta(&self, part: u32) -> Result<(JsString, Option<Vec<Value>>)> {
        self.b.server_ref_meta(self.b.roots.get(&part))
    }

    fn fill_server_refs(&mut self) -> Result<()> {
        for (node, part) in std::mem::take(&mut self.r.server_refs) {
            let (id, bound) = self.server_ref_meta(part).map_err(|e| e.at_part(part))?;
            self.b.g.replace(node, Node::ServerReference(Box::new(ServerReference { id, bound })));
        }
        Ok(())
    }

    /// Byte-stream chunks must be binary; empty chunks are dropped (a byte
    /// stream cannot enqueue a zero-length view).
    fn check_byte_streams(&mut self) -> Result<()> {
        for (node, id) in std::mem::take(&mut self.r.byte_streams) {
            let NodeRef::Stream(s) = self.b.g.view(node) else { continue };
            let mut kept = Vec::with_capacity(s.items.len());
            for item in &s.items {
                match item.as_node().map(|n| self.b.g.view(n)) {
                    Some(NodeRef::TypedArray { bytes, .. }) => {
                        if !bytes.is_empty() {
                            kept.push(item.clone());
                        }
                    }
                    _ => return Err(ErrorKind::InvalidStream { id, reason: "has a chunk that is not binary" }.into()),
                }
            }
            if let Some(Node::Stream(s)) = self.b.g.node_mut(node) {
                s.items = kept;
            }
        }
        Ok(())
    }

    /// The graph, once decoding is done (for `decode_action`).
    pub(crate) fn into_graph(self) -> Graph {
        self.b.g
    }

    /// Parses part 0 and what it reaches, resolves everything, and returns
    /// the decoder for reading part values (used by `decode_action`).
    pub(crate) fn run_parts(mut self) -> Result<Self> {
        self.r.enqueue(0);
        loop {
            while let Some(w) = self.r.work.pop() {
                match w {
                    Work::Part(id) => self.parse_part(id).map_err(|e| match e.kind() {
                        ErrorKind::MissingPart { .. } => e,
                        _ => e.at_part(id),
                    })?,
                    Work::Stream(node, id) => self.parse_stream(node, id)?,
                }
            }
            match self.r.later.pop() {
                Some(id) => self.r.work.push(Work::Part(id)),
                None => break,
            }
        }
        self.b.resolve_holes()?;
        self.b.drop_undefined();
        self.settle_promises()?;
        self.fill_initializers()?;
        self.fill_server_refs()?;
        self.check_byte_streams()?;
        Ok(self)
    }
}

impl Reply<'_> {
    fn enqueue(&mut self, id: u32) {
        self.named.insert(id);
        if self.queued.insert(id) {
            self.work.push(Work::Part(id));
        }
    }
}

impl Reply<'_> {
    /// React's `arraySizeLimit`, counted once per array as it closes: its
    /// length plus one, plus the slots of the arrays written directly in it
    /// (which closed before it). Only nodes made after the array opened can
    /// be arrays written in it, so an array that opened nothing (the usual
    /// leaf: numbers, a long array of strings) costs no look at its
    /// elements. A leaf's slots are its length plus one; an array with
    /// arrays in it leaves its total in `trees` for its parent. Totals left
    /// there by arrays under an object are the roots of their own trees,
    /// checked when they closed, and dropped.
    fn count_array(&mut self, g: &Graph, node: NodeId, max: usize) -> Result<()> {
        let NodeRef::Array(items) = g.view(node) else { return Ok(()) };
        let mut tree = ArrayTree { node, slots: items.len() as u64 + 1, forked: items.len() > 1 };
        let mut nested = false;
        if g.len() > node.index() + 1 {
            let first = self.trees.iter().rposition(|t| t.node < node).map_or(0, |i| i + 1);
            // Both in increasing node order: an array written inline got its
            // id when it opened, after the elements before it.
            let mut inner = self.trees[first..].iter().peekable();
            for item in items {
                let &Value::Node(id) = item else { continue };
                if id <= node {
                    continue;
                }
                let NodeRef::Array(child) = g.view(id) else { continue };
                nested = true;
                while inner.next_if(|t| t.node < id).is_some() {}
                let (slots, forked) = match inner.next_if(|t| t.node == id) {
                    Some(t) => (t.slots, t.forked),
                    None => (child.len() as u64 + 1, child.len() > 1),
                };
                tree.slots = tree.slots.saturating_add(slots);
                tree.forked |= forked;
            }
            self.trees.truncate(first);
        }
        if tree.forked && tree.slots > max as u64 {
            return Err(ErrorKind::LimitExceeded { limit: LimitKind::ArraySize, max: max as u64 }.into());
        }
        if nested {
            self.trees.push(tree);
        }
        Ok(())
    }
}

impl Tags for Reply<'_> {
    fn array_closed(&mut self, bl: &mut Builder, node: NodeId) -> Result<()> {
        let max = bl.limits.max_array_size;
        if max == usize::MAX {
            return Ok(());
        }
        self.count_array(&bl.g, node, max)
    }

    fn tagged(&mut self, bl: &mut Builder, s: JsString, pos: &Pos<'_>) -> Result<Parsed> {
        let b = s.as_wtf8();
        let unknown = || Error::new(ErrorKind::UnknownTag { text: err_text(&s) });
        let Some(&tag) = b.get(1) else {
            return Err(unknown());
        };
        let id =
            |from: usize| parse_hex(&b[from..]).ok_or_else(|| Error::new(ErrorKind::InvalidId { text: err_text(&s) }));
        let v = match tag {
            b'$' => Value::String(s.skip_bytes(1)),
            b'0'..=b'9' | b'a'..=b'f' => {
                let text = s.skip_bytes(1);
                let t = text.as_wtf8();
                let (head_end, segs) = crate::model::split_path(t, bl.limits.max_path_segments)?;
                let part =
                    parse_hex(&t[..head_end]).ok_or_else(|| Error::new(ErrorKind::InvalidId { text: err_text(&s) }))?;
                self.enqueue(part);
                return Ok(Parsed::Ref { part, text, segs });
            }
            b'@' | b'h' => {
                // One node per part: `$@1` twice is one promise, `$h1` twice one function.
                let p = id(2)?;
                let cached = if tag == b'@' { self.promise_nodes.get(&p) } else { self.server_ref_nodes.get(&p) };
                if let Some(&node) = cached {
                    bl.shared = true;
                    Value::Node(node)
                } else {
                    let node = if tag == b'@' {
                        let node = bl.g.add(Node::Promise(PromiseState::Pending));
                        self.promises.push((node, p));
                        self.promise_nodes.insert(p, node);
                        node
                    } else {
                        let node = bl
                            .g
                            .add(Node::ServerReference(Box::new(ServerReference { id: JsString::new(), bound: None })));
                        self.server_refs.push((node, p));
                        self.server_ref_nodes.insert(p, node);
                        node
                    };
                    self.enqueue(p);
                    Value::Node(node)
                }
            }
            b'Q' | b'W' | b'i' => {
                let p = id(2)?;
                let (node, kind) = match tag {
                    b'Q' => (Node::Map(Vec::new()), InitKind::Map),
                    b'W' => (Node::Set(Vec::new()), InitKind::Set),
                    _ => (Node::Iterator(Vec::new()), InitKind::Iterator),
                };
                // A part backs one Map, Set or iterator (React 19.3.1 marks
                // its array consumed): a second use fails here, before the
                // part is parsed.
                if !self.consumed_inits.insert(p) {
                    return Err(ErrorKind::AlreadyInitialized { what: kind.name(), id: p }.into());
                }
                let node = bl.g.add(node);
                self.inits.push((node, p));
                if self.queued.insert(p) {
                    self.later.push(p);
                }
                Value::Node(node)
            }
            b'K' => {
                let p = id(2)?;
                if !self.consumed_forms.insert(p) {
                    return Err(ErrorKind::AlreadyInitialized { what: "FormData", id: p }.into());
                }
                let entries = self.backing.form.remove(&p).unwrap_or_default();
                bl.g.add_value(Node::FormData(entries))
            }
            b'B' => {
                let p = id(2)?;
                if let Some(&node) = self.blobs.get(&p) {
                    bl.shared = true;
                    Value::Node(node)
                } else {
                    let blob = match self.backing.parts.get(&p) {
                        Some(PartEntry::Blob(b)) => (**b).clone(),
                        Some(PartEntry::Text(_)) => {
                            return Err(ErrorKind::PartType { id: p, expected: "a Blob" }.into())
                        }
                        None => return Err(ErrorKind::MissingPart { id: p }.into()),
                    };
                    bl.charge(1 + blob.bytes.len() as u64)?;
                    let node = bl.g.add(Node::Blob(Box::new(blob)));
                    self.blobs.insert(p, node);
                    Value::Node(node)
                }
            }
            b'A' | b'O' | b'o' | b'U' | b'S' | b's' | b'L' | b'l' | b'G' | b'g' | b'M' | b'm' | b'V' => {
                let p = id(2)?;
                if !self.consumed_binary.insert(p) {
                    return Err(ErrorKind::AlreadyInitialized { what: "typed array", id: p }.into());
                }
                let bytes = match self.backing.parts.get(&p) {
                    Some(PartEntry::Blob(b)) => b.bytes.clone(),
                    Some(PartEntry::Text(_)) => return Err(ErrorKind::PartType { id: p, expected: "a Blob" }.into()),
                    None => return Err(ErrorKind::MissingPart { id: p }.into()),
                };
                bl.charge(1 + bytes.len() as u64)?;
                if tag == b'A' {
                    bl.g.add_value(Node::ArrayBuffer(Box::new(bytes)))
                } else {
                    let kind = TypedArrayKind::from_tag(tag).ok_or_else(unknown)?;
                    if bytes.len() % kind.element_size() != 0 {
                        return Err(ErrorKind::MisalignedTypedArray { kind: kind.name(), len: bytes.len() }.into());
                    }
                    bl.g.add_value(Node::TypedArray { kind, bytes: Box::new(bytes) })
                }
            }
            b'R' | b'r' | b'X' | b'x' => {
                let p = id(2)?;
                if !self.consumed_streams.insert(p) {
                    return Err(ErrorKind::AlreadyInitialized { what: "stream", id: p }.into());
                }
                let kind = match tag {
                    b'R' => StreamKind::Readable,
                    b'r' => StreamKind::Bytes,
                    b'X' => StreamKind::AsyncIterable,
                    _ => StreamKind::AsyncIterator,
                };
                let node = bl.g.add(Node::Stream(Box::new(Stream { kind, items: Vec::new(), end: StreamEnd::Open })));
                if kind == StreamKind::Bytes {
                    self.byte_streams.push((node, p));
                }
                self.work.push(Work::Stream(node, p));
                Value::Node(node)
            }
            b'T' if b.len() == 2 => {
                if !self.opts.temporary_references {
                    return Err(ErrorKind::TemporaryReferencesDisabled.into());
                }
                let path = pos.temp_path()?;
                // Each keeps the text of its path, which can be as long as
                // the keys around it: the texts are limited to 16 bytes per
                // body byte plus 1 MiB (`$T`s under one long key were
                // quadratic: 200 kB took 2 GB). React's paths are strings
                // that share their prefix; its body for 1,000 `$T`s under a
                // 100-byte key (5 kB) needs 106 kB of paths.
                self.temp_path_bytes = self.temp_path_bytes.saturating_add(path.len());
                let max = self.backing.total_bytes.saturating_mul(16).saturating_add(1 << 20);
                if self.temp_path_bytes > max {
                    return Err(ErrorKind::LimitExceeded { limit: LimitKind::LogicalSize, max: max as u64 }.into());
                }
                bl.g.add_value(Node::TemporaryReference(path))
            }
            _ => match crate::model::scalar_tag(&bl.limits, b) {
                Some(v) => v?,
                None => return Err(unknown()),
            },
        };
        Ok(Parsed::Value(v))
    }
}
