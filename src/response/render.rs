//! Rendering models into rows, as React 19.3.1's production
//! `renderModelDestructive` / `resolveModel` / `retryTask` do.
//!
//! The walk is iterative (a frame stack), so nesting depth costs heap, not
//! stack. Values outlined while a row is being written (Map entries, long
//! strings, typed arrays, symbols, client references, server references)
//! get their ids and rows at the moment React gives them theirs, so ids and
//! row order match React's.

use crate::value::node_map::NodeSet;

use bytes::Bytes;

use super::describe::{self, Member, Parent};
use super::encode::{Job, State, TaskState, Thrown};
use crate::json::enc::{has_colon, write_escaped, write_iso, write_js_number, write_key, write_ref};
use crate::json::write_str_slice;
use crate::model::write_plain;
use crate::paths::{PathKey, Ref};
use crate::value::{Blob, FormEntry, Graph, JsString, NodeId, NodeRef, PromiseState, StreamKind, Value};

/// A value made up by the encoder while rendering (React's fresh arrays and
/// objects: Map entries, a blob's parts, a server reference's `{id, bound}`).
#[derive(Clone, Debug)]
pub(super) enum Item {
    /// A value of the graph.
    V(Value),
    /// A string.
    Str(JsString),
    /// A `Uint8Array` (a blob's bytes).
    Chunk(Bytes),
    /// A blob or file (a FormData file entry).
    Blob(Box<Blob>),
    /// An array.
    List(Vec<Item>),
    /// `Promise.resolve(bound)`: a server reference's bound arguments.
    Bound(Vec<Value>),
    /// The element marker at index 0 of an element tuple (`"$"`).
    Marker,
}

/// A member's key as the walk sees it; made into text only when needed.
#[derive(Clone, Copy)]
enum Key<'k> {
    /// A task's root or a stream chunk: `""`.
    Root,
    Index(usize),
    Name(&'k JsString),
}

impl Key<'_> {
    fn text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Key::Root => "".into(),
            Key::Index(i) => i.to_string().into(),
            Key::Name(s) => s.to_string_lossy(),
        }
    }

    #[inline]
    fn has_colon(&self) -> bool {
        matches!(self, Key::Name(s) if has_colon(s.as_wtf8()))
    }

    /// `/^on[A-Z]/`: React's test for an event handler's name.
    fn is_event_handler(&self) -> bool {
        matches!(self, Key::Name(s) if s.as_wtf8().len() > 2 && s.as_wtf8().starts_with(b"on") && s.as_wtf8()[2].is_ascii_uppercase())
    }

    /// The length React adds to `serializedSize` (UTF-16 units).
    fn units(&self) -> usize {
        match self {
            Key::Root => 0,
            Key::Index(i) => match i {
                0..=9 => 1,
                10..=99 => 2,
                100..=999 => 3,
                _ => i.ilog10() as usize + 1,
            },
            Key::Name(s) => s.len_utf16(),
        }
    }
}

