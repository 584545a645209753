//! The properties the fuzz targets check, one function per target.
//!
//! Shared by the targets in `fuzz/fuzz_targets/` and by `tests/fuzz_corpus.rs`,
//! which replays the committed corpora (`fuzz/corpus/<target>/`) as ordinary
//! tests in CI. Each function takes the raw fuzz input, never panics on any
//! input, and panics (with a message) only when a property fails.
//!
//! Input layouts, so that seeds can be written from `spec/vectors`:
//! - `decode_reply`: the string body.
//! - `decode_multipart`: `[boundary length][boundary][cut count][cuts…][body]`.
//! - `decode_entries`, `decode_action`: FormData entries, see [`entries_from_bytes`].
//! - `decode_response`: `[cut count][cuts…][stream]`.
//! - `roundtrip_reply`: a value graph read with `Arbitrary` (see [`Input`]).
//! - `decode_typed`: the string body, read into Rust types (serde).
//!
//! A cut byte `c` splits the body at `c × len / 255`.

#![allow(dead_code)]

use arbitrary::Arbitrary;
use bytes::Bytes;
use flight_codec::multipart::MultipartParser;
use flight_codec::notation;
use flight_codec::reply::{self, Body, DecodeOptions, EncodeOptions, MultipartDecoder};
use flight_codec::response::rows::{Row, RowFramer, RowTag};
use flight_codec::response::{
    self, ClientManifest, ClientModule, EncodeOptions as ResponseEncodeOptions, OnError, ResponseDecoder,
    ResponseEncoder, Thrown,
};
use flight_codec::value::Graph;
use flight_codec::value::{
    BigInt, Blob, ClientReference, Date, Element, FormEntry, JsError, JsString, Node, NodeId, NodeRef, PromiseState,
    ServerReference, Stream, StreamEnd, StreamKind, TypedArrayKind, Value,
};
use flight_codec::ErrorKind;
use std::sync::Arc;

/// Separates fields in the entries layout (never in UTF-8 or WTF-8).
const SEP: u8 = 0xff;
/// Starts a field that is a file rather than text (never in UTF-8 or WTF-8).
const FILE: u8 = 0xfe;

/// Parses the entries layout: alternating names and values, each ended by
/// `0xFF` (or the end). A value starting with `0xFE` is a file named `f`:
/// a 2-byte little-endian length, then that many bytes (fewer at the end),
/// then `0xFF`. Text is decoded as UTF-8 with replacement, as a multipart
/// parser would; files get the type a multipart body gives them.
pub fn entries_from_bytes(mut data: &[u8]) -> Vec<(JsString, FormEntry)> {
    fn text(data: &mut &[u8]) -> JsString {
        let end = data.iter().position(|&b| b == SEP).unwrap_or(data.len());
        let t = String::from_utf8_lossy(&data[..end]).into_owned();
        *data = data.get(end + 1..).unwrap_or_default();
        t.into()
    }
    let mut out = Vec::new();
    while !data.is_empty() {
        let name = text(&mut data);
        let entry = match data {
            [] => break,
            [FILE, rest @ ..] => {
                let (len, rest) = match rest {
                    [a, b, rest @ ..] => (u16::from_le_bytes([*a, *b]) as usize, rest),
                    _ => (0, &[][..]),
                };
                let (contents, rest) = rest.split_at(len.min(rest.len()));
                data = rest.strip_prefix(&[SEP]).unwrap_or(rest);
                FormEntry::File(Blob {
                    name: Some("f".into()),
                    content_type: "application/octet-stream".into(),
                    bytes: Bytes::copy_from_slice(contents),
                })
            }
            _ => FormEntry::Text(text(&mut data)),
        };
        out.push((name, entry));
    }
    out
}

/// The inverse of [`entries_from_bytes`] for files under 64 KiB (file
/// names and types are not kept).
pub fn entries_to_bytes(entries: &[(JsString, FormEntry)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, entry) in entries {
        out.extend_from_slice(name.as_wtf8());
        out.push(SEP);
        match entry {
            FormEntry::Text(t) => out.extend_from_slice(t.as_wtf8()),
            FormEntry::File(b) => {
                out.push(FILE);
                out.extend_from_slice(&(b.bytes.len().min(u16::MAX as usize) as u16).to_le_bytes());
                out.extend_from_slice(&b.bytes[..b.bytes.len().min(u16::MAX as usize)]);
            }
        }
        out.push(SEP);
    }
    out
}

/// Splits `[cut count][cuts…][rest]` into cut positions (sorted) and the rest.
fn cuts_and_rest(data: &[u8]) -> (Vec<usize>, &[u8]) {
    let Some((&n, data)) = data.split_first() else { return (Vec::new(), data) };
    let n = (n as usize % 16).min(data.len());
    let (cuts, rest) = data.split_at(n);
    let mut cuts: Vec<usize> = cuts.iter().map(|&c| c as usize * rest.len() / 255).collect();
    cuts.sort_unstable();
    (cuts, rest)
}

/// `rest` in pieces at `cuts`.
fn pieces<'a>(rest: &'a [u8], cuts: &'a [usize]) -> impl Iterator<Item = &'a [u8]> + 'a {
    let mut at = 0;
    cuts.iter().copied().chain([rest.len()]).map(move |c| {
        let piece = &rest[at..c];
        at = c;
        piece
    })
}

fn notation_of(r: flight_codec::Result<Graph>) -> Result<String, String> {
    r.map(|g| notation::to_string(&g)).map_err(|e| e.kind().to_string())
}

/// Re-encodes `g`; what we encode must decode, and after that one step
/// encoding and decoding are a fixed point. (Not `g` itself: a body can
/// share an object under a key holding `:`, which the encoder, like React's,
/// writes as a copy because such keys have no path.)
fn round_trip(g: &Graph, opts: &DecodeOptions) {
    let first = notation::to_string(g);
    let again = |g: &Graph| -> Option<Graph> {
        let body = reply::encode(g, &Default::default()).ok()?;
        Some(
            decode_reply_body(&body, opts)
                .unwrap_or_else(|e| panic!("our own encoding of {first} does not decode: {e}")),
        )
    };
    let Some(second) = again(g) else { return };
    let third = again(&second).expect("a value we decoded re-encodes");
    assert_eq!(notation::to_string(&second), notation::to_string(&third), "re-encoding changed the value");
}

