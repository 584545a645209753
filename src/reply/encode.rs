//! The reply encoder: value graph → what `encodeReply` produces.
//!
//! This follows React 19.3.1's `processReply`/`resolveToJSON` step by step:
//! one part counter shared by everything outlined, path references to the
//! first position of every object written, outlined parts appended before the
//! root and settled promises and stream chunks after it, in the order their
//! microtasks would run. The walk is iterative, so any depth is fine.

use crate::value::node_map::{NodeMap, NodeSet};
use std::collections::{HashMap, HashSet, VecDeque};

use crate::error::{Error, ErrorKind, Result};
use crate::json::enc::{
    decimal, first_capacity, has_colon, write_escaped, write_iso, write_js_number, write_key, write_ref,
};
use crate::json::write_str_slice;
use crate::model::write_plain;
use crate::paths::{PathKey, Paths, Ref};
use crate::value::{
    Blob, FormEntry, Graph, JsString, Members, Node, NodeId, NodeRef, PromiseState, StreamEnd, StreamKind, Value,
};

/// Options for [`encode`].
///
/// ```
/// let mut opts = flight_codec::reply::EncodeOptions::default();
/// opts.temporary_references = true;
/// assert!(opts.temporary_references);
/// ```
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct EncodeOptions {
    /// Write values React can only pass by reference (class instances,
    /// null-prototype objects, functions, symbols, React elements) as `$T`,
    /// as `encodeReply` does when given a `TemporaryReferenceSet`. Without
    /// it they are rejected with React's error message.
    pub temporary_references: bool,
}

/// An encoded reply body.
///
/// ```
/// use flight_codec::reply::Body;
/// let b = Body::Text("[1]".into());
/// assert_eq!(b.content_type(), "text/plain;charset=UTF-8");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    /// A string body, sent as `text/plain;charset=UTF-8`.
    Text(String),
    /// FormData entries in order, sent as `multipart/form-data`.
    Form(Vec<(String, FormEntry)>),
}

impl Body {
    /// The string body, if this is one.
    ///
    /// ```
    /// use flight_codec::reply::Body;
    /// assert_eq!(Body::Text("1".into()).as_text(), Some("1"));
    /// assert_eq!(Body::Form(vec![]).as_text(), None);
    /// ```
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Body::Text(s) => Some(s),
            Body::Form(_) => None,
        }
    }

    /// The FormData entries, if this is a form body.
    ///
    /// ```
    /// use flight_codec::{reply::Body, value::FormEntry};
    /// let b = Body::Form(vec![("0".into(), FormEntry::Text("1".into()))]);
    /// assert_eq!(b.entries().unwrap()[0].0, "0");
    /// assert!(Body::Text("1".into()).entries().is_none());
    /// ```
    pub fn entries(&self) -> Option<&[(String, FormEntry)]> {
        match self {
            Body::Form(e) => Some(e),
            Body::Text(_) => None,
        }
    }

    /// The content type `fetch` would send (a fresh boundary for forms).
    ///
    /// ```
    /// use flight_codec::{reply::Body, value::FormEntry};
    /// let b = Body::Form(vec![("0".into(), FormEntry::Text("1".into()))]);
    /// assert_eq!(b.content_type(), format!("multipart/form-data; boundary={}", b.boundary()));
    /// ```
    pub fn content_type(&self) -> String {
        match self {
            Body::Text(_) => "text/plain;charset=UTF-8".to_string(),
            Body::Form(_) => crate::multipart::content_type(&self.boundary()),
        }
    }

    /// The boundary [`to_bytes`](Self::to_bytes) uses: deterministic, and
    /// absent from every entry.
    ///
    /// ```
    /// use flight_codec::{reply::Body, value::FormEntry};
    /// let b = Body::Form(vec![("0".into(), FormEntry::Text("1".into()))]);
    /// assert!(b.to_bytes().starts_with(format!("--{}\r\n", b.boundary()).as_bytes()));
    /// assert_eq!(Body::Text("1".into()).boundary(), "");
    /// ```
    pub fn boundary(&self) -> String {
        match self {
            Body::Text(_) => String::new(),
            Body::Form(entries) => crate::multipart::choose_boundary(&entry_refs(entries)),
        }
    }

    /// The bytes on the wire: the string, or the multipart body as undici
    /// writes it (with [`boundary`](Self::boundary)).
    ///
    /// ```
    /// use flight_codec::reply::Body;
    /// assert_eq!(Body::Text("1".into()).to_bytes(), b"1");
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Body::Text(s) => s.as_bytes().to_vec(),
            Body::Form(entries) => {
                let refs = entry_refs(entries);
                let boundary = crate::multipart::choose_boundary(&refs);
                let mut out = Vec::new();
                crate::multipart::write(&refs, &boundary, &mut out);
                out
            }
        }
    }
}

fn entry_refs(entries: &[(String, FormEntry)]) -> Vec<crate::multipart::EntryRef<'_>> {
    // The texts `encode` writes are ranges of one buffer: it is checked
    // once (the last one seen is remembered), not each range on its own.
    // Whole buffers are checked for at most twice the texts' length in all
    // (past that, each text on its own): texts cut from large buffers of
    // their own cost no more than that.
    let mut checked: Option<(&std::sync::Arc<bytes::Bytes>, Option<&str>)> = None;
    let mut budget = entries
        .iter()
        .map(|(_, e)| match e {
            FormEntry::Text(t) => t.as_wtf8().len(),
            FormEntry::File(_) => 0,
        })
        .sum::<usize>()
        .saturating_mul(2);
    entries
        .iter()
        .map(|(name, e)| match e {
            FormEntry::Text(t) => {
                let shared = t.shared_range().and_then(|(buf, range)| {
                    let whole = match checked {
                        Some((b, whole)) if std::sync::Arc::ptr_eq(b, buf) => whole,
                        _ => {
                            let whole = match budget.checked_sub(buf.len()) {
                                Some(left) => {
                                    budget = left;
                                    crate::utf8::validate(buf).ok()
                                }
                                None => None,
                            };
                            checked = Some((buf, whole));
                            whole
                        }
                    };
                    whole?.get(range)
                });
                let value = shared.or_else(|| t.as_str()).unwrap_or("\u{fffd}");
                crate::multipart::EntryRef::Text { name, value }
            }
            FormEntry::File(f) => crate::multipart::EntryRef::File {
                name,
                filename: f.name.as_ref().and_then(|n| n.as_str()).unwrap_or("blob"),
                content_type: f.content_type.as_str().unwrap_or(""),
                data: &f.bytes,
            },
        })
        .collect()
}

/// Encodes a value as `encodeReply` would.
///
/// # Errors
/// [`ErrorKind::Unsupported`] with React's message for values React rejects
/// (and for rejected promises, with the rejection's message);
/// [`ErrorKind::Pending`] if a promise is pending or a stream is open.
///
/// ```
/// use flight_codec::value::{Graph, Node, Value};
/// let mut g = Graph::new();
/// let m = g.add(Node::Map(vec![(Value::Number(1.0), "a".into())]));
/// g.set_root(Value::Node(m));
/// let body = flight_codec::reply::encode(&g, &Default::default())?;
/// let names: Vec<&str> = body.entries().unwrap().iter().map(|(n, _)| n.as_str()).collect();
/// assert_eq!(names, ["1", "0"]);
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub fn encode(g: &Graph, opts: &EncodeOptions) -> Result<Body> {
    let mut st = State::for_graph(g);
    let text = start(g, opts, &mut st)?;
    if let Some(text) = text {
        return Ok(Body::Text(text));
    }
    if !st.parked.is_empty() {
        return Err(ErrorKind::Pending.into());
    }
    st.seal();
    Ok(Body::Form(st.entries))
}

/// The synchronous pass, then every task that can run. Returns the string
/// body when nothing was outlined.
fn start(g: &Graph, opts: &EncodeOptions, st: &mut State) -> Result<Option<String>> {
    let mut enc = Encoder { g, opts, st };
    let root = enc.serialize_model(Item::V(g.root().clone()), 0)?;
    if !enc.st.has_form {
        let mut root = root;
        if root.capacity() > 2 * root.len() + PART_CAPACITY {
            root.shrink_to_fit();
        }
        return crate::utf8::into_string(root)
            .map(Some)
            .ok_or_else(|| Error::new(ErrorKind::Internal { what: "encoder wrote invalid UTF-8" }));
    }
    enc.st.append_text("0".to_string(), root);
    enc.drain()?;
    Ok(None)
}

