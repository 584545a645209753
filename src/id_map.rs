//! Maps and sets keyed by ids the *input* chooses (response row ids): a dense
//! table for small ids, a SipHash map for the rest.
//!
//! React numbers rows from 0 up, so an honest stream's ids are small and
//! dense, and a table indexed by id needs no hashing. A hostile stream can
//! name any id up to 2^32 − 1: an id goes to the table only while it is
//! below `2 × (entries + 256)`, so the table stays linear in the number of
//! entries (never sized from a declared value), and every other id goes to
//! the hash map, whose random keys resist chosen collisions.

use std::collections::{HashMap, HashSet};

/// How many items a full table of `len` grows by: as many again while it is
/// small (under 4,096 items: few moves, and a bounded tail), then a quarter.
/// The tables of a decode hold an item per value, row or reference, and can
/// be most of its memory: this keeps a large table's unused tail under a
/// fifth of it (doubling leaves up to a half), and the cost of growing stays
/// linear (each item is moved about four times on average; large blocks
/// are moved by remapping, not copying).
#[inline]
pub(crate) fn growth(len: usize) -> usize {
    if len < 4096 {
        len.max(16)
    } else {
        len / 4
    }
}

/// Makes room for one more item in `v`, by [`growth`].
#[inline]
pub(crate) fn reserve_one<T>(v: &mut Vec<T>) {
    if v.len() == v.capacity() {
        v.reserve_exact(growth(v.len()));
    }
}

/// [`reserve_one`] for a list of which there can be many, most of them
/// short (a stream's chunks): left to `Vec`'s doubling from its smallest
/// room while under 4,096 items (where `growth` would give each list room
/// for 16), then grown by a quarter.
#[inline]
pub(crate) fn reserve_one_of_many<T>(v: &mut Vec<T>) {
    if v.len() >= 4096 {
        reserve_one(v);
    }
}

/// Makes room for `n` more items in `v` (a count of things already parsed,
/// such as the promises a row wrote): exactly `n` when that is more than
/// growing by [`growth`] would give, so one large row's items take no slack;
/// otherwise as [`reserve_one`].
#[inline]
pub(crate) fn reserve_many<T>(v: &mut Vec<T>, n: usize) {
    if v.capacity() - v.len() < n {
        v.reserve_exact(n.max(growth(v.len())));
    }
}

/// A map from ids to `V`.
#[derive(Clone, Debug)]
pub(crate) struct IdMap<V> {
    dense: Vec<Option<V>>,
    sparse: HashMap<u32, V>,
    len: usize,
}

impl<V> Default for IdMap<V> {
    fn default() -> Self {
        IdMap { dense: Vec::new(), sparse: HashMap::new(), len: 0 }
    }
}

impl<V> IdMap<V> {
    /// Makes ids below `n` table entries from the start, whatever order they
    /// come in (ids arriving highest first would otherwise pass the table's
    /// growth rule and be hashed). `n` must be a count of things the input
    /// holds (parts present), never a number it declares.
    pub(crate) fn reserve_dense(&mut self, n: usize) {
        if n > self.dense.len() {
            self.dense.reserve_exact(n - self.dense.len());
            self.dense.resize_with(n, || None);
        }
    }

    /// The number of entries.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether `id` may live in the dense table (growing it if needed).
    #[inline]
    fn dense_slot(&mut self, id: u32) -> Option<&mut Option<V>> {
        let i = id as usize;
        if i >= self.dense.len() {
            if i >= 2 * (self.len + 256) {
                return None;
            }
            if self.dense.capacity() <= i {
                // Grown by `growth`, or to `id` if that is further.
                let len = self.dense.len();
                self.dense.reserve_exact((i + 1).max(len + growth(len)) - len);
            }
            self.dense.resize_with(i + 1, || None);
        }
        Some(&mut self.dense[i])
    }

