//! Wrapper types for the JavaScript kinds serde has no words for, and
//! `Serialize`/`Deserialize` for the value model's own types.

use std::fmt;
use std::marker::PhantomData;

use bytes::Bytes;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

use super::stash::{self, Kind, Stash};
use crate::value::{BigInt, Blob, Date, FormEntry, Graph, JsString, TypedArrayKind};

/// A type that crosses serde whole (see the `stash` module).
trait Handover: Sized {
    const KIND: Kind;
    fn stash(&self) -> Stash;
    fn from_stash(s: Stash) -> Option<Self>;
    /// How other serde formats see it.
    fn plain<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error>;
    /// How it is read from other serde formats.
    fn from_plain<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
}

struct Carry<'a, T>(&'a T);

impl<T: Handover> Serialize for Carry<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if stash::capturing() {
            stash::put(self.0.stash());
            s.serialize_unit()
        } else {
            self.0.plain(s)
        }
    }
}

fn serialize_handover<T: Handover, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_newtype_struct(T::KIND.name(), &Carry(v))
}

struct HandoverVisitor<T>(PhantomData<T>);

impl<'de, T: Handover> Visitor<'de> for HandoverVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(super::de::expected_name(T::KIND))
    }

    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        stash::take()
            .and_then(T::from_stash)
            .ok_or_else(|| E::custom(format!("expected {}", super::de::expected_name(T::KIND))))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        T::from_plain(d)
    }
}

fn deserialize_handover<'de, T: Handover, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    d.deserialize_newtype_struct(T::KIND.name(), HandoverVisitor(PhantomData))
}

macro_rules! serde_via_handover {
    ($($t:ty),*) => {$(
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                serialize_handover(self, s)
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                deserialize_handover(d)
            }
        }
    )*};
}

serde_via_handover!(
    Date,
    BigInt,
    JsString,
    TypedArray,
    ArrayBuffer,
    Blob,
    FormData,
    ServerRef,
    TemporaryReference,
    Graph
);

/// JavaScript's `undefined`. It writes `undefined`, and reads `undefined`,
/// `null` or a missing property (React's decoders drop a property whose
/// value is `undefined`, as `JSON.parse` with a reviver does). Other serde
/// formats see a unit (`null` in JSON).
///
/// In a struct, `Option<T>` also reads `undefined`, `null` and a missing
/// field as `None`; use `Undefined` to write `undefined` itself.
///
/// ```
/// use flight_codec::serde::{to_graph, Undefined};
/// let g = to_graph(&Undefined)?;
/// assert!(matches!(g.root(), flight_codec::value::Value::Undefined));
/// # Ok::<(), flight_codec::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Undefined;

impl Serialize for Undefined {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_handover(self, s)
    }
}

impl<'de> Deserialize<'de> for Undefined {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V_;
        impl<'de> Visitor<'de> for V_ {
            type Value = Undefined;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("undefined")
            }
            fn visit_none<E: de::Error>(self) -> Result<Undefined, E> {
                Ok(Undefined)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Undefined, E> {
                Ok(Undefined)
            }
        }
        // The option form is what serde uses for a missing field.
        d.deserialize_option(V_)
    }
}

impl Handover for Undefined {
    const KIND: Kind = Kind::Undefined;
    fn stash(&self) -> Stash {
        Stash::Undefined
    }
    fn from_stash(s: Stash) -> Option<Self> {
        matches!(s, Stash::Undefined).then_some(Undefined)
    }
    fn plain<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_unit()
    }
    fn from_plain<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <()>::deserialize(d).map(|()| Undefined)
    }
}

/// A JavaScript `Map` with keys of any type, entries in insertion order.
///
/// Plain Rust maps (`HashMap`, `BTreeMap`) become plain objects with string
/// keys; use `JsMap` for a real `Map`. Other serde formats see a map.
///
/// ```
/// use flight_codec::serde::{from_graph, to_graph, JsMap};
/// let m = JsMap(vec![(1u8, "one".to_string()), (2, "two".to_string())]);
/// let g = to_graph(&m)?;
/// assert_eq!(flight_codec::notation::to_string(&g), r#"{"map":[[1,"one"],[2,"two"]]}"#);
/// assert_eq!(from_graph::<JsMap<u8, String>>(&g)?, m);
/// # Ok::<(), flight_codec::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JsMap<K, V>(pub Vec<(K, V)>);

struct MapBody<'a, K, V>(&'a [(K, V)]);

impl<K: Serialize, V: Serialize> Serialize for MapBody<'_, K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<K: Serialize, V: Serialize> Serialize for JsMap<K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(Kind::Map.name(), &MapBody(&self.0))
    }
}

impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for JsMap<K, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V_<K, V>(PhantomData<(K, V)>);
        impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Visitor<'de> for V_<K, V> {
            type Value = JsMap<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("Map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(a.size_hint().unwrap_or(0).min(4096));
                while let Some(entry) = a.next_entry()? {
                    out.push(entry);
                }
                Ok(JsMap(out))
            }
            fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_map(self)
            }
        }
        d.deserialize_newtype_struct(Kind::Map.name(), V_(PhantomData))
    }
}

/// A JavaScript `Set`, items in insertion order.
///
/// Rust sets and sequences become arrays; use `JsSet` for a real `Set`.
/// Other serde formats see a sequence.
///
/// ```
/// use flight_codec::serde::{from_graph, to_graph, JsSet};
/// let g = to_graph(&JsSet(vec!["a", "b"]))?;
/// assert_eq!(flight_codec::notation::to_string(&g), r#"{"set":["a","b"]}"#);
/// assert_eq!(from_graph::<JsSet<String>>(&g)?.0, ["a", "b"]);
/// # Ok::<(), flight_codec::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JsSet<T>(pub Vec<T>);

struct SetBody<'a, T>(&'a [T]);

impl<T: Serialize> Serialize for SetBody<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut q = s.serialize_seq(Some(self.0.len()))?;
        for v in self.0 {
            q.serialize_element(v)?;
        }
        q.end()
    }
}

impl<T: Serialize> Serialize for JsSet<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(Kind::Set.name(), &SetBody(&self.0))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for JsSet<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V_<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V_<T> {
            type Value = JsSet<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("Set")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(a.size_hint().unwrap_or(0).min(4096));
                while let Some(v) = a.next_element()? {
                    out.push(v);
                }
                Ok(JsSet(out))
            }
            fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_seq(self)
            }
        }
        d.deserialize_newtype_struct(Kind::Set.name(), V_(PhantomData))
    }
}

/// A typed array or `DataView`: its kind and its bytes (little-endian
/// elements), shared with the decoded body, never copied.
///
/// Plain `Vec<f64>`-like fields also read typed arrays (element by element);
/// this type keeps the kind and the bytes. Other serde formats see bytes.
///
/// ```
/// use flight_codec::serde::{from_graph, to_graph, TypedArray};
/// use flight_codec::value::TypedArrayKind;
/// let t = TypedArray { kind: TypedArrayKind::Float64Array, bytes: 1.5f64.to_le_bytes().to_vec().into() };
/// let g = to_graph(&t)?;
/// assert_eq!(flight_codec::notation::to_string(&g), r#"{"typedArray":{"kind":"Float64Array","base64":"AAAAAAAA+D8="}}"#);
/// assert_eq!(from_graph::<Vec<f64>>(&g)?, [1.5]);
/// assert_eq!(from_graph::<TypedArray>(&g)?, t);
/// # Ok::<(), flight_codec::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypedArray {
    /// The element type.
    pub kind: TypedArrayKind,
    /// The bytes.
    pub bytes: Bytes,
}

impl Handover for TypedArray {
    const KIND: Kind = Kind::Binary;
    fn stash(&self) -> Stash {
        Stash::Binary(Some(self.kind), self.bytes.clone())
    }
    fn from_stash(s: Stash) -> Option<Self> {
        match s {
            Stash::Binary(kind, bytes) => Some(TypedArray { kind: kind.unwrap_or(TypedArrayKind::Uint8Array), bytes }),
            _ => None,
        }
    }
    fn plain<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.bytes)
    }
    fn from_plain<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let bytes = d.deserialize_byte_buf(BytesVisitor)?;
        Ok(TypedArray { kind: TypedArrayKind::Uint8Array, bytes })
    }
}

/// An `ArrayBuffer`, its bytes shared with the decoded body.
///
/// ```
/// use flight_codec::serde::{from_graph, to_graph, ArrayBuffer};
/// let g = to_graph(&ArrayBuffer(bytes::Bytes::from_static(b"hi")))?;
/// assert_eq!(flight_codec::notation::to_string(&g), r#"{"arrayBuffer":"aGk="}"#);
/// assert_eq!(&from_graph::<ArrayBuffer>(&g)?.0[..], b"hi");
/// # Ok::<(), flight_codec::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ArrayBuffer(pub Bytes);