/// `decode_reply`: a string body decodes or fails with a typed error; what
/// decodes re-encodes and decodes to the same value.
pub fn decode_reply(data: &[u8]) {
    let opts = DecodeOptions::default();
    if let Ok(g) = reply::decode_text(Bytes::copy_from_slice(data), &opts) {
        round_trip(&g, &opts);
    }
}

/// Rust types a host might read arguments into.
mod typed {
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    pub enum Shape {
        Unit,
        New(f64),
        Pair(u8, String),
        Named { a: Option<i32> },
    }

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    pub struct Record {
        pub id: Option<u32>,
        pub name: Option<String>,
        pub price: Option<f64>,
        pub tags: Option<Vec<String>>,
        pub when: Option<flight_codec::serde::JsDate>,
        pub big: Option<flight_codec::serde::BigInt>,
        pub shape: Option<Shape>,
        pub map: Option<std::collections::BTreeMap<String, serde_json::Value>>,
    }
}

/// Both typed paths on one body, as `Debug` text or an error.
fn typed_pair<T: serde::de::DeserializeOwned + std::fmt::Debug>(body: &str) -> (Option<String>, Option<String>) {
    use flight_codec::serde::{from_graph, from_reply_str};
    let fast = from_reply_str::<T>(body, &DecodeOptions::default()).ok().map(|v| format!("{v:?}"));
    let graph = reply::decode_str(body, &DecodeOptions::default())
        .ok()
        .and_then(|g| from_graph::<T>(&g).ok().map(|v| format!("{v:?}")));
    (fast, graph)
}

/// `decode_typed`: reading a string body into Rust types never panics, and
/// the fast path (straight from the text) gives exactly what the graph path
/// gives, success or failure. Runs on an 8 MiB thread: typed reads recurse
/// (bounded at `MAX_TYPED_DEPTH` levels).
pub fn decode_typed(data: &[u8]) {
    let Ok(body) = std::str::from_utf8(data) else { return };
    let body = body.to_string();
    let run = move || {
        for (what, (fast, graph)) in [
            ("serde_json::Value", typed_pair::<serde_json::Value>(&body)),
            ("Vec<Record>", typed_pair::<Vec<typed::Record>>(&body)),
            ("(Record,)", typed_pair::<(typed::Record,)>(&body)),
            ("Vec<Shape>", typed_pair::<Vec<typed::Shape>>(&body)),
            (
                "(Option<String>, Option<(u8, i64)>, Option<Vec<f32>>)",
                typed_pair::<(Option<String>, Option<(u8, i64)>, Option<Vec<f32>>)>(&body),
            ),
        ] {
            assert_eq!(fast, graph, "{what}: the fast path and the graph path disagree on {body:?}");
        }
    };
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(run)
        .expect("spawn")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
}

/// `decode_multipart`: any boundary, any chunking; the chunked decode agrees
/// with the whole decode, and the multipart parser alone accepts what the
/// decoder accepts.
pub fn decode_multipart(data: &[u8]) {
    let Some((&blen, data)) = data.split_first() else { return };
    let blen = (blen as usize % 71).min(data.len());
    let (boundary, data) = data.split_at(blen);
    let boundary = String::from_utf8_lossy(boundary).into_owned();
    let (cuts, body) = cuts_and_rest(data);
    let opts = DecodeOptions::default();
    let whole = notation_of(reply::decode_multipart(&Bytes::copy_from_slice(body), &boundary, &opts));
    let chunked = notation_of((|| {
        let mut d = MultipartDecoder::new(&boundary, opts.clone())?;
        for piece in pieces(body, &cuts) {
            d.feed(piece)?;
        }
        d.finish()
    })());
    assert_eq!(whole, chunked, "chunked decode at {cuts:?} differs from whole");
    if whole.is_ok() {
        let mut p = MultipartParser::new(&boundary, Default::default()).expect("the decoder accepted this boundary");
        p.feed(body).and_then(|_| p.finish()).expect("the parser accepts what the decoder accepted");
    }
}

/// `decode_entries`: a FormData entry list decodes or fails with a typed
/// error; what decodes re-encodes to the same value; and the same entries
/// sent as a multipart body decode to the same result.
pub fn decode_entries(data: &[u8]) {
    let entries = entries_from_bytes(data);
    let opts = DecodeOptions::default();
    let from_entries = reply::decode_form(entries.clone(), &opts);
    if let Ok(g) = &from_entries {
        round_trip(g, &opts);
    }
    let Some(body) = as_multipart(&entries) else { return };
    let from_body = notation_of(reply::decode_body(&body.content_type(), body.to_bytes().into(), &opts));
    assert_eq!(notation_of(from_entries), from_body, "entries and their multipart body decode differently");
}

/// `decode_action`: `decode_action` and `decode_form_state` return a value
/// or a typed error, and agree with the same entries sent as a body.
pub fn decode_action(data: &[u8]) {
    let entries = entries_from_bytes(data);
    let opts = DecodeOptions::default();
    let action = reply::decode_action(entries.clone(), &opts).map(|a| a.map(|a| a.to_notation()));
    let _ = reply::decode_form_state(entries.clone(), &opts).map(|s| s.map(|s| format!("{s:?}")));
    let Some(body) = as_multipart(&entries) else { return };
    let from_body = reply::decode_action_body(&body.content_type(), body.to_bytes().into(), &opts)
        .map(|a| a.map(|a| a.to_notation()));
    assert_eq!(
        action.map_err(|e| e.kind().to_string()),
        from_body.map_err(|e| e.kind().to_string()),
        "entries and their multipart body give different actions"
    );
}

