//! The model layer shared by both directions: JSON text → graph nodes, with
//! references resolved afterwards.
//!
//! A [`Builder`] parses JSON straight into graph nodes. What a `$`-string
//! means is the direction's business ([`Tags`]); the builder leaves a *hole*
//! for every reference to another part or row, and [`Builder::resolve_holes`]
//! fills them by walking paths: resumable walks on an explicit stack, so
//! chains and cycles cost linear time and nothing recurses.

use std::collections::HashMap;

use bytes::Bytes;

use crate::error::{excerpt, Error, ErrorKind, Result};
use crate::json::{Reader, Token};
use crate::limits::{LimitKind, Limits};
use crate::swar::load8;
use crate::value::node_map::{NodeMap, NodeSet};
use crate::value::{BigInt, Date, Graph, JsString, Node, NodeId, NodeRef, PromiseState, StreamEnd, Value};

/// Where a resolved value goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Slot {
    /// The root value of a part.
    Root(u32),
    /// Item `idx` of an array, object (value of pair `idx`) or stream.
    Item(NodeId, u32),
    /// The return value of a closed stream.
    StreamReturn(NodeId),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum HoleState {
    Pending,
    Waiting,
    Done,
    Dead,
}

/// An unresolved reference `$<part>:<seg>:<seg>…`: 16 bytes (a test
/// checks), as a stream of tiny rows can be mostly references. A reference
/// with a path keeps its text in [`Builder::hole_texts`]; one without keeps
/// none (its text is its part in canonical hex, the only form ids are read
/// in).
struct Hole {
    /// The part the reference starts at.
    part: u32,
    /// Its [`Slot`]'s two numbers, and which kind of slot it is.
    slot: (u32, u32),
    slot_kind: u8,
    /// The slot is an object value under the key `then`.
    under_then: bool,
    state: HoleState,
}

impl Hole {
    /// A pending hole for a reference to `part`, at `slot`.
    fn new(part: u32, slot: Slot, under_then: bool) -> Self {
        let mut hole = Hole { part, slot: (0, 0), slot_kind: 0, under_then, state: HoleState::Pending };
        hole.set_slot(slot);
        hole
    }

    /// Whether it is still to be resolved (pending, or being resolved).
    fn is_open(&self) -> bool {
        matches!(self.state, HoleState::Pending | HoleState::Waiting)
    }

    fn slot(&self) -> Slot {
        match self.slot_kind {
            0 => Slot::Root(self.slot.0),
            1 => Slot::Item(NodeId(self.slot.0), self.slot.1),
            _ => Slot::StreamReturn(NodeId(self.slot.0)),
        }
    }

    fn set_slot(&mut self, slot: Slot) {
        (self.slot, self.slot_kind) = match slot {
            Slot::Root(p) => ((p, 0), 0),
            Slot::Item(node, i) => ((node.0, i), 1),
            Slot::StreamReturn(node) => ((node.0, 0), 2),
        };
    }
}

/// Where the first path segment of reference text `t` starts: past the end
/// (`len + 1`) when there is none. A segment runs to the next `:` or the end.
fn first_segment(t: &[u8]) -> usize {
    t.iter().position(|&c| c == b':').map_or(t.len() + 1, |head| head + 1)
}

/// Which slots hold unresolved holes (by index in [`Builder::holes`]).
/// Only the roots of parts are looked up for every reference; slots inside
/// containers are looked up only by path walks and by objects with a key
/// resolved to `undefined`, so their table is built the first time one is
/// asked for (from the holes still open) and kept from then on.
#[derive(Default)]
struct HoleIndex {
    roots: crate::id_map::IdMap<u32>,
    items: Option<ItemHoles>,
}

/// The open holes inside containers, by slot: a sorted table (12 bytes a
/// hole: a walk through a stream of path references builds it over all of
/// them), and a map of the holes made or moved since, merged into the table
/// once it holds more than a quarter as many. Entries stay in the table when
/// their holes are resolved or move: a lookup takes only an open hole that
/// is still at the slot looked up.
#[derive(Default)]
struct ItemHoles {
    sorted: Vec<(u32, u32, u32)>,
    recent: HashMap<Slot, u32>,
}

/// The table key of a slot inside a container (two slots may share one: the
/// hole found says which slot it is at).
fn item_key(slot: Slot) -> (u32, u32) {
    match slot {
        Slot::Root(p) => (u32::MAX, p),
        Slot::Item(node, i) => (node.0, i),
        Slot::StreamReturn(node) => (node.0, u32::MAX),
    }
}

/// Whether hole `h` is open and at `slot`.
fn open_at(holes: &[Hole], h: u32, slot: Slot) -> bool {
    holes.get(h as usize).is_some_and(|hole| hole.is_open() && hole.slot() == slot)
}

impl ItemHoles {
    /// The table of the open holes among `holes`.
    fn build(holes: &[Hole]) -> Self {
        let open = |h: &Hole| h.is_open() && !matches!(h.slot(), Slot::Root(_));
        let mut sorted = Vec::with_capacity(holes.iter().filter(|h| open(h)).count());
        for (i, h) in holes.iter().enumerate().filter(|(_, h)| open(h)) {
            let (a, b) = item_key(h.slot());
            sorted.push((a, b, i as u32));
        }
        sorted.sort_unstable();
        ItemHoles { sorted, recent: HashMap::new() }
    }

    fn insert(&mut self, slot: Slot, h: u32, holes: &[Hole]) {
        self.recent.insert(slot, h);
        if self.recent.len() > self.sorted.len() / 4 + 1024 {
            // Merged, dropping what is no longer open where it was.
            self.sorted.retain(|&(a, b, h)| {
                holes.get(h as usize).is_some_and(|hole| hole.is_open() && item_key(hole.slot()) == (a, b))
            });
            for (slot, h) in self.recent.drain() {
                let (a, b) = item_key(slot);
                self.sorted.push((a, b, h));
            }
            self.sorted.sort_unstable();
        }
    }

    fn get(&self, slot: Slot, holes: &[Hole]) -> Option<u32> {
        if let Some(&h) = self.recent.get(&slot) {
            if open_at(holes, h, slot) {
                return Some(h);
            }
        }
        let (a, b) = item_key(slot);
        let from = self.sorted.partition_point(|&(x, y, _)| (x, y) < (a, b));
        self.sorted[from..]
            .iter()
            .take_while(|&&(x, y, _)| (x, y) == (a, b))
            .map(|&(_, _, h)| h)
            .find(|&h| open_at(holes, h, slot))
    }
}

impl HoleIndex {
    fn insert(&mut self, slot: Slot, h: usize, holes: &[Hole]) {
        match (slot, &mut self.items) {
            (Slot::Root(p), _) => {
                self.roots.insert(p, h as u32);
            }
            (_, Some(items)) => items.insert(slot, h as u32, holes),
            (_, None) => {}
        }
    }

    fn remove(&mut self, slot: &Slot) {
        match (slot, &mut self.items) {
            (Slot::Root(p), _) => {
                self.roots.remove(p);
            }
            (_, Some(items)) => {
                items.recent.remove(slot);
            }
            (_, None) => {}
        }
    }

    /// The open hole at `slot` (a slot inside a container only once the
    /// table is built: see [`Builder::index_item_holes`]).
    fn get(&self, slot: &Slot, holes: &[Hole]) -> Option<usize> {
        match slot {
            Slot::Root(p) => self.roots.get(p).copied(),
            _ => self.items.as_ref()?.get(*slot, holes),
        }
        .map(|h| h as usize)
    }

    fn contains_key(&self, slot: &Slot, holes: &[Hole]) -> bool {
        self.get(slot, holes).is_some()
    }
}

/// An open container. Its children live on shared scratch stacks from
/// `start` on: the values of arrays and objects alike on `vals`, objects'
/// keys on `keys` (from `keys_start`) and their holes on `obj_holes`; a
/// closed container moves them into the graph's pools.
pub(crate) enum Frame {
    Array {
        node: NodeId,
        start: usize,
    },
    Object {
        node: NodeId,
        /// Where its values start in the values' stack.
        start: usize,
        /// Where its keys start in the keys' stack.
        keys_start: usize,
        key: Option<JsString>,
        holes_start: usize,
        messy: bool,
        /// The pending key is `then`.
        then: bool,
        /// One bit per key seen (by length and end bytes): a key whose bit
        /// is clear cannot repeat one, and skips the comparison.
        seen: u64,
    },
}