    #[inline]
    pub(crate) fn get(&self, id: &u32) -> Option<&V> {
        match self.dense.get(*id as usize) {
            Some(Some(v)) => Some(v),
            _ if self.sparse.is_empty() => None,
            _ => self.sparse.get(id),
        }
    }

    #[inline]
    pub(crate) fn get_mut(&mut self, id: &u32) -> Option<&mut V> {
        let i = *id as usize;
        if self.dense.get(i).is_some_and(Option::is_some) {
            return self.dense[i].as_mut();
        }
        if self.sparse.is_empty() {
            return None;
        }
        self.sparse.get_mut(id)
    }

    #[inline]
    pub(crate) fn contains_key(&self, id: &u32) -> bool {
        self.get(id).is_some()
    }

    pub(crate) fn insert(&mut self, id: u32, v: V) -> Option<V> {
        // An id below the table's end may still be hashed (stored before the
        // table reached it); one past it is hashed, looked up once.
        let i = id as usize;
        let old = if i < self.dense.len() || self.dense_slot(id).is_some() {
            if self.dense[i].is_none() && !self.sparse.is_empty() {
                if let Some(old) = self.sparse.get_mut(&id) {
                    return Some(std::mem::replace(old, v));
                }
            }
            self.dense[i].replace(v)
        } else {
            self.sparse.insert(id, v)
        };
        if old.is_none() {
            self.len += 1;
        }
        old
    }

    pub(crate) fn remove(&mut self, id: &u32) -> Option<V> {
        let old = match self.dense.get_mut(*id as usize) {
            Some(slot @ Some(_)) => slot.take(),
            _ if self.sparse.is_empty() => None,
            _ => self.sparse.remove(id),
        };
        if old.is_some() {
            self.len -= 1;
            if self.len == 0 && self.dense.len() >= 16_384 {
                // A large table emptied (pending rows, all parsed): its memory
                // goes. (Small ones stay: a table that empties after every row
                // would be dropped and grown again each time.)
                *self = IdMap::default();
            } else if self.sparse.capacity() >= 1_024 && self.sparse.len() * 8 < self.sparse.capacity() {
                // The hashed ids went the same way (rows waiting for a row
                // with a large id, all arrived): a hash map never shrinks by
                // itself. Shrunk to a quarter, it is emptied a quarter again
                // before the next shrink, so the rehashing stays linear.
                self.sparse.shrink_to(self.sparse.len() * 2);
            }
        }
        old
    }

    /// The value for `id`, inserted as the default if there is none.
    pub(crate) fn get_or_default(&mut self, id: u32) -> &mut V
    where
        V: Default,
    {
        if !self.contains_key(&id) {
            self.insert(id, V::default());
        }
        self.get_mut(&id).expect("just inserted")
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The entries, dense ids first (ascending), then the others.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u32, &V)> {
        let dense = self.dense.iter().enumerate().filter_map(|(i, v)| v.as_ref().map(|v| (i as u32, v)));
        dense.chain(self.sparse.iter().map(|(k, v)| (*k, v)))
    }
}

/// A set of ids: a bitmap for small ids, a hash set for the rest. A bit
/// costs so little that the bitmap may reach further than [`IdMap`]'s table:
/// ids below 16 × (entries + 1,024), at most two bytes per entry (rows that
/// start at an offset, such as `0x10000`, stay in the bitmap).
#[derive(Clone, Debug, Default)]
pub(crate) struct IdSet {
    bits: Vec<u64>,
    sparse: HashSet<u32>,
    len: usize,
}

impl IdSet {
    #[inline]
    pub(crate) fn contains(&self, id: &u32) -> bool {
        match self.bits.get((*id / 64) as usize) {
            Some(w) if w & (1 << (id % 64)) != 0 => true,
            _ => !self.sparse.is_empty() && self.sparse.contains(id),
        }
    }

