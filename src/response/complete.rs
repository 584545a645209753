//! Completeness: a value can be delivered when every row it reaches plainly
//! has been parsed.
//!
//! Each waiting value (the root, a promise's row, a stream chunk) has a
//! walk: Tarjan's strongly-connected-components search over the rows it
//! needs, which stops at a row that has not arrived and resumes there when
//! it does. A component is complete as soon as its search finishes with
//! nothing missing, so values that share rows share their completion.
//!
//! Walks share their waiting too. A key on the component stack of a walk
//! that is stopped at a missing row reaches that row (Tarjan's invariant:
//! it reaches a node on the walk's path, and the path reaches the row), so
//! another walk that comes to that key waits for the key itself instead of
//! walking what is behind it again. Such waits only ever point at walks
//! stopped at a missing row, so they cannot form a cycle. Many values
//! behind one incomplete structure cost one walk of it, not one each.

use std::collections::HashMap;
use std::num::NonZeroU8;

use super::decode::Key;
use super::row_table::RowTable;
use crate::error::{ErrorKind, Result};
use crate::id_map::{reserve_one, IdSet};
use crate::value::NodeId;
use crate::LimitKind;

/// Row and chunk keys: rows (most keys) in a dense-or-hashed [`IdSet`],
/// stream chunks in a bit set by unit number (a chunk's key is its stream's
/// row and its unit: chunks are numbered densely as they are parsed).
/// (Not a second `IdSet`: that one moves an id far past its count to its
/// hash set, and chunks, all below the number parsed, can complete last
/// first.)
#[derive(Default)]
pub(super) struct KeySet {
    rows: IdSet,
    chunks: Vec<u64>,
}

impl KeySet {
    pub(super) fn contains(&self, k: &Key) -> bool {
        match k.1 {
            None => self.rows.contains(&k.0),
            Some(u) => self.chunks.get(u as usize / 64).is_some_and(|w| w >> (u % 64) & 1 != 0),
        }
    }

    /// `true` if `k` was not in the set.
    pub(super) fn insert(&mut self, k: Key) -> bool {
        match k.1 {
            None => self.rows.insert(k.0),
            Some(u) => {
                let i = u as usize / 64;
                if i >= self.chunks.len() {
                    reserve_one(&mut self.chunks);
                    self.chunks.resize(i + 1, 0);
                }
                let bit = 1u64 << (u % 64);
                let new = self.chunks[i] & bit == 0;
                self.chunks[i] |= bit;
                new
            }
        }
    }
}

/// Values by row or chunk key, as [`KeySet`] keeps keys: rows and chunks
/// each in a table by dense number.
pub(super) struct KeyMap<V> {
    rows: RowTable<V>,
    chunks: RowTable<V>,
}

impl<V> Default for KeyMap<V> {
    fn default() -> Self {
        KeyMap { rows: RowTable::default(), chunks: RowTable::default() }
    }
}

impl<V: super::row_table::Empty> KeyMap<V> {
    fn table(&self, k: &Key) -> (&RowTable<V>, u32) {
        match k.1 {
            None => (&self.rows, k.0),
            Some(u) => (&self.chunks, u),
        }
    }

    fn table_mut(&mut self, k: &Key) -> (&mut RowTable<V>, u32) {
        match k.1 {
            None => (&mut self.rows, k.0),
            Some(u) => (&mut self.chunks, u),
        }
    }

    pub(super) fn get(&self, k: &Key) -> Option<&V> {
        let (t, i) = self.table(k);
        t.get(&i)
    }

    fn get_mut(&mut self, k: &Key) -> Option<&mut V> {
        let (t, i) = self.table_mut(k);
        t.get_mut(&i)
    }

    pub(super) fn insert(&mut self, k: Key, v: V) {
        let (t, i) = self.table_mut(&k);
        t.insert(i, v);
    }

    pub(super) fn remove(&mut self, k: &Key) -> Option<V> {
        let (t, i) = self.table_mut(k);
        t.remove(&i)
    }
}