/// The scratch stacks of one `parse_json` call (kept between calls).
#[derive(Default)]
pub(crate) struct Scratch {
    /// The values of open arrays and objects.
    vals: Vec<Value>,
    /// The keys of open objects (as many as their values).
    keys: Vec<JsString>,
    /// Holes inside open objects: (index in the object, hole).
    obj_holes: Vec<(usize, usize)>,
    /// The open containers (a buffer kept between calls: a part or row
    /// costs no allocation for it).
    frames: Vec<Frame>,
}

/// What a tagged string decodes to.
pub(crate) enum Parsed {
    Value(Value),
    /// A reference to resolve later.
    Ref {
        part: u32,
        text: JsString,
        segs: Vec<(u32, u32)>,
    },
}

/// Parses canonical lowercase hex within `u32`.
pub(crate) fn parse_hex(s: &[u8]) -> Option<u32> {
    if s.is_empty() || s.len() > 8 || (s.len() > 1 && s[0] == b'0') {
        return None;
    }
    let mut v: u32 = 0;
    for &c in s {
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => return None,
        };
        v = (v << 4) | d as u32;
    }
    Some(v)
}

pub(crate) fn err_text(s: &JsString) -> String {
    excerpt(s.as_wtf8())
}

/// The JSON reader broke its contract (balanced tokens, one root value).
#[cold]
pub(crate) fn reader_contract() -> Error {
    Error::new(ErrorKind::Internal { what: "unbalanced JSON tokens" })
}

/// Parses a canonical decimal `u32` (no sign, no leading zeros).
pub(crate) fn parse_decimal(s: &[u8]) -> Option<u32> {
    if s.is_empty() || s.len() > 10 || (s.len() > 1 && s[0] == b'0') || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // At most ten digits: no overflow in a u64.
    let v = s.iter().fold(0u64, |v, &c| v * 10 + u64::from(c - b'0'));
    u32::try_from(v).ok()
}

/// The scalar tags both directions share: `$D` dates, `$n` bigints, and the
/// exact `$undefined`, `$NaN`, `$Infinity`, `$-Infinity`, `$-0`. `None` for
/// any other string.
pub(crate) fn scalar_tag(limits: &Limits, b: &[u8]) -> Option<Result<Value>> {
    Some(match b.get(1)? {
        // React's server writes an invalid date as `"$D" + date.toJSON()`: `$Dnull`.
        b'D' if &b[2..] == b"null" => Ok(Value::Date(Date::invalid())),
        b'D' => Date::parse_iso_bytes(&b[2..]).map(Value::Date).ok_or_else(|| ErrorKind::InvalidDate.into()),
        b'n' => {
            let digits = &b[2..];
            if digits.len() > limits.max_bigint_digits {
                Err(ErrorKind::LimitExceeded { limit: LimitKind::BigIntDigits, max: limits.max_bigint_digits as u64 }
                    .into())
            } else {
                BigInt::parse_bytes(digits).map(Value::BigInt).ok_or_else(|| ErrorKind::InvalidBigInt.into())
            }
        }
        // Dispatched on the length, then one or two words compared whole
        // (the first eight bytes, zero-padded past the end).
        _ => Ok(match b.len() {
            3 if load8(b, 0) == load8(b"$-0", 0) => Value::Number(-0.0),
            4 if load8(b, 0) == load8(b"$NaN", 0) => Value::Number(f64::NAN),
            9 if load8(b, 0) == load8(b"$Infinit", 0) && b[8] == b'y' => Value::Number(f64::INFINITY),
            10 if load8(b, 0) == load8(b"$undefin", 0) && b[8..] == *b"ed" => Value::Undefined,
            10 if load8(b, 0) == load8(b"$-Infini", 0) && b[8..] == *b"ty" => Value::Number(f64::NEG_INFINITY),
            _ => return None,
        }),
    })
}

/// Whether an object's pairs are already as `close_object` would leave
/// them: no `__proto__` or array-index key (nothing is dropped or moved), no
/// repeated key, no `undefined` value but the `holes` placeholders of its
/// references (which stay where they are). For objects marked messy only by
/// their size: repeated keys are found by sorting them (short keys as one
/// word each, longer ones as text), O(n log n) whatever the keys, and a
/// third of what hashing each key cost. (Kept out of the parser's loop:
/// only objects of more than 64 keys come here.)
#[cold]
#[inline(never)]
fn plain_pairs(keys: &[JsString], values: &[Value], holes: usize) -> bool {
    let undefined = values.iter().filter(|v| matches!(v, Value::Undefined)).count();
    if undefined != holes || keys.iter().any(|k| k.first_byte().is_some_and(|b| b.is_ascii_digit())) {
        return false;
    }
    let mut short = Vec::with_capacity(keys.len());
    let mut long = Vec::new();
    for k in keys {
        match k.inline_word() {
            Some(w) => short.push(w),
            None => long.push(k.as_wtf8()),
        }
    }
    short.sort_unstable();
    long.sort_unstable();
    let proto = JsString::from_static("__proto__").inline_word();
    !short.windows(2).any(|w| w[0] == w[1])
        && !long.windows(2).any(|w| w[0] == w[1])
        && proto.is_none_or(|p| short.binary_search(&p).is_err())
}

/// Stream chunk `chunk`'s range of holes in `by_chunk` (a slot per chunk,
/// added as chunks come; out of the parser's loop, as responses' streams
/// are rare).
#[cold]
#[inline(never)]
fn chunk_holes(by_chunk: &mut Vec<(u32, u32)>, chunk: u32) -> &mut (u32, u32) {
    let i = chunk as usize;
    if i >= by_chunk.len() {
        crate::id_map::reserve_one(by_chunk);
        by_chunk.resize(i + 1, (0, 0));
    }
    &mut by_chunk[i]
}

/// A key's bit in an object's `seen` mask: equal keys get equal bits.
#[inline(always)]
fn key_bit(b: &[u8]) -> u64 {
    let (first, last) = match b {
        [] => (0, 0),
        [f, .., l] => (*f, *l),
        [f] => (*f, *f),
    };
    let h = (b.len() as u32).wrapping_mul(0x9e37_79b9) ^ u32::from(first).wrapping_mul(0x85eb_ca6b) ^ u32::from(last);
    1u64 << (h.wrapping_mul(0x2545_f491) >> 26)
}

/// Splits reference text `<hex>[:seg…]` (after the tag) into the end of the
/// id and the byte ranges of the path segments.
pub(crate) fn split_path(t: &[u8], max_segments: usize) -> Result<(usize, Vec<(u32, u32)>)> {
    let mut segs = Vec::new();
    let mut start = 0usize;
    let mut head = None;
    for (i, &c) in t.iter().enumerate() {
        if c == b':' {
            if head.is_none() {
                head = Some(i);
            } else {
                segs.push((start as u32, i as u32));
            }
            start = i + 1;
            if segs.len() >= max_segments {
                return Err(
                    ErrorKind::LimitExceeded { limit: LimitKind::PathSegments, max: max_segments as u64 }.into()
                );
            }
        }
    }
    let head_end = match head {
        Some(h) => {
            segs.push((start as u32, t.len() as u32));
            h
        }
        None => t.len(),
    };
    Ok((head_end, segs))
}

/// Plain JSON: `$`-strings are just strings (import and error rows).
pub(crate) struct PlainJson;

impl Tags for PlainJson {
    fn tagged(&mut self, _b: &mut Builder, s: JsString, _pos: &Pos<'_>) -> Result<Parsed> {
        Ok(Parsed::Value(Value::String(s)))
    }
}

/// Pushes `item` onto a scratch stack, grown as the decode's tables are
/// (`id_map::growth`) rather than doubled: a large container's items are
/// handed over in its buffer, and a stream can be one array of tiny items.
#[inline(always)]
fn push_grown<T>(v: &mut Vec<T>, item: T) {
    if v.len() == v.capacity() {
        grow(v);
    }
    v.push(item);
}

/// Grows a full scratch stack (out of line: the pushes are the hot path).
#[cold]
#[inline(never)]
fn grow<T>(v: &mut Vec<T>) {
    crate::id_map::reserve_one(v);
}

/// What a Map, Set or iterator placeholder is built as.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum InitKind {
    Map,
    Set,
    Iterator,
}

impl InitKind {
    /// The name React's "Already initialized …" message uses.
    pub(crate) fn name(self) -> &'static str {
        match self {
            InitKind::Map => "Map",
            InitKind::Set => "Set",
            InitKind::Iterator => "Iterator",
        }
    }
}

/// Where a `$`-string stands, for the direction's tag parser.
pub(crate) struct Pos<'a> {
    stack: &'a [Frame],
    sc: &'a Scratch,
    /// The part or row being parsed (`None` for stream rows, which have no path).
    pub(crate) part: Option<u32>,
    /// The row being parsed, stream rows included ([`Builder::row`]).
    pub(crate) row: u32,
    /// The stream chunk being parsed ([`Builder::item`]).
    pub(crate) item: Option<u32>,
}

