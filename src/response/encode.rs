//! The response encoder: a value in, the Flight rows React 19.3.1's
//! production `renderToReadableStream` would write out.
//!
//! React's render is driven by its event loop: the root renders first; a
//! promise's value renders once the promise settles (a microtask later for
//! one that is already settled); a stream's chunks are written as they are
//! read; every burst of work ends with a flush (imports, then regular rows,
//! then error rows), cut into network chunks of 4096 bytes. The encoder
//! keeps that schedule with an explicit queue of jobs, so that the rows, their
//! ids, their order and the network chunks are React's.

use crate::value::node_map::NodeMap;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Arc;

use bytes::Bytes;

use super::render::{Item, Walker};
use super::tasks::Tasks;
use crate::error::{Error, ErrorKind, Result};
use crate::json::enc::write_row_id;
use crate::json::{write_str, write_str_slice};
use crate::paths::{Paths, Ref};
use crate::value::{
    ClientReference, Graph, JsString, Node, NodeId, NodeRef, PromiseState, StreamEnd, StreamKind, Value,
};

/// Something the encoder reports to [`EncodeOptions::on_error`]: what React
/// passes to `onError`.
///
/// ```
/// use flight_codec::response::Thrown;
/// let t = Thrown::Message("boom".into());
/// assert_eq!(t.message(&flight_codec::value::Graph::new()).as_deref(), Some("boom"));
/// ```
#[derive(Clone, Debug)]
pub enum Thrown {
    /// An error the encoder raised, with React's message (a value React
    /// cannot serialise, a missing client module, an abort without reason).
    Message(String),
    /// A value the host settled with: a promise's rejection reason, a
    /// stream's error, a rejected lazy, an abort reason.
    Value(Value),
}

impl Thrown {
    /// The error's message: the message of an `Error` value, the string
    /// itself for a string, else `None`.
    ///
    /// ```
    /// use flight_codec::response::Thrown;
    /// use flight_codec::value::{Graph, JsError, Node, Value};
    /// let mut g = Graph::new();
    /// let e = g.add_value(Node::Error(Box::new(JsError { message: "m".into(), digest: None })));
    /// assert_eq!(Thrown::Value(e).message(&g).as_deref(), Some("m"));
    /// assert_eq!(Thrown::Value(1.0.into()).message(&g), None);
    /// ```
    pub fn message(&self, g: &Graph) -> Option<String> {
        match self {
            Thrown::Message(m) => Some(m.clone()),
            Thrown::Value(Value::String(s)) => Some(s.to_string_lossy().into_owned()),
            Thrown::Value(Value::Node(n)) => match g.get(*n) {
                Some(NodeRef::Error(e)) => Some(e.message.to_string_lossy().into_owned()),
                _ => None,
            },
            Thrown::Value(_) => None,
        }
    }
}

/// A client module as the bundler's manifest describes it: what an `I` row
/// carries.
///
/// ```
/// use flight_codec::response::ClientModule;
/// let m = ClientModule { id: "mod".into(), chunks: vec![], name: "Button".into(), is_async: false };
/// assert_eq!(m.name, "Button");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ClientModule {
    /// The module id.
    pub id: String,
    /// The chunks to load (pairs of chunk id and file name, for webpack).
    pub chunks: Vec<String>,
    /// The export name.
    pub name: String,
    /// An async (ESM) module: the `I` row ends with `1`.
    pub is_async: bool,
}

/// Computes the digest of an error row from what was thrown (`onError`).
///
/// ```
/// use std::sync::Arc;
/// use flight_codec::response::{OnError, Thrown};
/// use flight_codec::value::{Graph, Value};
/// let digest: OnError = Arc::new(|t, g| t.message(g).map(|m| format!("E:{}", m.len())));
/// let g = Graph::new();
/// assert_eq!(digest(&Thrown::Value(Value::from("boom")), &g).as_deref(), Some("E:4"));
/// ```
pub type OnError = Arc<dyn Fn(&Thrown, &Graph) -> Option<String> + Send + Sync>;
/// Looks up a client reference in the bundler's manifest; `None` if it is
/// not there (the reference becomes an error row, as in React).
///
/// ```
/// use std::sync::Arc;
/// use flight_codec::response::{ClientManifest, ClientModule};
/// use flight_codec::value::ClientReference;
/// let manifest: ClientManifest = Arc::new(|r: &ClientReference| {
///     (r.id == "./Button.js").then(|| ClientModule {
///         id: "42".into(),
///         chunks: vec![],
///         name: r.name.to_string_lossy().into_owned(),
///         is_async: false,
///     })
/// });
/// let button = ClientReference { id: "./Button.js".into(), name: "default".into() };
/// assert_eq!(manifest(&button).map(|m| m.id), Some("42".to_string()));
/// assert!(manifest(&ClientReference { id: "./Other.js".into(), name: "x".into() }).is_none());
/// ```
pub type ClientManifest = Arc<dyn Fn(&ClientReference) -> Option<ClientModule> + Send + Sync>;

/// Options for [`encode`] and [`ResponseEncoder`].
///
/// ```
/// use std::sync::Arc;
/// let mut opts = flight_codec::response::EncodeOptions::default();
/// opts.on_error = Some(Arc::new(|t, g| t.message(g).map(|m| format!("E:{m}"))));
/// assert!(!opts.temporary_references);
/// ```
#[derive(Clone, Default)]
pub struct EncodeOptions {
    /// Write temporary references back as `$T<id>` (React's
    /// `temporaryReferences` option). Without it a temporary reference is
    /// an error row, as in React.
    pub temporary_references: bool,
    /// The digest of each error row; `None` (or a callback returning
    /// `None`) writes an empty digest, as React does without `onError`.
    pub on_error: Option<OnError>,
    /// The client manifest; without one, a client reference's module is its
    /// `id` with no chunks.
    pub client_manifest: Option<ClientManifest>,
}

impl fmt::Debug for EncodeOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncodeOptions")
            .field("temporary_references", &self.temporary_references)
            .field("on_error", &self.on_error.as_ref().map(|_| "…"))
            .field("client_manifest", &self.client_manifest.as_ref().map(|_| "…"))
            .finish()
    }
}

