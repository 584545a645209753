//! Row ids as the push decoder names them: small dense numbers.
//!
//! A stream names its rows with any `u32` (`0x10000`, `0xffffffff`), and
//! the decoder keeps several facts per row in tables indexed by row. Ids
//! that are far apart would make those tables hash, so the decoder renames
//! each row once, when a parsed row first refers to it (row 0 first), to a
//! *dense id*: the row's own id when that is small (below
//! `2 × (ids so far + 256)`) and not taken, as in every stream React
//! writes, else the next number after those in use. Every table of the
//! decoder, and the builder's, is keyed by dense ids (rows that arrived and
//! are not referred to yet wait under their stream ids), and errors are
//! named back in stream ids ([`RowIds::to_stream_error`]).
//!
//! The renaming holds a bit per dense id, and for a renamed row a hashed
//! entry and 8 bytes, so it stays linear in the stream.

use std::collections::HashMap;

use crate::error::{Error, ErrorKind};

/// The renaming of stream row ids to dense ids.
pub(super) struct RowIds {
    /// Dense ids that are their own stream id, one bit each.
    own: Vec<u64>,
    /// Stream ids whose dense id is not themselves.
    moved: HashMap<u32, u32>,
    /// The same, dense id → stream id, in dense id order.
    back: Vec<(u32, u32)>,
    /// One past the highest dense id in use.
    end: u32,
    /// Ids named so far.
    count: usize,
}

impl RowIds {
    /// A renaming in which row 0 is 0.
    pub(super) fn new() -> Self {
        let mut ids = RowIds { own: Vec::new(), moved: HashMap::new(), back: Vec::new(), end: 0, count: 0 };
        ids.intern(0);
        ids
    }

    /// Whether dense id `d` is stream id `d`.
    #[inline]
    fn is_own(&self, d: u32) -> bool {
        self.own.get((d / 64) as usize).is_some_and(|w| w & (1 << (d % 64)) != 0)
    }

    /// The dense id of stream id `w`, if it has one.
    #[inline]
    pub(super) fn get(&self, w: u32) -> Option<u32> {
        if self.is_own(w) {
            return Some(w);
        }
        if self.moved.is_empty() {
            return None;
        }
        self.moved.get(&w).copied()
    }

    /// The dense id of stream id `w`, named now if it has none.
    #[inline]
    pub(super) fn intern(&mut self, w: u32) -> u32 {
        match self.get(w) {
            Some(d) => d,
            None => self.name(w),
        }
    }

    fn name(&mut self, w: u32) -> u32 {
        self.count += 1;
        let free = if w < self.end {
            // Not its own (it has no dense id yet): free unless a renamed id has it.
            self.back.binary_search_by_key(&w, |e| e.0).is_err()
        } else {
            // Past the end: its own number while the bitmap stays linear.
            w != u32::MAX && (w as usize) < 2 * (self.count + 256)
        };
        if free {
            let word = (w / 64) as usize;
            if word >= self.own.len() {
                self.own.resize(word + 1, 0);
            }
            self.own[word] |= 1 << (w % 64);
            self.end = self.end.max(w + 1);
            return w;
        }
        let d = self.end;
        self.end += 1;
        crate::id_map::reserve_one(&mut self.back);
        self.back.push((d, w));
        self.moved.insert(w, d);
        d
    }

    /// The stream id of dense id `d`.
    #[inline]
    pub(super) fn stream_id(&self, d: u32) -> u32 {
        if self.is_own(d) {
            return d;
        }
        match self.back.binary_search_by_key(&d, |e| e.0) {
            Ok(i) => self.back[i].1,
            Err(_) => d,
        }
    }

    /// `e` with the row ids it names (its kind's, its position's part and
    /// the row of a reference it quotes) in stream ids.
    pub(super) fn to_stream_error(&self, e: Error) -> Error {
        let id = |d: u32| self.stream_id(d);
        let reference = |r: &str| -> String {
            // `$<hex id>` and the path after it.
            let body = r.strip_prefix('$').unwrap_or(r);
            let head = body.find(':').unwrap_or(body.len());
            match crate::model::parse_hex(&body.as_bytes()[..head]) {
                Some(d) => format!("${:x}{}", id(d), &body[head..]),
                None => r.to_string(),
            }
        };
        let kind = match e.kind().clone() {
            ErrorKind::MissingPart { id: d } => ErrorKind::MissingPart { id: id(d) },
            ErrorKind::PartType { id: d, expected } => ErrorKind::PartType { id: id(d), expected },
            ErrorKind::AlreadyInitialized { what, id: d } => ErrorKind::AlreadyInitialized { what, id: id(d) },
            ErrorKind::InvalidStream { id: d, reason } => ErrorKind::InvalidStream { id: id(d), reason },
            ErrorKind::InvalidRow { id: d, reason } => ErrorKind::InvalidRow { id: id(d), reason },
            ErrorKind::MissingRow { id: d } => ErrorKind::MissingRow { id: id(d) },
            ErrorKind::InvalidReference { reference: r } => ErrorKind::InvalidReference { reference: reference(&r) },
            ErrorKind::CircularReference { reference: r } => ErrorKind::CircularReference { reference: reference(&r) },
            other => other,
        };
        let pos = e.position().clone();
        let mut out = Error::new(kind);
        if let Some(p) = pos.part {
            out = out.at_part(id(p));
        }
        if let Some(b) = pos.byte {
            out = out.at_byte(b);
        }
        if let Some(path) = pos.path {
            out = out.at_path(path);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_ids_keep_their_number_and_others_take_the_next_one() {
        let mut ids = RowIds::new();
        assert_eq!((ids.get(0), ids.get(1)), (Some(0), None));
        assert_eq!([ids.intern(2), ids.intern(1), ids.intern(2)], [2, 1, 2]);
        // Far ids (and `u32::MAX`, the free marker) are renamed past the table's end.
        assert_eq!(ids.intern(0x10000), 3);
        assert_eq!(ids.intern(u32::MAX), 4);
        assert_eq!((ids.get(0x10000), ids.get(u32::MAX), ids.get(5)), (Some(3), Some(4), None));
        // Row 3 comes after its number was given away.
        assert_eq!(ids.intern(3), 5);
        assert_eq!((ids.stream_id(3), ids.stream_id(4), ids.stream_id(5)), (0x10000, u32::MAX, 3));
        // A small id past the end leaves free numbers, which their own ids take later.
        assert_eq!([ids.intern(40), ids.intern(20), ids.intern(6)], [40, 20, 6]);
        // The table stays linear in the ids named, whatever they are.
        for w in (0..1000u32).map(|i| 0x0100_0000 + 7919 * i) {
            ids.intern(w);
        }
        assert!((ids.end as usize) < 3 * (ids.count + 256) && ids.own.len() * 64 < 3 * (ids.count + 256));
        let e = ids.to_stream_error(Error::new(ErrorKind::InvalidReference { reference: "$3:a:b".into() }).at_part(5));
        assert!(matches!(e.kind(), ErrorKind::InvalidReference { reference } if reference == "$10000:a:b"));
        assert_eq!(e.position().part, Some(3));
        let e = ids.to_stream_error(ErrorKind::MissingRow { id: 4 }.into());
        assert!(matches!(e.kind(), ErrorKind::MissingRow { id } if *id == u32::MAX));
    }
}
