//! The JavaScript value model.
//!
//! A decoded or to-be-encoded value is a [`Graph`]: an arena of nodes
//! (everything that has identity in JavaScript: arrays, objects, maps, binary
//! data, promises, …) plus a root [`Value`]. A [`Value`] is either an inline
//! primitive or a [`NodeId`] pointing into the arena, so the same object
//! reached twice, and cycles, are simply the same id twice. Nothing is ever
//! copied to express sharing, and dropping or printing a graph never
//! recurses.
//!
//! Nodes go in as owned [`Node`]s and are read back as borrowed
//! [`NodeRef`]s ([`Graph::view`]): the graph keeps the items of all its
//! arrays, sets and iterators and the values of all its objects in one
//! shared pool, the entries of all its maps in another, and objects' keys in
//! *shapes* that the objects with the same keys in the same order share (see
//! [`Members`]), not in one allocation per container, so building and
//! dropping a graph of many small containers costs a few large allocations,
//! and a list of records keeps one copy of its keys.
//!
//! ```
//! use flight_codec::value::{Graph, Node, NodeRef, Value};
//!
//! let mut g = Graph::new();
//! let shared = g.add(Node::Object(vec![("s".into(), Value::Number(1.0))]));
//! let root = g.add(Node::Array(vec![Value::Node(shared), Value::Node(shared)]));
//! g.set_root(Value::Node(root));
//! assert_eq!(g.len(), 2);
//! let NodeRef::Array([a, b]) = g.view(root) else { panic!() };
//! assert_eq!(a.as_node(), b.as_node());
//! ```

pub mod bigint;
pub mod date;
pub(crate) mod logical;
pub mod members;
pub(crate) mod node_map;
pub(crate) mod pool;
pub mod string;

use bytes::Bytes;

use pool::{At, Pool, Span};

pub use bigint::BigInt;
pub use date::Date;
pub use members::Members;
pub use string::JsString;

/// Index of a [`Node`] in a [`Graph`].
///
/// ```
/// let mut g = flight_codec::value::Graph::new();
/// let id = g.add(flight_codec::value::Node::Array(vec![]));
/// assert_eq!(id.index(), 0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub(crate) u32);

impl NodeId {
    /// The position of the node in its graph, in the order nodes were added ([`Graph::ids`]).
    ///
    /// ```
    /// use flight_codec::value::{Graph, Node};
    /// let mut g = Graph::new();
    /// g.add(Node::Array(vec![]));
    /// let second = g.add(Node::Set(vec![]));
    /// assert_eq!(second.index(), 1);
    /// ```
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A JavaScript value: a primitive, or a reference to a node with identity.
///
/// ```
/// use flight_codec::value::Value;
/// assert!(Value::Number(-0.0).is_negative_zero());
/// ```
#[derive(Clone, Debug)]
pub enum Value {
    /// `undefined`.
    Undefined,
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number; NaN, ±Infinity and -0 are kept apart.
    Number(f64),
    /// A string (may hold lone surrogates).
    String(JsString),
    /// A bigint.
    BigInt(BigInt),
    /// A `Date` (a time value; NaN for an invalid date). Dates have no identity
    /// on this wire: React writes each occurrence as its own `$D` string.
    Date(Date),
    /// A registered symbol, `Symbol.for(key)`. The key is boxed, which
    /// keeps a `Value` at 16 bytes.
    Symbol(Box<JsString>),
    /// A value with identity, stored in the graph.
    Node(NodeId),
}

impl Value {
    /// `true` for the number `-0`.
    ///
    /// ```
    /// use flight_codec::value::Value;
    /// assert!(Value::Number(-0.0).is_negative_zero());
    /// assert!(!Value::Number(0.0).is_negative_zero());
    /// ```
    pub fn is_negative_zero(&self) -> bool {
        matches!(self, Value::Number(n) if *n == 0.0 && n.is_sign_negative())
    }

    /// The node id, if this value is a node.
    ///
    /// ```
    /// assert_eq!(flight_codec::value::Value::Null.as_node(), None);
    /// ```
    pub fn as_node(&self) -> Option<NodeId> {
        match self {
            Value::Node(id) => Some(*id),
            _ => None,
        }
    }

    /// The string, if this value is a string.
    ///
    /// ```
    /// use flight_codec::value::Value;
    /// assert_eq!(Value::String("a".into()).as_string().unwrap(), "a");
    /// ```
    pub fn as_string(&self) -> Option<&JsString> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The registered symbol `Symbol.for(key)`.
    ///
    /// ```
    /// use flight_codec::value::Value;
    /// let v = Value::symbol("react.fragment");
    /// assert!(matches!(&v, Value::Symbol(key) if **key == *"react.fragment"));
    /// ```
    pub fn symbol(key: impl Into<JsString>) -> Self {
        Value::Symbol(Box::new(key.into()))
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.into())
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Self {
        Value::Number(n)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

/// The element type of a typed array, or `DataView`.
///
/// ```
/// use flight_codec::value::TypedArrayKind;
/// assert_eq!(TypedArrayKind::Float64Array.element_size(), 8);
/// assert_eq!(TypedArrayKind::from_name("DataView"), Some(TypedArrayKind::DataView));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TypedArrayKind {
    /// `Int8Array` (`$O`).
    Int8Array,
    /// `Uint8Array` (`$o`).
    Uint8Array,
    /// `Uint8ClampedArray` (`$U`).
    Uint8ClampedArray,
    /// `Int16Array` (`$S`).
    Int16Array,
    /// `Uint16Array` (`$s`).
    Uint16Array,
    /// `Int32Array` (`$L`).
    Int32Array,
    /// `Uint32Array` (`$l`).
    Uint32Array,
    /// `Float32Array` (`$G`).
    Float32Array,
    /// `Float64Array` (`$g`).
    Float64Array,
    /// `BigInt64Array` (`$M`).
    BigInt64Array,
    /// `BigUint64Array` (`$m`).
    BigUint64Array,
    /// `DataView` (`$V`).
    DataView,
}

impl TypedArrayKind {
    /// Every kind, in tag-table order.
    ///
    /// ```
    /// use flight_codec::value::TypedArrayKind;
    /// assert_eq!(TypedArrayKind::ALL.len(), 12);
    /// assert_eq!(TypedArrayKind::ALL[1], TypedArrayKind::Uint8Array);
    /// ```
    pub const ALL: [TypedArrayKind; 12] = [
        TypedArrayKind::Int8Array,
        TypedArrayKind::Uint8Array,
        TypedArrayKind::Uint8ClampedArray,
        TypedArrayKind::Int16Array,
        TypedArrayKind::Uint16Array,
        TypedArrayKind::Int32Array,
        TypedArrayKind::Uint32Array,
        TypedArrayKind::Float32Array,
        TypedArrayKind::Float64Array,
        TypedArrayKind::BigInt64Array,
        TypedArrayKind::BigUint64Array,
        TypedArrayKind::DataView,
    ];

    /// Bytes per element (1 for `DataView`).
    ///
    /// ```
    /// use flight_codec::value::TypedArrayKind;
    /// assert_eq!(TypedArrayKind::Int16Array.element_size(), 2);
    /// assert_eq!(TypedArrayKind::DataView.element_size(), 1);
    /// ```
    pub fn element_size(self) -> usize {
        use TypedArrayKind::*;
        match self {
            Int8Array | Uint8Array | Uint8ClampedArray | DataView => 1,
            Int16Array | Uint16Array => 2,
            Int32Array | Uint32Array | Float32Array => 4,
            Float64Array | BigInt64Array | BigUint64Array => 8,
        }
    }

    /// The JavaScript constructor name.
    ///
    /// ```
    /// use flight_codec::value::TypedArrayKind;
    /// assert_eq!(TypedArrayKind::BigInt64Array.name(), "BigInt64Array");
    /// ```
    pub fn name(self) -> &'static str {
        use TypedArrayKind::*;
        match self {
            Int8Array => "Int8Array",
            Uint8Array => "Uint8Array",
            Uint8ClampedArray => "Uint8ClampedArray",
            Int16Array => "Int16Array",
            Uint16Array => "Uint16Array",
            Int32Array => "Int32Array",
            Uint32Array => "Uint32Array",
            Float32Array => "Float32Array",
            Float64Array => "Float64Array",
            BigInt64Array => "BigInt64Array",
            BigUint64Array => "BigUint64Array",
            DataView => "DataView",
        }
    }

    /// Looks a kind up by constructor name.
    ///
    /// ```
    /// use flight_codec::value::TypedArrayKind;
    /// assert_eq!(TypedArrayKind::from_name("Uint8ClampedArray"), Some(TypedArrayKind::Uint8ClampedArray));
    /// assert_eq!(TypedArrayKind::from_name("Array"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The wire tag character (`o` for `Uint8Array`, …).
    ///
    /// ```
    /// use flight_codec::value::TypedArrayKind;
    /// assert_eq!(TypedArrayKind::Uint8Array.tag(), b'o');
    /// assert_eq!(TypedArrayKind::Int8Array.tag(), b'O');
    /// ```
    pub fn tag(self) -> u8 {
        use TypedArrayKind::*;
        match self {
            Int8Array => b'O',
            Uint8Array => b'o',
            Uint8ClampedArray => b'U',
            Int16Array => b'S',
            Uint16Array => b's',
            Int32Array => b'L',
            Uint32Array => b'l',
            Float32Array => b'G',
            Float64Array => b'g',
            BigInt64Array => b'M',
            BigUint64Array => b'm',
            DataView => b'V',
        }
    }

    /// The kind for a wire tag character.
    ///
    /// ```
    /// use flight_codec::value::TypedArrayKind;
    /// assert_eq!(TypedArrayKind::from_tag(b'g'), Some(TypedArrayKind::Float64Array));
    /// assert_eq!(TypedArrayKind::from_tag(b'z'), None);
    /// ```
    pub fn from_tag(tag: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.tag() == tag)
    }
}

/// The Blob every empty Blob node views (they are stored with no box).
static EMPTY_BLOB: Blob = Blob { name: None, content_type: JsString::new(), bytes: Bytes::new() };

/// A `Blob`, or a `File` when it has a name.
///
/// ```
/// use flight_codec::value::Blob;
/// let f = Blob::file("a.txt", "text/plain", &b"hi"[..]);
/// assert_eq!(f.name.as_ref().unwrap(), "a.txt");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Blob {
    /// The file name; `None` for a plain `Blob`.
    pub name: Option<JsString>,
    /// The MIME type (`""` when none).
    pub content_type: JsString,
    /// The contents.
    pub bytes: Bytes,
}

