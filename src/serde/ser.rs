//! A serde `Serializer` that builds a value graph.
//!
//! Rust values map to what a JavaScript developer expects: structs and maps
//! become plain objects, sequences and tuples arrays, `None` is `null`, `()`
//! is `undefined`, unit variants are strings and other variants
//! `{"Variant": content}`. Integers must be safe JavaScript integers
//! (|n| ≤ 2^53 − 1); larger ones need [`BigInt`](crate::value::BigInt).

use serde::ser::{self, Impossible, Serialize};

use super::path::{mismatch, type_error};
use super::stash::{self, Kind, Stash};
use crate::error::{Error, Result};
use crate::value::{Graph, JsString, Node, NodeRef, TypedArrayKind, Value};

/// The largest integer a JavaScript number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE: i128 = (1 << 53) - 1;

/// How the next value is read: as usual, or as the inside of a `JsMap`/`JsSet`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Plain,
    Map,
    Set,
}

/// What serializing builds: the graph, and the futures and streams that
/// will settle its pending promises and open streams.
#[derive(Default)]
pub(crate) struct Cx {
    pub(crate) g: Graph,
    #[cfg(feature = "async")]
    pub(crate) sources: Vec<(crate::value::NodeId, super::pending::Source)>,
}

/// Serializes into a [`Cx`], returning the value.
pub(crate) struct Ser<'a> {
    cx: &'a mut Cx,
    mode: Mode,
}

impl<'a> Ser<'a> {
    pub(crate) fn new(cx: &'a mut Cx) -> Self {
        Ser { cx, mode: Mode::Plain }
    }

    fn integer(self, n: i128) -> Result<Value> {
        if n.abs() > MAX_SAFE {
            return Err(type_error(format!(
                "integer {n} is outside JavaScript's safe integer range (use flight_codec::value::BigInt)"
            )));
        }
        Ok(Value::Number(n as f64))
    }

    fn not_plain(&self) -> Result<()> {
        match self.mode {
            Mode::Plain => Ok(()),
            Mode::Map => Err(type_error("a JsMap must serialize as a map")),
            Mode::Set => Err(type_error("a JsSet must serialize as a sequence")),
        }
    }
}

/// One value of a container, serialized into the same graph.
fn value_of<T: Serialize + ?Sized>(cx: &mut Cx, v: &T) -> Result<Value> {
    v.serialize(Ser::new(cx))
}

macro_rules! integers {
    ($($method:ident $t:ty),*) => {$(
        fn $method(self, v: $t) -> Result<Value> {
            self.not_plain()?;
            self.integer(v as i128)
        }
    )*};
}

impl<'a> ser::Serializer for Ser<'a> {
    type Ok = Value;
    type Error = Error;
    type SerializeSeq = Items<'a>;
    type SerializeTuple = Items<'a>;
    type SerializeTupleStruct = Items<'a>;
    type SerializeTupleVariant = Items<'a>;
    type SerializeMap = Members<'a>;
    type SerializeStruct = Members<'a>;
    type SerializeStructVariant = Members<'a>;

    fn serialize_bool(self, v: bool) -> Result<Value> {
        self.not_plain()?;
        Ok(Value::Bool(v))
    }

    integers!(serialize_i8 i8, serialize_i16 i16, serialize_i32 i32, serialize_i64 i64,
        serialize_u8 u8, serialize_u16 u16, serialize_u32 u32, serialize_u64 u64, serialize_i128 i128);

    fn serialize_u128(self, v: u128) -> Result<Value> {
        self.not_plain()?;
        self.integer(i128::try_from(v).unwrap_or(i128::MAX))
    }

    fn serialize_f32(self, v: f32) -> Result<Value> {
        self.serialize_f64(f64::from(v))
    }

    fn serialize_f64(self, v: f64) -> Result<Value> {
        self.not_plain()?;
        Ok(Value::Number(v))
    }