/// A member of a frame: a graph value or a made-up item.
enum Kid<'m> {
    V(&'m Value),
    I(&'m Item),
    /// Entry `.1` of Map `.0`, as a fresh `[key, value]` array.
    Pair(NodeId, usize),
}

/// What a frame walks.
enum Kids {
    Array(NodeId),
    Object(NodeId),
    /// An array made up by the encoder; `true` for an element tuple.
    List(Vec<Item>, bool),
    Obj(Vec<(JsString, Item)>),
    /// The items of a Set or an iterator node, as a fresh array.
    Items(NodeId),
    /// A Map node's entries, as a fresh array of fresh `[key, value]` arrays.
    Entries(NodeId),
    /// One of those pairs: the Map node and the entry's index.
    Pair(NodeId, usize),
    /// The end of outlined task `id`'s row: restores the parent's row (kept
    /// in [`Walker::parents`]) and writes `"<tag><id>"` in it.
    TaskEnd {
        id: u32,
        tag: &'static str,
    },
}

struct Frame {
    kids: Kids,
    i: usize,
    /// The reference to the container (`$0:a`), if it has one.
    path: Option<Ref>,
    /// A graph node walked without a reference (it could be reached again
    /// while it is being written).
    pathless: Option<NodeId>,
}

/// The container a value is rendered in.
#[derive(Clone, Copy)]
enum Holder<'f> {
    /// A task's root: React's `emptyRoot` (`{}`).
    Root,
    /// A stream chunk: React's `{"": value}`.
    Chunk(&'f Value),
    /// A member of a frame's container, with the container's reference.
    Frame(&'f Kids, Option<Ref>),
}

/// What rendering a value left to do.
enum Next {
    /// Written.
    Done,
    /// A container to walk into.
    Walk(Frame),
    /// An array (`object` false) or an object of the graph to walk into,
    /// its reference bookkeeping done ([`Walker::enter`]).
    Enter { node: NodeId, object: bool, path: Option<Ref> },
    /// A container outlined as its own row `id`; `"<tag><id>"` is written
    /// in the parent once that row is done.
    Outline { id: u32, kids: Kids, tag: &'static str },
}

/// Rendering `value` threw (React catches it in `resolveModel`).
pub(super) struct Throw {
    pub thrown: Thrown,
    /// The value being rendered was a lazy or an element: the reference is `$L`.
    pub lazy: bool,
}

fn throw_msg(message: String) -> Throw {
    Throw { thrown: Thrown::Message(message), lazy: false }
}

const MSG_INSTANCE: &str = "Only plain objects, and a few built-ins, can be passed to Client Components from Server Components. Classes or null prototypes are not supported.";
const MSG_FUNCTION: &str = "Functions cannot be passed directly to Client Components unless you explicitly expose it by marking it with \"use server\". Or maybe you meant to call this function rather than return it.";
const MSG_EVENT: &str = "Event handlers cannot be passed to Client Component props.";
const MSG_EVENT_TAIL: &str = "\nIf you need interactivity, consider converting part of this to a Client Component.";
const MSG_TEMP: &str = "Could not reference an opaque temporary reference. This is likely due to misconfiguring the temporaryReferences options on the server.";
/// What a JavaScript engine throws where React's recursion would not end (a
/// value that contains itself without a reference).
pub(super) const MSG_STACK: &str = "Maximum call stack size exceeded";

/// Strings of this many UTF-16 units or more go in their own `T` row.
const TEXT_ROW_MIN: usize = 1024;
/// `serializedSize` past which elements and lazies are deferred to rows of their own.
const DEFER_SIZE: usize = 3200;

/// One rendering pass: a task's row (and the rows it outlines).
pub(super) struct Walker<'a> {
    pub g: &'a Graph,
    pub st: &'a mut State,
    out: Vec<u8>,
    stack: Vec<Frame>,
    /// The rows an outlined row interrupted, innermost last, with their
    /// `serializedSize`.
    parents: Vec<(Vec<u8>, usize)>,
    /// Graph nodes being walked without a reference.
    open: NodeSet,
}

impl<'a> Walker<'a> {
    pub fn new(g: &'a Graph, st: &'a mut State) -> Self {
        Walker { g, st, out: Vec::new(), stack: Vec::new(), parents: Vec::new(), open: NodeSet::default() }
    }

    /// `retryTask`: renders task `id`'s model as its row.
    pub fn task(&mut self, id: u32, model: &Item) {
        let saved = self.st.size;
        // The root row is often the whole response: room for its graph's nodes.
        let capacity = if id == 0 { self.st.room } else { 128 };
        self.out = self.st.row_with(id, capacity);
        // An object or array of the graph (a settled promise's value, most
        // often) is entered here, as `value` would, without its dispatch:
        // it is not written yet (or only as this row), so its reference is
        // the row, `$<id>`.
        if let Item::V(Value::Node(n)) = model {
            if let Some(next) = self.task_root(id, *n) {
                self.run(next);
                self.st.push_row(std::mem::take(&mut self.out));
                self.st.size = saved;
                return;
            }
        }
        let next = match model {
            Item::V(v) => self.value(Holder::Root, Key::Root, v, Some(id)),
            other => self.item(Holder::Root, Key::Root, other, Some(id)),
        };
        match next {
            Err(t) => self.st.errored(self.g, id, &t.thrown),
            Ok(next) => {
                let next = match next {
                    // The walked object is the task's: `writtenObjects.set(model, "$id")`.
                    Next::Walk(mut f) => {
                        let r = self.st.paths.whole("$", id);
                        match f.kids {
                            Kids::Array(n) | Kids::Object(n) => {
                                self.st.written.insert(n, r);
                                f.pathless = None;
                            }
                            _ => {}
                        }
                        f.path = Some(r);
                        Next::Walk(f)
                    }
                    other => other,
                };
                self.run(next);
                self.st.push_row(std::mem::take(&mut self.out));
            }
        }
        self.st.size = saved;
    }

    /// [`Self::task`]'s model when it is an array or an object of the
    /// graph that has no reference other than this row (what `value`,
    /// `node` and `object` do for it, then `task`): `None`, with nothing
    /// done, otherwise.
    #[inline]
    fn task_root(&mut self, id: u32, n: NodeId) -> Option<Next> {
        let object = match self.g.view(n) {
            NodeRef::Object(_) => true,
            NodeRef::Array(_) => false,
            _ => return None,
        };
        match self.st.written.get(&n) {
            Some(&r) if !self.st.paths.is_whole(r, "$", id) => return None,
            Some(_) => {}
            // (Without a reference and already being walked: the general
            // path throws.)
            None if self.open.contains(&n) => return None,
            None => {}
        }
        let r = self.st.paths.whole("$", id);
        self.st.written.insert(n, r);
        Some(Next::Enter { node: n, object, path: Some(r) })
    }

    /// `tryStreamTask` / `emitChunk`: a stream chunk as row `id`.
    pub fn chunk(&mut self, id: u32, kind: StreamKind, v: &Value) {
        let saved = self.st.size;
        if let Value::String(s) = v {
            self.st.text_row(id, s);
        } else if let Some((tag, bytes)) = binary(self.g, v) {
            let tag = if kind == StreamKind::Bytes { b'b' } else { tag };
            self.st.binary_row(id, tag, bytes);
        } else {
            self.out = self.st.row_start(id);
            let next = match self.value(Holder::Chunk(v), Key::Root, v, None) {
                Ok(n) => n,
                Err(t) => Next::Done.after_throw(self, t),
            };
            self.run(next);
            self.st.push_row(std::mem::take(&mut self.out));
        }
        self.st.size = saved;
    }

    /// Walks frames until `first` and everything it opened are written.
    ///
    /// The frames stay on the stack while their members are written (a
    /// member's holder borrows its frame's kids); the members that are not
    /// objects are written in one loop per frame, without a step of the walk
    /// each.
    fn run(&mut self, first: Next) {
        let mut stack = std::mem::take(&mut self.stack);
        // Room for deep values at once (growing the stack frame by frame
        // copies it again at every doubling).
        if stack.capacity() == 0 {
            stack.reserve(self.g.len().clamp(16, 1024));
        }
        let base = stack.len();
        self.push(&mut stack, first);
        let g = self.g;
        while stack.len() > base {
            let Some(frame) = stack.last_mut() else { break };
            let (kids, path) = (&frame.kids, frame.path);
            // Objects and arrays of the graph: their members straight from the node.
            let rendered = match *kids {
                // (Frames of these kinds are only pushed for such nodes.)
                Kids::Object(n) => self.object_members(kids, path, g.members_of(n), &mut frame.i),
                Kids::Array(n) | Kids::Items(n) => self.array_members(kids, path, g.items_of(n), &mut frame.i),
                _ => self.other_members(kids, path, &mut frame.i),
            };
            match rendered {
                // An array or an object of the graph (the common case) is
                // entered here, without a call.
                Some(Ok(Next::Enter { node, object, path })) => self.enter_frame(&mut stack, node, object, path),
                Some(rendered) => {
                    let next = match rendered {
                        Ok(n) => n,
                        Err(t) => Next::Done.after_throw(self, t),
                    };
                    self.push(&mut stack, next);
                }
                None => {
                    let Some(frame) = stack.pop() else { break };
                    match frame.kids {
                        // Likewise closed here: such a frame owns nothing to drop.
                        Kids::Object(_) | Kids::Array(_) => {
                            self.out.push(if matches!(frame.kids, Kids::Object(_)) { b'}' } else { b']' });
                            if let Some(n) = frame.pathless {
                                self.open.remove(&n);
                            }
                            std::mem::forget(frame);
                        }
                        _ => self.close(frame),
                    }
                }
            }
        }
        self.stack = stack;
    }

    /// The members of a frame's container other than a graph object or
    /// array ([`Self::object_members`], [`Self::array_members`]): the
    /// first that needs a step of the walk, `None` past the end.
    #[inline(never)]
    fn other_members(&mut self, kids: &Kids, path: Option<Ref>, at: &mut usize) -> Option<Result<Next, Throw>> {
        let g = self.g;
        loop {
            let i = *at;
            let Some((name, kid)) = member(g, kids, i) else { break None };
            *at += 1;
            if i > 0 {
                self.out.push(b',');
            }
            let key = match name {
                Some(raw) => {
                    self.st.size += write_key(&mut self.out, raw);
                    Key::Name(raw)
                }
                None => {
                    self.st.size += Key::Index(i).units();
                    Key::Index(i)
                }
            };
            let holder = Holder::Frame(kids, path);
            match kid {
                Kid::V(v) | Kid::I(Item::V(v)) => {
                    if !self.leaf(v) {
                        break Some(self.value(holder, key, v, None));
                    }
                }
                Kid::I(it) => break Some(self.item(holder, key, it, None)),
                Kid::Pair(map, entry) => {
                    let NodeRef::Map(entries) = g.view(map) else { break None };
                    let (k, v) = &entries[entry];
                    // A pair of non-objects is written here (no path is
                    // ever made of it); keys `0` and `1` count one each.
                    if !matches!(k, Value::Node(_)) && !matches!(v, Value::Node(_)) {
                        self.out.push(b'[');
                        self.st.size += 2;
                        self.leaf(k);
                        self.out.push(b',');
                        self.leaf(v);
                        self.out.push(b']');
                        continue;
                    }
                    // A key that is not an object with a Set (or an iterator)
                    // of non-objects not written before (a common Map): the
                    // pair, and the Set's row, are written here too, with the
                    // paths and ids the walk would give them.
                    if let (false, Value::Node(set)) = (matches!(k, Value::Node(_)), v) {
                        if self.pair_with_items(holder, key, k, *set) {
                            continue;
                        }
                    }
                    let path = self.member_path(holder, key);
                    break Some(Ok(Next::Walk(Frame { kids: Kids::Pair(map, entry), i: 0, path, pathless: None })));
                }
            }
        }
    }

    /// An object's members from `*at` on, the ones that are not objects
    /// written here: the first that is, rendered (an array or an object of
    /// the graph by [`Self::enter`]), or `None` past the end.
    fn object_members(
        &mut self,
        kids: &Kids,
        path: Option<Ref>,
        (keys, values): (&[JsString], &[Value]),
        at: &mut usize,
    ) -> Option<Result<Next, Throw>> {
        while let (Some(k), Some(v)) = (keys.get(*at), values.get(*at)) {
            if *at > 0 {
                self.out.push(b',');
            }
            *at += 1;
            self.st.size += write_key(&mut self.out, k);
            if let Some(next) = self.member(kids, path, Key::Name(k), v) {
                return Some(next);
            }
        }
        None
    }

    /// [`Self::object_members`] for an array's items (or a Set's, an iterator's).
    fn array_members(
        &mut self,
        kids: &Kids,
        path: Option<Ref>,
        items: &[Value],
        at: &mut usize,
    ) -> Option<Result<Next, Throw>> {
        while let Some(v) = items.get(*at) {
            let i = *at;
            if i > 0 {
                self.out.push(b',');
            }
            *at += 1;
            self.st.size += Key::Index(i).units();
            if let Some(next) = self.member(kids, path, Key::Index(i), v) {
                return Some(next);
            }
        }
        None
    }

    /// One member of [`Self::object_members`] or [`Self::array_members`],
    /// after its key: a leaf is written, an array or object of the graph
    /// entered, a promise written (a row of its own, later); `None` goes on
    /// to the next member, anything else is what the loop returns.
    #[inline(always)]
    fn member(&mut self, kids: &Kids, path: Option<Ref>, key: Key<'_>, v: &Value) -> Option<Result<Next, Throw>> {
        if self.leaf(v) {
            return None;
        }
        if let Value::Node(m) = v {
            let node = self.g.view(*m);
            if let NodeRef::Promise(_) = node {
                self.promise(*m, None);
                return None;
            }
            match self.enter(*m, node, path, key) {
                Some(Next::Done) => return None,
                Some(next) => return Some(Ok(next)),
                None => {}
            }
        }
        Some(self.value(Holder::Frame(kids, path), key, v, None))
    }

    /// A member (of a graph array or object, whose reference is `parent`)
    /// that is an array or an object of the graph: what [`Self::node`] and
    /// [`Self::object`] do for it, with a small [`Next::Enter`] for the
    /// frame (not a whole frame moved out through them). `None`, with
    /// nothing done, for any other node (and for a node without a
    /// reference that is already being walked: the general path throws).
    /// `node` is the member's view, which the caller has taken.
    #[inline(always)]
    fn enter(&mut self, m: NodeId, node: NodeRef<'_>, parent: Option<Ref>, key: Key<'_>) -> Option<Next> {
        let object = match node {
            NodeRef::Object(_) => true,
            NodeRef::Array(_) => false,
            _ => return None,
        };
        if let Some(&r) = self.st.written.get(&m) {
            self.st.paths.write(&mut self.out, r);
            return Some(Next::Done);
        }
        let path = match (key.has_colon(), parent) {
            (false, Some(parent)) => {
                let key = match key {
                    Key::Name(k) => PathKey::Name(k.clone()),
                    Key::Index(i) => PathKey::Index(i),
                    Key::Root => PathKey::Static(""),
                };
                let r = self.st.paths.member(parent, key);
                self.st.written.insert(m, r);
                Some(r)
            }
            _ => {
                if self.open.contains(&m) {
                    return None;
                }
                None
            }
        };
        Some(Next::Enter { node: m, object, path })
    }

    fn push(&mut self, stack: &mut Vec<Frame>, next: Next) {
        match next {
            Next::Done => {}
            Next::Enter { node, object, path } => self.enter_frame(stack, node, object, path),
            Next::Walk(f) => {
                self.out.push(if matches!(f.kids, Kids::Object(_) | Kids::Obj(_)) { b'{' } else { b'[' });
                if let Some(n) = f.pathless {
                    self.open.insert(n);
                }
                stack.push(f);
            }
            Next::Outline { id, kids, tag } => {
                // Room for a large Map's or Set's row at once (growing it
                // from small would copy it many times).
                let members = match kids {
                    Kids::Entries(n) | Kids::Items(n) => match self.g.view(n) {
                        NodeRef::Map(entries) => entries.len() * 2,
                        NodeRef::Set(items) | NodeRef::Iterator(items) => items.len(),
                        _ => 0,
                    },
                    _ => 0,
                };
                let row = self.st.row_with(id, (members * 16).clamp(128, 1 << 20));
                self.parents.push((std::mem::replace(&mut self.out, row), self.st.size));
                stack.push(Frame { kids: Kids::TaskEnd { id, tag }, i: 0, path: None, pathless: None });
                let path = Some(self.st.paths.whole("$", id));
                self.push(stack, Next::Walk(Frame { kids, i: 0, path, pathless: None }));
            }
        }
    }

    /// A Map entry `[k, set]` (at `h[key]`) whose key is not an object and
    /// whose value is a Set or an iterator of non-objects not written
    /// before: the pair and the Set's row written as the frames would
    /// (paths, ids, rows), `true`; `false`, with nothing done, otherwise.
    #[inline(never)]
    fn pair_with_items(&mut self, h: Holder<'_>, key: Key<'_>, k: &Value, set: NodeId) -> bool {
        let Some((items, tag)) = primitive_items(self.g, set) else { return false };
        if self.st.written.get(&set).is_some() {
            return false;
        }
        self.out.push(b'[');
        self.st.size += 2;
        self.leaf(k);
        self.out.push(b',');
        if let Some(pair) = self.member_path(h, key) {
            let r = self.st.paths.member(pair, PathKey::Index(1));
            self.st.written.insert(set, r);
        }
        let id = self.st.alloc();
        self.items_row(id, items, tag);
        self.out.push(b']');
        true
    }

    /// Row `id`, a Set's or an iterator's items that are not objects (as
    /// the frames of [`Next::Outline`] would write it, in one loop), and
    /// `"<tag><id>"` in the row being written.
    #[inline(never)]
    fn items_row(&mut self, id: u32, items: &[Value], tag: &'static str) {
        let saved = self.st.size;
        // Without strings long enough for `T` rows of their own, nothing
        // else adds a regular row meanwhile: the row is written straight
        // into the regular rows' buffer.
        let direct = !items.iter().any(|v| matches!(v, Value::String(s) if s.as_wtf8().len() >= TEXT_ROW_MIN));
        let row = if direct {
            self.st.begin_direct_row(id)
        } else {
            self.st.row_with(id, (items.len() * 16).clamp(128, 1 << 20))
        };
        let parent = std::mem::replace(&mut self.out, row);
        self.out.push(b'[');
        for (i, v) in items.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            self.st.size += Key::Index(i).units();
            self.leaf(v);
        }
        self.out.push(b']');
        let row = std::mem::replace(&mut self.out, parent);
        if direct {
            self.st.end_direct_row(row);
        } else {
            self.st.push_row(row);
        }
        write_ref(&mut self.out, tag, id);
        self.st.size = saved;
    }

    /// Opens the frame of an array or object of the graph ([`Next::Enter`]).
    #[inline(always)]
    fn enter_frame(&mut self, stack: &mut Vec<Frame>, node: NodeId, object: bool, path: Option<Ref>) {
        self.out.push(if object { b'{' } else { b'[' });
        let pathless = if path.is_none() {
            self.open.insert(node);
            Some(node)
        } else {
            None
        };
        let kids = if object { Kids::Object(node) } else { Kids::Array(node) };
        stack.push(Frame { kids, i: 0, path, pathless });
    }

    /// Closes a frame that has written all its members.
    fn close(&mut self, f: Frame) {
        if let Some(n) = f.pathless {
            self.open.remove(&n);
        }
        match f.kids {
            Kids::Object(_) | Kids::Obj(_) => self.out.push(b'}'),
            Kids::Array(_) | Kids::List(..) | Kids::Items(_) | Kids::Entries(_) | Kids::Pair(..) => self.out.push(b']'),
            Kids::TaskEnd { id, tag } => {
                let Some((parent, size)) = self.parents.pop() else { return };
                let row = std::mem::replace(&mut self.out, parent);
                self.st.push_row(row);
                write_ref(&mut self.out, tag, id);
                self.st.size = size;
            }
        }
    }

    /// The path of the container a member is rendered in.
    fn holder_path(&self, h: Holder<'_>) -> Option<Ref> {
        match h {
            Holder::Frame(_, path) => path,
            _ => None,
        }
    }

    /// `renderModelDestructive` of a made-up item.
    fn item(&mut self, h: Holder<'_>, key: Key<'_>, item: &Item, root: Option<u32>) -> Result<Next, Throw> {
        match item {
            Item::V(v) => self.value(h, key, v, root),
            Item::Str(s) => {
                self.string(s);
                Ok(Next::Done)
            }
            Item::Marker => {
                write_str_slice(&mut self.out, "$");
                Ok(Next::Done)
            }
            Item::Chunk(b) => {
                let id = self.st.alloc();
                self.st.binary_row(id, b'o', b.clone());
                self.reference("$", id);
                Ok(Next::Done)
            }
            Item::Blob(b) => {
                let id = self.blob(b);
                self.reference("$B", id);
                Ok(Next::Done)
            }
            Item::List(items) => {
                let path = self.member_path(h, key);
                Ok(Next::Walk(Frame { kids: Kids::List(items.clone(), false), i: 0, path, pathless: None }))
            }
            Item::Bound(args) => {
                let id = self.st.alloc();
                self.st.tasks.insert(id, TaskState::Promise);
                let model = Item::List(args.iter().cloned().map(Item::V).collect());
                self.st.microtasks.push_back(Job::Ping { task: id, model });
                self.reference("$@", id);
                Ok(Next::Done)
            }
        }
    }

    /// The reference a fresh container at `h[key]` gets: `parent:key`.
    fn member_path(&mut self, h: Holder<'_>, key: Key<'_>) -> Option<Ref> {
        if key.has_colon() {
            return None;
        }
        let parent = self.holder_path(h)?;
        Some(self.st.paths.member(parent, tuple_key(h, key)))
    }

    fn reference(&mut self, tag: &str, id: u32) {
        write_ref(&mut self.out, tag, id);
    }

    /// A string member: its own `T` row from 1024 UTF-16 units, else escaped.
    fn string(&mut self, s: &JsString) {
        let bytes = s.as_wtf8();
        // Fewer bytes than TEXT_ROW_MIN means fewer UTF-16 units too.
        if bytes.len() < TEXT_ROW_MIN {
            let ascii = write_escaped(&mut self.out, s);
            // The size is only compared with DEFER_SIZE, and only grows
            // until it is set back to a size saved before: once past it,
            // any growth gives the same answers (the text is not counted).
            let exact = !ascii && self.st.size <= DEFER_SIZE;
            self.st.size += if exact { crate::value::string::utf16_units(bytes) } else { bytes.len() };
            return;
        }
        let units = s.len_utf16();
        self.st.size += units;
        if units >= TEXT_ROW_MIN {
            let id = self.st.alloc();
            self.st.text_row(id, s);
            self.reference("$", id);
        } else {
            write_escaped(&mut self.out, s);
        }
    }

    /// `renderModelDestructive` of a graph value; `root` is the task id when
    /// `v` is a task's model.
    fn value(&mut self, h: Holder<'_>, key: Key<'_>, v: &Value, root: Option<u32>) -> Result<Next, Throw> {
        match v {
            Value::Node(n) => return self.node(h, key, *n, root),
            // A task's root date is rendered without `toJSON` (`"$Dnull"`
            // when invalid), and its text is not counted.
            Value::Date(d) if root.is_some() => {
                let start = self.out.len();
                self.out.extend_from_slice(b"\"$D");
                if write_iso(&mut self.out, *d) {
                    self.out.push(b'"');
                } else {
                    self.out.truncate(start);
                    write_str_slice(&mut self.out, "$Dnull");
                }
            }
            v => {
                self.leaf(v);
            }
        }
        Ok(Next::Done)
    }

    /// `renderModelDestructive` of a member that is not an object: `false`
    /// (nothing written) for an object.
    #[inline(always)]
    fn leaf(&mut self, v: &Value) -> bool {
        match v {
            Value::Undefined => self.out.extend_from_slice(b"\"$undefined\""),
            Value::Null => self.out.extend_from_slice(b"null"),
            Value::Bool(b) => self.out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Value::Number(n) => write_js_number(&mut self.out, *n),
            Value::String(s) => self.string(s),
            Value::BigInt(b) => write_plain(&mut self.out, "$n", b.as_bytes()),
            // `resolveModel` calls `toJSON` first: an invalid date is `null`.
            Value::Date(d) => {
                let start = self.out.len();
                self.out.extend_from_slice(b"\"$D");
                if write_iso(&mut self.out, *d) {
                    self.st.size += self.out.len() - start - 3;
                    self.out.push(b'"');
                } else {
                    self.out.truncate(start);
                    self.out.extend_from_slice(b"null");
                }
            }
            Value::Symbol(name) => {
                let id = self.st.symbol(name);
                self.reference("$", id);
            }
            Value::Node(_) => return false,
        }
        true
    }

    fn describe(&self, h: Holder<'_>, key: Key<'_>) -> String {
        let parent = match h {
            Holder::Root => Parent { object: true, members: vec![] },
            Holder::Chunk(v) => Parent { object: true, members: vec![(String::new(), Member::Value(v))] },
            Holder::Frame(k, _) => holder_members(self.g, k),
        };
        describe::describe(self.g, &parent, &key.text())
    }

    fn node(&mut self, h: Holder<'_>, key: Key<'_>, n: NodeId, root: Option<u32>) -> Result<Next, Throw> {
        let g = self.g;

        match g.view(n) {
            NodeRef::Element(e) => {
                let mut element_ref = None;
                match self.st.written.get(&n) {
                    Some(_) if root.is_some() => {}
                    Some(&r) => {
                        self.st.paths.write(&mut self.out, r);
                        return Ok(Next::Done);
                    }
                    None => {
                        if let Some(p) = self.member_path(h, key) {
                            self.st.written.insert(n, p);
                            element_ref = Some(p);
                        }
                    }
                }
                if self.st.size > DEFER_SIZE {
                    return Ok(self.defer(n));
                }
                self.element(&e.element_type, &e.key, &e.props, element_ref)
            }
            NodeRef::Lazy(state) => {
                if self.st.size > DEFER_SIZE {
                    return Ok(self.defer(n));
                }
                // `init` until something that is not a lazy (iteratively: a lazy
                // that resolves to itself is JavaScript's stack overflow).
                let (mut lazy, mut state) = (n, state);
                let mut hops = 0;
                loop {
                    match state {
                        PromiseState::Fulfilled(Value::Node(m)) => match g.view(*m) {
                            NodeRef::Lazy(next) => {
                                hops += 1;
                                if hops > g.len() {
                                    return Err(Throw { thrown: Thrown::Message(MSG_STACK.to_string()), lazy: true });
                                }
                                (lazy, state) = (*m, next);
                            }
                            _ => return self.value(h, key, &Value::Node(*m), root),
                        },
                        PromiseState::Fulfilled(v) => return self.value(h, key, &v.clone(), root),
                        PromiseState::Rejected(r) => {
                            return Err(Throw { thrown: Thrown::Value(r.clone()), lazy: true })
                        }
                        PromiseState::Pending => {
                            let id = self.st.alloc();
                            self.st.tasks.insert(id, TaskState::Promise);
                            self.st.wait(lazy, id);
                            self.reference("$L", id);
                            return Ok(Next::Done);
                        }
                    }
                }
            }
            NodeRef::ClientReference(c) => {
                let in_type = matches!(h, Holder::Frame(Kids::List(_, true), _)) && matches!(key, Key::Index(1));
                let r = self.st.client_reference(c);
                match r {
                    Ok(id) => self.reference(if in_type { "$L" } else { "$" }, id),
                    Err(message) => {
                        let id = self.st.alloc();
                        self.st.error_row(g, id, &Thrown::Message(message));
                        self.reference("$", id);
                    }
                }
                Ok(Next::Done)
            }
            NodeRef::TemporaryReference(id) => {
                if self.st.temporary_references {
                    write_str_slice(&mut self.out, &format!("$T{}", id.to_string_lossy()));
                    Ok(Next::Done)
                } else {
                    Err(throw_msg(MSG_TEMP.to_string()))
                }
            }
            NodeRef::ServerReference(r) => {
                if let Some(id) = self.st.server_refs.get(&n) {
                    let id = *id;
                    self.reference("$h", id);
                    return Ok(Next::Done);
                }
                let id = self.st.alloc();
                self.st.server_refs.insert(n, id);
                let bound = match &r.bound {
                    None => Item::V(Value::Null),
                    Some(args) => Item::Bound(args.clone()),
                };
                let kids = Kids::Obj(vec![("id".into(), Item::Str(r.id.clone())), ("bound".into(), bound)]);
                Ok(Next::Outline { id, kids, tag: "$h" })
            }
            NodeRef::Function(_) => {
                let event = key.is_event_handler();
                let d = self.describe(h, key);
                Err(throw_msg(if event {
                    format!("{MSG_EVENT}{d}{MSG_EVENT_TAIL}")
                } else {
                    format!("{MSG_FUNCTION}{d}")
                }))
            }
            NodeRef::UnregisteredSymbol(name) => {
                let name = name.to_string_lossy();
                Err(throw_msg(format!(
                    "Only global symbols received from Symbol.for(...) can be passed to Client Components. The symbol Symbol.for({name}) cannot be found among global symbols.{}",
                    self.describe(h, key)
                )))
            }
            NodeRef::Promise(_) => {
                self.promise(n, root);
                Ok(Next::Done)
            }
            _ => {
                match self.st.written.get(&n).copied() {
                    Some(r) if !root.is_some_and(|id| self.st.paths.is_whole(r, "$", id)) => {
                        self.st.paths.write(&mut self.out, r);
                        return Ok(Next::Done);
                    }
                    Some(_) => {}
                    None => {
                        if let Some(p) = self.member_path(h, key) {
                            self.st.written.insert(n, p);
                        }
                    }
                }
                self.object(h, key, n)
            }
        }
    }

    /// `serializeThenable` of promise `n` (the reference it was written
    /// at before, when it is not a task's model).
    #[inline(never)]
    fn promise(&mut self, n: NodeId, root: Option<u32>) {
        if let Some(&r) = self.st.written.get(&n) {
            if root.is_none() {
                self.st.paths.write(&mut self.out, r);
                return;
            }
        }
        let id = self.st.alloc();
        self.st.tasks.insert(id, TaskState::Promise);
        let r = self.st.paths.whole("$@", id);
        self.st.written.insert(n, r);
        self.st.await_promise(id, n);
        self.reference("$@", id);
    }

    /// The object kinds after the reference bookkeeping.
    fn object(&mut self, h: Holder<'_>, key: Key<'_>, n: NodeId) -> Result<Next, Throw> {
        let g = self.g;
        let path = self.st.written.get(&n).copied();
        let walk = |kids: Kids, open: &NodeSet| {
            if path.is_none() && open.contains(&n) {
                return Err(throw_msg(MSG_STACK.to_string()));
            }
            let pathless = if path.is_none() { Some(n) } else { None };
            Ok(Next::Walk(Frame { kids, i: 0, path, pathless }))
        };
        let outline = |st: &mut State, tag: &'static str, kids: Kids| Next::Outline { id: st.alloc(), kids, tag };
        Ok(match g.view(n) {
            NodeRef::Array(_) => return walk(Kids::Array(n), &self.open),
            NodeRef::Object(_) => return walk(Kids::Object(n), &self.open),
            NodeRef::Map(_) => outline(self.st, "$Q", Kids::Entries(n)),
            NodeRef::Set(_) => outline(self.st, "$W", Kids::Items(n)),
            NodeRef::FormData(entries) => {
                let items = entries.iter().map(|(k, e)| {
                    let v = match e {
                        FormEntry::Text(t) => Item::Str(t.clone()),
                        FormEntry::File(b) => Item::Blob(Box::new(b.clone())),
                    };
                    Item::List(vec![Item::Str(k.clone()), v])
                });
                outline(self.st, "$K", Kids::List(items.collect(), false))
            }
            NodeRef::Iterator(_) => outline(self.st, "$i", Kids::Items(n)),
            NodeRef::Error(_) => {
                write_str_slice(&mut self.out, "$Z");
                Next::Done
            }
            NodeRef::ArrayBuffer(_) | NodeRef::TypedArray { .. } => {
                if let Some((tag, bytes)) = binary(g, &Value::Node(n)) {
                    let id = self.st.alloc();
                    self.st.binary_row(id, tag, bytes);
                    self.reference("$", id);
                }
                Next::Done
            }
            NodeRef::Blob(b) => {
                let id = self.blob(b);
                self.reference("$B", id);
                Next::Done
            }
            NodeRef::Stream(s) => {
                let id = self.st.alloc();
                let r = self.st.paths.whole("$", id);
                self.st.written.insert(n, r);
                let tag = match s.kind {
                    StreamKind::Readable => "R",
                    StreamKind::Bytes => "r",
                    StreamKind::AsyncIterable => "X",
                    StreamKind::AsyncIterator => "x",
                };
                self.st.regular.text(format!("{id:x}:{tag}\n").as_bytes());
                self.st.tasks.insert(id, TaskState::Stream { node: n, next: 0, kind: s.kind, parked: false });
                // The first read resolves two hops later.
                self.st.later(2, Job::Read { task: id });
                self.reference("$", id);
                Next::Done
            }
            NodeRef::Instance(_) => return Err(throw_msg(format!("{MSG_INSTANCE}{}", self.describe(h, key)))),
            _ => {
                // Kinds handled in `node`; nothing else reaches here.
                write_str_slice(&mut self.out, "$undefined");
                Next::Done
            }
        })
    }

    /// `serializeBlob`: a task whose row `[type, …bytes]` follows once the
    /// blob is read.
    fn blob(&mut self, b: &Blob) -> u32 {
        let id = self.st.alloc();
        let mut model = vec![Item::Str(b.content_type.clone())];
        if !b.bytes.is_empty() {
            model.push(Item::Chunk(b.bytes.clone()));
        }
        self.st.tasks.insert(id, TaskState::Promise);
        // Reading a blob: a chunk two hops on, the end one more (Node 20).
        let hops = if b.bytes.is_empty() { 2 } else { 3 };
        self.st.later(hops, Job::Ping { task: id, model: Item::List(model) });
        id
    }

    /// `deferTask`: the element or lazy gets a row of its own, later.
    fn defer(&mut self, n: NodeId) -> Next {
        let id = self.st.alloc();
        let r = self.st.paths.whole("$", id);
        self.st.written.insert(n, r);
        self.st.tasks.insert(id, TaskState::Promise);
        self.st.ping(id, Item::V(Value::Node(n)));
        self.reference("$L", id);
        Next::Done
    }

    /// `renderElement` for the element types a value can hold.
    fn element(
        &mut self,
        element_type: &Value,
        element_key: &Value,
        props: &Value,
        element_ref: Option<Ref>,
    ) -> Result<Next, Throw> {
        let g = self.g;
        let mut t = element_type.clone();
        // A lazy type is initialised first.
        for _ in 0..g.len() + 1 {
            let Value::Node(id) = &t else { break };
            match g.view(*id) {
                NodeRef::Lazy(state) => match state {
                    PromiseState::Fulfilled(v) => t = v.clone(),
                    PromiseState::Rejected(r) => return Err(Throw { thrown: Thrown::Value(r.clone()), lazy: true }),
                    PromiseState::Pending => break,
                },
                _ => break,
            }
        }
        if matches!(&t, Value::Symbol(s) if **s == *"react.fragment") && matches!(element_key, Value::Null) {
            let children = match props.as_node().map(|p| g.view(p)) {
                Some(NodeRef::Object(pairs)) => pairs
                    .iter()
                    .rev()
                    .find(|(k, _)| **k == *"children")
                    .map(|(_, v)| v.clone())
                    .unwrap_or(Value::Undefined),
                _ => Value::Undefined,
            };
            let next = self.value(Holder::Root, Key::Root, &children, None)?;
            return Ok(match next {
                Next::Walk(mut f) => {
                    if let (Some(r), Kids::Array(c) | Kids::Object(c)) = (&element_ref, &f.kids) {
                        let c = *c;
                        self.st.written.get_or_insert_with(c, || *r);
                        f.path = self.st.written.get(&c).copied();
                        f.pathless = None;
                    }
                    Next::Walk(f)
                }
                other => other,
            });
        }
        let kids =
            Kids::List(vec![Item::Marker, Item::V(t), Item::V(element_key.clone()), Item::V(props.clone())], true);
        Ok(Next::Walk(Frame { kids, i: 0, path: element_ref, pathless: None }))
    }
}

impl Next {
    /// `resolveModel`'s catch: an error row with a new id, referenced in place.
    fn after_throw(self, w: &mut Walker<'_>, t: Throw) -> Next {
        let id = w.st.alloc();
        w.st.error_row(w.g, id, &t.thrown);
        w.reference(if t.lazy { "$L" } else { "$" }, id);
        Next::Done
    }
}

/// A path segment for `key`; an element tuple names its members `type`,
/// `key`, `props` in paths.
fn tuple_key(h: Holder<'_>, key: Key<'_>) -> PathKey {
    match key {
        Key::Index(i) => {
            if let Holder::Frame(Kids::List(_, true), _) = h {
                match i {
                    1 => return PathKey::Static("type"),
                    2 => return PathKey::Static("key"),
                    3 => return PathKey::Static("props"),
                    4 => return PathKey::Static("_owner"),
                    _ => {}
                }
            }
            PathKey::Index(i)
        }
        Key::Name(n) => PathKey::Name(n.clone()),
        Key::Root => PathKey::Static(""),
    }
}

/// The bytes and row tag of a binary value.
pub(super) fn binary(g: &Graph, v: &Value) -> Option<(u8, Bytes)> {
    match g.view(v.as_node()?) {
        NodeRef::ArrayBuffer(b) => Some((b'A', Bytes::clone(b))),
        NodeRef::TypedArray { kind, bytes } => Some((kind.tag(), Bytes::clone(bytes))),
        _ => None,
    }
}

/// The items of Set or iterator node `n` and its tag, when none of them is
/// an object (its row is then written in one loop).
#[inline]
fn primitive_items(g: &Graph, n: NodeId) -> Option<(&[Value], &'static str)> {
    let (items, tag) = match g.view(n) {
        NodeRef::Set(items) => (items, "$W"),
        NodeRef::Iterator(items) => (items, "$i"),
        _ => return None,
    };
    items.iter().all(|v| !matches!(v, Value::Node(_))).then_some((items, tag))
}

/// Member `i` of a frame's container (its key, for an object), borrowed;
/// `None` past the end.
#[inline(always)]
fn member<'k>(g: &'k Graph, kids: &'k Kids, i: usize) -> Option<(Option<&'k JsString>, Kid<'k>)> {
    match kids {
        Kids::Array(n) | Kids::Items(n) => g.items_of(*n).get(i).map(|v| (None, Kid::V(v))),
        Kids::Object(n) => {
            let (keys, values) = g.members_of(*n);
            keys.get(i).zip(values.get(i)).map(|(k, v)| (Some(k), Kid::V(v)))
        }
        Kids::List(items, _) => items.get(i).map(|it| (None, Kid::I(it))),
        Kids::Obj(pairs) => pairs.get(i).map(|(k, it)| (Some(k), Kid::I(it))),
        Kids::Entries(n) => match g.view(*n) {
            NodeRef::Map(entries) if i < entries.len() => Some((None, Kid::Pair(*n, i))),
            _ => None,
        },
        Kids::Pair(n, e) => match (g.view(*n), i) {
            (NodeRef::Map(entries), 0) => entries.get(*e).map(|(k, _)| (None, Kid::V(k))),
            (NodeRef::Map(entries), 1) => entries.get(*e).map(|(_, v)| (None, Kid::V(v))),
            _ => None,
        },
        Kids::TaskEnd { .. } => None,
    }
}

