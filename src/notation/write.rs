//! Graph → value notation.

use std::collections::HashMap;

use base64::Engine as _;

use crate::json::{write_number, write_str, write_str_slice};
use crate::value::{
    Blob, ClientReference, Element, FormEntry, Graph, JsError, NodeId, NodeRef, PromiseState, ServerReference,
    StreamEnd, StreamKind, Value,
};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The values directly inside a node, in notation order.
fn children(node: NodeRef<'_>) -> Vec<Value> {
    match node {
        NodeRef::Array(v) | NodeRef::Set(v) | NodeRef::Iterator(v) => v.to_vec(),
        NodeRef::Object(pairs) => pairs.iter().map(|(_, v)| v.clone()).collect(),
        NodeRef::Map(entries) => entries.iter().flat_map(|(k, v)| [k.clone(), v.clone()]).collect(),
        NodeRef::ServerReference(r) => r.bound.clone().unwrap_or_default(),
        NodeRef::Promise(PromiseState::Fulfilled(v) | PromiseState::Rejected(v)) => vec![v.clone()],
        NodeRef::Lazy(state) => match state {
            PromiseState::Fulfilled(v) | PromiseState::Rejected(v) => vec![v.clone()],
            PromiseState::Pending => Vec::new(),
        },
        NodeRef::Stream(s) => {
            let mut v = s.items.clone();
            if matches!(s.kind, StreamKind::AsyncIterable | StreamKind::AsyncIterator) {
                if let StreamEnd::Closed(r) = &s.end {
                    v.push(r.clone());
                }
            }
            v
        }
        NodeRef::Element(e) => vec![e.element_type.clone(), e.key.clone(), e.props.clone()],
        _ => Vec::new(),
    }
}

/// Names nodes reached more than once: `n1`, `n2`, … in depth-first
/// pre-order of first appearance.
fn name_shared(g: &Graph, roots: &[Value]) -> HashMap<NodeId, String> {
    let mut seen: HashMap<NodeId, u32> = HashMap::new();
    let mut order: Vec<NodeId> = Vec::new();
    let mut stack: Vec<Value> = roots.iter().rev().cloned().collect();
    while let Some(v) = stack.pop() {
        let Value::Node(id) = v else { continue };
        let count = seen.entry(id).or_insert(0);
        *count += 1;
        if *count == 1 {
            order.push(id);
            let kids = children(g.view(id));
            stack.extend(kids.into_iter().rev());
        }
    }
    let mut names = HashMap::new();
    for id in order {
        if seen[&id] > 1 {
            let n = names.len() + 1;
            names.insert(id, format!("n{n}"));
        }
    }
    names
}