/// A value to write, or a fresh array React builds on the fly
/// (`Array.from(map)` and its entry pairs, `Array.from(set)`, bound args).
#[derive(Clone)]
enum Item {
    V(Value),
    List(Vec<Item>),
}

enum Task {
    /// One microtask turn of delay before running the inner task.
    Wait(Box<Task>),
    /// A settled promise's `then` callback: write its part. `hops` counts
    /// the promises adopted on the way, to stop a chain that cycles.
    Promise { id: u32, value: Value, hops: usize },
    /// A bound-arguments promise.
    Bound { id: u32, args: Vec<Value> },
    /// A stream over an async iterator that is already done: close it.
    Done { id: u32 },
    /// The next read of a value stream or async iterator.
    Read { node: NodeId, id: u32, index: usize },
    /// The next 1024-byte BYOB read of a byte stream.
    ReadBytes { node: NodeId, id: u32, chunk: usize, offset: usize, buffer: Vec<u8> },
}

/// The fresh array an outlined part holds (`Array.from(x)`).
enum Fresh {
    /// The items of a Set or an iterator node.
    Items(NodeId),
    /// The `[key, value]` entries of a Map node.
    Entries(NodeId),
}

enum Frame {
    List {
        items: Vec<Item>,
        i: usize,
        path: Option<Ref>,
    },
    /// An array, or the items of a Set or an iterator (written as a fresh array).
    Array {
        node: NodeId,
        i: usize,
        path: Option<Ref>,
    },
    /// A Map's entries, written as a fresh array of fresh `[key, value]` arrays.
    Entries {
        node: NodeId,
        i: usize,
        path: Option<Ref>,
    },
    /// One of those `[key, value]` arrays: `j` is the next of the two to write.
    Pair {
        node: NodeId,
        entry: usize,
        j: usize,
        path: Option<Ref>,
    },
    Object {
        node: NodeId,
        i: usize,
        path: Option<Ref>,
        /// JavaScript property order, when the pairs are not already in it.
        order: Option<Vec<usize>>,
    },
    /// Below the root frame of a nested part: when it is reached, the part is
    /// complete. `root` is the enclosing part's model root, restored then.
    Part {
        id: u32,
        tag: &'static str,
        root: Option<NodeId>,
    },
}

enum Key<'a> {
    Index(usize),
    Name(&'a JsString),
}

impl Key<'_> {
    #[inline]
    fn has_colon(&self) -> bool {
        match self {
            Key::Index(_) => false,
            Key::Name(k) => has_colon(k.as_wtf8()),
        }
    }

    #[inline]
    fn append_to(&self, paths: &mut Paths, parent: Ref) -> Ref {
        let key = match self {
            Key::Index(i) => PathKey::Index(*i),
            Key::Name(k) => PathKey::Name((*k).clone()),
        };
        paths.member(parent, key)
    }
}

/// The starting capacity of a part's buffer (most parts of a form body are
/// small: growing from empty would reallocate a few times each).
const PART_CAPACITY: usize = 128;

const MSG_INSTANCE: &str = "Only plain objects, and a few built-ins, can be passed to Server Functions. Classes or null prototypes are not supported.";
const MSG_FUNCTION: &str = "Client Functions cannot be passed directly to Server Functions. Only Functions passed from the Server can be passed back again.";
const MSG_SYMBOL: &str = "Symbols cannot be passed to a Server Function without a temporary reference set. Pass a TemporaryReferenceSet to the options.";
const MSG_ELEMENT: &str = "React Element cannot be passed to Server Functions from the Client without a temporary reference set. Pass a TemporaryReferenceSet to the options.";

fn unsupported(message: &str) -> Error {
    Error::new(ErrorKind::Unsupported { message: message.to_string() })
}

/// Everything `processReply` keeps between steps.
#[derive(Default)]
struct State {
    next_id: u32,
    written: NodeMap<Ref>,
    paths: Paths,
    entries: Vec<(String, FormEntry)>,
    has_form: bool,
    tasks: VecDeque<Task>,
    /// Tasks waiting for a pending promise or an open stream (by node).
    parked: HashMap<NodeId, Vec<Task>>,
    /// ReadableStreams a reader was taken from.
    locked: NodeSet,
    /// Async iterators already being read (an iterator is read once).
    iterated: NodeSet,
    /// Each stream's node and the stream whose read started it.
    stream_parent: HashMap<u32, (NodeId, Option<u32>)>,
    /// The stream whose item or return value is being written.
    reading: Option<u32>,
    /// Parked nodes in the order they were first waited for.
    park_order: Vec<NodeId>,
    model_root: Option<NodeId>,
    /// Objects being written that have no path (under a key with `:`), to
    /// detect cycles through them as `JSON.stringify` does.
    pathless: NodeSet,
    /// The text of the entries appended since the last [`State::seal`],
    /// one after the other (one buffer for them all, not one each).
    texts: Vec<u8>,
    /// Those entries: their index in `entries`, and where their text is in `texts`.
    unsealed: Vec<(usize, usize, usize)>,
    /// Part buffers to reuse.
    spare: Vec<Vec<u8>>,
    /// The walk's stack, kept for the next part.
    stack: Vec<Frame>,
}

impl State {
    /// The state an encoding of `g` starts from: for a graph of more than a
    /// few nodes, the written-object table and the references get room for
    /// every node at once (growing them by doubling copies them again).
    fn for_graph(g: &Graph) -> State {
        let mut st = State { next_id: 1, ..State::default() };
        if g.len() >= 64 {
            st.written = NodeMap::with_len(g.len());
            st.paths = Paths::with_capacity(g.len() + 1);
        }
        st
    }

    /// A text entry from what the JSON writers wrote: UTF-8 by construction
    /// (lone surrogates are escaped), so it is not checked again. Its text
    /// is copied to `texts` until [`seal`](Self::seal), and `json` kept for reuse.
    fn append_text(&mut self, name: String, mut json: Vec<u8>) {
        debug_assert!(std::str::from_utf8(&json).is_ok());
        self.has_form = true;
        let start = self.texts.len();
        self.texts.extend_from_slice(&json);
        self.unsealed.push((self.entries.len(), start, self.texts.len()));
        self.entries.push((name, FormEntry::Text(JsString::new())));
        json.clear();
        self.spare.push(json);
    }

    /// An empty part buffer with room for `capacity` bytes.
    fn buffer(&mut self, capacity: usize) -> Vec<u8> {
        match self.spare.pop() {
            Some(mut b) => {
                b.reserve(capacity);
                b
            }
            None => Vec::with_capacity(capacity),
        }
    }

    /// Gives the entries appended since the last seal their text: ranges of
    /// one shared buffer.
    fn seal(&mut self) {
        if self.unsealed.is_empty() {
            return;
        }
        let buf = std::sync::Arc::new(bytes::Bytes::from(std::mem::take(&mut self.texts)));
        for (at, start, end) in self.unsealed.drain(..) {
            if let Some(entry) = self.entries.get_mut(at) {
                entry.1 = FormEntry::Text(JsString::share_wtf8_unchecked(&buf, start, end));
            }
        }
    }
}

/// One step of the encoder over a graph it borrows.
struct Encoder<'g, 's> {
    g: &'g Graph,
    opts: &'g EncodeOptions,
    st: &'s mut State,
}

/// What writing one value did.
enum Step {
    /// Written, or a container frame pushed onto the walk's stack.
    Done,
    /// Start a nested part (`serializeModel` inside `resolveToJSON`): write
    /// `model` as part `id`, then `tag` + hex id in place of the value.
    Outline { id: u32, model: Fresh, tag: &'static str },
}

impl Encoder<'_, '_> {
    fn alloc(&mut self) -> u32 {
        let id = self.st.next_id;
        self.st.next_id += 1;
        if !self.st.has_form {
            self.first_part();
        }
        id
    }

    /// The body becomes a form. It has at most an entry per node that can
    /// be outlined, and one more for the root: room for one per node (up to
    /// 65,536) at once. The entries are large, and growing the list by
    /// doubling copies them again and again; counting only the nodes that
    /// can be outlined costs a look at each.
    #[cold]
    #[inline(never)]
    fn first_part(&mut self) {
        self.st.has_form = true;
        self.st.entries.reserve(self.g.len().min(1 << 16) + 1);
    }

    fn append(&mut self, name: String, entry: FormEntry) {
        self.st.has_form = true;
        self.st.entries.push((name, entry));
    }

