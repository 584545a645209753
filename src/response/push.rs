//! Response decoding, sans-IO and push: bytes in chunks of any size in,
//! events out (the root value, promises settling, stream chunks, streams
//! ending), with the value graph growing as rows arrive.
//!
//! Rows are framed incrementally ([`super::rows`]) and sorted by id. A row is
//! parsed once, when it has arrived and something reached from the root
//! refers to it. A value is delivered when its row and every row it refers
//! to plainly (not through a promise, a lazy or a stream) have been parsed:
//! its references are then resolved and its placeholders (Maps, Sets,
//! FormData, Blobs, server and client references, elements) filled, exactly
//! once. Nothing is allocated from a length the stream declares, and every
//! row and reference is visited a bounded number of times.
//!
//! Development-build rows (`:N`, `D`, `J`, `W`) carry debug information only
//! and are skipped; hints (`:H`) are not part of the value and are skipped
//! too.

use super::complete::{keep_spare, Mark, Tracker, Unit};
use super::row_table::RowLists;
use crate::id_map::{IdMap, IdSet};
use std::collections::{HashMap, HashSet, VecDeque};

use bytes::Bytes;

use super::decode::{
    binary, error_row, fill_entry, fill_import, parse_model, row_error, string_member, text, Chunk, Key, Response,
    StreamChunk, StreamClose, StreamRow,
};
use super::rows::{FrameLimits, RowFramer, RowTag};
use crate::error::{Error, ErrorKind, Result};
use crate::model::{Builder, Slot};
use crate::reply::DecodeOptions;
use crate::value::{
    Element, Graph, JsError, Node, NodeId, NodeRef, PromiseState, Stream, StreamEnd, StreamKind, Value,
};
use crate::LimitKind;

/// Something that happened in a response stream, in stream order.
///
/// Values are in [`ResponseDecoder::graph`]; `NodeId`s name the promise or
/// stream that the event is about (as they appear in earlier values).
///
/// ```
/// use flight_codec::response::{Event, ResponseDecoder};
/// let mut d = ResponseDecoder::new(Default::default());
/// d.feed(b"0:{\"p\":\"$@1\"}\n")?;
/// assert!(matches!(d.next_event(), Some(Event::Root(_))));
/// d.feed(b"1:\"later\"\n")?;
/// assert!(matches!(d.next_event(), Some(Event::Fulfilled { .. })));
/// # Ok::<(), flight_codec::Error>(())
/// ```
#[derive(Clone, Debug)]
pub enum Event {
    /// The root value is complete (row 0 and what it needs).
    Root(Value),
    /// A promise (or lazy) was fulfilled.
    Fulfilled {
        /// The promise.
        promise: NodeId,
        /// Its value.
        value: Value,
    },
    /// A promise (or lazy) was rejected.
    Rejected {
        /// The promise.
        promise: NodeId,
        /// The reason (an error).
        reason: Value,
    },
    /// A stream delivered a chunk.
    Item {
        /// The stream.
        stream: NodeId,
        /// The chunk.
        item: Value,
    },
    /// A stream closed (with an async iterator's return value, or undefined).
    Closed {
        /// The stream.
        stream: NodeId,
        /// The return value.
        value: Value,
    },
    /// A stream errored.
    Errored {
        /// The stream.
        stream: NodeId,
        /// The error.
        reason: Value,
    },
}

/// A stream being read.
struct StreamState {
    node: NodeId,
    kind: StreamKind,
    /// Chunks parsed, and delivered.
    parsed: usize,
    delivered: usize,
    /// The end row, until its event goes out.
    end: Option<StreamClose>,
    /// The end row was seen; its event went out.
    end_parsed: bool,
    ended: bool,
    /// The unit number ([`Units`]) of the next chunk to deliver (once it
    /// is parsed), of the last chunk parsed, and of the end row (`NO_UNIT`
    /// for none): the stream's chunks are a list through [`Units`], not a
    /// list of its own (there can be many streams of a chunk or two).
    next_unit: u32,
    last_unit: u32,
    end_unit: u32,
    /// The chunk (or [`END_ROW`]) whose error the stream has, if one failed.
    errored_at: Option<u32>,
}

/// A ReadableStream (of values or bytes), as against an async iterable or
/// iterator: React's client parses its chunks as they arrive (an
/// iterator's when they are read), and it drops the chunks nobody read
/// when it errors (an iterator keeps them).
fn parsed_on_arrival(kind: StreamKind) -> bool {
    matches!(kind, StreamKind::Readable | StreamKind::Bytes)
}

/// No unit ([`StreamState`]'s and [`Units`]' lists).
const NO_UNIT: u32 = u32::MAX;

/// A stream's end row (its `C` return value) in [`Units`].
const END_ROW: u32 = u32::MAX;

/// Stream chunks and end rows, numbered in the order they are parsed across
/// all streams: a chunk's [`Key`] is its stream's row and its unit number,
/// so the completeness tracker and the builder keep chunks in tables by
/// unit (dense), not hashed by stream and chunk. Holds each unit's place in
/// its stream (its chunk number, or [`END_ROW`]) and the unit of its
/// stream's next chunk (`NO_UNIT` until that is parsed): 8 bytes a unit.
#[derive(Default)]
struct Units(Vec<(u32, u32)>);

impl Units {
    /// Numbers the chunk `chunk` (or the end row, [`END_ROW`]) of a stream,
    /// after its chunk `prev` (if any, `NO_UNIT` for none).
    fn add(&mut self, chunk: u32, prev: u32, max_parts: usize) -> Result<u32> {
        let Some(unit) = u32::try_from(self.0.len()).ok().filter(|&u| u != NO_UNIT) else {
            return Err(ErrorKind::LimitExceeded { limit: LimitKind::Parts, max: max_parts as u64 }.into());
        };
        crate::id_map::reserve_one(&mut self.0);
        self.0.push((chunk, NO_UNIT));
        if let Some(p) = self.0.get_mut(prev as usize) {
            p.1 = unit;
        }
        Ok(unit)
    }

    /// The chunk number (or [`END_ROW`]) of `unit`.
    fn chunk(&self, unit: u32) -> u32 {
        self.0.get(unit as usize).map_or(END_ROW, |u| u.0)
    }

    /// The unit of the chunk after `unit`'s in its stream (`NO_UNIT` if
    /// that is not parsed yet).
    fn next(&self, unit: u32) -> u32 {
        self.0.get(unit as usize).map_or(NO_UNIT, |u| u.1)
    }
}

