//! Shared storage for the items of a graph's containers.
//!
//! A graph keeps the items of all its arrays, sets and iterators, and the
//! values of its objects, in one [`Pool`], objects' keys (by shape) in
//! another, the entries of all its maps and its promises' states in others,
//! instead of one allocation per container: building
//! a container is a copy into the pool's current chunk, and dropping a graph
//! frees a few large buffers rather than walking one allocation per node.
//!
//! A container's items are contiguous in one chunk, named by a [`Span`]. The
//! first chunk starts small and grows by doubling up to [`CHUNK`] items (a
//! small graph stays small); a container that does not fit in what is left
//! of the current chunk starts a new one, of [`CHUNK`] items. A container of
//! more than a quarter of a chunk gets a chunk of its own, exactly its size,
//! and the current chunk stays current. So the room a pool holds beyond its
//! items is bounded: under a third of the full chunks' items (a chunk is
//! given up only when a container of under a quarter chunk does not fit in
//! it), plus one chunk.

/// Where a container's items are in a [`Pool`]: `len` items from `start` in
/// chunk `chunk`. The empty span is `0..0` of chunk 0 (the default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Span {
    chunk: u32,
    start: u32,
    len: u32,
}

impl Span {
    /// Where it starts, without its length (for a node that knows its
    /// length otherwise: an object, from its shape).
    #[inline]
    pub(crate) fn at(self) -> At {
        At { chunk: self.chunk, start: self.start }
    }

    /// Its length.
    #[inline]
    pub(crate) fn len(self) -> usize {
        self.len as usize
    }

    /// Its first `n` items.
    pub(crate) fn prefix(self, n: usize) -> Span {
        let len = self.len.min(n as u32);
        if len == 0 {
            return Span::default();
        }
        Span { len, ..self }
    }

    /// This span once the chunks it is in have moved `offset` places on
    /// (see [`Pool::append`]).
    pub(crate) fn shifted(self, offset: u32) -> Span {
        if self.len == 0 {
            return self;
        }
        Span { chunk: self.chunk + offset, ..self }
    }
}

/// Where a span starts ([`Span::at`]): a span once its length is known.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct At {
    chunk: u32,
    start: u32,
}

impl At {
    /// The span of `len` items from here (a start kept for an empty span is
    /// the default one, `0..0` of chunk 0, so no test is needed here).
    #[inline]
    pub(crate) fn span(self, len: usize) -> Span {
        debug_assert!(len > 0 || self == At::default());
        Span { chunk: self.chunk, start: self.start, len: len as u32 }
    }

    /// [`Span::shifted`] for a start.
    pub(crate) fn shifted(self, offset: u32, len: usize) -> At {
        self.span(len).shifted(offset).at()
    }
}

/// The most items a shared chunk holds.
pub(crate) const CHUNK: usize = 1024;

/// The items of many containers (see the module docs).
#[derive(Clone, Debug)]
pub(crate) struct Pool<T> {
    /// Chunk 0, kept here: a small graph's pool is one allocation.
    head: Vec<T>,
    /// Chunks 1, 2, …
    rest: Vec<Vec<T>>,
    /// The chunk small containers go to, if any yet.
    current: Option<usize>,
}

impl<T> Default for Pool<T> {
    fn default() -> Self {
        Pool { head: Vec::new(), rest: Vec::new(), current: None }
    }
}

impl<T> Pool<T> {
    #[inline]
    fn chunk(&self, i: usize) -> &Vec<T> {
        match i {
            0 => &self.head,
            _ => &self.rest[i - 1],
        }
    }

    #[inline]
    fn chunk_mut(&mut self, i: usize) -> &mut Vec<T> {
        match i {
            0 => &mut self.head,
            _ => &mut self.rest[i - 1],
        }
    }

    /// The number of chunks in use (a chunk in use is never empty).
    fn chunk_count(&self) -> usize {
        if self.head.is_empty() {
            0
        } else {
            1 + self.rest.len()
        }
    }