/// Rows waiting for a flush, in order: their text in one buffer (a row is
/// copied there once it is complete, and its own buffer is reused), a binary
/// row's payload beside it. A row is never split between flushes.
#[derive(Default)]
pub(super) struct Rows {
    text: Vec<u8>,
    /// Where each row (or a binary row's header) ends in `text`, and a
    /// binary row's payload.
    pieces: Vec<(usize, Option<Bytes>)>,
    /// [`encode`]'s regular rows only: the first `flushed` bytes of `text`
    /// are the output so far (the rows after them follow it without being
    /// copied to another buffer).
    flushed: usize,
}

impl Rows {
    fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    /// A complete row.
    pub fn text(&mut self, row: &[u8]) {
        self.text.extend_from_slice(row);
        self.pieces.push((self.text.len(), None));
    }

    /// A binary row: its header, then its payload (not copied).
    fn binary(&mut self, head: &[u8], body: Bytes) {
        self.text.extend_from_slice(head);
        self.pieces.push((self.text.len(), Some(body)));
    }
}

/// Work queued for later, as React's promises and stream reads queue it.
pub(super) enum Job {
    /// A task whose model is ready is pinged.
    Ping { task: u32, model: Item },
    /// A promise (or lazy) a task awaits may have settled; `chain` holds the
    /// promises it adopted on the way.
    Promise { task: u32, node: NodeId, chain: Vec<NodeId> },
    /// A stream task reads its next chunk.
    Read { task: u32 },
    /// `performWork` as a microtask (while React's request is opening).
    Perform,
    /// The reader's first pull: the destination is set and the rows so far flush.
    StartFlowing,
    /// `job`, `hops` microtasks from now (the promise hops a JavaScript
    /// source takes: measured on Node 20 for stream reads, async
    /// generators and blobs).
    Later { hops: u8, job: Box<Job> },
}

/// A task that has not finished.
pub(super) enum TaskState {
    /// Waiting for a promise, a lazy or a blob, or pinged.
    Promise,
    /// Reading a stream.
    Stream { node: NodeId, next: usize, kind: StreamKind, parked: bool },
}

/// Everything the render keeps between events.
#[derive(Default)]
pub(super) struct State {
    next_id: u32,
    pub written: NodeMap<Ref>,
    pub paths: Paths,
    symbols: HashMap<JsString, u32>,
    client_refs: HashMap<(JsString, JsString), u32>,
    pub server_refs: NodeMap<u32>,
    import_strings: HashMap<String, String>,
    import_size: usize,
    imports: Rows,
    pub regular: Rows,
    errors: Rows,
    /// Row buffers to reuse (a row's text is copied into [`Rows`] when it is complete).
    spare: Vec<Vec<u8>>,
    /// The room the regular rows get (the output's likely size: growing it
    /// from small would reallocate it many times).
    pub room: usize,
    /// React's `serializedSize`.
    pub size: usize,
    /// The graph's nodes.
    nodes: usize,
    pub tasks: Tasks,
    pub pinged: Vec<(u32, Item)>,
    pub microtasks: VecDeque<Job>,
    waiters: HashMap<NodeId, Vec<u32>>,
    pub temporary_references: bool,
    on_error: Option<OnError>,
    manifest: Option<ClientManifest>,
    /// Rows were written by a microtask while nothing was pinged: React
    /// scheduled a flush of its own for them.
    flush_scheduled: bool,
    aborted: bool,
    /// React's request is opening (the first burst of microtasks): a ping
    /// renders in a microtask, not after a timer.
    opening: bool,
    /// The reader has pulled: flushes reach the network.
    flowing: bool,
}

impl State {
    /// Queues `job` to run `hops` microtasks from now.
    pub fn later(&mut self, hops: u8, job: Job) {
        if hops <= 1 {
            self.microtasks.push_back(job);
        } else {
            self.microtasks.push_back(Job::Later { hops: hops - 1, job: Box::new(job) });
        }
    }

    /// `pingTask`: the task renders with the next `performWork`.
    pub fn ping(&mut self, task: u32, model: Item) {
        self.pinged.push((task, model));
        if self.pinged.len() == 1 && self.opening {
            self.microtasks.push_back(Job::Perform);
        }
    }

