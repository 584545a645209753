//! Logical size: how big a value would be if every shared reference were a copy.

use super::{FormEntry, Graph, NodeId, PromiseState, StreamEnd, Value};
use crate::value::NodeRef;

/// Size of a primitive.
fn scalar(v: &Value) -> u64 {
    match v {
        Value::String(s) => s.len() as u64,
        Value::Symbol(s) => s.len() as u64,
        Value::BigInt(b) => b.digits() as u64,
        _ => 0,
    }
}

/// A node's own size: one, and the lengths of what it holds that is not a
/// value (keys, bytes, ids, text) and a unit per slot that holds a value.
fn own_size(node: &NodeRef<'_>) -> u64 {
    match node {
        NodeRef::Array(items) | NodeRef::Set(items) | NodeRef::Iterator(items) => 1 + items.len() as u64,
        NodeRef::Object(pairs) => 1 + pairs.iter().map(|(k, _)| 1 + k.len() as u64).sum::<u64>(),
        NodeRef::Map(entries) => 1 + 2 * entries.len() as u64,
        NodeRef::ArrayBuffer(b) | NodeRef::TypedArray { bytes: b, .. } => 1 + b.len() as u64,
        NodeRef::Blob(b) => 1 + b.bytes.len() as u64,
        NodeRef::FormData(entries) => {
            1 + entries
                .iter()
                .map(|(k, e)| {
                    1 + k.len() as u64
                        + match e {
                            FormEntry::Text(t) => t.len() as u64,
                            FormEntry::File(f) => f.bytes.len() as u64,
                        }
                })
                .sum::<u64>()
        }
        NodeRef::ServerReference(r) => 1 + r.id.len() as u64 + r.bound.as_ref().map_or(0, |b| b.len() as u64),
        NodeRef::Stream(s) => 1 + s.items.len() as u64,
        NodeRef::TemporaryReference(s) | NodeRef::UnregisteredSymbol(s) | NodeRef::Function(s) => 1 + s.len() as u64,
        NodeRef::ClientReference(r) => 1 + r.id.len() as u64 + r.name.len() as u64,
        NodeRef::Error(e) => 1 + e.message.len() as u64,
        NodeRef::Promise(_) | NodeRef::Lazy(_) | NodeRef::Element(_) | NodeRef::Instance(_) => 1,
    }
}

/// Value `i` directly inside a node (its items, members' values, map keys
/// and values in turn, bound arguments, settled value, stream chunks then
/// end value, or element fields); `None` past the last.
fn child<'a>(node: &NodeRef<'a>, i: usize) -> Option<&'a Value> {
    let settled = |state: &'a PromiseState| match state {
        PromiseState::Fulfilled(v) | PromiseState::Rejected(v) => Some(v),
        PromiseState::Pending => None,
    };
    match node {
        NodeRef::Array(items) | NodeRef::Set(items) | NodeRef::Iterator(items) => items.get(i),
        NodeRef::Object(pairs) => pairs.value(i),
        NodeRef::Map(entries) => entries.get(i / 2).map(|(k, v)| if i % 2 == 0 { k } else { v }),
        NodeRef::ServerReference(r) => r.bound.as_ref()?.get(i),
        NodeRef::Promise(state) | NodeRef::Lazy(state) => settled(state).filter(|_| i == 0),
        NodeRef::Stream(s) => s.items.get(i).or(match &s.end {
            StreamEnd::Closed(v) | StreamEnd::Errored(v) if i == s.items.len() => Some(v),
            _ => None,
        }),
        NodeRef::Element(e) => [&e.element_type, &e.key, &e.props].get(i).copied(),
        _ => None,
    }
}

/// The logical size of `g`'s root, saturating once it passes `cap`.
///
/// Each node's size is computed once (memoized), so this is linear in the
/// graph; an edge back to a node still being sized (a cycle) counts 1.
pub(crate) fn logical_size(g: &Graph, cap: u64) -> u64 {
    const UNSEEN: u64 = u64::MAX;
    const ACTIVE: u64 = u64::MAX - 1;
    let mut memo = vec![UNSEEN; g.len()];
    // (node, next child, accumulated size): children are read in place, so
    // a frame costs the same for a node of one value or a million.
    let mut stack: Vec<(NodeId, usize, u64)> = Vec::new();
    let size_of = |v: &Value, memo: &mut Vec<u64>, stack: &mut Vec<(NodeId, usize, u64)>| -> Option<u64> {
        match v {
            Value::Node(id) => match memo[id.index()] {
                UNSEEN => {
                    memo[id.index()] = ACTIVE;
                    stack.push((*id, 0, own_size(&g.view(*id))));
                    None
                }
                ACTIVE => Some(1),
                n => Some(n),
            },
            v => Some(scalar(v)),
        }
    };
    if let Some(n) = size_of(g.root(), &mut memo, &mut stack) {
        return n;
    }
    while let Some(&mut (id, ref mut next, _)) = stack.last_mut() {
        if let Some(child) = child(&g.view(id), *next) {
            *next += 1;
            if let Some(n) = size_of(child, &mut memo, &mut stack) {
                let top = stack.last_mut().expect("stack is not empty");
                top.2 = top.2.saturating_add(n);
                if top.2 > cap {
                    return cap.saturating_add(1);
                }
            }
        } else {
            let (id, _, total) = stack.pop().expect("stack is not empty");
            memo[id.index()] = total.min(ACTIVE - 1);
            match stack.last_mut() {
                Some(parent) => {
                    parent.2 = parent.2.saturating_add(total);
                    if parent.2 > cap {
                        return cap.saturating_add(1);
                    }
                }
                None => return total,
            }
        }
    }
    0
}