    fn serialize_char(self, v: char) -> Result<Value> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<Value> {
        self.not_plain()?;
        Ok(Value::String(JsString::from(v)))
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<Value> {
        self.not_plain()?;
        Ok(self
            .cx
            .g
            .add_value(Node::TypedArray { kind: TypedArrayKind::Uint8Array, bytes: Box::new(v.to_vec().into()) }))
    }

    fn serialize_none(self) -> Result<Value> {
        self.not_plain()?;
        Ok(Value::Null)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<Value> {
        self.not_plain()?;
        Ok(Value::Undefined)
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value> {
        self.not_plain()?;
        Ok(Value::Null)
    }

    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<Value> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, name: &'static str, value: &T) -> Result<Value> {
        match Kind::of(name) {
            None => value.serialize(self),
            Some(Kind::Map) => value.serialize(Ser { cx: self.cx, mode: Mode::Map }),
            Some(Kind::Set) => value.serialize(Ser { cx: self.cx, mode: Mode::Set }),
            Some(_) => {
                self.not_plain()?;
                let (r, stash) = hand_over(value);
                r?;
                let stash = stash.ok_or_else(|| type_error(format!("{name} did not hand itself over")))?;
                Ok(from_stash(self.cx, stash))
            }
        }
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value> {
        self.not_plain()?;
        let inner = value_of(self.cx, value)?;
        Ok(self.cx.g.add_value(Node::Object(vec![(JsString::from_static(variant), inner)])))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Items<'a>> {
        if self.mode == Mode::Map {
            return Err(type_error("a JsMap must serialize as a map"));
        }
        Ok(Items {
            cx: self.cx,
            items: Vec::with_capacity(len.unwrap_or(0).min(4096)),
            variant: None,
            set: self.mode == Mode::Set,
        })
    }

    fn serialize_tuple(self, len: usize) -> Result<Items<'a>> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Items<'a>> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Items<'a>> {
        self.not_plain()?;
        Ok(Items { cx: self.cx, items: Vec::with_capacity(len.min(4096)), variant: Some(variant), set: false })
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Members<'a>> {
        if self.mode == Mode::Set {
            return Err(type_error("a JsSet must serialize as a sequence"));
        }
        Ok(Members::new(self.cx, len.unwrap_or(0), None, self.mode == Mode::Map))
    }

    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Members<'a>> {
        self.not_plain()?;
        Ok(Members::new(self.cx, len, None, false))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Members<'a>> {
        self.not_plain()?;
        Ok(Members::new(self.cx, len, Some(variant), false))
    }
}

/// Lets a wrapper hand itself over: it leaves its value in the stash and
/// writes a unit, here into a scratch graph that is then dropped.
pub(crate) fn hand_over<T: Serialize + ?Sized>(value: &T) -> (Result<Value>, Option<Stash>) {
    stash::capture(|| value.serialize(Ser::new(&mut Cx::default())))
}

/// A wrapper's value, handed over whole, as a value of the graph.
fn from_stash(cx: &mut Cx, stash: Stash) -> Value {
    let g = &mut cx.g;
    match stash {
        Stash::Undefined => Value::Undefined,
        Stash::Date(d) => Value::Date(d),
        Stash::BigInt(b) => Value::BigInt(b),
        Stash::Str(s) => Value::String(s),
        Stash::Binary(None, bytes) => g.add_value(Node::ArrayBuffer(Box::new(bytes))),
        Stash::Binary(Some(kind), bytes) => g.add_value(Node::TypedArray { kind, bytes: Box::new(bytes) }),
        Stash::Blob(b) => g.add_value(Node::Blob(Box::new(b))),
        Stash::FormData(entries) => g.add_value(Node::FormData(entries)),
        Stash::ServerRef(id, bound) => {
            let bound = bound.map(|b| {
                let args = g.append(b);
                match args.as_node().map(|id| g.view(id)) {
                    Some(NodeRef::Array(items)) => items.to_vec(),
                    _ => vec![args],
                }
            });
            g.add_value(Node::ServerReference(Box::new(crate::value::ServerReference { id, bound })))
        }
        Stash::TempRef(id) => g.add_value(Node::TemporaryReference(id)),
        Stash::Graph(sub) => g.append(sub),
        #[cfg(feature = "async")]
        Stash::Pending(source) => {
            let node = g.add(source.placeholder());
            cx.sources.push((node, source));
            Value::Node(node)
        }
    }
}

/// Arrays (and Sets, and tuple variants).
pub(crate) struct Items<'a> {
    cx: &'a mut Cx,
    items: Vec<Value>,
    variant: Option<&'static str>,
    set: bool,
}

impl Items<'_> {
    fn push<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<()> {
        let v = value_of(self.cx, v)?;
        self.items.push(v);
        Ok(())
    }

    fn finish(self) -> Result<Value> {
        let node = if self.set { Node::set(self.items) } else { Node::Array(self.items) };
        let v = self.cx.g.add_value(node);
        Ok(match self.variant {
            Some(variant) => self.cx.g.add_value(Node::Object(vec![(JsString::from_static(variant), v)])),
            None => v,
        })
    }
}

macro_rules! items {
    ($($trait:ident $method:ident),*) => {$(
        impl ser::$trait for Items<'_> {
            type Ok = Value;
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<()> {
                self.push(v)
            }
            fn end(self) -> Result<Value> {
                self.finish()
            }
        }
    )*};
}

items!(SerializeSeq serialize_element, SerializeTuple serialize_element,
    SerializeTupleStruct serialize_field, SerializeTupleVariant serialize_field);

/// Objects (and Maps, and struct variants).
pub(crate) struct Members<'a> {
    cx: &'a mut Cx,
    pairs: Vec<(JsString, Value)>,
    entries: Vec<(Value, Value)>,
    key: Option<Value>,
    variant: Option<&'static str>,
    js_map: bool,
}