    fn append_blob(&mut self, id: u32, blob: Blob) {
        let file = Blob { name: Some(blob.name.unwrap_or_else(|| JsString::from_static("blob"))), ..blob };
        self.append(decimal(id), FormEntry::File(file));
    }

    /// `serializeModel(model, id)`: records the model as `$<id>` and writes its JSON.
    fn serialize_model(&mut self, model: Item, id: u32) -> Result<Vec<u8>> {
        self.serialize(model, Some(id))
    }

    /// `JSON.stringify(model, resolveToJSON)`, after `serializeModel`'s
    /// bookkeeping when `id` is given (stream chunks have none).
    fn serialize(&mut self, model: Item, id: Option<u32>) -> Result<Vec<u8>> {
        let path: Option<Ref> = id.map(|id| self.st.paths.whole("$", id));
        let g = self.g;
        let root = match &model {
            Item::V(Value::Node(n)) => Some((*n, g.view(*n))),
            _ => None,
        };
        match (&root, &path) {
            (Some((n, node)), Some(p))
                if !matches!(
                    node,
                    NodeRef::ServerReference(_)
                        | NodeRef::Function(_)
                        | NodeRef::ClientReference(_)
                        | NodeRef::UnregisteredSymbol(_)
                ) =>
            {
                self.st.written.insert(*n, *p);
                self.st.model_root = Some(*n);
            }
            _ => self.st.model_root = None,
        }
        // One output buffer per part being written; nested parts are frames
        // on the same explicit stack, so nothing here recurses.
        // The body (part 0) gets room for its graph's nodes: a text body is
        // usually all of it, and growing it from small reallocates many times.
        let capacity = if id == Some(0) { first_capacity(self.g).max(PART_CAPACITY) } else { PART_CAPACITY };
        // `cur` is the innermost part's; `parents` holds the ones it interrupted.
        let mut cur = self.st.buffer(capacity);
        let mut parents: Vec<Vec<u8>> = Vec::new();
        let mut stack: Vec<Frame> = std::mem::take(&mut self.st.stack);
        // The root's holder is JSON.stringify's wrapper object, which has no path;
        // fresh root lists are recorded as `$<id>` by serializeModel.
        let first = match model {
            // The part's own array or object (a settled promise's value, most
            // often): what write_node does for it (its path is the part's),
            // without looking at the node again.
            Item::V(_) if path.is_some() && matches!(root, Some((_, NodeRef::Array(_) | NodeRef::Object(_)))) => {
                if let Some((n, node)) = root {
                    self.st.model_root = None;
                    match node {
                        NodeRef::Object(pairs) => {
                            cur.push(b'{');
                            let order = object_order(self.g, n, pairs);
                            stack.push(Frame::Object { node: n, i: 0, path, order });
                        }
                        _ => {
                            cur.push(b'[');
                            stack.push(Frame::Array { node: n, i: 0, path });
                        }
                    }
                }
                Ok(Step::Done)
            }
            Item::V(v) => self.write_value(&mut cur, None, Key::Name(&JsString::new()), &v, &mut stack),
            Item::List(items) => {
                cur.push(b'[');
                stack.push(Frame::List { items, i: 0, path });
                Ok(Step::Done)
            }
        };
        self.step(first, id, &mut stack, &mut cur, &mut parents)?;
        let g = self.g;
        while let Some(frame) = stack.last_mut() {
            let out = &mut cur;
            let next = match frame {
                Frame::List { items, i, path } => {
                    if *i < items.len() {
                        let item = std::mem::replace(&mut items[*i], Item::V(Value::Undefined));
                        let (idx, path) = (*i, *path);
                        *i += 1;
                        if idx > 0 {
                            out.push(b',');
                        }
                        match item {
                            Item::V(v) => self.write_value(out, path.as_ref(), Key::Index(idx), &v, &mut stack),
                            Item::List(inner) => {
                                out.push(b'[');
                                let p = path.map(|p| Key::Index(idx).append_to(&mut self.st.paths, p));
                                stack.push(Frame::List { items: inner, i: 0, path: p });
                                Ok(Step::Done)
                            }
                        }
                    } else {
                        out.push(b']');
                        stack.pop();
                        continue;
                    }
                }
                Frame::Array { node, i, path } => {
                    let (node, path) = (*node, *path);
                    let items = g.items_of(node);
                    // Primitives are written here, without a step of the walk each.
                    let mut next = None;
                    let mut entered = false;
                    while let Some(v) = items.get(*i) {
                        let idx = *i;
                        *i += 1;
                        if idx > 0 {
                            out.push(b',');
                        }
                        if !write_primitive(out, v) {
                            if let Value::Node(m) = v {
                                if self.enter(out, path, Key::Index(idx), *m, &mut stack) {
                                    entered = true;
                                    break;
                                }
                            }
                            // Containers are pushed onto the stack by write_value itself
                            // (returning them would move them through memory twice).
                            next = Some(self.write_value(out, path.as_ref(), Key::Index(idx), v, &mut stack));
                            break;
                        }
                    }
                    match next {
                        Some(next) => next,
                        None if entered => continue,
                        None => {
                            out.push(b']');
                            self.st.pathless.remove(&node);
                            pop_plain(&mut stack);
                            continue;
                        }
                    }
                }
                Frame::Object { node, i, path, order } => {
                    let (node, path) = (*node, *path);
                    let (keys, values) = g.members_of(node);
                    let mut next = None;
                    let mut entered = false;
                    while *i < values.len() {
                        let idx = *i;
                        *i += 1;
                        if idx > 0 {
                            out.push(b',');
                        }
                        let at = order.as_ref().map_or(idx, |o| o[idx]);
                        let (k, v) = (&keys[at], &values[at]);
                        write_key(out, k);
                        if !write_primitive(out, v) {
                            if let Value::Node(m) = v {
                                if self.enter(out, path, Key::Name(k), *m, &mut stack) {
                                    entered = true;
                                    break;
                                }
                            }
                            next = Some(self.write_value(out, path.as_ref(), Key::Name(k), v, &mut stack));
                            break;
                        }
                    }
                    match next {
                        Some(next) => next,
                        None if entered => continue,
                        None => {
                            out.push(b'}');
                            self.st.pathless.remove(&node);
                            pop_plain(&mut stack);
                            continue;
                        }
                    }
                }
                Frame::Entries { node, i, path } => {
                    let (node, path) = (*node, *path);
                    let NodeRef::Map(entries) = g.view(node) else { unreachable_frame() };
                    let mut next = None;
                    while let Some((k, v)) = entries.get(*i) {
                        let idx = *i;
                        *i += 1;
                        out.extend_from_slice(if idx > 0 { b",[" } else { b"[" });
                        // A pair of primitives is written here; it needs no path.
                        if is_primitive(k) && is_primitive(v) {
                            write_primitive(out, k);
                            out.push(b',');
                            write_primitive(out, v);
                            out.push(b']');
                        } else if matches!(v, Value::Node(set) if is_primitive(k) && self.pair_with_items(out, path, idx, k, *set))
                        {
                            // Written, with the Set's part.
                        } else {
                            let path = path.map(|p| Key::Index(idx).append_to(&mut self.st.paths, p));
                            stack.push(Frame::Pair { node, entry: idx, j: 0, path });
                            next = Some(Ok(Step::Done));
                            break;
                        }
                    }
                    match next {
                        Some(next) => next,
                        None => {
                            out.push(b']');
                            stack.pop();
                            continue;
                        }
                    }
                }
                Frame::Pair { node, entry, j, path } => {
                    let path = *path;
                    let NodeRef::Map(entries) = g.view(*node) else { unreachable_frame() };
                    let (k, v) = &entries[*entry];
                    let mut next = None;
                    while *j < 2 {
                        let idx = *j;
                        *j += 1;
                        let item = if idx == 0 { k } else { v };
                        if idx > 0 {
                            out.push(b',');
                        }
                        if !write_primitive(out, item) {
                            next = Some(self.write_value(out, path.as_ref(), Key::Index(idx), item, &mut stack));
                            break;
                        }
                    }
                    match next {
                        Some(next) => next,
                        None => {
                            out.push(b']');
                            stack.pop();
                            continue;
                        }
                    }
                }
                Frame::Part { id: part, tag, root } => {
                    // The nested part is complete: append it, then its tag in the enclosing part.
                    let (part, tag, root) = (*part, *tag, *root);
                    stack.pop();
                    let json = std::mem::replace(out, parents.pop().unwrap_or_default());
                    self.st.model_root = root;
                    self.st.append_text(decimal(part), json);
                    write_ref(out, tag, part);
                    continue;
                }
            };
            self.step(next, id, &mut stack, out, &mut parents)?;
        }
        self.st.stack = stack;
        Ok(cur)
    }