impl Blob {
    /// A plain blob.
    ///
    /// ```
    /// use flight_codec::value::Blob;
    /// let b = Blob::new("text/plain", &b"hi"[..]);
    /// assert!(b.name.is_none());
    /// assert_eq!(&b.bytes[..], b"hi");
    /// ```
    pub fn new(content_type: &str, bytes: impl Into<Bytes>) -> Self {
        Blob { name: None, content_type: content_type.into(), bytes: bytes.into() }
    }

    /// A file.
    ///
    /// ```
    /// use flight_codec::value::Blob;
    /// let f = Blob::file("a.txt", "text/plain", &b"hi"[..]);
    /// assert_eq!(f.content_type, "text/plain");
    /// assert_eq!(f.name.unwrap(), "a.txt");
    /// ```
    pub fn file(name: &str, content_type: &str, bytes: impl Into<Bytes>) -> Self {
        Blob { name: Some(name.into()), content_type: content_type.into(), bytes: bytes.into() }
    }
}

/// One entry of a `FormData`.
///
/// ```
/// use flight_codec::value::FormEntry;
/// let e = FormEntry::Text("v".into());
/// assert!(matches!(e, FormEntry::Text(_)));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum FormEntry {
    /// A text value.
    Text(JsString),
    /// A file value (a `Blob` appended to a `FormData` becomes a `File`).
    File(Blob),
}

/// The state of a promise.
///
/// ```
/// use flight_codec::value::{PromiseState, Value};
/// let p = PromiseState::Fulfilled(Value::Null);
/// assert!(!matches!(p, PromiseState::Pending));
/// ```
#[derive(Clone, Debug)]
pub enum PromiseState {
    /// Not settled yet (only in values a host builds for encoding).
    Pending,
    /// Fulfilled with a value (never itself a promise).
    Fulfilled(Value),
    /// Rejected with a reason.
    Rejected(Value),
}

/// What kind of stream a [`Stream`] node is.
///
/// ```
/// use flight_codec::value::StreamKind;
/// assert_eq!(StreamKind::Bytes.tag(), b'r');
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamKind {
    /// A `ReadableStream` of values (`$R`).
    Readable,
    /// A byte `ReadableStream` (`$r`); items are `Uint8Array` nodes.
    Bytes,
    /// An async iterable that is not its own iterator (`$X`).
    AsyncIterable,
    /// An async iterator that is its own iterator, e.g. an async generator (`$x`).
    AsyncIterator,
}

impl StreamKind {
    /// The reply tag character.
    ///
    /// ```
    /// use flight_codec::value::StreamKind;
    /// assert_eq!(StreamKind::Readable.tag(), b'R');
    /// assert_eq!(StreamKind::AsyncIterator.tag(), b'x');
    /// ```
    pub fn tag(self) -> u8 {
        match self {
            StreamKind::Readable => b'R',
            StreamKind::Bytes => b'r',
            StreamKind::AsyncIterable => b'X',
            StreamKind::AsyncIterator => b'x',
        }
    }
}

/// How a stream ended.
///
/// ```
/// use flight_codec::value::{StreamEnd, Value};
/// let end = StreamEnd::Closed(Value::Undefined);
/// assert!(matches!(end, StreamEnd::Closed(_)));
/// ```
#[derive(Clone, Debug)]
pub enum StreamEnd {
    /// Still open (only in values a host builds for encoding).
    Open,
    /// Closed; the value is an async iterator's return value (`undefined` otherwise).
    Closed(Value),
    /// Errored with a reason.
    Errored(Value),
}

/// A stream or async iterable with the items it produced.
///
/// ```
/// use flight_codec::value::{Stream, StreamEnd, StreamKind, Value};
/// let s = Stream { kind: StreamKind::Readable, items: vec![Value::Null], end: StreamEnd::Closed(Value::Undefined) };
/// assert_eq!(s.items.len(), 1);
/// ```
#[derive(Clone, Debug)]
pub struct Stream {
    /// The kind of stream.
    pub kind: StreamKind,
    /// The chunks, in order.
    pub items: Vec<Value>,
    /// How it ended.
    pub end: StreamEnd,
}

/// A React element (`$` tuples in a response): the payload of
/// [`Node::Element`].
///
/// ```
/// use flight_codec::value::{Element, Graph, Node, Value, NodeRef};
/// let mut g = Graph::new();
/// let props = g.add(Node::Object(vec![]));
/// let e = Element { element_type: "div".into(), key: Value::Null, props: Value::Node(props) };
/// let id = g.add(Node::Element(Box::new(e)));
/// assert!(matches!(g.view(id), NodeRef::Element(e) if e.element_type.as_string().unwrap() == "div"));
/// ```
#[derive(Clone, Debug)]
pub struct Element {
    /// The element type (usually a string such as `"div"`).
    pub element_type: Value,
    /// The key (a string or `null`).
    pub key: Value,
    /// The props (usually an object node).
    pub props: Value,
}

/// A server function reference: the payload of [`Node::ServerReference`].
///
/// ```
/// use flight_codec::value::{Graph, Node, ServerReference, NodeRef};
/// let mut g = Graph::new();
/// let r = ServerReference { id: "mod#fn".into(), bound: Some(vec![1.0.into()]) };
/// let id = g.add(Node::ServerReference(Box::new(r)));
/// assert!(matches!(g.view(id), NodeRef::ServerReference(r) if r.id == "mod#fn" && r.bound.as_ref().unwrap().len() == 1));
/// ```
#[derive(Clone, Debug)]
pub struct ServerReference {
    /// The server function id (`"module#export"`).
    pub id: JsString,
    /// Bound arguments, or `None` for an unbound reference.
    pub bound: Option<Vec<Value>>,
}

/// A client reference: the payload of [`Node::ClientReference`].
///
/// ```
/// use flight_codec::value::{ClientReference, Graph, Node, NodeRef};
/// let mut g = Graph::new();
/// let r = ClientReference { id: "./Button.js".into(), name: "default".into() };
/// let id = g.add(Node::ClientReference(Box::new(r)));
/// assert!(matches!(g.view(id), NodeRef::ClientReference(r) if r.name == "default"));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ClientReference {
    /// The module id.
    pub id: JsString,
    /// The export name.
    pub name: JsString,
}

/// A JavaScript `Error`: the payload of [`Node::Error`].
///
/// ```
/// use flight_codec::value::{Graph, JsError, Node, NodeRef};
/// let mut g = Graph::new();
/// let e = JsError { message: "boom".into(), digest: None };
/// let id = g.add(Node::Error(Box::new(e)));
/// assert!(matches!(g.view(id), NodeRef::Error(e) if e.message == "boom" && e.digest.is_none()));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct JsError {
    /// The message.
    pub message: JsString,
    /// The digest, if any.
    pub digest: Option<JsString>,
}

/// A value with identity, as it is built and added to a [`Graph`] (which
/// stores it in its own form, and reads it back as a [`NodeRef`]).
///
/// The last group of variants (`Instance`, `UnregisteredSymbol`, `Function`,
/// `Element`) are values a host may hand to the encoder that React refuses
/// to pass (or passes only as temporary references); the decoder never
/// produces them.
///
/// A graph stores an array, object, map, set or iterator, and a promise's
/// state, as a 16-byte span of its pools, and any other node in a box; the
/// large and rare payloads
/// ([`Blob`], [`Stream`], [`ServerReference`], [`ClientReference`],
/// [`JsError`], [`Element`], and a lazy's [`PromiseState`]) are boxed here
/// too, which keeps a `Node` at 32 bytes.
///
/// ```
/// use flight_codec::value::{Blob, Graph, Node, Value, NodeRef};
/// let mut g = Graph::new();
/// let set = g.add(Node::Set(vec![Value::Number(1.0)]));
/// assert!(matches!(g.view(set), NodeRef::Set(items) if items.len() == 1));
/// let blob = g.add(Node::Blob(Box::new(Blob::new("text/plain", &b"hi"[..]))));
/// assert!(matches!(g.view(blob), NodeRef::Blob(b) if b.bytes.len() == 2));
/// ```
#[derive(Clone, Debug)]
pub enum Node {
    /// An array; holes are `undefined`.
    Array(Vec<Value>),
    /// A plain object: own string keys, each once, in JavaScript property
    /// order ([`Node::object`] builds that from any pairs).
    Object(Vec<(JsString, Value)>),
    /// A `Map`, distinct keys in insertion order ([`Node::map`]).
    Map(Vec<(Value, Value)>),
    /// A `Set`, distinct items in insertion order ([`Node::set`]).
    Set(Vec<Value>),
    /// An `ArrayBuffer`. The bytes are boxed so that every node stays 32
    /// bytes: binary nodes are few and large, containers are many and small.
    ArrayBuffer(Box<Bytes>),
    /// A typed array or `DataView` over exactly `bytes`.
    TypedArray {
        /// The element type.
        kind: TypedArrayKind,
        /// The view's bytes (little-endian elements), boxed like
        /// [`Node::ArrayBuffer`]'s.
        bytes: Box<Bytes>,
    },
    /// A `Blob` or `File`.
    Blob(Box<Blob>),
    /// A `FormData`, entries in order.
    FormData(Vec<(JsString, FormEntry)>),
    /// A server function reference.
    ServerReference(Box<ServerReference>),
    /// An opaque temporary reference, named by its path id (`"0:key"`).
    TemporaryReference(JsString),
    /// A promise.
    Promise(PromiseState),
    /// A React lazy value (`$L` in a response): the state of the row it wraps.
    Lazy(Box<PromiseState>),
    /// A synchronous iterator that is its own iterator (`$i`).
    Iterator(Vec<Value>),
    /// A stream or async iterable.
    Stream(Box<Stream>),
    /// A client reference: a module export the client loads (`I` rows in a
    /// response). In a reply it is a client function: React refuses it.
    ClientReference(Box<ClientReference>),
    /// An `Error` (a rejection reason).
    Error(Box<JsError>),
    /// An instance of a class with this name, or a null-prototype object (`None`).
    Instance(Option<JsString>),
    /// A symbol not created by `Symbol.for`, with its description.
    UnregisteredSymbol(JsString),
    /// A plain (client) function with this name.
    Function(JsString),
    /// A React element.
    Element(Box<Element>),
}