    pub fn alloc(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    fn digest(&self, g: &Graph, t: &Thrown) -> String {
        self.on_error.as_ref().and_then(|f| f(t, g)).unwrap_or_default()
    }

    /// `emitErrorChunk`: `id:E{"digest":…}`.
    pub fn error_row(&mut self, g: &Graph, id: u32, t: &Thrown) {
        let digest = self.digest(g, t);
        let mut row = self.row_start(id);
        row.extend_from_slice(b"E{\"digest\":");
        write_str_slice(&mut row, &digest);
        row.extend_from_slice(b"}\n");
        self.errors.text(&row);
        self.recycle(row);
    }

    /// `erroredTask`: the task's own id becomes an error row.
    pub fn errored(&mut self, g: &Graph, id: u32, t: &Thrown) {
        self.tasks.remove(&id);
        self.error_row(g, id, t);
    }

    /// A buffer for row `id`, started with its `<id>:` (most rows are
    /// small: buffers are reused rather than grown from empty each time).
    #[inline]
    pub fn row_start(&mut self, id: u32) -> Vec<u8> {
        self.row_with(id, 128)
    }

    /// [`row_start`](Self::row_start) with room for `capacity` bytes.
    pub fn row_with(&mut self, id: u32, capacity: usize) -> Vec<u8> {
        let mut row = match self.spare.pop() {
            Some(mut row) => {
                row.reserve(capacity);
                row
            }
            None => Vec::with_capacity(capacity),
        };
        write_row_id(&mut row, id);
        row
    }

    /// Keeps a row buffer for [`row_start`](Self::row_start).
    fn recycle(&mut self, mut row: Vec<u8>) {
        if row.capacity() > 0 {
            row.clear();
            self.spare.push(row);
        }
    }

    /// A model row whose `<id>:` and JSON are in `row`: moved when it is
    /// the first row waiting and at least [`State::room`] large (often the
    /// whole response), else copied (into room for that much).
    pub fn push_row(&mut self, mut row: Vec<u8>) {
        row.push(b'\n');
        let text = &mut self.regular.text;
        if text.is_empty() && row.capacity() >= self.room {
            std::mem::swap(text, &mut row);
            self.regular.pieces.push((text.len(), None));
        } else {
            if text.capacity() < self.room {
                text.reserve(self.room);
            }
            self.regular.text(&row);
        }
        self.recycle(row);
    }

    /// The regular rows' buffer, with row `id`'s `<id>:` written at its end:
    /// the row is written there directly (not copied there once complete).
    /// Nothing may add a regular row until [`State::end_direct_row`] gives
    /// the buffer back.
    pub fn begin_direct_row(&mut self, id: u32) -> Vec<u8> {
        let mut text = std::mem::take(&mut self.regular.text);
        if text.capacity() < self.room {
            text.reserve(self.room);
        }
        write_row_id(&mut text, id);
        text
    }

    /// Ends the row [`State::begin_direct_row`] started in `text`, and puts
    /// the buffer back.
    pub fn end_direct_row(&mut self, mut text: Vec<u8>) {
        debug_assert!(self.regular.text.is_empty());
        text.push(b'\n');
        self.regular.pieces.push((text.len(), None));
        self.regular.text = text;
    }

    /// A `T` row: the UTF-8 of the string (lone surrogates become U+FFFD,
    /// as `TextEncoder` writes them).
    pub fn text_row(&mut self, id: u32, s: &JsString) {
        let bytes: Bytes = match s.as_str() {
            Some(_) => s.clone().into_bytes(),
            None => Bytes::from(s.to_string_lossy().into_owned()),
        };
        self.binary_row(id, b'T', bytes);
    }

    pub fn binary_row(&mut self, id: u32, tag: u8, bytes: Bytes) {
        let mut head = self.row_start(id);
        head.push(tag);
        head.extend_from_slice(format!("{:x},", bytes.len()).as_bytes());
        self.regular.binary(&head, bytes);
        self.recycle(head);
    }

    /// A `Symbol.for` symbol's import row (once per name).
    pub fn symbol(&mut self, name: &JsString) -> u32 {
        if let Some(id) = self.symbols.get(name) {
            return *id;
        }
        let id = self.alloc();
        let mut row = format!("{id:x}:").into_bytes();
        let mut tagged = b"$S".to_vec();
        tagged.extend_from_slice(name.as_wtf8());
        write_str(&mut row, &JsString::from_wtf8_vec(tagged));
        row.push(b'\n');
        self.imports.text(&row);
        self.symbols.insert(name.clone(), id);
        id
    }

    /// `serializeImportString`: strings of 16 UTF-16 units or more in
    /// import metadata get rows of their own (32 768 units in all).
    fn import_string(&mut self, s: &str, out: &mut Vec<u8>) {
        let units = crate::value::string::utf16_units(s.as_bytes());
        let escaped = if s.starts_with('$') { format!("${s}") } else { s.to_string() };
        if units < 16 {
            write_str_slice(out, &escaped);
            return;
        }
        if let Some(r) = self.import_strings.get(s) {
            write_str_slice(out, r);
            return;
        }
        if self.import_size + units > 32_768 {
            write_str_slice(out, &escaped);
            return;
        }
        self.import_size += units;
        let id = self.alloc();
        let mut row = format!("{id:x}:").into_bytes();
        write_str_slice(&mut row, &escaped);
        row.push(b'\n');
        self.imports.text(&row);
        let r = format!("${id:x}");
        write_str_slice(out, &r);
        self.import_strings.insert(s.to_string(), r);
    }

    /// `serializeClientReference`: the `I` row's id, or React's message when
    /// the manifest does not have the module.
    pub fn client_reference(&mut self, c: &ClientReference) -> std::result::Result<u32, String> {
        let key = (c.id.clone(), c.name.clone());
        if let Some(id) = self.client_refs.get(&key) {
            return Ok(*id);
        }
        let module = match &self.manifest {
            Some(m) => m(c),
            None => Some(ClientModule {
                id: c.id.to_string_lossy().into_owned(),
                chunks: vec![],
                name: c.name.to_string_lossy().into_owned(),
                is_async: false,
            }),
        };
        let Some(m) = module else {
            return Err(format!(
                "Could not find the module \"{}#{}\" in the React Client Manifest. This is probably a bug in the React Server Components bundler.",
                c.id.to_string_lossy(),
                c.name.to_string_lossy()
            ));
        };
        let mut meta = b"[".to_vec();
        self.import_string(&m.id, &mut meta);
        meta.extend_from_slice(b",[");
        for (i, chunk) in m.chunks.iter().enumerate() {
            if i > 0 {
                meta.push(b',');
            }
            self.import_string(chunk, &mut meta);
        }
        meta.extend_from_slice(b"],");
        self.import_string(&m.name, &mut meta);
        if m.is_async {
            meta.extend_from_slice(b",1");
        }
        meta.push(b']');
        let id = self.alloc();
        let mut row = format!("{id:x}:I").into_bytes();
        row.extend_from_slice(&meta);
        row.push(b'\n');
        self.imports.text(&row);
        self.client_refs.insert(key, id);
        Ok(id)
    }

    /// Parks `task` until `node` (a promise, lazy or stream) changes.
    pub fn wait(&mut self, node: NodeId, task: u32) {
        self.waiters.entry(node).or_default().push(task);
    }

    /// `serializeThenable`: a settled promise settles the task a microtask
    /// later; a pending one parks it.
    pub fn await_promise(&mut self, task: u32, node: NodeId) {
        if self.microtasks.capacity() == 0 {
            self.reserve_for_tasks();
        }
        self.microtasks.push_back(Job::Promise { task, node, chain: Vec::new() });
    }

    /// At the first promise: tasks that wait, and rows of their own, come
    /// one per node at most. Room for them at once (up to 65,536), not by
    /// doubling (which copies them again and again); a graph without
    /// promises does not pay for it.
    #[cold]
    #[inline(never)]
    fn reserve_for_tasks(&mut self) {
        let n = self.nodes.min(1 << 16);
        self.microtasks.reserve(n);
        self.pinged.reserve(n);
        self.regular.pieces.reserve(n + 1);
    }

    fn has_rows(&self) -> bool {
        !(self.imports.is_empty() && self.regular.is_empty() && self.errors.is_empty())
    }
}

/// A value as `await` sees it.
enum Settled {
    Value(Value),
    Pending(NodeId),
    Rejected(Thrown),
}

/// `await v`: a promise's value (following promises fulfilled with
/// promises), its rejection, or the pending promise to wait for.
fn settled(g: &Graph, v: &Value) -> Settled {
    let mut v = v.clone();
    let mut seen = 0usize;
    while let Some((n, NodeRef::Promise(state))) = v.as_node().map(|n| (n, g.view(n))) {
        seen += 1;
        if seen > g.len() {
            return Settled::Rejected(Thrown::Message("Chaining cycle detected for promise #<Promise>".into()));
        }
        v = match state {
            PromiseState::Fulfilled(x) => x.clone(),
            PromiseState::Rejected(r) => return Settled::Rejected(Thrown::Value(r.clone())),
            PromiseState::Pending => return Settled::Pending(n),
        };
    }
    Settled::Value(v)
}

/// Cuts flushed rows into network chunks as React's `writeChunk` does: a
/// 4096-byte buffer, with anything larger sent on its own.
#[derive(Default)]
struct Chunker {
    view: Vec<u8>,
    out: VecDeque<Bytes>,
    /// [`encode`]'s one buffer for everything, when the network chunks do
    /// not matter (their concatenation is the same).
    whole: Option<Vec<u8>>,
}

const VIEW: usize = 4096;

impl Chunker {
    /// Writes the rows out and empties `rows`.
    fn rows(&mut self, rows: &mut Rows) {
        if rows.is_empty() {
            return;
        }
        if let Some(all) = &mut self.whole {
            if rows.pieces.iter().all(|(_, body)| body.is_none()) {
                // The first rows of a one-shot encoding are the output's start: moved, not copied.
                if all.is_empty() {
                    std::mem::swap(all, &mut rows.text);
                } else {
                    all.extend_from_slice(&rows.text);
                }
                rows.text.clear();
                rows.pieces.clear();
                return;
            }
        }
        let mut start = 0;
        for (end, body) in rows.pieces.drain(..) {
            self.write(&rows.text[start..end], None);
            if let Some(body) = body {
                self.write(&body, Some(&body));
            }
            start = end;
        }
        rows.text.clear();
    }