/// The entries as a multipart body, when they survive one unchanged: no
/// line break or escaped character in a name, no line break in a text value
/// (the writer escapes and normalises those, as undici does).
fn as_multipart(entries: &[(JsString, FormEntry)]) -> Option<Body> {
    let plain = |s: &JsString, escaped: &[u8]| !s.as_wtf8().iter().any(|b| escaped.contains(b));
    // A part's headers must fit the multipart parser's 8 KiB limit, which
    // entries do not have: a filename's escapes (`"` as `%22`) triple it.
    let head_fits = |k: &JsString, v: &FormEntry| {
        let file = match v {
            FormEntry::File(b) => 3 * b.name.as_ref().map_or(4, JsString::len) + b.content_type.len(),
            FormEntry::Text(_) => 0,
        };
        3 * k.len() + file + 200 <= flight_codec::multipart::MultipartLimits::default().max_header_bytes
    };
    let survives = entries.iter().all(|(k, v)| {
        plain(k, b"\r\n\"%")
            && head_fits(k, v)
            && match v {
                FormEntry::Text(t) => plain(t, b"\r\n"),
                FormEntry::File(_) => true,
            }
    });
    survives.then(|| Body::Form(entries.iter().map(|(k, v)| (k.to_string_lossy().into_owned(), v.clone())).collect()))
}

/// `decode_response`: a Flight stream decodes or fails with a typed error,
/// and the row framer yields the same rows for any chunking.
pub fn decode_response(data: &[u8]) {
    let (cuts, stream) = cuts_and_rest(data);
    let _ = flight_codec::response::decode(stream, &Default::default());
    let frame = |cuts: &[usize]| {
        let mut f = RowFramer::new(Default::default());
        let mut r = Ok(());
        for piece in pieces(stream, cuts) {
            r = r.and_then(|_| f.feed(piece));
        }
        let r = r.and_then(|_| f.finish());
        let mut rows = Vec::new();
        while let Some(row) = f.next_row() {
            rows.push(row);
        }
        (r.map_err(|e| e.to_string()), rows)
    };
    let whole = frame(&[]);
    let split = frame(&cuts);
    assert_eq!(whole.0.is_ok(), split.0.is_ok(), "chunking at {cuts:?} changed the framer's verdict");
    if whole.0.is_ok() {
        assert_eq!(whole.1, split.1, "chunking at {cuts:?} changed the rows");
    }
}

#[derive(Arbitrary, Debug)]
enum Leaf {
    Undefined,
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    BigInt(i64),
    Date(i32),
    Symbol(String),
    /// A node, by index modulo the node count (forward indices make cycles).
    Ref(u8),
}

#[derive(Arbitrary, Debug)]
enum Spec {
    Array(Vec<Leaf>),
    Object(Vec<(String, Leaf)>),
    Map(Vec<(Leaf, Leaf)>),
    Set(Vec<Leaf>),
    ArrayBuffer(Vec<u8>),
    TypedArray(u8, Vec<u8>),
    Blob(Vec<u8>),
    FormData(Vec<(String, String)>),
    Promise(Leaf),
    ServerReference(String, Option<Vec<Leaf>>),
    Iterator(Vec<Leaf>),
    Stream(u8, Vec<Leaf>, Leaf),
    Function(String),
    Instance,
}

/// A value graph for `roundtrip_reply`: nodes first (all of them exist
/// before any is filled, so references may point forward), then the root.
#[derive(Arbitrary, Debug)]
pub struct Input {
    nodes: Vec<Spec>,
    root: Leaf,
    temporary_references: bool,
    cut: u16,
}

fn value(leaf: Leaf, ids: &[NodeId]) -> Value {
    match leaf {
        Leaf::Undefined => Value::Undefined,
        Leaf::Null => Value::Null,
        Leaf::Bool(b) => Value::Bool(b),
        Leaf::Number(n) => Value::Number(n),
        Leaf::String(s) => Value::String(s.into()),
        Leaf::BigInt(n) => Value::BigInt(BigInt::from(n)),
        Leaf::Date(t) => Value::Date(Date::from_millis(t as f64 * 1000.0)),
        Leaf::Symbol(s) => Value::symbol(s),
        Leaf::Ref(i) if !ids.is_empty() => Value::Node(ids[i as usize % ids.len()]),
        Leaf::Ref(_) => Value::Null,
    }
}

pub fn build_graph(input: Input) -> Graph {
    build_graph_with(input, Vec::new())
}

/// [`build_graph`] with response-only nodes after `input.nodes` (references
/// index both; with no extras the graph is exactly `build_graph`'s).
fn build_graph_with(input: Input, extra: Vec<Extra>) -> Graph {
    let mut g = Graph::new();
    let ids: Vec<NodeId> = (0..input.nodes.len() + extra.len()).map(|_| g.add(Node::Array(Vec::new()))).collect();
    let vs = |leaves: Vec<Leaf>| leaves.into_iter().map(|l| value(l, &ids)).collect::<Vec<_>>();
    for (id, spec) in ids.iter().zip(input.nodes) {
        let node = match spec {
            Spec::Array(items) => Node::Array(vs(items)),
            Spec::Object(props) => Node::object(props.into_iter().map(|(k, v)| (k.into(), value(v, &ids))).collect()),
            Spec::Map(entries) => {
                Node::map(entries.into_iter().map(|(k, v)| (value(k, &ids), value(v, &ids))).collect())
            }
            Spec::Set(items) => Node::set(vs(items)),
            Spec::ArrayBuffer(b) => Node::ArrayBuffer(Box::new(b.into())),
            Spec::TypedArray(k, mut b) => {
                let kind =
                    TypedArrayKind::from_tag(b"OoUSsLlGgMmV"[k as usize % 12]).unwrap_or(TypedArrayKind::DataView);
                b.truncate(b.len() - b.len() % kind.element_size());
                Node::TypedArray { kind, bytes: Box::new(b.into()) }
            }
            Spec::Blob(b) => Node::Blob(Box::new(Blob::new("text/plain", b))),
            Spec::FormData(entries) => {
                Node::FormData(entries.into_iter().map(|(k, v)| (k.into(), FormEntry::Text(v.into()))).collect())
            }
            Spec::Promise(v) => Node::Promise(PromiseState::Fulfilled(value(v, &ids))),
            Spec::ServerReference(id, bound) => {
                Node::ServerReference(Box::new(ServerReference { id: id.into(), bound: bound.map(&vs) }))
            }
            Spec::Iterator(items) => Node::Iterator(vs(items)),
            Spec::Stream(k, items, end) => {
                let kind = [StreamKind::Readable, StreamKind::AsyncIterable, StreamKind::AsyncIterator][k as usize % 3];
                Node::Stream(Box::new(Stream { kind, items: vs(items), end: StreamEnd::Closed(value(end, &ids)) }))
            }
            Spec::Function(name) => Node::Function(name.into()),
            Spec::Instance => Node::Instance(None),
        };
        g.replace(*id, node);
    }
    for (id, spec) in ids[ids.len() - extra.len()..].iter().zip(extra) {
        let node = extra_node(&mut g, spec, &ids);
        g.replace(*id, node);
    }
    g.set_root(value(input.root, &ids));
    g
}

