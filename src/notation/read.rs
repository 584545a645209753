//! Value notation → graph.

use std::collections::HashMap;

use base64::Engine as _;
use bytes::Bytes;

use crate::error::{Error, ErrorKind, Result};
use crate::json::{Reader, Token};
use crate::value::{
    BigInt, Blob, ClientReference, Date, Element, FormEntry, Graph, JsError, JsString, Node, NodeId, PromiseState,
    ServerReference, Stream, StreamEnd, StreamKind, TypedArrayKind, Value,
};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A JSON document as an arena (so deep documents never recurse on drop).
enum J {
    Null,
    Bool(bool),
    Num(f64),
    Str(JsString),
    Arr(Vec<usize>),
    Obj(Vec<(JsString, usize)>),
}

fn bad(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Notation { message: message.into() })
}

fn parse_tree(text: &Bytes) -> Result<(Vec<J>, usize)> {
    let mut reader = Reader::with_max_depth(text, 100_000);
    let mut nodes: Vec<J> = Vec::new();
    // (node index, pending key)
    let mut stack: Vec<(usize, Option<JsString>)> = Vec::new();
    loop {
        let tok = reader.next().map_err(|e| bad(e.to_string()))?;
        let Some(tok) = tok else {
            return Err(bad("empty document"));
        };
        let new = match tok {
            Token::BeginArray => J::Arr(Vec::new()),
            Token::BeginObject => J::Obj(Vec::new()),
            Token::Key(k) => {
                if let Some(top) = stack.last_mut() {
                    top.1 = Some(k);
                }
                continue;
            }
            Token::EndArray | Token::EndObject => {
                let (idx, _) = stack.pop().ok_or_else(|| bad("unbalanced"))?;
                if stack.is_empty() {
                    return Ok((nodes, idx));
                }
                continue;
            }
            Token::String(s) => J::Str(s),
            Token::Number(n) => J::Num(n),
            Token::Bool(b) => J::Bool(b),
            Token::Null => J::Null,
        };
        let idx = nodes.len();
        let is_container = matches!(new, J::Arr(_) | J::Obj(_));
        nodes.push(new);
        match stack.last_mut() {
            None if !is_container => return Ok((nodes, idx)),
            None => {}
            Some((parent, key)) => match &mut nodes[*parent] {
                J::Arr(items) => items.push(idx),
                J::Obj(pairs) => pairs.push((key.take().unwrap_or_default(), idx)),
                _ => return Err(bad("unbalanced")),
            },
        }
        if is_container {
            stack.push((idx, None));
        }
    }
}

/// Parses value notation into a graph.
///
/// # Errors
/// [`ErrorKind::Notation`] if the text is not JSON or not valid notation.
///
/// ```
/// let g = flight_codec::notation::from_str(r#"{"array":[1,{"bigint":"-12"},{"number":"NaN"}]}"#)?;
/// assert_eq!(flight_codec::notation::to_string(&g), r#"{"array":[1,{"bigint":"-12"},{"number":"NaN"}]}"#);
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub fn from_str(text: &str) -> Result<Graph> {
    from_bytes(Bytes::copy_from_slice(text.as_bytes()))
}

/// Parses value notation from UTF-8 bytes.
///
/// # Errors
/// As [`from_str`].
///
/// ```
/// let g = flight_codec::notation::from_bytes(bytes::Bytes::from_static(br#"{"bigint":"5"}"#))?;
/// assert_eq!(flight_codec::notation::to_string(&g), r#"{"bigint":"5"}"#);
/// assert!(flight_codec::notation::from_bytes(bytes::Bytes::from_static(b"\"\xff\"")).is_err());
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub fn from_bytes(text: Bytes) -> Result<Graph> {
    Ok(from_bytes_named(text)?.0)
}

/// Parses value notation, and returns the nodes it names
/// (`{"node":[name, value]}`) with the graph.
///
/// # Errors
/// As [`from_str`].
///
/// ```
/// let (g, names) = flight_codec::notation::from_str_named(r#"{"array":[{"node":["p",{"promise":"pending"}]},{"ref":"p"}]}"#)?;
/// assert!(matches!(g.view(names["p"]), flight_codec::value::NodeRef::Promise(_)));
/// # Ok::<(), flight_codec::Error>(())
/// ```
pub fn from_str_named(text: &str) -> Result<(Graph, HashMap<String, NodeId>)> {
    from_bytes_named(Bytes::copy_from_slice(text.as_bytes()))
}