/// Discovery numbers of keys on a walk's component stack that another walk
/// holds too, by walk and key: row keys (most of them) and stream chunks
/// (by unit number) in a table of 12-byte entries each. A walk that goes
/// past the waits of others pushes such a key per row it explores, up to
/// the work bound, so the entries can be a large part of a decode's memory.
#[derive(Default)]
struct ExtraNumbers {
    rows: HashMap<(u32, u32), u32>,
    chunks: HashMap<(u32, u32), u32>,
}

impl ExtraNumbers {
    fn table(&self, k: Key) -> (&HashMap<(u32, u32), u32>, u32) {
        match k.1 {
            None => (&self.rows, k.0),
            Some(u) => (&self.chunks, u),
        }
    }

    fn table_mut(&mut self, k: Key) -> (&mut HashMap<(u32, u32), u32>, u32) {
        match k.1 {
            None => (&mut self.rows, k.0),
            Some(u) => (&mut self.chunks, u),
        }
    }

    fn get(&self, walk: u32, k: Key) -> Option<u32> {
        let (t, i) = self.table(k);
        if t.is_empty() {
            return None;
        }
        t.get(&(walk, i)).copied()
    }

    fn contains(&self, walk: u32, k: Key) -> bool {
        self.get(walk, k).is_some()
    }

    fn insert(&mut self, walk: u32, k: Key, num: u32) {
        let (t, i) = self.table_mut(k);
        t.insert((walk, i), num);
    }

    fn remove(&mut self, walk: u32, k: Key) -> Option<u32> {
        let (t, i) = self.table_mut(k);
        if t.is_empty() {
            return None;
        }
        t.remove(&(walk, i))
    }
}

/// What a reference in [`Tracker`]'s graph is, when it is not a plain
/// reference outside elements (the rare ones: most references are plain).
#[derive(Clone, Copy)]
pub(super) enum Mark {
    /// Inside this element tuple: an error in the row referred to fails the
    /// element, not the row.
    Element(NodeId),
    /// Needed, but an error in it is not the referrer's (a development error
    /// value's row).
    NotItsError,
}

/// What a waiting value is.
#[derive(Clone, Copy)]
pub(super) enum Unit {
    Root,
    /// Promise and lazy placeholders wait for this row.
    Row(u32),
    /// A stream chunk or a stream's return value.
    Chunk(Key),
}

/// One value's search, resumable. Most walks stop before they go past
/// their own row (a promise whose row has not come, or refers to one that
/// has not): those keep no search state but where they stopped. A walk per
/// promise, and promises can be most of a stream: 32 bytes, its unit, stop
/// and state packed (their kinds in one byte; a deeper search is in
/// [`Tracker::deep`]).
#[derive(Clone, Copy)]
struct Walk {
    /// The unit's key (row, chunk).
    unit: (u32, u32),
    /// The key it stopped at (row, chunk).
    stop: (u32, u32),
    /// `AtRoot`'s next dependency and end.
    at: (u32, u32),
    /// The next walk in the list this one waits in (blocked on a row, or
    /// waiting for a key), `NONE` at the end.
    link: u32,
    /// The unit's kind (bits 0-1), the stop's (bits 2-4: running, missing,
    /// waits, and whether the key is a chunk), the state's (bits 5-6); bit 7
    /// is set (so that `Option<Walk>` is 32 bytes too).
    kinds: NonZeroU8,
}

impl Walk {
    fn new(unit: Unit) -> Walk {
        let (kind, key) = match unit {
            Unit::Root => (0, (0, 0)),
            Unit::Row(p) => (1, (p, 0)),
            Unit::Chunk((row, chunk)) => (2, (row, chunk.unwrap_or(0))),
        };
        let kinds = NonZeroU8::new(0x80 | kind).unwrap_or(NonZeroU8::MIN);
        Walk { unit: key, stop: (0, 0), at: (0, 0), link: NONE, kinds }
    }