/// A borrowed view of a [`Node`], as [`Graph::view`] reads it: the same
/// variants, with the items, members and payloads borrowed.
///
/// This is how a graph is read. A graph keeps the items of its arrays,
/// objects, maps, sets and iterators in shared storage rather than one
/// allocation per container, so a stored node is not a [`Node`]; its view
/// is.
///
/// ```
/// use flight_codec::value::{Graph, Node, NodeRef, Value};
/// let mut g = Graph::new();
/// let id = g.add(Node::Object(vec![("a".into(), Value::Null)]));
/// let NodeRef::Object(members) = g.view(id) else { panic!() };
/// assert_eq!(members.key(0).unwrap(), "a");
/// ```
#[derive(Clone, Copy, Debug)]
pub enum NodeRef<'a> {
    /// [`Node::Array`].
    Array(&'a [Value]),
    /// [`Node::Object`]: its keys and values (see [`Members`]).
    Object(Members<'a>),
    /// [`Node::Map`].
    Map(&'a [(Value, Value)]),
    /// [`Node::Set`].
    Set(&'a [Value]),
    /// [`Node::ArrayBuffer`].
    ArrayBuffer(&'a Bytes),
    /// [`Node::TypedArray`].
    TypedArray {
        /// The element type.
        kind: TypedArrayKind,
        /// The view's bytes.
        bytes: &'a Bytes,
    },
    /// [`Node::Blob`].
    Blob(&'a Blob),
    /// [`Node::FormData`].
    FormData(&'a [(JsString, FormEntry)]),
    /// [`Node::ServerReference`].
    ServerReference(&'a ServerReference),
    /// [`Node::TemporaryReference`].
    TemporaryReference(&'a JsString),
    /// [`Node::Promise`].
    Promise(&'a PromiseState),
    /// [`Node::Lazy`].
    Lazy(&'a PromiseState),
    /// [`Node::Iterator`].
    Iterator(&'a [Value]),
    /// [`Node::Stream`].
    Stream(&'a Stream),
    /// [`Node::ClientReference`].
    ClientReference(&'a ClientReference),
    /// [`Node::Error`].
    Error(&'a JsError),
    /// [`Node::Instance`].
    Instance(Option<&'a JsString>),
    /// [`Node::UnregisteredSymbol`].
    UnregisteredSymbol(&'a JsString),
    /// [`Node::Function`].
    Function(&'a JsString),
    /// [`Node::Element`].
    Element(&'a Element),
}

impl Node {
    /// This node's [`NodeRef`] view.
    ///
    /// ```
    /// use flight_codec::value::{Node, NodeRef, Value};
    /// let n = Node::Set(vec![Value::Null]);
    /// assert!(matches!(n.view(), NodeRef::Set([Value::Null])));
    /// ```
    pub fn view(&self) -> NodeRef<'_> {
        match self {
            Node::Array(items) => NodeRef::Array(items),
            Node::Object(members) => NodeRef::Object(Members::pairs(members)),
            Node::Map(entries) => NodeRef::Map(entries),
            Node::Set(items) => NodeRef::Set(items),
            Node::ArrayBuffer(bytes) => NodeRef::ArrayBuffer(bytes),
            Node::TypedArray { kind, bytes } => NodeRef::TypedArray { kind: *kind, bytes },
            Node::Blob(blob) => NodeRef::Blob(blob),
            Node::FormData(entries) => NodeRef::FormData(entries),
            Node::ServerReference(r) => NodeRef::ServerReference(r),
            Node::TemporaryReference(id) => NodeRef::TemporaryReference(id),
            Node::Promise(state) => NodeRef::Promise(state),
            Node::Lazy(state) => NodeRef::Lazy(state),
            Node::Iterator(items) => NodeRef::Iterator(items),
            Node::Stream(stream) => NodeRef::Stream(stream),
            Node::ClientReference(r) => NodeRef::ClientReference(r),
            Node::Error(e) => NodeRef::Error(e),
            Node::Instance(name) => NodeRef::Instance(name.as_ref()),
            Node::UnregisteredSymbol(d) => NodeRef::UnregisteredSymbol(d),
            Node::Function(name) => NodeRef::Function(name),
            Node::Element(e) => NodeRef::Element(e),
        }
    }

    /// Whether this is an array, object, map, set or iterator: a node whose
    /// items a graph keeps in its shared storage (see [`Graph::node_mut`]).
    ///
    /// ```
    /// use flight_codec::value::{Node, PromiseState};
    /// assert!(Node::Array(vec![]).is_container());
    /// assert!(!Node::Promise(PromiseState::Pending).is_container());
    /// ```
    pub fn is_container(&self) -> bool {
        matches!(self, Node::Array(_) | Node::Object(_) | Node::Map(_) | Node::Set(_) | Node::Iterator(_))
    }
}

impl<'a> NodeRef<'a> {
    /// An owned copy of the node (its items copied; nodes it refers to are
    /// shared by id, as before).
    ///
    /// ```
    /// use flight_codec::value::{Node, Value};
    /// let n = Node::Array(vec![Value::Null]);
    /// assert!(matches!(n.view().to_node(), Node::Array(items) if items.len() == 1));
    /// ```
    pub fn to_node(self) -> Node {
        match self {
            NodeRef::Array(items) => Node::Array(items.to_vec()),
            NodeRef::Object(members) => Node::Object(members.to_vec()),
            NodeRef::Map(entries) => Node::Map(entries.to_vec()),
            NodeRef::Set(items) => Node::Set(items.to_vec()),
            NodeRef::ArrayBuffer(bytes) => Node::ArrayBuffer(Box::new(bytes.clone())),
            NodeRef::TypedArray { kind, bytes } => Node::TypedArray { kind, bytes: Box::new(bytes.clone()) },
            NodeRef::Blob(blob) => Node::Blob(Box::new(blob.clone())),
            NodeRef::FormData(entries) => Node::FormData(entries.to_vec()),
            NodeRef::ServerReference(r) => Node::ServerReference(Box::new(r.clone())),
            NodeRef::TemporaryReference(id) => Node::TemporaryReference(id.clone()),
            NodeRef::Promise(state) => Node::Promise(state.clone()),
            NodeRef::Lazy(state) => Node::Lazy(Box::new(state.clone())),
            NodeRef::Iterator(items) => Node::Iterator(items.to_vec()),
            NodeRef::Stream(stream) => Node::Stream(Box::new(stream.clone())),
            NodeRef::ClientReference(r) => Node::ClientReference(Box::new(r.clone())),
            NodeRef::Error(e) => Node::Error(Box::new(e.clone())),
            NodeRef::Instance(name) => Node::Instance(name.cloned()),
            NodeRef::UnregisteredSymbol(d) => Node::UnregisteredSymbol(d.clone()),
            NodeRef::Function(name) => Node::Function(name.clone()),
            NodeRef::Element(e) => Node::Element(Box::new(e.clone())),
        }
    }

    /// The items of an array, set or iterator.
    ///
    /// ```
    /// use flight_codec::value::{Node, Value};
    /// assert_eq!(Node::Set(vec![Value::Null]).view().items().map(<[_]>::len), Some(1));
    /// assert!(Node::Object(vec![]).view().items().is_none());
    /// ```
    pub fn items(self) -> Option<&'a [Value]> {
        match self {
            NodeRef::Array(items) | NodeRef::Set(items) | NodeRef::Iterator(items) => Some(items),
            _ => None,
        }
    }
}

impl Node {
    /// A plain object as `JSON.parse` or an object literal builds it: keys in
    /// JavaScript property order (array indices first, ascending), a repeated
    /// key keeping its first position and its last value. Build objects with
    /// this unless the pairs already hold those invariants.
    ///
    /// ```
    /// use flight_codec::value::{Node, Value};
    /// let n = Node::object(vec![("b".into(), Value::Null), ("1".into(), Value::Bool(true)), ("b".into(), Value::Undefined)]);
    /// let Node::Object(pairs) = n else { unreachable!() };
    /// assert_eq!(pairs.iter().map(|(k, _)| k.to_string_lossy().into_owned()).collect::<Vec<_>>(), ["1", "b"]);
    /// assert!(matches!(pairs[1].1, Value::Undefined));
    /// ```
    pub fn object(pairs: Vec<(JsString, Value)>) -> Node {
        Node::Object(js_object(pairs))
    }

    /// A `Set` as `new Set(items)` builds it: duplicates by `SameValueZero`
    /// dropped (nodes by identity), `-0` stored as `+0`.
    ///
    /// ```
    /// use flight_codec::value::{Node, Value};
    /// let n = Node::set(vec![Value::Number(-0.0), Value::Number(0.0), Value::Number(f64::NAN), Value::Number(f64::NAN)]);
    /// assert!(matches!(n, Node::Set(items) if items.len() == 2));
    /// ```
    pub fn set(items: Vec<Value>) -> Node {
        Node::Set(js_set(items))
    }

    /// A `Map` as `new Map(entries)` builds it: a repeated key keeps its
    /// first position and its last value, `-0` becomes `+0`.
    ///
    /// ```
    /// use flight_codec::value::{Node, Value};
    /// let n = Node::map(vec![(Value::Bool(true), Value::Null), (Value::Bool(true), Value::Number(2.0))]);
    /// assert!(matches!(n, Node::Map(entries) if entries.len() == 1 && matches!(entries[0].1, Value::Number(_))));
    /// ```
    pub fn map(entries: Vec<(Value, Value)>) -> Node {
        Node::Map(js_map(entries))
    }
}

/// A value graph: an arena of nodes plus a root value.
///
/// ```
/// use flight_codec::value::{Graph, Node, NodeRef, Value};
/// let mut g = Graph::new();
/// let a = g.add(Node::Array(vec![]));
/// // a cycle: the array contains itself
/// g.replace(a, Node::Array(vec![Value::Node(a)]));
/// g.set_root(Value::Node(a));
/// assert!(matches!(g.view(a), NodeRef::Array(v) if v.len() == 1));
/// ```
#[derive(Clone)]
pub struct Graph {
    nodes: Vec<Stored>,
    /// (Boxed: a graph is passed around by value, and stays small.)
    pools: Box<Pools>,
    root: Value,
}

/// Where a graph keeps its containers' items.
#[derive(Clone, Default)]
struct Pools {
    /// The items of arrays, sets and iterators, and the values of objects.
    items: Pool<Value>,
    /// The keys of objects, by shape: objects with the same keys in the same
    /// order share one copy of them.
    keys: Pool<JsString>,
    /// The shapes.
    shapes: Vec<Shape>,
    /// The shapes objects were last given, most recent first (a new object
    /// is compared with these, and takes one that has its keys): the records
    /// of a list share a shape, and so do the objects inside them.
    recent: Recent,
    /// The entries of maps.
    entries: Pool<(Value, Value)>,
    /// The states of promises, one each (a promise is not boxed: there may
    /// be one per value).
    promises: Pool<PromiseState>,
}

/// Keys that objects share.
#[derive(Clone, Copy, Debug)]
struct Shape {
    /// The keys: a span of [`Pools::keys`].
    keys: Span,
    /// Some key is an array index, or may be (it starts with a digit): an
    /// encoder must then check JavaScript's property order.
    digits: bool,
}

/// The shapes [`Pools::recent`] keeps.
const RECENT: usize = 8;

/// Recent shape ids, most recent first; [`NO_SHAPE`] where none is yet.
#[derive(Clone, Copy)]
struct Recent([u32; RECENT]);

impl Default for Recent {
    fn default() -> Self {
        Recent([NO_SHAPE; RECENT])
    }
}

/// The shape of an object without keys (and an unused slot of [`Recent`]).
const NO_SHAPE: u32 = u32::MAX;

impl Pools {
    /// A recent shape with these keys, if there is one (it becomes the most
    /// recent). At most [`RECENT`] shapes are compared, each up to its first
    /// differing key, so this is linear in the keys.
    #[inline]
    fn find_shape(&mut self, keys: &[JsString]) -> Option<u32> {
        for slot in 0..RECENT {
            let id = self.recent.0[slot];
            let span = self.shapes.get(id as usize)?.keys;
            if span.len() == keys.len() && self.keys.get(span) == keys {
                self.recent.0.copy_within(0..slot, 1);
                self.recent.0[0] = id;
                return Some(id);
            }
        }
        None
    }

    /// Makes the keys `span` names (in `keys`) a shape, the most recent.
    fn add_shape(&mut self, span: Span) -> u32 {
        // One shape per object at most: bounded far below `u32::MAX` by
        // the input, as node ids are.
        let id = u32::try_from(self.shapes.len()).expect("shape count overflows u32");
        let digits = self.keys.get(span).iter().any(|k| k.first_byte().is_some_and(|b| b.is_ascii_digit()));
        self.shapes.push(Shape { keys: span, digits });
        self.recent.0.copy_within(0..RECENT - 1, 1);
        self.recent.0[0] = id;
        id
    }

    /// The shape of an object with `keys[start..]`, which are moved out of
    /// `keys` (a decoder's scratch stack) if they make a new shape.
    #[inline]
    fn shape_drain(&mut self, keys: &mut Vec<JsString>, start: usize) -> u32 {
        if keys.len() <= start {
            return NO_SHAPE;
        }
        match self.find_shape(&keys[start..]) {
            Some(id) => {
                keys.truncate(start);
                id
            }
            None => {
                let span = self.keys.push_drain(keys, start);
                self.add_shape(span)
            }
        }
    }

    /// The span of a shape's keys (empty for [`NO_SHAPE`]).
    #[inline]
    fn shape(&self, shape: u32) -> Span {
        self.shapes.get(shape as usize).map(|s| s.keys).unwrap_or_default()
    }

    /// An object's keys (its shape's) and its values (from `at`).
    #[inline(always)]
    fn keys_and_values(&self, at: At, shape: u32) -> (&[JsString], &[Value]) {
        let keys = self.shape(shape);
        (self.keys.get(keys), self.items.get(at.span(keys.len())))
    }

    /// An object's members ([`keys_and_values`](Self::keys_and_values)).
    #[inline]
    fn members(&self, at: At, shape: u32) -> Members<'_> {
        let (keys, values) = self.keys_and_values(at, shape);
        Members::split(keys, values)
    }

    /// An object's values, mutably.
    #[inline]
    fn values_mut(&mut self, at: At, shape: u32) -> &mut [Value] {
        let n = self.shape(shape).len();
        self.items.get_mut(at.span(n))
    }

    /// Stores an object's pairs: its values, and its keys unless a recent
    /// shape has them.
    fn push_object(&mut self, pairs: Vec<(JsString, Value)>) -> Stored {
        let (mut keys, values): (Vec<JsString>, Vec<Value>) = pairs.into_iter().unzip();
        let shape = self.shape_drain(&mut keys, 0);
        let values = self.items.push_vec(values);
        Stored::Object { at: values.at(), shape }
    }
}

/// How a graph stores a node: a container, or a promise's state, as a span
/// of its pool; anything else boxed.
#[derive(Clone, Debug)]
enum Stored {
    Array(Span),
    /// An object: its values from `at` in the items' pool, as many as its
    /// shape has keys.
    Object {
        at: At,
        shape: u32,
    },
    Map(Span),
    Set(Span),
    Iterator(Span),
    /// A promise: its state, one item of the promises' pool.
    Promise(Span),
    /// A lazy value: likewise (a stream can be mostly `$L` references, so
    /// its state is not boxed, twice, as a boxed node's would be).
    Lazy(Span),
    /// A Blob, in its own box (not boxed again as a node: a stream can be
    /// mostly `$B` references).
    Blob(Box<Blob>),
    /// An empty Blob (no name, no type, no bytes): a `$B` placeholder
    /// until its row is complete, with no box.
    EmptyBlob,
    /// An empty FormData: a `$K` placeholder until its row is complete,
    /// with no box ([`Graph::node_mut`] boxes it when asked).
    EmptyFormData,
    /// An error value, in its own box (not boxed again as a node: a stream
    /// can be mostly `$Z` references; [`Graph::node_mut`] boxes it as a
    /// node when asked).
    Error(Box<JsError>),
    /// An `ArrayBuffer` or a typed array (`None`: an `ArrayBuffer`), its
    /// bytes in their own box (not boxed again as a node: a byte stream can
    /// be mostly small binary chunks; [`Graph::node_mut`] boxes it as a
    /// node when asked).
    Binary(Option<TypedArrayKind>, Box<Bytes>),
    /// Neither a container ([`Node::is_container`]) nor a promise. Boxed,
    /// so that a stored node is 16 bytes: containers are most nodes.
    Other(Box<Node>),
}

impl Stored {
    /// This node once the chunks of the pools it refers to have moved on by
    /// these offsets (items, entries, promises), and the shapes by
    /// `shapes` places; `lens` gives a shape's length before it moved.
    fn shifted(self, (items, entries, promises): (u32, u32, u32), shapes: u32, lens: &[Shape]) -> Stored {
        match self {
            Stored::Array(s) => Stored::Array(s.shifted(items)),
            Stored::Set(s) => Stored::Set(s.shifted(items)),
            Stored::Iterator(s) => Stored::Iterator(s.shifted(items)),
            Stored::Object { shape: NO_SHAPE, at } => Stored::Object { shape: NO_SHAPE, at },
            Stored::Object { at, shape } => {
                let n = lens.get(shape as usize).map_or(0, |s| s.keys.len());
                Stored::Object { at: at.shifted(items, n), shape: shape + shapes }
            }
            Stored::Map(s) => Stored::Map(s.shifted(entries)),
            Stored::Promise(s) => Stored::Promise(s.shifted(promises)),
            Stored::Lazy(s) => Stored::Lazy(s.shifted(promises)),
            unmoved @ (Stored::Blob(_)
            | Stored::EmptyBlob
            | Stored::EmptyFormData
            | Stored::Error(_)
            | Stored::Binary(..)
            | Stored::Other(_)) => unmoved,
        }
    }
}

impl std::fmt::Debug for Graph {
    /// The nodes as their views, and the root.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let nodes: Vec<NodeRef<'_>> = self.ids().map(|id| self.view(id)).collect();
        f.debug_struct("Graph").field("nodes", &nodes).field("root", &self.root).finish()
    }
}

impl Default for Graph {
    fn default() -> Self {
        Graph::new()
    }
}

impl Graph {
    /// An empty graph whose root is `undefined`.
    ///
    /// ```
    /// use flight_codec::value::{Graph, Value};
    /// let g = Graph::new();
    /// assert!(g.is_empty());
    /// assert!(matches!(g.root(), Value::Undefined));
    /// ```
    pub fn new() -> Self {
        Graph::from_value(Value::Undefined)
    }

    /// A graph holding just a primitive root.
    ///
    /// ```
    /// let g = flight_codec::value::Graph::from_value(1.0.into());
    /// assert!(matches!(g.root(), flight_codec::value::Value::Number(_)));
    /// ```
    pub fn from_value(root: Value) -> Self {
        Graph { nodes: Vec::new(), pools: Box::default(), root }
    }

    /// Adds a node and returns its id.
    ///
    /// # Panics
    /// Panics if the graph already holds `u32::MAX` nodes.
    ///
    /// ```
    /// use flight_codec::value::{Graph, Node};
    /// let mut g = Graph::new();
    /// let a = g.add(Node::Array(vec![]));
    /// let b = g.add(Node::Array(vec![]));
    /// assert_ne!(a, b);
    /// assert_eq!(g.len(), 2);
    /// ```
    pub fn add(&mut self, node: Node) -> NodeId {
        let stored = self.store(node);
        self.push(stored)
    }

    fn push(&mut self, stored: Stored) -> NodeId {
        let id = NodeId(u32::try_from(self.nodes.len()).expect("graph node count overflows u32"));
        if self.nodes.len() == self.nodes.capacity() {
            // Grown by a quarter rather than doubled: the node table is a
            // large part of a decoded graph (see `growth`).
            self.nodes.reserve_exact(crate::id_map::growth(self.nodes.len()));
        }
        self.nodes.push(stored);
        id
    }

    /// A node as stored: a container's items or a promise's state moved
    /// into its pool, anything else boxed.
    fn store(&mut self, node: Node) -> Stored {
        self.store_over(node, None)
    }

    /// [`store`](Self::store), in place of `old` where it can be: a promise's
    /// state goes in the old promise's slot, any other node in the old box.
    fn store_over(&mut self, node: Node, old: Option<Stored>) -> Stored {
        match (node, old) {
            (Node::Array(items), _) => Stored::Array(self.pools.items.push_vec(items)),
            (Node::Set(items), _) => Stored::Set(self.pools.items.push_vec(items)),
            (Node::Iterator(items), _) => Stored::Iterator(self.pools.items.push_vec(items)),
            (Node::Object(members), _) => self.pools.push_object(members),
            (Node::Map(entries), _) => Stored::Map(self.pools.entries.push_vec(entries)),
            (Node::Promise(state), Some(Stored::Promise(s) | Stored::Lazy(s))) => {
                self.pools.promises.get_mut(s)[0] = state;
                Stored::Promise(s)
            }
            (Node::Promise(state), _) => Stored::Promise(self.pools.promises.push_one(state)),
            (Node::Lazy(state), Some(Stored::Promise(s) | Stored::Lazy(s))) => {
                self.pools.promises.get_mut(s)[0] = *state;
                Stored::Lazy(s)
            }
            (Node::Lazy(state), _) => Stored::Lazy(self.pools.promises.push_one(*state)),
            (Node::Blob(blob), _) if *blob == EMPTY_BLOB => Stored::EmptyBlob,
            (Node::Blob(blob), _) => Stored::Blob(blob),
            (Node::FormData(entries), _) if entries.is_empty() => Stored::EmptyFormData,
            (Node::Error(error), _) => Stored::Error(error),
            (Node::ArrayBuffer(bytes), _) => Stored::Binary(None, bytes),
            (Node::TypedArray { kind, bytes }, _) => Stored::Binary(Some(kind), bytes),
            (other, Some(Stored::Other(mut boxed))) => {
                *boxed = other;
                Stored::Other(boxed)
            }
            (other, _) => Stored::Other(Box::new(other)),
        }
    }

    /// Adds an empty array (for a decoder to fill with
    /// [`fill_array`](Self::fill_array)).
    pub(crate) fn add_empty_array(&mut self) -> NodeId {
        self.push(Stored::Array(Span::default()))
    }

    /// Adds an empty Blob (a placeholder, stored with no box).
    pub(crate) fn add_empty_blob(&mut self) -> NodeId {
        self.push(Stored::EmptyBlob)
    }

    /// Adds an empty object (for [`fill_object`](Self::fill_object)).
    pub(crate) fn add_empty_object(&mut self) -> NodeId {
        self.push(Stored::Object { at: At::default(), shape: NO_SHAPE })
    }

    /// Makes node `id` the array of `items[start..]`, moved out of `items`
    /// (a decoder's scratch stack).
    pub(crate) fn fill_array(&mut self, id: NodeId, items: &mut Vec<Value>, start: usize) {
        self.nodes[id.index()] = Stored::Array(self.pools.items.push_drain(items, start));
    }

    /// Makes node `id` the object of keys `keys[keys_start..]` and values
    /// `values[values_start..]` (as many), moved out of the two (a decoder's
    /// scratch stacks); they must hold [`Node::Object`]'s invariants.
    pub(crate) fn fill_object(
        &mut self,
        id: NodeId,
        (keys, keys_start): (&mut Vec<JsString>, usize),
        (values, values_start): (&mut Vec<Value>, usize),
    ) {
        debug_assert_eq!(keys.len() - keys_start, values.len() - values_start);
        let pools = &mut *self.pools;
        let shape = pools.shape_drain(keys, keys_start);
        let values = pools.items.push_drain(values, values_start);
        self.nodes[id.index()] = Stored::Object { at: values.at(), shape };
    }

    /// Whether the object with this id may have a key that JavaScript
    /// orders first (an array index, which starts with a digit): `false`
    /// lets an encoder skip looking for one. `true` for any other node.
    #[inline]
    pub(crate) fn may_reorder(&self, id: NodeId) -> bool {
        match self.nodes[id.index()] {
            Stored::Object { shape: NO_SHAPE, .. } => false,
            Stored::Object { shape, .. } => self.pools.shapes.get(shape as usize).is_none_or(|s| s.digits),
            _ => true,
        }
    }

    /// Makes room for `n` more nodes: for a decoder that knows a count of
    /// things present in its input (never a number the input declares).
    pub(crate) fn reserve_nodes(&mut self, n: usize) {
        self.nodes.reserve_exact(n);
    }

    /// Adds a node and returns it as a value.
    ///
    /// ```
    /// use flight_codec::value::{Graph, Node};
    /// let mut g = Graph::new();
    /// let v = g.add_value(Node::Array(vec![]));
    /// assert_eq!(v.as_node().map(|id| id.index()), Some(0));
    /// ```
    pub fn add_value(&mut self, node: Node) -> Value {
        Value::Node(self.add(node))
    }

    /// A view of the node with this id.
    ///
    /// # Panics
    /// Panics if `id` does not belong to this graph.
    ///
    /// ```
    /// use flight_codec::value::{Graph, Node, NodeRef, Value};
    /// let mut g = Graph::new();
    /// let id = g.add(Node::Array(vec![Value::Null]));
    /// assert!(matches!(g.view(id), NodeRef::Array([Value::Null])));
    /// ```
    pub fn view(&self, id: NodeId) -> NodeRef<'_> {
        self.view_of(&self.nodes[id.index()])
    }

    fn view_of<'a>(&'a self, stored: &'a Stored) -> NodeRef<'a> {
        match *stored {
            Stored::Array(s) => NodeRef::Array(self.pools.items.get(s)),
            Stored::Object { at, shape } => NodeRef::Object(self.pools.members(at, shape)),
            Stored::Map(s) => NodeRef::Map(self.pools.entries.get(s)),
            Stored::Set(s) => NodeRef::Set(self.pools.items.get(s)),
            Stored::Iterator(s) => NodeRef::Iterator(self.pools.items.get(s)),
            Stored::Promise(s) => NodeRef::Promise(&self.pools.promises.get(s)[0]),
            Stored::Lazy(s) => NodeRef::Lazy(&self.pools.promises.get(s)[0]),
            Stored::Blob(ref blob) => NodeRef::Blob(blob),
            Stored::EmptyBlob => NodeRef::Blob(&EMPTY_BLOB),
            Stored::EmptyFormData => NodeRef::FormData(&[]),
            Stored::Error(ref error) => NodeRef::Error(error),
            Stored::Binary(None, ref bytes) => NodeRef::ArrayBuffer(bytes),
            Stored::Binary(Some(kind), ref bytes) => NodeRef::TypedArray { kind, bytes },
            Stored::Other(ref node) => node.view(),
        }
    }

    /// The items of the array, set or iterator with this id, without
    /// building its whole view (for walks that come back to a container
    /// many times); empty for any other node.
    #[inline]
    pub(crate) fn items_of(&self, id: NodeId) -> &[Value] {
        match self.nodes[id.index()] {
            Stored::Array(s) | Stored::Set(s) | Stored::Iterator(s) => self.pools.items.get(s),
            _ => &[],
        }
    }

    /// The members of the object with this id, as
    /// [`items_of`](Self::items_of): its keys and its values (empty for any
    /// other node).
    #[inline(always)]
    pub(crate) fn members_of(&self, id: NodeId) -> (&[JsString], &[Value]) {
        match self.nodes[id.index()] {
            Stored::Object { at, shape } => self.pools.keys_and_values(at, shape),
            _ => (&[], &[]),
        }
    }

    /// Replaces the node with this id (its id, and every reference to it,
    /// stay as they were): how a node is filled in after it is referred to,
    /// as in a cycle.
    ///
    /// # Panics
    /// Panics if `id` does not belong to this graph.
    ///
    /// ```
    /// use flight_codec::value::{Graph, Node, NodeRef, Value};
    /// let mut g = Graph::new();
    /// let a = g.add(Node::Array(vec![]));
    /// g.replace(a, Node::Array(vec![Value::Node(a)])); // the array contains itself
    /// assert!(matches!(g.view(a), NodeRef::Array([Value::Node(x)]) if *x == a));
    /// ```
    pub fn replace(&mut self, id: NodeId, node: Node) {
        let old = std::mem::replace(&mut self.nodes[id.index()], Stored::Array(Span::default()));
        self.nodes[id.index()] = self.store_over(node, Some(old));
    }

    /// Settles promise (or, with `lazy`, lazy value) `id` in place: its
    /// state is written into its slot of the promises' pool, without the
    /// move of a whole node [`replace`](Self::replace) makes (and without a
    /// box for a lazy's state); any other node is replaced.
    pub(crate) fn set_promise_state(&mut self, id: NodeId, state: PromiseState, lazy: bool) {
        match self.nodes[id.index()] {
            Stored::Promise(s) if !lazy => self.pools.promises.get_mut(s)[0] = state,
            Stored::Lazy(s) if lazy => self.pools.promises.get_mut(s)[0] = state,
            _ => self.replace(id, if lazy { Node::Lazy(Box::new(state)) } else { Node::Promise(state) }),
        }
    }

    /// The state of the promise or lazy value with this id, mutably.
    ///
    /// # Panics
    /// Panics if `id` does not belong to this graph.
    ///
    /// ```
    /// use flight_codec::value::{Graph, Node, NodeRef, PromiseState, Value};
    /// let mut g = Graph::new();
    /// let p = g.add(Node::Promise(PromiseState::Pending));
    /// *g.promise_mut(p).unwrap() = PromiseState::Fulfilled(Value::Null);
    /// assert!(matches!(g.view(p), NodeRef::Promise(PromiseState::Fulfilled(Value::Null))));
    /// let l = g.add(Node::Lazy(Box::new(PromiseState::Pending)));
    /// *g.promise_mut(l).unwrap() = PromiseState::Fulfilled(Value::Null);
    /// assert!(matches!(g.view(l), NodeRef::Lazy(PromiseState::Fulfilled(Value::Null))));
    /// ```
    pub fn promise_mut(&mut self, id: NodeId) -> Option<&mut PromiseState> {
        match self.nodes[id.index()] {
            Stored::Promise(s) | Stored::Lazy(s) => Some(&mut self.pools.promises.get_mut(s)[0]),
            _ => None,
        }
    }

    /// The node with this id, mutably, unless it is an array, object, map,
    /// set or iterator ([`Node::is_container`]), a promise, a lazy value or a
    /// Blob: the graph keeps their items and states in shared storage (and a
    /// Blob in a box of its own), so they are changed with
    /// [`replace`](Self::replace), [`items_mut`](Self::items_mut),
    /// [`values_mut`](Self::values_mut), [`entries_mut`](Self::entries_mut)
    /// or [`promise_mut`](Self::promise_mut).
    ///
    /// # Panics
    /// Panics if `id` does not belong to this graph.
    ///
    /// ```
    /// use flight_codec::value::{Graph, JsError, Node, NodeRef};
    /// let mut g = Graph::new();
    /// let e = g.add(Node::Error(Box::new(JsError { message: "a".into(), digest: None })));
    /// if let Some(Node::Error(error)) = g.node_mut(e) {
    ///     error.message = "b".into();
    /// }
    /// assert!(matches!(g.view(e), NodeRef::Error(error) if error.message == "b"));
    /// let a = g.add(Node::Array(vec![]));
    /// assert!(g.node_mut(a).is_none());
    /// ```
    pub fn node_mut(&mut self, id: NodeId) -> Option<&mut Node> {
        let stored = &mut self.nodes[id.index()];
        match std::mem::replace(stored, Stored::EmptyBlob) {
            Stored::EmptyFormData => *stored = Stored::Other(Box::new(Node::FormData(Vec::new()))),
            Stored::Error(error) => *stored = Stored::Other(Box::new(Node::Error(error))),
            Stored::Binary(None, bytes) => *stored = Stored::Other(Box::new(Node::ArrayBuffer(bytes))),
            Stored::Binary(Some(kind), bytes) => *stored = Stored::Other(Box::new(Node::TypedArray { kind, bytes })),
            unchanged => *stored = unchanged,
        }
        match stored {
            Stored::Other(node) => Some(node),
            _ => None,
        }
    }

    /// The items of the array, set or iterator with this id, mutably (to
    /// change them in place; their number stays).
    ///
    /// # Panics
    /// Panics if `id` does not belong to this graph.
    ///
    /// ```
    /// use flight_codec::value::{Graph, Node, NodeRef, Value};
    /// let mut g = Graph::new();
    /// let a = g.add(Node::Array(vec![Value::Null]));
    /// g.items_mut(a).unwrap()[0] = Value::Bool(true);
    /// assert!(matches!(g.view(a), NodeRef::Array([Value::Bool(true)])));
    /// ```
    pub fn items_mut(&mut self, id: NodeId) -> Option<&mut [Value]> {
        match self.nodes[id.index()] {
            Stored::Array(s) | Stored::Set(s) | Stored::Iterator(s) => Some(self.pools.items.get_mut(s)),
            _ => None,
        }
    }

    /// Calls `f` on every value directly inside the node with this id: its
    /// items, members' values, map keys and values, bound arguments, settled
    /// value, stream chunks and end value, or element fields.
    ///
    /// # Panics
    /// Panics if `id` does not belong to this graph.
    ///
    /// ```
    /// use flight_codec::value::{Graph, Node, NodeRef, Value};
    /// let mut g = Graph::new();
    /// let m = g.add(Node::Map(vec![(Value::Null, Value::Null)]));
    /// g.for_each_value_mut(m, |v| *v = Value::Bool(true));
    /// assert!(matches!(g.view(m), NodeRef::Map([(Value::Bool(true), Value::Bool(true))])));
    /// ```
    pub fn for_each_value_mut(&mut self, id: NodeId, mut f: impl FnMut(&mut Value)) {
        match &mut self.nodes[id.index()] {
            Stored::Array(s) | Stored::Set(s) | Stored::Iterator(s) => {
                self.pools.items.get_mut(*s).iter_mut().for_each(f)
            }
            Stored::Object { at, shape } => self.pools.values_mut(*at, *shape).iter_mut().for_each(f),
            Stored::Map(s) => self.pools.entries.get_mut(*s).iter_mut().for_each(|(k, v)| {
                f(k);
                f(v);
            }),
            Stored::Blob(_) | Stored::EmptyBlob | Stored::EmptyFormData | Stored::Error(_) | Stored::Binary(..) => {}
            Stored::Promise(s) | Stored::Lazy(s) => {
                if let PromiseState::Fulfilled(v) | PromiseState::Rejected(v) = &mut self.pools.promises.get_mut(*s)[0]
                {
                    f(v);
                }
            }
            Stored::Other(node) => node.for_each_value_mut(f),
        }
    }

    /// Makes node `to` a `Set` (`set`) or an iterator of the items of array
    /// `from`, which is left empty: the items stay where they are. A set's
    /// repeats are dropped as [`Node::set`] drops them. Nothing changes if
    /// `from` is not an array.
    pub(crate) fn move_items(&mut self, from: NodeId, to: NodeId, set: bool) {
        let Stored::Array(s) = self.nodes[from.index()] else { return };
        self.nodes[from.index()] = Stored::Array(Span::default());
        self.nodes[to.index()] = if set {
            let kept = dedupe_set(self.pools.items.get_mut(s));
            Stored::Set(s.prefix(kept))
        } else {
            Stored::Iterator(s)
        };
    }

    /// Makes node `to` a `Set` (`set`) or an iterator of a copy of the
    /// items of array `from`, which stays as it is (see
    /// [`move_items`](Self::move_items)). Nothing changes if `from` is not an
    /// array.
    pub(crate) fn copy_items(&mut self, from: NodeId, to: NodeId, set: bool) {
        let Stored::Array(s) = self.nodes[from.index()] else { return };
        let copy = self.pools.items.push_copy(s);
        self.nodes[to.index()] = if set {
            // The repeats, left behind the kept items, go at once: the copy
            // is the last thing in its chunk.
            let kept = dedupe_set(self.pools.items.get_mut(copy));
            Stored::Set(self.pools.items.truncate_last(copy, kept))
        } else {
            Stored::Iterator(copy)
        };
    }

    /// The values of the object with this id, mutably, in the order of its
    /// keys (in place; its keys stay, and may be shared with other objects:
    /// to change them, [`replace`](Self::replace) the object).
    ///
    /// # Panics
    /// Panics if `id` does not belong to this graph.
    ///
    /// ```
    /// use flight_codec::value::{Graph, Node, NodeRef, Value};
    /// let mut g = Graph::new();
    /// let o = g.add(Node::Object(vec![("a".into(), Value::Null)]));
    /// g.values_mut(o).unwrap()[0] = Value::Bool(true);
    /// assert!(matches!(g.view(o), NodeRef::Object(m) if matches!(m.get("a"), Some(Value::Bool(true)))));
    /// assert!(g.items_mut(o).is_none());
    /// ```
    pub fn values_mut(&mut self, id: NodeId) -> Option<&mut [Value]> {
        match self.nodes[id.index()] {
            Stored::Object { at, shape } => Some(self.pools.values_mut(at, shape)),
            _ => None,
        }
    }

    /// The entries of the map with this id, mutably (in place; their number
    /// stays).
    ///
    /// # Panics
    /// Panics if `id` does not belong to this graph.
    ///
    /// ```
    /// use flight_codec::value::{Graph, Node, Value};
    /// let mut g = Graph::new();
    /// let m = g.add(Node::Map(vec![(Value::Null, Value::Null)]));
    /// g.entries_mut(m).unwrap()[0].1 = Value::Bool(true);
    /// assert!(g.values_mut(m).is_none());
    /// ```
    pub fn entries_mut(&mut self, id: NodeId) -> Option<&mut [(Value, Value)]> {
        match self.nodes[id.index()] {
            Stored::Map(s) => Some(self.pools.entries.get_mut(s)),
            _ => None,
        }
    }

    /// A view of the node with this id, if it exists.
    ///
    /// ```
    /// use flight_codec::value::{Graph, Node};
    /// let mut g = Graph::new();
    /// let id = g.add(Node::Array(vec![]));
    /// assert!(g.get(id).is_some());
    /// assert!(Graph::new().get(id).is_none());
    /// ```
    pub fn get(&self, id: NodeId) -> Option<NodeRef<'_>> {
        self.nodes.get(id.index()).map(|stored| self.view_of(stored))
    }

    /// The ids of all nodes, in the order they were added.
    ///
    /// ```
    /// let mut g = flight_codec::value::Graph::new();
    /// let a = g.add(flight_codec::value::Node::Array(vec![]));
    /// assert_eq!(g.ids().collect::<Vec<_>>(), [a]);
    /// ```
    pub fn ids(&self) -> impl Iterator<Item = NodeId> {
        (0..self.nodes.len() as u32).map(NodeId)
    }

    /// Number of nodes.
    ///
    /// ```
    /// use flight_codec::value::{Graph, Node};
    /// let mut g = Graph::new();
    /// g.add(Node::Array(vec![]));
    /// assert_eq!(g.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// `true` if the graph has no nodes.
    ///
    /// ```
    /// use flight_codec::value::{Graph, Node};
    /// let mut g = Graph::new();
    /// assert!(g.is_empty());
    /// g.add(Node::Array(vec![]));
    /// assert!(!g.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The root value.
    ///
    /// ```
    /// use flight_codec::value::{Graph, Value};
    /// let g = Graph::from_value(Value::Bool(true));
    /// assert!(matches!(g.root(), Value::Bool(true)));
    /// ```
    pub fn root(&self) -> &Value {
        &self.root
    }

    /// Replaces the root value.
    ///
    /// ```
    /// use flight_codec::value::{Graph, Value};
    /// let mut g = Graph::new();
    /// g.set_root(Value::Null);
    /// assert!(matches!(g.root(), Value::Null));
    /// ```
    pub fn set_root(&mut self, root: Value) {
        self.root = root;
    }

    /// Moves the nodes of `other` into this graph and returns `other`'s root,
    /// as it now reads here (a value built on its own, joined to this one).
    ///
    /// # Panics
    /// Panics if the graph would hold more than `u32::MAX` nodes.
    ///
    /// ```
    /// use flight_codec::value::{Graph, Node, Value, NodeRef};
    /// let mut g = Graph::new();
    /// g.add(Node::Array(vec![]));
    /// let mut h = Graph::new();
    /// let inner = h.add_value(Node::Array(vec![1.0.into()]));
    /// let outer = h.add_value(Node::Array(vec![inner]));
    /// h.set_root(outer);
    /// let v = g.append(h);
    /// let Some(NodeRef::Array(items)) = v.as_node().map(|id| g.view(id)) else { panic!() };
    /// assert_eq!(items[0].as_node().unwrap().index(), 1);
    /// ```
    pub fn append(&mut self, other: Graph) -> Value {
        let offset = u32::try_from(self.nodes.len()).expect("graph node count overflows u32");
        let shift = |v: &mut Value| {
            if let Value::Node(id) = v {
                id.0 = id.0.checked_add(offset).expect("graph node count overflows u32");
            }
        };
        let Graph { nodes, pools, mut root } = other;
        let Pools { items, keys, shapes, recent: _, entries, promises } = *pools;
        let p = &mut self.pools;
        let chunks = (p.items.append(items), p.entries.append(entries), p.promises.append(promises));
        let keys_moved = p.keys.append(keys);
        let shapes_moved = u32::try_from(p.shapes.len()).expect("shape count overflows u32");
        p.shapes.extend(shapes.iter().map(|s| Shape { keys: s.keys.shifted(keys_moved), ..*s }));
        let first = self.nodes.len();
        self.nodes.reserve(nodes.len());
        self.nodes.extend(nodes.into_iter().map(|n| n.shifted(chunks, shapes_moved, &shapes)));
        for i in first..self.nodes.len() {
            self.for_each_value_mut(NodeId(i as u32), shift);
        }
        shift(&mut root);
        root
    }

    /// A new graph holding `value` and every node it reaches, with shared
    /// nodes and cycles kept (node ids are renumbered in the order reached).
    ///
    /// ```
    /// use flight_codec::value::{Graph, Node, Value, NodeRef};
    /// let mut g = Graph::new();
    /// g.add(Node::Array(vec![])); // not reached
    /// let shared = g.add_value(Node::Array(vec![1.0.into()]));
    /// let pair = g.add_value(Node::Array(vec![shared.clone(), shared]));
    /// let sub = g.subgraph(&pair);
    /// assert_eq!(sub.len(), 2);
    /// let Some(NodeRef::Array(items)) = sub.root().as_node().map(|id| sub.view(id)) else { panic!() };
    /// assert_eq!(items[0].as_node(), items[1].as_node());
    /// ```
    pub fn subgraph(&self, value: &Value) -> Graph {
        let (mut g, mut roots) = self.subgraph_of(std::slice::from_ref(value));
        g.root = roots.pop().unwrap_or(Value::Undefined);
        g
    }

    /// [`subgraph`](Self::subgraph) for several values at once (nodes they
    /// share stay shared); returns the values renumbered, the root unset.
    pub(crate) fn subgraph_of(&self, values: &[Value]) -> (Graph, Vec<Value>) {
        fn assign(v: &mut Value, map: &mut std::collections::HashMap<u32, u32>, order: &mut Vec<u32>) {
            if let Value::Node(id) = v {
                let next = order.len() as u32;
                id.0 = *map.entry(id.0).or_insert_with(|| {
                    order.push(id.0);
                    next
                });
            }
        }
        let mut map = std::collections::HashMap::new();
        let mut order = Vec::new();
        let mut roots = values.to_vec();
        for v in &mut roots {
            assign(v, &mut map, &mut order);
        }
        let mut g = Graph::new();
        while g.len() < order.len() {
            let mut node = self.view(NodeId(order[g.len()])).to_node();
            node.for_each_value_mut(|v| assign(v, &mut map, &mut order));
            g.add(node);
        }
        (g, roots)
    }
}

impl Node {
    /// Calls `f` on every value directly inside the node.
    pub(crate) fn for_each_value_mut(&mut self, mut f: impl FnMut(&mut Value)) {
        let state = |s: &mut PromiseState, f: &mut dyn FnMut(&mut Value)| {
            if let PromiseState::Fulfilled(v) | PromiseState::Rejected(v) = s {
                f(v);
            }
        };
        match self {
            Node::Array(items) | Node::Set(items) | Node::Iterator(items) => items.iter_mut().for_each(f),
            Node::Object(pairs) => pairs.iter_mut().for_each(|(_, v)| f(v)),
            Node::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
                f(k);
                f(v);
            }),
            Node::ServerReference(r) => r.bound.iter_mut().flatten().for_each(f),
            Node::Promise(s) => state(s, &mut f),
            Node::Lazy(s) => state(s, &mut f),
            Node::Stream(s) => {
                s.items.iter_mut().for_each(&mut f);
                if let StreamEnd::Closed(v) | StreamEnd::Errored(v) = &mut s.end {
                    f(v);
                }
            }
            Node::Element(e) => {
                f(&mut e.element_type);
                f(&mut e.key);
                f(&mut e.props);
            }
            Node::ArrayBuffer(_)
            | Node::TypedArray { .. }
            | Node::Blob(_)
            | Node::FormData(_)
            | Node::TemporaryReference(_)
            | Node::ClientReference(_)
            | Node::Error(_)
            | Node::Instance(_)
            | Node::UnregisteredSymbol(_)
            | Node::Function(_) => {}
        }
    }
}

/// The array index a property key stands for (`"0"`…`"4294967294"`, canonical
/// decimal), which JavaScript orders before every other key.
pub(crate) fn array_index(key: &[u8]) -> Option<u32> {
    if key.is_empty() || key.len() > 10 || (key.len() > 1 && key[0] == b'0') || !key.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n: u64 = std::str::from_utf8(key).ok()?.parse().ok()?;
    (n < u32::MAX as u64).then_some(n as u32)
}

/// The order JavaScript enumerates these keys in: array indices first,
/// ascending, then the rest in insertion order. `None` when that is the
/// order they are already in.
pub(crate) fn property_order(keys: impl Iterator<Item = impl AsRef<[u8]>> + Clone) -> Option<Vec<usize>> {
    if !keys.clone().any(|k| array_index(k.as_ref()).is_some()) {
        return None;
    }
    let mut order: Vec<(u8, u32, usize)> = keys
        .enumerate()
        .map(|(i, k)| match array_index(k.as_ref()) {
            Some(n) => (0, n, i),
            None => (1, 0, i),
        })
        .collect();
    order.sort_unstable();
    let order: Vec<usize> = order.into_iter().map(|(_, _, i)| i).collect();
    (!order.iter().enumerate().all(|(i, &j)| i == j)).then_some(order)
}

/// Puts object pairs in JavaScript property order; a repeated key keeps its
/// first position and its last value, as in `JSON.parse`.
pub(crate) fn js_object(pairs: Vec<(JsString, Value)>) -> Vec<(JsString, Value)> {
    let mut out: Vec<(JsString, Value)> = Vec::with_capacity(pairs.len());
    let mut seen: std::collections::HashMap<JsString, usize> = std::collections::HashMap::new();
    for (k, v) in pairs {
        match seen.get(&k) {
            Some(&i) => out[i].1 = v,
            None => {
                seen.insert(k.clone(), out.len());
                out.push((k, v));
            }
        }
    }
    match property_order(out.iter().map(|(k, _)| k.as_wtf8())) {
        None => out,
        Some(order) => {
            let mut slots: Vec<Option<(JsString, Value)>> = out.into_iter().map(Some).collect();
            order.into_iter().filter_map(|i| slots[i].take()).collect()
        }
    }
}

/// A hashable stand-in for `SameValueZero` equality: primitives by value
/// (NaN equals NaN, 0 equals -0), nodes by identity. Dates have none: each
/// `Date` is its own object, so two are never the same key. It borrows the
/// value's text, so building one copies and counts nothing.
#[derive(PartialEq, Eq, Hash)]
enum KeyOf<'a> {
    Undefined,
    Null,
    Bool(bool),
    Number(u64),
    String(&'a [u8]),
    BigInt(&'a BigInt),
    Symbol(&'a [u8]),
    Node(NodeId),
}

fn key_of(v: &Value) -> Option<KeyOf<'_>> {
    Some(match v {
        Value::Undefined => KeyOf::Undefined,
        Value::Null => KeyOf::Null,
        Value::Bool(b) => KeyOf::Bool(*b),
        Value::Number(n) if n.is_nan() => KeyOf::Number(f64::NAN.to_bits()),
        Value::Number(n) => KeyOf::Number((n + 0.0).to_bits()),
        Value::String(s) => KeyOf::String(s.as_wtf8()),
        Value::BigInt(b) => KeyOf::BigInt(b),
        Value::Symbol(s) => KeyOf::Symbol(s.as_wtf8()),
        Value::Node(id) => KeyOf::Node(*id),
        Value::Date(_) => return None,
    })
}

/// A key as a `Set`/`Map` stores it: `-0` becomes `+0`.
fn normalize_key(v: Value) -> Value {
    match v {
        // -0 + 0 is +0; every other number is unchanged.
        Value::Number(n) => Value::Number(n + 0.0),
        v => v,
    }
}

/// The items of `new Set(items)`: duplicates (by `SameValueZero`) dropped,
/// `-0` stored as `+0`. Linear time.
pub(crate) fn js_set(mut items: Vec<Value>) -> Vec<Value> {
    let kept = dedupe_set(&mut items);
    items.truncate(kept);
    items
}

/// [`js_set`] in place: moves the items kept to the front, in order, and
/// returns their number (the repeats are left behind them).
pub(crate) fn dedupe_set(items: &mut [Value]) -> usize {
    if items.len() <= SMALL && items.iter().all(|v| matches!(v, Value::Number(_))) {
        // A few numbers (the common small set): the same as below, on the
        // floats alone.
        let mut kept = 0;
        for i in 0..items.len() {
            let Value::Number(x) = items[i] else { continue };
            let x = x + 0.0;
            let seen =
                items[..kept].iter().any(|o| matches!(o, Value::Number(y) if *y == x || (y.is_nan() && x.is_nan())));
            if !seen {
                // Every item is a number: set the float (no drop of the old).
                if let Value::Number(y) = &mut items[kept] {
                    *y = x;
                }
                kept += 1;
            }
        }
        return kept;
    }
    if items.len() <= SMALL {
        // A few items: compare each with those kept, no table, in place
        // (the kept ones move to the front in order; repeats end up behind).
        let mut kept = 0;
        for i in 0..items.len() {
            let v = normalize_key(std::mem::replace(&mut items[i], Value::Undefined));
            if !items[..kept].iter().any(|o| same_key(o, &v)) {
                items[kept] = v;
                kept += 1;
            } else {
                items[i] = v;
            }
        }
        return kept;
    }
    for v in items.iter_mut() {
        *v = normalize_key(std::mem::replace(v, Value::Undefined));
    }
    // The positions of repeats, found with keys that borrow the items
    // (one hash each), then moved behind the kept ones.
    let mut seen = std::collections::HashSet::with_capacity(items.len());
    let repeats: Vec<usize> =
        items.iter().enumerate().filter(|(_, v)| key_of(v).is_some_and(|k| !seen.insert(k))).map(|(i, _)| i).collect();
    drop(seen);
    compact(items, &repeats)
}

/// Moves the items not at `at` (increasing positions) to the front of
/// `items`, in order, and returns their number.
fn compact<T>(items: &mut [T], at: &[usize]) -> usize {
    let mut next = at.iter().peekable();
    let mut kept = 0;
    for i in 0..items.len() {
        if next.peek() == Some(&&i) {
            next.next();
            continue;
        }
        items.swap(kept, i);
        kept += 1;
    }
    kept
}

/// Up to this many items or entries, sets and maps find repeats by
/// comparing with the ones kept (no hash table).
const SMALL: usize = 16;

/// `SameValueZero` of two normalized keys, as [`key_of`] compares them.
fn same_key(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Undefined, Value::Undefined) | (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x == y || (x.is_nan() && y.is_nan()),
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Symbol(x), Value::Symbol(y)) => x == y,
        (Value::BigInt(x), Value::BigInt(y)) => x == y,
        (Value::Node(x), Value::Node(y)) => x == y,
        _ => false,
    }
}

/// The entries of `new Map(entries)`: a repeated key keeps its first position
/// and its last value, `-0` becomes `+0`. Linear time.
pub(crate) fn js_map(mut entries: Vec<(Value, Value)>) -> Vec<(Value, Value)> {
    if entries.len() <= SMALL {
        // A few entries: compare each key with those kept, no table, in place.
        let mut kept = 0;
        for i in 0..entries.len() {
            let (k, v) = std::mem::replace(&mut entries[i], (Value::Undefined, Value::Undefined));
            let k = normalize_key(k);
            match entries[..kept].iter_mut().find(|(o, _)| same_key(o, &k)) {
                Some(first) => first.1 = v,
                None => {
                    entries[kept] = (k, v);
                    kept += 1;
                }
            }
        }
        entries.truncate(kept);
        return entries;
    }
    // In place: repeats are found with keys that borrow the entries (one
    // hash each); then a repeated key's value moves to the first entry with
    // that key, in order (so the last value wins), and the repeat is dropped.
    for (k, _) in &mut entries {
        *k = normalize_key(std::mem::replace(k, Value::Undefined));
    }
    let mut at: std::collections::HashMap<KeyOf<'_>, usize> = std::collections::HashMap::with_capacity(entries.len());
    let mut repeats = Vec::new();
    for (i, (k, _)) in entries.iter().enumerate() {
        if let Some(key) = key_of(k) {
            match at.entry(key) {
                std::collections::hash_map::Entry::Occupied(first) => repeats.push((i, *first.get())),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(i);
                }
            }
        }
    }
    drop(at);
    for &(i, first) in &repeats {
        entries[first].1 = std::mem::replace(&mut entries[i].1, Value::Undefined);
    }
    let repeats: Vec<usize> = repeats.into_iter().map(|(i, _)| i).collect();
    let kept = compact(&mut entries, &repeats);
    entries.truncate(kept);
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(keys: &[&str], first: f64) -> Node {
        Node::Object(
            keys.iter().enumerate().map(|(i, k)| (JsString::from(*k), Value::Number(first + i as f64))).collect(),
        )
    }

    fn read(g: &Graph, id: NodeId) -> Vec<(String, f64)> {
        let NodeRef::Object(m) = g.view(id) else { panic!("not an object") };
        m.iter().map(|(k, v)| (k.to_string(), if let Value::Number(n) = v { *n } else { f64::NAN })).collect()
    }

    /// A Set made from a copy of an array's items leaves the array as it
    /// was, and drops its own repeats (as `new Set(array)`).
    #[test]
    fn copied_items_leave_their_array() {
        let mut g = Graph::new();
        let n = |x: f64| Value::Number(x);
        let items: Vec<Value> = [1.0, -0.0, 1.0, f64::NAN, 0.0, f64::NAN, 2.0].into_iter().map(n).collect();
        let arr = g.add(Node::Array(items.clone()));
        let set = g.add(Node::Set(vec![]));
        let iter = g.add(Node::Iterator(vec![]));
        g.copy_items(arr, set, true);
        g.copy_items(arr, iter, false);
        let NodeRef::Set(kept) = g.view(set) else { panic!() };
        let kept: Vec<f64> = kept.iter().map(|v| if let Value::Number(x) = v { *x } else { -1.0 }).collect();
        assert_eq!(kept.len(), 4);
        assert_eq!((kept[0], kept[1].to_bits(), kept[3]), (1.0, 0.0f64.to_bits(), 2.0));
        assert!(kept[2].is_nan());
        assert!(matches!(g.view(iter), NodeRef::Iterator(v) if v.len() == 7));
        assert!(matches!(g.view(arr), NodeRef::Array(v) if v.len() == 7 && v[1].is_negative_zero()));
    }

    /// Objects with the same keys in the same order share one copy of them;
    /// each reads back its own values, through appends too.
    #[test]
    fn objects_share_shapes_and_keep_their_values() {
        let long = "a key longer than fourteen bytes";
        let shapes: [&[&str]; 4] = [&["a", "b"], &["c"], &["a", "b", "c"], &[long, "b"]];
        let mut g = Graph::new();
        let mut made = Vec::new();
        for i in 0..400 {
            let keys = shapes[i % shapes.len()];
            made.push((g.add(object(keys, i as f64)), keys, i as f64));
        }
        g.add(Node::Object(vec![]));
        assert_eq!(g.pools.shapes.len(), shapes.len());
        let mut h = Graph::new();
        // More shapes in turn than are compared: each object gets a new one.
        let many: Vec<String> = (0..RECENT + 2).map(|i| format!("k{i}")).collect();
        let mut made_h = Vec::new();
        for i in 0..50 {
            let key = [many[i % many.len()].as_str()];
            made_h.push((h.add(object(&key, i as f64)), key[0].to_string(), i as f64));
        }
        assert_eq!(h.pools.shapes.len(), 50);
        let v = g.append(h.clone());
        assert!(matches!(v, Value::Undefined));
        let offset = made.len() as u32 + 1;
        for (id, keys, first) in &made {
            let want: Vec<(String, f64)> =
                keys.iter().enumerate().map(|(i, k)| (k.to_string(), first + i as f64)).collect();
            assert_eq!(read(&g, *id), want);
        }
        for (id, key, first) in &made_h {
            assert_eq!(read(&g, NodeId(id.0 + offset)), [(key.clone(), *first)]);
            assert_eq!(read(&h, *id), [(key.clone(), *first)]);
        }
        // Values change in place; keys stay shared with the other objects.
        let (id, _, _) = made[0];
        g.values_mut(id).unwrap()[1] = Value::Number(-1.0);
        assert_eq!(read(&g, id), [("a".to_string(), 0.0), ("b".to_string(), -1.0)]);
        assert_eq!(read(&g, made[4].0), [("a".to_string(), 4.0), ("b".to_string(), 5.0)]);
        // A replaced object takes a shape of its own keys.
        g.replace(id, object(&["z"], 7.0));
        assert_eq!(read(&g, id), [("z".to_string(), 7.0)]);
        assert_eq!(read(&g, made[4].0), [("a".to_string(), 4.0), ("b".to_string(), 5.0)]);
    }

    #[test]
    fn map_entries_keep_the_first_position_and_the_last_value() {
        let n = |x: f64| Value::Number(x);
        let entries = vec![
            (Value::from("a"), n(1.0)),
            (n(-0.0), n(2.0)),
            (Value::from("b"), n(3.0)),
            (Value::from("a"), n(4.0)),
            (n(0.0), n(5.0)),
            (Value::from("a"), n(6.0)),
        ];
        // The same rules with and without the hash table (past `SMALL` entries).
        let padding: Vec<(Value, Value)> =
            (0..SMALL).map(|i| (Value::from(format!("p{i}").as_str()), n(0.0))).collect();
        for pad in [false, true] {
            let mut all = entries.clone();
            if pad {
                all.extend(padding.iter().cloned());
            }
            let out = js_map(all);
            let shown: Vec<String> = out.iter().take(3).map(|(k, v)| format!("{k:?}={v:?}")).collect();
            assert_eq!(shown, [r#"String("a")=Number(6.0)"#, "Number(0.0)=Number(5.0)", r#"String("b")=Number(3.0)"#]);
            assert_eq!(out.len(), 3 + if pad { SMALL } else { 0 });
            assert!(!matches!(out[1].0, Value::Number(z) if z.is_sign_negative()));
        }
    }

    #[test]
    fn set_items_drop_repeats_by_same_value_zero() {
        let d = Value::Date(Date::from_millis(0.0));
        let items = vec![
            Value::Number(f64::NAN),
            Value::Number(-0.0),
            Value::Number(0.0),
            Value::Number(f64::NAN),
            d.clone(),
            d,
            Value::from("x"),
            Value::from("x"),
            Value::Null,
            Value::Undefined,
            Value::Null,
            // A symbol is not the string of its description; longer text
            // (shared, not inline) compares by its bytes.
            Value::symbol("x"),
            Value::from("a longer string key"),
            Value::from(String::from("a longer string key").as_str()),
        ];
        for pad in [0, SMALL] {
            let mut all = items.clone();
            all.extend((0..pad).map(|i| Value::Number(100.0 + i as f64)));
            let out = js_set(all);
            // NaN, 0, both dates (each its own object), "x", null, undefined,
            // Symbol.for("x"), the longer string.
            assert_eq!(out.len(), 9 + pad, "{out:?}");
            assert!(matches!(out[1], Value::Number(z) if z == 0.0 && z.is_sign_positive()));
        }
    }

    #[test]
    fn empty_blobs_and_form_data_are_stored_unboxed_and_read_as_any_other() {
        let mut g = Graph::new();
        let (blob, form) = (g.add(Node::Blob(Box::new(Blob::new("", Bytes::new())))), g.add(Node::FormData(vec![])));
        assert!(matches!(g.nodes[blob.index()], Stored::EmptyBlob));
        assert!(matches!(g.nodes[form.index()], Stored::EmptyFormData));
        assert!(matches!(g.view(blob), NodeRef::Blob(b) if *b == Blob::new("", Bytes::new())));
        assert!(matches!(g.view(form), NodeRef::FormData([])));
        // An empty FormData is boxed when asked for mutably, so it can grow.
        if let Some(Node::FormData(entries)) = g.node_mut(form) {
            entries.push(("k".into(), FormEntry::Text("v".into())));
        }
        assert!(matches!(g.view(form), NodeRef::FormData([(k, FormEntry::Text(v))]) if k == "k" && v == "v"));
        // Filled, a placeholder has its box; a typed Blob is never the empty one.
        g.replace(blob, Node::Blob(Box::new(Blob::new("text/plain", &b"x"[..]))));
        assert!(matches!(g.view(blob), NodeRef::Blob(b) if &b.bytes[..] == b"x"));
        assert!(g.node_mut(blob).is_none());
    }

    #[test]
    fn number_sets_drop_repeats_by_same_value_zero() {
        // Numbers only: the small path that compares floats alone, and the
        // hashed one past `SMALL` items.
        let items = [f64::NAN, -0.0, 0.0, f64::NAN, 1.5, 1.5, -2.0, 0.0];
        for pad in [0, SMALL] {
            let mut all: Vec<Value> = items.iter().map(|&x| Value::Number(x)).collect();
            all.extend((0..pad).map(|i| Value::Number(100.0 + i as f64)));
            let out = js_set(all);
            let Value::Number(first) = out[0] else { panic!("{out:?}") };
            assert!(first.is_nan(), "{out:?}");
            let rest: Vec<f64> =
                out[1..4].iter().map(|v| if let Value::Number(x) = v { *x } else { f64::NAN }).collect();
            assert_eq!(rest, [0.0, 1.5, -2.0]);
            assert!(rest[0].is_sign_positive(), "-0 is stored as +0");
            assert_eq!(out.len(), 4 + pad);
        }
    }

    #[test]
    fn values_and_nodes_stay_compact() {
        let (node, value) = (std::mem::size_of::<Node>(), std::mem::size_of::<Value>());
        eprintln!("size_of::<Node>() = {node}, size_of::<Value>() = {value}");
        assert_eq!(std::mem::size_of::<JsString>(), 16);
        assert_eq!(value, 16, "size_of::<Value>() is {value} bytes; box the payload that grew");
        assert_eq!(std::mem::size_of::<(JsString, Value)>(), 32, "an object member");
        assert!(node <= 32, "size_of::<Node>() is {node} bytes (Value is {value}); box the payload that grew");
        assert_eq!(std::mem::size_of::<Stored>(), 16, "a stored node is a span or a box");
        assert!(std::mem::size_of::<Graph>() <= 64, "a graph is a handle");
    }
}