    /// Adds a chunk (which the caller fills at once) and returns its number.
    fn add_chunk(&mut self, chunk: Vec<T>) -> usize {
        if self.head.is_empty() {
            self.head = chunk;
            return 0;
        }
        self.rest.push(chunk);
        self.rest.len()
    }

    /// The items a span names.
    ///
    /// # Panics
    /// Panics if the span is not from this pool.
    #[inline]
    pub(crate) fn get(&self, s: Span) -> &[T] {
        // (The empty span is `0..0` of chunk 0, which is there even unused.)
        let start = s.start as usize;
        &self.chunk(s.chunk as usize)[start..start + s.len as usize]
    }

    /// The items a span names, mutably.
    ///
    /// # Panics
    /// Panics if the span is not from this pool.
    #[inline]
    pub(crate) fn get_mut(&mut self, s: Span) -> &mut [T] {
        let start = s.start as usize;
        &mut self.chunk_mut(s.chunk as usize)[start..start + s.len as usize]
    }

    /// Moves `items` in. A large container's buffer becomes its chunk
    /// (trimmed when it has more room than a sixteenth of its items: the
    /// allocator shrinks a block in place), so it is not copied.
    pub(crate) fn push_vec(&mut self, mut items: Vec<T>) -> Span {
        let n = items.len();
        if n > CHUNK / 4 {
            if items.capacity() > n + n / 16 {
                items.shrink_to_fit();
            }
            let chunk = self.add_chunk(items);
            return Span { chunk: chunk as u32, start: 0, len: n as u32 };
        }
        self.push_with(n, |c| c.extend(items))
    }

    /// Moves one item in.
    pub(crate) fn push_one(&mut self, item: T) -> Span {
        self.push_with(1, |c| c.push(item))
    }

    /// Moves `items[start..]` in, leaving `items` `start` long (a scratch
    /// stack that is all one large container is handed over whole).
    #[inline]
    pub(crate) fn push_drain(&mut self, items: &mut Vec<T>, start: usize) -> Span {
        let n = items.len().saturating_sub(start);
        if start == 0 && n > CHUNK / 4 {
            return self.push_vec(std::mem::take(items));
        }
        self.push_with(n, |c| {
            if start == 0 {
                // All of them: one copy, and the scratch keeps its buffer.
                c.append(items);
            } else {
                c.extend(items.drain(start..));
            }
        })
    }

    /// Appends a copy of the items `src` names (of this pool).
    pub(crate) fn push_copy(&mut self, src: Span) -> Span
    where
        T: Clone,
    {
        let n = src.len as usize;
        if n == 0 {
            return Span::default();
        }
        // Made room for first, then copied by index: the source may be in
        // the chunk the copy goes to, which the room may have moved.
        let chunk = self.room(n);
        let at = self.chunk(chunk).len();
        for i in 0..n {
            let item = self.chunk(src.chunk as usize)[src.start as usize + i].clone();
            self.chunk_mut(chunk).push(item);
        }
        Span { chunk: chunk as u32, start: at as u32, len: n as u32 }
    }

    /// Keeps the first `n` items of `s`, the last span pushed into its chunk,
    /// and drops the rest (the chunk gives back their room); the shorter span.
    /// A non-empty span keeps one item at least (`n` is taken as 1 if 0), so
    /// that a chunk in use is never emptied.
    pub(crate) fn truncate_last(&mut self, s: Span, n: usize) -> Span {
        if s.len == 0 {
            return s;
        }
        let n = n.clamp(1, s.len as usize);
        let c = self.chunk_mut(s.chunk as usize);
        debug_assert_eq!(c.len(), s.start as usize + s.len as usize, "not the chunk's last span");
        if c.len() == s.start as usize + s.len as usize {
            c.truncate(s.start as usize + n);
        }
        s.prefix(n)
    }