    /// Adds `id`; `false` if it was there already.
    #[inline]
    pub(crate) fn insert(&mut self, id: u32) -> bool {
        if !self.sparse.is_empty() && self.sparse.contains(&id) {
            return false;
        }
        let word = (id / 64) as usize;
        if word >= self.bits.len() {
            if word >= (self.len + 1_024) / 4 {
                if !self.sparse.insert(id) {
                    return false;
                }
                self.len += 1;
                return true;
            }
            self.bits.resize(word + 1, 0);
        }
        let bit = 1u64 << (id % 64);
        if self.bits[word] & bit != 0 {
            return false;
        }
        self.bits[word] |= bit;
        self.len += 1;
        true
    }

    /// Removes `id`; `false` if it was not there.
    pub(crate) fn remove(&mut self, id: u32) -> bool {
        let bit = 1u64 << (id % 64);
        let removed = match self.bits.get_mut((id / 64) as usize) {
            Some(w) if *w & bit != 0 => {
                *w &= !bit;
                true
            }
            _ => !self.sparse.is_empty() && self.sparse.remove(&id),
        };
        if removed {
            self.len -= 1;
        }
        removed
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The ids, those in the bitmap first (ascending), then the others.
    pub(crate) fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        let dense = self.bits.iter().enumerate().flat_map(|(i, &w)| {
            // The set bits of the word, lowest first.
            let mut w = w;
            std::iter::from_fn(move || {
                let bit = (w != 0).then(|| w.trailing_zeros())?;
                w &= w - 1;
                Some(i as u32 * 64 + bit)
            })
        });
        dense.chain(self.sparse.iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_ids_are_dense_and_large_ones_hashed_with_the_same_behaviour() {
        let mut m = IdMap::default();
        assert_eq!(m.insert(3, "a"), None);
        assert_eq!(m.insert(u32::MAX, "big"), None);
        assert_eq!(m.insert(3, "b"), Some("a"));
        assert_eq!((m.get(&3), m.get(&u32::MAX), m.get(&4)), (Some(&"b"), Some(&"big"), None));
        assert!(m.dense.len() <= 4 && m.sparse.len() == 1, "a huge id does not size the table");
        // An id first stored sparse stays reachable once the table has grown past it.
        assert_eq!(m.insert(5000, "mid"), None);
        assert!(m.dense.len() < 5000);
        for i in (10..6000).filter(|&i| i != 5000) {
            m.insert(i, "x");
        }
        assert!(m.dense.len() > 5000 && m.dense[5000].is_none());
        assert_eq!(m.get(&5000), Some(&"mid"));
        assert_eq!(m.insert(5000, "mid2"), Some("mid"));
        assert_eq!(m.remove(&5000), Some("mid2"));
        assert_eq!(m.remove(&5000), None);
        assert_eq!(m.remove(&u32::MAX), Some("big"));
        *m.get_mut(&3).unwrap() = "c";
        assert_eq!(m.iter().next(), Some((3, &"c")));
        let mut counts: IdMap<Vec<u8>> = IdMap::default();
        counts.get_or_default(7).push(1);
        counts.get_or_default(7).push(2);
        assert_eq!(counts.get(&7).map(Vec::len), Some(2));
        let mut s = IdSet::default();
        assert!(s.is_empty() && s.insert(9) && !s.insert(9) && s.contains(&9) && s.len() == 1);
        assert_eq!(s.iter().collect::<Vec<_>>(), [9]);
        // A huge id is hashed, and found again once the bitmap reaches past it.
        assert!(s.insert(u32::MAX) && s.insert(20_000) && s.bits.len() < 4 && s.sparse.len() == 2);
        for i in 100..10_000 {
            s.insert(i);
        }
        assert!(s.insert(30_000) && s.bits.len() > 30_000 / 64 && !s.insert(20_000) && s.contains(&20_000));
        assert!(s.remove(20_000) && !s.contains(&20_000) && s.remove(u32::MAX) && !s.remove(u32::MAX));
        assert_eq!(s.len(), 1 + 9_900 + 1);
        assert_eq!(s.iter().take(3).collect::<Vec<_>>(), [9, 100, 101]);
    }
}