impl Frame {
    /// Where its values start on the values' stack (arrays and objects
    /// alike keep them there).
    fn vals_start(&self) -> usize {
        match self {
            Frame::Array { start, .. } | Frame::Object { start, .. } => *start,
        }
    }
}

impl Pos<'_> {
    /// The number of values frame `i` of the stack holds so far: up to where
    /// the next open container's start (the values of arrays and objects
    /// share one stack), or all of the stack's for the innermost.
    fn values_so_far(&self, i: usize) -> usize {
        let end = self.stack.get(i + 1).map_or(self.sc.vals.len(), Frame::vals_start);
        end - self.stack[i].vals_start()
    }

    /// The innermost open array whose first item is `first` (the response's
    /// element tuples start with the element marker).
    pub(crate) fn innermost_array_starting_with(&self, first: NodeId) -> Option<NodeId> {
        self.stack.iter().enumerate().rev().find_map(|(i, f)| match f {
            // (An array without items yet has none: the values past its
            // start are a nested container's.)
            Frame::Array { node, start } if self.values_so_far(i) > 0 => {
                (self.sc.vals.get(*start).and_then(Value::as_node) == Some(first)).then_some(*node)
            }
            _ => None,
        })
    }

    /// The temporary-reference path of the position being parsed.
    pub(crate) fn temp_path(&self) -> Result<JsString> {
        let (stack, part) = (self.stack, self.part);
        let part = part.ok_or(ErrorKind::TemporaryReferenceWithoutPath)?;
        // Sized exactly first: a path is kept as it is built (many of them
        // can be most of what a decode holds), with no room to spare.
        let part = format!("{part:x}");
        let len = part.len()
            + stack
                .iter()
                .enumerate()
                .map(|(i, f)| match f {
                    Frame::Array { .. } => 1 + self.values_so_far(i).checked_ilog10().map_or(1, |d| d as usize + 1),
                    Frame::Object { key, .. } => 1 + key.as_ref().map_or(0, |k| k.as_wtf8().len()),
                })
                .sum::<usize>();
        let mut path = Vec::with_capacity(len);
        path.extend_from_slice(part.as_bytes());
        for (i, f) in stack.iter().enumerate() {
            path.push(b':');
            match f {
                Frame::Array { .. } => path.extend_from_slice(self.values_so_far(i).to_string().as_bytes()),
                Frame::Object { key, .. } => {
                    let k = key.as_ref().map(|k| k.as_wtf8()).unwrap_or_default();
                    if k.contains(&b':') {
                        return Err(ErrorKind::TemporaryReferenceWithoutPath.into());
                    }
                    path.extend_from_slice(k);
                }
            }
        }
        debug_assert_eq!(path.len(), len);
        Ok(JsString::from_wtf8_vec(path))
    }
}

/// What `$`-strings mean: the reply and the response each implement it.
pub(crate) trait Tags {
    /// Decodes a string that starts with `$`.
    fn tagged(&mut self, b: &mut Builder, s: JsString, pos: &Pos<'_>) -> Result<Parsed>;

    /// Called when an array closes (the response turns `["$", …]` into an element).
    fn array_closed(&mut self, _b: &mut Builder, _node: NodeId) -> Result<()> {
        Ok(())
    }
}

/// The graph under construction, with its unresolved references.
pub(crate) struct Builder {
    pub(crate) g: Graph,
    /// The value of each part (or row) parsed so far.
    pub(crate) roots: crate::id_map::IdMap<Value>,
    holes: Vec<Hole>,
    /// The texts of the references with a path, by hole, in hole order.
    hole_texts: Vec<JsString>,
    /// The hole each of `hole_texts` is for (apart: 20 bytes a text, not 24).
    text_holes: Vec<u32>,
    hole_at: HoleIndex,
    /// Holes by where they were written, for resolving a row at a time.
    /// (A row's holes are made while it is parsed: a contiguous range.)
    holes_by_row: crate::id_map::IdMap<(u32, u32)>,
    /// Stream chunks' holes, by chunk: a response numbers its streams'
    /// chunks densely, across streams, as they are parsed, so this is a
    /// slot per chunk (an empty range, `(0, 0)`, for none).
    holes_by_chunk: Vec<(u32, u32)>,
    /// Objects with a key whose reference resolved to `undefined` (React
    /// deletes such keys), waiting for their other references: the first
    /// slot that may still wait for one (slots before it wait for none, and
    /// no hole opens in an object once its row is parsed).
    undefined_next: HashMap<NodeId, u32>,
    /// Those of them a reference into resolved since they were last looked
    /// at (each object once per resolution at most, so the looks are linear).
    undefined_queue: Vec<NodeId>,
    key_index: HashMap<NodeId, HashMap<JsString, u32>>,
    /// Something is reached twice (a reference, a reused blob or promise):
    /// the logical size must be measured on the graph.
    pub(crate) shared: bool,
    /// Logical size charged so far (the whole size when nothing is shared).
    logical: u64,
    /// Items copied by initializers so far, from arrays an initializer had
    /// used before (see `fill_initializers`).
    copies: u64,
    /// The arrays initializers have used.
    initialized: NodeSet,
    scratch: Scratch,
    pub(crate) limits: Limits,
    /// The row being parsed (set by the direction before each parse).
    pub(crate) row: u32,
    /// The stream chunk being parsed, if it is one: its number across all
    /// streams (dense, in the order parsed; a response's own numbering).
    pub(crate) item: Option<u32>,
    /// Parts whose value is an error (responses): a reference into one is that error.
    pub(crate) failed: crate::id_map::IdSet,
    /// The JSON texts parsed are known to be UTF-8 (reply parts): strings
    /// are not checked again.
    pub(crate) utf8_input: bool,
    /// The response's element marker: arrays starting with it are element
    /// tuples, whose `type`, `key` and `props` paths address items 1 to 3.
    pub(crate) element_marker: Option<NodeId>,
}

impl Builder {
    pub(crate) fn new(limits: Limits) -> Self {
        Builder {
            g: Graph::new(),
            roots: Default::default(),
            holes: Vec::new(),
            hole_texts: Vec::new(),
            text_holes: Vec::new(),
            hole_at: HoleIndex::default(),
            holes_by_row: Default::default(),
            holes_by_chunk: Vec::new(),
            undefined_next: HashMap::new(),
            undefined_queue: Vec::new(),
            key_index: HashMap::new(),
            shared: false,
            logical: 0,
            copies: 0,
            initialized: NodeSet::default(),
            scratch: Scratch::default(),
            limits,
            row: 0,
            item: None,
            failed: Default::default(),
            utf8_input: false,
            element_marker: None,
        }
    }

    /// Parses one JSON text into the graph. Returns the root value, or
    /// `None` when the root is a hole (registered at `slot`).
    pub(crate) fn parse_json(
        &mut self,
        text: &Bytes,
        slot: Slot,
        part: Option<u32>,
        tags: &mut dyn Tags,
    ) -> Result<Option<Value>> {
        let mut sc = std::mem::take(&mut self.scratch);
        sc.vals.clear();
        sc.keys.clear();
        sc.obj_holes.clear();
        if sc.keys.capacity() == 0 {
            // Room for a small object at once, rather than growing to it.
            sc.keys.reserve_exact(8);
            sc.vals.reserve_exact(8);
        }
        let r = self.parse_json_with(text, slot, part, &mut sc, tags);
        self.scratch = sc;
        r
    }