    fn unit(&self) -> Unit {
        match self.kinds.get() & 3 {
            0 => Unit::Root,
            1 => Unit::Row(self.unit.0),
            _ => Unit::Chunk((self.unit.0, Some(self.unit.1))),
        }
    }

    fn stop(&self) -> Stop {
        let k = self.kinds.get() >> 2 & 7;
        let key = (self.stop.0, (k & 4 != 0).then_some(self.stop.1));
        match k & 3 {
            1 => Stop::Missing(self.stop.0),
            2 => Stop::Waits(key),
            _ => Stop::Running,
        }
    }

    fn set_stop(&mut self, stop: Stop) {
        let (k, key) = match stop {
            Stop::Running => (0, (0, 0)),
            Stop::Missing(row) => (1, (row, 0)),
            Stop::Waits((row, None)) => (2, (row, 0)),
            Stop::Waits((row, Some(chunk))) => (2 | 4, (row, chunk)),
        };
        self.stop = key;
        self.set_kinds(0b0001_1100, k << 2);
    }

    /// Its state, left `Unstarted` (a `Deep` search is the tracker's to take).
    fn take_state(&mut self) -> WalkState {
        let state = match self.kinds.get() >> 5 & 3 {
            1 => WalkState::AtRoot { next: self.at.0, end: self.at.1 },
            2 => WalkState::Deep,
            _ => WalkState::Unstarted,
        };
        self.set_state(WalkState::Unstarted);
        state
    }

    fn set_state(&mut self, state: WalkState) {
        let k = match state {
            WalkState::Unstarted => 0,
            WalkState::AtRoot { next, end } => {
                self.at = (next, end);
                1
            }
            WalkState::Deep => 2,
        };
        self.set_kinds(0b0110_0000, k << 5);
    }

    fn set_kinds(&mut self, mask: u8, bits: u8) {
        let k = (self.kinds.get() & !mask) | bits | 0x80;
        self.kinds = NonZeroU8::new(k).unwrap_or(self.kinds);
    }
}

/// Why a walk stopped.
#[derive(Clone, Copy)]
enum Stop {
    Running,
    /// At a row that has not arrived.
    Missing(u32),
    /// Waiting for a key (on another walk's component stack) to complete.
    Waits(Key),
}

enum WalkState {
    Unstarted,
    /// Stopped with only its root on the path and the component stack, at
    /// its `next` dependency (of those up to `end`).
    AtRoot {
        next: u32,
        end: u32,
    },
    /// Stopped deeper: its search is in [`Tracker::deep`].
    Deep,
}

/// A walk's search: the depth-first path and the component stack (its
/// keys' discovery numbers are in [`Tracker::owner`], or in [`Tracker::extra`] for keys
/// another walk holds too).
#[derive(Default)]
struct Search {
    path: Vec<Frame>,
    stack: Vec<Key>,
    next: u32,
}

/// The end of a walk list.
const NONE: u32 = u32::MAX;

/// A list of walks, first and last, threaded through [`Walk::link`].
type List = (u32, u32);

impl Unit {
    /// The key this value is.
    fn key(self) -> Key {
        match self {
            Unit::Root => (0, None),
            Unit::Row(p) => (p, None),
            Unit::Chunk(k) => k,
        }
    }
}

/// A key on a walk's path.
struct Frame {
    /// Its key's place on the component stack.
    at: u32,
    /// Its next dependency, and the end of its dependencies (in `targets`).
    next: u32,
    end: u32,
    /// The lowest discovery number it reaches on the component stack (its
    /// own number is where the stack's keys' are).
    low: u32,
}

/// Who holds a key a walk comes to.
enum Holder {
    /// No other walk that is stopped (the walk explores the key itself).
    None,
    /// A walk stopped at a row that has not arrived, or waiting (through
    /// other walks) for one that is.
    Stopped,
    /// A walk that can go on (its row came, or the key it waited for is
    /// complete): it runs first.
    Resumable,
}