fn from_bytes_named(text: Bytes) -> Result<(Graph, HashMap<String, NodeId>)> {
    std::str::from_utf8(&text).map_err(|_| bad("not UTF-8"))?;
    let (tree, root) = parse_tree(&text)?;
    let mut b = Builder { tree: &tree, g: Graph::new(), names: HashMap::new() };
    let v = b.value(root)?;
    b.g.set_root(v);
    let names = b.names.into_iter().map(|(k, v)| (k.to_string_lossy().into_owned(), v)).collect();
    Ok((b.g, names))
}

struct Builder<'t> {
    tree: &'t [J],
    g: Graph,
    names: HashMap<JsString, NodeId>,
}

/// Work for the iterative conversion: a node whose children are converted
/// into `done`, then assembled by `finish`.
struct Pending {
    node: NodeId,
    kind: Kind,
    todo: Vec<usize>,
    done: Vec<Value>,
}

#[derive(Clone)]
enum Kind {
    Array,
    Object(Vec<JsString>),
    Map,
    Set,
    Iterator,
    ServerRef(JsString, bool),
    /// Fulfilled?, and whether it is a lazy rather than a promise.
    Promise(bool, bool),
    Stream(StreamKind, bool),
    /// A stream that ended with an error (last child) or is still open.
    StreamEnded(StreamKind, bool),
    Element,
}

