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
//!
//! A cut byte `c` splits the body at `c × len / 255`.

#![allow(dead_code)]

use arbitrary::Arbitrary;
use bytes::Bytes;
use flight_codec::multipart::MultipartParser;
use flight_codec::notation;
use flight_codec::reply::{self, Body, DecodeOptions, EncodeOptions, MultipartDecoder};
use flight_codec::response::rows::RowFramer;
use flight_codec::value::Graph;
use flight_codec::value::{
    BigInt, Blob, Date, FormEntry, JsString, Node, NodeId, PromiseState, ServerReference, Stream, StreamEnd,
    StreamKind, TypedArrayKind, Value,
};

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
    let survives = entries.iter().all(|(k, v)| {
        plain(k, b"\r\n\"%")
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
        Leaf::BigInt(n) => Value::BigInt(BigInt::parse(&n.to_string()).expect("a decimal integer is a bigint")),
        Leaf::Date(t) => Value::Date(Date::from_millis(t as f64 * 1000.0)),
        Leaf::Symbol(s) => Value::Symbol(s.into()),
        Leaf::Ref(i) if !ids.is_empty() => Value::Node(ids[i as usize % ids.len()]),
        Leaf::Ref(_) => Value::Null,
    }
}

pub fn build_graph(input: Input) -> Graph {
    let mut g = Graph::new();
    let ids: Vec<NodeId> = input.nodes.iter().map(|_| g.add(Node::Array(Vec::new()))).collect();
    let vs = |leaves: Vec<Leaf>| leaves.into_iter().map(|l| value(l, &ids)).collect::<Vec<_>>();
    for (id, spec) in ids.iter().zip(input.nodes) {
        let node = match spec {
            Spec::Array(items) => Node::Array(vs(items)),
            Spec::Object(props) => Node::object(props.into_iter().map(|(k, v)| (k.into(), value(v, &ids))).collect()),
            Spec::Map(entries) => {
                Node::map(entries.into_iter().map(|(k, v)| (value(k, &ids), value(v, &ids))).collect())
            }
            Spec::Set(items) => Node::set(vs(items)),
            Spec::ArrayBuffer(b) => Node::ArrayBuffer(b.into()),
            Spec::TypedArray(k, mut b) => {
                let kind =
                    TypedArrayKind::from_tag(b"OoUSsLlGgMmV"[k as usize % 12]).unwrap_or(TypedArrayKind::DataView);
                b.truncate(b.len() - b.len() % kind.element_size());
                Node::TypedArray { kind, bytes: b.into() }
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
        *g.node_mut(*id) = node;
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
        // React's own quirk: a temporary reference under a key holding `:`
        // has no path to rebuild (spec/reply.md). Nothing else may fail.
        let e = decode_reply_body(&body, &dopts).unwrap_err();
        assert!(temp && e.kind().name() == "temporary-reference-without-path", "our body does not decode: {e}");
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