    /// Acts on what writing one value asked for: a container frame to push,
    /// or a nested part to start.
    fn step(
        &mut self,
        step: Result<Step>,
        id: Option<u32>,
        stack: &mut Vec<Frame>,
        cur: &mut Vec<u8>,
        parents: &mut Vec<Vec<u8>>,
    ) -> Result<()> {
        match step.map_err(|e| self.locate(e, id, stack))? {
            Step::Done => {}
            Step::Outline { id: part, model, tag } => {
                // serializeModel(Array.from(x), part): the fresh list is the model root `$<part>`.
                stack.push(Frame::Part { id: part, tag, root: self.st.model_root });
                self.st.model_root = None;
                let mut out = self.st.buffer(PART_CAPACITY);
                if cur.len() < PART_CAPACITY && cur.capacity() > 4 * out.capacity() {
                    hand_over_room(cur, &mut out);
                }
                out.push(b'[');
                parents.push(std::mem::replace(cur, out));
                let path = Some(self.st.paths.whole("$", part));
                stack.push(match model {
                    Fresh::Items(node) => Frame::Array { node, i: 0, path },
                    Fresh::Entries(node) => Frame::Entries { node, i: 0, path },
                });
            }
        }
        Ok(())
    }

    /// A Map entry `[k, set]` (entry `idx` of the Map's part, whose path is
    /// `path`) whose key is a primitive and whose value is a Set or an
    /// iterator of primitives not written before: the rest of the pair
    /// (after its `[`) and the Set's part written as the frames would
    /// (paths, part ids, part order), `true`; `false`, with nothing done,
    /// otherwise.
    #[inline(never)]
    fn pair_with_items(&mut self, out: &mut Vec<u8>, path: Option<Ref>, idx: usize, k: &Value, set: NodeId) -> bool {
        let (items, tag) = match self.g.view(set) {
            NodeRef::Set(items) => (items, "$W"),
            NodeRef::Iterator(items) => (items, "$i"),
            _ => return false,
        };
        if self.st.written.get(&set).is_some() || !items.iter().all(is_primitive) {
            return false;
        }
        write_primitive(out, k);
        out.push(b',');
        if let Some(p) = path {
            let pair = Key::Index(idx).append_to(&mut self.st.paths, p);
            let r = Key::Index(1).append_to(&mut self.st.paths, pair);
            self.st.written.insert(set, r);
        }
        let part = self.alloc();
        let mut json = self.st.buffer(PART_CAPACITY);
        json.push(b'[');
        for (i, v) in items.iter().enumerate() {
            if i > 0 {
                json.push(b',');
            }
            write_primitive(&mut json, v);
        }
        json.push(b']');
        self.st.append_text(decimal(part), json);
        write_ref(out, tag, part);
        out.push(b']');
        true
    }

    /// Adds the path of the value being written (`0:a:1`, as React writes
    /// paths; `chunk` for a stream chunk) to an error.
    fn locate(&self, e: Error, id: Option<u32>, stack: &[Frame]) -> Error {
        // Paths start at the innermost part being written.
        let (id, stack) = match stack.iter().rposition(|f| matches!(f, Frame::Part { .. })) {
            Some(at) => match &stack[at] {
                Frame::Part { id, .. } => (Some(*id), &stack[at + 1..]),
                _ => (id, stack),
            },
            None => (id, stack),
        };
        let mut path = match id {
            Some(id) => format!("{id:x}"),
            None => "chunk".to_string(),
        };
        for f in stack {
            path.push(':');
            match f {
                Frame::List { i, .. }
                | Frame::Array { i, .. }
                | Frame::Entries { i, .. }
                | Frame::Pair { j: i, .. } => path.push_str(&i.saturating_sub(1).to_string()),
                Frame::Part { .. } => {}
                Frame::Object { node, i, order, .. } => {
                    if let NodeRef::Object(pairs) = self.g.view(*node) {
                        let at = order.as_ref().map_or(i.saturating_sub(1), |o| o[i.saturating_sub(1)]);
                        if let Some(k) = pairs.key(at) {
                            path.push_str(&k.to_string_lossy());
                        }
                    }
                }
            }
        }
        e.at_path(path)
    }

    /// A member (of a graph array or object whose path is `parent`) that is
    /// an array or an object of the graph: what [`Self::write_node`] does
    /// for it (a reference if written before, else its path recorded and its
    /// frame pushed), straight from the member loop. `false`, with nothing
    /// done, for any other node, for the part's own model root, and for an
    /// object without a path that is being written (the general path fails).
    #[inline(always)]
    fn enter(
        &mut self,
        out: &mut Vec<u8>,
        parent: Option<Ref>,
        key: Key<'_>,
        m: NodeId,
        stack: &mut Vec<Frame>,
    ) -> bool {
        let pairs = match self.g.view(m) {
            NodeRef::Object(pairs) => Some(pairs),
            NodeRef::Array(_) => None,
            // A settled promise met for the first time: written here too.
            NodeRef::Promise(state) => return self.fulfilled_promise(out, m, state),
            _ => return false,
        };
        let path = match self.st.written.get(&m) {
            Some(&r) => {
                if self.st.model_root == Some(m) {
                    return false;
                }
                self.st.paths.write(out, r);
                return true;
            }
            None => match (key.has_colon(), parent) {
                (false, Some(p)) => {
                    let r = key.append_to(&mut self.st.paths, p);
                    self.st.written.insert(m, r);
                    Some(r)
                }
                _ => {
                    if !self.st.pathless.insert(m) {
                        return false;
                    }
                    None
                }
            },
        };
        match pairs {
            Some(pairs) => {
                out.push(b'{');
                let order = object_order(self.g, m, pairs);
                stack.push(Frame::Object { node: m, i: 0, path, order });
            }
            None => {
                out.push(b'[');
                stack.push(Frame::Array { node: m, i: 0, path });
            }
        }
        true
    }

    /// A member that is a fulfilled promise not written before: what
    /// [`Self::write_node`] does for it (a part id, its `then` task, `$@`),
    /// `true`; `false`, with nothing done, for anything else.
    #[inline(never)]
    fn fulfilled_promise(&mut self, out: &mut Vec<u8>, m: NodeId, state: &PromiseState) -> bool {
        if !matches!(state, PromiseState::Fulfilled(_)) || self.st.written.get(&m).is_some() {
            return false;
        }
        // (A fulfilled promise's reference cannot fail.)
        self.promise_ref(out, m, state).is_ok()
    }

    /// A promise's first reference: a part id for it, its path, its `then`
    /// task (now if it is fulfilled, once the host settles it if pending),
    /// and `$@<id>` written; a rejected promise is an error.
    fn promise_ref(&mut self, out: &mut Vec<u8>, id: NodeId, state: &PromiseState) -> Result<()> {
        let pid = self.alloc();
        let w = self.st.paths.whole("$@", pid);
        self.st.written.insert(id, w);
        match state {
            PromiseState::Fulfilled(v) => self.st.tasks.push_back(Task::Promise { id: pid, value: v.clone(), hops: 0 }),
            PromiseState::Rejected(reason) => return Err(self.rejection(reason)),
            // Its `then` callback runs once the host settles it.
            PromiseState::Pending => self.park(id, Task::Promise { id: pid, value: Value::Node(id), hops: 0 }),
        }
        write_ref(out, "$@", pid);
        Ok(())
    }

    /// `resolveToJSON(key, value)` for one value whose holder has `parent` as
    /// its recorded path.
    fn write_value(
        &mut self,
        out: &mut Vec<u8>,
        parent: Option<&Ref>,
        key: Key<'_>,
        v: &Value,
        stack: &mut Vec<Frame>,
    ) -> Result<Step> {
        match v {
            Value::Symbol(_) => self.temp_or(out, parent, &key, MSG_SYMBOL)?,
            Value::Node(id) => return self.write_node(out, parent, key, *id, stack),
            v => {
                write_primitive(out, v);
            }
        }
        Ok(Step::Done)
    }