enum Task {
    Value(Value),
    Raw(&'static str),
    Owned(Vec<u8>),
    /// A byte-stream chunk: written as base64 of the typed array's bytes.
    ByteChunk(Value),
}

fn b64(out: &mut Vec<u8>, bytes: &[u8]) {
    write_str_slice(out, &B64.encode(bytes));
}

fn blob_body(out: &mut Vec<u8>, b: &Blob) {
    match &b.name {
        Some(name) => {
            out.extend_from_slice(b"{\"file\":{\"name\":");
            write_str(out, name);
            out.push(b',');
        }
        None => out.extend_from_slice(b"{\"blob\":{"),
    }
    out.extend_from_slice(b"\"type\":");
    write_str(out, &b.content_type);
    out.extend_from_slice(b",\"base64\":");
    b64(out, &b.bytes);
    out.extend_from_slice(b"}}");
}

/// Writes `g` as value notation (compact JSON).
///
/// ```
/// use flight_codec::value::{Graph, Node, Value};
/// let mut g = Graph::new();
/// let o = g.add(Node::Object(vec![("a".into(), Value::Number(-0.0))]));
/// let root = g.add(Node::Array(vec![Value::Node(o), Value::Node(o), Value::Undefined]));
/// g.set_root(Value::Node(root));
/// assert_eq!(flight_codec::notation::to_string(&g),
///     r#"{"array":[{"node":["n1",{"object":[["a",{"number":"-0"}]]}]},{"ref":"n1"},{"undefined":null}]}"#);
/// ```
pub fn to_string(g: &Graph) -> String {
    to_strings(g, std::slice::from_ref(g.root())).pop().unwrap_or_default()
}

/// Writes several values of one graph as notation, one string each, with
/// nodes named across all of them (a node shared between two values is
/// `node` in the first and `ref` in the second).
///
/// ```
/// use flight_codec::value::{Graph, Node, Value};
/// let mut g = Graph::new();
/// let o = g.add(Node::Object(vec![]));
/// let out = flight_codec::notation::to_strings(&g, &[Value::Node(o), Value::Node(o), Value::Null]);
/// assert_eq!(out, [r#"{"node":["n1",{"object":[]}]}"#, r#"{"ref":"n1"}"#, "null"]);
/// ```
pub fn to_strings(g: &Graph, roots: &[Value]) -> Vec<String> {
    let names = name_shared(g, roots);
    let mut written: HashMap<NodeId, ()> = HashMap::new();
    roots.iter().map(|root| write_one(g, root, &names, &mut written)).collect()
}

fn write_one(g: &Graph, root: &Value, names: &HashMap<NodeId, String>, written: &mut HashMap<NodeId, ()>) -> String {
    let mut out = Vec::new();
    let mut stack = vec![Task::Value(root.clone())];
    while let Some(task) = stack.pop() {
        let v = match task {
            Task::Raw(s) => {
                out.extend_from_slice(s.as_bytes());
                continue;
            }
            Task::Owned(b) => {
                out.extend_from_slice(&b);
                continue;
            }
            Task::ByteChunk(v) => {
                match v.as_node().map(|n| g.view(n)) {
                    Some(NodeRef::TypedArray { bytes, .. } | NodeRef::ArrayBuffer(bytes)) => b64(&mut out, bytes),
                    _ => stack.push(Task::Value(v)),
                }
                continue;
            }
            Task::Value(v) => v,
        };
        match v {
            Value::Undefined => out.extend_from_slice(b"{\"undefined\":null}"),
            Value::Null => out.extend_from_slice(b"null"),
            Value::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
            Value::Number(n) => {
                if n.is_nan() {
                    out.extend_from_slice(b"{\"number\":\"NaN\"}");
                } else if n == f64::INFINITY {
                    out.extend_from_slice(b"{\"number\":\"Infinity\"}");
                } else if n == f64::NEG_INFINITY {
                    out.extend_from_slice(b"{\"number\":\"-Infinity\"}");
                } else if n == 0.0 && n.is_sign_negative() {
                    out.extend_from_slice(b"{\"number\":\"-0\"}");
                } else {
                    write_number(&mut out, n);
                }
            }
            Value::String(s) => write_str(&mut out, &s),
            Value::BigInt(b) => {
                out.extend_from_slice(b"{\"bigint\":");
                write_str_slice(&mut out, b.as_str());
                out.push(b'}');
            }
            Value::Date(d) => {
                out.extend_from_slice(b"{\"date\":");
                match d.to_iso_string() {
                    Some(s) => write_str_slice(&mut out, &s),
                    None => out.extend_from_slice(b"null"),
                }
                out.push(b'}');
            }
            Value::Symbol(s) => {
                out.extend_from_slice(b"{\"symbol\":");
                write_str(&mut out, &s);
                out.push(b'}');
            }
            Value::Node(id) => {
                if let Some(name) = names.get(&id) {
                    if written.insert(id, ()).is_some() {
                        out.extend_from_slice(b"{\"ref\":");
                        write_str_slice(&mut out, name);
                        out.push(b'}');
                        continue;
                    }
                    out.extend_from_slice(b"{\"node\":[");
                    write_str_slice(&mut out, name);
                    out.push(b',');
                    stack.push(Task::Raw("]}"));
                }
                write_node(&mut out, &mut stack, g.view(id));
            }
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Pushes `items` separated by `sep` (in reverse, for the stack).
fn push_list(stack: &mut Vec<Task>, items: Vec<Value>) {
    let n = items.len();
    for (i, v) in items.into_iter().enumerate().rev() {
        stack.push(Task::Value(v));
        if i > 0 && i < n {
            stack.push(Task::Raw(","));
        }
    }
}

fn write_node(out: &mut Vec<u8>, stack: &mut Vec<Task>, node: NodeRef<'_>) {
    match node {
        NodeRef::Array(items) | NodeRef::Set(items) | NodeRef::Iterator(items) => {
            let kind: &[u8] = match node {
                NodeRef::Array(_) => b"{\"array\":[",
                NodeRef::Set(_) => b"{\"set\":[",
                _ => b"{\"iterator\":[",
            };
            out.extend_from_slice(kind);
            stack.push(Task::Raw("]}"));
            push_list(stack, items.to_vec());
        }
        NodeRef::Object(pairs) => {
            out.extend_from_slice(b"{\"object\":[");
            stack.push(Task::Raw("]}"));
            for (i, (k, v)) in pairs.iter().enumerate().rev() {
                stack.push(Task::Raw("]"));
                stack.push(Task::Value(v.clone()));
                let mut key = Vec::new();
                if i > 0 {
                    key.push(b',');
                }
                key.push(b'[');
                write_str(&mut key, k);
                key.push(b',');
                stack.push(Task::Owned(key));
            }
        }
        NodeRef::Map(entries) => {
            out.extend_from_slice(b"{\"map\":[");
            stack.push(Task::Raw("]}"));
            for (i, (k, v)) in entries.iter().enumerate().rev() {
                stack.push(Task::Raw("]"));
                stack.push(Task::Value(v.clone()));
                stack.push(Task::Raw(","));
                stack.push(Task::Value(k.clone()));
                stack.push(Task::Raw(if i > 0 { ",[" } else { "[" }));
            }
        }
        NodeRef::ArrayBuffer(bytes) => {
            out.extend_from_slice(b"{\"arrayBuffer\":");
            b64(out, bytes);
            out.push(b'}');
        }
        NodeRef::TypedArray { kind, bytes } => {
            out.extend_from_slice(b"{\"typedArray\":{\"kind\":");
            write_str_slice(out, kind.name());
            out.extend_from_slice(b",\"base64\":");
            b64(out, bytes);
            out.extend_from_slice(b"}}");
        }
        NodeRef::Blob(b) => blob_body(out, b),
        NodeRef::FormData(entries) => {
            out.extend_from_slice(b"{\"formData\":[");
            for (i, (k, e)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.push(b'[');
                write_str(out, k);
                out.push(b',');
                match e {
                    FormEntry::Text(t) => write_str(out, t),
                    FormEntry::File(f) => blob_body(out, f),
                }
                out.push(b']');
            }
            out.extend_from_slice(b"]}");
        }
        NodeRef::ServerReference(r) => {
            let ServerReference { id, bound } = r;
            out.extend_from_slice(b"{\"serverReference\":{\"id\":");
            write_str(out, id);
            out.extend_from_slice(b",\"bound\":");
            match bound {
                None => out.extend_from_slice(b"null}}"),
                Some(args) => {
                    out.push(b'[');
                    stack.push(Task::Raw("]}}"));
                    push_list(stack, args.clone());
                }
            }
        }
        NodeRef::TemporaryReference(id) => {
            out.extend_from_slice(b"{\"temporaryReference\":");
            write_str(out, id);
            out.push(b'}');
        }
        NodeRef::Promise(state) => write_promise(out, stack, b"{\"promise\":", state),
        NodeRef::Lazy(state) => write_promise(out, stack, b"{\"lazy\":", state),
        NodeRef::Stream(s) if !matches!(s.end, StreamEnd::Closed(_)) => {
            let kind = match s.kind {
                StreamKind::Readable => "readableStream",
                StreamKind::Bytes => "byteStream",
                StreamKind::AsyncIterable => "asyncIterable",
                StreamKind::AsyncIterator => "asyncIterator",
            };
            let errored = matches!(s.end, StreamEnd::Errored(_));
            out.extend_from_slice(if errored { b"{\"errored\":{\"kind\":" } else { b"{\"unclosed\":{\"kind\":" });
            write_str_slice(out, kind);
            out.extend_from_slice(b",\"items\":[");
            if let StreamEnd::Errored(e) = &s.end {
                stack.push(Task::Raw("}}"));
                stack.push(Task::Value(e.clone()));
                stack.push(Task::Raw("],\"error\":"));
            } else {
                stack.push(Task::Raw("]}}"));
            }
            push_stream_items(stack, s);
        }
        NodeRef::Stream(s) => {
            let (open, close): (&[u8], &'static str) = match s.kind {
                StreamKind::Readable => (b"{\"readableStream\":[", "]}"),
                StreamKind::Bytes => (b"{\"byteStream\":[", "]}"),
                StreamKind::AsyncIterable => (b"{\"asyncIterable\":{\"items\":[", "}}"),
                StreamKind::AsyncIterator => (b"{\"asyncIterator\":{\"items\":[", "}}"),
            };
            out.extend_from_slice(open);
            match s.kind {
                StreamKind::Readable | StreamKind::Bytes => {
                    stack.push(Task::Raw(close));
                    push_stream_items(stack, s);
                }
                _ => {
                    stack.push(Task::Raw(close));
                    let ret = match &s.end {
                        StreamEnd::Closed(v) => v.clone(),
                        _ => Value::Undefined,
                    };
                    stack.push(Task::Value(ret));
                    stack.push(Task::Raw("],\"return\":"));
                    push_list(stack, s.items.clone());
                }
            }
        }
        NodeRef::Error(e) => {
            let JsError { message, digest } = e;
            out.extend_from_slice(b"{\"error\":{\"message\":");
            write_str(out, message);
            if let Some(d) = digest {
                out.extend_from_slice(b",\"digest\":");
                write_str(out, d);
            }
            out.extend_from_slice(b"}}");
        }
        NodeRef::Instance(name) => {
            out.extend_from_slice(b"{\"instance\":");
            match name {
                Some(n) => write_str(out, n),
                None => out.extend_from_slice(b"null"),
            }
            out.push(b'}');
        }
        NodeRef::UnregisteredSymbol(d) => {
            out.extend_from_slice(b"{\"unregisteredSymbol\":");
            write_str(out, d);
            out.push(b'}');
        }
        NodeRef::ClientReference(r) => {
            let ClientReference { id, name } = r;
            out.extend_from_slice(b"{\"clientReference\":{\"id\":");
            write_str(out, id);
            out.extend_from_slice(b",\"name\":");
            write_str(out, name);
            out.extend_from_slice(b"}}");
        }
        NodeRef::Function(name) => {
            out.extend_from_slice(b"{\"function\":");
            write_str(out, name);
            out.push(b'}');
        }
        NodeRef::Element(e) => {
            let Element { element_type, key, props } = e;
            out.extend_from_slice(b"{\"element\":{\"type\":");
            stack.push(Task::Raw("}}"));
            stack.push(Task::Value(props.clone()));
            stack.push(Task::Raw(",\"props\":"));
            stack.push(Task::Value(key.clone()));
            stack.push(Task::Raw(",\"key\":"));
            stack.push(Task::Value(element_type.clone()));
        }
    }
}

/// A promise or lazy: `{"promise": …}` or `{"lazy": …}` (`kind` is the opening).
fn write_promise(out: &mut Vec<u8>, stack: &mut Vec<Task>, kind: &[u8], state: &PromiseState) {
    out.extend_from_slice(kind);
    match state {
        PromiseState::Pending => out.extend_from_slice(b"\"pending\"}"),
        PromiseState::Fulfilled(v) | PromiseState::Rejected(v) => {
            out.extend_from_slice(if matches!(state, PromiseState::Fulfilled(_)) {
                b"{\"fulfilled\":"
            } else {
                b"{\"rejected\":"
            });
            stack.push(Task::Raw("}}"));
            stack.push(Task::Value(v.clone()));
        }
    }
}

/// Stream items; a byte stream's chunks are base64 strings.
fn push_stream_items(stack: &mut Vec<Task>, s: &crate::value::Stream) {
    if s.kind != StreamKind::Bytes {
        push_list(stack, s.items.clone());
        return;
    }
    let n = s.items.len();
    for (i, v) in s.items.iter().enumerate().rev() {
        stack.push(Task::ByteChunk(v.clone()));
        if i > 0 && i < n {
            stack.push(Task::Raw(","));
        }
    }
}
