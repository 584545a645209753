//! Tables by dense row id ([`super::ids`]): a slot per id up to the highest
//! one stored, with no hashing and no `Option` around the value (an empty
//! slot holds the value's [`Empty::EMPTY`]).
//!
//! Dense ids are numbered as the stream refers to rows, so they are bounded
//! by the stream's size, and a table reaching the highest one stored stays
//! linear in the stream. (Stream ids can be anything: tables by them hash
//! far ids, [`crate::id_map`].)

use crate::id_map::{reserve_many, reserve_one};
use crate::value::NodeId;

/// A value a table slot can hold, with one that marks the slot empty.
pub(super) trait Empty: Copy + PartialEq {
    /// The value of an empty slot (never stored).
    const EMPTY: Self;
}

impl Empty for (u32, u32) {
    const EMPTY: Self = (u32::MAX, u32::MAX);
}

impl Empty for NodeId {
    const EMPTY: Self = NodeId(u32::MAX);
}

/// A map from dense row ids to `V`.
pub(super) struct RowTable<V> {
    slots: Vec<V>,
    len: usize,
}

impl<V> Default for RowTable<V> {
    fn default() -> Self {
        RowTable { slots: Vec::new(), len: 0 }
    }
}

impl<V: Empty> RowTable<V> {
    #[inline]
    pub(super) fn get(&self, id: &u32) -> Option<&V> {
        self.slots.get(*id as usize).filter(|v| **v != V::EMPTY)
    }

    #[inline]
    pub(super) fn get_mut(&mut self, id: &u32) -> Option<&mut V> {
        self.slots.get_mut(*id as usize).filter(|v| **v != V::EMPTY)
    }

    /// Stores `v` (not [`Empty::EMPTY`]) for `id`, and returns the value it replaced.
    pub(super) fn insert(&mut self, id: u32, v: V) -> Option<V> {
        debug_assert!(v != V::EMPTY);
        let i = id as usize;
        if i >= self.slots.len() {
            if self.slots.capacity() <= i {
                // Grown by `growth` (as `reserve_one`), or to `id` if that is further.
                let len = self.slots.len();
                self.slots.reserve_exact((i + 1).max(len + crate::id_map::growth(len)) - len);
            }
            self.slots.resize(i + 1, V::EMPTY);
        }
        let old = std::mem::replace(&mut self.slots[i], v);
        if old == V::EMPTY {
            self.len += 1;
            return None;
        }
        Some(old)
    }

    pub(super) fn remove(&mut self, id: &u32) -> Option<V> {
        let slot = self.slots.get_mut(*id as usize)?;
        let old = std::mem::replace(slot, V::EMPTY);
        if old == V::EMPTY {
            return None;
        }
        self.len -= 1;
        Some(old)
    }

    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Lists of items by dense row id, in one buffer: each list is threaded
/// through it (a first and a last entry per id), so an id with one item
/// costs that item and a slot of two `u32`s. Taken lists leave their entries
/// behind until every list is taken (the buffer is emptied on the next push).
pub(super) struct RowLists<T> {
    items: Vec<(T, u32)>,
    ends: RowTable<(u32, u32)>,
}

impl<T> Default for RowLists<T> {
    fn default() -> Self {
        RowLists { items: Vec::new(), ends: RowTable::default() }
    }
}

/// The end of a list in [`RowLists`].
const END: u32 = u32::MAX;

impl<T: Copy> RowLists<T> {
    /// Adds `item` last in `id`'s list.
    pub(super) fn push(&mut self, id: u32, item: T) {
        self.drop_taken();
        let at = self.items.len() as u32;
        reserve_one(&mut self.items);
        self.items.push((item, END));
        match self.ends.get_mut(&id) {
            Some(ends) => {
                let last = std::mem::replace(&mut ends.1, at);
                if let Some(entry) = self.items.get_mut(last as usize) {
                    entry.1 = at;
                }
            }
            None => {
                self.ends.insert(id, (at, at));
            }
        }
    }

    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Empties the buffer once every list in it is taken.
    fn drop_taken(&mut self) {
        if self.ends.is_empty() {
            self.items.clear();
        }
    }

    /// Whether `id` has a list.
    #[inline]
    pub(super) fn contains(&self, id: u32) -> bool {
        self.ends.get(&id).is_some()
    }

    /// Makes room for `n` more items (as [`reserve_many`]; taken entries
    /// go first).
    pub(super) fn reserve(&mut self, n: usize) {
        self.drop_taken();
        reserve_many(&mut self.items, n);
    }

    /// Takes `id`'s list, in order (read in place: a list can be most of
    /// a stream's references).
    pub(super) fn remove(&mut self, id: &u32) -> Option<ListItems<'_, T>> {
        let (first, _) = self.ends.remove(id)?;
        Some(ListItems { items: &self.items, at: first })
    }

    /// Reads `id`'s list, in order, leaving it in place.
    pub(super) fn list(&self, id: &u32) -> Option<ListItems<'_, T>> {
        let &(first, _) = self.ends.get(id)?;
        Some(ListItems { items: &self.items, at: first })
    }
}

/// The items of a list taken from [`RowLists`], in order.
pub(super) struct ListItems<'a, T> {
    items: &'a [(T, u32)],
    at: u32,
}

impl<T: Copy> Iterator for ListItems<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        let &(item, next) = self.items.get(self.at as usize)?;
        self.at = next;
        Some(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_and_lists_by_dense_id() {
        let mut t: RowTable<(u32, u32)> = RowTable::default();
        assert!(t.is_empty() && t.get(&3).is_none());
        assert_eq!(t.insert(3, (1, 2)), None);
        assert_eq!(t.insert(3, (4, 5)), Some((1, 2)));
        assert_eq!((t.get(&3), t.get(&2), t.get(&300)), (Some(&(4, 5)), None, None));
        t.get_mut(&3).unwrap().0 = 7;
        assert!(t.get(&3).is_some() && !t.is_empty());
        assert_eq!((t.remove(&3), t.remove(&3), t.remove(&999)), (Some((7, 5)), None, None));
        assert!(t.is_empty());
        let mut n: RowTable<NodeId> = RowTable::default();
        n.insert(0, NodeId(9));
        assert_eq!(n.get(&0), Some(&NodeId(9)));
        let mut l = RowLists::default();
        l.push(7, 'a');
        l.push(2, 'b');
        l.push(7, 'c');
        assert_eq!(l.list(&7).map(Iterator::collect::<Vec<_>>), Some(vec!['a', 'c']));
        assert_eq!(l.remove(&7).map(Iterator::collect::<Vec<_>>), Some(vec!['a', 'c']));
        assert!(l.list(&7).is_none());
        assert!(l.remove(&7).is_none() && !l.contains(7) && l.contains(2));
        assert_eq!(l.remove(&2).map(Iterator::collect::<Vec<_>>), Some(vec!['b']));
        assert!(l.is_empty());
        // The taken entries go on the next push.
        l.push(1, 'd');
        assert_eq!(l.items.len(), 1);
        assert_eq!(l.remove(&1).map(Iterator::collect::<Vec<_>>), Some(vec!['d']));
    }
}