    fn parse_json_with(
        &mut self,
        text: &Bytes,
        slot: Slot,
        part: Option<u32>,
        sc: &mut Scratch,
        tags: &mut dyn Tags,
    ) -> Result<Option<Value>> {
        // Strings without escapes come as byte ranges: a tagged one is read
        // from its bytes, and only the others become `JsString`s.
        let mut reader = Reader::with_max_depth(text, self.limits.max_depth).lazy_strings();
        // One SIMD check of the whole text is faster than checking each
        // string; text that fails it is read with per-string checks, which
        // give the error its position.
        if self.utf8_input || text.is_ascii() || crate::utf8::validate(text).is_ok() {
            reader = reader.assume_utf8();
        }
        // (Given back when the text is done; an error drops it.)
        let mut stack = std::mem::take(&mut sc.frames);
        stack.clear();
        loop {
            let tok = match reader.next_inline() {
                Ok(Some(t)) => t,
                Ok(None) => return Err(reader_contract()),
                Err(e) => {
                    if matches!(e.kind, crate::json::JsonErrorKind::DepthLimit { .. }) {
                        return Err(Error::new(ErrorKind::LimitExceeded {
                            limit: LimitKind::Depth,
                            max: self.limits.max_depth as u64,
                        })
                        .at_byte(reader.offset()));
                    }
                    let at = e.offset;
                    return Err(Error::new(ErrorKind::Json(e)).at_byte(at));
                }
            };
            let produced = match tok {
                Token::BeginArray => {
                    let node = self.g.add_empty_array();
                    stack.push(Frame::Array { node, start: sc.vals.len() });
                    continue;
                }
                Token::BeginObject => {
                    let node = self.g.add_empty_object();
                    stack.push(Frame::Object {
                        node,
                        start: sc.vals.len(),
                        keys_start: sc.keys.len(),
                        key: None,
                        holes_start: sc.obj_holes.len(),
                        messy: false,
                        then: false,
                        seen: 0,
                    });
                    continue;
                }
                Token::Key(k) => {
                    let k = match reader.take_raw() {
                        Some((from, to)) => reader.slice_raw(from, to),
                        None => k,
                    };
                    if let Some(Frame::Object { key, messy, keys_start, then, seen, .. }) = stack.last_mut() {
                        let b = k.as_wtf8();
                        *then = b.len() == 4 && b == b"then";
                        // Objects that may need reordering or deduplication take the slow path.
                        if !*messy {
                            let bit = key_bit(b);
                            let keys = &sc.keys[*keys_start..];
                            if b.first().is_some_and(u8::is_ascii_digit)
                                || (b.len() == 9 && b == b"__proto__")
                                || keys.len() >= 16
                                || (*seen & bit != 0 && keys.contains(&k))
                            {
                                *messy = true;
                            }
                            *seen |= bit;
                        }
                        *key = Some(k);
                    }
                    continue;
                }
                Token::EndArray => {
                    let Some(Frame::Array { node, start }) = stack.pop() else {
                        return Err(reader_contract());
                    };
                    self.charge(1 + sc.vals.len().saturating_sub(start) as u64)?;
                    self.g.fill_array(node, &mut sc.vals, start);
                    tags.array_closed(self, node)?;
                    Parsed::Value(Value::Node(node))
                }
                Token::EndObject => {
                    let Some(Frame::Object { node, start, keys_start, holes_start, messy, .. }) = stack.pop() else {
                        return Err(reader_contract());
                    };
                    self.charge(1 + sc.keys[keys_start..].iter().map(|k| 1 + k.len() as u64).sum::<u64>())?;
                    let holes = sc.obj_holes.len() - holes_start;
                    if !messy || plain_pairs(&sc.keys[keys_start..], &sc.vals[start..], holes) {
                        sc.obj_holes.truncate(holes_start);
                        self.g.fill_object(node, (&mut sc.keys, keys_start), (&mut sc.vals, start));
                    } else {
                        self.close_object(
                            node,
                            (&mut sc.keys, keys_start),
                            (&mut sc.vals, start),
                            &sc.obj_holes[holes_start..],
                        );
                        sc.obj_holes.truncate(holes_start);
                    }
                    Parsed::Value(Value::Node(node))
                }
                Token::String(s) => {
                    let raw = reader.take_raw();
                    let bytes = match raw {
                        Some((from, to)) => &text[from..to],
                        None => s.as_wtf8(),
                    };
                    self.charge(bytes.len() as u64)?;
                    if bytes.first() == Some(&b'$') {
                        // A bigint in canonical form (as React writes them)
                        // is its text: shared, not copied.
                        let shared_bigint = match (bytes.get(1), raw) {
                            (Some(b'n'), Some((from, to)))
                                if bytes.len() - 2 <= self.limits.max_bigint_digits
                                    && BigInt::is_canonical(&bytes[2..]) =>
                            {
                                Some((from + 2, to))
                            }
                            _ => None,
                        };
                        if let Some((from, to)) = shared_bigint {
                            Parsed::Value(Value::BigInt(BigInt::from_canonical(reader.slice_raw(from, to))))
                        } else {
                            // Dates, bigints and the number and `undefined` words
                            // mean the same in both directions: read from the bytes.
                            match scalar_tag(&self.limits, bytes) {
                                Some(v) => Parsed::Value(v?),
                                None => {
                                    let s = match raw {
                                        Some((from, to)) => reader.slice_raw(from, to),
                                        None => s,
                                    };
                                    tags.tagged(
                                        self,
                                        s,
                                        &Pos { stack: &stack, sc, part, row: self.row, item: self.item },
                                    )?
                                }
                            }
                        }
                    } else {
                        Parsed::Value(Value::String(match raw {
                            Some((from, to)) => reader.slice_raw(from, to),
                            None => s,
                        }))
                    }
                }
                Token::Number(n) => Parsed::Value(Value::Number(n)),
                Token::Bool(b) => Parsed::Value(Value::Bool(b)),
                Token::Null => Parsed::Value(Value::Null),
            };
            // Place the value.
            match stack.last_mut() {
                None => {
                    if reader.next().map_err(|e| Error::new(ErrorKind::Json(e)))?.is_some() {
                        return Err(reader_contract());
                    }
                    sc.frames = stack;
                    return Ok(match produced {
                        Parsed::Value(v) => Some(v),
                        Parsed::Ref { part, text, segs } => {
                            self.add_hole(part, text, segs, slot, false);
                            None
                        }
                    });
                }
                Some(Frame::Array { node, start }) => {
                    let at = Slot::Item(*node, (sc.vals.len() - *start) as u32);
                    match produced {
                        Parsed::Value(v) => push_grown(&mut sc.vals, v),
                        Parsed::Ref { part, text, segs } => {
                            push_grown(&mut sc.vals, Value::Undefined);
                            self.add_hole(part, text, segs, at, false);
                        }
                    }
                }
                Some(Frame::Object { node, start, key, messy, then, .. }) => {
                    let k = key.take().unwrap_or_default();
                    if matches!(produced, Parsed::Value(Value::Undefined)) {
                        *messy = true;
                    }
                    let idx = sc.vals.len() - *start;
                    let under_then = std::mem::take(then);
                    match produced {
                        Parsed::Value(v) => {
                            let v = match v {
                                Value::Node(id)
                                    if under_then && matches!(self.g.view(id), NodeRef::ServerReference(_)) =>
                                {
                                    Value::Null
                                }
                                v => v,
                            };
                            push_grown(&mut sc.keys, k);
                            push_grown(&mut sc.vals, v);
                        }
                        Parsed::Ref { part, text, segs } => {
                            push_grown(&mut sc.keys, k);
                            push_grown(&mut sc.vals, Value::Undefined);
                            let h = self.add_hole(part, text, segs, Slot::Item(*node, idx as u32), under_then);
                            sc.obj_holes.push((idx, h));
                        }
                    }
                }
            }
        }
    }

    /// Leaves a hole for the reference `text` (to `part`, through the path
    /// segments `segs`: both read again from `text` when it is resolved).
    pub(crate) fn add_hole(
        &mut self,
        part: u32,
        text: JsString,
        segs: Vec<(u32, u32)>,
        slot: Slot,
        under_then: bool,
    ) -> usize {
        let h = self.holes.len();
        let origin = (self.row, self.item);
        // One hole per reference, and references can be most of a body.
        crate::id_map::reserve_one(&mut self.holes);
        debug_assert!(segs.len() == text.as_wtf8().iter().filter(|&&c| c == b':').count());
        if segs.is_empty() {
            debug_assert!(text.as_wtf8() == format!("{part:x}").as_bytes(), "ids are canonical hex");
        } else {
            // In hole order, so found by binary search.
            crate::id_map::reserve_one(&mut self.hole_texts);
            crate::id_map::reserve_one(&mut self.text_holes);
            self.hole_texts.push(text);
            self.text_holes.push(h as u32);
        }
        self.holes.push(Hole::new(part, slot, under_then));
        let h32 = h as u32;
        let range = match origin.1 {
            None => self.holes_by_row.get_or_default(origin.0),
            Some(chunk) => chunk_holes(&mut self.holes_by_chunk, chunk),
        };
        if range.1 == range.0 {
            range.0 = h32;
        }
        range.1 = h32 + 1;
        self.hole_at.insert(slot, h, &self.holes);
        self.shared = true;
        h
    }