/// What running a walk gave.
pub(super) struct Run {
    /// Keys that became complete, in discovery order (with their numbers).
    pub done: Vec<(u32, Key)>,
    /// The walk's value, if the walk finished (it is complete).
    pub finished: Option<Unit>,
}

/// The most items a buffer kept for reuse between rows may have room for
/// (a larger one is dropped after use: kept, it would hold its room while
/// the decode grows elsewhere).
const SPARE_ROOM: usize = 1024;

/// Puts `buf`, emptied, back in `slot` for the next row, if its room is at
/// most [`SPARE_ROOM`] items and more than the slot's buffer has (else it
/// goes).
pub(super) fn keep_spare<T>(slot: &mut Vec<T>, mut buf: Vec<T>) {
    if buf.capacity() <= SPARE_ROOM && buf.capacity() >= slot.capacity() {
        buf.clear();
        *slot = buf;
    }
}

/// The dependency graph and the walks over it.
#[derive(Default)]
pub(super) struct Tracker {
    /// Rows and chunks whose plain references are all parsed.
    pub complete: KeySet,
    /// What each row or chunk refers to plainly: a range of `targets`.
    deps_of: KeyMap<(u32, u32)>,
    targets: Vec<u32>,
    /// The references in `targets` that are not plain references outside
    /// elements, by index, in order (`targets` only grows at its end, so
    /// they are appended in order: 12 bytes a mark, where a hash map took
    /// about 36, and a stream can be mostly `$Z` references).
    marks: Vec<(u32, Mark)>,
    /// Walks by number; finished ones are `None` and their numbers reused.
    walks: Vec<Option<Walk>>,
    /// The searches of walks stopped deeper than their own row, by walk.
    deep: HashMap<u32, Box<Search>>,
    free: Vec<u32>,
    /// Walks to run, in order.
    ready: Vec<u32>,
    /// A finished run's list of completed keys, emptied, for the next run
    /// (a run per row: a list each would be an allocation per row).
    spare_done: Vec<(u32, Key)>,
    /// Walks stopped at a row that has not arrived, by that row.
    blocked: RowTable<List>,
    /// Walks waiting for a key (on another walk's component stack) to complete.
    waiters: KeyMap<List>,
    /// The walk whose component stack holds a key (the first to push it),
    /// and the key's discovery number in that walk.
    owner: KeyMap<(u32, u32)>,
    /// The discovery numbers of keys on a walk's component stack that
    /// another walk holds too, by walk and key.
    extra: ExtraNumbers,
    /// Work done (bounded by the stream's size): keys pushed on the walks'
    /// stacks; runs, keys and dependencies looked at.
    pushes: u64,
    scans: u64,
}

impl Tracker {
    /// Records what `key` refers to plainly (added to what it had), with
    /// the marks of some of those references (by their place in `new`).
    pub(super) fn add_deps(&mut self, key: Key, new: &[u32], marks: &[(u32, Mark)]) {
        if new.is_empty() {
            return;
        }
        let start = self.targets.len() as u32;
        let old = self.deps_of.get(&key).map_or(0, |&(a, b)| b - a) as usize;
        if self.targets.capacity() < self.targets.len() + old + new.len() {
            // Grown as `reserve_one` grows, or as far as these need.
            let more = (old + new.len()).max(crate::id_map::growth(self.targets.len()));
            self.targets.reserve_exact(more);
        }
        if let Some(&(a, b)) = self.deps_of.get(&key) {
            self.targets.extend_from_within(a as usize..b as usize);
            let (lo, hi) = (self.marks.partition_point(|m| m.0 < a), self.marks.partition_point(|m| m.0 < b));
            for j in lo..hi {
                let (i, m) = self.marks[j];
                reserve_one(&mut self.marks);
                self.marks.push((start + (i - a), m));
            }
        }
        let base = self.targets.len() as u32;
        self.targets.extend_from_slice(new);
        for &(at, m) in marks {
            reserve_one(&mut self.marks);
            self.marks.push((base + at, m));
        }
        if !marks.is_sorted_by_key(|m| m.0) {
            // (Callers give them in order; kept correct if one does not.)
            self.marks.sort_by_key(|m| m.0);
        }
        self.deps_of.insert(key, (start, self.targets.len() as u32));
    }