    /// Functions and symbols: `$T` when temporary references are on and the
    /// position has a path; otherwise React's error.
    fn temp_or(&mut self, out: &mut Vec<u8>, parent: Option<&Ref>, key: &Key<'_>, message: &str) -> Result<()> {
        if self.opts.temporary_references && !key.has_colon() && parent.is_some() {
            write_str_slice(out, "$T");
            Ok(())
        } else {
            Err(unsupported(message))
        }
    }

    fn write_node(
        &mut self,
        out: &mut Vec<u8>,
        parent: Option<&Ref>,
        key: Key<'_>,
        id: NodeId,
        stack: &mut Vec<Frame>,
    ) -> Result<Step> {
        let node = self.g.view(id);
        // Non-objects first: functions and symbols never get a path.
        match node {
            NodeRef::ServerReference(r) => {
                let (fn_id, bound) = (&r.id, &r.bound);
                if let Some(&r) = self.st.written.get(&id) {
                    self.st.paths.write(out, r);
                    return Ok(Step::Done);
                }
                let bound_json = match bound {
                    Some(args) => {
                        let pid = self.alloc();
                        self.st.tasks.push_back(Task::Bound { id: pid, args: args.clone() });
                        format!("\"$@{pid:x}\"")
                    }
                    None => "null".to_string(),
                };
                let mut meta = b"{\"id\":".to_vec();
                crate::model::write_escaped(&mut meta, fn_id);
                meta.extend_from_slice(b",\"bound\":");
                meta.extend_from_slice(bound_json.as_bytes());
                meta.push(b'}');
                let mid = self.alloc();
                let meta = String::from_utf8(meta)
                    .map_err(|_| Error::new(ErrorKind::Internal { what: "encoder wrote invalid UTF-8" }))?;
                self.append(mid.to_string(), FormEntry::Text(meta.into()));
                write_str_slice(out, &format!("$h{mid:x}"));
                let r = self.st.paths.whole("$h", mid);
                self.st.written.insert(id, r);
                return Ok(Step::Done);
            }
            NodeRef::Function(_) | NodeRef::ClientReference(_) | NodeRef::UnregisteredSymbol(_) => {
                let msg = if matches!(node, NodeRef::UnregisteredSymbol(_)) { MSG_SYMBOL } else { MSG_FUNCTION };
                self.temp_or(out, parent, &key, msg)?;
                return Ok(Step::Done);
            }
            NodeRef::Element(_) => {
                if self.opts.temporary_references
                    && ((!key.has_colon() && parent.is_some()) || self.st.model_root == Some(id))
                {
                    if self.st.model_root == Some(id) {
                        self.st.model_root = None;
                    }
                    write_str_slice(out, "$T");
                    return Ok(Step::Done);
                }
                return Err(unsupported(MSG_ELEMENT));
            }
            _ => {}
        }
        // Promises: deduplicated by their `$@` id, never by path.
        if let NodeRef::Promise(state) = node {
            if let Some(r) = self.st.written.get(&id) {
                if self.st.model_root == Some(id) {
                    self.st.model_root = None;
                } else {
                    self.st.paths.write(out, *r);
                    return Ok(Step::Done);
                }
            }
            self.promise_ref(out, id, state)?;
            return Ok(Step::Done);
        }
        // Every other object: a reference if written before, else record its path.
        let mut path = None;
        match self.st.written.get(&id) {
            Some(&r) if self.st.model_root != Some(id) => {
                self.st.paths.write(out, r);
                return Ok(Step::Done);
            }
            Some(r) => {
                self.st.model_root = None;
                path = Some(*r);
            }
            None => {
                if let (false, Some(p)) = (key.has_colon(), parent) {
                    let r = key.append_to(&mut self.st.paths, *p);
                    self.st.written.insert(id, r);
                    path = Some(r);
                }
            }
        }
        match node {
            NodeRef::Array(_) | NodeRef::Object(_) => {
                if path.is_none() && !self.st.pathless.insert(id) {
                    return Err(unsupported("Converting circular structure to JSON"));
                }
                if matches!(node, NodeRef::Array(_)) {
                    out.push(b'[');
                    stack.push(Frame::Array { node: id, i: 0, path });
                    Ok(Step::Done)
                } else {
                    out.push(b'{');
                    let order = match node {
                        NodeRef::Object(pairs) => object_order(self.g, id, pairs),
                        _ => None,
                    };
                    stack.push(Frame::Object { node: id, i: 0, path, order });
                    Ok(Step::Done)
                }
            }
            NodeRef::FormData(entries) => {
                let fid = self.alloc();
                for (k, e) in entries {
                    let name = format!("_{fid}_{}", k.to_string_lossy());
                    let e = match e {
                        FormEntry::Text(t) => FormEntry::Text(t.to_string_lossy().into_owned().into()),
                        FormEntry::File(f) => FormEntry::File(Blob {
                            name: Some(f.name.clone().unwrap_or_else(|| JsString::from_static("blob"))),
                            ..f.clone()
                        }),
                    };
                    self.append(name, e);
                }
                write_ref(out, "$K", fid);
                Ok(Step::Done)
            }
            NodeRef::Map(_) => Ok(Step::Outline { id: self.alloc(), model: Fresh::Entries(id), tag: "$Q" }),
            NodeRef::Set(_) => Ok(Step::Outline { id: self.alloc(), model: Fresh::Items(id), tag: "$W" }),
            NodeRef::ArrayBuffer(bytes) => {
                let bid = self.alloc();
                self.append_blob(
                    bid,
                    Blob { name: None, content_type: JsString::new(), bytes: bytes::Bytes::clone(bytes) },
                );
                write_ref(out, "$A", bid);
                Ok(Step::Done)
            }
            NodeRef::TypedArray { kind, bytes } => {
                let bid = self.alloc();
                self.append_blob(
                    bid,
                    Blob { name: None, content_type: JsString::new(), bytes: bytes::Bytes::clone(bytes) },
                );
                write_str_slice(out, &format!("${}{bid:x}", kind.tag() as char));
                Ok(Step::Done)
            }
            NodeRef::Blob(blob) => {
                let bid = self.alloc();
                self.append_blob(bid, blob.clone());
                write_ref(out, "$B", bid);
                Ok(Step::Done)
            }
            NodeRef::Iterator(_) => Ok(Step::Outline { id: self.alloc(), model: Fresh::Items(id), tag: "$i" }),
            NodeRef::Stream(s) => {
                // Reading a ReadableStream locks it: a second read (the same
                // stream written again where it has no path) fails as in JavaScript.
                if matches!(s.kind, StreamKind::Readable | StreamKind::Bytes) && !self.st.locked.insert(id) {
                    return Err(unsupported("Invalid state: ReadableStream is locked"));
                }
                // A stream started from its own read (an iterable yielding or
                // returning itself where it has no path) would never end: in
                // JavaScript each read starts another. Refuse it.
                // (An async iterator is read once, so it ends: see below.)
                let mut up = if s.kind == StreamKind::AsyncIterator { None } else { self.st.reading };
                while let Some(parent) = up {
                    let Some(&(node, grand)) = self.st.stream_parent.get(&parent) else { break };
                    if node == id {
                        return Err(unsupported("a stream that yields or returns itself would never end"));
                    }
                    up = grand;
                }
                let sid = self.alloc();
                self.st.stream_parent.insert(sid, (id, self.st.reading));
                if s.kind == StreamKind::AsyncIterator && !self.st.iterated.insert(id) {
                    // An async iterator is its own iterator: written again
                    // where it has no path (its own return value, say), it
                    // reads as done, so this stream closes at once. (Were the
                    // first read still going, JavaScript would interleave the
                    // two; we write the second as done.)
                    self.st.tasks.push_back(Task::Done { id: sid });
                } else if s.kind == StreamKind::Bytes {
                    self.st.tasks.push_back(Task::ReadBytes {
                        node: id,
                        id: sid,
                        chunk: 0,
                        offset: 0,
                        buffer: Vec::new(),
                    });
                } else {
                    self.st.tasks.push_back(Task::Read { node: id, id: sid, index: 0 });
                }
                write_str_slice(out, &format!("${}{sid:x}", s.kind.tag() as char));
                Ok(Step::Done)
            }
            // React's encodeReply outlines a resolved lazy as a part of its own;
            // lazies only come from responses, and are not encoded back yet.
            NodeRef::Lazy(_) => Err(unsupported("React.lazy values cannot be encoded yet")),
            NodeRef::Instance(_) | NodeRef::Error(_) | NodeRef::TemporaryReference(_) => {
                if self.opts.temporary_references {
                    write_str_slice(out, "$T");
                    Ok(Step::Done)
                } else {
                    Err(unsupported(MSG_INSTANCE))
                }
            }
            NodeRef::Promise(_)
            | NodeRef::ServerReference(_)
            | NodeRef::Function(_)
            | NodeRef::ClientReference(_)
            | NodeRef::UnregisteredSymbol(_)
            | NodeRef::Element(_) => unreachable_frame(),
        }
    }