fn holder_members<'g>(g: &'g Graph, k: &'g Kids) -> Parent<'g> {
    fn item(it: &Item) -> Member<'_> {
        match it {
            Item::V(v) => Member::Value(v),
            Item::Str(s) => Member::Str(s.as_str().unwrap_or("")),
            Item::Chunk(_) => Member::Bytes,
            Item::Blob(_) => Member::Bytes,
            Item::List(items) => Member::List(items.iter().map(item).collect()),
            Item::Bound(_) => Member::Promise,
            Item::Marker => Member::ElementMarker,
        }
    }
    match k {
        Kids::Array(n) => match g.view(*n) {
            NodeRef::Array(items) => Parent {
                object: false,
                members: items.iter().enumerate().map(|(i, v)| (i.to_string(), Member::Value(v))).collect(),
            },
            _ => Parent { object: false, members: vec![] },
        },
        Kids::Object(n) => match g.view(*n) {
            NodeRef::Object(pairs) => Parent {
                object: true,
                members: pairs.iter().map(|(k, v)| (k.to_string_lossy().into_owned(), Member::Value(v))).collect(),
            },
            _ => Parent { object: true, members: vec![] },
        },
        Kids::List(items, _) => Parent {
            object: false,
            members: items.iter().enumerate().map(|(i, it)| (i.to_string(), item(it))).collect(),
        },
        Kids::Obj(pairs) => Parent {
            object: true,
            members: pairs.iter().map(|(k, it)| (k.to_string_lossy().into_owned(), item(it))).collect(),
        },
        Kids::Items(n) => match g.view(*n) {
            NodeRef::Set(items) | NodeRef::Iterator(items) => Parent {
                object: false,
                members: items.iter().enumerate().map(|(i, v)| (i.to_string(), Member::Value(v))).collect(),
            },
            _ => Parent { object: false, members: vec![] },
        },
        Kids::Entries(n) => match g.view(*n) {
            NodeRef::Map(entries) => Parent {
                object: false,
                members: entries
                    .iter()
                    .enumerate()
                    .map(|(i, (k, v))| (i.to_string(), Member::List(vec![Member::Value(k), Member::Value(v)])))
                    .collect(),
            },
            _ => Parent { object: false, members: vec![] },
        },
        Kids::Pair(n, e) => match g.view(*n) {
            NodeRef::Map(entries) if *e < entries.len() => Parent {
                object: false,
                members: vec![
                    ("0".to_string(), Member::Value(&entries[*e].0)),
                    ("1".to_string(), Member::Value(&entries[*e].1)),
                ],
            },
            _ => Parent { object: false, members: vec![] },
        },
        Kids::TaskEnd { .. } => Parent { object: true, members: vec![] },
    }
}

