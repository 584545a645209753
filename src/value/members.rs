//! [`Members`]: an object's keys and values, as a view reads them.

use std::fmt;

use super::{JsString, Value};

/// The members of an object, in order: what [`NodeRef::Object`] holds.
///
/// A graph keeps an object's keys apart from its values: objects with the
/// same keys in the same order (the records of a list, say) share one copy
/// of them, their *shape*, and each keeps only its values. So a view of an
/// object is a pair of slices, not a slice of pairs. An owned
/// [`Node::Object`] is a vector of pairs, and its view reads that.
///
/// [`NodeRef::Object`]: super::NodeRef::Object
/// [`Node::Object`]: super::Node::Object
///
/// ```
/// use flight_codec::value::{Graph, Node, NodeRef, Value};
/// let mut g = Graph::new();
/// let id = g.add(Node::Object(vec![("a".into(), Value::Null), ("b".into(), Value::Bool(true))]));
/// let NodeRef::Object(members) = g.view(id) else { panic!() };
/// assert_eq!(members.len(), 2);
/// assert_eq!(members.key(0).unwrap(), "a");
/// assert!(matches!(members.get("b"), Some(Value::Bool(true))));
/// let keys: Vec<String> = members.iter().map(|(k, _)| k.to_string()).collect();
/// assert_eq!(keys, ["a", "b"]);
/// ```
#[derive(Clone, Copy)]
pub struct Members<'a>(Repr<'a>);

#[derive(Clone, Copy)]
enum Repr<'a> {
    /// A graph's object: its shape's keys and its values, the same length.
    Split(&'a [JsString], &'a [Value]),
    /// An owned [`super::Node::Object`]'s pairs.
    Pairs(&'a [(JsString, Value)]),
}

impl<'a> Members<'a> {
    /// Keys and values of the same length.
    #[inline]
    pub(crate) fn split(keys: &'a [JsString], values: &'a [Value]) -> Self {
        debug_assert_eq!(keys.len(), values.len());
        Members(Repr::Split(keys, values))
    }

    /// Pairs of a key and a value.
    #[inline]
    pub(crate) fn pairs(pairs: &'a [(JsString, Value)]) -> Self {
        Members(Repr::Pairs(pairs))
    }

    /// The number of members.
    ///
    /// ```
    /// use flight_codec::value::{Node, NodeRef};
    /// let n = Node::Object(vec![]);
    /// assert!(matches!(n.view(), NodeRef::Object(m) if m.len() == 0 && m.is_empty()));
    /// ```
    #[inline]
    pub fn len(&self) -> usize {
        match self.0 {
            Repr::Split(_, values) => values.len(),
            Repr::Pairs(pairs) => pairs.len(),
        }
    }

    /// `true` when the object has no members.
    ///
    /// ```
    /// use flight_codec::value::{Node, NodeRef, Value};
    /// let n = Node::Object(vec![("a".into(), Value::Null)]);
    /// assert!(matches!(n.view(), NodeRef::Object(m) if !m.is_empty()));
    /// ```
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`th member: its key and its value.
    ///
    /// ```
    /// use flight_codec::value::{Node, NodeRef, Value};
    /// let n = Node::Object(vec![("a".into(), Value::Null)]);
    /// let NodeRef::Object(m) = n.view() else { panic!() };
    /// assert!(matches!(m.at(0), Some((k, Value::Null)) if k == "a"));
    /// assert!(m.at(1).is_none());
    /// ```
    #[inline]
    pub fn at(&self, i: usize) -> Option<(&'a JsString, &'a Value)> {
        match self.0 {
            Repr::Split(keys, values) => Some((keys.get(i)?, values.get(i)?)),
            Repr::Pairs(pairs) => pairs.get(i).map(|(k, v)| (k, v)),
        }
    }