    /// Stores an object's pairs in JavaScript property order: array-index keys
    /// first, ascending; a repeated key keeps its first position and its last
    /// value; `__proto__` keys and `undefined` values are dropped (React
    /// deletes them).
    fn close_object(
        &mut self,
        node: NodeId,
        (keys_vec, keys_start): (&mut Vec<JsString>, usize),
        (vals_vec, vals_start): (&mut Vec<Value>, usize),
        holes: &[(usize, usize)],
    ) {
        // (The holes are in the order of their pairs.)
        let hole_of = |i: usize| holes.binary_search_by_key(&i, |&(at, _)| at).ok().map(|j| holes[j].1);
        // The pairs are worked on where the parse left them, and go into
        // the graph from there: no copy of them.
        let (keys, vals) = (&mut keys_vec[keys_start..], &mut vals_vec[vals_start..]);
        let n = keys.len();
        // Repeated keys are found by sorting the pairs' positions by key
        // (stably: a key's positions stay in order), with no table of keys:
        // 4 bytes a pair. The first position of each key keeps it, with the
        // value of the last (last value wins, first position kept); the
        // holes of the others die, as do those under `__proto__` (dropped).
        let mut by_key: Vec<u32> = (0..n as u32).collect();
        by_key.sort_by(|&a, &b| keys[a as usize].as_wtf8().cmp(keys[b as usize].as_wtf8()));
        let mut winner: Vec<u32> = vec![u32::MAX; n];
        let mut dead = Vec::new();
        for group in by_key.chunk_by(|&a, &b| keys[a as usize] == keys[b as usize]) {
            let (first, last) = (group[0], group[group.len() - 1]);
            let proto = keys[first as usize] == "__proto__";
            dead.extend(group.iter().filter(|&&i| proto || i != last).filter_map(|&i| hole_of(i as usize)));
            if !proto {
                winner[first as usize] = last;
            }
        }
        drop(by_key);
        for h in dead {
            self.kill_hole(h);
        }
        // Kept pairs move to the front in place (a pair's value comes from a
        // position not passed yet); a key whose value is `undefined` without
        // a reference to fill it is dropped.
        let mut kept = 0;
        let mut moved: Vec<(usize, u32)> = Vec::new();
        for i in 0..n {
            let Some(w) = winner.get(i).copied().filter(|&w| w != u32::MAX) else { continue };
            let w = w as usize;
            let hole = hole_of(w);
            let v = std::mem::replace(&mut vals[w], Value::Undefined);
            if hole.is_none() && matches!(v, Value::Undefined) {
                continue;
            }
            let k = std::mem::take(&mut keys[i]);
            keys[kept] = k;
            vals[kept] = v;
            if let Some(h) = hole {
                moved.push((h, kept as u32));
            }
            kept += 1;
        }
        drop(winner);
        keys_vec.truncate(keys_start + kept);
        vals_vec.truncate(vals_start + kept);
        let (keys, vals) = (&mut keys_vec[keys_start..], &mut vals_vec[vals_start..]);
        // Array-index keys first, ascending (stable for the rest): the pairs
        // are permuted in place.
        let index_of = |k: &JsString| -> Option<u32> { parse_decimal(k.as_wtf8()).filter(|&n| n != u32::MAX) };
        if keys.iter().any(|k| index_of(k).is_some()) {
            let mut order: Vec<u32> = (0..kept as u32).collect();
            order.sort_by_key(|&i| match index_of(&keys[i as usize]) {
                Some(n) => (0u8, n),
                None => (1u8, 0),
            });
            let mut new_at = vec![0u32; kept];
            for (to, &from) in order.iter().enumerate() {
                new_at[from as usize] = to as u32;
            }
            drop(order);
            for m in &mut moved {
                m.1 = new_at[m.1 as usize];
            }
            for i in 0..kept {
                while new_at[i] as usize != i {
                    let j = new_at[i] as usize;
                    keys.swap(i, j);
                    vals.swap(i, j);
                    new_at.swap(i, j);
                }
            }
        }
        // The holes move to their members' new places: every old slot is
        // let go before any new one is taken (a hole may move to a slot
        // another has yet to leave).
        for &(h, _) in &moved {
            self.hole_at.remove(&self.holes[h].slot());
        }
        for (h, at) in moved {
            let new = Slot::Item(node, at);
            self.holes[h].set_slot(new);
            self.hole_at.insert(new, h, &self.holes);
        }
        self.g.fill_object(node, (keys_vec, keys_start), (vals_vec, vals_start));
    }

    /// Hole `h`'s reference text after `$` (for error messages).
    fn hole_text(&self, h: usize) -> JsString {
        match self.hole_path(h) {
            Some(text) => text.clone(),
            None => JsString::from(format!("{:x}", self.holes[h].part).as_str()),
        }
    }

    /// Hole `h`'s reference text, if it has a path.
    fn hole_path(&self, h: usize) -> Option<&JsString> {
        let at = self.text_holes.binary_search(&(h as u32)).ok()?;
        self.hole_texts.get(at)
    }

    fn kill_hole(&mut self, h: usize) {
        let slot = self.holes[h].slot();
        self.hole_at.remove(&slot);
        self.holes[h].state = HoleState::Dead;
        if let Slot::Item(node, _) = slot {
            self.look_again(node);
        }
    }

    /// A reference into object `node` resolved: if it waits to drop keys
    /// whose references resolved to `undefined`, it is looked at again.
    fn look_again(&mut self, node: NodeId) {
        if !self.undefined_next.is_empty()
            && self.undefined_queue.last() != Some(&node)
            && self.undefined_next.contains_key(&node)
        {
            self.undefined_queue.push(node);
        }
    }

    pub(crate) fn slot_value(&self, slot: Slot) -> Value {
        match slot {
            Slot::Root(p) => self.roots.get(&p).cloned().unwrap_or(Value::Undefined),
            // Slots are checked, not indexed: a container may have been
            // replaced since (an errored stream drops its chunks).
            Slot::Item(node, i) => match self.g.view(node) {
                NodeRef::Array(v) => v.get(i as usize).cloned(),
                NodeRef::Object(v) => v.value(i as usize).cloned(),
                NodeRef::Stream(s) => s.items.get(i as usize).cloned(),
                // An element tuple already made an element (its row is complete).
                NodeRef::Element(e) => match i {
                    1 => Some(e.element_type.clone()),
                    2 => Some(e.key.clone()),
                    3 => Some(e.props.clone()),
                    _ => None,
                },
                _ => None,
            }
            .unwrap_or(Value::Undefined),
            Slot::StreamReturn(node) => match self.g.view(node) {
                NodeRef::Stream(s) => match &s.end {
                    StreamEnd::Closed(v) => v.clone(),
                    _ => Value::Undefined,
                },
                _ => Value::Undefined,
            },
        }
    }

    pub(crate) fn set_slot(&mut self, slot: Slot, v: Value) {
        match slot {
            Slot::Root(p) => {
                self.roots.insert(p, v);
            }
            Slot::Item(node, i) => {
                let is_undef = matches!(v, Value::Undefined);
                if matches!(self.g.view(node), NodeRef::Array(_)) {
                    if let Some(item) = self.g.items_mut(node).and_then(|items| items.get_mut(i as usize)) {
                        *item = v;
                    }
                } else if let Some(values) = self.g.values_mut(node) {
                    if let Some(value) = values.get_mut(i as usize) {
                        *value = v;
                        if is_undef {
                            self.undefined_next.entry(node).or_insert(0);
                            self.undefined_queue.push(node);
                        } else {
                            self.look_again(node);
                        }
                    }
                } else if let Some(Node::Stream(s)) = self.g.node_mut(node) {
                    if let Some(item) = s.items.get_mut(i as usize) {
                        *item = v;
                    }
                }
            }
            Slot::StreamReturn(node) => {
                // A stream that errored keeps its error.
                if let Some(Node::Stream(s)) = self.g.node_mut(node) {
                    if matches!(s.end, StreamEnd::Closed(_)) {
                        s.end = StreamEnd::Closed(v);
                    }
                }
            }
        }
    }

    /// Builds the table of open holes inside containers, if it is not built.
    fn index_item_holes(&mut self) {
        if self.hole_at.items.is_some() {
            return;
        }
        self.hole_at.items = Some(ItemHoles::build(&self.holes));
    }