/// A push decoder for Flight response streams.
///
/// Feed bytes as they arrive ([`feed`](Self::feed)), take events
/// ([`next_event`](Self::next_event)) and read values in
/// [`graph`](Self::graph); at the end of the stream, [`finish`](Self::finish)
/// checks that nothing is missing and returns the settled value, exactly what
/// [`decode`] gives for the whole stream. After an error, the decoder stays
/// failed.
///
/// ```
/// use flight_codec::response::{Event, ResponseDecoder};
/// use flight_codec::notation;
///
/// let stream = b"1:X\n0:{\"tokens\":\"$1\"}\n1:\"Hel\"\n1:\"lo\"\n1:C\n";
/// let mut d = ResponseDecoder::new(Default::default());
/// let mut items = Vec::new();
/// for byte in stream.chunks(3) {
///     d.feed(byte)?;
///     while let Some(e) = d.next_event() {
///         if let Event::Item { item, .. } = e {
///             items.push(item.as_string().unwrap().to_string_lossy().into_owned());
///         }
///     }
/// }
/// assert_eq!(items, ["Hel", "lo"]);
/// let g = d.finish()?;
/// assert_eq!(notation::to_string(&g), r#"{"object":[["tokens",{"asyncIterable":{"items":["Hel","lo"],"return":{"undefined":null}}}]]}"#);
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub struct ResponseDecoder {
    framer: RowFramer,
    opts: DecodeOptions,
    fed: usize,
    rows: usize,
    b: Builder,
    r: Response,
    events: VecDeque<Event>,
    /// No one reads the events (a whole-stream `decode`): none are kept.
    quiet: bool,
    failed: Option<Error>,
    /// Rows parsed (or stream rows started).
    parsed: IdSet,
    /// What each row needs, and which values are complete.
    t: Tracker,
    streams: IdMap<StreamState>,
    /// Rows of server references: their bound-argument promises are needed too.
    server_ref_rows: IdSet,
    /// Placeholders by the row they are built from.
    promises_of: RowLists<(NodeId, bool)>,
    server_refs_of: IdMap<Vec<NodeId>>,
    error_values_of: RowLists<NodeId>,
    /// Promises waiting for a promise they were fulfilled with.
    adopting: HashMap<NodeId, Vec<(NodeId, bool)>>,
    /// Server reference rows to look at (see `fill_ready_server_refs`), and
    /// rows waiting for their bound promise, by that promise.
    fill_candidates: Vec<u32>,
    /// The rows in `fill_candidates` (each once: a row can have a `$h` per
    /// few bytes of stream).
    candidate_set: IdSet,
    waiting_bound: IdSet,
    refs_by_bound: HashMap<NodeId, Vec<u32>>,
    /// Bound arguments copied into server references so far.
    bound_copies: u64,
    /// The `$h` placeholders were made server references (`Response::then_refs`).
    boxed_placeholders: bool,
    /// The first Blob filled from each row: the later ones share its bytes.
    blob_rows: IdMap<NodeId>,
    /// The walks to run next (kept for its room: a run per row).
    ready: Vec<u32>,
    /// A row's promises and lazies being settled (likewise).
    settling: Vec<(NodeId, bool)>,
    /// The `id` and `bound` members of server reference rows of more than 16
    /// keys (see `meta_fields`).
    wide_meta: IdMap<(Option<Value>, Option<Value>)>,
    /// Stream chunks and end rows by unit number.
    units: Units,
    /// Values of more than one reference that, when parsed, referred to rows
    /// that were already errors: the last such row in their text (the
    /// error React gives them).
    sync_errors: HashMap<Key, u32>,
    /// An error row (`E`) has arrived.
    error_rows: bool,
}

impl ResponseDecoder {
    /// A decoder with these options (limits as in the reply decoder).
    ///
    /// ```
    /// let d = flight_codec::response::ResponseDecoder::new(Default::default());
    /// assert!(d.graph().is_empty());
    /// ```
    pub fn new(opts: DecodeOptions) -> Self {
        let mut limits = FrameLimits::default();
        limits.max_row_bytes = opts.limits.max_total_bytes;
        let mut r = Response {
            temporary_references: opts.temporary_references,
            ids: super::ids::RowIds::new(),
            then_refs: false,
            wrote_refs: false,
            chunks: Default::default(),
            queued: IdSet::default(),
            work: Vec::new(),
            marker: None,
            promises: Vec::new(),
            promise_nodes: Default::default(),
            inits_of: RowLists::default(),
            entries_of: RowLists::default(),
            placeholder_rows: Vec::new(),
            server_refs: Vec::new(),
            rejected: IdSet::default(),
            elements: HashMap::new(),
            at: (0, None),
            deps: Vec::new(),
            failed_elements: Vec::new(),
            temporaries: HashMap::new(),
            error_values: Vec::new(),
            lazies: Vec::new(),
            imports: IdMap::default(),
        };
        r.enqueue(0);
        let mut d = ResponseDecoder {
            framer: RowFramer::new(limits),
            b: Builder::new(opts.limits.clone()),
            opts,
            fed: 0,
            rows: 0,
            r,
            events: VecDeque::new(),
            quiet: false,
            failed: None,
            parsed: IdSet::default(),
            t: Tracker::default(),
            streams: IdMap::default(),
            server_ref_rows: IdSet::default(),
            promises_of: RowLists::default(),
            server_refs_of: IdMap::default(),
            error_values_of: RowLists::default(),
            adopting: HashMap::new(),
            fill_candidates: Vec::new(),
            candidate_set: IdSet::default(),
            waiting_bound: IdSet::default(),
            refs_by_bound: HashMap::new(),
            bound_copies: 0,
            boxed_placeholders: false,
            blob_rows: IdMap::default(),
            ready: Vec::new(),
            settling: Vec::new(),
            wide_meta: IdMap::default(),
            units: Units::default(),
            sync_errors: HashMap::new(),
            error_rows: false,
        };
        d.t.watch(Unit::Root);
        d
    }

    /// The value graph so far.
    ///
    /// ```
    /// let mut d = flight_codec::response::ResponseDecoder::new(Default::default());
    /// d.feed(b"0:[1,2]\n")?;
    /// assert_eq!(d.graph().len(), 1);
    /// # Ok::<(), flight_codec::Error>(())
    /// ```
    pub fn graph(&self) -> &Graph {
        &self.b.g
    }

    fn emit(&mut self, e: Event) {
        if !self.quiet {
            self.events.push_back(e);
        }
    }

    /// The next event, in stream order.
    ///
    /// ```
    /// let mut d = flight_codec::response::ResponseDecoder::new(Default::default());
    /// assert!(d.next_event().is_none());
    /// d.feed(b"0:1\n")?;
    /// assert!(d.next_event().is_some());
    /// # Ok::<(), flight_codec::Error>(())
    /// ```
    pub fn next_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Feeds the next bytes of the stream.
    ///
    /// # Errors
    /// As [`decode`]; an error is final (every later call returns it).
    ///
    /// ```
    /// let mut d = flight_codec::response::ResponseDecoder::new(Default::default());
    /// assert_eq!(d.feed(b"0:\"$@0\"\n").unwrap_err().kind().name(), "cyclic-promise");
    /// assert!(d.feed(b"").is_err());
    /// ```
    pub fn feed(&mut self, chunk: &[u8]) -> Result<()> {
        self.feed_chunk(chunk, None)
    }