    fn write(&mut self, mut piece: &[u8], whole: Option<&Bytes>) {
        if let Some(all) = &mut self.whole {
            all.extend_from_slice(piece);
            return;
        }
        if piece.is_empty() {
            return;
        }
        if piece.len() > VIEW {
            if !self.view.is_empty() {
                self.out.push_back(Bytes::from(std::mem::take(&mut self.view)));
            }
            self.out.push_back(whole.cloned().unwrap_or_else(|| Bytes::copy_from_slice(piece)));
            return;
        }
        let room = VIEW - self.view.len();
        if room < piece.len() {
            self.view.extend_from_slice(&piece[..room]);
            self.out.push_back(Bytes::from(std::mem::take(&mut self.view)));
            piece = &piece[room..];
        }
        self.view.extend_from_slice(piece);
    }

    fn end(&mut self) {
        if !self.view.is_empty() {
            self.out.push_back(Bytes::from(std::mem::take(&mut self.view)));
        }
    }
}

/// The encoder without its graph (so that one-shot encoding can borrow one).
#[derive(Default)]
struct Core {
    st: State,
    chunks: Chunker,
}

impl Core {
    fn new(g: &Graph, opts: &EncodeOptions) -> Core {
        let mut core = Core::opening(g, opts);
        let root = 0;
        core.st.tasks.insert(root, TaskState::Promise);
        core.st.ping(root, Item::V(g.root().clone()));
        core.st.microtasks.push_back(Job::StartFlowing);
        core
    }

    /// The request opening, its root task (id 0) not yet pinged.
    fn opening(g: &Graph, opts: &EncodeOptions) -> Core {
        let mut st = State {
            temporary_references: opts.temporary_references,
            on_error: opts.on_error.clone(),
            manifest: opts.client_manifest.clone(),
            room: crate::json::enc::first_capacity(g).max(128),
            nodes: g.len(),
            written: NodeMap::with_len(g.len()),
            paths: Paths::with_capacity(g.len() + 1),
            ..State::default()
        };
        st.alloc();
        if let Value::Node(n) = g.root() {
            let r = st.paths.whole("$", 0);
            st.written.insert(*n, r);
        }
        st.opening = true;
        Core { st, chunks: Chunker::default() }
    }

    /// What [`Core::new`] and the first microtasks of [`Core::work`] do,
    /// without the queue: the root task renders (the `Perform` job), then
    /// the reader starts flowing (the `StartFlowing` job queued after it),
    /// then the microtasks the render queued run as usual. The bytes are
    /// the same; a small response saves the queue's and the ping's
    /// allocations.
    fn start_direct(&mut self, g: &Graph) {
        Walker::new(g, &mut self.st).task(0, &Item::V(g.root().clone()));
        self.st.flowing = true;
        self.flush();
        self.work(g);
    }

    /// Runs everything that can run: microtasks, then the pinged tasks, then
    /// a flush, until nothing is left to do.
    fn work(&mut self, g: &Graph) {
        loop {
            while let Some(job) = self.st.microtasks.pop_front() {
                self.job(g, job);
            }
            // The first macrotask: React's request is open.
            self.st.opening = false;
            if self.st.flush_scheduled {
                self.st.flush_scheduled = false;
                self.flush();
            }
            if self.st.pinged.is_empty() {
                if self.st.has_rows() {
                    self.flush();
                }
                if self.st.microtasks.is_empty() {
                    return;
                }
                continue;
            }
            self.perform(g);
        }
    }