    /// The slot of `key` inside `value`, for a path walk.
    fn child_slot(&mut self, value: &Value, key: &[u8]) -> Option<Slot> {
        // A path walk looks at holes inside containers.
        self.index_item_holes();
        let Value::Node(node) = *value else {
            return None;
        };
        match self.g.view(node) {
            // An element tuple already made an element (its row is complete):
            // the same `{type, key, props}` to a path.
            NodeRef::Element(_) => match key {
                b"type" => Some(Slot::Item(node, 1)),
                b"key" => Some(Slot::Item(node, 2)),
                b"props" => Some(Slot::Item(node, 3)),
                _ => None,
            },
            NodeRef::Array(items) => {
                if self.element_marker.is_some() && items.first().and_then(Value::as_node) == self.element_marker {
                    // An element is `{type, key, props}` to a path.
                    let i = match key {
                        b"type" => 1,
                        b"key" => 2,
                        b"props" => 3,
                        _ => return None,
                    };
                    return (i < items.len()).then_some(Slot::Item(node, i as u32));
                }
                let i = parse_decimal(key)?;
                ((i as usize) < items.len()).then_some(Slot::Item(node, i))
            }
            NodeRef::Object(pairs) => {
                let idx = if pairs.len() <= 16 {
                    pairs.iter().position(|(k, _)| k.as_wtf8() == key)? as u32
                } else {
                    let index = self
                        .key_index
                        .entry(node)
                        .or_insert_with(|| pairs.iter().enumerate().map(|(i, (k, _))| (k.clone(), i as u32)).collect());
                    *index.get(&JsString::copy_wtf8_unchecked(key))?
                };
                let slot = Slot::Item(node, idx);
                // A key whose value is `undefined` was deleted.
                if matches!(pairs.value(idx as usize), Some(Value::Undefined))
                    && !self.hole_at.contains_key(&slot, &self.holes)
                {
                    return None;
                }
                Some(slot)
            }
            _ => None,
        }
    }

    /// Drops the holes and their tables (every hole is resolved, or the
    /// decode is over).
    pub(crate) fn release_holes(&mut self) {
        self.holes = Vec::new();
        self.hole_texts = Vec::new();
        self.text_holes = Vec::new();
        self.hole_at = HoleIndex::default();
        self.holes_by_row = Default::default();
        self.holes_by_chunk = Vec::new();
    }

    pub(crate) fn resolve_holes(&mut self) -> Result<()> {
        for start in 0..self.holes.len() {
            self.resolve_hole(start)?;
        }
        Ok(())
    }

    /// Resolves the holes written in `origin` (a row, or a stream chunk of
    /// one), once every part they reach has been parsed.
    pub(crate) fn resolve_holes_of(&mut self, origin: (u32, Option<u32>)) -> Result<()> {
        let (from, to) = match origin.1 {
            None => self.holes_by_row.remove(&origin.0),
            Some(chunk) => self.holes_by_chunk.get_mut(chunk as usize).map(std::mem::take),
        }
        .unwrap_or_default();
        for h in from..to {
            self.resolve_hole(h as usize)?;
        }
        Ok(())
    }

    fn resolve_hole(&mut self, start: usize) -> Result<()> {
        if self.holes[start].state != HoleState::Pending {
            return Ok(());
        }
        // Holes being resolved, each with where its next path segment starts
        // in its text; the value a path reached so far is in `reached` (only
        // for holes with a path that had to wait: a chain of plain references
        // keeps none).
        let mut stack = vec![(start as u32, 0u32)];
        let mut reached: HashMap<usize, Value> = HashMap::new();
        self.holes[start].state = HoleState::Waiting;
        'outer: while let Some(&(h, next)) = stack.last() {
            let (h, at) = (h as usize, stack.len() - 1);
            // A reference without a path has no segments to walk.
            let text = self.hole_path(h).cloned();
            let t = text.as_ref().map_or(&[][..], |t| t.as_wtf8());
            let mut pos = next as usize;
            let mut cur = match reached.remove(&h) {
                Some(v) => v,
                None => {
                    // Find the starting value.
                    let part = self.holes[h].part;
                    let root = Slot::Root(part);
                    if !self.push_dep(&mut stack, root, h)? {
                        continue 'outer;
                    }
                    if !self.roots.contains_key(&part) {
                        return Err(ErrorKind::MissingPart { id: part }.into());
                    }
                    pos = if self.failed.contains(&part) {
                        // The part errored: the reference is its error, whatever the path.
                        t.len() + 1
                    } else {
                        first_segment(t)
                    };
                    self.slot_value(root)
                }
            };
            while pos <= t.len() {
                let end = t[pos..].iter().position(|&c| c == b':').map_or(t.len(), |i| pos + i);
                let slot = self.child_slot(&cur, &t[pos..end]).ok_or_else(|| {
                    Error::new(ErrorKind::InvalidReference { reference: format!("${}", err_text(&self.hole_text(h))) })
                })?;
                if !self.push_dep(&mut stack, slot, h)? {
                    // Resumed here once the hole it waits for is filled.
                    stack[at].1 = pos as u32;
                    reached.insert(h, cur);
                    continue 'outer;
                }
                cur = self.slot_value(slot);
                pos = end + 1;
            }
            stack.pop();
            let mut v = cur;
            if self.holes[h].under_then {
                if let Value::Node(id) = v {
                    if matches!(self.g.view(id), NodeRef::ServerReference(_)) {
                        v = Value::Null;
                    }
                }
            }
            let slot = self.holes[h].slot();
            self.hole_at.remove(&slot);
            self.set_slot(slot, v);
            self.holes[h].state = HoleState::Done;
        }
        Ok(())
    }

    /// If `slot` is an unresolved hole, schedules it and returns `false`.
    fn push_dep(&mut self, stack: &mut Vec<(u32, u32)>, slot: Slot, from: usize) -> Result<bool> {
        let Some(dep) = self.hole_at.get(&slot, &self.holes) else {
            return Ok(true);
        };
        match self.holes[dep].state {
            HoleState::Pending => {
                self.holes[dep].state = HoleState::Waiting;
                crate::id_map::reserve_one(stack);
                stack.push((dep as u32, 0));
                Ok(false)
            }
            HoleState::Waiting => {
                Err(ErrorKind::CircularReference { reference: format!("${}", err_text(&self.hole_text(from))) }.into())
            }
            HoleState::Done | HoleState::Dead => Ok(true),
        }
    }

    /// Deletes keys whose references resolved to `undefined` (React deletes
    /// them), in objects whose references are all resolved; the others wait.
    ///
    /// Only the objects a reference into resolved since the last call are
    /// looked at, each from the first slot that still waited: the looks at
    /// one object take its slots once in all, and each resolution one more
    /// (an object with 8,000 such keys was looked at once per key, a scan
    /// and a copy of it each: 1 GB for 175 kB).
    pub(crate) fn drop_undefined(&mut self) {
        if self.undefined_queue.is_empty() {
            return;
        }
        self.index_item_holes();
        let mut queue = std::mem::take(&mut self.undefined_queue);
        for &node in &queue {
            let Some(&next) = self.undefined_next.get(&node) else { continue };
            let n = match self.g.view(node) {
                NodeRef::Object(pairs) => pairs.len() as u32,
                _ => {
                    self.undefined_next.remove(&node);
                    continue;
                }
            };
            let mut i = next;
            while i < n && !self.hole_at.contains_key(&Slot::Item(node, i), &self.holes) {
                i += 1;
            }
            if i < n {
                self.undefined_next.insert(node, i);
                continue;
            }
            self.undefined_next.remove(&node);
            if let NodeRef::Object(pairs) = self.g.view(node) {
                let kept = pairs
                    .iter()
                    .filter(|(_, v)| !matches!(v, Value::Undefined))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                self.g.replace(node, Node::Object(kept));
                // Its keys moved: an index of them is stale.
                self.key_index.remove(&node);
            }
        }
        queue.clear();
        if self.undefined_queue.is_empty() {
            self.undefined_queue = queue;
        }
    }

    /// The logical size of the root: its size with every shared reference
    /// expanded, a cycle counted once. Computed only when something is
    /// shared; otherwise it is bounded by the body size.
    /// Charges logical size as values are parsed: with nothing shared, this
    /// running total is the logical size of everything decoded.
    pub(crate) fn charge(&mut self, units: u64) -> Result<()> {
        self.logical = self.logical.saturating_add(units);
        let max = self.limits.max_logical_size;
        if self.logical > max {
            return Err(ErrorKind::LimitExceeded { limit: LimitKind::LogicalSize, max }.into());
        }
        Ok(())
    }

    /// The decoded value: part/row 0, a fulfilled root promise unwrapped (a
    /// root promise in any other state is `RootRejected`), its logical size
    /// checked.
    pub(crate) fn finish_root(mut self) -> Result<Graph> {
        let mut root = self.roots.get(&0).cloned().unwrap_or(Value::Undefined);
        if let Value::Node(id) = root {
            if let NodeRef::Promise(state) = self.g.view(id) {
                root = match state {
                    PromiseState::Fulfilled(v) => v.clone(),
                    _ => return Err(ErrorKind::RootRejected.into()),
                };
            }
        }
        self.g.set_root(root);
        self.check_logical_size()?;
        Ok(self.g)
    }