    /// Feeds the next bytes of the stream, given up by the caller: rows that
    /// lie wholly inside `chunk` are slices of it, so binary rows (typed
    /// arrays, blobs, byte streams) and text are never copied. Otherwise the
    /// same as [`feed`](Self::feed).
    ///
    /// # Errors
    /// As [`feed`](Self::feed).
    ///
    /// ```
    /// use bytes::Bytes;
    /// let mut d = flight_codec::response::ResponseDecoder::new(Default::default());
    /// d.feed_bytes(Bytes::from_static(b"1:o4,\x01\x02\x03\x040:\"$1\"\n"))?;
    /// let g = d.finish()?;
    /// assert_eq!(flight_codec::notation::to_string(&g), r#"{"typedArray":{"kind":"Uint8Array","base64":"AQIDBA=="}}"#);
    /// # Ok::<(), flight_codec::Error>(())
    /// ```
    pub fn feed_bytes(&mut self, chunk: Bytes) -> Result<()> {
        self.feed_chunk(&chunk, Some(&chunk))
    }

    fn feed_chunk(&mut self, chunk: &[u8], owned: Option<&Bytes>) -> Result<()> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let r = self.feed_inner(chunk, owned).map_err(|e| self.r.ids.to_stream_error(e));
        if let Err(e) = &r {
            self.failed = Some(e.clone());
        }
        r
    }

    fn feed_inner(&mut self, chunk: &[u8], owned: Option<&Bytes>) -> Result<()> {
        self.fed = self.fed.saturating_add(chunk.len());
        let max = self.opts.limits.max_total_bytes;
        if self.fed > max {
            return Err(ErrorKind::LimitExceeded { limit: LimitKind::TotalBytes, max: max as u64 }.into());
        }
        // Rows are framed a few at a time and taken at once, so that a large
        // chunk of small rows does not queue them all.
        let mut at = 0;
        while at < chunk.len() {
            let framed = match owned {
                Some(b) => self.framer.feed_bytes_until(&b.slice(at..), 64),
                None => self.framer.feed_until(&chunk[at..], 64),
            };
            // The rows framed before a framing error take effect first, as
            // they would have fed a byte at a time.
            self.take_rows()?;
            at += framed.map_err(|e| Error::new(ErrorKind::Frame(e)))?;
        }
        self.pump()
    }

    /// Ends the stream: checks that every referenced row arrived, every
    /// stream closed and every promise settled, and returns the value.
    ///
    /// # Errors
    /// As [`decode`].
    ///
    /// ```
    /// let mut d = flight_codec::response::ResponseDecoder::new(Default::default());
    /// d.feed(b"0:{\"a\":\"$1\"}\n")?;
    /// assert_eq!(d.finish().unwrap_err().kind().name(), "missing-row");
    /// # Ok::<(), flight_codec::Error>(())
    /// ```
    pub fn finish(mut self) -> Result<Graph> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        if let Err(e) = self.check_finished() {
            return Err(self.r.ids.to_stream_error(e));
        }
        if !self.b.shared {
            // Nothing shared: the logical size was counted as the value was built.
            return self.b.finish_root();
        }
        // The value's logical size is measured on the graph alone: the rest
        // of the decoder (its tables of rows, walks and holes) goes first.
        let mut b = self.into_builder();
        b.release_holes();
        b.finish_root()
    }

    /// Checks, at the end of the stream, that nothing is missing.
    fn check_finished(&mut self) -> Result<()> {
        self.framer.finish().map_err(|e| Error::new(ErrorKind::Frame(e)))?;
        self.take_rows()?;
        self.pump()?;
        // A row that was needed and never came.
        let mut missing: Vec<u32> = self.r.queued.iter().filter(|id| !self.parsed.contains(id)).collect();
        missing.sort_unstable_by_key(|&d| self.r.ids.stream_id(d));
        if let Some(&id) = missing.first() {
            return Err(match self.r.chunks.get(&self.r.ids.stream_id(id)) {
                Some(Chunk::Halted) => row_error(id, "is halted (empty) but the value needs it"),
                _ => ErrorKind::MissingRow { id }.into(),
            });
        }
        let mut open: Vec<u32> = self.streams.iter().filter(|(_, s)| !s.end_parsed).map(|(id, _)| id).collect();
        open.sort_unstable_by_key(|&d| self.r.ids.stream_id(d));
        if let Some(&id) = open.first() {
            return Err(ErrorKind::InvalidStream { id, reason: "never closed" }.into());
        }
        if !self.adopting.is_empty() {
            return Err(ErrorKind::CyclicPromise.into());
        }
        if self.r.rejected.contains(&0) {
            return Err(ErrorKind::RootRejected.into());
        }
        // Placeholders not filled (in rows that errored) end as empty server references.
        self.box_placeholders();
        Ok(())
    }

    /// The graph under construction, the rest dropped.
    fn into_builder(self) -> Builder {
        self.b
    }

    /// Sorts newly framed rows by id (the rows of started streams go to
    /// their streams).
    fn take_rows(&mut self) -> Result<()> {
        while let Some(row) = self.framer.next_row() {
            self.rows += 1;
            if self.rows > self.opts.limits.max_parts {
                let max = self.opts.limits.max_parts as u64;
                return Err(ErrorKind::LimitExceeded { limit: LimitKind::Parts, max }.into());
            }
            // Rows that no parsed row has referred to yet wait under their
            // stream id; the others have a dense id.
            let wire = row.id;
            let known = self.r.ids.get(wire);
            if let Some(id) = known.filter(|d| self.streams.contains_key(d)) {
                if self.streams.get(&id).is_some_and(|s| s.end_parsed) {
                    return Err(row_error(id, "has rows after its stream was closed"));
                }
                match stream_row(row.tag, row.payload, &mut self.r.ids, wire)? {
                    Some(StreamRowOrEnd::Row(sr)) => self.stream_chunk(id, sr)?,
                    Some(StreamRowOrEnd::End(end)) => self.stream_end(id, end)?,
                    None => {}
                }
                self.pump()?;
                continue;
            }
            if let Some(Chunk::Stream(st)) = self.r.chunks.get_mut(&wire) {
                let StreamChunk { rows, end, .. } = &mut **st;
                if end.is_some() {
                    return Err(row_error(self.r.ids.intern(wire), "has rows after its stream was closed"));
                }
                match stream_row(row.tag, row.payload, &mut self.r.ids, wire)? {
                    Some(StreamRowOrEnd::Row(sr)) => rows.push(sr),
                    Some(StreamRowOrEnd::End(e)) => *end = Some(e),
                    None => {}
                }
                continue;
            }
            let ids = &mut self.r.ids;
            let chunk = match row.tag {
                RowTag::Json if row.payload.is_empty() => Chunk::Halted,
                RowTag::Json => Chunk::Model(row.payload),
                RowTag::Binary(b'T') => Chunk::Text(text(row.payload).map_err(|e| e.at_part(ids.intern(wire)))?),
                RowTag::Binary(b'b') => {
                    return Err(row_error(ids.intern(wire), "is a byte-stream chunk outside a stream"))
                }
                RowTag::Binary(tag) => Chunk::Binary(tag, row.payload),
                RowTag::Tagged(b'I') => Chunk::Import(row.payload),
                RowTag::Tagged(b'E') => {
                    self.error_rows = true;
                    Chunk::Error(row.payload)
                }
                RowTag::Tagged(t @ (b'R' | b'r' | b'X' | b'x')) => {
                    let kind = match t {
                        b'R' => StreamKind::Readable,
                        b'r' => StreamKind::Bytes,
                        b'X' => StreamKind::AsyncIterable,
                        _ => StreamKind::AsyncIterator,
                    };
                    Chunk::Stream(Box::new(StreamChunk { kind, rows: Vec::new(), end: None }))
                }
                // Hints and development rows are not part of the value.
                RowTag::Tagged(b'H' | b'D' | b'J' | b'W' | b'N') => continue,
                RowTag::Tagged(b'C') => {
                    return Err(row_error(ids.intern(wire), "closes something that is not a stream"))
                }
                RowTag::Tagged(_) => return Err(row_error(ids.intern(wire), "has an unknown tag")),
            };
            if known.is_some_and(|d| self.parsed.contains(&d)) || !self.r.chunks.insert(wire, chunk) {
                return Err(row_error(self.r.ids.intern(wire), "appears twice"));
            }
            if let Some(id) = known.filter(|d| self.r.queued.contains(d)) {
                self.r.work.push(id);
            }
            // Rows take effect one at a time, in stream order: events do not
            // depend on how the stream was cut.
            self.pump()?;
        }
        Ok(())
    }

    /// Parses what can be parsed and delivers what is complete, until
    /// nothing changes.
    fn pump(&mut self) -> Result<()> {
        loop {
            let mut progress = false;
            while let Some(id) = self.r.work.pop() {
                let wire = self.r.ids.stream_id(id);
                if self.parsed.contains(&id) || !self.r.chunks.contains_key(&wire) {
                    continue;
                }
                if matches!(self.r.chunks.get(&wire), Some(Chunk::Halted)) {
                    continue;
                }
                self.parse_row(id).map_err(|e| match e.kind() {
                    ErrorKind::MissingRow { .. } => e,
                    _ => e.at_part(id),
                })?;
                progress = true;
            }
            let mut ready = std::mem::take(&mut self.ready);
            self.t.take_ready(&mut ready);
            for &n in &ready {
                let run = self.t.run(n, &self.parsed, self.rows, self.fed, self.opts.limits.max_parts)?;
                self.finalize(&run.done)?;
                self.t.recycle(run.done);
                if let Some(unit) = run.finished {
                    self.deliver(unit)?;
                }
                progress = true;
            }
            keep_spare(&mut self.ready, ready);
            if !progress && self.r.work.is_empty() {
                return Ok(());
            }
        }
    }

    /// Records the plain references a parse added, under `key`, and fills
    /// the placeholders it wrote for rows already complete.
    fn note_deps(&mut self, key: Key) -> Result<()> {
        let mut targets: Vec<u32> = Vec::with_capacity(self.r.deps.len());
        let mut marks = Vec::new();
        for d in self.r.deps.drain(..) {
            if let Some(e) = d.element {
                marks.push((targets.len() as u32, Mark::Element(e)));
            }
            targets.push(d.to);
        }
        // Server references need their rows (their `$h`s wrote references to
        // them); those rows need their bound arguments (a promise) too.
        for (node, p) in std::mem::take(&mut self.r.server_refs) {
            self.server_ref_rows.insert(p);
            self.server_refs_of.get_or_default(p).push(node);
            self.fill_candidate(p);
        }
        if self.r.then_refs && !self.boxed_placeholders {
            // A reference was written under `then`: the `$h` placeholders are
            // made server references before any such reference resolves.
            self.boxed_placeholders = true;
            self.box_placeholders();
        }
        // A list entry each, reserved at once: a row can be mostly
        // promises. A walk for each row they wait for: while a row has a
        // list, a walk of it is under way, and settles the whole list.
        let waiting = self.r.promises.len() + self.r.lazies.len();
        self.promises_of.reserve(waiting);
        for (node, p) in std::mem::take(&mut self.r.promises) {
            if self.server_ref_rows.contains(&key.0) && key.1.is_none() {
                // A server reference's bound arguments: needed, and an error in
                // them is the reference's.
                targets.push(p);
            }
            self.await_row(p, node, false);
        }
        for (node, p) in std::mem::take(&mut self.r.lazies) {
            self.await_row(p, node, true);
        }
        for (node, p) in std::mem::take(&mut self.r.error_values) {
            marks.push((targets.len() as u32, Mark::NotItsError));
            targets.push(p);
            self.error_values_of.push(p, node);
        }
        self.t.add_deps(key, &targets, &marks);
        let readable = || key.1.is_some() && self.streams.get(&key.0).is_some_and(|s| parsed_on_arrival(s.kind));
        if self.error_rows && targets.len() > 1 && readable() {
            // A chunk of a ReadableStream is parsed as it arrives (the
            // others, in React, when first read or needed): of the rows it
            // refers to plainly that are errors then (error rows that
            // arrived, parsed or not, and rows that errored), it takes the
            // last in its text (each overwrites the error before). Kept for
            // `propagate_errors`.
            let r = &self.r;
            let errored = |to: u32| {
                r.rejected.contains(&to) || matches!(r.chunks.get(&r.ids.stream_id(to)), Some(Chunk::Error(_)))
            };
            let last = self.t.error_deps(&key).filter(|&(to, e)| e.is_none() && to != key.0 && errored(to));
            if let Some((to, _)) = last.last() {
                self.sync_errors.insert(key, to);
            }
        }
        // A placeholder for a row that completed before is filled now (as
        // React's client fills one from a resolved chunk at once); the others
        // when their rows complete (`finalize`).
        let mut rows = std::mem::take(&mut self.r.placeholder_rows);
        rows.retain(|&p| self.t.complete.contains(&(p, None)));
        let filled = self.fill_placeholders(rows.iter().copied());
        rows.clear();
        self.r.placeholder_rows = rows;
        filled
    }

    /// Puts promise (or lazy) `node` on row `p`'s list, starting a walk of
    /// the row if it has none: while a row has a list, a walk of it is under
    /// way, and settles the whole list.
    fn await_row(&mut self, p: u32, node: NodeId, lazy: bool) {
        if !self.promises_of.contains(p) {
            self.t.watch(Unit::Row(p));
        }
        self.promises_of.push(p, (node, lazy));
    }

    /// Parses row `id` into `b.roots`.
    fn parse_row(&mut self, id: u32) -> Result<()> {
        let Some(chunk) = self.r.chunks.remove(&self.r.ids.stream_id(id)) else { return Ok(()) };
        self.parsed.insert(id);
        self.t.arrived(id);
        self.b.row = id;
        self.b.item = None;
        self.r.at = (id, None);
        let b = &mut self.b;
        let r = &mut self.r;
        let value = match chunk {
            Chunk::Model(json) => parse_model(b, r, &json, Slot::Root(id), Some(id))?,
            Chunk::Text(t) => {
                b.charge(t.len() as u64)?;
                Some(Value::String(t))
            }
            Chunk::Binary(tag, bytes) => Some(binary(b, tag, bytes)?),
            Chunk::Import(json) => {
                // The metadata may refer to other rows (React 19.3 deduplicates long
                // module ids into their own rows), so it is parsed as a model and
                // the reference filled in once references are resolved.
                let placeholder = crate::value::ClientReference {
                    id: crate::value::JsString::new(),
                    name: crate::value::JsString::new(),
                };
                let node = b.g.add(Node::ClientReference(Box::new(placeholder)));
                let meta = parse_model(b, r, &json, Slot::Root(u32::MAX), None)?.unwrap_or(Value::Undefined);
                r.imports.insert(id, (node, meta));
                Some(Value::Node(node))
            }
            Chunk::Error(json) => {
                r.rejected.insert(id);
                b.failed.insert(id);
                Some(error_row(b, &json)?)
            }
            Chunk::Stream(st) => {
                let StreamChunk { kind, rows, end } = *st;
                let node = b.g.add(Node::Stream(Box::new(Stream { kind, items: Vec::new(), end: StreamEnd::Open })));
                b.roots.insert(id, Value::Node(node));
                self.streams.insert(
                    id,
                    StreamState {
                        node,
                        kind,
                        parsed: 0,
                        delivered: 0,
                        end: None,
                        end_parsed: false,
                        ended: false,
                        next_unit: NO_UNIT,
                        last_unit: NO_UNIT,
                        end_unit: NO_UNIT,
                        errored_at: None,
                    },
                );
                self.note_deps((id, None))?;
                for sr in rows {
                    self.stream_chunk(id, sr)?;
                }
                if let Some(e) = end {
                    self.stream_end(id, e)?;
                }
                return Ok(());
            }
            Chunk::Halted => return Err(row_error(id, "is halted (empty) but the value needs it")),
        };
        if let Some(v) = value {
            self.b.roots.insert(id, v);
        }
        self.note_deps((id, None))?;
        Ok(())
    }

    /// A chunk row of a started stream.
    fn stream_chunk(&mut self, id: u32, row: StreamRow) -> Result<()> {
        let Some(s) = self.streams.get_mut(&id) else { return Ok(()) };
        let (node, kind, i) = (s.node, s.kind, s.parsed);
        // Chunk numbers are `u32`s below `END_ROW`.
        let Some(chunk) = u32::try_from(i).ok().filter(|&c| c != END_ROW) else {
            let max = self.opts.limits.max_parts as u64;
            return Err(ErrorKind::LimitExceeded { limit: LimitKind::Parts, max }.into());
        };
        s.parsed += 1;
        let unit = self.units.add(chunk, s.last_unit, self.opts.limits.max_parts)?;
        s.last_unit = unit;
        if i == s.delivered {
            s.next_unit = unit;
        }
        if kind == StreamKind::Bytes && !matches!(row, StreamRow::Binary(..)) {
            return Err(ErrorKind::InvalidStream { id, reason: "has a chunk that is not binary" }.into());
        }
        // A stream that errored (a chunk referred to an error) takes no more chunks.
        let open = match self.b.g.node_mut(node) {
            Some(Node::Stream(st)) if !matches!(st.end, StreamEnd::Errored(_)) => {
                // Grown by a quarter once long: a stream can be most of a
                // response (and there can be many short ones).
                crate::id_map::reserve_one_of_many(&mut st.items);
                st.items.push(Value::Undefined);
                true
            }
            _ => false,
        };
        self.b.row = id;
        self.b.item = Some(unit);
        self.r.at = (id, Some(unit));
        let v = match row {
            StreamRow::Model(json) => parse_model(&mut self.b, &mut self.r, &json, Slot::Item(node, i as u32), None)?
                .unwrap_or(Value::Undefined),
            StreamRow::Text(t) => Value::String(t),
            StreamRow::Binary(tag, bytes) => binary(&mut self.b, tag, bytes)?,
        };
        self.b.item = None;
        if let Some(Node::Stream(st)) = self.b.g.node_mut(node) {
            if let (true, Some(slot)) = (open, st.items.get_mut(i)) {
                if !matches!(v, Value::Undefined) {
                    *slot = v;
                }
            }
        }
        self.note_deps((id, Some(unit)))?;
        self.t.watch(Unit::Chunk((id, Some(unit))));
        Ok(())
    }

    /// A stream's end row.
    fn stream_end(&mut self, id: u32, end: StreamClose) -> Result<()> {
        let Some(s) = self.streams.get_mut(&id) else { return Ok(()) };
        let node = s.node;
        let unit = self.units.add(END_ROW, NO_UNIT, self.opts.limits.max_parts)?;
        s.end_unit = unit;
        let key = (id, Some(unit));
        match &end {
            StreamClose::Closed(ret) if !ret.is_empty() => {
                let ret = ret.clone();
                s.end = Some(end);
                if let Some(Node::Stream(st)) = self.b.g.node_mut(node) {
                    if matches!(st.end, StreamEnd::Open) {
                        st.end = StreamEnd::Closed(Value::Undefined);
                    }
                }
                self.b.row = id;
                self.b.item = Some(unit);
                self.r.at = key;
                let v = parse_model(&mut self.b, &mut self.r, &ret, Slot::StreamReturn(node), None)?;
                self.b.item = None;
                if let (Some(v), Some(Node::Stream(st))) = (v, self.b.g.node_mut(node)) {
                    // A stream that errored (a chunk referred to an error
                    // row) keeps its error, as its holes' fills do.
                    if matches!(st.end, StreamEnd::Closed(_)) {
                        st.end = StreamEnd::Closed(v);
                    }
                }
                self.note_deps(key)?;
            }
            _ => s.end = Some(end),
        }
        if let Some(s) = self.streams.get_mut(&id) {
            s.end_parsed = true;
        }
        self.t.watch(Unit::Chunk(key));
        Ok(())
    }

    /// Resolves references and fills placeholders in rows that just became
    /// complete.
    fn finalize(&mut self, done: &[(u32, Key)]) -> Result<()> {
        if done.is_empty() {
            return Ok(());
        }
        for &(_, (row, item)) in done {
            if item.is_none() && self.server_refs_of.contains_key(&row) {
                self.fill_candidate(row);
            }
        }
        self.propagate_errors(done);
        debug_assert_eq!(self.b.failed.len(), self.r.rejected.len());
        for &(_, k) in done {
            self.b.resolve_holes_of(k).map_err(|e| at_row(e, k.0))?;
        }
        self.b.drop_undefined();
        let done_rows = done.iter().filter(|d| d.1 .1.is_none()).map(|d| d.1 .0);
        if !self.r.imports.is_empty() {
            for row in done_rows.clone() {
                if let Some((node, meta)) = self.r.imports.remove(&row) {
                    fill_import(&mut self.b, node, &meta, row)?;
                }
            }
        }
        if !self.error_values_of.is_empty() {
            for row in done_rows.clone() {
                let Some(nodes) = self.error_values_of.remove(&row) else { continue };
                // The row's message, looked up once for all its `$Z`s (once
                // each was quadratic for a wide row named by many).
                let message = string_member(&self.b.g, self.b.roots.get(&row), "message").unwrap_or_default();
                for node in nodes {
                    let error = JsError { message: message.clone(), digest: None };
                    self.b.g.replace(node, Node::Error(Box::new(error)));
                }
            }
        }
        if !self.r.elements.is_empty() {
            for &(_, k) in done {
                for node in self.r.elements.remove(&k).unwrap_or_default() {
                    if let NodeRef::Array(items) = self.b.g.view(node) {
                        if items.len() >= 4 {
                            let element = Node::Element(Box::new(Element {
                                element_type: items[1].clone(),
                                key: items[2].clone(),
                                props: items[3].clone(),
                            }));
                            self.b.g.replace(node, element);
                        }
                    }
                }
            }
        }
        for (node, error) in std::mem::take(&mut self.r.failed_elements) {
            self.b.g.replace(node, Node::Lazy(Box::new(PromiseState::Rejected(error))));
        }
        self.fill_placeholders(done_rows.clone())?;
        for row in done_rows {
            self.settle_row(row)?;
        }
        self.fill_ready_server_refs()
    }

    /// The items that Map, Set, iterator and FormData placeholders may copy
    /// from arrays used before, over the whole decode: one item (16 bytes)
    /// per sixteen bytes of stream, plus 8,192. React writes a row per Map,
    /// Set, iterator or FormData, so only a forged stream copies one again.
    fn max_copies(&self) -> u64 {
        self.fed as u64 / 16 + 8_192
    }

    /// Fills the Map, Set, iterator, FormData and Blob placeholders waiting
    /// for these rows (complete).
    fn fill_placeholders(&mut self, done_rows: impl Iterator<Item = u32> + Clone) -> Result<()> {
        let max_copies = self.max_copies();
        if !self.r.inits_of.is_empty() {
            for row in done_rows.clone() {
                let rejected = self.r.rejected.contains(&row);
                if let Some(inits) = self.r.inits_of.remove(&row) {
                    if !rejected {
                        let list = inits.into_iter().map(|n| (n, row));
                        self.b.fill_initializers(list, false, max_copies)?;
                    }
                }
            }
        }
        if self.r.entries_of.is_empty() {
            return Ok(());
        }
        // Blobs first: a FormData's file entries are Blobs (copied in). A
        // placeholder is a Blob or a FormData, and stays one when filled.
        // The lists are read in place (they can be most of a stream's
        // references), then taken.
        let rows: Vec<u32> = done_rows.filter(|&row| self.r.entries_of.contains(row)).collect();
        for pass_blobs in [true, false] {
            for &row in &rows {
                if self.r.rejected.contains(&row) {
                    continue;
                }
                for node in self.r.entries_of.list(&row).into_iter().flatten() {
                    let is_blob = matches!(self.b.g.view(node), NodeRef::Blob(_));
                    if is_blob == pass_blobs {
                        fill_entry(&mut self.b, (node, row, is_blob), &mut self.blob_rows, max_copies)?;
                    }
                }
            }
        }
        for row in rows {
            self.r.entries_of.remove(&row);
        }
        Ok(())
    }

    /// The metadata of server reference row `row`: its id, and the array of
    /// its bound arguments (if not `null`), checked each time its `$h`s are
    /// filled (not kept: a server reference row can be most of a stream; the
    /// check costs no more than the copies the fill makes, which are counted).
    fn server_meta_of(&mut self, row: u32) -> Result<(crate::value::JsString, Option<NodeId>)> {
        let Some((id, bound)) = self.meta_fields(row) else {
            let reason = "metadata is not an object";
            return Err(Error::new(ErrorKind::InvalidServerReference { reason }).at_part(row));
        };
        self.b.check_server_ref_meta(id.as_ref(), bound.as_ref()).map_err(|e| e.at_part(row))
    }

    /// The `id` and `bound` members of server reference row `row` (see
    /// [`crate::model::meta_fields`]). Remembered for an object of more than
    /// 16 keys: each `$h` row arriving looks at the row again, and a look at
    /// each of its keys each time was quadratic (a 2.7 MB stream took 68 s).
    fn meta_fields(&mut self, row: u32) -> Option<(Option<Value>, Option<Value>)> {
        if let Some(fields) = self.wide_meta.get(&row) {
            return Some(fields.clone());
        }
        let meta = self.b.roots.get(&row);
        let fields = crate::model::meta_fields(&self.b.g, meta)?;
        if matches!(meta.and_then(Value::as_node).map(|n| self.b.g.view(n)), Some(NodeRef::Object(p)) if p.len() > 16) {
            self.wide_meta.insert(row, fields.clone());
        }
        Some(fields)
    }

    /// The bound arguments in `array`.
    fn bound_args(&self, array: Option<NodeId>) -> Option<&[Value]> {
        match self.b.g.view(array?) {
            NodeRef::Array(items) => Some(items),
            _ => None,
        }
    }

    /// A row or chunk and everything it needs are complete: its event.
    fn deliver(&mut self, unit: Unit) -> Result<()> {
        match unit {
            Unit::Root => {
                if !self.r.rejected.contains(&0) {
                    let v = self.b.roots.get(&0).cloned().unwrap_or(Value::Undefined);
                    self.emit(Event::Root(v));
                }
            }
            Unit::Row(p) => {
                self.settle_row(p)?;
                self.fill_ready_server_refs()?;
            }
            Unit::Chunk((id, _)) => self.deliver_stream(id),
        }
        Ok(())
    }

    /// Settles the promises and lazies of a complete row.
    fn settle_row(&mut self, p: u32) -> Result<()> {
        let Some(list) = self.promises_of.remove(&p) else { return Ok(()) };
        let mut settling = std::mem::take(&mut self.settling);
        settling.clear();
        settling.extend(list);
        for &(node, lazy) in &settling {
            let rejected = self.r.rejected.contains(&p);
            let v = self.b.roots.get(&p).cloned().unwrap_or(Value::Undefined);
            self.settle(node, lazy, v, rejected, 0)?;
        }
        keep_spare(&mut self.settling, settling);
        Ok(())
    }

    /// Fills the server references whose rows are complete and whose bound
    /// arguments have settled, among the rows something happened to since
    /// the last call (a `$h` to it, it completed, its bound promise settled):
    /// the work is theirs, not every server reference so far.
    fn fill_ready_server_refs(&mut self) -> Result<()> {
        if self.fill_candidates.is_empty() {
            return Ok(());
        }
        let mut rows = std::mem::take(&mut self.fill_candidates);
        for &p in &rows {
            self.candidate_set.remove(p);
        }
        rows.sort_unstable_by_key(|&d| self.r.ids.stream_id(d));
        rows.dedup();
        // Each `$h` is a function of its own, with its own copy of the bound
        // arguments: the copies stay linear in the stream (one per four bytes,
        // plus 32,768), where `$h`s to a row with many bound arguments would
        // multiply them. They are all counted before any is made.
        let mut fills = Vec::new();
        for p in rows {
            if !self.server_refs_of.contains_key(&p) || !self.t.complete.contains(&(p, None)) {
                continue;
            }
            if self.waiting_bound.contains(&p) {
                continue;
            }
            if let Some(promise) = self.pending_bound(p) {
                // Filled when that promise settles.
                self.waiting_bound.insert(p);
                self.refs_by_bound.entry(promise).or_default().push(p);
                continue;
            }
            if self.r.rejected.contains(&p) {
                for node in self.server_refs_of.remove(&p).unwrap_or_default() {
                    self.box_placeholder(node);
                }
                continue;
            }
            let array = self.server_meta_of(p)?.1;
            let bound = self.bound_args(array).map_or(0, |b| b.len() as u64);
            let refs = self.server_refs_of.get(&p).map_or(0, |nodes| nodes.len() as u64);
            self.bound_copies += refs * bound;
            let max = self.fed as u64 / 4 + 32_768;
            if self.bound_copies > max {
                return Err(ErrorKind::LimitExceeded { limit: LimitKind::LogicalSize, max }.into());
            }
            fills.push(p);
        }
        for p in fills {
            // (Checked above: read again rather than kept.)
            let (id, array) = self.server_meta_of(p)?;
            let bound = self.bound_args(array).map(<[Value]>::to_vec);
            for node in self.server_refs_of.remove(&p).unwrap_or_default() {
                let reference = crate::value::ServerReference { id: id.clone(), bound: bound.clone() };
                self.b.g.replace(node, Node::ServerReference(Box::new(reference)));
            }
        }
        Ok(())
    }

    /// Server reference row `p` is to be looked at (see `fill_ready_server_refs`).
    fn fill_candidate(&mut self, p: u32) {
        if self.candidate_set.insert(p) {
            self.fill_candidates.push(p);
        }
    }

    /// Makes the `$h` placeholder `node`, if it is not filled, an empty
    /// server reference.
    fn box_placeholder(&mut self, node: NodeId) {
        if matches!(self.b.g.view(node), NodeRef::Iterator([])) {
            self.b.g.replace(node, super::decode::empty_server_reference());
        }
    }

    /// Makes every `$h` placeholder not filled an empty server reference.
    fn box_placeholders(&mut self) {
        if self.server_refs_of.is_empty() {
            return;
        }
        let nodes: Vec<NodeId> = self.server_refs_of.iter().flat_map(|(_, nodes)| nodes.iter().copied()).collect();
        for node in nodes {
            self.box_placeholder(node);
        }
    }

    /// A server reference row's bound promise, if it has not settled.
    fn pending_bound(&mut self, row: u32) -> Option<NodeId> {
        let (_, bound) = self.meta_fields(row)?;
        bound.and_then(|b| b.as_node()).filter(|&p| matches!(self.b.g.view(p), NodeRef::Promise(PromiseState::Pending)))
    }

    /// Settles one promise (or lazy) with its row's value: a promise of a
    /// promise adopts it (and the promises adopting this one follow, without
    /// recursion).
    fn settle(&mut self, node: NodeId, lazy: bool, v: Value, rejected: bool, depth: usize) -> Result<()> {
        let max = self.opts.limits.max_promise_chain;
        // The promises adopting the ones settled, to settle next (most settle
        // none: the first is not on the stack, which then never allocates).
        let mut work = Vec::new();
        let mut first = Some((node, lazy, v, rejected, depth));
        while let Some((node, lazy, v, rejected, depth)) = first.take().or_else(|| work.pop()) {
            if depth > max {
                return Err(ErrorKind::LimitExceeded { limit: LimitKind::PromiseChain, max: max as u64 }.into());
            }
            let state = if rejected {
                PromiseState::Rejected(v)
            } else {
                match v.as_node().map(|q| (q, self.b.g.view(q))) {
                    Some((q, NodeRef::Promise(inner))) => {
                        if q == node {
                            return Err(ErrorKind::CyclicPromise.into());
                        }
                        match inner {
                            PromiseState::Pending => {
                                self.adopting.entry(q).or_default().push((node, lazy));
                                continue;
                            }
                            s => s.clone(),
                        }
                    }
                    _ => PromiseState::Fulfilled(v),
                }
            };
            let (value, is_rejected) = match &state {
                PromiseState::Fulfilled(v) => (v.clone(), false),
                PromiseState::Rejected(r) => (r.clone(), true),
                PromiseState::Pending => continue,
            };
            if !self.quiet {
                self.emit(if is_rejected {
                    Event::Rejected { promise: node, reason: value.clone() }
                } else {
                    Event::Fulfilled { promise: node, value: value.clone() }
                });
            }
            self.b.g.set_promise_state(node, state, lazy);
            // (An empty hash map is not asked: asking hashes the key.)
            if self.refs_by_bound.is_empty() && self.adopting.is_empty() {
                continue;
            }
            if let Some(rows) = self.refs_by_bound.remove(&node) {
                // Server references bound to this promise can be filled.
                for row in rows {
                    self.waiting_bound.remove(row);
                    self.fill_candidate(row);
                }
            }
            for (waiter, wlazy) in self.adopting.remove(&node).unwrap_or_default().into_iter().rev() {
                work.push((waiter, wlazy, value.clone(), is_rejected, depth + 1));
            }
        }
        Ok(())
    }

    /// Delivers a stream's complete chunks in order, then its end.
    fn deliver_stream(&mut self, id: u32) {
        loop {
            let Some(s) = self.streams.get_mut(&id) else { return };
            if s.ended {
                return;
            }
            if s.delivered < s.parsed {
                let unit = s.next_unit;
                if unit == NO_UNIT || !self.t.complete.contains(&(id, Some(unit))) {
                    return;
                }
                let node = s.node;
                let i = s.delivered;
                s.delivered += 1;
                s.next_unit = self.units.next(unit);
                let item = match self.b.g.view(node) {
                    NodeRef::Stream(st) => st.items.get(i).cloned(),
                    _ => None,
                };
                if let Some(item) = item {
                    self.emit(Event::Item { stream: node, item });
                }
                continue;
            }
            if !s.end_parsed || s.end_unit == NO_UNIT || !self.t.complete.contains(&(id, Some(s.end_unit))) {
                return;
            }
            s.ended = true;
            let (node, kind) = (s.node, s.kind);
            let end = s.end.take();
            let errored = matches!(self.b.g.view(node), NodeRef::Stream(st) if matches!(st.end, StreamEnd::Errored(_)));
            let event = match end {
                _ if errored => match self.b.g.view(node) {
                    NodeRef::Stream(st) => match &st.end {
                        StreamEnd::Errored(e) => Event::Errored { stream: node, reason: e.clone() },
                        _ => return,
                    },
                    _ => return,
                },
                Some(StreamClose::Errored(json)) => {
                    let reason = match error_row(&mut self.b, &json) {
                        Ok(v) => v,
                        Err(_) => Value::Undefined,
                    };
                    if let Some(Node::Stream(st)) = self.b.g.node_mut(node) {
                        // An errored ReadableStream drops the chunks nobody read
                        // yet, as in JavaScript; an async iterable keeps them.
                        if parsed_on_arrival(kind) {
                            st.items.clear();
                        }
                        st.end = StreamEnd::Errored(reason.clone());
                    }
                    Event::Errored { stream: node, reason }
                }
                _ => {
                    let value = match self.b.g.node_mut(node) {
                        Some(Node::Stream(st)) => {
                            if matches!(st.end, StreamEnd::Open) {
                                st.end = StreamEnd::Closed(Value::Undefined);
                            }
                            match &st.end {
                                StreamEnd::Closed(v) => v.clone(),
                                _ => Value::Undefined,
                            }
                        }
                        _ => Value::Undefined,
                    };
                    Event::Closed { stream: node, value }
                }
            };
            self.emit(event);
            return;
        }
    }

    /// A row (or chunk) that refers plainly to an errored row errors with the
    /// same error, transitively, as React's client rejects such chunks.
    fn propagate_errors(&mut self, done: &[(u32, Key)]) {
        if self.r.rejected.is_empty() {
            return;
        }
        // The references the completed keys wrote, by the row they refer to:
        // the work is theirs, not every reference so far.
        let mut referrers: HashMap<u32, Vec<(Key, Option<NodeId>)>> = HashMap::new();
        for (_, k) in done {
            for (to, element) in self.t.error_deps(k) {
                if k.0 != to {
                    referrers.entry(to).or_default().push((*k, element));
                }
            }
        }
        if referrers.is_empty() {
            return;
        }
        let mut queue: Vec<u32> = referrers.keys().copied().filter(|row| self.r.rejected.contains(row)).collect();
        queue.sort_unstable_by_key(|&d| self.r.ids.stream_id(d));
        let mut failed_elements = HashSet::new();
        // Each referrer's error row, looked up once (a value can refer to
        // many errored rows, and is met once for each).
        let mut picks: HashMap<Key, Option<u32>> = HashMap::new();
        while let Some(row) = queue.pop() {
            let row_error = self.b.roots.get(&row).cloned().unwrap_or(Value::Undefined);
            for &((from, item), element) in referrers.get(&row).map(Vec::as_slice).unwrap_or_default() {
                if let Some(e) = element {
                    // React wraps a failed element in a rejected lazy instead.
                    if failed_elements.insert(e) {
                        self.r.failed_elements.push((e, row_error.clone()));
                    }
                    continue;
                }
                // The error a value takes when it meets several: a
                // ReadableStream chunk's, from when it was parsed; any other
                // value's, the last errored row in its text (React parses it
                // when it is first needed, here once the stream is read).
                let k = (from, item);
                let pick = match self.sync_errors.get(&k) {
                    Some(&p) => Some(p),
                    None => *picks.entry(k).or_insert_with(|| {
                        let rejected = &self.r.rejected;
                        let deps = self.t.error_deps(&k);
                        deps.filter(|&(to, e)| e.is_none() && to != from && rejected.contains(&to)).last().map(|d| d.0)
                    }),
                };
                let error = match pick {
                    Some(p) if p != row => self.b.roots.get(&p).cloned().unwrap_or(Value::Undefined),
                    _ => row_error.clone(),
                };
                // A stream whose chunk failed errors there: an async iterable keeps the
                // chunks before it; a ReadableStream drops its queued chunks.
                if let (Some(unit), Some(&Value::Node(n))) = (item, self.b.roots.get(&from)) {
                    let item = self.units.chunk(unit);
                    // The first chunk in stream order that fails gives the
                    // stream its error, whichever failed first: React chains
                    // each chunk of a ReadableStream on the one before, and an
                    // iterator reads its chunks in order.
                    let first = match self.streams.get_mut(&from) {
                        Some(st) if st.errored_at.is_some_and(|at| at <= item) => false,
                        Some(st) => {
                            st.errored_at = Some(item);
                            true
                        }
                        None => true,
                    };
                    if let Some(Node::Stream(s)) = self.b.g.node_mut(n) {
                        if first {
                            let keep = if parsed_on_arrival(s.kind) { 0 } else { item as usize };
                            s.items.truncate(keep);
                            s.end = StreamEnd::Errored(error.clone());
                        }
                        continue;
                    }
                }
                if self.r.rejected.insert(from) {
                    // (The builder's copy, kept in step: copying the set at
                    // each completion was quadratic in errored rows.)
                    self.b.failed.insert(from);
                    self.b.roots.insert(from, error.clone());
                    queue.push(from);
                }
            }
        }
    }
}