/// Decodes our own body from its entries (multipart bytes would normalise
/// line breaks, as undici does).
fn decode_reply_body(body: &Body, opts: &DecodeOptions) -> flight_codec::Result<Graph> {
    match body {
        Body::Text(t) => reply::decode_str(t, opts),
        Body::Form(entries) => {
            reply::decode_form(entries.iter().map(|(k, v)| (k.as_str().into(), v.clone())).collect(), opts)
        }
    }
}

/// `roundtrip_reply` (structure-aware): the input is read with `Arbitrary`
/// as a value graph with shared nodes and cycles through arrays, objects,
/// Maps, Sets, promises, iterators and streams. Whatever encodes must decode;
/// decoding is then a fixed point (encode → decode gives the same value, up
/// to renaming of identities); and the multipart body decodes the same whole
/// and chunked.
pub fn roundtrip_reply(data: &[u8]) {
    let Ok(input) = Input::arbitrary_take_rest(arbitrary::Unstructured::new(data)) else { return };

    let temp = input.temporary_references;
    let cut = input.cut as usize;
    let g = build_graph(input);
    let mut eopts = EncodeOptions::default();
    eopts.temporary_references = temp;
    let mut dopts = DecodeOptions::default();
    dopts.temporary_references = temp;
    let Ok(body) = reply::encode(&g, &eopts) else { return };
    let Ok(first) = decode_reply_body(&body, &dopts) else {
        // React's own quirks (spec/reply.md), on both sides: a temporary
        // reference under a key holding `:` has no path to rebuild, and a path
        // through an own `__proto__` key is refused. Nothing else may fail.
        let e = decode_reply_body(&body, &dopts).unwrap_err();
        let through_proto = matches!(e.kind(), ErrorKind::InvalidReference { reference }
            if reference.split(':').any(|s| s == "__proto__"));
        assert!(
            through_proto || temp && e.kind().name() == "temporary-reference-without-path",
            "our body does not decode: {e}"
        );
        return;
    };
    if let Body::Form(_) = &body {
        let bytes = body.to_bytes();
        let boundary = flight_codec::multipart::boundary_from_content_type(&body.content_type()).unwrap();
        let whole =
            reply::decode_multipart(&Bytes::from(bytes.clone()), &boundary, &dopts).map(|g| notation::to_string(&g));
        let at = cut % (bytes.len() + 1);
        let chunked = (|| {
            let mut d = MultipartDecoder::new(&boundary, dopts.clone())?;
            d.feed(&bytes[..at])?;
            d.feed(&bytes[at..])?;
            d.finish()
        })()
        .map(|g| notation::to_string(&g));
        assert_eq!(whole.map_err(|e| e.to_string()), chunked.map_err(|e| e.to_string()), "chunked at {at}");
    }
    if temp {
        // Temporary references decode as opaque placeholders: no fixed point to check.
        return;
    }
    let first = notation::to_string(&first);
    let second = reply::encode(&notation::from_str(&first).unwrap(), &eopts).expect("a decoded value re-encodes");
    let again = notation::to_string(&decode_reply_body(&second, &dopts).expect("the re-encoding decodes"));
    assert_eq!(first, again, "encode → decode changed a decoded value");
}

// ---------------------------------------------------------------------------
// The response direction.

/// A leaf of a response-only node: anything [`Leaf`] is, and what only a
/// response writes specially.
#[derive(Arbitrary, Debug)]
enum XLeaf {
    Leaf(Leaf),
    /// Any UTF-16 units, lone surrogates included.
    Units(Vec<u16>),
    /// A string of 1024 UTF-16 units or more (a `T` row): `seed` repeated,
    /// then `extra` more units of it.
    Long(Vec<u16>, u8),
    /// Any time value: out of range and NaN give invalid dates.
    Date(f64),
    InvalidDate,
}

/// How a stream ends.
#[derive(Arbitrary, Debug)]
enum End {
    Closed(XLeaf),
    Errored(XLeaf),
}

/// An element's type.
#[derive(Arbitrary, Debug)]
enum ElementType {
    /// A host component (`"div"`).
    Tag(String),
    /// A client component.
    Client(String, String),
    /// A client component behind a lazy, as a decoded one is.
    LazyClient(String, String),
    /// `Symbol.for("react.fragment")`: with a null key React writes its children.
    Fragment,
}