impl Handover for ArrayBuffer {
    const KIND: Kind = Kind::Binary;
    fn stash(&self) -> Stash {
        Stash::Binary(None, self.0.clone())
    }
    fn from_stash(s: Stash) -> Option<Self> {
        match s {
            Stash::Binary(_, bytes) => Some(ArrayBuffer(bytes)),
            _ => None,
        }
    }
    fn plain<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
    fn from_plain<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_byte_buf(BytesVisitor).map(ArrayBuffer)
    }
}

struct BytesVisitor;

impl<'de> Visitor<'de> for BytesVisitor {
    type Value = Bytes;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("bytes")
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Bytes, E> {
        Ok(Bytes::copy_from_slice(v))
    }
    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Bytes, E> {
        Ok(v.into())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Bytes, A::Error> {
        let mut out = Vec::new();
        while let Some(b) = a.next_element::<u8>()? {
            out.push(b);
        }
        Ok(out.into())
    }
}

/// A `FormData`, entries in order (text, or a `File`).
///
/// ```
/// use flight_codec::serde::{from_graph, to_graph, FormData};
/// use flight_codec::value::FormEntry;
/// let f = FormData(vec![("a".into(), FormEntry::Text("1".into()))]);
/// let g = to_graph(&f)?;
/// assert_eq!(flight_codec::notation::to_string(&g), r#"{"formData":[["a","1"]]}"#);
/// assert_eq!(from_graph::<FormData>(&g)?, f);
/// # Ok::<(), flight_codec::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FormData(pub Vec<(JsString, FormEntry)>);

impl Handover for FormData {
    const KIND: Kind = Kind::FormData;
    fn stash(&self) -> Stash {
        Stash::FormData(self.0.clone())
    }
    fn from_stash(s: Stash) -> Option<Self> {
        match s {
            Stash::FormData(e) => Some(FormData(e)),
            _ => None,
        }
    }
    fn plain<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut q = s.serialize_seq(Some(self.0.len()))?;
        for (name, entry) in &self.0 {
            match entry {
                FormEntry::Text(t) => q.serialize_element(&(name, t))?,
                FormEntry::File(f) => q.serialize_element(&(name, f))?,
            }
        }
        q.end()
    }
    fn from_plain<'de, D: Deserializer<'de>>(_d: D) -> Result<Self, D::Error> {
        Err(de::Error::custom("FormData can only be read from flight_codec values"))
    }
}

/// A server function reference: its id and its bound arguments (a graph
/// whose root is the array of arguments), as `fn.bind(null, …)` makes it.
///
/// ```
/// use flight_codec::serde::{from_graph, to_graph, ServerRef};
/// let r = ServerRef { id: "actions#save".into(), bound: Some(to_graph(&(1, "x"))?) };
/// let g = to_graph(&r)?;
/// assert_eq!(flight_codec::notation::to_string(&g), r#"{"serverReference":{"id":"actions#save","bound":[1,"x"]}}"#);
/// let back: ServerRef = from_graph(&g)?;
/// assert_eq!(back.id, "actions#save");
/// assert_eq!(flight_codec::notation::to_string(back.bound.as_ref().unwrap()), r#"{"array":[1,"x"]}"#);
/// # Ok::<(), flight_codec::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ServerRef {
    /// The server function id (`"module#export"`).
    pub id: JsString,
    /// The bound arguments: a graph whose root is an array, or `None`.
    pub bound: Option<Graph>,
}

impl ServerRef {
    /// The server reference `r` of `g`, its bound arguments copied out with
    /// the nodes they reach (shared nodes stay shared).
    pub(crate) fn of(g: &Graph, r: &crate::value::ServerReference) -> Self {
        let bound = r.bound.as_ref().map(|args| {
            let (mut sub, args) = g.subgraph_of(args);
            let root = sub.add_value(crate::value::Node::Array(args));
            sub.set_root(root);
            sub
        });
        ServerRef { id: r.id.clone(), bound }
    }
}

impl Handover for ServerRef {
    const KIND: Kind = Kind::ServerRef;
    fn stash(&self) -> Stash {
        Stash::ServerRef(self.id.clone(), self.bound.clone())
    }
    fn from_stash(s: Stash) -> Option<Self> {
        match s {
            Stash::ServerRef(id, bound) => Some(ServerRef { id, bound }),
            _ => None,
        }
    }
    fn plain<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("ServerRef", 2)?;
        st.serialize_field("id", &self.id)?;
        st.serialize_field("bound", &self.bound)?;
        st.end()
    }
    fn from_plain<'de, D: Deserializer<'de>>(_d: D) -> Result<Self, D::Error> {
        Err(de::Error::custom("a server function can only be read from flight_codec values"))
    }
}

