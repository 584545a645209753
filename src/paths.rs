//! Path references (`$0:a:1`) kept lazily, in an arena: a reference is a row
//! (`$1`, `$@1`, `$h1`) or a member of another reference, made into text only
//! when it is written out. Keeping one per object written costs O(1) and no
//! allocation of its own, whatever the depth (a string per object would cost
//! O(depth) each: quadratic in depth).

use crate::value::JsString;

/// A reference: an index into [`Paths`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Ref(u32);

/// A path segment.
#[derive(Debug)]
pub(crate) enum PathKey {
    Index(usize),
    Name(JsString),
    Static(&'static str),
}

#[derive(Debug)]
enum PathNode {
    /// `<tag><id in hex>`.
    Whole(&'static str, u32),
    Member(Ref, PathKey),
}

/// The references of one encoding.
#[derive(Debug, Default)]
pub(crate) struct Paths {
    nodes: Vec<PathNode>,
}

impl Paths {
    /// No references yet, with room for `n` (one per node of a graph is
    /// what an encoding usually makes: growing by doubling copies them again).
    pub(crate) fn with_capacity(n: usize) -> Self {
        Paths { nodes: Vec::with_capacity(n) }
    }

    fn push(&mut self, n: PathNode) -> Ref {
        let r = Ref(u32::try_from(self.nodes.len()).unwrap_or(u32::MAX));
        self.nodes.push(n);
        r
    }

    /// A reference to a whole row: `$1`, `$@1`, `$h1`.
    pub(crate) fn whole(&mut self, tag: &'static str, id: u32) -> Ref {
        self.push(PathNode::Whole(tag, id))
    }

    /// `parent:key`.
    #[inline]
    pub(crate) fn member(&mut self, parent: Ref, key: PathKey) -> Ref {
        self.push(PathNode::Member(parent, key))
    }

    fn node(&self, r: Ref) -> &PathNode {
        &self.nodes[r.0 as usize]
    }

    /// Whether `r` is the whole row `<tag><id>`.
    pub(crate) fn is_whole(&self, r: Ref, tag: &str, id: u32) -> bool {
        matches!(self.node(r), PathNode::Whole(t, i) if *t == tag && *i == id)
    }

    /// Appends the reference as React writes it, a JSON string (`"$0:a:1"`).
    /// Keys are written as they are, lone surrogates too (escaped as `\uXXXX`,
    /// as `JSON.stringify` writes them), so the path finds them again.
    pub(crate) fn write(&self, out: &mut Vec<u8>, r: Ref) {
        let mut keys = Vec::new();
        let mut at = r;
        let (tag, id) = loop {
            match self.node(at) {
                PathNode::Whole(tag, id) => break (*tag, *id),
                PathNode::Member(parent, key) => {
                    keys.push(key);
                    at = *parent;
                }
            }
        };
        let mut text = format!("{tag}{id:x}").into_bytes();
        for k in keys.iter().rev() {
            text.push(b':');
            match k {
                PathKey::Index(i) => text.extend_from_slice(i.to_string().as_bytes()),
                PathKey::Name(n) => text.extend_from_slice(n.as_wtf8()),
                PathKey::Static(s) => text.extend_from_slice(s.as_bytes()),
            }
        }
        crate::json::write_wtf8(out, &text);
    }
}