/// Response-only nodes, appended to [`Input::nodes`].
#[derive(Arbitrary, Debug)]
enum Extra {
    Array(Vec<XLeaf>),
    Object(Vec<(String, XLeaf)>),
    /// An `Error` value (`$Z`), with a digest or not.
    Error(String, Option<String>),
    /// An element: type, key, props.
    Element(ElementType, Option<String>, Vec<(String, XLeaf)>),
    /// A client reference; with the manifest on, ids starting with `nope`
    /// are missing from it (the reference becomes an error row).
    ClientReference(String, String),
    /// A byte stream: its chunks are Uint8Arrays.
    ByteStream(Vec<Vec<u8>>, End),
    /// A stream of values (Readable, AsyncIterable, AsyncIterator by `u8`).
    Stream(u8, Vec<XLeaf>, End),
    /// A settled promise: fulfilled, or rejected with the leaf.
    Promise(bool, XLeaf),
    /// A settled lazy: fulfilled, or rejected with the leaf.
    Lazy(bool, XLeaf),
    TemporaryReference(String),
    UnregisteredSymbol(String),
    /// FormData with text and file entries.
    FormData(Vec<(String, Result<String, Vec<u8>>)>),
    /// A Blob with a type.
    Blob(String, Vec<u8>),
    /// A typed array, DataView or ArrayBuffer: the bytes repeated, up to
    /// 6,000 (more than a 4,096-byte network chunk).
    TypedArray(u8, Vec<u8>, u8),
}

fn xvalue(leaf: XLeaf, ids: &[NodeId]) -> Value {
    match leaf {
        XLeaf::Leaf(l) => value(l, ids),
        XLeaf::Units(u) => Value::String(JsString::from_utf16(&u)),
        XLeaf::Long(seed, extra) => {
            let seed = if seed.is_empty() { vec![u16::from(b'x')] } else { seed };
            let units: Vec<u16> = seed.iter().copied().cycle().take(1024 + extra as usize).collect();
            Value::String(JsString::from_utf16(&units))
        }
        XLeaf::Date(ms) => Value::Date(Date::from_millis(ms)),
        XLeaf::InvalidDate => Value::Date(Date::invalid()),
    }
}

fn client_reference(id: String, name: String) -> Node {
    Node::ClientReference(Box::new(ClientReference { id: id.into(), name: name.into() }))
}

fn end(e: End, ids: &[NodeId]) -> StreamEnd {
    match e {
        End::Closed(v) => StreamEnd::Closed(xvalue(v, ids)),
        End::Errored(v) => StreamEnd::Errored(xvalue(v, ids)),
    }
}

fn extra_node(g: &mut Graph, spec: Extra, ids: &[NodeId]) -> Node {
    let props = |pairs: Vec<(String, XLeaf)>| -> Vec<(JsString, Value)> {
        pairs.into_iter().map(|(k, v)| (k.into(), xvalue(v, ids))).collect()
    };
    match spec {
        Extra::Array(items) => Node::Array(items.into_iter().map(|v| xvalue(v, ids)).collect()),
        Extra::Object(pairs) => Node::object(props(pairs)),
        Extra::Error(message, digest) => {
            Node::Error(Box::new(JsError { message: message.into(), digest: digest.map(Into::into) }))
        }
        Extra::Element(ty, key, pairs) => {
            let element_type = match ty {
                ElementType::Tag(t) => Value::String(t.into()),
                ElementType::Client(id, name) => g.add_value(client_reference(id, name)),
                ElementType::LazyClient(id, name) => {
                    let c = g.add_value(client_reference(id, name));
                    g.add_value(Node::Lazy(Box::new(PromiseState::Fulfilled(c))))
                }
                ElementType::Fragment => Value::symbol("react.fragment"),
            };
            let props = props(pairs);
            let props = g.add_value(Node::object(props));
            let key = key.map_or(Value::Null, |k| Value::String(k.into()));
            Node::Element(Box::new(Element { element_type, key, props }))
        }
        Extra::ClientReference(id, name) => client_reference(id, name),
        Extra::ByteStream(chunks, e) => {
            let items = chunks
                .into_iter()
                .map(|c| g.add_value(Node::TypedArray { kind: TypedArrayKind::Uint8Array, bytes: Box::new(c.into()) }))
                .collect();
            Node::Stream(Box::new(Stream { kind: StreamKind::Bytes, items, end: end(e, ids) }))
        }
        Extra::Stream(k, items, e) => {
            let kind = [StreamKind::Readable, StreamKind::AsyncIterable, StreamKind::AsyncIterator][k as usize % 3];
            let items = items.into_iter().map(|v| xvalue(v, ids)).collect();
            Node::Stream(Box::new(Stream { kind, items, end: end(e, ids) }))
        }
        Extra::Promise(rejected, v) => {
            let v = xvalue(v, ids);
            Node::Promise(if rejected { PromiseState::Rejected(v) } else { PromiseState::Fulfilled(v) })
        }
        Extra::Lazy(rejected, v) => {
            let v = xvalue(v, ids);
            Node::Lazy(Box::new(if rejected { PromiseState::Rejected(v) } else { PromiseState::Fulfilled(v) }))
        }
        Extra::TemporaryReference(id) => Node::TemporaryReference(id.into()),
        Extra::UnregisteredSymbol(d) => Node::UnregisteredSymbol(d.into()),
        Extra::FormData(entries) => Node::FormData(
            entries
                .into_iter()
                .map(|(k, v)| {
                    let v = match v {
                        Ok(t) => FormEntry::Text(t.into()),
                        Err(b) => FormEntry::File(Blob::file("f.bin", "application/octet-stream", b)),
                    };
                    (k.into(), v)
                })
                .collect(),
        ),
        Extra::Blob(ty, b) => Node::Blob(Box::new(Blob::new(&ty, b))),
        Extra::TypedArray(k, seed, reps) => {
            let kind = TypedArrayKind::from_tag(b"AOoUSsLlGgMmV"[k as usize % 13]);
            let mut b: Vec<u8> = seed.iter().copied().cycle().take(seed.len() * (1 + reps as usize)).collect();
            b.truncate(6000);
            match kind {
                Some(kind) => {
                    b.truncate(b.len() - b.len() % kind.element_size());
                    Node::TypedArray { kind, bytes: Box::new(b.into()) }
                }
                None => Node::ArrayBuffer(Box::new(b.into())),
            }
        }
    }
}