    /// With shared references, the logical size can be far larger than what
    /// was parsed: size the graph as a DAG (memoized, linear).
    pub(crate) fn check_logical_size(&self) -> Result<()> {
        let max = self.limits.max_logical_size;
        if !self.shared {
            return Ok(());
        }
        let size = crate::value::logical::logical_size(&self.g, max);
        if size > max {
            return Err(ErrorKind::LimitExceeded { limit: LimitKind::LogicalSize, max }.into());
        }
        Ok(())
    }

    /// Settles promise placeholders from the parts they name. A promise of a
    /// promise adopts it (cycle-checked, at most `max_promise_chain` hops); a
    /// part in `rejected` (an error row) rejects with its value.
    pub(crate) fn settle_promises(
        &mut self,
        promises: &[(NodeId, u32)],
        rejected: &crate::id_map::IdSet,
    ) -> Result<()> {
        let mut source: NodeMap<u32> = NodeMap::default();
        for &(p, part) in promises {
            source.insert(p, part);
        }
        let mut done: NodeMap<(Value, bool)> = NodeMap::default();
        // The promises on the chain being followed (emptied after each chain).
        let mut on_chain = NodeSet::default();
        let max = self.limits.max_promise_chain;
        // (One buffer for every chain.)
        let mut chain = Vec::new();
        for &(start, _) in promises {
            if done.get(&start).is_some() {
                continue;
            }
            chain.clear();
            chain.push(start);
            on_chain.insert(start);
            let value = loop {
                let p = *chain.last().unwrap_or(&start);
                let part = source.get(&p).copied();
                let v = part.and_then(|part| self.roots.get(&part)).cloned().unwrap_or(Value::Undefined);
                if part.is_some_and(|part| rejected.contains(&part)) {
                    break (v, true);
                }
                match v {
                    Value::Node(q) if source.get(&q).is_some() => {
                        if let Some(v) = done.get(&q) {
                            break v.clone();
                        }
                        if !on_chain.insert(q) {
                            return Err(ErrorKind::CyclicPromise.into());
                        }
                        if chain.len() >= max {
                            return Err(
                                ErrorKind::LimitExceeded { limit: LimitKind::PromiseChain, max: max as u64 }.into()
                            );
                        }
                        chain.push(q);
                    }
                    v => break (v, false),
                }
            };
            for &p in &chain {
                on_chain.remove(&p);
                done.insert(p, value.clone());
            }
        }
        for &(p, _) in promises {
            let Some((v, is_rejected)) = done.remove(&p) else { continue };
            let state = if is_rejected { PromiseState::Rejected(v) } else { PromiseState::Fulfilled(v) };
            self.g.replace(p, Node::Promise(state));
        }
        Ok(())
    }

    /// Fills Map, Set and iterator placeholders from the arrays their parts
    /// hold. With `consume_once`, an array can back one value only (the reply
    /// direction, as React 19.3.1).
    ///
    /// Initializers that may be used again (`consume_once` false: a
    /// response's rows) copy their array each time, as React makes a new Set,
    /// Map or iterator each time. The first copy of an array is free (every
    /// Set of a stream React writes is one, of a row that is its own); the
    /// items copied from arrays used before, over the whole decode, are
    /// limited to `max_copies`, a `max_logical_size` error past that.
    pub(crate) fn fill_initializers(
        &mut self,
        inits: impl IntoIterator<Item = (NodeId, u32)>,
        consume_once: bool,
        max_copies: u64,
    ) -> Result<()> {
        self.fill_initializers_moving(inits, consume_once, |_| false, max_copies)
    }

    /// [`fill_initializers`](Self::fill_initializers), taking the items out
    /// of the arrays of the parts for which `exclusive` is true instead of
    /// copying them. The caller vouches that nothing else reaches such a
    /// part's array or the arrays written in it (the part is named by this
    /// initializer alone, so its value is reachable only from its root),
    /// which then stay behind empty and unreachable.
    pub(crate) fn fill_initializers_moving(
        &mut self,
        inits: impl IntoIterator<Item = (NodeId, u32)>,
        consume_once: bool,
        exclusive: impl Fn(u32) -> bool,
        max_copies: u64,
    ) -> Result<()> {
        let mut consumed = NodeSet::default();
        for (node, part) in inits {
            // The placeholder's kind is the initializer's.
            let kind = match self.g.view(node) {
                NodeRef::Map(_) => InitKind::Map,
                NodeRef::Set(_) => InitKind::Set,
                NodeRef::Iterator(_) => InitKind::Iterator,
                _ => {
                    debug_assert!(false, "an initializer placeholder is a Map, Set or iterator");
                    continue;
                }
            };
            let what = kind.name();
            let bad = || Error::new(ErrorKind::InvalidInitializer { what }).at_part(part);
            let Some(Value::Node(arr)) = self.roots.get(&part).cloned() else {
                return Err(bad());
            };
            let NodeRef::Array(items) = self.g.view(arr) else {
                return Err(bad());
            };
            let len = items.len() as u64;
            if consume_once && !consumed.insert(arr) {
                return Err(ErrorKind::AlreadyInitialized { what, id: part }.into());
            }
            // Moved out of the part's arrays when nothing else reaches
            // them, else copied (and counted, before anything is copied).
            let take = exclusive(part);
            if !take {
                self.count_copy(arr, len * if kind == InitKind::Map { 2 } else { 1 }, max_copies)?;
            }
            let filled = match kind {
                InitKind::Map => {
                    // Every entry a two-item array, checked before anything moves.
                    let pairs_ok = self.g.items_of(arr).iter().all(|item| {
                        matches!(item, Value::Node(pair) if matches!(self.g.view(*pair), NodeRef::Array(kv) if kv.len() == 2))
                    });
                    if !pairs_ok {
                        return Err(bad());
                    }
                    let pairs = self.array_items(arr);
                    let mut entries = Vec::with_capacity(pairs.len());
                    for item in &pairs {
                        let pair = item.as_node().and_then(|pair| self.pair_items(pair, take)).ok_or_else(bad)?;
                        entries.push(pair);
                    }
                    Node::Map(crate::value::js_map(entries))
                }
                InitKind::Set | InitKind::Iterator => {
                    if take {
                        self.g.move_items(arr, node, kind == InitKind::Set);
                    } else {
                        self.g.copy_items(arr, node, kind == InitKind::Set);
                    }
                    continue;
                }
            };
            self.g.replace(node, filled);
        }
        Ok(())
    }

    /// Counts a copy of the `n` items of array `arr` against `max_copies`
    /// (a `max_logical_size` error past it), unless it is the array's first
    /// use as an initializer: a part used once costs nothing more than its
    /// bytes, and only reuse (which only a forged body makes) can amplify.
    pub(crate) fn count_copy(&mut self, arr: NodeId, n: u64, max_copies: u64) -> Result<()> {
        if !self.initialized.insert(arr) {
            self.copies = self.copies.saturating_add(n);
            if self.copies > max_copies {
                return Err(ErrorKind::LimitExceeded { limit: LimitKind::LogicalSize, max: max_copies }.into());
            }
        }
        Ok(())
    }

    /// The items of array `arr`, copied; none if it is not an array.
    fn array_items(&self, arr: NodeId) -> Vec<Value> {
        match self.g.view(arr) {
            NodeRef::Array(items) => items.to_vec(),
            _ => Vec::new(),
        }
    }

    /// The two items of a Map entry's array `pair`, taken out (`take`) or
    /// copied; `None` if it is not a two-item array.
    fn pair_items(&mut self, pair: NodeId, take: bool) -> Option<(Value, Value)> {
        if !matches!(self.g.view(pair), NodeRef::Array(_)) {
            return None;
        }
        match self.g.items_mut(pair)? {
            [k, v] if take => Some((std::mem::replace(k, Value::Undefined), std::mem::replace(v, Value::Undefined))),
            [k, v] => Some((k.clone(), v.clone())),
            _ => None,
        }
    }

    /// Reads server-reference metadata `{"id": string, "bound": null | promise of an array}`.
    pub(crate) fn server_ref_meta(&self, meta: Option<&Value>) -> Result<(JsString, Option<Vec<Value>>)> {
        let (id, bound) = meta_fields(&self.g, meta)
            .ok_or_else(|| Error::new(ErrorKind::InvalidServerReference { reason: "metadata is not an object" }))?;
        let (id, array) = self.check_server_ref_meta(id.as_ref(), bound.as_ref())?;
        let bound = array.map(|a| self.g.items_of(a).to_vec());
        Ok((id, bound))
    }