    /// `performWork`: renders the pinged tasks, then flushes.
    fn perform(&mut self, g: &Graph) {
        let pinged = std::mem::take(&mut self.st.pinged);
        // One walker for them all: its stack's buffer is reused.
        let mut walker = Walker::new(g, &mut self.st);
        for (id, model) in pinged {
            if walker.st.tasks.remove(&id).is_some() {
                walker.task(id, &model);
            }
        }
        if self.st.flowing {
            self.flush();
        }
    }

    /// Rows written by a microtask: React flushes them on a timer of their
    /// own unless a render is already due.
    fn wrote_rows(&mut self) {
        if self.st.pinged.is_empty() && self.st.flowing {
            self.st.flush_scheduled = true;
        }
    }

    fn job(&mut self, g: &Graph, job: Job) {
        match job {
            Job::Ping { task, model } => {
                if self.st.tasks.contains_key(&task) {
                    self.st.ping(task, model);
                }
            }
            Job::Perform => self.perform(g),
            Job::Later { hops, job } => self.st.later(hops, *job),
            Job::StartFlowing => {
                self.st.flowing = true;
                self.flush();
            }
            Job::Promise { task, node, mut chain } => {
                if !self.st.tasks.contains_key(&task) {
                    return;
                }
                let state = match g.view(node) {
                    NodeRef::Promise(s) => s,
                    NodeRef::Lazy(s) => s,
                    _ => return,
                };
                match state {
                    PromiseState::Pending => self.st.wait(node, task),
                    PromiseState::Rejected(r) => {
                        self.st.errored(g, task, &Thrown::Value(r.clone()));
                        self.wrote_rows();
                    }
                    PromiseState::Fulfilled(v) => match v.as_node().map(|n| (n, g.view(n))) {
                        // A promise fulfilled with a promise adopts its state.
                        Some((inner, NodeRef::Promise(_))) => {
                            if inner == node {
                                let t = Thrown::Message("Chaining cycle detected for promise #<Promise>".into());
                                self.st.errored(g, task, &t);
                                self.wrote_rows();
                            } else if !chain.contains(&inner) {
                                // (A longer cycle never settles, as in JavaScript.)
                                chain.push(node);
                                self.st.microtasks.push_back(Job::Promise { task, node: inner, chain });
                            }
                        }
                        _ => self.st.ping(task, Item::V(v.clone())),
                    },
                }
            }
            Job::Read { task } => self.read(g, task),
        }
    }

    /// A stream task's `reader.read()` has resolved: writes the next chunk,
    /// or the end.
    fn read(&mut self, g: &Graph, task: u32) {
        let Some(TaskState::Stream { node, next, kind, .. }) = self.st.tasks.get(&task) else { return };
        let (node, i, kind) = (*node, *next, *kind);
        let NodeRef::Stream(s) = g.view(node) else { return };
        let async_iter = matches!(kind, StreamKind::AsyncIterable | StreamKind::AsyncIterator);
        if let Some(item) = s.items.get(i) {
            let Some(item) = self.awaited(g, task, async_iter, item) else { return };
            if let Some(TaskState::Stream { next, .. }) = self.st.tasks.get_mut(&task) {
                *next += 1;
            }
            Walker::new(g, &mut self.st).chunk(task, kind, &item);
            // The next read: one hop for a stream, two for an async generator.
            self.st.later(if async_iter { 2 } else { 1 }, Job::Read { task });
            return self.wrote_rows();
        }
        match &s.end {
            StreamEnd::Open => return self.park(task, node),
            StreamEnd::Errored(reason) => self.st.errored(g, task, &Thrown::Value(reason.clone())),
            StreamEnd::Closed(ret) => {
                let Some(ret) = self.awaited(g, task, async_iter, ret) else { return };
                self.st.tasks.remove(&task);
                let row = if async_iter && !matches!(ret, Value::Undefined) {
                    let id = self.st.alloc();
                    Walker::new(g, &mut self.st).task(id, &Item::V(ret));
                    format!("{task:x}:C\"${id:x}\"\n")
                } else {
                    format!("{task:x}:C\n")
                };
                self.st.regular.text(row.as_bytes());
            }
        }
        self.wrote_rows();
    }

    /// What a stream task writes for `v`: an async generator awaits what it
    /// yields and returns (a pending promise parks the task, a rejected one
    /// errors it: `None` then); a ReadableStream writes it as it is.
    fn awaited(&mut self, g: &Graph, task: u32, async_iter: bool, v: &Value) -> Option<Value> {
        if !async_iter {
            return Some(v.clone());
        }
        match settled(g, v) {
            Settled::Value(v) => Some(v),
            Settled::Pending(p) => {
                self.park(task, p);
                None
            }
            Settled::Rejected(r) => {
                self.st.errored(g, task, &r);
                self.wrote_rows();
                None
            }
        }
    }

    /// A stream task waits for `node` (its stream, or a promise it awaits).
    fn park(&mut self, task: u32, node: NodeId) {
        if let Some(TaskState::Stream { parked, .. }) = self.st.tasks.get_mut(&task) {
            *parked = true;
        }
        self.st.wait(node, task);
    }

    /// Something the tasks wait for changed: they look again.
    ///
    /// (A stream task parked on a promise it awaits is woken the same way.)
    fn wake(&mut self, node: NodeId) {
        for task in self.st.waiters.remove(&node).unwrap_or_default() {
            match self.st.tasks.get_mut(&task) {
                Some(TaskState::Promise) => {
                    self.st.microtasks.push_back(Job::Promise { task, node, chain: Vec::new() });
                }
                Some(TaskState::Stream { parked, .. }) if *parked => {
                    *parked = false;
                    self.st.microtasks.push_back(Job::Read { task });
                }
                _ => {}
            }
        }
    }

    fn abort(&mut self, g: &Graph, reason: Option<Value>) {
        if self.st.aborted {
            return;
        }
        self.st.aborted = true;
        self.st.microtasks.clear();
        self.st.pinged.clear();
        self.st.waiters.clear();
        let thrown = match reason {
            Some(v) => Thrown::Value(v),
            None => Thrown::Message("The render was aborted by the server without a reason.".into()),
        };
        // Streams listen to the abort signal and error with the reason.
        let streams: Vec<u32> =
            self.st.tasks.iter().filter(|(_, t)| matches!(t, TaskState::Stream { .. })).map(|(id, _)| id).collect();
        for id in streams {
            self.st.errored(g, id, &thrown);
        }
        if !self.st.tasks.is_empty() {
            let err = self.st.alloc();
            self.st.error_row(g, err, &thrown);
            let tasks = std::mem::take(&mut self.st.tasks);
            for id in tasks.keys() {
                self.st.errors.text(format!("{id:x}:\"${err:x}\"\n").as_bytes());
            }
        }
        self.flush();
    }