enum StreamRowOrEnd {
    Row(StreamRow),
    End(StreamClose),
}

/// A row of a stream (row `wire`), before or after the stream is reached:
/// a chunk, its end, or nothing (a development row).
fn stream_row(tag: RowTag, payload: Bytes, ids: &mut super::ids::RowIds, wire: u32) -> Result<Option<StreamRowOrEnd>> {
    Ok(Some(match tag {
        RowTag::Tagged(b'C') => StreamRowOrEnd::End(StreamClose::Closed(payload)),
        RowTag::Tagged(b'E') => StreamRowOrEnd::End(StreamClose::Errored(payload)),
        RowTag::Json => StreamRowOrEnd::Row(StreamRow::Model(payload)),
        RowTag::Binary(b'T') => {
            StreamRowOrEnd::Row(StreamRow::Text(text(payload).map_err(|e| e.at_part(ids.intern(wire)))?))
        }
        RowTag::Binary(tag) => StreamRowOrEnd::Row(StreamRow::Binary(tag, payload)),
        RowTag::Tagged(b'D' | b'J' | b'W' | b'N') => return Ok(None),
        RowTag::Tagged(_) => return Err(row_error(ids.intern(wire), "is not a stream chunk")),
    }))
}

fn at_row(e: Error, row: u32) -> Error {
    match e.kind() {
        ErrorKind::MissingRow { .. } => e,
        _ => e.at_part(row),
    }
}