impl Builder<'_> {
    fn str_of(&self, i: usize) -> Result<&JsString> {
        match &self.tree[i] {
            J::Str(s) => Ok(s),
            _ => Err(bad("expected a string")),
        }
    }

    fn arr_of(&self, i: usize) -> Result<&[usize]> {
        match &self.tree[i] {
            J::Arr(v) => Ok(v),
            _ => Err(bad("expected an array")),
        }
    }

    fn field(&self, i: usize, key: &str) -> Result<usize> {
        match &self.tree[i] {
            J::Obj(pairs) => {
                pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v).ok_or_else(|| bad(format!("missing `{key}`")))
            }
            _ => Err(bad("expected an object")),
        }
    }

    fn bytes_of(&self, i: usize) -> Result<Bytes> {
        let s = self.str_of(i)?;
        let text = s.as_str().ok_or_else(|| bad("invalid base64"))?;
        B64.decode(text).map(Bytes::from).map_err(|_| bad("invalid base64"))
    }

    fn blob(&self, kind: &str, body: usize) -> Result<Blob> {
        let name = if kind == "file" { Some(self.str_of(self.field(body, "name")?)?.clone()) } else { None };
        Ok(Blob {
            name,
            content_type: self.str_of(self.field(body, "type")?)?.clone(),
            bytes: self.bytes_of(self.field(body, "base64")?)?,
        })
    }

    /// Converts the JSON value at `root`, iteratively.
    fn value(&mut self, root: usize) -> Result<Value> {
        let mut stack: Vec<Pending> = Vec::new();
        let mut next = Some(root);
        let mut pending_name: Option<JsString> = None;
        loop {
            if let Some(i) = next.take() {
                match self.start(i, &mut pending_name)? {
                    Start::Value(v) => {
                        if pending_name.is_some() {
                            return Err(bad("`node` must wrap an object value"));
                        }
                        match stack.last_mut() {
                            None => return Ok(v),
                            Some(p) => p.done.push(v),
                        }
                    }
                    Start::Named(j) => {
                        next = Some(j);
                        continue;
                    }
                    Start::Pending(p) => stack.push(p),
                }
            }
            let Some(top) = stack.last_mut() else {
                return Err(bad("empty"));
            };
            if let Some(child) = top.todo.pop() {
                next = Some(child);
                continue;
            }
            let p = stack.pop().ok_or_else(|| bad("empty"))?;
            let v = Value::Node(p.node);
            self.finish(p)?;
            match stack.last_mut() {
                None => return Ok(v),
                Some(parent) => parent.done.push(v),
            }
        }
    }

    fn alloc(&mut self, name: &mut Option<JsString>, node: Node) -> NodeId {
        let id = self.g.add(node);
        if let Some(n) = name.take() {
            self.names.insert(n, id);
        }
        id
    }

    fn pending(&mut self, name: &mut Option<JsString>, kind: Kind, children: Vec<usize>) -> Start {
        let node = self.alloc(name, Node::Array(Vec::new()));
        let mut todo = children;
        todo.reverse();
        Start::Pending(Pending { node, kind, todo, done: Vec::new() })
    }

    fn start(&mut self, i: usize, name: &mut Option<JsString>) -> Result<Start> {
        let pairs = match &self.tree[i] {
            J::Null => return Ok(Start::Value(Value::Null)),
            J::Bool(b) => return Ok(Start::Value(Value::Bool(*b))),
            J::Num(n) => return Ok(Start::Value(Value::Number(*n))),
            J::Str(s) => return Ok(Start::Value(Value::String(s.clone()))),
            J::Arr(_) => return Err(bad("a bare array is not notation; use {\"array\":[…]}")),
            J::Obj(pairs) => pairs,
        };
        if pairs.len() != 1 {
            return Err(bad("a notation object has exactly one key"));
        }
        let (kind, body) = (pairs[0].0.to_string_lossy().into_owned(), pairs[0].1);
        let scalar = |v: Value| Ok(Start::Value(v));
        match kind.as_str() {
            "undefined" => scalar(Value::Undefined),
            "number" => {
                let n = match self.str_of(body)?.as_str() {
                    Some("NaN") => f64::NAN,
                    Some("Infinity") => f64::INFINITY,
                    Some("-Infinity") => f64::NEG_INFINITY,
                    Some("-0") => -0.0,
                    _ => return Err(bad("unknown special number")),
                };
                scalar(Value::Number(n))
            }
            "bigint" => scalar(Value::BigInt(
                self.str_of(body)?.as_str().and_then(BigInt::parse).ok_or_else(|| bad("invalid bigint"))?,
            )),
            "symbol" => scalar(Value::Symbol(Box::new(self.str_of(body)?.clone()))),
            "date" => match &self.tree[body] {
                J::Null => scalar(Value::Date(Date::invalid())),
                _ => scalar(Value::Date(
                    self.str_of(body)?.as_str().and_then(Date::parse_iso).ok_or_else(|| bad("invalid date"))?,
                )),
            },
            "ref" => {
                let n = self.str_of(body)?;
                let id = self.names.get(n).ok_or_else(|| bad(format!("unknown node name {n:?}")))?;
                scalar(Value::Node(*id))
            }
            "node" => {
                let a = self.arr_of(body)?;
                if a.len() != 2 {
                    return Err(bad("`node` takes [name, value]"));
                }
                *name = Some(self.str_of(a[0])?.clone());
                Ok(Start::Named(a[1]))
            }
            "array" => Ok(self.pending(name, Kind::Array, self.arr_of(body)?.to_vec())),
            "set" => Ok(self.pending(name, Kind::Set, self.arr_of(body)?.to_vec())),
            "iterator" => Ok(self.pending(name, Kind::Iterator, self.arr_of(body)?.to_vec())),
            "object" => {
                let mut keys = Vec::new();
                let mut kids = Vec::new();
                for &e in self.arr_of(body)? {
                    let kv = self.arr_of(e)?;
                    if kv.len() != 2 {
                        return Err(bad("object entries are [key, value]"));
                    }
                    keys.push(self.str_of(kv[0])?.clone());
                    kids.push(kv[1]);
                }
                Ok(self.pending(name, Kind::Object(keys), kids))
            }
            "map" => {
                let mut kids = Vec::new();
                for &e in self.arr_of(body)? {
                    let kv = self.arr_of(e)?;
                    if kv.len() != 2 {
                        return Err(bad("map entries are [key, value]"));
                    }
                    kids.extend_from_slice(kv);
                }
                Ok(self.pending(name, Kind::Map, kids))
            }
            "arrayBuffer" => {
                let b = self.bytes_of(body)?;
                Ok(Start::Value(Value::Node(self.alloc(name, Node::ArrayBuffer(Box::new(b))))))
            }
            "typedArray" => {
                let k = self.str_of(self.field(body, "kind")?)?;
                let kind =
                    k.as_str().and_then(TypedArrayKind::from_name).ok_or_else(|| bad("unknown typed array kind"))?;
                let bytes = self.bytes_of(self.field(body, "base64")?)?;
                if bytes.len() % kind.element_size() != 0 {
                    return Err(bad("typed array length is not a multiple of its element size"));
                }
                Ok(Start::Value(Value::Node(self.alloc(name, Node::TypedArray { kind, bytes: Box::new(bytes) }))))
            }
            "blob" | "file" => {
                let b = self.blob(&kind, body)?;
                Ok(Start::Value(Value::Node(self.alloc(name, Node::Blob(Box::new(b))))))
            }
            "formData" => {
                let mut entries = Vec::new();
                for &e in self.arr_of(body)? {
                    let kv = self.arr_of(e)?;
                    if kv.len() != 2 {
                        return Err(bad("formData entries are [name, value]"));
                    }
                    let key = self.str_of(kv[0])?.clone();
                    let entry = match &self.tree[kv[1]] {
                        J::Str(s) => FormEntry::Text(s.clone()),
                        J::Obj(p) if p.len() == 1 && (p[0].0 == "blob" || p[0].0 == "file") => {
                            FormEntry::File(self.blob(&p[0].0.to_string_lossy(), p[0].1)?)
                        }
                        _ => return Err(bad("a formData value is a string, blob or file")),
                    };
                    entries.push((key, entry));
                }
                Ok(Start::Value(Value::Node(self.alloc(name, Node::FormData(entries)))))
            }
            "serverReference" => {
                let id = self.str_of(self.field(body, "id")?)?.clone();
                let b = self.field(body, "bound")?;
                match &self.tree[b] {
                    J::Null => Ok(self.pending(name, Kind::ServerRef(id, false), Vec::new())),
                    _ => Ok(self.pending(name, Kind::ServerRef(id, true), self.arr_of(b)?.to_vec())),
                }
            }
            "temporaryReference" => {
                let id = self.str_of(body)?.clone();
                Ok(Start::Value(Value::Node(self.alloc(name, Node::TemporaryReference(id)))))
            }
            "promise" | "lazy" => {
                let lazy = kind == "lazy";
                if let J::Str(s) = &self.tree[body] {
                    if *s == "pending" {
                        let node = if lazy {
                            Node::Lazy(Box::new(PromiseState::Pending))
                        } else {
                            Node::Promise(PromiseState::Pending)
                        };
                        return Ok(Start::Value(Value::Node(self.alloc(name, node))));
                    }
                }
                match self.field(body, "fulfilled") {
                    Ok(v) => Ok(self.pending(name, Kind::Promise(true, lazy), vec![v])),
                    Err(_) => Ok(self.pending(name, Kind::Promise(false, lazy), vec![self.field(body, "rejected")?])),
                }
            }
            "readableStream" => {
                Ok(self.pending(name, Kind::Stream(StreamKind::Readable, false), self.arr_of(body)?.to_vec()))
            }
            "byteStream" => {
                let mut items = Vec::new();
                for c in self.arr_of(body)?.to_vec() {
                    let bytes = self.bytes_of(c)?;
                    items.push(Value::Node(
                        self.g.add(Node::TypedArray { kind: TypedArrayKind::Uint8Array, bytes: Box::new(bytes) }),
                    ));
                }
                let end = StreamEnd::Closed(Value::Undefined);
                Ok(Start::Value(Value::Node(
                    self.alloc(name, Node::Stream(Box::new(Stream { kind: StreamKind::Bytes, items, end }))),
                )))
            }
            "asyncIterable" | "asyncIterator" => {
                let sk = if kind == "asyncIterable" { StreamKind::AsyncIterable } else { StreamKind::AsyncIterator };
                let mut kids = self.arr_of(self.field(body, "items")?)?.to_vec();
                let has_return = self.field(body, "return").is_ok();
                if has_return {
                    kids.push(self.field(body, "return")?);
                }
                Ok(self.pending(name, Kind::Stream(sk, has_return), kids))
            }
            "errored" | "unclosed" => {
                let k = self.str_of(self.field(body, "kind")?)?;
                let sk = match k.as_str() {
                    Some("readableStream") => StreamKind::Readable,
                    Some("byteStream") => StreamKind::Bytes,
                    Some("asyncIterable") => StreamKind::AsyncIterable,
                    Some("asyncIterator") => StreamKind::AsyncIterator,
                    _ => return Err(bad("unknown stream kind")),
                };
                let errored = kind == "errored";
                let mut kids = self.arr_of(self.field(body, "items")?)?.to_vec();
                if errored {
                    kids.push(self.field(body, "error")?);
                }
                Ok(self.pending(name, Kind::StreamEnded(sk, errored), kids))
            }
            "error" => {
                let message = self.str_of(self.field(body, "message")?)?.clone();
                let digest = match self.field(body, "digest") {
                    Ok(d) => Some(self.str_of(d)?.clone()),
                    Err(_) => None,
                };
                Ok(Start::Value(Value::Node(self.alloc(name, Node::Error(Box::new(JsError { message, digest }))))))
            }
            "instance" => {
                let n = match &self.tree[body] {
                    J::Null => None,
                    _ => Some(self.str_of(body)?.clone()),
                };
                Ok(Start::Value(Value::Node(self.alloc(name, Node::Instance(n)))))
            }
            "unregisteredSymbol" => {
                let d = self.str_of(body)?.clone();
                Ok(Start::Value(Value::Node(self.alloc(name, Node::UnregisteredSymbol(d)))))
            }
            "clientReference" => {
                let id = self.str_of(self.field(body, "id")?)?.clone();
                let n = self.str_of(self.field(body, "name")?)?.clone();
                Ok(Start::Value(Value::Node(
                    self.alloc(name, Node::ClientReference(Box::new(ClientReference { id, name: n }))),
                )))
            }
            "function" => {
                let d = self.str_of(body)?.clone();
                Ok(Start::Value(Value::Node(self.alloc(name, Node::Function(d)))))
            }
            "element" => {
                let kids = vec![self.field(body, "type")?, self.field(body, "key")?, self.field(body, "props")?];
                Ok(self.pending(name, Kind::Element, kids))
            }
            other => Err(bad(format!("unknown kind `{other}`"))),
        }
    }

    fn finish(&mut self, p: Pending) -> Result<()> {
        let mut done = p.done;
        let node = match p.kind {
            Kind::Array => Node::Array(done),
            Kind::Set => Node::Set(crate::value::js_set(done)),
            Kind::Iterator => Node::Iterator(done),
            Kind::Object(keys) => Node::Object(crate::value::js_object(keys.into_iter().zip(done).collect())),
            Kind::Map => {
                let mut entries = Vec::with_capacity(done.len() / 2);
                let mut it = done.into_iter();
                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                    entries.push((k, v));
                }
                Node::Map(crate::value::js_map(entries))
            }
            Kind::ServerRef(id, has_bound) => {
                Node::ServerReference(Box::new(ServerReference { id, bound: has_bound.then_some(done) }))
            }
            Kind::Promise(ok, lazy) => {
                let v = done.pop().unwrap_or(Value::Undefined);
                let state = if ok { PromiseState::Fulfilled(v) } else { PromiseState::Rejected(v) };
                if lazy {
                    Node::Lazy(Box::new(state))
                } else {
                    Node::Promise(state)
                }
            }
            Kind::Stream(kind, has_return) => {
                let ret = if has_return { done.pop().unwrap_or(Value::Undefined) } else { Value::Undefined };
                Node::Stream(Box::new(Stream { kind, items: done, end: StreamEnd::Closed(ret) }))
            }
            Kind::StreamEnded(kind, errored) => {
                let end =
                    if errored { StreamEnd::Errored(done.pop().unwrap_or(Value::Undefined)) } else { StreamEnd::Open };
                if kind == StreamKind::Bytes {
                    // Byte chunks are base64 strings in notation.
                    let mut items = Vec::new();
                    for v in done {
                        let bytes = match &v {
                            Value::String(s) => {
                                B64.decode(s.as_str().unwrap_or_default()).map_err(|_| bad("invalid base64"))?
                            }
                            _ => return Err(bad("byteStream chunks are base64 strings")),
                        };
                        items.push(Value::Node(self.g.add(Node::TypedArray {
                            kind: TypedArrayKind::Uint8Array,
                            bytes: Box::new(bytes.into()),
                        })));
                    }
                    done = items;
                }
                Node::Stream(Box::new(Stream { kind, items: done, end }))
            }
            Kind::Element => {
                let mut it = done.into_iter();
                let (t, k, p) = (
                    it.next().unwrap_or(Value::Null),
                    it.next().unwrap_or(Value::Null),
                    it.next().unwrap_or(Value::Null),
                );
                Node::Element(Box::new(Element { element_type: t, key: k, props: p }))
            }
        };
        self.g.replace(p.node, node);
        Ok(())
    }
}

enum Start {
    Value(Value),
    Named(usize),
    Pending(Pending),
}