    fn flush(&mut self) {
        if let Some(all) = &mut self.chunks.whole {
            let regular = &mut self.st.regular;
            if all.is_empty()
                && self.st.imports.is_empty()
                && self.st.errors.is_empty()
                && regular.pieces.iter().all(|(_, body)| body.is_none())
            {
                // Only regular rows, and nothing output elsewhere yet: the
                // output so far is the start of their buffer, where they stay.
                regular.flushed = regular.text.len();
                regular.pieces.clear();
                return;
            }
            if regular.flushed > 0 {
                // Back to one output buffer: the output so far, then the rows since.
                let rest = regular.text.split_off(regular.flushed);
                *all = std::mem::replace(&mut regular.text, rest);
                for (end, _) in &mut regular.pieces {
                    *end -= regular.flushed;
                }
                regular.flushed = 0;
            }
        }
        for rows in [&mut self.st.imports, &mut self.st.regular, &mut self.st.errors] {
            self.chunks.rows(rows);
        }
        self.chunks.end();
    }

    fn is_complete(&self) -> bool {
        self.st.tasks.is_empty() && self.st.pinged.is_empty() && self.st.microtasks.is_empty() && !self.st.has_rows()
    }
}

/// Encodes a value whose promises are all settled and whose streams are all
/// ended, as React's production `renderToReadableStream` would.
///
/// # Errors
/// [`ErrorKind::Pending`] if a promise is pending or a stream is open (the
/// stream would not end); use [`ResponseEncoder`] for those.
///
/// ```
/// use flight_codec::value::{Graph, Node, Value};
/// let mut g = Graph::new();
/// let m = g.add(Node::Map(vec![("k".into(), Value::Number(1.0))]));
/// g.set_root(Value::Node(m));
/// let bytes = flight_codec::response::encode(&g, &Default::default())?;
/// assert_eq!(bytes, b"1:[[\"k\",1]]\n0:\"$Q1\"\n");
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub fn encode(g: &Graph, opts: &EncodeOptions) -> Result<Vec<u8>> {
    let mut core = Core::opening(g, opts);
    core.chunks.whole = Some(Vec::new());
    core.start_direct(g);
    if !core.is_complete() {
        return Err(Error::new(ErrorKind::Pending));
    }
    let mut out = match core.chunks.whole {
        // The output is the start of the regular rows' buffer.
        Some(all) if all.is_empty() => {
            let regular = &mut core.st.regular;
            let mut text = std::mem::take(&mut regular.text);
            text.truncate(regular.flushed);
            text
        }
        all => all.unwrap_or_default(),
    };
    if out.capacity() > 2 * out.len() + 4096 {
        out.shrink_to_fit();
    }
    Ok(out)
}

/// A sans-IO response encoder for values with promises and streams that
/// settle later: the root row can be sent before anything else settles.
///
/// Build the value with pending promises ([`PromiseState::Pending`]) and
/// open streams ([`StreamEnd::Open`]); report what happens to them with
/// [`resolve`](Self::resolve), [`reject`](Self::reject), [`push`](Self::push),
/// [`close`](Self::close), [`error`](Self::error) or [`abort`](Self::abort),
/// and take the network chunks React would send with
/// [`poll_chunk`](Self::poll_chunk). Events reported between two polls are one
/// step of React's event loop (their rows share a flush). Nothing here blocks,
/// and nothing is buffered beyond the rows not yet polled.
///
/// ```
/// use flight_codec::response::ResponseEncoder;
/// use flight_codec::value::{Graph, Node, PromiseState, Value};
///
/// let mut g = Graph::new();
/// let p = g.add(Node::Promise(PromiseState::Pending));
/// let root = g.add_value(Node::Object(vec![("p".into(), Value::Node(p))]));
/// g.set_root(root);
///
/// let mut enc = ResponseEncoder::new(g, Default::default());
/// assert_eq!(&enc.poll_chunk().unwrap()[..], b"0:{\"p\":\"$@1\"}\n");
/// assert!(enc.poll_chunk().is_none());
/// enc.resolve(p, "later".into())?;
/// assert_eq!(&enc.poll_chunk().unwrap()[..], b"1:\"later\"\n");
/// assert!(enc.is_complete());
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub struct ResponseEncoder {
    graph: Graph,
    core: Core,
}

fn not_a(what: &str) -> Error {
    Error::new(ErrorKind::Unsupported { message: format!("not {what}") })
}

impl ResponseEncoder {
    /// Starts rendering `graph`'s root.
    ///
    /// ```
    /// use flight_codec::{response::ResponseEncoder, value::Graph};
    /// let mut enc = ResponseEncoder::new(Graph::from_value(1.0.into()), Default::default());
    /// assert_eq!(&enc.poll_chunk().unwrap()[..], b"0:1\n");
    /// assert!(enc.is_complete());
    /// ```
    pub fn new(graph: Graph, opts: EncodeOptions) -> Self {
        let core = Core::new(&graph, &opts);
        ResponseEncoder { graph, core }
    }

    /// The graph, for reading.
    ///
    /// ```
    /// use flight_codec::{response::ResponseEncoder, value::Graph};
    /// let enc = ResponseEncoder::new(Graph::from_value("a".into()), Default::default());
    /// assert_eq!(enc.graph().root().as_string().unwrap(), "a");
    /// ```
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// The graph, for adding the nodes of values that settle later. Change
    /// pending promises and open streams only through this type's methods.
    ///
    /// ```
    /// use flight_codec::response::ResponseEncoder;
    /// use flight_codec::value::{Graph, Node, PromiseState, Value};
    /// let mut g = Graph::new();
    /// let p = g.add(Node::Promise(PromiseState::Pending));
    /// g.set_root(Value::Node(p));
    /// let mut enc = ResponseEncoder::new(g, Default::default());
    /// let arr = enc.graph_mut().add_value(Node::Array(vec![]));
    /// enc.resolve(p, arr)?;
    /// let out: Vec<u8> = std::iter::from_fn(|| enc.poll_chunk()).flatten().collect();
    /// assert_eq!(out, b"0:\"$@1\"\n1:[]\n");
    /// # Ok::<(), flight_codec::Error>(())
    /// ```
    pub fn graph_mut(&mut self) -> &mut Graph {
        &mut self.graph
    }