    /// The `i`th key.
    ///
    /// ```
    /// use flight_codec::value::{Node, NodeRef, Value};
    /// let n = Node::Object(vec![("a".into(), Value::Null)]);
    /// let NodeRef::Object(m) = n.view() else { panic!() };
    /// assert_eq!(m.key(0).unwrap(), "a");
    /// ```
    #[inline]
    pub fn key(&self, i: usize) -> Option<&'a JsString> {
        self.at(i).map(|(k, _)| k)
    }

    /// The `i`th value.
    ///
    /// ```
    /// use flight_codec::value::{Node, NodeRef, Value};
    /// let n = Node::Object(vec![("a".into(), Value::Null)]);
    /// let NodeRef::Object(m) = n.view() else { panic!() };
    /// assert!(matches!(m.value(0), Some(Value::Null)));
    /// ```
    #[inline]
    pub fn value(&self, i: usize) -> Option<&'a Value> {
        self.at(i).map(|(_, v)| v)
    }

    /// The value of the member with this key (an object's keys are
    /// distinct, as [`Node::Object`](super::Node::Object) requires).
    ///
    /// ```
    /// use flight_codec::value::{Node, NodeRef, Value};
    /// let n = Node::Object(vec![("a".into(), Value::Null)]);
    /// let NodeRef::Object(m) = n.view() else { panic!() };
    /// assert!(matches!(m.get("a"), Some(Value::Null)));
    /// assert!(m.get("b").is_none());
    /// ```
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.iter().find(|(k, _)| **k == *key).map(|(_, v)| v)
    }

    /// The members in order, as pairs of references.
    ///
    /// ```
    /// use flight_codec::value::{Node, NodeRef, Value};
    /// let n = Node::Object(vec![("a".into(), Value::Null), ("b".into(), Value::Null)]);
    /// let NodeRef::Object(m) = n.view() else { panic!() };
    /// assert_eq!(m.iter().rev().map(|(k, _)| k.to_string()).collect::<Vec<_>>(), ["b", "a"]);
    /// ```
    #[inline]
    pub fn iter(&self) -> Iter<'a> {
        Iter { members: *self, front: 0, back: self.len() }
    }

    /// The members as owned pairs (values that are nodes stay references to
    /// the same nodes).
    ///
    /// ```
    /// use flight_codec::value::{Node, NodeRef, Value};
    /// let n = Node::Object(vec![("a".into(), Value::Null)]);
    /// let NodeRef::Object(m) = n.view() else { panic!() };
    /// assert_eq!(m.to_vec().len(), 1);
    /// ```
    pub fn to_vec(&self) -> Vec<(JsString, Value)> {
        match self.0 {
            Repr::Split(keys, values) => keys.iter().cloned().zip(values.iter().cloned()).collect(),
            Repr::Pairs(pairs) => pairs.to_vec(),
        }
    }
}

impl fmt::Debug for Members<'_> {
    /// The members as a list of pairs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a> IntoIterator for Members<'a> {
    type Item = (&'a JsString, &'a Value);
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// The members of an object in order ([`Members::iter`]), from either end.
///
/// ```
/// use flight_codec::value::{Node, NodeRef, Value};
/// let n = Node::Object(vec![("a".into(), Value::Null), ("b".into(), Value::Bool(true))]);
/// let NodeRef::Object(m) = n.view() else { panic!() };
/// let mut it = m.iter();
/// assert_eq!(it.len(), 2);
/// assert!(matches!(it.next_back(), Some((k, Value::Bool(true))) if k == "b"));
/// assert!(matches!(it.next(), Some((k, Value::Null)) if k == "a"));
/// assert!(it.next().is_none());
/// ```
#[derive(Clone, Debug)]
pub struct Iter<'a> {
    members: Members<'a>,
    front: usize,
    back: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a JsString, &'a Value);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.front == self.back {
            return None;
        }
        self.front += 1;
        self.members.at(self.front - 1)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.back - self.front, Some(self.back - self.front))
    }
}

impl DoubleEndedIterator for Iter<'_> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front == self.back {
            return None;
        }
        self.back -= 1;
        self.members.at(self.back)
    }
}

impl ExactSizeIterator for Iter<'_> {}