    /// What an async generator sees of a value it yields or returns: it awaits
    /// promises. `None` when the promise is pending (`task` is parked on it).
    /// Other streams take values as they are.
    fn awaited(&mut self, kind: StreamKind, v: Value, task: Task) -> Result<Option<Value>> {
        if !matches!(kind, StreamKind::AsyncIterable | StreamKind::AsyncIterator) {
            return Ok(Some(v));
        }
        if let Some((p, NodeRef::Promise(PromiseState::Pending))) = v.as_node().map(|n| (n, self.g.view(n))) {
            self.park(p, task);
            return Ok(None);
        }
        self.flatten(v).map(Some)
    }

    /// A promise resolved with a promise adopts its state (JavaScript flattens).
    fn flatten(&self, mut value: Value) -> Result<Value> {
        let mut hops = 0usize;
        while let Some(NodeRef::Promise(state)) = value.as_node().map(|n| self.g.view(n)) {
            hops += 1;
            if hops > self.g.len() {
                return Err(unsupported("Chaining cycle detected for promise #<Promise>"));
            }
            value = match state {
                PromiseState::Fulfilled(v) => v.clone(),
                PromiseState::Rejected(r) => return Err(self.rejection(r)),
                PromiseState::Pending => return Err(ErrorKind::Pending.into()),
            };
        }
        Ok(value)
    }

    fn rejection(&self, reason: &Value) -> Error {
        let message = match reason {
            Value::String(s) => s.to_string_lossy().into_owned(),
            Value::Node(n) => match self.g.view(*n) {
                NodeRef::Error(e) => e.message.to_string_lossy().into_owned(),
                _ => "rejected".to_string(),
            },
            _ => "rejected".to_string(),
        };
        unsupported(&message)
    }

    /// Runs queued tasks (microtasks) until none is runnable.
    fn drain(&mut self) -> Result<()> {
        while let Some(task) = self.st.tasks.pop_front() {
            self.run_task(task)?;
        }
        Ok(())
    }

    /// Parks a task until `node` (a promise or stream) changes.
    fn park(&mut self, node: NodeId, task: Task) {
        let tasks = self.st.parked.entry(node).or_default();
        if tasks.is_empty() {
            self.st.park_order.push(node);
        }
        tasks.push(task);
    }

    fn run_task(&mut self, task: Task) -> Result<()> {
        match task {
            Task::Wait(inner) => self.st.tasks.push_back(*inner),
            Task::Promise { id, value, hops } => {
                // A promise resolved with another promise adopts it, which
                // takes two more microtask turns than a plain value.
                if let Some((node, NodeRef::Promise(state))) = value.as_node().map(|n| (n, self.g.view(n))) {
                    // A chain longer than the graph cycles (a promise fulfilled
                    // with itself, which JavaScript cannot build either).
                    if hops > self.g.len() {
                        return Err(unsupported("Chaining cycle detected for promise #<Promise>"));
                    }
                    let hops = hops + 1;
                    let inner = match state {
                        PromiseState::Fulfilled(v) => v.clone(),
                        PromiseState::Rejected(reason) => return Err(self.rejection(reason)),
                        PromiseState::Pending => {
                            self.park(node, Task::Promise { id, value, hops });
                            return Ok(());
                        }
                    };
                    // A parked promise that was settled is the promise itself: no adoption delay.
                    if self.st.written.get(&node).is_some_and(|r| self.st.paths.is_whole(*r, "$@", id)) {
                        self.st.tasks.push_back(Task::Promise { id, value: inner, hops });
                    } else {
                        self.st.tasks.push_back(Task::Wait(Box::new(Task::Promise { id, value: inner, hops })));
                    }
                    return Ok(());
                }
                // (Not a promise: nothing to flatten.)
                let json = match value.as_node().and_then(|n| self.st.written.get(&n)).copied() {
                    Some(r) => {
                        let mut out = self.st.buffer(PART_CAPACITY);
                        self.st.paths.write(&mut out, r);
                        out
                    }
                    None => self.serialize_model(Item::V(value), id)?,
                };
                self.st.append_text(decimal(id), json);
            }
            Task::Bound { id, args } => {
                let json = self.serialize_model(Item::List(args.into_iter().map(Item::V).collect()), id)?;
                self.st.append_text(decimal(id), json);
            }
            Task::Done { id } => self.append(format!("S{id}"), FormEntry::Text("C".into())),
            Task::Read { node, id, index } => {
                let NodeRef::Stream(s) = self.g.view(node) else {
                    return Ok(());
                };
                let name = format!("S{id}");
                if index < s.items.len() {
                    let Some(item) = self.awaited(s.kind, s.items[index].clone(), Task::Read { node, id, index })?
                    else {
                        return Ok(());
                    };
                    self.st.reading = Some(id);
                    let json = self.serialize(Item::V(item), None);
                    self.st.reading = None;
                    self.st.append_text(name, json?);
                    self.st.tasks.push_back(Task::Read { node, id, index: index + 1 });
                } else {
                    match &s.end {
                        StreamEnd::Closed(ret) => {
                            let Some(ret) = self.awaited(s.kind, ret.clone(), Task::Read { node, id, index })? else {
                                return Ok(());
                            };
                            let mut text = b"C".to_vec();
                            if !matches!(ret, Value::Undefined)
                                && matches!(s.kind, StreamKind::AsyncIterator | StreamKind::AsyncIterable)
                            {
                                self.st.reading = Some(id);
                                let json = self.serialize(Item::V(ret), None);
                                self.st.reading = None;
                                text.extend_from_slice(&json?);
                            }
                            self.st.append_text(name, text);
                        }
                        StreamEnd::Errored(reason) => return Err(self.rejection(reason)),
                        StreamEnd::Open => self.park(node, Task::Read { node, id, index }),
                    }
                }
            }
            Task::ReadBytes { node, id, chunk, offset, mut buffer } => {
                let NodeRef::Stream(s) = self.g.view(node) else {
                    return Ok(());
                };
                let chunk_bytes = s.items.get(chunk).map(|v| match v.as_node().map(|n| self.g.view(n)) {
                    Some(NodeRef::TypedArray { bytes, .. }) | Some(NodeRef::ArrayBuffer(bytes)) => Ok(bytes.clone()),
                    _ => Err(unsupported("The stream is not in a state that permits enqueue")),
                });
                match chunk_bytes {
                    Some(bytes) => {
                        let bytes = bytes?;
                        let take = (bytes.len() - offset).min(1024);
                        buffer.extend_from_slice(&bytes[offset..offset + take]);
                        let (chunk, offset) =
                            if offset + take >= bytes.len() { (chunk + 1, 0) } else { (chunk, offset + take) };
                        self.st.tasks.push_back(Task::ReadBytes { node, id, chunk, offset, buffer });
                    }
                    None => match &s.end {
                        StreamEnd::Closed(_) => {
                            let bid = self.alloc();
                            self.append_blob(
                                bid,
                                Blob { name: None, content_type: JsString::new(), bytes: buffer.into() },
                            );
                            self.append(format!("S{id}"), FormEntry::Text(format!("\"$o{bid:x}\"").into()));
                            self.append(format!("S{id}"), FormEntry::Text(JsString::from_static("C")));
                        }
                        StreamEnd::Errored(reason) => return Err(self.rejection(reason)),
                        StreamEnd::Open => self.park(node, Task::ReadBytes { node, id, chunk, offset, buffer }),
                    },
                }
            }
        }
        Ok(())
    }
}

/// The room of the body's buffer `cur` (a Map or Set at the root, say) goes
/// to the nested part about to start in `out`, which is likely the larger:
/// the enclosing part's few bytes move to `out`'s buffer, which `cur` takes.
#[cold]
#[inline(never)]
fn hand_over_room(cur: &mut Vec<u8>, out: &mut Vec<u8>) {
    out.extend_from_slice(cur);
    std::mem::swap(cur, out);
    out.clear();
}

/// Pops a finished array or object frame. Such a frame owns nothing unless
/// it holds a property order, so it is not put through `Frame`'s drop glue
/// (a call per container) when it has none.
#[inline(always)]
fn pop_plain(stack: &mut Vec<Frame>) {
    match stack.pop() {
        Some(f @ (Frame::Array { .. } | Frame::Object { order: None, .. })) => std::mem::forget(f),
        other => drop(other),
    }
}

/// JavaScript's property order for the pairs of object `id`, when they are
/// not already in it: only array-index keys (which start with a digit) move,
/// and an object whose shape has none is not looked at.
#[inline]
fn object_order(g: &Graph, id: NodeId, pairs: Members<'_>) -> Option<Vec<usize>> {
    if !g.may_reorder(id) {
        return None;
    }
    if pairs.iter().any(|(k, _)| k.first_byte().is_some_and(|b| b.is_ascii_digit())) {
        crate::value::property_order(pairs.iter().map(|(k, _)| k.as_wtf8()))
    } else {
        None
    }
}

/// What [`write_primitive`] writes.
#[inline]
fn is_primitive(v: &Value) -> bool {
    !matches!(v, Value::Symbol(_) | Value::Node(_))
}

/// Writes a value that is neither an object nor a symbol (those need the
/// encoder's state); `false`, with nothing written, for those.
#[inline(always)]
fn write_primitive(out: &mut Vec<u8>, v: &Value) -> bool {
    match v {
        Value::Undefined => out.extend_from_slice(b"\"$undefined\""),
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => write_js_number(out, *n),
        Value::String(s) => {
            write_escaped(out, s);
        }
        Value::BigInt(b) => write_plain(out, "$n", b.as_bytes()),
        Value::Date(d) => {
            let start = out.len();
            out.extend_from_slice(b"\"$D");
            if write_iso(out, *d) {
                out.push(b'"');
            } else {
                out.truncate(start);
                out.extend_from_slice(b"null");
            }
        }
        Value::Symbol(_) | Value::Node(_) => return false,
    }
    true
}

#[cold]
fn unreachable_frame() -> ! {
    unreachable!("frames are only pushed for the node kinds they walk")
}

/// A sans-IO reply encoder for values with promises and streams that settle
/// later, as `encodeReply` waits for them.
///
/// Build the value with pending promises ([`PromiseState::Pending`]) or open
/// streams ([`StreamEnd::Open`]), then report what happens to them with
/// [`resolve`](Self::resolve), [`reject`](Self::reject), [`push`](Self::push)
/// and [`close`](Self::close). FormData entries become available in order as
/// soon as they are final ([`poll_entry`](Self::poll_entry)); the body is
/// complete once nothing is pending ([`is_complete`](Self::is_complete),
/// [`finish`](Self::finish)). Nothing here blocks or touches I/O.
///
/// ```
/// use flight_codec::reply::ReplyEncoder;
/// use flight_codec::value::{Graph, Node, PromiseState, Value};
///
/// let mut g = Graph::new();
/// let p = g.add(Node::Promise(PromiseState::Pending));
/// let root = g.add_value(Node::Object(vec![("p".into(), Value::Node(p))]));
/// g.set_root(root);
///
/// let mut enc = ReplyEncoder::new(g, Default::default())?;
/// assert_eq!(enc.poll_entry().unwrap().0, "0"); // the root can go out right away
/// assert!(!enc.is_complete());
/// enc.resolve(p, "later".into())?;
/// let (name, _) = enc.poll_entry().unwrap();
/// assert_eq!(name, "1");
/// assert!(enc.is_complete());
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub struct ReplyEncoder {
    graph: Graph,
    opts: EncodeOptions,
    st: State,
    text: Option<String>,
    sent: usize,
}

impl ReplyEncoder {
    /// Runs the synchronous pass and everything already settled.
    ///
    /// # Errors
    /// As [`encode`], except that pending values are waited for.
    ///
    /// ```
    /// use flight_codec::{reply::ReplyEncoder, value::Graph};
    /// let enc = ReplyEncoder::new(Graph::from_value(1.0.into()), Default::default())?;
    /// assert!(enc.is_complete());
    /// assert_eq!(enc.finish()?.as_text(), Some("1"));
    /// # Ok::<(), flight_codec::Error>(())
    /// ```
    pub fn new(graph: Graph, opts: EncodeOptions) -> Result<Self> {
        let mut st = State::for_graph(&graph);
        let text = start(&graph, &opts, &mut st)?;
        Ok(ReplyEncoder { graph, opts, st, text, sent: 0 })
    }