    fn settle(&mut self, node: NodeId, state: PromiseState) -> Result<()> {
        match self.graph.get(node) {
            Some(NodeRef::Promise(PromiseState::Pending)) => {
                self.graph.replace(node, Node::Promise(state));
            }
            Some(NodeRef::Lazy(s)) if matches!(*s, PromiseState::Pending) => {
                self.graph.replace(node, Node::Lazy(Box::new(state)));
            }
            _ => return Err(not_a("a pending promise")),
        }
        self.core.wake(node);
        Ok(())
    }

    /// Fulfills a pending promise (or lazy).
    ///
    /// # Errors
    /// [`ErrorKind::Unsupported`] if `promise` is not a pending promise.
    ///
    /// ```
    /// use flight_codec::response::ResponseEncoder;
    /// use flight_codec::value::{Graph, Node, PromiseState, Value};
    /// let mut g = Graph::new();
    /// let p = g.add(Node::Promise(PromiseState::Pending));
    /// g.set_root(Value::Node(p));
    /// let mut enc = ResponseEncoder::new(g, Default::default());
    /// enc.resolve(p, 2.0.into())?;
    /// assert!(enc.resolve(p, 3.0.into()).is_err());
    /// # Ok::<(), flight_codec::Error>(())
    /// ```
    pub fn resolve(&mut self, promise: NodeId, value: Value) -> Result<()> {
        self.settle(promise, PromiseState::Fulfilled(value))
    }

    /// Rejects a pending promise: its row becomes an error row.
    ///
    /// # Errors
    /// [`ErrorKind::Unsupported`] if `promise` is not a pending promise.
    ///
    /// ```
    /// use flight_codec::response::ResponseEncoder;
    /// use flight_codec::value::{Graph, Node, PromiseState, Value};
    /// let mut g = Graph::new();
    /// let p = g.add(Node::Promise(PromiseState::Pending));
    /// g.set_root(Value::Node(p));
    /// let mut enc = ResponseEncoder::new(g, Default::default());
    /// enc.reject(p, "no".into())?;
    /// let out: Vec<u8> = std::iter::from_fn(|| enc.poll_chunk()).flatten().collect();
    /// assert_eq!(out, b"0:\"$@1\"\n1:E{\"digest\":\"\"}\n");
    /// # Ok::<(), flight_codec::Error>(())
    /// ```
    pub fn reject(&mut self, promise: NodeId, reason: Value) -> Result<()> {
        self.settle(promise, PromiseState::Rejected(reason))
    }

    fn stream(&mut self, stream: NodeId) -> Result<&mut crate::value::Stream> {
        match self.graph.get(stream) {
            Some(NodeRef::Stream(s)) if matches!(s.end, StreamEnd::Open) => {}
            _ => return Err(not_a("an open stream")),
        }
        match self.graph.node_mut(stream) {
            Some(Node::Stream(s)) => Ok(s),
            _ => Err(not_a("an open stream")),
        }
    }

    /// Adds a chunk to an open stream.
    ///
    /// # Errors
    /// [`ErrorKind::Unsupported`] if `stream` is not an open stream.
    ///
    /// ```
    /// use flight_codec::response::ResponseEncoder;
    /// use flight_codec::value::{Graph, Node, Stream, StreamEnd, StreamKind, Value};
    /// let mut g = Graph::new();
    /// let s = g.add(Node::Stream(Box::new(Stream { kind: StreamKind::Readable, items: vec![], end: StreamEnd::Open })));
    /// g.set_root(Value::Node(s));
    /// let mut enc = ResponseEncoder::new(g, Default::default());
    /// assert_eq!(&enc.poll_chunk().unwrap()[..], b"1:R\n0:\"$1\"\n");
    /// enc.push(s, "hi".into())?;
    /// assert_eq!(&enc.poll_chunk().unwrap()[..], b"1:T2,hi");
    /// # Ok::<(), flight_codec::Error>(())
    /// ```
    pub fn push(&mut self, stream: NodeId, item: Value) -> Result<()> {
        self.stream(stream)?.items.push(item);
        self.core.wake(stream);
        Ok(())
    }

    /// Closes an open stream; `ret` is an async iterator's return value
    /// (`undefined` otherwise).
    ///
    /// # Errors
    /// [`ErrorKind::Unsupported`] if `stream` is not an open stream.
    ///
    /// ```
    /// use flight_codec::response::ResponseEncoder;
    /// use flight_codec::value::{Graph, Node, Stream, StreamEnd, StreamKind, Value};
    /// let mut g = Graph::new();
    /// let s = g.add(Node::Stream(Box::new(Stream { kind: StreamKind::Readable, items: vec![], end: StreamEnd::Open })));
    /// g.set_root(Value::Node(s));
    /// let mut enc = ResponseEncoder::new(g, Default::default());
    /// enc.close(s, Value::Undefined)?;
    /// let out: Vec<u8> = std::iter::from_fn(|| enc.poll_chunk()).flatten().collect();
    /// assert_eq!(out, b"1:R\n0:\"$1\"\n1:C\n");
    /// assert!(enc.is_complete());
    /// # Ok::<(), flight_codec::Error>(())
    /// ```
    pub fn close(&mut self, stream: NodeId, ret: Value) -> Result<()> {
        self.stream(stream)?.end = StreamEnd::Closed(ret);
        self.core.wake(stream);
        Ok(())
    }