#[cfg(test)]
mod tests {
    use crate::value::{Element, Graph, Node, Value};

    /// Whether an element after `strings` (in one array) is deferred to a
    /// row of its own: React's `serializedSize` counts the strings in
    /// UTF-16 units, not bytes.
    fn element_deferred(strings: &[String]) -> bool {
        let mut g = Graph::new();
        let props = g.add(Node::Object(vec![]));
        let element = Element { element_type: "div".into(), key: Value::Null, props: Value::Node(props) };
        let e = g.add(Node::Element(Box::new(element)));
        let mut items: Vec<Value> = strings.iter().map(|s| Value::String(s.as_str().into())).collect();
        items.push(Value::Node(e));
        let root = g.add(Node::Array(items));
        g.set_root(Value::Node(root));
        let bytes = crate::response::encode(&g, &Default::default()).expect("encodes");
        bytes.windows(3).any(|w| w == b"\"$L")
    }

    #[test]
    fn deferral_counts_utf16_units() {
        // 1,800 units in 3,600 bytes: not deferred.
        assert!(!element_deferred(&vec!["é".repeat(120); 15]));
        // 3,600 units: deferred.
        assert!(element_deferred(&vec!["é".repeat(240); 15]));
        assert!(element_deferred(&vec!["a".repeat(240); 15]));
        // Past the threshold, and then more strings.
        let mut past = vec!["é".repeat(240); 14];
        past.extend(vec!["😀".repeat(10); 20]);
        assert!(element_deferred(&past));
    }
}