    /// The graph, for reading.
    ///
    /// ```
    /// use flight_codec::{reply::ReplyEncoder, value::Graph};
    /// let enc = ReplyEncoder::new(Graph::from_value("a".into()), Default::default())?;
    /// assert_eq!(enc.graph().root().as_string().unwrap(), "a");
    /// # Ok::<(), flight_codec::Error>(())
    /// ```
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// The graph, for adding the nodes of values that settle later.
    /// Change pending promises and open streams only through this type's
    /// methods.
    ///
    /// ```
    /// use flight_codec::reply::ReplyEncoder;
    /// use flight_codec::value::{Graph, Node, PromiseState, Value};
    /// let mut g = Graph::new();
    /// let p = g.add(Node::Promise(PromiseState::Pending));
    /// g.set_root(Value::Node(p));
    /// let mut enc = ReplyEncoder::new(g, Default::default())?;
    /// let arr = enc.graph_mut().add_value(Node::Array(vec![]));
    /// enc.resolve(p, arr)?;
    /// assert!(enc.is_complete());
    /// # Ok::<(), flight_codec::Error>(())
    /// ```
    pub fn graph_mut(&mut self) -> &mut Graph {
        &mut self.graph
    }

    fn wake(&mut self, node: NodeId) -> Result<()> {
        if let Some(tasks) = self.st.parked.remove(&node) {
            self.st.tasks.extend(tasks);
            self.st.park_order.retain(|n| *n != node);
        }
        Encoder { g: &self.graph, opts: &self.opts, st: &mut self.st }.drain()
    }

    /// Fulfills a pending promise.
    ///
    /// # Errors
    /// [`ErrorKind::Unsupported`] if the value cannot be encoded.
    ///
    /// ```
    /// use flight_codec::reply::ReplyEncoder;
    /// use flight_codec::value::{Graph, Node, PromiseState, Value};
    /// let mut g = Graph::new();
    /// let p = g.add(Node::Promise(PromiseState::Pending));
    /// g.set_root(Value::Node(p));
    /// let mut enc = ReplyEncoder::new(g, Default::default())?;
    /// enc.resolve(p, 2.0.into())?;
    /// let names: Vec<String> = enc.finish()?.entries().unwrap().iter().map(|(n, _)| n.clone()).collect();
    /// assert_eq!(names, ["0", "1"]);
    /// # Ok::<(), flight_codec::Error>(())
    /// ```
    pub fn resolve(&mut self, promise: NodeId, value: Value) -> Result<()> {
        self.graph.replace(promise, Node::Promise(PromiseState::Fulfilled(value)));
        self.wake(promise)
    }

    /// Rejects a pending promise: like `encodeReply`, the whole encoding
    /// fails with the reason.
    ///
    /// # Errors
    /// Always, with the rejection's message.
    ///
    /// ```
    /// use flight_codec::reply::ReplyEncoder;
    /// use flight_codec::value::{Graph, Node, PromiseState, Value};
    /// let mut g = Graph::new();
    /// let p = g.add(Node::Promise(PromiseState::Pending));
    /// g.set_root(Value::Node(p));
    /// let mut enc = ReplyEncoder::new(g, Default::default())?;
    /// let err = enc.reject(p, "boom".into()).unwrap_err();
    /// assert_eq!(err.kind().name(), "unsupported");
    /// # Ok::<(), flight_codec::Error>(())
    /// ```
    pub fn reject(&mut self, promise: NodeId, reason: Value) -> Result<()> {
        self.graph.replace(promise, Node::Promise(PromiseState::Rejected(reason)));
        self.wake(promise)
    }