    /// The rows `k` refers to whose errors are its own, each with the
    /// element tuple around the reference (if it is in one).
    pub(super) fn error_deps(&self, k: &Key) -> impl Iterator<Item = (u32, Option<NodeId>)> + '_ {
        let (a, b) = self.deps(k);
        (a..b).filter_map(move |i| {
            let to = self.targets[i as usize];
            match self.marks.binary_search_by_key(&i, |m| m.0).ok().map(|j| &self.marks[j].1) {
                None => Some((to, None)),
                Some(Mark::Element(e)) => Some((to, Some(*e))),
                Some(Mark::NotItsError) => None,
            }
        })
    }

    /// Starts checking the key `unit` is, for `unit`.
    pub(super) fn watch(&mut self, unit: Unit) {
        let walk = Walk::new(unit);
        let n = match self.free.pop() {
            Some(n) => {
                self.walks[n as usize] = Some(walk);
                n
            }
            None => {
                // A walk per promise, and promises can be most of a stream.
                reserve_one(&mut self.walks);
                self.walks.push(Some(walk));
                (self.walks.len() - 1) as u32
            }
        };
        self.ready.push(n);
    }

    /// Row `id` was parsed: the walks stopped at it go on.
    pub(super) fn arrived(&mut self, id: u32) {
        if let Some(list) = self.blocked.remove(&id) {
            self.ready_list(list);
        }
    }

    /// The walks ready to run, taken (in order).
    pub(super) fn take_ready(&mut self, into: &mut Vec<u32>) {
        // The buffers change places: each keeps its room.
        into.clear();
        std::mem::swap(into, &mut self.ready);
    }

    /// Takes back a run's list of completed keys, for the next run.
    pub(super) fn recycle(&mut self, done: Vec<(u32, Key)>) {
        keep_spare(&mut self.spare_done, done);
    }

    /// Walk `n` goes last in `list`.
    fn enlist(walks: &mut [Option<Walk>], list: Option<&mut List>, n: u32) -> Option<List> {
        match list {
            Some(l) => {
                if let Some(Some(last)) = walks.get_mut(l.1 as usize) {
                    last.link = n;
                }
                l.1 = n;
                None
            }
            None => Some((n, n)),
        }
    }

    /// The walks of `list` are ready, in order.
    fn ready_list(&mut self, list: List) {
        let mut at = list.0;
        while at != NONE {
            let Some(Some(w)) = self.walks.get_mut(at as usize) else { break };
            self.ready.push(at);
            let next = std::mem::replace(&mut w.link, NONE);
            if at == list.1 {
                break;
            }
            at = next;
        }
    }

    fn mark_complete(&mut self, k: Key) -> bool {
        if !self.complete.insert(k) {
            return false;
        }
        if let Some(list) = self.waiters.remove(&k) {
            self.ready_list(list);
        }
        true
    }

    fn deps(&self, k: &Key) -> (u32, u32) {
        self.deps_of.get(k).copied().unwrap_or_default()
    }

    /// Runs walk `n` until it finishes or stops, over a stream of `rows`
    /// rows and `fed` bytes so far. The work of all walks together is
    /// bounded by the stream: one key pushed per row plus one per 32 bytes
    /// (memory: a stopped walk keeps its keys, about 40 bytes each), one run, key or dependency
    /// looked at per row and byte (time). That is far above what a stream in
    /// React's order needs (children come first, so most values are
    /// complete when checked); past it the stream is refused as a `parts`
    /// limit (`max_parts`, the limit it stands in for).
    pub(super) fn run(&mut self, n: u32, parsed: &IdSet, rows: usize, fed: usize, max_parts: usize) -> Result<Run> {
        let budget = rows as u64 + fed as u64 / 32 + 1_024;
        let scan_budget = rows as u64 + fed as u64 + 1_024;
        let Some(mut w) = self.walks.get_mut(n as usize).and_then(Option::take) else {
            return Ok(Run { done: Vec::new(), finished: None });
        };
        let mut done = std::mem::take(&mut self.spare_done);
        done.clear();
        let over = || ErrorKind::LimitExceeded { limit: LimitKind::Parts, max: max_parts as u64 }.into();
        self.scans += 1;
        let root = w.unit().key();
        let mut s = match w.take_state() {
            WalkState::Unstarted => {
                if self.complete.contains(&root) {
                    return Ok(self.finish(n, w, done));
                }
                if !parsed.contains(&root.0) {
                    self.block(n, w, root.0);
                    return Ok(Run { done, finished: None });
                }
                // Common case: a row that refers to nothing, or only to complete rows.
                let (a, b) = self.deps(&root);
                self.scans += u64::from(b - a);
                if self.all_complete(a, b) {
                    self.mark_complete(root);
                    done.push((0, root));
                    return Ok(self.finish(n, w, done));
                }
                let mut s = Search::default();
                self.push(&mut s, n, root);
                s
            }
            WalkState::AtRoot { next, end } => {
                Search { path: vec![Frame { at: 0, next, end, low: 0 }], stack: vec![root], next: 1 }
            }
            WalkState::Deep => match self.deep.remove(&n) {
                Some(s) => *s,
                None => return Err(ErrorKind::Internal { what: "completeness walk" }.into()),
            },
        };
        w.set_stop(Stop::Running);
        loop {
            if self.pushes > budget || self.scans > scan_budget {
                return Err(over());
            }
            let Some(top) = s.path.last_mut() else {
                return Ok(self.finish(n, w, done));
            };
            if top.next < top.end {
                self.scans += 1;
                let t = (self.targets[top.next as usize], None);
                if self.complete.contains(&t) {
                    top.next += 1;
                    continue;
                }
                if let Some(num) = self.number(n, t) {
                    // On this walk's component stack.
                    top.next += 1;
                    top.low = top.low.min(num);
                    continue;
                }
                if !parsed.contains(&t.0) {
                    // Resume here when that row arrives.
                    w.set_stop(Stop::Missing(t.0));
                    break;
                }
                match self.holder(t, n, parsed) {
                    Holder::Stopped => {
                        // `t` reaches a missing row: wait for `t` itself.
                        w.set_stop(Stop::Waits(t));
                        break;
                    }
                    Holder::Resumable => {
                        // Its walk goes on first (it is ready: its row came);
                        // then `t` is complete, or held by a stopped walk.
                        self.ready.push(n);
                        break;
                    }
                    Holder::None => {}
                }
                top.next += 1;
                // A key whose references are all complete (a leaf, most often)
                // is complete at once, without a place on the stacks.
                let (a, b) = self.deps(&t);
                if self.all_complete(a, b) {
                    self.scans += u64::from(b - a);
                    self.scans += 1;
                    self.mark_complete(t);
                    reserve_one(&mut done);
                    done.push((s.next, t));
                    s.next += 1;
                    continue;
                }
                self.push(&mut s, n, t);
                continue;
            }
            // Every dependency of the key on top is explored.
            let Some(f) = s.path.pop() else { break };
            let key = s.stack[f.at as usize];
            if Some(f.low) == self.number(n, key) {
                // It roots a component with nothing missing behind it: complete.
                while let Some(x) = s.stack.pop() {
                    let num = match self.extra.remove(n, x) {
                        Some(num) => num,
                        None => self.owner.remove(&x).map_or(0, |o| o.1),
                    };
                    if self.mark_complete(x) {
                        reserve_one(&mut done);
                        done.push((num, x));
                    }
                    if x == key {
                        break;
                    }
                }
            } else if let Some(parent) = s.path.last_mut() {
                parent.low = parent.low.min(f.low);
            }
        }
        // Stopped: keep the search (just where it is, when only the root is on it).
        match (&s.path[..], &s.stack[..]) {
            ([f], [k]) if !self.extra.contains(n, *k) => w.set_state(WalkState::AtRoot { next: f.next, end: f.end }),
            _ => {
                // Kept searches give back room they are far from using, but
                // not all of it: a search that stops at every row of a chain
                // and grows again when it resumes reallocated itself whole
                // at each row (quadratic: 99,000 rows took 1.2 s).
                shrink_if_sparse(&mut s.path);
                shrink_if_sparse(&mut s.stack);
                w.set_state(WalkState::Deep);
                self.deep.insert(n, Box::new(s));
            }
        }
        match w.stop() {
            Stop::Missing(row) => self.block(n, w, row),
            Stop::Waits(t) => {
                let first = Self::enlist(&mut self.walks, self.waiters.get_mut(&t), n);
                self.walks[n as usize] = Some(w);
                if let Some(list) = first {
                    self.waiters.insert(t, list);
                }
            }
            Stop::Running => self.walks[n as usize] = Some(w),
        }
        Ok(Run { done: discovery_order(done), finished: None })
    }

    /// Walk `n` waits for row `row` to arrive.
    fn block(&mut self, n: u32, mut w: Walk, row: u32) {
        w.set_stop(Stop::Missing(row));
        self.walks[n as usize] = Some(w);
        if let Some(list) = Self::enlist(&mut self.walks, self.blocked.get_mut(&row), n) {
            self.blocked.insert(row, list);
        }
    }

    /// Whether `t` is held by another walk that is stopped at a missing row,
    /// or waits (through walks that wait for keys) for one that is; or whether
    /// that walk can go on now. Waits only ever lead to a walk stopped at a
    /// missing row, so they never form a cycle; past 16 waits in a chain the
    /// walk explores `t` itself.
    fn holder(&self, t: Key, n: u32, parsed: &IdSet) -> Holder {
        let mut key = t;
        for _ in 0..16 {
            let Some(&(o, _)) = self.owner.get(&key) else { return Holder::None };
            let Some(Some(w)) = self.walks.get(o as usize) else { return Holder::None };
            if o == n {
                return Holder::None;
            }
            match w.stop() {
                Stop::Missing(m) if parsed.contains(&m) => return Holder::Resumable,
                Stop::Missing(_) => return Holder::Stopped,
                Stop::Waits(k) if self.complete.contains(&k) => return Holder::Resumable,
                Stop::Waits(k) => key = k,
                Stop::Running => return Holder::None,
            }
        }
        Holder::None
    }

    fn push(&mut self, s: &mut Search, n: u32, key: Key) {
        self.pushes += 1;
        let (next, end) = self.deps(&key);
        let num = s.next;
        s.next += 1;
        if self.owner.get(&key).is_some() {
            // Held by another walk too (one that waits for a key).
            self.extra.insert(n, key, num);
        } else {
            self.owner.insert(key, (n, num));
        }
        reserve_one(&mut s.path);
        reserve_one(&mut s.stack);
        s.path.push(Frame { at: s.stack.len() as u32, next, end, low: num });
        s.stack.push(key);
    }

    /// The discovery number of `key` if it is on walk `n`'s component stack.
    fn number(&self, n: u32, key: Key) -> Option<u32> {
        match self.owner.get(&key) {
            Some(&(o, num)) if o == n => Some(num),
            _ => self.extra.get(n, key),
        }
    }

    fn finish(&mut self, n: u32, w: Walk, done: Vec<(u32, Key)>) -> Run {
        self.free.push(n);
        Run { done: discovery_order(done), finished: Some(w.unit()) }
    }

    /// Whether the references `targets[a..b]` are all complete.
    fn all_complete(&self, a: u32, b: u32) -> bool {
        self.targets[a as usize..b as usize].iter().all(|&t| self.complete.contains(&(t, None)))
    }
}

