//! Maps and sets keyed by node: dense tables indexed by the node's arena
//! index, not hash tables. Node ids are assigned by this crate, densely from
//! zero, so a table is never larger than the graph it describes, and no
//! hashing is needed (nor any defence against chosen keys).

use super::NodeId;

/// A map from nodes to `V`.
#[derive(Clone, Debug)]
pub(crate) struct NodeMap<V> {
    slots: Vec<Option<V>>,
}

impl<V> Default for NodeMap<V> {
    fn default() -> Self {
        NodeMap { slots: Vec::new() }
    }
}

impl<V> NodeMap<V> {
    /// An empty map with a slot for each of `len` nodes already made (a
    /// graph's nodes, say): inserting one of them never grows the table.
    pub(crate) fn with_len(len: usize) -> Self {
        let mut slots = Vec::new();
        slots.resize_with(len, || None);
        NodeMap { slots }
    }

    #[inline]
    pub(crate) fn get(&self, id: &NodeId) -> Option<&V> {
        self.slots.get(id.index()).and_then(Option::as_ref)
    }

    #[inline]
    pub(crate) fn insert(&mut self, id: NodeId, v: V) -> Option<V> {
        let i = id.index();
        if i >= self.slots.len() {
            self.slots.resize_with(i + 1, || None);
        }
        self.slots[i].replace(v)
    }

    #[inline]
    pub(crate) fn remove(&mut self, id: &NodeId) -> Option<V> {
        self.slots.get_mut(id.index()).and_then(Option::take)
    }

    /// The value for `id`, inserted by `f` if there is none.
    #[inline]
    pub(crate) fn get_or_insert_with(&mut self, id: NodeId, f: impl FnOnce() -> V) -> &mut V {
        let i = id.index();
        if i >= self.slots.len() {
            self.slots.resize_with(i + 1, || None);
        }
        self.slots[i].get_or_insert_with(f)
    }
}

/// A set of nodes.
#[derive(Clone, Debug, Default)]
pub(crate) struct NodeSet {
    bits: Vec<u64>,
}

impl NodeSet {
    /// Adds `id`; `false` if it was there already.
    #[inline]
    pub(crate) fn insert(&mut self, id: NodeId) -> bool {
        let (w, b) = (id.index() / 64, id.index() % 64);
        if w >= self.bits.len() {
            self.bits.resize(w + 1, 0);
        }
        let had = self.bits[w] & (1 << b) != 0;
        self.bits[w] |= 1 << b;
        !had
    }

    /// Removes `id`; `true` if it was there.
    #[inline]
    pub(crate) fn remove(&mut self, id: &NodeId) -> bool {
        let (w, b) = (id.index() / 64, id.index() % 64);
        match self.bits.get_mut(w) {
            Some(word) if *word & (1 << b) != 0 => {
                *word &= !(1 << b);
                true
            }
            _ => false,
        }
    }

    #[inline]
    pub(crate) fn contains(&self, id: &NodeId) -> bool {
        let (w, b) = (id.index() / 64, id.index() % 64);
        self.bits.get(w).is_some_and(|word| word & (1 << b) != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_and_sets_behave_like_hash_tables() {
        for mut m in [NodeMap::default(), NodeMap::with_len(0), NodeMap::with_len(71)] {
            assert_eq!(m.get(&NodeId(70)), None);
            assert_eq!(m.insert(NodeId(70), 1), None);
            assert_eq!(m.insert(NodeId(100), 3), None);
            assert_eq!(m.get(&NodeId(70)), Some(&1));
            assert_eq!(m.get(&NodeId(100)), Some(&3));
        }
        let mut m = NodeMap::default();
        assert_eq!(m.insert(NodeId(70), 1), None);
        assert_eq!(m.insert(NodeId(70), 2), Some(1));
        assert_eq!(m.get(&NodeId(70)), Some(&2));
        assert!(m.get(&NodeId(3)).is_none() && m.get(&NodeId(1000)).is_none());
        *m.get_or_insert_with(NodeId(3), || 5) += 1;
        assert_eq!(m.get(&NodeId(3)), Some(&6));
        assert_eq!(m.remove(&NodeId(3)), Some(6));
        assert_eq!(m.remove(&NodeId(3)), None);
        assert_eq!(m.remove(&NodeId(5000)), None);
        let mut s = NodeSet::default();
        assert!(s.insert(NodeId(130)) && !s.insert(NodeId(130)));
        assert!(s.contains(&NodeId(130)) && !s.contains(&NodeId(2)) && !s.contains(&NodeId(9999)));
        assert!(s.remove(&NodeId(130)) && !s.remove(&NodeId(130)) && !s.remove(&NodeId(9999)));
    }
}