    /// Adds an item (a chunk) to an open stream.
    ///
    /// # Errors
    /// [`ErrorKind::Unsupported`] if `stream` is not a stream or the item cannot be encoded.
    ///
    /// ```
    /// use flight_codec::reply::ReplyEncoder;
    /// use flight_codec::value::{Graph, Node, Stream, StreamEnd, StreamKind, Value};
    /// let mut g = Graph::new();
    /// let s = g.add(Node::Stream(Box::new(Stream { kind: StreamKind::Readable, items: vec![], end: StreamEnd::Open })));
    /// g.set_root(Value::Node(s));
    /// let mut enc = ReplyEncoder::new(g, Default::default())?;
    /// enc.push(s, 1.0.into())?;
    /// assert!(!enc.is_complete());
    /// # Ok::<(), flight_codec::Error>(())
    /// ```
    pub fn push(&mut self, stream: NodeId, item: Value) -> Result<()> {
        match self.graph.node_mut(stream) {
            Some(Node::Stream(s)) => s.items.push(item),
            _ => return Err(unsupported("not a stream")),
        }
        self.wake(stream)
    }

    /// Closes an open stream; `ret` is an async iterator's return value
    /// (`undefined` otherwise).
    ///
    /// # Errors
    /// [`ErrorKind::Unsupported`] if `stream` is not a stream or `ret` cannot be encoded.
    ///
    /// ```
    /// use flight_codec::reply::ReplyEncoder;
    /// use flight_codec::value::{Graph, Node, Stream, StreamEnd, StreamKind, Value};
    /// let mut g = Graph::new();
    /// let s = g.add(Node::Stream(Box::new(Stream { kind: StreamKind::Readable, items: vec![], end: StreamEnd::Open })));
    /// g.set_root(Value::Node(s));
    /// let mut enc = ReplyEncoder::new(g, Default::default())?;
    /// enc.close(s, Value::Undefined)?;
    /// assert!(enc.is_complete());
    /// # Ok::<(), flight_codec::Error>(())
    /// ```
    pub fn close(&mut self, stream: NodeId, ret: Value) -> Result<()> {
        match self.graph.node_mut(stream) {
            Some(Node::Stream(s)) => s.end = StreamEnd::Closed(ret),
            _ => return Err(unsupported("not a stream")),
        }
        self.wake(stream)
    }

    /// The pending promises and open streams the body is waiting for, in the
    /// order the encoder first waited for them.
    ///
    /// ```
    /// use flight_codec::reply::ReplyEncoder;
    /// use flight_codec::value::{Graph, Node, PromiseState, Value};
    /// let mut g = Graph::new();
    /// let p = g.add(Node::Promise(PromiseState::Pending));
    /// g.set_root(Value::Node(p));
    /// let mut enc = ReplyEncoder::new(g, Default::default())?;
    /// assert_eq!(enc.waiting(), [p]);
    /// enc.resolve(p, Value::Null)?;
    /// assert!(enc.waiting().is_empty());
    /// # Ok::<(), flight_codec::Error>(())
    /// ```
    pub fn waiting(&self) -> Vec<NodeId> {
        let mut seen = HashSet::new();
        self.st.park_order.iter().copied().filter(|n| self.st.parked.contains_key(n) && seen.insert(*n)).collect()
    }

    /// The next FormData entry that is final, in body order.
    ///
    /// ```
    /// use flight_codec::reply::ReplyEncoder;
    /// use flight_codec::value::{Graph, Node, PromiseState, Value};
    /// let mut g = Graph::new();
    /// let p = g.add(Node::Promise(PromiseState::Pending));
    /// g.set_root(Value::Node(p));
    /// let mut enc = ReplyEncoder::new(g, Default::default())?;
    /// assert_eq!(enc.poll_entry().unwrap().0, "0");
    /// assert!(enc.poll_entry().is_none());
    /// # Ok::<(), flight_codec::Error>(())
    /// ```
    pub fn poll_entry(&mut self) -> Option<(String, FormEntry)> {
        self.st.seal();
        let e = self.st.entries.get(self.sent)?.clone();
        self.sent += 1;
        Some(e)
    }

    /// `true` once nothing is pending: the body is complete.
    ///
    /// ```
    /// use flight_codec::reply::ReplyEncoder;
    /// use flight_codec::value::{Graph, Node, PromiseState, Value};
    /// let mut g = Graph::new();
    /// let p = g.add(Node::Promise(PromiseState::Pending));
    /// g.set_root(Value::Node(p));
    /// let mut enc = ReplyEncoder::new(g, Default::default())?;
    /// assert!(!enc.is_complete());
    /// enc.resolve(p, Value::Null)?;
    /// assert!(enc.is_complete());
    /// # Ok::<(), flight_codec::Error>(())
    /// ```
    pub fn is_complete(&self) -> bool {
        self.st.parked.is_empty() && self.st.tasks.is_empty()
    }

    /// The whole body.
    ///
    /// # Errors
    /// [`ErrorKind::Pending`] if something is still pending.
    ///
    /// ```
    /// use flight_codec::reply::ReplyEncoder;
    /// use flight_codec::value::{Graph, Node, PromiseState, Value};
    /// let mut g = Graph::new();
    /// let p = g.add(Node::Promise(PromiseState::Pending));
    /// g.set_root(Value::Node(p));
    /// let enc = ReplyEncoder::new(g, Default::default())?;
    /// assert_eq!(enc.finish().unwrap_err().kind(), &flight_codec::ErrorKind::Pending);
    /// # Ok::<(), flight_codec::Error>(())
    /// ```
    pub fn finish(mut self) -> Result<Body> {
        if let Some(text) = self.text {
            return Ok(Body::Text(text));
        }
        if !self.is_complete() {
            return Err(ErrorKind::Pending.into());
        }
        self.st.seal();
        Ok(Body::Form(self.st.entries))
    }
}

#[cfg(test)]
mod entry_tests {
    use super::*;

    /// Array-index keys come first, ascending, as `JSON.stringify` writes
    /// them; objects whose shape has no key starting with a digit are
    /// written as they are (a shape remembers whether it has one), and so
    /// are keys that only look like indices.
    #[test]
    fn index_keys_are_written_first_whatever_the_shape() {
        let object = |keys: &[&str]| {
            Node::Object(keys.iter().enumerate().map(|(i, k)| (JsString::from(*k), Value::Number(i as f64))).collect())
        };
        let mut g = Graph::new();
        let a = g.add_value(object(&["b", "1", "a", "0"]));
        let b = g.add_value(object(&["b", "a"]));
        let c = g.add_value(object(&["01", "b", "4294967295", "7"]));
        let d = g.add_value(object(&["b", "1", "a", "0"]));
        let root = g.add_value(Node::Array(vec![a, b, c, d]));
        g.set_root(root);
        let body = encode(&g, &EncodeOptions::default()).unwrap();
        assert_eq!(
            body.as_text(),
            Some(concat!(
                r#"[{"0":3,"1":1,"b":0,"a":2},{"b":0,"a":1},"#,
                r#"{"7":3,"01":0,"b":1,"4294967295":2},{"0":3,"1":1,"b":0,"a":2}]"#
            ))
        );
    }

    #[test]
    fn texts_of_shared_buffers_read_as_their_own() {
        let buf =
            std::sync::Arc::new(bytes::Bytes::from_static("0123456789abcdefghijé漢xyz0123456789abcdefghij".as_bytes()));
        let other = std::sync::Arc::new(bytes::Bytes::from_static(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnop"));
        let bad = std::sync::Arc::new(bytes::Bytes::from_static(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ\xff abcdefghijklmnop"));
        let texts = [
            JsString::share_wtf8_unchecked(&buf, 0, 20),
            JsString::share_wtf8_unchecked(&buf, 20, 40),
            JsString::share_wtf8_unchecked(&other, 0, 26),
            JsString::share_wtf8_unchecked(&buf, 5, 25),
            JsString::share_wtf8_unchecked(&bad, 0, 26),
            JsString::share_wtf8_unchecked(&bad, 27, 44),
            JsString::from_utf16(&[0x61, 0xd800]),
            "short".into(),
        ];
        let entries: Vec<(String, FormEntry)> =
            texts.iter().enumerate().map(|(i, t)| (i.to_string(), FormEntry::Text(t.clone()))).collect();
        let refs = entry_refs(&entries);
        for (t, r) in texts.iter().zip(&refs) {
            let crate::multipart::EntryRef::Text { value, .. } = r else { panic!("a text") };
            assert_eq!(*value, t.as_str().unwrap_or("\u{fffd}"));
        }
        let more =
            [JsString::new(), "1".into(), "12345678901234567890".into(), JsString::share_wtf8_unchecked(&buf, 0, 0)];
        for t in texts.iter().chain(&more) {
            assert_eq!(t.first_byte(), t.as_wtf8().first().copied());
        }
    }
}