    /// Checks the `id` and `bound` members of server-reference metadata
    /// (see [`meta_fields`]): the id, and the array of bound arguments that
    /// `bound`'s fulfilled promise holds (none for `null`).
    pub(crate) fn check_server_ref_meta(
        &self,
        id: Option<&Value>,
        bound: Option<&Value>,
    ) -> Result<(JsString, Option<NodeId>)> {
        let bad = |reason| Error::new(ErrorKind::InvalidServerReference { reason });
        let Some(Value::String(id)) = id else {
            return Err(bad("`id` is not a string"));
        };
        let bound = match bound {
            Some(Value::Null) => None,
            Some(Value::Node(p)) => match self.g.view(*p) {
                NodeRef::Promise(PromiseState::Fulfilled(Value::Node(arr))) => match self.g.view(*arr) {
                    NodeRef::Array(items) => {
                        if items.len() > self.limits.max_bound_args {
                            return Err(ErrorKind::LimitExceeded {
                                limit: LimitKind::BoundArgs,
                                max: self.limits.max_bound_args as u64,
                            }
                            .into());
                        }
                        Some(*arr)
                    }
                    _ => return Err(bad("`bound` is not an array")),
                },
                NodeRef::Promise(_) => return Err(bad("`bound` is not an array")),
                _ => return Err(bad("`bound` is not null or a promise")),
            },
            _ => return Err(bad("`bound` is not null or a promise")),
        };
        Ok((id.clone(), bound))
    }
}

/// The `id` and `bound` members of server-reference metadata `meta` (each
/// `None` when missing), in one look at its keys; `None` when `meta` is not
/// an object.
pub(crate) fn meta_fields(g: &Graph, meta: Option<&Value>) -> Option<(Option<Value>, Option<Value>)> {
    let Some(Value::Node(obj)) = meta else { return None };
    let NodeRef::Object(pairs) = g.view(*obj) else { return None };
    let (mut id, mut bound) = (None, None);
    for (k, v) in pairs.iter() {
        if id.is_none() && *k == "id" {
            id = Some(v.clone());
        } else if bound.is_none() && *k == "bound" {
            bound = Some(v.clone());
        }
    }
    Some((id, bound))
}

/// `"<tag><text>"` for text that JSON needs no escapes for (ids, digits, ISO dates).
pub(crate) fn write_plain(out: &mut Vec<u8>, tag: &str, text: &[u8]) {
    out.push(b'"');
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(text);
    out.push(b'"');
}

/// Writes a number as both encoders write it (`serializeNumber`): finite
/// numbers as `JSON.stringify` does, `-0`, `NaN` and the infinities as tags.
pub(crate) fn write_js_number(out: &mut Vec<u8>, n: f64) {
    use crate::json::write_number;
    if n.is_finite() {
        if n == 0.0 && n.is_sign_negative() {
            out.extend_from_slice(b"\"$-0\"");
        } else {
            write_number(out, n);
        }
    } else if n.is_nan() {
        out.extend_from_slice(b"\"$NaN\"");
    } else if n > 0.0 {
        out.extend_from_slice(b"\"$Infinity\"");
    } else {
        out.extend_from_slice(b"\"$-Infinity\"");
    }
}

/// Writes a string as both encoders write it (`escapeStringValue`): one
/// more `$` if it starts with `$`.
pub(crate) fn write_escaped(out: &mut Vec<u8>, s: &JsString) {
    let at = out.len();
    crate::json::write_str(out, s);
    dollar_after(out, at, s.as_wtf8());
}

/// [`write_escaped`] for a Rust string (the typed writer).
#[cfg(feature = "serde")]
pub(crate) fn write_escaped_str(out: &mut Vec<u8>, s: &str) {
    let at = out.len();
    crate::json::write_str_slice(out, s);
    dollar_after(out, at, s.as_bytes());
}

/// The extra `$` after the opening quote written at `at`, for text starting with `$`.
fn dollar_after(out: &mut Vec<u8>, at: usize, text: &[u8]) {
    if text.first() == Some(&b'$') {
        out.insert(at + 1, b'$');
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_decimal, plain_pairs, scalar_tag, Hole, Limits, NodeId, Slot, Value};
    use crate::value::JsString;

    #[test]
    fn plain_pairs_finds_what_close_object_would_change() {
        let keys = |extra: &[&str]| -> Vec<JsString> {
            let long = |i: usize| format!("a key longer than fourteen bytes {i}");
            let mut k: Vec<JsString> = (0..100).map(|i| JsString::from(format!("k{i}").as_str())).collect();
            k.extend((0..100).map(|i| JsString::from(long(i).as_str())));
            k.extend(extra.iter().map(|s| JsString::from(*s)));
            k
        };
        let check = |extra: &[&str], holes: usize, undefined: usize| {
            let k = keys(extra);
            let mut v = vec![Value::Number(1.0); k.len()];
            for slot in v.iter_mut().take(undefined) {
                *slot = Value::Undefined;
            }
            plain_pairs(&k, &v, holes)
        };
        assert!(check(&[], 0, 0));
        assert!(check(&["__proto_", "__proto__x", "_0"], 0, 0));
        assert!(check(&[], 2, 2));
        // A repeated short or long key, `__proto__`, an index key, an
        // `undefined` that is not a hole's placeholder: not plain.
        assert!(!check(&["k7"], 0, 0));
        assert!(!check(&["a key longer than fourteen bytes 99"], 0, 0));
        assert!(!check(&["__proto__"], 0, 0));
        assert!(!check(&["0"], 0, 0) && !check(&["12x"], 0, 0));
        assert!(!check(&[], 1, 2) && !check(&[], 2, 1));
    }

    #[test]
    fn a_hole_is_16_bytes_and_keeps_its_slot() {
        // A stream can be mostly references: each costs its value and its hole.
        assert_eq!(std::mem::size_of::<Hole>(), 16);
        let mut h = Hole::new(1, Slot::Root(0), false);
        for slot in [
            Slot::Root(7),
            Slot::Item(NodeId(3), 9),
            Slot::StreamReturn(NodeId(4)),
            Slot::Item(NodeId(u32::MAX), u32::MAX),
        ] {
            h.set_slot(slot);
            assert_eq!(h.slot(), slot);
        }
    }

    #[test]
    fn scalar_words_match_exactly() {
        let limits = Limits::default();
        let tag = |s: &str| scalar_tag(&limits, s.as_bytes()).map(|r| r.ok());
        assert!(matches!(tag("$undefined"), Some(Some(Value::Undefined))));
        assert!(matches!(tag("$NaN"), Some(Some(Value::Number(n))) if n.is_nan()));
        assert!(matches!(tag("$Infinity"), Some(Some(Value::Number(n))) if n == f64::INFINITY));
        assert!(matches!(tag("$-Infinity"), Some(Some(Value::Number(n))) if n == f64::NEG_INFINITY));
        assert!(matches!(tag("$-0"), Some(Some(Value::Number(n))) if n == 0.0 && n.is_sign_negative()));
        // One byte off anywhere, a byte more or less: not a scalar word.
        for word in ["$undefined", "$NaN", "$Infinity", "$-Infinity", "$-0"] {
            for i in 1..word.len() {
                let mut b = word.as_bytes().to_vec();
                b[i] ^= 0x01;
                assert!(scalar_tag(&limits, &b).is_none(), "{:?}", String::from_utf8_lossy(&b));
            }
            assert!(tag(&format!("{word}x")).is_none() && tag(&word[..word.len() - 1]).is_none(), "{word}");
        }
        for other in ["$", "$-", "$-1", "$Na", "$Infinityy", "$-Infinit", "$undefine", "$@1", "$1"] {
            assert!(tag(other).is_none(), "{other}");
        }
    }

    #[test]
    fn parse_decimal_takes_canonical_u32s_only() {
        for (text, want) in [
            ("0", Some(0)),
            ("7", Some(7)),
            ("10", Some(10)),
            ("4294967295", Some(u32::MAX)),
            ("4294967296", None),
            ("9999999999", None),
            ("00", None),
            ("01", None),
            ("", None),
            ("-1", None),
            ("+1", None),
            ("1a", None),
            ("12345678901", None),
        ] {
            assert_eq!(parse_decimal(text.as_bytes()), want, "{text:?}");
        }
        // Every value agrees with the standard library's parse.
        for r in crate::test_rng::xorshift(7).take(10_000) {
            let v = (r as u32) >> ((r >> 32) % 32);
            assert_eq!(parse_decimal(v.to_string().as_bytes()), Some(v));
        }
    }
}