/// Decodes a whole response stream into its settled value.
///
/// Every promise must be settled and every stream closed by the end of the
/// stream; a promise of an error row is rejected with that error. The same
/// as feeding [`ResponseDecoder`] the stream and finishing it.
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
    if stream.len() > opts.limits.max_total_bytes {
        let max = opts.limits.max_total_bytes as u64;
        return Err(ErrorKind::LimitExceeded { limit: LimitKind::TotalBytes, max }.into());
    }
    decode_bytes(Bytes::copy_from_slice(stream), opts)
}

/// [`decode`] for a stream the caller gives up: its rows are slices of it
/// (binary rows and text are not copied).
///
/// # Errors
/// As [`decode`].
///
/// ```
/// let stream = bytes::Bytes::from_static(b"1:T5,hello0:[\"$1\"]\n");
/// let g = flight_codec::response::decode_bytes(stream, &Default::default())?;
/// assert_eq!(flight_codec::notation::to_string(&g), r#"{"array":["hello"]}"#);
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub fn decode_bytes(stream: Bytes, opts: &DecodeOptions) -> Result<Graph> {
    // `feed_bytes` checks the size before framing anything.
    let mut d = ResponseDecoder::new(opts.clone());
    d.quiet = true;
    d.feed_bytes(stream)?;
    d.finish()
}
