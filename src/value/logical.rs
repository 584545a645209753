//! Logical size: how big a value would be if every shared reference were a copy.

use super::{FormEntry, Graph, PromiseState, StreamEnd, Value};
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

/// The values directly inside a node, and the node's own size.
fn children(node: NodeRef<'_>, out: &mut Vec<Value>) -> u64 {
    match node {
        NodeRef::Array(items) | NodeRef::Set(items) | NodeRef::Iterator(items) => {
            out.extend(items.iter().cloned());
            1 + items.len() as u64
        }
        NodeRef::Object(pairs) => {
            out.extend(pairs.iter().map(|(_, v)| v.clone()));
            1 + pairs.iter().map(|(k, _)| 1 + k.len() as u64).sum::<u64>()
        }
        NodeRef::Map(entries) => {
            for (k, v) in entries {
                out.push(k.clone());
                out.push(v.clone());
            }
            1 + 2 * entries.len() as u64
        }
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
        NodeRef::ServerReference(r) => {
            out.extend(r.bound.iter().flatten().cloned());
            1 + r.id.len() as u64 + r.bound.as_ref().map_or(0, |b| b.len() as u64)
        }
        NodeRef::Promise(state) => settled(state, out),
        NodeRef::Lazy(state) => settled(state, out),
        NodeRef::Stream(s) => {
            out.extend(s.items.iter().cloned());
            if let StreamEnd::Closed(v) | StreamEnd::Errored(v) = &s.end {
                out.push(v.clone());
            }
            1 + s.items.len() as u64
        }
        NodeRef::Element(e) => {
            out.extend([e.element_type.clone(), e.key.clone(), e.props.clone()]);
            1
        }
        NodeRef::TemporaryReference(s) | NodeRef::UnregisteredSymbol(s) | NodeRef::Function(s) => 1 + s.len() as u64,
        NodeRef::ClientReference(r) => 1 + r.id.len() as u64 + r.name.len() as u64,
        NodeRef::Error(e) => 1 + e.message.len() as u64,
        NodeRef::Instance(_) => 1,
    }
}

/// A promise's or lazy's settled value, if any, and its own size.
fn settled(state: &PromiseState, out: &mut Vec<Value>) -> u64 {
    if let PromiseState::Fulfilled(v) | PromiseState::Rejected(v) = state {
        out.push(v.clone());
    }
    1
}

/// The logical size of `g`'s root, saturating once it passes `cap`.
///
/// Each node's size is computed once (memoized), so this is linear in the
/// graph; an edge back to a node still being sized (a cycle) counts 1.
pub(crate) fn logical_size(g: &Graph, cap: u64) -> u64 {
    const UNSEEN: u64 = u64::MAX;
    const ACTIVE: u64 = u64::MAX - 1;
    let mut memo = vec![UNSEEN; g.len()];
    // (node, children, next child, accumulated size)
    let mut stack: Vec<(usize, Vec<Value>, usize, u64)> = Vec::new();
    let size_of = |v: &Value, memo: &mut Vec<u64>, stack: &mut Vec<(usize, Vec<Value>, usize, u64)>| -> Option<u64> {
        match v {
            Value::Node(id) => match memo[id.index()] {
                UNSEEN => {
                    memo[id.index()] = ACTIVE;
                    let mut kids = Vec::new();
                    let own = children(g.view(*id), &mut kids);
                    stack.push((id.index(), kids, 0, own));
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
    while let Some(top) = stack.last_mut() {
        if top.2 < top.1.len() {
            let child = top.1[top.2].clone();
            top.2 += 1;
            if let Some(n) = size_of(&child, &mut memo, &mut stack) {
                let top = stack.last_mut().expect("stack is not empty");
                top.3 = top.3.saturating_add(n);
                if top.3 > cap {
                    return cap.saturating_add(1);
                }
            }
        } else {
            let (idx, _, _, total) = stack.pop().expect("stack is not empty");
            memo[idx] = total.min(ACTIVE - 1);
            match stack.last_mut() {
                Some(parent) => {
                    parent.3 = parent.3.saturating_add(total);
                    if parent.3 > cap {
                        return cap.saturating_add(1);
                    }
                }
                None => return total,
            }
        }
    }
    0
}