/// A value graph for `roundtrip_response`: [`Input`]'s nodes plus
/// response-only ones, and the encoder's options.
#[derive(Arbitrary, Debug)]
pub struct ResponseInput {
    extra: Vec<Extra>,
    /// An `onError` that keeps an error's digest (else every digest is empty,
    /// React's default).
    digests: bool,
    /// A client manifest (else a module is its id with no chunks).
    manifest: bool,
    base: Input,
}

/// The `onError` of [`ResponseInput::digests`]: an `Error`'s own digest if
/// it has one (as a host that re-throws a server error would keep it), else
/// one made from the message.
fn keep_digest(t: &Thrown, g: &Graph) -> Option<String> {
    if let Thrown::Value(Value::Node(n)) = t {
        if let Some(NodeRef::Error(e)) = g.get(*n) {
            if let Some(d) = &e.digest {
                return Some(d.to_string_lossy().into_owned());
            }
        }
    }
    Some(format!("D:{}", t.message(g).unwrap_or_default()))
}

/// The manifest of [`ResponseInput::manifest`]: module ids starting with
/// `nope` are missing; `chunked/` ones have chunks; `async/` ones are ESM.
pub fn test_manifest(c: &ClientReference) -> Option<ClientModule> {
    let id = c.id.to_string_lossy().into_owned();
    if id.starts_with("nope") {
        return None;
    }
    let chunks =
        if id.starts_with("chunked/") { vec!["c1".into(), "static/chunks/c1-0123456789.js".into()] } else { vec![] };
    Some(ClientModule { is_async: id.starts_with("async/"), id, chunks, name: c.name.to_string_lossy().into_owned() })
}

/// The response encoder's options: temporary references, digests, manifest.
pub fn response_options(temporary_references: bool, digests: bool, manifest: bool) -> ResponseEncodeOptions {
    ResponseEncodeOptions {
        temporary_references,
        on_error: digests.then(|| Arc::new(keep_digest) as OnError),
        client_manifest: manifest.then(|| Arc::new(test_manifest) as ClientManifest),
    }
}

/// The decoder's options for a response round trip: temporary references
/// as the encoder's, the logical-size limit lifted, the other limits at
/// their defaults. (The logical size counts every shared reference as a
/// copy: a value whose nodes share each other is a reference bomb by that
/// measure however small its stream, and each `$h` decoding to a node of
/// its own multiplies it on every trip. Nothing here allocates by it.)
pub fn response_decode_options(temporary_references: bool) -> DecodeOptions {
    let mut opts = DecodeOptions::default();
    opts.temporary_references = temporary_references;
    opts.limits.max_logical_size = u64::MAX;
    opts
}

/// How far [`response_round_trip`] got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reached {
    /// Not encoded: a promise that never settles (a cycle of promises).
    Pending,
    /// Encoded, and the root decodes as rejected: an error row reached it.
    RootRejected,
    /// Every check ran.
    Checked,
}

/// The rows of `stream` fed to the framer in `pieces`.
fn frame_pieces<'a>(pieces: impl IntoIterator<Item = &'a [u8]>) -> Result<Vec<Row>, String> {
    let mut f = RowFramer::new(Default::default());
    let mut rows = Vec::new();
    for p in pieces {
        f.feed(p).map_err(|e| e.to_string())?;
        while let Some(row) = f.next_row() {
            rows.push(row);
        }
    }
    f.finish().map_err(|e| e.to_string())?;
    while let Some(row) = f.next_row() {
        rows.push(row);
    }
    Ok(rows)
}

/// What the push decoder gives for `stream` fed in `pieces`: the events
/// taken after each piece (`Debug`, node ids included), and the value's
/// notation or the error's kind.
fn push_decode<'a>(
    pieces: impl IntoIterator<Item = &'a [u8]>,
    opts: &DecodeOptions,
) -> (Vec<String>, Result<String, &'static str>) {
    let mut d = ResponseDecoder::new(opts.clone());
    let mut events = Vec::new();
    for p in pieces {
        if let Err(e) = d.feed(p) {
            return (events, Err(e.kind().name()));
        }
        events.extend(std::iter::from_fn(|| d.next_event()).map(|e| format!("{e:?}")));
    }
    let value = d.finish().map(|g| notation::to_string(&g)).map_err(|e| e.kind().name());
    (events, value)
}

/// A stream for messages: lossy text, cut short.
fn show(stream: &[u8]) -> String {
    let s = String::from_utf8_lossy(stream);
    s.chars().take(2000).collect()
}