    /// Makes room for `n` items and has `fill` append exactly that many to
    /// the chunk they go in.
    #[inline]
    fn push_with(&mut self, n: usize, fill: impl FnOnce(&mut Vec<T>)) -> Span {
        if n == 0 {
            return Span::default();
        }
        let chunk = self.room(n);
        let c = self.chunk_mut(chunk);
        let start = c.len();
        fill(c);
        debug_assert_eq!(c.len(), start + n);
        // Chunks hold at most `u32::MAX` items: a graph's containers come
        // from inputs bounded far below that.
        Span { chunk: chunk as u32, start: start as u32, len: (c.len() - start) as u32 }
    }

    /// The chunk `n` more items go in, with room made for them.
    fn room(&mut self, n: usize) -> usize {
        if n > CHUNK / 4 {
            // A chunk of its own, exactly its size; the current one stays.
            return self.add_chunk(Vec::with_capacity(n));
        }
        if let Some(current) = self.current {
            let c = self.chunk_mut(current);
            let len = c.len();
            if len + n <= c.capacity() {
                return current;
            }
            if len + n <= CHUNK {
                let want = (c.capacity() * 2).clamp(len + n, CHUNK);
                c.reserve_exact(want - len);
                return current;
            }
        }
        // The first chunk starts small (a small graph stays small) and
        // doubles; later ones are full size at once (no copying as they grow).
        let cap = if self.chunk_count() == 0 { n.max(8) } else { CHUNK };
        let chunk = self.add_chunk(Vec::with_capacity(cap));
        self.current = Some(chunk);
        chunk
    }

    /// Moves the chunks of `other` in after this pool's, and returns the
    /// offset to [`Span::shifted`] its spans by. They are never current.
    pub(crate) fn append(&mut self, other: Pool<T>) -> u32 {
        let offset = self.chunk_count();
        if !other.head.is_empty() {
            self.add_chunk(other.head);
            self.rest.extend(other.rest);
        }
        // Chunks number at most one per container.
        u32::try_from(offset).expect("pool chunk count overflows u32")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_name_what_was_pushed_and_room_stays_bounded() {
        let mut p: Pool<u32> = Pool::default();
        let mut spans = Vec::new();
        let mut next = 0u32;
        // Small and large containers mixed, as a hostile input would.
        for round in 0..200u32 {
            for n in [0usize, 1, 3, 1000, 17, CHUNK / 4 + 1, 2, CHUNK + 5] {
                let n = n + (round as usize % 3);
                let items: Vec<u32> = (next..next + n as u32).collect();
                next += n as u32;
                spans.push((p.push_vec(items.clone()), items));
            }
        }
        let mut stored = 0;
        for (s, items) in &spans {
            assert_eq!(p.get(*s), &items[..]);
            stored += items.len();
        }
        let room: usize = (0..p.chunk_count()).map(|i| p.chunk(i).capacity()).sum();
        assert!(room * 3 <= stored * 4 + 3 * CHUNK, "room {room} for {stored} items");
    }

    #[test]
    fn drained_items_move_and_appended_spans_shift() {
        let mut p: Pool<String> = Pool::default();
        let mut scratch: Vec<String> = ["keep", "a", "b"].map(String::from).to_vec();
        let s = p.push_drain(&mut scratch, 1);
        assert_eq!(scratch, ["keep"]);
        assert_eq!(p.get(s), ["a", "b"]);
        p.get_mut(s)[0].push('!');
        let mut q: Pool<String> = Pool::default();
        let t = q.push_vec(vec!["c".into()]);
        let off = p.append(q);
        assert_eq!(p.get(t.shifted(off)), ["c"]);
        assert_eq!(p.get(s), ["a!", "b"]);
        assert!(p.get(Span::default()).is_empty());
        assert_eq!(p.push_vec(Vec::new()), Span::default());
    }
}