/// A temporary reference: a value the client kept and the server can only
/// hand back (`$T`). It is named by its path id.
///
/// ```
/// use flight_codec::serde::{to_graph, TemporaryReference};
/// let g = to_graph(&TemporaryReference("0".into()))?;
/// assert!(matches!(g.view(g.root().as_node().unwrap()), flight_codec::value::NodeRef::TemporaryReference(_)));
/// # Ok::<(), flight_codec::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TemporaryReference(pub JsString);

impl Handover for TemporaryReference {
    const KIND: Kind = Kind::TempRef;
    fn stash(&self) -> Stash {
        Stash::TempRef(self.0.clone())
    }
    fn from_stash(s: Stash) -> Option<Self> {
        match s {
            Stash::TempRef(id) => Some(TemporaryReference(id)),
            _ => None,
        }
    }
    fn plain<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.plain(s)
    }
    fn from_plain<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        JsString::from_plain(d).map(TemporaryReference)
    }
}

impl Handover for Date {
    const KIND: Kind = Kind::Date;
    fn stash(&self) -> Stash {
        Stash::Date(*self)
    }
    fn from_stash(s: Stash) -> Option<Self> {
        match s {
            Stash::Date(d) => Some(d),
            _ => None,
        }
    }
    /// The ISO string (`toISOString`), or unit for an invalid date.
    fn plain<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.to_iso_string() {
            Some(iso) => s.serialize_str(&iso),
            None => s.serialize_unit(),
        }
    }
    fn from_plain<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V_;
        impl Visitor<'_> for V_ {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ISO date string or a time value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Date, E> {
                Date::parse_iso(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Date, E> {
                Ok(Date::from_millis(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Date, E> {
                Ok(Date::from_millis(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Date, E> {
                Ok(Date::from_millis(v as f64))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Date, E> {
                Ok(Date::invalid())
            }
        }
        d.deserialize_any(V_)
    }
}

impl Handover for BigInt {
    const KIND: Kind = Kind::BigInt;
    fn stash(&self) -> Stash {
        Stash::BigInt(self.clone())
    }
    fn from_stash(s: Stash) -> Option<Self> {
        match s {
            Stash::BigInt(b) => Some(b),
            _ => None,
        }
    }
    /// The decimal digits, as a string.
    fn plain<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
    fn from_plain<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V_;
        impl Visitor<'_> for V_ {
            type Value = BigInt;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("decimal digits or an integer")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<BigInt, E> {
                BigInt::parse(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<BigInt, E> {
                Ok(BigInt::from(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<BigInt, E> {
                Ok(BigInt::from(v))
            }
            fn visit_i128<E: de::Error>(self, v: i128) -> Result<BigInt, E> {
                Ok(BigInt::from(v))
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<BigInt, E> {
                Ok(BigInt::from(v))
            }
        }
        d.deserialize_any(V_)
    }
}

impl Handover for JsString {
    const KIND: Kind = Kind::Str;
    fn stash(&self) -> Stash {
        Stash::Str(self.clone())
    }
    fn from_stash(s: Stash) -> Option<Self> {
        match s {
            Stash::Str(s) => Some(s),
            _ => None,
        }
    }
    /// The text (lone surrogates become U+FFFD).
    fn plain<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string_lossy())
    }
    fn from_plain<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| JsString::from(s.as_str()))
    }
}

impl Handover for Blob {
    const KIND: Kind = Kind::Blob;
    fn stash(&self) -> Stash {
        Stash::Blob(self.clone())
    }
    fn from_stash(s: Stash) -> Option<Self> {
        match s {
            Stash::Blob(b) => Some(b),
            _ => None,
        }
    }
    /// `{name?, type, bytes}`.
    fn plain<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Blob", 3)?;
        if let Some(name) = &self.name {
            st.serialize_field("name", name)?;
        }
        st.serialize_field("type", &self.content_type)?;
        st.serialize_field("bytes", &ArrayBuffer(self.bytes.clone()))?;
        st.end()
    }
    fn from_plain<'de, D: Deserializer<'de>>(_d: D) -> Result<Self, D::Error> {
        Err(de::Error::custom("a Blob can only be read from flight_codec values"))
    }
}

impl Handover for Graph {
    const KIND: Kind = Kind::Graph;
    fn stash(&self) -> Stash {
        Stash::Graph(self.clone())
    }
    fn from_stash(s: Stash) -> Option<Self> {
        match s {
            Stash::Graph(g) => Some(g),
            _ => None,
        }
    }
    fn plain<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        super::plain::serialize(self, s)
    }
    fn from_plain<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        super::plain::deserialize(d)
    }
}