/// `g` with the nodes whose identity a response does not keep merged, when
/// equivalent: server references with the same id and bound arguments,
/// lazies in the same state with the same value, `Error`s with the same
/// message and digest, all up to the same merging (the coarsest such
/// partition, so cycles through them merge too). Other nodes keep their
/// identity.
///
/// Each `$h` decodes to a function of its own and each `$L` to a lazy of its
/// own (spec/response.md, as React's client does), and a bare `$Z` to a new
/// `Error`; the encoder writes a server reference once and refers to it by
/// `$h` after, and a rejected lazy as a new error row wherever it is met
/// (React throws again each time). So a server reference reached from its
/// own bound arguments decodes one level deeper after each trip
/// (`S = f.bind(S)` comes back as `f.bind(S')` with `S' = f.bind(S')`), with
/// lazies of its own at each level; compared this way, the values agree.
/// Elements too: React does not keep the identity of an element that is a
/// row's root (it is written again where it is met again), so an element
/// reached again from inside its own props comes back as a second element
/// with the same type, key and props. And an array or object that is a
/// stream chunk (a row of its own, with the stream's id: nothing can refer to
/// it) is written again where it is met again, as React writes it.
pub fn merge_wire_identities(g: &Graph) -> Graph {
    use std::collections::{HashMap, HashSet};
    let chunk_roots: HashSet<NodeId> = g
        .ids()
        .filter_map(|id| match g.view(id) {
            NodeRef::Stream(st) => Some(st.items.iter().filter_map(Value::as_node)),
            _ => None,
        })
        .flatten()
        .filter(|&n| matches!(g.view(n), NodeRef::Array(_) | NodeRef::Object(_)))
        .collect();
    let mergeable = |id: NodeId| {
        matches!(g.view(id), NodeRef::ServerReference(_) | NodeRef::Lazy(_) | NodeRef::Error(_) | NodeRef::Element(_))
            || chunk_roots.contains(&id)
    };
    let nodes: Vec<NodeId> = g.ids().filter(|&n| mergeable(n)).collect();
    if nodes.is_empty() {
        return g.clone();
    }
    let key = |v: &Value, class: &HashMap<NodeId, usize>| match v {
        Value::Node(n) => match class.get(n) {
            Some(c) => format!("M{c}"),
            None => format!("N{}", n.index()),
        },
        v => format!("{v:?}"),
    };
    // Start with one class, then split by kind, own fields and the classes
    // of the values held, until nothing splits.
    let mut class: HashMap<NodeId, usize> = nodes.iter().map(|&n| (n, 0)).collect();
    let mut count = 1;
    loop {
        let mut sigs: HashMap<String, usize> = HashMap::new();
        let mut next = HashMap::new();
        for &n in &nodes {
            let mut sig = format!("{}|", class[&n]);
            match g.view(n) {
                NodeRef::ServerReference(r) => {
                    sig.push_str(&format!("server {:?}|", r.id));
                    match &r.bound {
                        None => sig.push_str("unbound"),
                        Some(args) => {
                            for a in args {
                                sig.push_str(&key(a, &class));
                                sig.push(',');
                            }
                        }
                    }
                }
                NodeRef::Lazy(state) => match state {
                    PromiseState::Fulfilled(v) => sig.push_str(&format!("lazy fulfilled {}", key(v, &class))),
                    PromiseState::Rejected(v) => sig.push_str(&format!("lazy rejected {}", key(v, &class))),
                    PromiseState::Pending => sig.push_str("lazy pending"),
                },
                NodeRef::Error(e) => sig.push_str(&format!("error {:?} {:?}", e.message, e.digest)),
                NodeRef::Element(e) => sig.push_str(&format!(
                    "element {} {} {}",
                    key(&e.element_type, &class),
                    key(&e.key, &class),
                    key(&e.props, &class)
                )),
                NodeRef::Array(items) => {
                    sig.push_str("array ");
                    for v in items {
                        sig.push_str(&key(v, &class));
                        sig.push(',');
                    }
                }
                NodeRef::Object(pairs) => {
                    sig.push_str("object ");
                    for (k, v) in pairs {
                        sig.push_str(&format!("{k:?}:{},", key(v, &class)));
                    }
                }
                _ => unreachable!(),
            }
            let len = sigs.len();
            next.insert(n, *sigs.entry(sig).or_insert(len));
        }
        let done = sigs.len() == count;
        count = sigs.len();
        class = next;
        if done {
            break;
        }
    }
    let mut rep: HashMap<usize, NodeId> = HashMap::new();
    for &n in &nodes {
        rep.entry(class[&n]).or_insert(n);
    }
    let merged = |v: &mut Value| {
        if let Value::Node(n) = v {
            if let Some(c) = class.get(n) {
                *n = rep[c];
            }
        }
    };
    let mut out = g.clone();
    let ids: Vec<NodeId> = out.ids().collect();
    for id in ids {
        out.for_each_value_mut(id, &merged);
    }
    let mut root = out.root().clone();
    merged(&mut root);
    out.set_root(root);
    out
}