impl<'a> Members<'a> {
    fn new(cx: &'a mut Cx, len: usize, variant: Option<&'static str>, js_map: bool) -> Self {
        let len = len.min(4096);
        let (pairs, entries) =
            if js_map { (Vec::new(), Vec::with_capacity(len)) } else { (Vec::with_capacity(len), Vec::new()) };
        Members { cx, pairs, entries, key: None, variant, js_map }
    }

    fn finish(self) -> Result<Value> {
        let node = if self.js_map { Node::map(self.entries) } else { Node::object(self.pairs) };
        let v = self.cx.g.add_value(node);
        Ok(match self.variant {
            Some(variant) => self.cx.g.add_value(Node::Object(vec![(JsString::from_static(variant), v)])),
            None => v,
        })
    }
}

impl ser::SerializeMap for Members<'_> {
    type Ok = Value;
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        let k = if self.js_map { value_of(self.cx, key)? } else { Value::String(key.serialize(KeySer)?) };
        self.key = Some(k);
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let v = value_of(self.cx, value)?;
        match (self.key.take(), self.js_map) {
            (Some(k), true) => self.entries.push((k, v)),
            (Some(Value::String(k)), false) => self.pairs.push((k, v)),
            _ => return Err(type_error("map value without a key")),
        }
        Ok(())
    }

    fn end(self) -> Result<Value> {
        self.finish()
    }
}

impl ser::SerializeStruct for Members<'_> {
    type Ok = Value;
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<()> {
        let v = value_of(self.cx, value)?;
        self.pairs.push((JsString::from_static(key), v));
        Ok(())
    }

    fn end(self) -> Result<Value> {
        self.finish()
    }
}

impl ser::SerializeStructVariant for Members<'_> {
    type Ok = Value;
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<()> {
        ser::SerializeStruct::serialize_field(self, key, value)
    }

    fn end(self) -> Result<Value> {
        self.finish()
    }
}

/// Object keys: strings, and numbers and chars written as JavaScript would.
pub(crate) struct KeySer;

macro_rules! key_integers {
    ($($method:ident $t:ty),*) => {$(
        fn $method(self, v: $t) -> Result<JsString> {
            Ok(JsString::from(v.to_string().as_str()))
        }
    )*};
}

impl ser::Serializer for KeySer {
    type Ok = JsString;
    type Error = Error;
    type SerializeSeq = Impossible<JsString, Error>;
    type SerializeTuple = Impossible<JsString, Error>;
    type SerializeTupleStruct = Impossible<JsString, Error>;
    type SerializeTupleVariant = Impossible<JsString, Error>;
    type SerializeMap = Impossible<JsString, Error>;
    type SerializeStruct = Impossible<JsString, Error>;
    type SerializeStructVariant = Impossible<JsString, Error>;

    key_integers!(serialize_i8 i8, serialize_i16 i16, serialize_i32 i32, serialize_i64 i64, serialize_i128 i128,
        serialize_u8 u8, serialize_u16 u16, serialize_u32 u32, serialize_u64 u64, serialize_u128 u128);

    fn serialize_str(self, v: &str) -> Result<JsString> {
        Ok(JsString::from(v))
    }

    fn serialize_char(self, v: char) -> Result<JsString> {
        Ok(JsString::from(v.encode_utf8(&mut [0; 4]) as &str))
    }

    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<JsString> {
        Ok(JsString::from_static(variant))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, name: &'static str, value: &T) -> Result<JsString> {
        match Kind::of(name) {
            None => value.serialize(self),
            Some(Kind::Str) => match hand_over(value) {
                (Ok(_), Some(Stash::Str(s))) => Ok(s),
                _ => Err(key_error("this key")),
            },
            Some(_) => Err(key_error(name)),
        }
    }

    fn serialize_bool(self, _: bool) -> Result<JsString> {
        Err(key_error("a boolean"))
    }
    fn serialize_f32(self, v: f32) -> Result<JsString> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<JsString> {
        Ok(JsString::from(crate::json::number_to_js_string(v).as_str()))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<JsString> {
        Err(key_error("bytes"))
    }
    fn serialize_none(self) -> Result<JsString> {
        Err(key_error("None"))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<JsString> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<JsString> {
        Err(key_error("()"))
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<JsString> {
        Err(key_error(name))
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        v: &'static str,
        _: &T,
    ) -> Result<JsString> {
        Err(key_error(v))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(key_error("a sequence"))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple> {
        Err(key_error("a tuple"))
    }
    fn serialize_tuple_struct(self, name: &'static str, _: usize) -> Result<Self::SerializeTupleStruct> {
        Err(key_error(name))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        v: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(key_error(v))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap> {
        Err(key_error("a map"))
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Self::SerializeStruct> {
        Err(key_error(name))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        v: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(key_error(v))
    }
}

fn key_error(what: &str) -> Error {
    mismatch("a string or number as an object key (use JsMap for other keys)", what)
}