    /// Errors an open stream: it ends with an error row.
    ///
    /// # Errors
    /// [`ErrorKind::Unsupported`] if `stream` is not an open stream.
    ///
    /// ```
    /// use flight_codec::response::ResponseEncoder;
    /// use flight_codec::value::{Graph, Node, Stream, StreamEnd, StreamKind, Value};
    /// let mut g = Graph::new();
    /// let s = g.add(Node::Stream(Box::new(Stream { kind: StreamKind::AsyncIterable, items: vec![], end: StreamEnd::Open })));
    /// g.set_root(Value::Node(s));
    /// let mut enc = ResponseEncoder::new(g, Default::default());
    /// enc.error(s, "broke".into())?;
    /// let out: Vec<u8> = std::iter::from_fn(|| enc.poll_chunk()).flatten().collect();
    /// assert_eq!(out, b"1:X\n0:\"$1\"\n1:E{\"digest\":\"\"}\n");
    /// # Ok::<(), flight_codec::Error>(())
    /// ```
    pub fn error(&mut self, stream: NodeId, reason: Value) -> Result<()> {
        self.stream(stream)?.end = StreamEnd::Errored(reason);
        self.core.wake(stream);
        Ok(())
    }

    /// Aborts the render (React's `signal`): open streams error with the
    /// reason; every other unfinished row refers to one error row. `None`
    /// is React's abort without a reason.
    ///
    /// ```
    /// use flight_codec::response::ResponseEncoder;
    /// use flight_codec::value::{Graph, Node, PromiseState, Value};
    /// let mut g = Graph::new();
    /// let p = g.add(Node::Promise(PromiseState::Pending));
    /// g.set_root(Value::Node(p));
    /// let mut enc = ResponseEncoder::new(g, Default::default());
    /// assert!(enc.poll_chunk().is_some());
    /// enc.abort(Some("stop".into()));
    /// assert_eq!(&enc.poll_chunk().unwrap()[..], b"2:E{\"digest\":\"\"}\n1:\"$2\"\n");
    /// assert!(enc.is_complete());
    /// ```
    pub fn abort(&mut self, reason: Option<Value>) {
        self.core.work(&self.graph);
        self.core.abort(&self.graph, reason);
    }

    /// The next network chunk, running whatever the events so far allow;
    /// `None` when nothing is ready.
    ///
    /// ```
    /// use flight_codec::{response::ResponseEncoder, value::Graph};
    /// let mut enc = ResponseEncoder::new(Graph::from_value("x".into()), Default::default());
    /// assert_eq!(&enc.poll_chunk().unwrap()[..], b"0:\"x\"\n");
    /// assert_eq!(enc.poll_chunk(), None);
    /// ```
    pub fn poll_chunk(&mut self) -> Option<Bytes> {
        if self.core.chunks.out.is_empty() {
            self.core.work(&self.graph);
        }
        self.core.chunks.out.pop_front()
    }

    /// The pending promises and open streams the response waits for.
    ///
    /// ```
    /// use flight_codec::response::ResponseEncoder;
    /// use flight_codec::value::{Graph, Node, PromiseState, Value};
    /// let mut g = Graph::new();
    /// let p = g.add(Node::Promise(PromiseState::Pending));
    /// g.set_root(Value::Node(p));
    /// let mut enc = ResponseEncoder::new(g, Default::default());
    /// enc.poll_chunk();
    /// assert_eq!(enc.waiting(), [p]);
    /// ```
    pub fn waiting(&self) -> Vec<NodeId> {
        let mut v: Vec<NodeId> = self.core.st.waiters_nodes();
        v.sort_by_key(|n| n.index());
        v
    }

    /// `true` once every row has been written and polled: the stream ends.
    ///
    /// ```
    /// use flight_codec::{response::ResponseEncoder, value::Graph};
    /// let mut enc = ResponseEncoder::new(Graph::from_value(1.0.into()), Default::default());
    /// assert!(!enc.is_complete());
    /// enc.poll_chunk();
    /// assert!(enc.is_complete());
    /// ```
    pub fn is_complete(&self) -> bool {
        self.core.is_complete() && self.core.chunks.out.is_empty()
    }
}

impl State {
    fn waiters_nodes(&self) -> Vec<NodeId> {
        self.waiters.iter().filter(|(_, t)| t.iter().any(|id| self.tasks.contains_key(id))).map(|(n, _)| *n).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `encode` (one buffer; regular rows left where they were written
    /// while nothing else was output) against the network chunks of
    /// [`ResponseEncoder`] for the same value, with rows of every kind
    /// coming in later flushes: imports, errors, binary rows.
    #[test]
    fn one_shot_output_is_the_chunks_concatenated() {
        let later: [fn(&mut Graph) -> Value; 5] = [
            |g| g.add_value(Node::Object(vec![("x".into(), Value::Number(1.0))])),
            |_| Value::symbol("sym"),
            |g| g.add_value(Node::ArrayBuffer(Box::new(Bytes::from_static(b"abc")))),
            |g| g.add_value(Node::Set(vec![Value::Number(2.0), Value::symbol("other")])),
            |_| "x".repeat(5000).as_str().into(),
        ];
        for mask in 0u32..64 {
            let mut g = Graph::new();
            let mut members = Vec::new();
            for (i, make) in later.iter().enumerate() {
                if mask & (1 << i) != 0 {
                    let v = make(&mut g);
                    let p = g.add(Node::Promise(PromiseState::Fulfilled(v)));
                    members.push((format!("p{i}").as_str().into(), Value::Node(p)));
                }
            }
            if mask & 32 != 0 {
                let p = g.add(Node::Promise(PromiseState::Rejected("no".into())));
                members.push(("r".into(), Value::Node(p)));
                members.push(("s".into(), Value::symbol("first")));
            }
            let root = g.add_value(Node::Object(members));
            g.set_root(root);
            let one = encode(&g, &EncodeOptions::default()).expect("encodes");
            let mut enc = ResponseEncoder::new(g, EncodeOptions::default());
            let chunks: Vec<u8> = std::iter::from_fn(|| enc.poll_chunk()).flatten().collect();
            assert!(enc.is_complete());
            assert_eq!(String::from_utf8_lossy(&one), String::from_utf8_lossy(&chunks), "mask {mask}");
        }
    }
}