/// The response round trip of `g`:
///
/// 1. `encode` succeeds, or fails only with `pending` (a promise cycle never
///    settles, as in JavaScript).
/// 2. The sans-IO `ResponseEncoder` writes the same bytes and then is complete.
/// 3. The row framer yields the same rows for the whole stream, the stream
///    cut in two at `cut`, and the encoder's own network chunks.
/// 4. The stream decodes; the only failure allowed is `root-rejected`, and
///    only when the stream holds an error (`E`) row.
/// 5. The push decoder gives the same value or error for the whole stream,
///    the stream cut in two at `cut`, and the encoder's network chunks, and
///    that is `decode`'s; when the value decodes, the same events (node ids
///    included) too, with exactly one `Root` event before `finish`.
/// 6. Decoding is a fixed point: encoding the decoded value and decoding
///    again gives the same notation, up to the identities a response does
///    not keep ([`merge_wire_identities`]); except that a root decoded as a
///    rejected lazy (a root element that refers to an error row) is encoded
///    as the root's error row, and so decodes as `root-rejected`.
pub fn response_round_trip(g: &Graph, eopts: &ResponseEncodeOptions, dopts: &DecodeOptions, cut: usize) -> Reached {
    let stream = match response::encode(g, eopts) {
        Ok(s) => s,
        Err(e) if e.kind() == &ErrorKind::Pending => return Reached::Pending,
        Err(e) => panic!("encoding {} failed: {e}", notation::to_string(g)),
    };
    let mut enc = ResponseEncoder::new(g.clone(), eopts.clone());
    let chunks: Vec<Bytes> = std::iter::from_fn(|| enc.poll_chunk()).collect();
    assert!(enc.is_complete(), "the sans-IO encoder is not complete after its last chunk");
    assert_eq!(chunks.concat(), stream, "the sans-IO encoder and encode() disagree");

    let whole =
        frame_pieces([&stream[..]]).unwrap_or_else(|e| panic!("our stream does not frame: {e}\n{}", show(&stream)));
    let at = cut % (stream.len() + 1);
    let split = frame_pieces([&stream[..at], &stream[at..]]).expect("the split stream frames");
    assert_eq!(whole, split, "framing the stream cut at {at} changed the rows");
    let network = frame_pieces(chunks.iter().map(|c| &c[..])).expect("the network chunks frame");
    assert_eq!(whole, network, "framing the network chunks changed the rows");

    let decoded = response::decode(&stream, dopts);
    let (events, pushed) = push_decode([&stream[..]], dopts);
    let want = decoded.as_ref().map(notation::to_string).map_err(|e| e.kind().name());
    assert_eq!(pushed, want, "the push decoder fed the whole stream and decode() disagree");
    // (After an error, the events taken before it depend on the chunking.)
    let same = |(e, v): (Vec<String>, Result<String, &'static str>)| (pushed.is_ok().then_some(e), v);
    let at_once = same((events.clone(), pushed.clone()));
    let split = same(push_decode([&stream[..at], &stream[at..]], dopts));
    assert_eq!(at_once, split, "the push decoder fed the stream cut at {at} differs");
    let network = same(push_decode(chunks.iter().map(|c| &c[..]), dopts));
    assert_eq!(at_once, network, "the push decoder fed the network chunks differs");
    if pushed.is_ok() {
        let roots = events.iter().filter(|e| e.starts_with("Root(")).count();
        assert_eq!(roots, 1, "{roots} Root events for a value that decodes: {events:?}");
    }

    let first = match decoded {
        Ok(first) => first,
        Err(e) if e.kind() == &ErrorKind::RootRejected => {
            let has_error_row = whole.iter().any(|r| r.tag == RowTag::Tagged(b'E'));
            assert!(has_error_row, "the root is rejected without an error row:\n{}", show(&stream));
            return Reached::RootRejected;
        }
        // React writes a keyless Fragment as its children: with none,
        // `$undefined`, which deletes its key, and a second use of the element
        // refers to that key by path, which neither React's client nor ours
        // can resolve (both: an invalid reference; React 19.3.1 writes the
        // same bytes, `tests/response_encode.rs`).
        Err(e) if matches!(e.kind(), ErrorKind::InvalidReference { .. }) && has_keyless_fragment(g) => {
            return Reached::Checked
        }
        Err(e) => {
            panic!("our stream does not decode: {e}\nvalue: {}\nstream: {}", notation::to_string(g), show(&stream))
        }
    };
    let first_notation = notation::to_string(&first);
    let again = response::encode(&first, eopts)
        .unwrap_or_else(|e| panic!("the decoded value {first_notation} does not re-encode: {e}"));
    let second = match response::decode(&again, dopts) {
        Ok(second) => second,
        // A root element that refers to an error row decodes as a rejected
        // lazy (as React's client makes it); rendering a rejected lazy at the
        // root throws, so the root row is the error row, and the root is
        // rejected (as with React on both sides).
        Err(e) if e.kind() == &ErrorKind::RootRejected && root_is_rejected_lazy(&first) => return Reached::Checked,
        // Each `$h` decodes as a server reference of its own, with its own
        // copy of the bound arguments (as React's client makes a function per
        // `$h`), so a re-encoding writes each as a row and grows; the copies a
        // decode may make are limited by the stream's size (spec/limits.md).
        Err(e)
            if matches!(e.kind(), ErrorKind::LimitExceeded { limit: flight_codec::LimitKind::LogicalSize, .. })
                && again.len() > stream.len()
                && has_bound_server_reference(&first) =>
        {
            return Reached::Checked
        }
        Err(e) => panic!("the re-encoding of {first_notation} does not decode: {e}\nstream: {}", show(&again)),
    };
    // Up to the identities a response does not keep (see `merge_wire_identities`).
    let (first_notation, second_notation) =
        (notation::to_string(&merge_wire_identities(&first)), notation::to_string(&merge_wire_identities(&second)));
    assert_eq!(
        first_notation,
        second_notation,
        "encode → decode changed a decoded value\nvalue: {}\nfirst stream: {}\nsecond stream: {}",
        notation::to_string(g),
        show(&stream),
        show(&again)
    );
    Reached::Checked
}

/// Whether `g` has a Fragment element without a key (React writes its
/// children in its place).
fn has_keyless_fragment(g: &Graph) -> bool {
    g.ids().any(|id| {
        matches!(g.view(id), NodeRef::Element(e)
            if matches!(&e.element_type, Value::Symbol(s) if s.as_wtf8() == b"react.fragment")
                && matches!(e.key, Value::Null | Value::Undefined))
    })
}

/// Whether a server reference in `g` has bound arguments.
fn has_bound_server_reference(g: &Graph) -> bool {
    g.ids()
        .any(|id| matches!(g.view(id), NodeRef::ServerReference(r) if r.bound.as_ref().is_some_and(|b| !b.is_empty())))
}

/// The root is a lazy (or a chain of lazies) that is rejected.
fn root_is_rejected_lazy(g: &Graph) -> bool {
    let mut v = g.root();
    for _ in 0..=g.len() {
        match v.as_node().map(|n| g.view(n)) {
            Some(NodeRef::Lazy(state)) => match state {
                PromiseState::Rejected(_) => return true,
                PromiseState::Fulfilled(next) => v = next,
                PromiseState::Pending => return false,
            },
            _ => return false,
        }
    }
    false
}

/// `roundtrip_response` (structure-aware): the input is read with
/// `Arbitrary` as a value graph (as for `roundtrip_reply`, plus long strings,
/// any dates, errors, elements, client references, byte streams, errored
/// streams, rejected promises and lazies, temporary references, FormData
/// files, typed arrays larger than a network chunk) and encoder options; the
/// properties are [`response_round_trip`]'s.
pub fn roundtrip_response(data: &[u8]) {
    if let Ok(input) = ResponseInput::arbitrary_take_rest(arbitrary::Unstructured::new(data)) {
        response_input_round_trip(input);
    }
}

/// [`roundtrip_response`] for an input already read.
pub fn response_input_round_trip(input: ResponseInput) -> Reached {
    let temp = input.base.temporary_references;
    let cut = input.base.cut as usize;
    let eopts = response_options(temp, input.digests, input.manifest);
    let dopts = response_decode_options(temp);
    let g = build_graph_with(input.base, input.extra);
    response_round_trip(&g, &eopts, &dopts, cut)
}