/// Gives back a vector's room if it uses less than half of it (and the
/// room is more than a few items): shrinking it always, to grow it again
/// item by item, would copy it at each step.
fn shrink_if_sparse<T>(v: &mut Vec<T>) {
    if v.capacity() > 2 * v.len() + 16 {
        v.shrink_to(v.len() + v.len() / 4);
    }
}

/// Completed keys in the order of their discovery numbers in the walk (kept
/// with them: a long list is not copied to drop them).
///
/// Most lists are nearly in order already: keys complete at once come in
/// discovery order, and a component's keys (popped off the stack, so
/// backwards) come after them. A short unsorted tail is sorted on its own
/// and merged in from the back, in one pass; anything else is sorted.
fn discovery_order(mut done: Vec<(u32, Key)>) -> Vec<(u32, Key)> {
    let sorted = done.windows(2).position(|w| w[0].0 > w[1].0).map_or(done.len(), |i| i + 1);
    let Some(&first_of_tail) = done.get(sorted) else { return done };
    if done.len() - sorted > 64 {
        done.sort_unstable_by_key(|d| d.0);
        return done;
    }
    let mut tail = done.split_off(sorted);
    tail.sort_unstable_by_key(|d| d.0);
    let (mut a, mut b) = (sorted, tail.len());
    done.resize(sorted + tail.len(), first_of_tail);
    while b > 0 {
        let w = a + b - 1;
        if a > 0 && done[a - 1].0 > tail[b - 1].0 {
            done[w] = done[a - 1];
            a -= 1;
        } else {
            done[w] = tail[b - 1];
            b -= 1;
        }
    }
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_order_sorts_by_number() {
        let mut rng = 0x2545_f491u32;
        let mut next = |n: u32| {
            rng ^= rng << 13;
            rng ^= rng >> 17;
            rng ^= rng << 5;
            rng % n
        };
        for case in 0..2_000u32 {
            let len = next(300) as usize;
            // A sorted run, then a tail in any order (short or long), as
            // walks leave them; and fully shuffled lists.
            let mut nums: Vec<u32> = (0..len as u32).collect();
            let cut = if case % 3 == 0 { 0 } else { len - (next(80) as usize).min(len) };
            for i in (cut + 1..len).rev() {
                nums.swap(i, cut + next((i - cut + 1) as u32) as usize);
            }
            let done: Vec<(u32, Key)> = nums.iter().map(|&n| (n, (n * 7, None))).collect();
            let out = discovery_order(done);
            assert!(out.iter().enumerate().all(|(i, d)| d.0 == i as u32 && d.1 == (d.0 * 7, None)), "{nums:?}");
        }
    }

    #[test]
    fn a_walk_is_32_bytes_and_keeps_what_it_is_given() {
        assert_eq!(std::mem::size_of::<Option<Walk>>(), 32);
        for unit in [Unit::Root, Unit::Row(7), Unit::Chunk((3, Some(u32::MAX)))] {
            let mut w = Walk::new(unit);
            assert_eq!(w.unit().key(), unit.key());
            assert!(matches!(w.stop(), Stop::Running) && matches!(w.take_state(), WalkState::Unstarted));
            for stop in [Stop::Missing(9), Stop::Waits((4, None)), Stop::Waits((4, Some(0))), Stop::Running] {
                w.set_stop(stop);
                let got = match w.stop() {
                    Stop::Running => None,
                    Stop::Missing(r) => Some((r, None, false)),
                    Stop::Waits(k) => Some((k.0, k.1, true)),
                };
                let want = match stop {
                    Stop::Running => None,
                    Stop::Missing(r) => Some((r, None, false)),
                    Stop::Waits(k) => Some((k.0, k.1, true)),
                };
                assert_eq!(got, want);
                w.set_state(WalkState::AtRoot { next: 5, end: 8 });
                assert!(matches!(w.take_state(), WalkState::AtRoot { next: 5, end: 8 }));
                assert!(matches!(w.take_state(), WalkState::Unstarted));
                w.set_state(WalkState::Deep);
                assert!(matches!(w.take_state(), WalkState::Deep));
                assert_eq!(w.unit().key(), unit.key());
            }
        }
    }
}
